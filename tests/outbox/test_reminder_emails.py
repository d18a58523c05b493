"""The e-mails of the reminders: their French content, and who may never receive them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.outbox.sending import SendOutcome, notification_send
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import CampaignFactory, MilestoneFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://accompagnement.example.org/"


def send(kind, recipient, **fields):
    notification = Notification.objects.create(
        key=f"essai:{kind}:{recipient.pk}", kind=kind, recipient=recipient, **fields
    )
    outcome = notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    return outcome, notification


def milestone_in(days, **kwargs):
    return MilestoneFactory(
        campaign=CampaignFactory(fiscal_year=2026, title="Fin de gestion 2026"),
        title="Dernières demandes d'achat",
        explanation="Saisissez vos dernières DA dans Chorus Formulaires.",
        due_date=timezone.localdate() + timedelta(days=days),
        **kwargs,
    )


def remind(agent, milestone, offset=7):
    return send(
        "milestone_reminder",
        agent,
        context={"milestone_id": milestone.pk, "offset_days": offset},
    )


# ---------------------------------------------------------------------------- milestones


def test_milestone_reminder_says_what_to_do_when_and_where(agent):
    milestone = milestone_in(7)
    outcome, _notification = remind(agent, milestone)

    assert outcome == SendOutcome.SENT
    [email] = mail.outbox
    assert email.to == [agent.email]
    day = milestone.due_date
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    month = months.split()[day.month - 1]
    assert email.subject == (
        f"[Calendrier] Échéance dans 7 jours, le {day.day} {month} : Dernières demandes d'achat"
    )
    assert "Rappel du calendrier « Fin de gestion 2026 »" in email.body
    assert f"{day.day} {month} {day.year}" in email.body
    assert "Saisissez vos dernières DA dans Chorus Formulaires." in email.body
    assert "Marquer comme fait" in email.body
    url = f"https://accompagnement.example.org/calendrier/#jalon-{milestone.pk}"
    assert url in email.body
    assert "Voir la demande" not in email.body
    [(html, _mimetype)] = email.alternatives
    assert f'href="{url}"' in html
    assert "Voir le calendrier" in html
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize(
    ("days", "start"),
    [(0, "[Calendrier] Échéance aujourd'hui : "), (1, "[Calendrier] Échéance demain : ")],
)
def test_milestone_reminder_subject_close_to_the_date(agent, days, start):
    remind(agent, milestone_in(days), offset=days)
    assert mail.outbox[0].subject == start + "Dernières demandes d'achat"


def test_an_informational_milestone_asks_for_nothing(agent):
    remind(agent, milestone_in(1, informational=True), offset=1)
    [email] = mail.outbox
    assert "pour information" in email.body
    assert "Marquer comme fait" not in email.body


def test_an_indicative_date_is_said_so(agent):
    remind(agent, milestone_in(15, indicative=True), offset=15)
    assert "Cette date est indicative, à confirmer. (mi/fin novembre 2011" in mail.outbox[0].body


def test_a_milestone_reminder_never_reaches_the_team(member):
    outcome, notification = remind(member, milestone_in(7))
    assert outcome == SendOutcome.REFUSED
    assert notification.status == NotificationStatus.FAILED
    assert "agent de DDI" in notification.last_error
    assert not mail.outbox


def test_a_reminder_of_a_deleted_milestone_fails_without_sending(agent):
    milestone = milestone_in(7)
    notification = Notification.objects.create(
        key="essai",
        kind="milestone_reminder",
        recipient=agent,
        context={"milestone_id": milestone.pk, "offset_days": 7},
    )
    milestone.delete()
    assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED
    notification.refresh_from_db()
    assert notification.last_error == "Le jalon de ce rappel n'existe plus."


def test_a_deactivated_agent_gets_no_reminder(agent):
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    outcome, notification = remind(agent, milestone_in(7))
    assert outcome == SendOutcome.REFUSED
    assert notification.last_error == "Le destinataire est désactivé."


# ---------------------------------------------------------------------------- digest, SLA


def test_the_digest_is_for_the_pilot_only(member, agent):
    context = {
        "week_start": "2026-03-02",
        "week_end": "2026-03-08",
        "iso_week": "2026-W11",
        "new": 0,
        "resolved": 0,
        "overdue": 0,
        "milestones": [],
    }
    for person in (member, agent):
        outcome, notification = send("weekly_digest", person, context=context)
        assert outcome == SendOutcome.REFUSED
        assert notification.last_error == "Cette synthèse est réservée au pilotage."
    assert not mail.outbox


def test_an_sla_reminder_names_the_missed_first_response_only():
    # Filed a week ago, never answered: the first response is late, the resolution not yet.
    request = SupportRequestFactory(
        assigned=True, created_at=timezone.now() - timedelta(days=7), priority="low"
    )
    assert request.first_response_due < timezone.now() < request.resolution_due
    outcome, _notification = send("sla_reminder", request.assignee, request=request)
    assert outcome == SendOutcome.SENT
    [email] = mail.outbox
    assert "première réponse attendue le" in email.body
    assert "résolution attendue le" not in email.body
    assert f"https://accompagnement.example.org/demandes/{request.reference}/" in email.body


def test_an_sla_reminder_never_reaches_an_agent():
    request = SupportRequestFactory(assigned=True)
    outcome, notification = send("sla_reminder", request.requester, request=request)
    assert outcome == SendOutcome.REFUSED
    assert notification.last_error == "Un rappel de retard ne s'adresse qu'à un membre de l'équipe."


def test_a_nudge_goes_to_the_ddi_only():
    request = SupportRequestFactory(assigned=True)
    context = {"waiting_since": timezone.now().isoformat(), "closes_on": timezone.now().isoformat()}
    outcome, _ = send("waiting_nudge", UserFactory(), request=request, context=context)
    assert outcome == SendOutcome.REFUSED
    outcome, _ = send("waiting_nudge", request.requester, request=request, context=context)
    assert outcome == SendOutcome.SENT
    assert "Votre réponse est attendue" in mail.outbox[0].subject

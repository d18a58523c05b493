"""Escalating a request to a partner and following it to the answer
(`partners/services/escalations.py`, the e-mail of `partners/emails.py`)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.models import Alert
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.outbox.sending import SendOutcome, notification_send
from accompagnement.partners import emails as partner_emails
from accompagnement.partners.addresses import escalation_reply_address
from accompagnement.partners.enums import AnswerChannel, PartnerKind
from accompagnement.partners.models import Escalation
from accompagnement.partners.services.escalations import (
    escalation_answer_record,
    escalation_create,
    escalation_email_record,
    escalation_reference_record,
)
from accompagnement.support.enums import (
    ChorusObject,
    EscalationTarget,
    EventKind,
    MessageKind,
    Status,
)
from accompagnement.support.models import Attachment, SupportRequest
from accompagnement.support.selectors.requests import (
    event_summary,
    events_visible_to,
    messages_visible_to,
)
from accompagnement.support.services.requests import (
    ConcurrentUpdateError,
    support_request_transition,
)
from accompagnement.support.sla import add_working_time, working_seconds_between
from tests.accounts.factories import UserFactory
from tests.ddi.factories import MinistryFactory, ProgrammeFactory, ServiceCentreFactory
from tests.partners.factories import EscalationFactory, PartnerFactory
from tests.support.factories import MessageFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def clock(monkeypatch):
    """Sets what `timezone.now()` returns for the services."""

    def set_now(*args) -> datetime:
        moment = paris(*args)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_now


@pytest.fixture
def maaprat():
    return MinistryFactory(code="MAAPRAT", name="Ministère de l'agriculture")


@pytest.fixture
def partner(maaprat):
    made = PartnerFactory(
        code="equipe-chorus-maaprat",
        name="Équipe Chorus du MAAPRAT",
        kind=PartnerKind.MINISTRY,
        mailbox="chorus-maaprat@example.org",
        response_hours=18,
    )
    made.ministries.set([maaprat])
    return made


@pytest.fixture
def support_request(maaprat):
    """In progress, held by a member, on programme 206 (the MAAPRAT's) through a joint CPCM
    filed under the MEDDTL."""
    cpcm = ServiceCentreFactory(name="CPCM de Rennes", ministry=MinistryFactory(code="MEDDTL"))
    cpcm.joint_ministries.set([maaprat])
    return SupportRequestFactory(
        assigned=True,
        title="DP rejetée par le comptable",
        body="La DP 1234567890 est rejetée depuis trois jours.",
        programme=ProgrammeFactory(code="206", ministry=maaprat),
        service_centre=cpcm,
        chorus_object=ChorusObject.DP,
        chorus_reference="1234567890",
    )


def attach(support_request, name, content=b"%PDF-1.4 contenu", *, message=None):
    attachment = Attachment(
        request=support_request,
        message=message,
        uploaded_by=message.author if message else support_request.requester,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def escalate(support_request, user, partner, **kwargs):
    kwargs.setdefault("summary", "Pouvez-vous débloquer le rejet de cette DP ?")
    return escalation_create(request=support_request, user=user, partner=partner, **kwargs)


def reload(support_request) -> SupportRequest:
    return SupportRequest.objects.get(pk=support_request.pk)


# ---------------------------------------------------------------------------- escalating


def test_escalating_hands_the_request_to_the_partner(support_request, member, partner, maaprat):
    escalation = escalate(support_request, member, partner)
    escalated = reload(support_request)
    assert escalated.status == Status.ESCALATED
    assert escalated.escalation_target == EscalationTarget.MINISTRY
    # The programme's ministry, not the joint centre's MEDDTL.
    assert escalated.escalation_ministry == maaprat
    assert escalated.escalation_service_centre is None
    assert (escalation.partner, escalation.created_by, escalation.is_open) == (
        partner,
        member,
        True,
    )
    event = escalated.events.get(kind=EventKind.ESCALATED)
    assert event.is_public
    assert event_summary(event) == "Escaladée vers Équipe Chorus du MAAPRAT"


def test_a_csps_kind_maps_onto_the_requests_target(support_request, member):
    centre = support_request.service_centre
    csp = PartnerFactory(kind=PartnerKind.CSP, service_centre=centre, name="CPCM de Rennes")
    escalate(support_request, member, csp)
    escalated = reload(support_request)
    assert escalated.escalation_target == EscalationTarget.CSP
    assert escalated.escalation_service_centre == centre
    # Programme 206 is the MAAPRAT's: the joint centre's associated ministry.
    assert escalated.escalation_ministry.code == "MAAPRAT"


def test_the_email_is_recorded_once(support_request, member, partner):
    escalation = escalate(support_request, member, partner)
    assert escalation_email_record(escalation) is None  # recorded a second time: nothing new
    [notification] = Notification.objects.filter(kind="escalation")
    assert notification.key == f"escalation:{escalation.pk}"
    assert notification.to_address == "chorus-maaprat@example.org"
    assert notification.recipient is None
    assert notification.request_id == support_request.pk


def test_the_email_carries_the_request_the_summary_and_the_ticked_files(
    support_request, member, partner
):
    public = attach(support_request, "rejet.pdf", b"%PDF-1.4 rejet")
    note = MessageFactory(request=support_request, internal=True, author=member)
    internal = attach(support_request, "capture-interne.pdf", b"%PDF-1.4 interne", message=note)
    not_ticked = attach(support_request, "autre.pdf")
    escalation = escalate(support_request, member, partner, attachments=[public, internal])

    [notification] = Notification.objects.filter(kind="escalation")
    assert notification_send(notification_id=notification.pk) == SendOutcome.SENT
    [email] = mail.outbox
    assert email.to == ["chorus-maaprat@example.org"]
    assert email.reply_to == [escalation_reply_address(escalation.pk)]
    assert support_request.reference in email.subject
    assert "DP rejetée par le comptable" in email.subject
    body = email.body
    assert "Pouvez-vous débloquer le rejet de cette DP ?" in body
    assert "La DP 1234567890 est rejetée depuis trois jours." in body
    assert str(support_request.ddi) in body
    assert "CPCM de Rennes" in body and "206" in body and "1234567890" in body
    assert "Répondez à ce courriel : votre réponse sera rattachée à la demande" in body
    assert sorted(name for name, _content, _type in email.attachments) == [
        "capture-interne.pdf",
        "rejet.pdf",
    ]
    assert ("rejet.pdf", b"%PDF-1.4 rejet", "application/pdf") in email.attachments
    assert not_ticked.original_name not in body
    [(html, _mimetype)] = email.alternatives
    assert "votre réponse sera rattachée à la demande" in html


def test_files_beyond_the_cap_are_named_not_attached(support_request, member, partner, monkeypatch):
    monkeypatch.setattr(partner_emails, "ATTACHMENTS_MAX_BYTES", 20)
    small = attach(support_request, "petit.pdf", b"%PDF-1.4 petit")  # 14 bytes
    big = attach(support_request, "gros.pdf", b"%PDF-1.4 " + b"x" * 40)
    escalate(support_request, member, partner, attachments=[small, big])
    [notification] = Notification.objects.filter(kind="escalation")
    notification_send(notification_id=notification.pk)
    [email] = mail.outbox
    assert [name for name, _content, _type in email.attachments] == ["petit.pdf"]
    assert "gros.pdf" in email.body
    assert "non jointe" in email.body


def test_nothing_is_sent_once_the_team_took_the_request_back(support_request, member, partner):
    escalate(support_request, member, partner)
    support_request_transition(
        request=reload(support_request), user=member, to_status=Status.IN_PROGRESS
    )
    [notification] = Notification.objects.filter(kind="escalation")
    assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"active": False}, "partner"),
        ({"mailbox": ""}, "partner"),
    ],
)
def test_a_partner_the_portal_cannot_write_to_is_refused(
    support_request, member, partner, change, field
):
    for name, value in change.items():
        setattr(partner, name, value)
    partner.save()
    with pytest.raises(ValidationError) as refused:
        escalate(support_request, member, partner)
    assert field in refused.value.message_dict
    assert reload(support_request).status == Status.IN_PROGRESS
    assert not Escalation.objects.exists()


def test_an_empty_summary_or_another_requests_file_is_refused(support_request, member, partner):
    with pytest.raises(ValidationError) as refused:
        escalate(support_request, member, partner, summary="   ")
    assert "Dites au partenaire" in str(refused.value)
    elsewhere = attach(SupportRequestFactory(), "ailleurs.pdf")
    with pytest.raises(ValidationError) as refused:
        escalate(support_request, member, partner, attachments=[elsewhere])
    assert "n’appartient pas à cette demande" in str(refused.value)
    assert not Escalation.objects.exists()
    assert not Notification.objects.filter(kind="escalation").exists()


def test_only_the_team_escalates(support_request, partner):
    with pytest.raises(PermissionDenied):
        escalate(support_request, support_request.requester, partner)


def test_a_stale_page_escalates_nothing(support_request, member, partner):
    seen = support_request.version
    support_request_transition(request=support_request, user=member, to_status=Status.WAITING_DDI)
    with pytest.raises(ConcurrentUpdateError):
        escalate(reload(support_request), member, partner, expected_version=seen)
    assert not Escalation.objects.exists()
    assert not Notification.objects.filter(kind="escalation").exists()


# ---------------------------------------------------------------------------- the clocks


def test_the_teams_clock_pauses_and_the_partners_runs_in_working_hours(clock, member, partner):
    clock(2011, 12, 9, 10, 0)  # a Friday
    support_request = SupportRequestFactory(
        assigned=True, created_at=timezone.now(), last_activity_at=timezone.now()
    )
    sent = clock(2011, 12, 9, 17, 0)
    escalation = escalate(support_request, member, partner)
    escalated = reload(support_request)
    assert escalated.sla_paused_at == sent
    # 18 working hours from Friday 17:00: 1 h on Friday, 9 h on Monday, 8 h on Tuesday.
    assert escalation.expected_at == paris(2011, 12, 13, 17, 0)
    assert escalation.expected_at == add_working_time(sent, 18 * HOUR)
    due_before = escalated.resolution_due

    # The answer arrives on Tuesday at 10:00: the team's clock runs again, its due dates
    # pushed back by the working time it stood still (1 + 9 + 1 hours).
    clock(2011, 12, 13, 10, 0)
    escalation_answer_record(
        escalation=escalation,
        user=member,
        answer="Rejet levé.",
        channel=AnswerChannel.PHONE,
        answered_at=timezone.now(),
    )
    resumed = reload(support_request)
    assert resumed.status == Status.IN_PROGRESS
    assert resumed.sla_paused_at is None
    assert resumed.sla_paused_seconds == 11 * HOUR
    assert resumed.sla_paused_seconds == working_seconds_between(sent, timezone.now())
    assert resumed.resolution_due == add_working_time(due_before, 11 * HOUR)


# ---------------------------------------------------------------------------- following


def test_the_partners_ticket_number_is_the_teams(support_request, member, partner):
    escalation = escalate(support_request, member, partner)
    escalation_reference_record(escalation=escalation, user=member, reference="  INC 0042 ")
    escalation.refresh_from_db()
    assert escalation.partner_reference == "INC 0042"
    event = support_request.events.get(field="partner_reference")
    assert not event.is_public
    assert event_summary(event) == "Numéro de ticket du partenaire : INC 0042"
    agent = support_request.requester
    assert not events_visible_to(agent, support_request).filter(pk=event.pk).exists()
    with pytest.raises(ValidationError):
        escalation_reference_record(escalation=escalation, user=member, reference="   ")


def test_the_answer_brings_the_request_back_and_alerts_the_assignee(
    support_request, member, partner
):
    assignee = support_request.assignee
    escalation = escalate(support_request, member, partner)
    escalation_answer_record(
        escalation=escalation,
        user=member,
        answer="Le rejet est levé, la DP repart au comptable.",
        channel=AnswerChannel.EMAIL,
    )
    escalation.refresh_from_db()
    assert escalation.answered_at is not None
    assert (escalation.answered_via, escalation.answered_by) == (AnswerChannel.EMAIL, member)
    assert escalation.answer == "Le rejet est levé, la DP repart au comptable."
    assert not escalation.is_open

    back = reload(support_request)
    assert back.status == Status.IN_PROGRESS
    note = back.messages.get(kind=MessageKind.INTERNAL)
    assert note.body.startswith("Réponse de Équipe Chorus du MAAPRAT (courriel, le ")
    assert "Le rejet est levé" in note.body
    # The DDI sees neither the answer nor the note.
    agent = support_request.requester
    assert not messages_visible_to(agent, back).filter(pk=note.pk).exists()

    [alert] = Alert.objects.filter(kind=AlertKind.ESCALATION_ANSWERED)
    assert alert.recipient == assignee
    assert "Équipe Chorus du MAAPRAT a répondu" in alert.text
    # The assignee has the answer by the note's e-mail: the alert stays in the portal.
    assert not alert.by_email
    assert Notification.objects.filter(kind="internal_note", recipient=assignee).count() == 1
    # Not withdrawn by its own status change.
    assert escalation.withdrawn_at is None


def test_an_answer_is_recorded_once(support_request, member, partner):
    escalation = escalate(support_request, member, partner)
    escalation_answer_record(
        escalation=escalation, user=member, answer="Réglé.", channel=AnswerChannel.PHONE
    )
    with pytest.raises(ValidationError) as refused:
        escalation_answer_record(
            escalation=Escalation.objects.get(pk=escalation.pk),
            user=member,
            answer="Réglé, bis.",
            channel=AnswerChannel.EMAIL,
        )
    assert "déjà enregistrée" in str(refused.value)
    assert support_request.messages.filter(kind=MessageKind.INTERNAL).count() == 1
    assert Alert.objects.filter(kind=AlertKind.ESCALATION_ANSWERED).count() == 1


def test_the_member_who_records_the_answer_is_not_alerted(member, partner):
    support_request = SupportRequestFactory(status=Status.IN_PROGRESS, assignee=member)
    escalation = escalate(support_request, member, partner)
    escalation_answer_record(
        escalation=escalation, user=member, answer="Réglé.", channel=AnswerChannel.PHONE
    )
    assert not Alert.objects.filter(kind=AlertKind.ESCALATION_ANSWERED).exists()


def test_an_answer_before_the_escalation_or_in_the_future_is_refused(
    support_request, member, partner
):
    escalation = escalate(support_request, member, partner)
    for moment in (escalation.sent_at - timedelta(days=1), timezone.now() + timedelta(days=1)):
        with pytest.raises(ValidationError):
            escalation_answer_record(
                escalation=escalation,
                user=member,
                answer="Réglé.",
                channel=AnswerChannel.EMAIL,
                answered_at=moment,
            )
    escalation.refresh_from_db()
    assert escalation.is_open


# ---------------------------------------------------------------------------- withdrawn


@pytest.mark.parametrize("to_status", [Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED])
def test_leaving_escalated_by_hand_withdraws_the_open_escalation(
    support_request, member, partner, to_status
):
    escalation = escalate(support_request, member, partner)
    support_request_transition(request=reload(support_request), user=member, to_status=to_status)
    escalation.refresh_from_db()
    assert escalation.withdrawn_at is not None
    assert escalation.answered_at is None
    event = support_request.events.get(field="escalation_withdrawn")
    assert not event.is_public
    assert event_summary(event) == (
        "Escalade vers Équipe Chorus du MAAPRAT close sans réponse du partenaire"
    )
    with pytest.raises(ValidationError) as refused:
        escalation_answer_record(
            escalation=escalation, user=member, answer="Tard.", channel=AnswerChannel.EMAIL
        )
    assert "reprise par l’équipe" in str(refused.value)


def test_the_ddi_closing_an_escalated_request_withdraws_it(support_request, member, partner):
    escalation = escalate(support_request, member, partner)
    support_request_transition(
        request=reload(support_request), user=support_request.requester, to_status=Status.CLOSED
    )
    escalation.refresh_from_db()
    assert escalation.withdrawn_at is not None


def test_an_escalation_left_open_is_closed_by_the_next_one(support_request, member, partner):
    stale = EscalationFactory(request=support_request, partner=PartnerFactory())
    fresh = escalate(support_request, member, partner)
    stale.refresh_from_db()
    assert stale.withdrawn_at is not None
    assert list(Escalation.objects.open()) == [fresh]


def test_other_status_changes_leave_escalations_alone(member, partner):
    support_request = SupportRequestFactory(status=Status.IN_PROGRESS, assignee=UserFactory())
    answered = EscalationFactory(request=support_request, partner=partner)
    Escalation.objects.filter(pk=answered.pk).update(answered_at=timezone.now())
    support_request_transition(request=support_request, user=member, to_status=Status.RESOLVED)
    assert Escalation.objects.get(pk=answered.pk).withdrawn_at is None
    assert Notification.objects.filter(status=NotificationStatus.PENDING).exists()

"""Who in the team is told what (support/alerts.py): one test per rule, through the
services that call the hooks, and the periodic SLA job run twice."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from accompagnement.accounts.models import Absence
from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.models import Alert
from accompagnement.axes.models import Axis
from accompagnement.outbox.models import Notification
from accompagnement.outbox.sending import SEND_NOTIFICATIONS, SendOutcome, notification_send
from accompagnement.support.alerts import (
    alert_new_request,
    alert_urgent,
    mention_handle,
    mentioned_members,
    sla_alerts_record,
    triage_rota,
)
from accompagnement.support.enums import Priority, Status
from accompagnement.support.services.following import support_request_follow
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import (
    support_request_create,
    support_request_transition,
)
from accompagnement.support.services.team_actions import support_request_assign
from accompagnement.support.team_models import TeamSettings
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.ddi.factories import AttachmentFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db


def told(kind, support_request=None) -> set[int]:
    alerts = Alert.objects.filter(kind=kind)
    if support_request is not None:
        alerts = alerts.filter(request=support_request)
    return set(alerts.values_list("recipient_id", flat=True))


def member_named(first, last, **profile):
    return TeamMemberFactory(
        user=UserFactory(member=True, first_name=first, last_name=last), **profile
    ).user


@pytest.fixture
def served(agent):
    """A programme the agent's DDI is served for."""
    return AttachmentFactory(ddi=agent.ddi).programme


def file(agent, programme=None, priority=Priority.NORMAL, title="Service fait impossible"):
    return support_request_create(
        requester=agent,
        axis=Axis.TOOL,
        category=CategoryFactory(axis=Axis.TOOL),
        title=title,
        body="Le bouton reste grisé.",
        priority=priority,
        programme=programme,
    )


# ---------------------------------------------------------------------------- triage


def test_an_unassigned_request_goes_to_its_ministrys_referents(agent, served, member, pilot):
    referent = TeamMemberFactory(referent_ministry=served.ministry).user
    TeamSettings.objects.create(pk=1, auto_assign=False)  # the routing only proposes
    support_request = file(agent, served, title="Restitution vide")
    assert support_request.assignee is None
    assert told(AlertKind.TRIAGE) == {referent.pk}
    alert = Alert.objects.get(kind=AlertKind.TRIAGE)
    assert alert.text.startswith(f"Nouvelle demande à trier : {support_request.reference}")
    assert "« Restitution vide »" in alert.text
    assert alert.actor == agent


def test_without_referent_every_member_and_pilot_present_is_told(agent, member, pilot):
    away = TeamMemberFactory()
    today = timezone.localdate()
    Absence.objects.create(member=away, start=today, end=today + timedelta(days=2))
    agent_b = UserFactory()
    support_request = file(agent)
    assert support_request.assignee is None
    assert told(AlertKind.TRIAGE) == {member.pk, pilot.pk}
    assert agent_b.pk not in told(AlertKind.TRIAGE)


def test_absent_referents_leave_the_triage_to_the_others(agent, served, member):
    referent = TeamMemberFactory(referent_ministry=served.ministry)
    request = SupportRequestFactory(requester=agent, programme=served)
    day = date(2011, 11, 10)
    Absence.objects.create(member=referent, start=day, end=day)
    assert {u.pk for u in triage_rota(request, day=day)} == {member.pk}
    assert {u.pk for u in triage_rota(request, day=day + timedelta(days=1))} == {referent.user_id}


def test_a_routed_request_is_not_triaged_but_its_assignee_is_told(agent, served, member):
    referent = TeamMemberFactory(referent_ministry=served.ministry).user
    support_request = file(agent, served)
    assert support_request.assignee == referent
    assert told(AlertKind.TRIAGE) == set()
    assert told(AlertKind.ASSIGNED) == {referent.pk}
    alert = Alert.objects.get(kind=AlertKind.ASSIGNED)
    assert "(attribution automatique)" in alert.text
    # The `assigned` e-mail tells them already: the alert is for the portal.
    assert alert.by_email is False
    assert Notification.objects.filter(kind="assigned", recipient=referent).exists()


def test_hooks_run_twice_record_nothing_new(agent, member, pilot):
    support_request = file(agent)
    count = Alert.objects.count()
    alert_new_request(support_request)
    assert Alert.objects.count() == count


# ---------------------------------------------------------------------------- urgent


def test_an_urgent_request_tells_its_assignee_and_the_pilot_at_once(
    agent, served, member, pilot, django_capture_on_commit_callbacks
):
    referent = TeamMemberFactory(referent_ministry=served.ministry).user
    with (
        mock.patch("accompagnement.outbox.services.queue_task") as queue_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        support_request = file(agent, served, priority=Priority.URGENT)
    assert support_request.assignee == referent
    assert told(AlertKind.URGENT) == {referent.pk, pilot.pk}
    assert told(AlertKind.TRIAGE) == set()
    assert referent.get_full_name() in Alert.objects.filter(kind=AlertKind.URGENT).first().text
    # Recorded in the outbox with the request and queued after commit, not 15 minutes later.
    emailed = Notification.objects.filter(kind="alert")
    assert set(emailed.values_list("recipient_id", flat=True)) == {referent.pk, pilot.pk}
    queued = {
        pk
        for call in queue_task.call_args_list
        if call.args[0] == SEND_NOTIFICATIONS
        for pk in call.args[1]
    }
    assert set(emailed.values_list("pk", flat=True)) <= queued
    for notification in emailed:
        assert notification_send(notification_id=notification.pk) == SendOutcome.SENT
    subjects = {email.to[0]: email.subject for email in mail.outbox}
    assert subjects[pilot.email].startswith(f"[{support_request.reference}] Demande urgente")


def test_an_unassigned_urgent_request_is_triaged_too_but_the_pilot_told_once(agent, member, pilot):
    file(agent, priority=Priority.URGENT)
    assert told(AlertKind.URGENT) == {pilot.pk}
    assert told(AlertKind.TRIAGE) == {member.pk}
    assert "attribuée à personne" in Alert.objects.get(kind=AlertKind.URGENT).text


def test_a_request_raised_to_urgent_later_tells_them_once(member, pilot):
    support_request = SupportRequestFactory(assignee=member, priority=Priority.URGENT)
    alert_urgent(support_request, pilot)
    alert_urgent(support_request, pilot)
    # Not the pilot who raised it.
    assert [a.recipient for a in Alert.objects.filter(kind=AlertKind.URGENT)] == [member]
    assert Notification.objects.filter(kind="alert", recipient=member).count() == 1


# ---------------------------------------------------------------------------- assignment


def test_an_assignment_tells_the_assignee_unless_they_took_it(member, pilot):
    support_request = SupportRequestFactory()
    support_request_assign(request=support_request, user=pilot, assignee=member)
    assert told(AlertKind.ASSIGNED) == {member.pk}
    assert f"vous est attribuée par {pilot.get_full_name()}" in Alert.objects.get().text
    support_request_assign(request=support_request, user=pilot, assignee=pilot)
    assert told(AlertKind.ASSIGNED) == {member.pk}
    # Given back to the same member: a new assignment, a new alert.
    support_request_assign(request=support_request, user=pilot, assignee=member)
    assert Alert.objects.filter(kind=AlertKind.ASSIGNED, recipient=member).count() == 2


def test_the_assigned_email_follows_the_members_choice(member, pilot):
    member.team_profile.alerts_without_email = [AlertKind.ASSIGNED]
    member.team_profile.save()
    support_request_assign(request=SupportRequestFactory(), user=pilot, assignee=member)
    assert told(AlertKind.ASSIGNED) == {member.pk}
    assert not Notification.objects.filter(kind="assigned").exists()


# ---------------------------------------------------------------------------- messages


def test_an_agents_message_tells_the_assignee(agent, member):
    support_request = SupportRequestFactory(requester=agent, assignee=member)
    support_request_reply(request=support_request, author=agent, body="Voici la capture.")
    assert told(AlertKind.AGENT_REPLY) == {member.pk}
    alert = Alert.objects.get(kind=AlertKind.AGENT_REPLY)
    assert alert.text.startswith(f"Message de la DDI sur {support_request.reference}")
    assert alert.by_email is False  # the `agent_reply` e-mail carries the message
    assert Notification.objects.filter(kind="agent_reply", recipient=member).exists()


def test_the_agent_reply_email_follows_the_members_choice(agent, member):
    member.team_profile.alerts_without_email = [AlertKind.AGENT_REPLY]
    member.team_profile.save()
    support_request = SupportRequestFactory(requester=agent, assignee=member)
    support_request_reply(request=support_request, author=agent, body="Voici la capture.")
    assert told(AlertKind.AGENT_REPLY) == {member.pk}
    assert not Notification.objects.filter(kind="agent_reply").exists()


def test_an_agents_message_on_an_unassigned_request_goes_to_the_triage_rota(agent, member, pilot):
    support_request = SupportRequestFactory(requester=agent)
    support_request_reply(request=support_request, author=agent, body="Des nouvelles ?")
    assert told(AlertKind.AGENT_REPLY) == {member.pk, pilot.pk}
    assert all(a.by_email for a in Alert.objects.filter(kind=AlertKind.AGENT_REPLY))


def test_a_team_reply_alerts_nobody_but_followers(agent, member, pilot):
    support_request = SupportRequestFactory(requester=agent, assignee=member)
    support_request_reply(request=support_request, author=pilot, body="Réponse publique.")
    assert not Alert.objects.exists()


# ---------------------------------------------------------------------------- mentions


def test_a_mention_in_a_note_tells_the_member_named(member, pilot):
    camille = member_named("Camille", "Durand")
    helene = member_named("Hélène", "Le Bihan")
    support_request = SupportRequestFactory(assignee=member)
    support_request_reply(
        request=support_request,
        author=pilot,
        body="@CAMILLE.DURAND peux-tu voir ? Et @helene.le-bihan, pour info.",
        internal=True,
    )
    assert told(AlertKind.MENTION) == {camille.pk, helene.pk}
    alert = Alert.objects.get(kind=AlertKind.MENTION, recipient=camille)
    assert alert.text == (
        f"{pilot.get_full_name()} vous mentionne dans une note interne sur "
        f"{support_request.reference} « {support_request.title} »."
    )
    assert alert.by_email is True


def test_a_mention_in_a_public_message_tells_nobody(agent, member):
    member_named("Camille", "Durand")
    support_request = SupportRequestFactory(requester=agent, assignee=member)
    support_request_reply(request=support_request, author=member, body="@camille.durand voir.")
    assert told(AlertKind.MENTION) == set()


def test_mention_parsing():
    camille = member_named("Camille", "Durand")
    jean = member_named("Jean-Marc", "D'Arcy")
    UserFactory(first_name="Camille", last_name="Petit")  # an agent: never mentioned
    assert mention_handle(jean) == "jean-marc.d-arcy"
    assert mentioned_members("Merci @camille.durand.") == [camille]
    assert mentioned_members("(@Camille.Durand)") == [camille]
    assert mentioned_members("@jean-marc.d'arcy, @jean-marc.d’arcy") == [jean]
    assert mentioned_members("écrire à camille@camille.durand.fr") == []
    assert mentioned_members("@camille.petit @camille @durand") == []
    assert mentioned_members("@camille.durandx") == []


def test_the_author_and_an_assignee_already_emailed(member, pilot):
    support_request = SupportRequestFactory(assignee=member)
    handle_member, handle_pilot = f"@{mention_handle(member)}", f"@{mention_handle(pilot)}"
    support_request_reply(
        request=support_request, author=pilot, body=f"{handle_member} {handle_pilot}", internal=True
    )
    # Not the author; the assignee has the note by e-mail (`internal_note`).
    [alert] = Alert.objects.filter(kind=AlertKind.MENTION)
    assert (alert.recipient, alert.by_email) == (member, False)


# ---------------------------------------------------------------------------- following


def test_followers_are_told_of_public_messages_and_status_changes(agent, member, pilot):
    follower = TeamMemberFactory().user
    support_request = SupportRequestFactory(requester=agent, assignee=member)
    for person in (follower, pilot):
        support_request_follow(request=support_request, user=person, follow=True)

    support_request_reply(request=support_request, author=pilot, body="Réponse publique.")
    assert told(AlertKind.FOLLOWED) == {follower.pk}  # not the author
    support_request_reply(request=support_request, author=pilot, body="Note.", internal=True)
    assert Alert.objects.filter(kind=AlertKind.FOLLOWED).count() == 1
    support_request_transition(request=support_request, user=member, to_status=Status.WAITING_DDI)
    status_alerts = Alert.objects.filter(kind=AlertKind.FOLLOWED, text__contains="→")
    assert {a.recipient_id for a in status_alerts} == {follower.pk, pilot.pk}
    assert "« En cours » → « En attente de la DDI »" in status_alerts.first().text

    # Team followers get alerts, not the DDI's e-mails; the agent gets those as before.
    for kind in ("team_reply", "status_changed"):
        recipients = set(
            Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True)
        )
        assert recipients == {agent.pk}, kind


def test_an_assignee_who_follows_is_told_once_of_an_agents_message(agent, member):
    support_request = SupportRequestFactory(requester=agent, assignee=member)
    support_request_follow(request=support_request, user=member, follow=True)
    support_request_reply(request=support_request, author=agent, body="Voici.")
    assert [a.kind for a in Alert.objects.filter(recipient=member)] == [AlertKind.AGENT_REPLY]


def test_agents_who_follow_get_no_alert(agent):
    colleague = UserFactory(ddi=agent.ddi)
    support_request = SupportRequestFactory(
        requester=agent, followers=[colleague], status=Status.IN_PROGRESS
    )
    support_request_transition(
        request=support_request, user=TeamMemberFactory().user, to_status=Status.WAITING_DDI
    )
    support_request_reply(request=support_request, author=agent, body="Voici.")
    assert not Alert.objects.filter(recipient__in=[agent, colleague]).exists()


def test_after_unfollowing_nothing_more(agent, member):
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    support_request_follow(request=support_request, user=member, follow=True)
    support_request_follow(request=support_request, user=member, follow=False)
    support_request_transition(
        request=support_request, user=TeamMemberFactory().user, to_status=Status.WAITING_DDI
    )
    assert told(AlertKind.FOLLOWED) == set()


# ---------------------------------------------------------------------------- the clock


@pytest.fixture
def now():
    return timezone.now()


def approaching_request(member, now, **fields):
    return SupportRequestFactory(
        **{
            "assignee": member,
            "status": Status.IN_PROGRESS,
            "first_response_warning_at": now - timedelta(hours=1),
            "first_response_due": now + timedelta(hours=2),
            "resolution_warning_at": now + timedelta(days=2),
            "resolution_due": now + timedelta(days=3),
            **fields,
        }
    )


def breached_request(now, **fields):
    return SupportRequestFactory(
        **{
            "status": Status.IN_PROGRESS,
            "first_response_warning_at": now - timedelta(days=1),
            "first_response_due": now - timedelta(hours=1),
            "resolution_warning_at": now + timedelta(days=2),
            "resolution_due": now + timedelta(days=3),
            **fields,
        }
    )


def test_approaching_tells_the_assignee_and_breached_the_assignee_and_pilot(member, pilot, now):
    colleague = TeamMemberFactory().user
    soon = approaching_request(member, now)
    late = breached_request(now, assignee=colleague)
    late_nobody = breached_request(now)
    sla_alerts_record(now=now)
    assert told(AlertKind.APPROACHING, soon) == {member.pk}
    assert told(AlertKind.BREACHED, late) == {colleague.pk, pilot.pk}
    assert told(AlertKind.BREACHED, late_nobody) == {pilot.pk}
    assert (
        Alert.objects.filter(kind=AlertKind.APPROACHING)
        .get()
        .text.startswith(f"Échéance proche : première réponse à {soon.reference}")
    )
    assert (
        Alert.objects.filter(kind=AlertKind.BREACHED, request=late)
        .first()
        .text.startswith(f"Échéance dépassée : première réponse à {late.reference}")
    )


def test_the_sla_job_run_twice_tells_each_once(member, pilot, now):
    approaching_request(member, now)
    breached_request(now, assignee=member)
    sla_alerts_record(now=now)
    count = Alert.objects.count()
    assert count == 3
    sla_alerts_record(now=now + timedelta(minutes=15))
    assert Alert.objects.count() == count


def test_a_due_date_moved_by_a_pause_is_a_new_one(member, now):
    request = approaching_request(member, now)
    sla_alerts_record(now=now)
    request.first_response_due += timedelta(hours=5)
    request.first_response_warning_at += timedelta(hours=2)
    request.save()
    sla_alerts_record(now=now + timedelta(hours=2))
    assert Alert.objects.filter(kind=AlertKind.APPROACHING).count() == 2


def test_then_the_resolution_target_has_its_own_alerts(member, now):
    request = approaching_request(member, now)
    sla_alerts_record(now=now)
    request.first_response_at = now
    request.save()
    sla_alerts_record(now=now + timedelta(days=2, hours=1))
    texts = list(Alert.objects.order_by("pk").values_list("text", flat=True))
    assert len(texts) == 2
    assert texts[1].startswith(f"Échéance proche : résolution de {request.reference}")


def test_an_old_breach_is_not_worth_an_alert(pilot, now):
    breached_request(
        now,
        first_response_due=now - timedelta(days=30),
        resolution_due=now - timedelta(days=20),
    )
    assert sla_alerts_record(now=now) == 0


def test_paused_or_closed_requests_are_left_alone(member, pilot, now):
    approaching_request(member, now, sla_paused_at=now - timedelta(hours=3))
    breached_request(now, status=Status.CLOSED)
    assert sla_alerts_record(now=now) == 0

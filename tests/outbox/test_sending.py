import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from accompagnement.axes.models import Axis
from accompagnement.outbox import sending
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.outbox.sending import SendOutcome, notification_send, notifications_requeue
from accompagnement.support.enums import MessageKind, Status
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import (
    support_request_create,
    support_request_transition,
)
from accompagnement.support.services.team_actions import (
    support_request_assign,
    support_request_redirect,
)
from tests.accounts.factories import UserFactory
from tests.support.factories import CategoryFactory, MessageFactory

pytestmark = pytest.mark.django_db

REFERENCE_PREFIX = "[ACC-"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://accompagnement.example.org/"


@pytest.fixture
def filed(agent):
    return support_request_create(
        requester=agent,
        axis=Axis.TOOL,
        category=CategoryFactory(axis=Axis.TOOL, name="Restitutions"),
        title="Restitution INF-BUD-53 : l'écart sur le P215",
        body="Les EJ basculés n'apparaissent pas.",
    )


@pytest.fixture
def assigned(filed, member, pilot):
    support_request_assign(request=filed, user=pilot, assignee=member)
    filed.refresh_from_db()
    return filed


def pending(kind):
    return Notification.objects.filter(kind=kind, status=NotificationStatus.PENDING)


def send_all(kind):
    return [
        notification_send(notification_id=pk) for pk in pending(kind).values_list("pk", flat=True)
    ]


def html_of(email):
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return html


# ---------------------------------------------------------------------------- content


def test_acknowledgement_names_reference_sla_and_link(filed, agent):
    [notification] = pending("request_created")
    assert notification_send(notification_id=notification.pk) == SendOutcome.SENT

    [email] = mail.outbox
    assert email.to == [agent.email]
    assert email.subject == (
        f"[{filed.reference}] Demande enregistrée : Restitution INF-BUD-53 : l'écart sur le P215"
    )
    url = f"https://accompagnement.example.org/demandes/{filed.reference}/"
    due = timezone.localtime(filed.first_response_due)
    french_day = f"{due.day} "
    for body in (email.body, html_of(email)):
        assert filed.reference in body
        assert url in body
        assert "au plus tard le" in body
        assert french_day in body
        assert f"{due:%H} h {due:%M}" in body
    # Plain text is not HTML-escaped; the HTML is.
    assert "l'écart sur le P215" in email.body
    assert "&#x27;" not in email.body
    assert "l&#x27;écart" in html_of(email)
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert notification.last_error == ""


def test_sending_twice_sends_once(filed):
    [notification] = pending("request_created")
    assert notification_send(notification_id=notification.pk) == SendOutcome.SENT
    assert notification_send(notification_id=notification.pk) == SendOutcome.SKIPPED
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_a_row_being_sent_by_another_worker_is_left_alone(filed):
    [notification] = pending("request_created")
    Notification.objects.filter(pk=notification.pk).update(status=NotificationStatus.SENDING)
    assert notification_send(notification_id=notification.pk) == SendOutcome.SKIPPED
    assert mail.outbox == []


def test_unknown_id_does_nothing():
    assert notification_send(notification_id=987654) == SendOutcome.SKIPPED


def test_team_reply_goes_to_requester_and_followers_with_sanitised_markdown(filed, agent, member):
    colleague = UserFactory(ddi=agent.ddi)
    filed.followers.add(colleague)
    support_request_reply(
        request=filed,
        author=member,
        body="**Relancez** la restitution.\n\n<script>alert('x')</script>\n\n- EJ 2104410702",
    )
    assert send_all("team_reply") == [SendOutcome.SENT, SendOutcome.SENT]

    assert sorted(e.to[0] for e in mail.outbox) == sorted([agent.email, colleague.email])
    email = mail.outbox[0]
    assert email.subject.startswith(f"[{filed.reference}] Réponse de l'équipe : ")
    html = html_of(email)
    assert "<strong>Relancez</strong>" in html
    assert "<li>EJ 2104410702</li>" in html
    assert "<script>" not in html
    assert "**Relancez** la restitution." in email.body
    assert member.get_full_name() in email.body


def test_agent_reply_goes_to_the_assignee(assigned, agent, member):
    support_request_reply(request=assigned, author=agent, body="Voici la capture demandée.")
    assert send_all("agent_reply") == [SendOutcome.SENT]
    [email] = mail.outbox
    assert email.to == [member.email]
    assert email.subject.startswith(f"[{assigned.reference}] Message de la DDI : ")
    assert "Voici la capture demandée." in email.body
    assert agent.get_full_name() in email.body


def test_internal_note_goes_to_the_assignee_marked_internal(assigned, member, pilot):
    support_request_reply(request=assigned, author=pilot, body="Voir avec l'AIFE.", internal=True)
    assert send_all("internal_note") == [SendOutcome.SENT]
    [email] = mail.outbox
    assert email.to == [member.email]
    assert email.subject.startswith(f"[{assigned.reference}] Note interne : ")
    assert "visible par l'équipe seulement" in html_of(email)
    assert "Voir avec l" in html_of(email)


def test_status_change_names_both_statuses_in_french(assigned, agent, member):
    support_request_transition(
        request=assigned,
        user=member,
        to_status=Status.WAITING_DDI,
        comment="Merci de joindre l'EJ.",
    )
    assert send_all("status_changed") == [SendOutcome.SENT]
    [email] = mail.outbox
    assert email.to == [agent.email]
    assert email.subject == f"[{assigned.reference}] En attente de la DDI : {assigned.title}"
    assert "« Nouvelle » à « En attente de la DDI »" in email.body
    assert "Merci de joindre l'EJ." in email.body


def test_redirection_gives_the_contact_once(filed, agent, member):
    support_request_redirect(request=filed, user=member, contact="Support Chorus du MAAPRAT")
    # One e-mail, the message's, which gives the contact and says the new status.
    assert send_all("status_changed") == []
    assert send_all("team_reply") == [SendOutcome.SENT]
    [email] = mail.outbox
    assert email.body.count("Support Chorus du MAAPRAT") == 1
    assert "« Réorientée »" in email.body
    assert "Support Chorus du MAAPRAT" in html_of(email)


def test_assignment_goes_to_the_assignee(assigned, member):
    assert send_all("assigned") == [SendOutcome.SENT]
    [email] = mail.outbox
    assert email.to == [member.email]
    assert email.subject.startswith(f"[{assigned.reference}] Demande attribuée : ")
    assert "Première réponse attendue" in email.body


# ---------------------------------------------------------------------------- the guards


@pytest.mark.parametrize("kind", ["internal_note", "team_reply", "agent_reply"])
def test_an_internal_note_is_never_mailed_to_an_agent(filed, agent, member, kind):
    note = MessageFactory(request=filed, author=member, kind=MessageKind.INTERNAL, body="Secret")
    notification = Notification.objects.create(
        key=f"forged:{kind}", kind=kind, recipient=agent, request=filed, message=note
    )
    assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "Note interne" in notification.last_error
    assert notification.sent_at is None


def test_internal_note_kind_without_message_is_refused_to_an_agent(filed, agent):
    notification = Notification.objects.create(
        key="forged", kind="internal_note", recipient=agent, request=filed
    )
    assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED
    assert mail.outbox == []


def test_an_agent_of_another_ddi_gets_nothing(filed):
    outsider = UserFactory()
    notification = Notification.objects.create(
        key="outsider", kind="status_changed", recipient=outsider, request=filed
    )
    assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED


def test_deactivated_recipient_gets_nothing(filed, agent):
    [notification] = pending("request_created")
    type(agent).objects.filter(pk=agent.pk).update(is_active=False)
    assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED
    assert mail.outbox == []


# ---------------------------------------------------------------------------- failures


def test_transient_failure_puts_the_row_back_to_pending(filed):
    [notification] = pending("request_created")
    with (
        mock.patch.object(
            EmailBackend, "send_messages", side_effect=smtplib.SMTPServerDisconnected("gone")
        ),
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1
    assert "SMTPServerDisconnected: gone" in notification.last_error
    assert notification.sent_at is None

    assert notification_send(notification_id=notification.pk) == SendOutcome.SENT
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_refused_connection_is_transient(filed):
    [notification] = pending("request_created")
    with (
        mock.patch.object(EmailBackend, "send_messages", side_effect=ConnectionRefusedError()),
        pytest.raises(ConnectionRefusedError),
    ):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING


def test_address_refused_for_good_fails_without_retry(filed, agent):
    [notification] = pending("request_created")
    refused = smtplib.SMTPRecipientsRefused({agent.email: (550, b"No such user")})
    with mock.patch.object(EmailBackend, "send_messages", side_effect=refused):
        assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "No such user" in notification.last_error


def test_address_refused_for_now_is_retried(filed, agent):
    [notification] = pending("request_created")
    refused = smtplib.SMTPRecipientsRefused({agent.email: (451, b"Try again later")})
    with (
        mock.patch.object(EmailBackend, "send_messages", side_effect=refused),
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING


def test_gives_up_after_three_days(filed):
    [notification] = pending("request_created")
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - sending.GIVE_UP_AFTER - timedelta(minutes=1)
    )
    with (
        mock.patch.object(EmailBackend, "send_messages", side_effect=smtplib.SMTPException("x")),
        pytest.raises(smtplib.SMTPException),
    ):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "SMTPException: x" in notification.last_error


def test_a_rendering_bug_fails_the_row_instead_of_looping(filed):
    [notification] = pending("request_created")
    with mock.patch.object(sending, "notification_email", side_effect=KeyError("oops")):
        assert notification_send(notification_id=notification.pk) == SendOutcome.REFUSED
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "KeyError" in notification.last_error


# ---------------------------------------------------------------------------- the sweep


def test_sweep_requeues_old_pending_and_stuck_rows(filed, agent):
    now = timezone.now()
    [old] = pending("request_created")
    Notification.objects.filter(pk=old.pk).update(created_at=now - timedelta(minutes=3))
    fresh = Notification.objects.create(
        key="fresh", kind="status_changed", recipient=agent, request=filed
    )
    stuck = Notification.objects.create(
        key="stuck",
        kind="status_changed",
        recipient=agent,
        request=filed,
        status=NotificationStatus.SENDING,
        created_at=now - timedelta(hours=1),
        sent_at=now - timedelta(minutes=16),
    )
    busy = Notification.objects.create(
        key="busy",
        kind="status_changed",
        recipient=agent,
        request=filed,
        status=NotificationStatus.SENDING,
        created_at=now - timedelta(hours=1),
        sent_at=now - timedelta(minutes=1),
    )
    sent = Notification.objects.create(
        key="sent",
        kind="status_changed",
        recipient=agent,
        request=filed,
        status=NotificationStatus.SENT,
        created_at=now - timedelta(hours=1),
    )

    with mock.patch("accompagnement.outbox.tasks.send_notification.apply_async") as apply_async:
        report = notifications_requeue(now=now)

    queued = [call.args[0] for call in apply_async.call_args_list]
    assert queued == [(stuck.pk,), (old.pk,)]  # oldest first
    assert all(call.args[1] == {"retry": False} for call in apply_async.call_args_list)
    assert report == {"unstuck": 1, "pending": 2, "queued": 2}
    stuck.refresh_from_db()
    assert stuck.status == NotificationStatus.PENDING
    assert "interrompu" in stuck.last_error
    for row, status in ((fresh, "pending"), (busy, "sending"), (sent, "sent")):
        row.refresh_from_db()
        assert row.status == status


def test_sweep_survives_a_broker_outage(filed):
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    with mock.patch(
        "accompagnement.outbox.tasks.send_notification.apply_async", side_effect=OSError("down")
    ):
        report = notifications_requeue()
    assert report["queued"] == 0
    assert Notification.objects.get().status == NotificationStatus.PENDING

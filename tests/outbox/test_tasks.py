"""The outbox's Celery tasks, run eagerly (`Task.apply`): retries happen in-process, at once."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from accompagnement.axes.models import Axis
from accompagnement.outbox import tasks as outbox_tasks
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.support.services.requests import support_request_create
from tests.support.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notification(agent):
    support_request_create(
        requester=agent,
        axis=Axis.TOOL,
        category=CategoryFactory(axis=Axis.TOOL),
        title="Accès refusé à Chorus Formulaires",
        body="Message « profil inconnu ».",
    )
    return Notification.objects.get(kind="request_created")


def failing(times, exc=None):
    """A locmem `send_messages` that fails `times` times, then delivers."""
    real = EmailBackend.send_messages
    calls = {"n": 0}

    def send_messages(self, messages):
        calls["n"] += 1
        if calls["n"] <= times:
            raise exc or smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real(self, messages)

    return mock.patch.object(EmailBackend, "send_messages", send_messages)


def test_retry_policy_is_declared_on_the_task():
    task = outbox_tasks.send_notification
    assert smtplib.SMTPException in task.autoretry_for
    assert OSError in task.autoretry_for
    assert task.retry_backoff is True
    assert task.retry_backoff_max == 600
    assert task.max_retries == 10


def test_task_sends_the_notification(notification):
    result = outbox_tasks.send_notification.apply(args=(notification.pk,))
    assert result.successful()
    assert result.get() == "sent"
    assert len(mail.outbox) == 1


def test_task_delivered_twice_sends_once(notification):
    outbox_tasks.send_notification.apply(args=(notification.pk,))
    result = outbox_tasks.send_notification.apply(args=(notification.pk,))
    assert result.get() == "skipped"
    assert len(mail.outbox) == 1


def test_smtp_failures_are_retried_then_sent_once(notification):
    with failing(2):
        result = outbox_tasks.send_notification.apply(args=(notification.pk,))
    assert result.successful()
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 3
    assert notification.last_error == ""


def test_after_the_last_retry_the_row_stays_pending(notification):
    with failing(100, ConnectionRefusedError(111, "Connection refused")):
        result = outbox_tasks.send_notification.apply(args=(notification.pk,))
    assert result.failed()
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1 + outbox_tasks.send_notification.max_retries
    assert "Connection refused" in notification.last_error


def test_the_sweeps_single_attempt_does_not_retry(notification):
    with failing(1):
        result = outbox_tasks.send_notification.apply(
            args=(notification.pk,), kwargs={"retry": False}
        )
    assert result.successful()
    assert result.get() == "released"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 1)


def test_sweep_task_queues_what_was_left_behind(notification):
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    with mock.patch.object(outbox_tasks.send_notification, "apply_async") as apply_async:
        result = outbox_tasks.send_pending_notifications.apply()
    assert result.get()["queued"] == 1
    apply_async.assert_called_once_with((notification.pk,), {"retry": False})

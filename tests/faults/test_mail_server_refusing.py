"""The mail server refusing: the worker retries with growing waits, the e-mail stays in
the outbox with the server's answer, then is marked failed where the pilot sees it;
put back, it goes out once the server accepts again: nothing is lost, nothing doubled."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.axes.models import Axis
from accompagnement.outbox import tasks as outbox_tasks
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.support.services.requests import support_request_create
from tests.accounts.factories import UserFactory
from tests.faults.smtp_stub import SmtpStub
from tests.integration.test_reminders_worker import (
    broker,  # noqa: F401 (fixture)
    mail_dir,  # noqa: F401 (fixture)
    queue_is_idle,
    wait_until,
    workers,  # noqa: F401 (fixture)
)
from tests.support.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_server():
    server = SmtpStub()
    try:
        yield server
    finally:
        server.stop()


def retry_waits(log_text: str) -> list[float]:
    """The waits Celery announced before each retry ("Retry in 1.5s")."""
    return [float(wait) for wait in re.findall(r"Retry in (\d+(?:\.\d+)?)s", log_text)]


def test_refused_emails_are_retried_then_failed_visibly_and_sent_once_put_back(
    client,
    smtp_server,
    broker,  # noqa: F811
    workers,  # noqa: F811
):
    worker = workers.start(
        TEST_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
    )
    agent = UserFactory()
    support_request = support_request_create(
        requester=agent,
        axis=Axis.TOOL,
        category=CategoryFactory(axis=Axis.TOOL),
        title="Paiement bloqué",
        body="Le DP 1300012345 est bloqué depuis vendredi.",
    )
    notification = Notification.objects.get(request=support_request)

    # Three attempts refused (the first, then two retries after waits that may grow).
    wait_until(lambda: len(smtp_server.refused_at) >= 3, "three refused attempts", worker)
    wait_until(lambda: len(retry_waits(worker.log.read_text())) >= 2, "retries logged", worker)
    notification.refresh_from_db()
    assert notification.status in {NotificationStatus.PENDING, NotificationStatus.SENDING}
    assert notification.attempts >= 3
    assert "451" in notification.last_error
    assert "Mail server temporarily unavailable" in notification.last_error
    assert not smtp_server.accepted

    # Three days on, the next refusal gives up: failed, with the server's answer.
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(days=4)
    )
    wait_until(
        lambda: Notification.objects.filter(
            pk=notification.pk, status=NotificationStatus.FAILED
        ).exists(),
        "the e-mail to be marked failed",
        worker,
    )

    # The pilot (administrator) finds it among the failed e-mails, with the reason.
    pilot = UserFactory(pilot=True, is_staff=True, is_superuser=True)
    client.force_login(pilot)
    failed_list = client.get(
        reverse("admin:accompagnement_notification_changelist") + "?status__exact=failed"
    ).content.decode()
    assert str(agent) in failed_list
    assert support_request.reference in failed_list
    detail = client.get(
        reverse("admin:accompagnement_notification_change", args=[notification.pk])
    ).content.decode()
    assert "SMTPSenderRefused: (451" in detail
    assert "Mail server temporarily unavailable" in detail

    # The server accepts again; the pilot puts the e-mail back « À envoyer »: the sweep
    # sends it, once.
    smtp_server.refusing = False
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.PENDING, created_at=timezone.now() - timedelta(minutes=3)
    )
    outbox_tasks.send_pending_notifications.delay()
    wait_until(lambda: len(smtp_server.accepted) == 1, "the e-mail to be accepted", worker)
    outbox_tasks.send_pending_notifications.delay()
    wait_until(lambda: queue_is_idle(broker), "the queue to drain", worker)

    assert len(smtp_server.accepted) == 1
    assert f"To: {agent.email}" in smtp_server.accepted[0]
    assert support_request.reference in smtp_server.accepted[0]
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT

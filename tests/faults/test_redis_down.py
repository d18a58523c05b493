"""Redis stopped while an agent files a request: the request is saved, the page says
nothing alarming, and the e-mail goes out once Redis is back, exactly once."""

import time
from datetime import timedelta

import pytest
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse
from django.utils import timezone

from accompagnement.axes.models import Axis
from accompagnement.outbox import tasks as outbox_tasks
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.support.enums import EventKind, Priority
from accompagnement.support.models import Event, SupportRequest
from accompagnement.web.celery_signals import WORKER_HEARTBEAT_KEY
from tests.accounts.factories import UserFactory
from tests.integration.test_reminders_worker import (
    broker,  # noqa: F401 (fixture)
    mail_dir,  # noqa: F401 (fixture)
    queue_is_idle,
    recipients_in,
    reset_broker_pools,
    wait_until,
    worker_broker_url,
    workers,  # noqa: F401 (fixture)
)
from tests.support.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)

ALARMING = ("erreur", "indisponible", "échec", "impossible", "réessayer", "problème technique")


def test_a_request_filed_while_redis_is_down_is_saved_and_its_email_goes_out_later(
    client,
    redis_server,
    broker,  # noqa: F811
    workers,  # noqa: F811
    mail_dir,  # noqa: F811
):
    agent = UserFactory()
    category = CategoryFactory(axis=Axis.TOOL)
    client.force_login(agent)

    redis_server.stop()
    started = time.monotonic()
    response = client.post(
        reverse("support:create"),
        {
            "axis": Axis.TOOL,
            "category": category.pk,
            "title": "Restitution INF-BUD-53 vide",
            "body": "Depuis lundi la restitution ne renvoie rien.",
            "priority": Priority.NORMAL,
            "chorus_object": "",
            "chorus_reference": "",
        },
    )
    elapsed = time.monotonic() - started

    # Saved, with its event and its e-mail waiting in the outbox.
    support_request = SupportRequest.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Event.objects.filter(request=support_request, kind=EventKind.CREATED).count() == 1
    notification = Notification.objects.get(request=support_request)
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 0)
    # The agent waited a few seconds at most, and reads the usual confirmation.
    assert elapsed < 10
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert support_request.reference in html
    assert not [word for word in ALARMING if word in html.lower()]

    # Redis is back; the periodic sweep (every 5 minutes) finds the e-mail left pending.
    redis_server.start()
    reset_broker_pools()
    worker = workers.start()
    # The worker beats in its cache (its Redis database): what /sante/ reads.
    worker_cache = RedisCache(worker_broker_url(), {"KEY_PREFIX": "accompagnement"})
    assert worker_cache.get(WORKER_HEARTBEAT_KEY)["hostname"].startswith("rappels-1-")
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=3)
    )
    outbox_tasks.send_pending_notifications.delay()
    wait_until(lambda: recipients_in(mail_dir) == [agent.email], "the e-mail to go out", worker)
    # The next sweeps find nothing left to send.
    outbox_tasks.send_pending_notifications.delay()
    outbox_tasks.send_pending_notifications.delay()
    wait_until(lambda: queue_is_idle(broker), "the queue to drain", worker)

    assert recipients_in(mail_dir) == [agent.email]
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)

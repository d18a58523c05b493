"""A real Celery worker (in a thread, solo pool) against the configured broker.

kombu's filesystem transport by default, Redis when REDIS_URL is set. The worker runs in
this process, so Django's locmem outbox sees what it sends; the tests commit for real
(`transaction=True`), so `transaction.on_commit` fires as in production.
"""

import smtplib
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from accompagnement.axes.models import Axis
from accompagnement.outbox import tasks as outbox_tasks
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.support.models import SupportRequest
from accompagnement.support.services.requests import support_request_create
from config.celery import app
from tests.accounts.factories import UserFactory
from tests.support.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


class TaskResults:
    """What the worker's tasks returned, collected from the worker thread."""

    def __init__(self):
        self.values: list = []
        self._changed = threading.Condition()

    def record(self, sender=None, retval=None, **kwargs):
        if sender is not None and sender.name == outbox_tasks.send_notification.name:
            with self._changed:
                self.values.append(retval)
                self._changed.notify_all()

    def wait_for(self, predicate, timeout=30):
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(self.values), timeout=timeout):
                pytest.fail(f"Timed out; the worker returned {self.values!r}")

    def outcomes(self):
        return [v for v in self.values if isinstance(v, str)]


@pytest.fixture
def results():
    collector = TaskResults()
    task_postrun.connect(collector.record, weak=False)
    yield collector
    task_postrun.disconnect(collector.record)


def purge_queue():
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)


@pytest.fixture
def worker(transactional_db, results):
    # Leave pytest's logging alone.
    app.conf.worker_hijack_root_logger = False
    purge_queue()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as w:
        yield w


def reset_broker_pools():
    # The app caches its connection and producer pools (kept in kombu's registries).
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url):
    previous = app.conf.broker_url
    reset_broker_pools()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset_broker_pools()
        app.conf.broker_url = previous


@pytest.fixture
def agent_and_category(transactional_db):
    return UserFactory(), CategoryFactory(axis=Axis.TOOL)


def file_request(agent, category) -> SupportRequest:
    # The service opens and commits its own transaction: on_commit fires on return.
    return support_request_create(
        requester=agent,
        axis=Axis.TOOL,
        category=category,
        title="DP rejetée par le CSP",
        body="La DP 0100083815 revient en anomalie.",
    )


def test_worker_sends_the_mail_once_even_if_the_task_is_delivered_twice(
    worker, results, agent_and_category
):
    agent, category = agent_and_category
    request = file_request(agent, category)
    notification = Notification.objects.get(request=request)
    # A second delivery of the same task (redelivery, or the sweep racing the first one).
    outbox_tasks.send_notification.delay(notification.pk)

    results.wait_for(lambda values: len(values) >= 2)

    assert sorted(results.outcomes()) == ["sent", "skipped"]
    [email] = mail.outbox
    assert email.to == [agent.email]
    assert email.subject.startswith(f"[{request.reference}] ")
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


def test_broker_down_loses_nothing_and_the_sweep_sends_later(results, agent_and_category):
    agent, category = agent_and_category
    with broker_at(UNREACHABLE_BROKER):
        started = time.monotonic()
        request = file_request(agent, category)  # does not raise
        elapsed = time.monotonic() - started
    assert elapsed < 5, "the page must not wait for the broker"
    notification = Notification.objects.get(request=request)
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 0

    # Later, with the broker back, the periodic sweep finds it.
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    app.conf.worker_hijack_root_logger = False
    purge_queue()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        outbox_tasks.send_pending_notifications.delay()
        results.wait_for(lambda values: "sent" in values)

    [email] = mail.outbox
    assert request.reference in email.subject
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


def test_smtp_failures_are_retried_with_backoff_and_sent_once(worker, results, agent_and_category):
    agent, category = agent_and_category
    real_send = EmailBackend.send_messages
    calls = []

    def flaky_send(backend, messages):
        calls.append(time.monotonic())
        if len(calls) <= 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(backend, messages)

    with mock.patch.object(EmailBackend, "send_messages", flaky_send):
        request = file_request(agent, category)
        results.wait_for(lambda values: "sent" in values)

    assert len(calls) == 3
    assert len(mail.outbox) == 1
    notification = Notification.objects.get(request=request)
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 3)
    assert notification.last_error == ""

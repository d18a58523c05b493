"""Escalation reminders through a real Celery worker (in a thread, solo pool), as in
test_celery_worker.py: the periodic job queued twice (two beats by mistake) reminds each
overdue partner once, by an e-mail carrying the escalation's reply address."""

import threading
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.utils import timezone

from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.partners.addresses import escalation_reply_address
from accompagnement.partners.tasks import remind_escalations
from accompagnement.support.enums import Status
from accompagnement.support.sla import add_working_time
from config.celery import app
from tests.partners.factories import EscalationFactory, PartnerFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 30


class Finished:
    """The tasks the worker thread finished, by name, with what they returned."""

    def __init__(self):
        self.runs: list[tuple[str, object]] = []
        self.changed = threading.Condition()

    def record(self, sender=None, retval=None, **kwargs):
        with self.changed:
            self.runs.append((sender.name if sender is not None else "", retval))
            self.changed.notify_all()

    def returned(self, name: str) -> list:
        return [value for task, value in self.runs if task == name]

    def wait_for(self, predicate) -> None:
        with self.changed:
            if not self.changed.wait_for(predicate, timeout=WAIT_SECONDS):
                pytest.fail(f"Timed out; the worker finished {self.runs!r}")


@pytest.fixture
def finished():
    collector = Finished()
    task_postrun.connect(collector.record, weak=False)
    yield collector
    task_postrun.disconnect(collector.record)


@pytest.fixture
def worker(transactional_db, finished):
    app.conf.worker_hijack_root_logger = False
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as w:
        yield w


def overdue_escalation(number: int):
    sent_at = timezone.now() - timedelta(days=20)
    return EscalationFactory(
        request=SupportRequestFactory(assigned=True, status=Status.ESCALATED, created_at=sent_at),
        partner=PartnerFactory(mailbox=f"chorus-{number}@example.org", reminder_max=3),
        sent_at=sent_at,
        expected_at=add_working_time(sent_at, 18 * 3600),
    )


def test_the_job_queued_twice_reminds_each_overdue_partner_once(worker, finished):
    escalations = [overdue_escalation(n) for n in range(3)]

    remind_escalations.delay()
    remind_escalations.delay()

    finished.wait_for(
        lambda: len(finished.returned(remind_escalations.name)) == 2 and len(mail.outbox) == 3
    )
    sent = Notification.objects.filter(kind="escalation_reminder", status=NotificationStatus.SENT)
    assert sent.count() == 3
    # The second run found every reminder claimed by the first.
    runs = finished.returned(remind_escalations.name)
    assert sorted(run["reminders"] for run in runs) == [0, 3]
    by_address = {email.to[0]: email for email in mail.outbox}
    assert sorted(by_address) == sorted(e.partner.mailbox for e in escalations)
    for escalation in escalations:
        email = by_address[escalation.partner.mailbox]
        assert email.reply_to == [escalation_reply_address(escalation.pk)]
        assert email.subject.startswith(f"[{escalation.request.reference}] Relance n°1")
        escalation.refresh_from_db()
        assert escalation.reminders_sent == 1

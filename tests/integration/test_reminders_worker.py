"""Milestone reminders through a real Celery worker PROCESS: never twice, never lost.

The worker is `celery --app config worker --pool solo`, started as a subprocess on the test
database (PostgreSQL: the in-memory SQLite database of the tests cannot be shared) with
Redis as broker, on a Redis database of its own. It writes its e-mails to files
(`mail_backend.SlowFileBackend`), which the test counts across processes. The tests
commit for real (`transaction=True`).
"""

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import kombu.pools
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accompagnement.campaigns import tasks as campaigns_tasks
from accompagnement.campaigns.models import ReminderDelivery
from accompagnement.campaigns.services import milestone_reminders_dispatch
from accompagnement.outbox import tasks as outbox_tasks
from accompagnement.outbox.models import Notification, NotificationStatus
from config.celery import app
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import MilestoneFactory
from tests.ddi.factories import DDIFactory

BASE_DIR = Path(settings.BASE_DIR)
IS_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.skipif(
        not (settings.REDIS_URL and IS_POSTGRESQL),
        reason=(
            "A worker process needs the test database and the broker of the test: run with "
            "DATABASE_URL=postgres://… and REDIS_URL=redis://… (CI's second run does)."
        ),
    ),
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 90


def worker_broker_url() -> str:
    """The Redis database next to the suite's own: the worker's queue, nobody else's."""
    parts = urlsplit(settings.REDIS_URL)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


def database_url_of_the_tests() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def reset_broker_pools():
    # The app caches its connection and producer pools (kept in kombu's registries).
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """The test process queues its tasks where the worker reads them; emptied around."""
    import redis

    url = worker_broker_url()
    client = redis.Redis.from_url(url)
    client.flushdb()
    previous = app.conf.broker_url
    reset_broker_pools()
    app.conf.broker_url = url
    try:
        yield client
    finally:
        reset_broker_pools()
        app.conf.broker_url = previous
        client.flushdb()
        client.close()


class Workers:
    """Starts worker processes and makes sure none survives the test."""

    def __init__(self, tmp_path: Path, mail_dir: Path):
        self.tmp_path, self.mail_dir = tmp_path, mail_dir
        self.processes: list[subprocess.Popen] = []

    def start(self, **mail_env) -> subprocess.Popen:
        number = len(self.processes) + 1
        log = self.tmp_path / f"worker-{number}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_of_the_tests(),
            "REDIS_URL": worker_broker_url(),
            "TEST_EMAIL_BACKEND": "tests.integration.mail_backend.SlowFileBackend",
            "TEST_EMAIL_FILE_PATH": str(self.mail_dir),
            "PYTHONUNBUFFERED": "1",
            **{key: str(value) for key, value in mail_env.items()},
        }
        command = [
            sys.executable, "-m", "celery", "--app", "config", "worker",
            "--pool", "solo", "--concurrency", "1", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--hostname", f"rappels-{number}-{os.getpid()}@%h",
        ]  # fmt: skip
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        process.log = log
        self.processes.append(process)
        wait_until(lambda: " ready." in log.read_text(), f"worker {number} to start", process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # warm shutdown
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.kill(process)


@pytest.fixture
def mail_dir(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def workers(tmp_path, mail_dir, broker):
    started = Workers(tmp_path, mail_dir)
    try:
        yield started
    finally:
        started.stop_all()


def wait_until(predicate, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    log = process.log.read_text()[-3000:] if process is not None else ""
    pytest.fail(f"Timed out waiting for {what}.\n{log}")


def recipients_in(mail_dir: Path) -> list[str]:
    """The address of every e-mail written by the workers, one entry per e-mail."""
    return sorted(
        address
        for path in mail_dir.iterdir()
        for address in re.findall(r"^To: (.+)$", path.read_text(), re.MULTILINE)
    )


def sent_count() -> int:
    return Notification.objects.filter(
        kind="milestone_reminder", status=NotificationStatus.SENT
    ).count()


def queue_is_idle(client) -> bool:
    """Nothing waiting in the queue, nothing taken by a worker and not yet acknowledged,
    twice in a row a second apart (a message being moved from one to the other is in
    neither for an instant)."""

    def idle():
        return client.llen(app.conf.task_default_queue) == 0 and client.hlen("unacked") == 0

    if not idle():
        return False
    time.sleep(1)
    return idle()


def redeliver_unacked(client) -> int:
    """What the Redis transport does with the messages a dead worker had taken, once their
    visibility timeout (an hour) has passed: put them back in their queue."""
    tags = client.hkeys("unacked")
    with app.connection_for_write() as broker_connection:
        for tag in tags:
            broker_connection.default_channel.qos.restore_by_tag(tag.decode())
    return len(tags)


def audience(agents: int) -> list[str]:
    """A milestone with a reminder due today (J-7), for `agents` agents in 5 DDIs."""
    ddis = [DDIFactory() for _ in range(5)]
    people = [UserFactory(ddi=ddis[n % 5]) for n in range(agents)]
    MilestoneFactory(due_date=timezone.localdate() + timedelta(days=7), reminder_offsets=[7])
    return sorted(p.email for p in people)


def test_daily_job_run_twice_by_the_worker_sends_one_email_per_recipient(workers, broker, mail_dir):
    expected = audience(12)
    worker = workers.start()

    # Two beats by mistake: the job queued twice at once.
    campaigns_tasks.milestone_reminders.delay()
    campaigns_tasks.milestone_reminders.delay()
    wait_until(lambda: sent_count() == 12, "12 reminders sent", worker)
    wait_until(lambda: queue_is_idle(broker), "the queue to drain", worker)
    # And again, later (the schedule runs every 10 minutes).
    campaigns_tasks.milestone_reminders.delay()
    wait_until(lambda: queue_is_idle(broker), "the queue to drain", worker)

    assert recipients_in(mail_dir) == expected
    assert ReminderDelivery.objects.count() == 12
    assert Notification.objects.count() == 12


def test_a_worker_killed_mid_fanout_loses_nothing_and_duplicates_nothing(workers, broker, mail_dir):
    expected = audience(60)
    # Slow sends, and the 26th one hangs until the worker is killed.
    first = workers.start(TEST_MAIL_DELAY=0.02, TEST_MAIL_HANG_AFTER=25)

    # The daily job, with small batches: 6 fan-out tasks of 10 people, each queueing the
    # sending of its 10 e-mails.
    report = milestone_reminders_dispatch(batch_size=10)
    assert report == {"due": 1, "recipients": 60, "batches": 6}

    def stuck_mid_send():
        """25 e-mails written, the 26th claimed and not written; still so a second later
        (the worker hangs for good there, while the state between two e-mails passes)."""

        def observed():
            sending = Notification.objects.filter(status=NotificationStatus.SENDING)
            return (recipients_in(mail_dir), list(sending.values_list("recipient__email")))

        written, sending = observed()
        if len(written) != 25 or len(sending) != 1 or sending[0][0] in written:
            return False
        time.sleep(1)
        return observed() == (written, sending)

    wait_until(stuck_mid_send, "the worker to hang on its 26th e-mail", first)
    workers.kill(first)

    assert len(recipients_in(mail_dir)) == 25
    [cut] = Notification.objects.filter(status=NotificationStatus.SENDING)
    assert ReminderDelivery.objects.count() == 60

    second = workers.start()
    # The job runs again (every 10 minutes): everyone is recorded, nothing is queued.
    campaigns_tasks.milestone_reminders.delay()
    # The batches still queued go out (the e-mails are sent in batches of 10 too)...
    wait_until(lambda: sent_count() == 55, "the 3 batches left to be sent", second)
    # ...then Redis hands the killed worker's batch out again, after its visibility
    # timeout: what it had sent is skipped, the rest goes out, and the e-mail cut by the
    # kill, still claimed (`sending`), is not sent twice. (The killed worker may also have
    # reserved a message it had not started: redelivered too, it changes nothing.)
    assert redeliver_unacked(broker) >= 1
    wait_until(lambda: sent_count() == 59, "the rest of the cut batch", second)
    wait_until(lambda: queue_is_idle(broker), "the queue to drain", second)
    cut.refresh_from_db()
    assert cut.status == NotificationStatus.SENDING
    # ...until the sweep finds it, 15 minutes after the interrupted send.
    later = timezone.now() - timedelta(minutes=16)
    Notification.objects.filter(pk=cut.pk).update(created_at=later, sent_at=later)
    outbox_tasks.send_pending_notifications.delay()
    wait_until(lambda: sent_count() == 60, "the sweep to send the last one", second)
    wait_until(lambda: queue_is_idle(broker), "the queue to drain", second)

    assert recipients_in(mail_dir) == expected
    cut.refresh_from_db()
    assert (cut.status, cut.attempts) == (NotificationStatus.SENT, 2)

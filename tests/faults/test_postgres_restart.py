"""PostgreSQL restarted during a burst of filings: every request that exists is whole
(reference, text, attachment, event, e-mail in the outbox), none is half-written, and
the filings cut by the restart failed with a database error, nothing stranger."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.db.models import Count

from accompagnement.axes.models import Axis
from accompagnement.outbox.models import Notification
from accompagnement.support.enums import EventKind
from accompagnement.support.models import Attachment, Event, ReferenceCounter, SupportRequest
from accompagnement.support.services.requests import FileToStore, support_request_create
from tests.accounts.factories import UserFactory
from tests.ddi.factories import DDIFactory
from tests.integration.test_reminders_worker import broker  # noqa: F401 (fixture)
from tests.support.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Burst:
    """Agents filing requests in threads, as fast as the database lets them."""

    def __init__(self, agents, category):
        self.agents, self.category = agents, category
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.filed: list[str] = []  # references the service returned
        self.database_errors: list[str] = []
        self.other_errors: list[str] = []
        self.threads = [
            threading.Thread(target=self.file_requests, args=(agent,)) for agent in agents
        ]

    def file_requests(self, agent) -> None:
        try:
            number = 0
            while not self.stop.is_set():
                number += 1
                try:
                    request = support_request_create(
                        requester=agent,
                        axis=Axis.TOOL,
                        category=self.category,
                        title=f"Demande {number} de {agent.pk}",
                        body=f"Texte de la demande {number} de {agent.pk}.",
                        files=[
                            FileToStore(
                                SimpleUploadedFile("piece.pdf", PDF, "application/pdf"),
                                "application/pdf",
                            )
                        ],
                    )
                except DatabaseError as exc:
                    with self.lock:
                        self.database_errors.append(type(exc).__name__)
                    connection.close()  # a new connection for the next filing
                    time.sleep(0.05)
                except Exception as exc:  # noqa: BLE001 (what the test looks for)
                    with self.lock:
                        self.other_errors.append(f"{type(exc).__name__}: {exc}")
                else:
                    with self.lock:
                        self.filed.append(request.reference)
        finally:
            connection.close()

    def count(self) -> int:
        with self.lock:
            return len(self.filed)

    def wait_for(self, count: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while self.count() < count:
            assert time.monotonic() < deadline, f"only {self.count()} filings in {seconds} s"
            time.sleep(0.05)


def test_a_restart_mid_burst_leaves_only_whole_requests(
    postgres_cluster,
    broker,  # noqa: F811 (the e-mails queued go to a queue of their own, emptied after)
):
    ddi = DDIFactory()
    agents = [UserFactory(ddi=ddi) for _ in range(THREADS)]
    burst = Burst(agents, CategoryFactory(axis=Axis.TOOL))
    for thread in burst.threads:
        thread.start()
    try:
        burst.wait_for(30)
        before = burst.count()
        postgres_cluster.restart()
        # The agents go on filing once the database is back.
        burst.wait_for(before + 30)
    finally:
        burst.stop.set()
        for thread in burst.threads:
            thread.join(timeout=60)
        connection.close()  # the test's own connection died with the restart

    print(  # shown by `pytest -s` (CI's fault step): what the restart did
        f"{len(burst.filed)} filed, {len(burst.database_errors)} cut by the restart: "
        f"{sorted(set(burst.database_errors))}"
    )
    # The users saw database errors (the restart cut their filings), nothing else.
    assert burst.database_errors, "the restart cut no filing: the test proved nothing"
    assert burst.other_errors == []

    references = list(SupportRequest.objects.values_list("reference", flat=True))
    # What the service said was filed is there; what failed may only be the few filings
    # whose COMMIT reached the server just as the connection dropped.
    assert set(burst.filed) <= set(references)
    assert len(references) - len(burst.filed) <= len(burst.database_errors)
    assert len(set(references)) == len(references)
    # The counter moved with the committed filings only: no number lost to a rollback.
    [counter] = ReferenceCounter.objects.all()
    assert sorted(references) == [
        f"ACC-{counter.year}-{n:05d}" for n in range(1, counter.last_number + 1)
    ]

    # Every request is whole: its text, one attachment on disk, its event, its e-mail.
    requests = SupportRequest.objects.annotate(
        attachments_count=Count("attachments", distinct=True),
        created_events=Count("events", distinct=True),
        notifications_count=Count("notifications", distinct=True),
    )
    incomplete = [
        r.reference
        for r in requests
        if not (r.title and r.body)
        or (r.attachments_count, r.created_events, r.notifications_count) != (1, 1, 1)
    ]
    assert incomplete == []
    assert Event.objects.filter(kind=EventKind.CREATED).count() == len(references)
    for attachment in Attachment.objects.all():
        with attachment.file.open("rb") as stored:
            assert stored.read() == PDF
    # No row of a rolled-back filing left behind.
    assert Attachment.objects.filter(request__isnull=True).count() == 0
    assert Notification.objects.count() == len(references)

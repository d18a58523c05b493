import itertools
import string
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction

from accompagnement.axes.models import Axis
from accompagnement.outbox.models import Notification
from accompagnement.support.enums import EventKind, MessageKind, Priority, Status
from accompagnement.support.models import Message, SupportRequest
from accompagnement.support.selectors.queue import queue_search
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import (
    ConcurrentUpdateError,
    reference_allocate,
    support_request_create,
    support_request_transition,
    support_request_update_search,
)
from accompagnement.support.services.team_actions import (
    support_request_assign,
    support_request_escalate,
    support_request_mark_duplicate,
    support_request_redirect,
)
from tests.accounts.factories import UserFactory
from tests.ddi.factories import AttachmentFactory
from tests.support.factories import CategoryFactory, MessageFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db


def file_request(agent, **kwargs):
    defaults = {
        "requester": agent,
        "axis": Axis.TOOL,
        "category": CategoryFactory(axis=Axis.TOOL),
        "title": "Restitution INF-BUD-53 vide",
        "body": "Depuis lundi la restitution ne renvoie rien.",
        "priority": Priority.HIGH,
    }
    return support_request_create(**{**defaults, **kwargs})


def test_filing_gives_a_reference_sla_dates_an_event_and_an_acknowledgement(agent):
    request = file_request(agent)
    assert request.reference.startswith("ACC-")
    assert len(request.reference) == len("ACC-2026-00001")
    assert request.ddi == agent.ddi
    assert request.status == Status.NEW
    assert request.created_at < request.first_response_due <= request.resolution_due
    assert list(request.events.values_list("kind", "is_public")) == [(EventKind.CREATED, True)]
    assert list(request.followers.all()) == [agent]
    assert Notification.objects.filter(kind="request_created", recipient=agent).count() == 1


def test_references_follow_each_other(agent):
    first, second = file_request(agent), file_request(agent)
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1


def test_category_must_belong_to_the_axis(agent):
    with pytest.raises(ValidationError) as error:
        file_request(agent, axis=Axis.YEAR_END, category=CategoryFactory(axis=Axis.TOOL))
    assert "category" in error.value.message_dict


def test_programme_and_csp_must_serve_the_ddi(agent):
    elsewhere = AttachmentFactory()
    with pytest.raises(ValidationError):
        file_request(agent, programme=elsewhere.programme)
    with pytest.raises(ValidationError):
        file_request(agent, service_centre=elsewhere.service_centre)
    mine = AttachmentFactory(ddi=agent.ddi)
    request = file_request(agent, programme=mine.programme, service_centre=mine.service_centre)
    assert request.programme == mine.programme


def test_team_members_cannot_file_for_a_ddi(member):
    with pytest.raises(PermissionDenied):
        file_request(member)


def test_first_team_reply_starts_the_work_and_notifies_the_ddi(agent, member):
    request = file_request(agent)
    support_request_reply(request=request, author=member, body="Nous regardons.")
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert request.first_response_at is not None
    assert Notification.objects.filter(kind="team_reply", recipient=agent).count() == 1


def test_internal_note_is_never_sent_to_the_ddi(agent, member):
    request = SupportRequestFactory(requester=agent, assignee=UserFactory(member=True))
    message = support_request_reply(
        request=request, author=member, body="Le CSP est en retard.", internal=True
    )
    assert message.kind == MessageKind.INTERNAL
    assert not Notification.objects.filter(recipient=agent).exists()
    assert Notification.objects.get().recipient == request.assignee
    assert not request.events.get(kind=EventKind.NOTE).is_public


def test_agent_cannot_write_internal_notes(agent):
    request = SupportRequestFactory(requester=agent)
    with pytest.raises(PermissionDenied):
        support_request_reply(request=request, author=agent, body="x", internal=True)


def test_agent_of_another_ddi_cannot_reply(agent):
    request = SupportRequestFactory()
    with pytest.raises(PermissionDenied):
        support_request_reply(request=request, author=agent, body="Bonjour")


@pytest.mark.parametrize("status", [Status.WAITING_DDI, Status.RESOLVED])
def test_agent_reply_brings_the_request_back_to_the_team(agent, status):
    request = SupportRequestFactory(requester=agent, status=status, assigned=True)
    request.status = status
    request.save(update_fields=["status"])
    support_request_reply(request=request, author=agent, body="Voici la pièce demandée.")
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert request.reopened_count == (1 if status == Status.RESOLVED else 0)
    assert Notification.objects.filter(kind="agent_reply", recipient=request.assignee).exists()


def test_transition_outside_the_table_is_refused_in_french(agent):
    request = SupportRequestFactory(requester=agent)
    with pytest.raises(ValidationError) as error:
        support_request_transition(request=request, user=agent, to_status=Status.RESOLVED)
    assert "Impossible de passer du statut « Nouvelle » au statut « Résolue »" in str(error.value)
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_resolve_then_reopen(agent, member):
    request = SupportRequestFactory(requester=agent, assigned=True)
    support_request_transition(request=request, user=member, to_status=Status.RESOLVED)
    assert request.resolved_at is not None
    support_request_transition(request=request, user=agent, to_status=Status.IN_PROGRESS)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert request.resolved_at is None
    assert request.reopened_count == 1
    statuses = list(
        request.events.filter(kind=EventKind.STATUS).values_list("new_value", flat=True)
    )
    assert statuses == [Status.RESOLVED, Status.IN_PROGRESS]


def test_stale_version_is_refused_and_nothing_is_overwritten(agent, member):
    request = SupportRequestFactory(requester=agent)
    other_member = UserFactory(member=True)
    seen_version = request.version
    support_request_assign(
        request=request, user=member, assignee=member, expected_version=seen_version
    )
    stale = SupportRequest.objects.get(pk=request.pk)
    stale.version = seen_version  # the second member's page was loaded before
    with pytest.raises(ConcurrentUpdateError) as error:
        support_request_assign(
            request=stale, user=other_member, assignee=other_member, expected_version=seen_version
        )
    assert error.value.current.assignee == member
    request.refresh_from_db()
    assert request.assignee == member
    assert request.events.filter(kind=EventKind.ASSIGNED).count() == 1


def test_escalation_records_its_target(agent, member):
    from tests.ddi.factories import MinistryFactory

    request = SupportRequestFactory(requester=agent, assigned=True)
    ministry = MinistryFactory(code="MAAPRAT")
    support_request_escalate(
        request=request,
        user=member,
        target="ministry",
        name="Équipe Chorus du MAAPRAT",
        ministry=ministry,
    )
    request.refresh_from_db()
    assert request.status == Status.ESCALATED
    assert request.escalation_target == "ministry"
    assert request.escalation_ministry == ministry
    event = request.events.get(kind=EventKind.ESCALATED)
    assert event.new_value == "Équipe Chorus du MAAPRAT" and event.is_public


def test_redirect_gives_the_contact_to_the_ddi(agent, member):
    request = SupportRequestFactory(requester=agent)
    support_request_redirect(
        request=request, user=member, contact="Support Chorus MEDDTL : support@example.org"
    )
    request.refresh_from_db()
    assert request.status == Status.REDIRECTED
    assert request.closed_at is not None
    message = request.messages.get()
    assert message.kind == MessageKind.PUBLIC
    assert "support@example.org" in message.body


def test_duplicate_must_be_of_the_same_ddi(agent, member):
    request = SupportRequestFactory(requester=agent)
    with pytest.raises(ValidationError):
        support_request_mark_duplicate(
            request=request, user=member, original=SupportRequestFactory()
        )
    original = SupportRequestFactory(requester=UserFactory(ddi=agent.ddi))
    support_request_mark_duplicate(request=request, user=member, original=original)
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert request.duplicate_of == original
    assert request.events.get(kind=EventKind.DUPLICATE).new_value == original.reference


@pytest.mark.django_db(transaction=True)
def test_references_are_unique_under_concurrent_submissions():
    """Parallel transactions each allocate references; none is given twice."""
    if connection.vendor != "postgresql":
        pytest.skip("Real concurrency needs PostgreSQL (CI runs this with DATABASE_URL).")
    results, errors = [], []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            for _ in range(10):
                with transaction.atomic():
                    results.append(reference_allocate(year=2011))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 80
    assert len(set(results)) == 80
    assert sorted(results)[-1] == "ACC-2011-00080"


@pytest.mark.django_db(transaction=True)
def test_parallel_filings_never_share_a_reference():
    if connection.vendor != "postgresql":
        pytest.skip("Real concurrency needs PostgreSQL (CI runs this with DATABASE_URL).")
    agents = UserFactory.create_batch(6)
    category = CategoryFactory(axis=Axis.TOOL)
    barrier = threading.Barrier(len(agents))
    errors = []

    def worker(agent):
        try:
            barrier.wait()
            for _ in range(5):
                file_request(agent, category=category)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    references = list(SupportRequest.objects.values_list("reference", flat=True))
    assert len(references) == 30 == len(set(references))


# ---------------------------------------------------------------------------- search vector

only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the French search vector is PostgreSQL's"
)


def distinct_words(count: int) -> list[str]:
    """`count` different five-letter words: a vector keeps each one, so that a megabyte of
    them passes the size PostgreSQL allows a vector (1 MB)."""
    letters = itertools.product(string.ascii_lowercase, repeat=5)
    return ["".join(word) for word in itertools.islice(letters, count)]


def megabyte_in_messages(request, words_per_message=3_000):
    """About 1 MB of distinct words, in messages of about 18,000 characters (under the
    cap of one message)."""
    words = distinct_words(170_000)
    for start in range(0, len(words), words_per_message):
        MessageFactory(request=request, body=" ".join(words[start : start + words_per_message]))
    return words


@only_postgresql
def test_a_reply_after_a_megabyte_of_messages_is_saved_and_searchable(agent, member):
    # "string is too long for tsvector": the reply failed with its vector, and was lost.
    request = SupportRequestFactory(requester=agent)
    words = megabyte_in_messages(request)
    message = support_request_reply(request=request, author=member, body="Voici la réponse.")
    assert Message.objects.filter(pk=message.pk).exists()
    # The first part of the texts is searchable, the rest is stored and shown.
    assert list(queue_search(SupportRequest.objects.all(), words[1_000])) == [request]
    assert list(queue_search(SupportRequest.objects.all(), words[-1])) == []


@only_postgresql
def test_a_description_of_a_megabyte_is_searchable_by_its_first_part(agent):
    words = distinct_words(170_000)
    request = SupportRequestFactory(requester=agent, body=" ".join(words))
    support_request_update_search(request)
    assert list(queue_search(SupportRequest.objects.all(), words[1_000])) == [request]

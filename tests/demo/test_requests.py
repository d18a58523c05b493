"""`seed_demo --requests N`: bulk demo requests (COPY on PostgreSQL, bulk_create elsewhere)."""

import io
import re
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accompagnement.accounts.models import Role, User
from accompagnement.axes.models import Axis, Category
from accompagnement.demo import requests as demo_requests
from accompagnement.demo.people import AGENTS
from accompagnement.support.chorus import validate_reference
from accompagnement.support.enums import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    PAUSED_STATUSES,
    EventKind,
    MessageKind,
    Priority,
    Status,
)
from accompagnement.support.models import Event, Message, ReferenceCounter, SupportRequest
from accompagnement.support.services.requests import (
    support_request_create,
    support_request_update_search,
)
from accompagnement.support.sla import (
    holiday_subdivision,
    schedule_fields,
    sla_schedule,
    working_seconds_between,
)
from accompagnement.support.workflow import AGENT, SYSTEM, TEAM, can_transition
from ddi.models import ServiceCentreAttachment
from tests.support.factories import SupportRequestFactory
from tests.support.test_services_requests import megabyte_in_messages

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"^ACC-(\d{4})-(\d{5})$")


def seed(count, *extra):
    out = io.StringIO()
    call_command("seed_demo", "--no-progress", "--requests", str(count), *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo():
    call_command("load_reference_data", "--no-progress", verbosity=0)


@pytest.fixture
def seeded(demo):
    return seed(300, "--seed", "7")


def numbers_by_year():
    used = defaultdict(list)
    for reference in SupportRequest.objects.values_list("reference", flat=True):
        year, number = REFERENCE.match(reference).groups()
        used[int(year)].append(int(number))
    return used


def test_adds_the_requests_with_well_formed_unique_references(seeded):
    requests = list(SupportRequest.objects.values_list("reference", "created_at"))
    assert len(requests) == 300
    assert len({reference for reference, _ in requests}) == 300
    for reference, created_at in requests:
        match = REFERENCE.match(reference)
        assert match, reference
        # The year of the reference is the year of filing, as the service allocates it.
        assert int(match.group(1)) == timezone.localtime(created_at).year
    assert len({int(REFERENCE.match(r).group(1)) for r, _ in requests}) >= 3
    assert "Demandes de démonstration : 300 ajoutées" in seeded


def test_reference_counter_is_ahead_of_every_used_number(seeded, demo):
    counters = dict(ReferenceCounter.objects.values_list("year", "last_number"))
    for year, numbers in numbers_by_year().items():
        assert counters[year] >= max(numbers)
        # Numbers follow the order of filing, without gaps within one run.
        assert sorted(numbers) == list(range(min(numbers), max(numbers) + 1))

    # The portal files the next request of the year without collision.
    agent = User.objects.get(email=AGENTS[0].email)
    category = Category.objects.filter(axis=Axis.TOOL, is_active=True).first()
    request = support_request_create(
        requester=agent, axis=Axis.TOOL, category=category, title="Nouvelle", body="Texte"
    )
    year = timezone.localtime(request.created_at).year
    assert int(request.reference[-5:]) == counters.get(year, 0) + 1


def test_every_request_is_consistent(seeded):
    attachments = set(
        ServiceCentreAttachment.objects.values_list("ddi_id", "programme_id", "service_centre_id")
    )
    now = timezone.now()
    requests = SupportRequest.objects.select_related(
        "requester", "category", "assignee", "ddi__department"
    )
    requests = requests.prefetch_related("messages__author", "events__actor", "followers")
    for request in requests:
        where = request.reference
        assert request.requester.role == Role.AGENT, where
        assert request.requester.email.endswith("@example.org"), where
        assert request.ddi_id == request.requester.ddi_id, where
        assert request.requester in request.followers.all(), where
        assert request.category.axis == request.axis, where
        assert request.priority in Priority.values, where
        if request.programme_id or request.service_centre_id:
            assert (request.ddi_id, request.programme_id, request.service_centre_id) in (
                attachments
            ), where
        validate_reference(request.chorus_object, request.chorus_reference)
        # The team's clock: counted in working hours from the first opening after filing
        # (local holidays of the DDI's department), pushed back by the pauses.
        schedule = sla_schedule(
            request.priority,
            request.created_at,
            holiday_subdivision(request.ddi.department.code),
            paused_seconds=request.sla_paused_seconds,
        )
        assert schedule_fields(schedule) == {
            name: getattr(request, name) for name in schedule_fields(schedule)
        }, where
        if request.assignee is not None:
            assert request.assignee.is_team, where

        status = request.status
        assert status in Status.values, where
        if status == Status.NEW:
            assert request.first_response_at is None, where
        if status in OPEN_STATUSES:
            assert request.closed_at is None and request.resolved_at is None, where
            assert request.assignee_id or status == Status.NEW, where
        if status == Status.RESOLVED:
            assert request.resolved_at and request.closed_at is None, where
        if status == Status.CLOSED:
            assert request.resolved_at <= request.closed_at, where
        if status == Status.REDIRECTED:
            assert request.closed_at and request.redirect_contact, where
        if status == Status.ESCALATED:
            assert request.escalation_target, where

        messages, events = list(request.messages.all()), list(request.events.all())
        assert 1 <= len(messages) <= 6, where
        for message in messages:
            if message.kind == MessageKind.INTERNAL:
                assert message.author.is_team, where
        assert events[0].kind == EventKind.CREATED, where
        moments = [e.created_at for e in events] + [m.created_at for m in messages]
        assert all(request.created_at <= moment <= now for moment in moments), where
        assert request.last_activity_at == max(moments), where
        if request.first_response_at:
            assert request.created_at <= request.first_response_at <= now, where

        # The status events replay the workflow's transition table up to the status, and
        # the clock stops and runs again with them (team-only lines), as the services do.
        current, paused_at, paused_seconds = Status.NEW, None, 0
        subdivision = holiday_subdivision(request.ddi.department.code)
        for event in events:
            if event.kind == EventKind.CLOCK_PAUSED:
                assert not event.is_public and event.actor is None, where
                assert current in PAUSED_STATUSES and paused_at is None, where
                paused_at = event.created_at
            elif event.kind == EventKind.CLOCK_RESUMED:
                assert not event.is_public and event.actor is None, where
                assert current == Status.IN_PROGRESS and paused_at is not None, where
                paused_seconds += working_seconds_between(paused_at, event.created_at, subdivision)
                paused_at = None
            if event.kind != EventKind.STATUS:
                continue
            actor = SYSTEM if event.actor is None else TEAM if event.actor.is_team else AGENT
            assert event.old_value == current, where
            assert can_transition(current, event.new_value, actor), (where, event)
            current = event.new_value
        assert current == status, where
        assert request.sla_paused_at == paused_at, where
        assert (paused_at is not None) == (status in PAUSED_STATUSES), where
        assert request.sla_paused_seconds == paused_seconds, where


def test_old_requests_are_finished_and_open_ones_recent(seeded):
    half_a_year_ago = timezone.now() - timedelta(days=180)
    assert not SupportRequest.objects.filter(
        created_at__lt=half_a_year_ago, status__in=OPEN_STATUSES
    ).exists()
    assert SupportRequest.objects.filter(status__in=FINISHED_STATUSES).count() > 250


def test_realistic_spread(seeded):
    requests = SupportRequest.objects.all()
    assert requests.values("axis").distinct().count() == len(Axis.values)
    assert requests.values("category").distinct().count() >= 10
    assert requests.values("priority").distinct().count() >= 3
    assert requests.values("ddi").distinct().count() >= 50
    demo_emails = [a.email for a in AGENTS]
    assert requests.filter(requester__email__in=demo_emails).count() >= 30
    assert requests.exclude(assignee=None).values("assignee").distinct().count() >= 5
    assert Message.objects.filter(kind=MessageKind.INTERNAL).exists()
    assert Event.objects.filter(kind=EventKind.ASSIGNED).exists()
    assert Event.objects.filter(kind=EventKind.REDIRECTED).exists()


def test_running_twice_adds_requests(seeded):
    users = User.objects.count()
    first_run = set(SupportRequest.objects.values_list("reference", flat=True))

    out = seed(200)

    assert SupportRequest.objects.count() == 500
    assert first_run < set(SupportRequest.objects.values_list("reference", flat=True))
    assert User.objects.count() == users  # the fictional agents are made once
    assert "0 agents" not in out and "agents fictifs" not in out
    counters = dict(ReferenceCounter.objects.values_list("year", "last_number"))
    for year, numbers in numbers_by_year().items():
        assert len(numbers) == len(set(numbers))
        assert counters[year] == max(numbers)


def test_a_full_year_is_skipped(demo):
    year = timezone.localtime().year
    ReferenceCounter.objects.create(year=year, last_number=demo_requests.MAX_PER_YEAR - 2)
    seed(300)
    assert len(numbers_by_year()[year]) <= 2
    assert ReferenceCounter.objects.get(year=year).last_number <= demo_requests.MAX_PER_YEAR


def test_refuses_when_every_year_is_full(demo, monkeypatch):
    monkeypatch.setattr(demo_requests, "MAX_PER_YEAR", 5)
    with pytest.raises(CommandError, match="Plus assez de références"):
        seed(1000)
    assert not SupportRequest.objects.exists()
    assert not ReferenceCounter.objects.exists()


def test_without_reference_data_says_what_to_do():
    with pytest.raises(CommandError, match="load_reference_data"):
        seed(10)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL")
def test_search_vectors_are_those_of_the_service(seeded):
    assert not SupportRequest.objects.filter(search_vector=None).exists()
    for request in SupportRequest.objects.order_by("?")[:10]:
        seeded_vector = request.search_vector
        support_request_update_search(request)
        request.refresh_from_db(fields=["search_vector"])
        assert request.search_vector == seeded_vector


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL")
def test_the_seeded_vector_of_a_megabyte_of_messages_is_that_of_the_service():
    # "string is too long for tsvector": the seeder's one UPDATE failed, and the seeding.
    request = SupportRequestFactory()
    megabyte_in_messages(request)
    demo_requests._search_vectors_fill((request.pk, request.pk))
    request.refresh_from_db(fields=["search_vector"])
    seeded_vector = request.search_vector
    assert seeded_vector
    support_request_update_search(request)
    request.refresh_from_db(fields=["search_vector"])
    assert request.search_vector == seeded_vector


def test_past_milestones_are_marked_done_by_targeted_ddis_once(seeded):
    from accompagnement.campaigns import selectors as selectors_campaigns
    from accompagnement.campaigns.models import Acknowledgement, Milestone

    today = timezone.localdate()
    past = list(
        selectors_campaigns.milestones_with_audience().filter(
            needs_acknowledgement=True, due_date__lt=today
        )
    )
    assert past, "the 2011 campaign has milestones that need a 'done'"
    targeted = selectors_campaigns.ddis_targeted_by(past)
    marks = list(Acknowledgement.objects.select_related("acknowledged_by"))
    assert marks
    for mark in marks:
        assert mark.milestone_id in targeted
        assert mark.ddi_id in targeted[mark.milestone_id]
        assert mark.acknowledged_by.ddi_id == mark.ddi_id  # an agent of that DDI
        assert timezone.localdate(mark.acknowledged_at) <= today
    # Most targeted DDIs, not all.
    possible = sum(len(targeted[m.pk]) for m in past)
    assert 0.7 * possible < len(marks) < possible
    assert not Milestone.objects.filter(due_date__gte=today, acknowledgements__isnull=False)
    # A second run adds none.
    seed(10)
    assert Acknowledgement.objects.count() == len(marks)


def test_ensure_requests_tops_up_and_then_adds_nothing(demo):
    seed(40)
    out = io.StringIO()
    call_command("seed_demo", "--no-progress", "--ensure-requests", "100", stdout=out)
    assert SupportRequest.objects.count() == 100
    call_command("seed_demo", "--no-progress", "--ensure-requests", "100", stdout=io.StringIO())
    assert SupportRequest.objects.count() == 100

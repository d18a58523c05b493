"""The stored working-day durations of a request (`first_response_days`,
`resolution_days`) follow its timestamps through every change."""

import importlib
import io
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accompagnement.support.enums import Priority, Status
from accompagnement.support.models import SupportRequest
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import (
    support_request_create,
    support_request_transition,
)
from accompagnement.support.sla import (
    working_day_back,
    working_days_between,
    working_days_between_dates,
    working_days_elapsed,
)
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db


def local(*args) -> datetime:
    """An aware Europe/Paris moment."""
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def clock(monkeypatch):
    """Sets what `timezone.now()` returns for the services."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def test_filing_leaves_both_durations_empty(agent, clock):
    clock(local(2011, 11, 10, 10, 0))
    category = CategoryFactory()
    request = support_request_create(
        requester=agent, axis=category.axis, category=category, title="EJ bloqué", body="Oui."
    )
    request.refresh_from_db()
    assert (request.first_response_days, request.resolution_days) == (None, None)


def test_a_members_reply_sets_the_first_response_days_skipping_11_november_and_the_weekend(
    member, clock
):
    # Thursday 10 November 2011; Friday 11 is Armistice, then the weekend: Monday 14 is
    # the first working day after filing.
    request = SupportRequestFactory(created_at=local(2011, 11, 10, 10, 0))
    clock(local(2011, 11, 14, 9, 0))
    support_request_reply(request=request, author=member, body="Nous regardons.")
    request.refresh_from_db()
    assert request.first_response_at == local(2011, 11, 14, 9, 0)
    assert request.first_response_days == 1
    assert request.resolution_days is None

    # A second reply does not move the first response.
    clock(local(2011, 11, 16, 9, 0))
    support_request_reply(request=request, author=member, body="Encore un point.")
    request.refresh_from_db()
    assert request.first_response_days == 1


def test_an_agents_reply_is_not_a_first_response(agent, clock):
    request = SupportRequestFactory(requester=agent, created_at=local(2011, 11, 10, 10, 0))
    clock(local(2011, 11, 14, 9, 0))
    support_request_reply(request=request, author=agent, body="Une précision.")
    request.refresh_from_db()
    assert (request.first_response_at, request.first_response_days) == (None, None)


def test_resolving_sets_the_resolution_days_and_reopening_clears_them(agent, member, clock):
    request = SupportRequestFactory(
        requester=agent, created_at=local(2011, 11, 10, 10, 0), status=Status.IN_PROGRESS
    )
    # Tuesday 15 November: Monday 14 and Tuesday 15 are the working days after filing.
    clock(local(2011, 11, 15, 17, 0))
    support_request_transition(request=request, user=member, to_status=Status.RESOLVED)
    request.refresh_from_db()
    assert request.resolution_days == 2

    # The agent replies: the request is open again, its resolution is gone.
    clock(local(2011, 11, 16, 9, 0))
    support_request_reply(request=request, author=agent, body="Ce n'est pas réglé.")
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert (request.resolved_at, request.resolution_days) == (None, None)

    # Resolved again on Monday 21 November: 14, 15, 16, 17, 18 and 21.
    clock(local(2011, 11, 21, 9, 0))
    support_request_transition(request=request, user=member, to_status=Status.RESOLVED)
    request.refresh_from_db()
    assert request.resolution_days == 6

    # Reopened by the team from the closed state.
    clock(local(2011, 11, 22, 9, 0))
    support_request_transition(request=request, user=member, to_status=Status.CLOSED)
    support_request_transition(request=request, user=member, to_status=Status.IN_PROGRESS)
    request.refresh_from_db()
    assert (request.resolved_at, request.resolution_days) == (None, None)
    assert request.reopened_count == 2


def test_a_request_filed_at_2330_utc_on_31_december_counts_from_1_january(member, clock):
    # 23:30 UTC on Monday 31 December 2012 is 00:30 on Tuesday 1 January 2013 in Paris;
    # the answer at 23:30 UTC on 1 January is Wednesday 2 January in Paris: one working
    # day (counted on UTC dates, 31 December → 1 January, a holiday, would give 0).
    request = SupportRequestFactory(
        created_at=datetime(2012, 12, 31, 23, 30, tzinfo=UTC), priority=Priority.URGENT
    )
    clock(datetime(2013, 1, 1, 23, 30, tzinfo=UTC))
    support_request_reply(request=request, author=member, body="Bonne année.")
    request.refresh_from_db()
    assert request.first_response_days == 1


def test_a_request_filed_at_2330_utc_is_filed_the_next_local_day(member, clock):
    # Thursday 24 November 2011, 23:30 UTC = Friday 25, 00:30 in Paris; answered the same
    # Friday: 0 working days (1 on UTC dates).
    request = SupportRequestFactory(created_at=datetime(2011, 11, 24, 23, 30, tzinfo=UTC))
    clock(local(2011, 11, 25, 15, 0))
    support_request_reply(request=request, author=member, body="C'est fait.")
    request.refresh_from_db()
    assert request.first_response_days == 0


def test_working_days_between_dates_spans_years():
    # 30 December 2011 (Friday) → 3 January 2012: 2 and 3 January (1 January a Sunday).
    assert working_days_between_dates(date(2011, 12, 30), date(2012, 1, 3)) == 2
    assert working_days_between_dates(date(2012, 1, 3), date(2011, 12, 30)) == 0
    # A whole year 2012: 366 days, 105 weekend days, 8 holidays on weekdays.
    assert working_days_between_dates(date(2011, 12, 31), date(2012, 12, 31)) == 253
    assert working_days_elapsed(local(2011, 11, 10, 10), None) is None
    assert working_days_elapsed(local(2011, 11, 10, 10), local(2011, 11, 14, 9)) == 1


def test_working_day_back_skips_holidays_and_weekends():
    monday = date(2011, 11, 14)
    assert working_day_back(monday, 1) == monday
    assert working_day_back(monday, 2) == date(2011, 11, 10)  # Friday 11 is a holiday
    assert working_day_back(date(2011, 11, 13), 1) == date(2011, 11, 10)  # a Sunday


def test_the_migration_backfills_existing_requests():
    answered = SupportRequestFactory(
        created_at=local(2011, 11, 10, 10, 0),
        first_response_at=local(2011, 11, 14, 9, 0),
        resolved_at=local(2011, 11, 15, 9, 0),
    )
    waiting = SupportRequestFactory(created_at=local(2011, 11, 10, 10, 0))
    SupportRequest.objects.update(first_response_days=None, resolution_days=None)

    migration = importlib.import_module("accompagnement.migrations.0005_request_durations")
    migration.durations_backfill(apps, SimpleNamespace(connection=connection))

    answered.refresh_from_db()
    waiting.refresh_from_db()
    assert (answered.first_response_days, answered.resolution_days) == (1, 2)
    assert (waiting.first_response_days, waiting.resolution_days) == (None, None)


def test_seeded_requests_carry_consistent_durations():
    call_command("load_reference_data", "--no-progress", verbosity=0)
    call_command(
        "seed_demo", "--no-progress", "--requests", "300", "--seed", "3", stdout=io.StringIO()
    )
    rows = SupportRequest.objects.values_list(
        "created_at", "first_response_at", "resolved_at", "first_response_days", "resolution_days"
    )
    assert len(rows) >= 300
    answered = resolved = 0
    for created, first, resolved_at, first_days, resolution_days in rows:
        assert first_days == (None if first is None else working_days_between(created, first))
        assert resolution_days == (
            None if resolved_at is None else working_days_between(created, resolved_at)
        )
        answered += first is not None
        resolved += resolved_at is not None
    assert answered > 100 and resolved > 100

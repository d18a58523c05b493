"""The SLA clock of a request through the services (services/clock.py): it starts at the
team's next opening, counts working hours (the DDI's local holidays included), stops while
the request waits for the DDI or a partner, and the timeline tells the team."""

import importlib
from datetime import datetime, timedelta
from html import unescape
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accompagnement.axes.models import Axis
from accompagnement.support.enums import EscalationTarget, EventKind, Priority, Status
from accompagnement.support.models import Event, SupportRequest
from accompagnement.support.services.clock import clock_schedule_fields
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import (
    support_request_create,
    support_request_transition,
)
from accompagnement.support.services.team_actions import support_request_escalate
from accompagnement.support.services.triage import support_request_triage
from accompagnement.support.sla import SlaState, add_working_time, working_seconds_between
from tests.accounts.factories import UserFactory
from tests.ddi.factories import DDIFactory, DepartmentFactory
from tests.support.factories import CategoryFactory, EventFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment, PARIS).replace(tzinfo=None)


@pytest.fixture
def clock(monkeypatch):
    """Sets what `timezone.now()` returns for the services."""

    def set_now(*args) -> datetime:
        moment = paris(*args)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_now


def agent_in(department_code: str):
    department = DepartmentFactory(code=department_code, name=f"Département {department_code}")
    return UserFactory(ddi=DDIFactory(department=department))


def file_request(agent, priority=Priority.URGENT) -> SupportRequest:
    category = CategoryFactory(axis=Axis.TOOL)
    return support_request_create(
        requester=agent,
        axis=Axis.TOOL,
        category=category,
        title="Restitution INF-BUD-53 vide",
        body="La restitution ne renvoie rien.",
        priority=priority,
    )


def stored(request: SupportRequest) -> SupportRequest:
    return SupportRequest.objects.get(pk=request.pk)


# ---------------------------------------------------------------------------- starting


def test_a_request_filed_on_sunday_at_6_04_counts_from_monday_9_00(clock, agent):
    clock(2026, 3, 1, 6, 4)  # Sunday
    request = stored(file_request(agent))
    assert local(request.created_at) == datetime(2026, 3, 1, 6, 4)
    assert local(request.sla_started_at) == datetime(2026, 3, 2, 9, 0)
    # Urgent: 4 working hours to answer, 18 to resolve.
    assert local(request.first_response_due) == datetime(2026, 3, 2, 13, 0)
    assert local(request.first_response_warning_at) == datetime(2026, 3, 2, 12, 0)
    assert local(request.resolution_due) == datetime(2026, 3, 3, 18, 0)
    assert request.sla_paused_at is None and request.sla_paused_seconds == 0
    assert request.sla_state(paris(2026, 3, 2, 11)) == SlaState.ON_TIME
    assert request.sla_state(paris(2026, 3, 2, 12, 30)) == SlaState.APPROACHING
    assert request.sla_state(paris(2026, 3, 2, 13)) == SlaState.BREACHED


@pytest.mark.parametrize(
    ("filed", "first_response_due"),
    [
        ((2026, 3, 3, 16, 0), (2026, 3, 4, 11, 0)),  # over a night
        ((2026, 3, 6, 16, 0), (2026, 3, 9, 11, 0)),  # over a weekend
        ((2026, 5, 7, 16, 0), (2026, 5, 11, 11, 0)),  # over 8 May (Victory Day, a Friday)
    ],
)
def test_the_first_answer_is_due_in_working_hours(clock, agent, filed, first_response_due):
    clock(*filed)
    request = stored(file_request(agent))
    assert local(request.first_response_due) == datetime(*first_response_due)


@pytest.mark.parametrize(
    ("department", "good_friday_off"),
    [("57", True), ("67", True), ("68", True), ("75", False), ("54", False)],
)
def test_good_friday_and_26_december_count_for_a_ddi_in_alsace_moselle(
    clock, department, good_friday_off
):
    agent = agent_in(department)
    clock(2026, 4, 2, 16, 0)  # Thursday before Good Friday; Easter Monday is off for all
    before_easter = stored(file_request(agent))
    clock(2025, 12, 24, 16, 0)  # Wednesday; Christmas off for all, Friday 26 in the East
    before_st_stephen = stored(file_request(agent))
    if good_friday_off:
        assert local(before_easter.first_response_due) == datetime(2026, 4, 7, 11, 0)
        assert local(before_st_stephen.first_response_due) == datetime(2025, 12, 29, 11, 0)
    else:
        assert local(before_easter.first_response_due) == datetime(2026, 4, 3, 11, 0)
        assert local(before_st_stephen.first_response_due) == datetime(2025, 12, 26, 11, 0)


# ---------------------------------------------------------------------------- pausing


def clock_events(request):
    return list(
        Event.objects.filter(
            request=request, kind__in=[EventKind.CLOCK_PAUSED, EventKind.CLOCK_RESUMED]
        )
        .order_by("created_at", "pk")
        .values_list("kind", "actor", "is_public", "comment")
    )


def test_waiting_for_the_ddi_pushes_the_due_dates_back_by_the_working_time_paused(
    clock, agent, member
):
    clock(2026, 3, 9, 9, 0)  # Monday
    request = file_request(agent, priority=Priority.NORMAL)
    clock(2026, 3, 9, 10, 0)
    support_request_reply(request=request, author=member, body="Il nous faut l'EJ.")
    before = stored(request)

    paused_at = clock(2026, 3, 9, 11, 0)
    support_request_transition(request=request, user=member, to_status=Status.WAITING_DDI)
    waiting = stored(request)
    assert waiting.sla_paused_at == paused_at
    assert waiting.sla_state(paris(2026, 3, 30, 9)) == SlaState.PAUSED  # however long
    assert waiting.resolution_due == before.resolution_due  # moved when it runs again

    # The DDI answers on Wednesday at 14:00: 7 + 9 + 5 working hours later.
    clock(2026, 3, 11, 14, 0)
    support_request_reply(request=request, author=agent, body="Voici l'EJ 1300012345.")
    after = stored(request)
    assert after.status == Status.IN_PROGRESS
    assert after.sla_paused_at is None
    assert after.sla_paused_seconds == 21 * HOUR
    assert after.sla_started_at == before.sla_started_at
    for name in ("resolution_due", "resolution_warning_at", "first_response_due"):
        assert working_seconds_between(getattr(before, name), getattr(after, name)) == 21 * HOUR
        assert getattr(after, name) == add_working_time(getattr(before, name), 21 * HOUR)
    # Normal: 90 working hours from Monday 9:00 is Friday 20 at 18:00; 21 more hours
    # land on Wednesday 25 at 12:00.
    assert local(before.resolution_due) == datetime(2026, 3, 20, 18, 0)
    assert local(after.resolution_due) == datetime(2026, 3, 25, 12, 0)

    assert clock_events(request) == [
        (
            EventKind.CLOCK_PAUSED,
            None,
            False,
            "En attente de la DDI : le délai de l'équipe ne court plus.",
        ),
        (
            EventKind.CLOCK_RESUMED,
            None,
            False,
            "Le délai de l'équipe reprend, décalé de 21 h 00 ouvrées.",
        ),
    ]


def test_an_escalation_pauses_the_teams_clock_too(clock, agent, member):
    clock(2026, 3, 9, 9, 0)
    request = file_request(agent, priority=Priority.HIGH)
    clock(2026, 3, 9, 9, 30)
    support_request_reply(request=request, author=member, body="Nous transmettons.")
    before = stored(request)

    clock(2026, 3, 9, 16, 0)
    support_request_escalate(
        request=request, user=member, target=EscalationTarget.AIFE, name="AIFE"
    )
    assert stored(request).sla_state(paris(2026, 4, 30, 9)) == SlaState.PAUSED

    # Back from the AIFE the next day at 10:00: 2 + 1 working hours later.
    clock(2026, 3, 10, 10, 0)
    support_request_transition(request=request, user=member, to_status=Status.IN_PROGRESS)
    after = stored(request)
    assert after.sla_paused_seconds == 3 * HOUR
    assert after.resolution_due == add_working_time(before.resolution_due, 3 * HOUR)
    [(paused, *_), (resumed, _actor, _public, comment)] = clock_events(request)
    assert (paused, resumed) == (EventKind.CLOCK_PAUSED, EventKind.CLOCK_RESUMED)
    assert comment == "Le délai de l'équipe reprend, décalé de 3 h 00 ouvrées."


def test_a_request_resolved_while_waiting_is_judged_on_the_teams_time(clock, agent, member):
    clock(2026, 3, 9, 9, 0)
    request = file_request(agent, priority=Priority.URGENT)
    support_request_reply(request=request, author=member, body="Une question.")
    before = stored(request)
    clock(2026, 3, 9, 10, 0)
    support_request_transition(request=request, user=member, to_status=Status.WAITING_DDI)
    # Resolved on Wednesday: the 17 working hours it waited do not count against the team.
    clock(2026, 3, 11, 9, 0)
    support_request_transition(request=request, user=member, to_status=Status.RESOLVED)
    resolved = stored(request)
    assert resolved.sla_paused_at is None
    assert resolved.sla_paused_seconds == 17 * HOUR
    assert resolved.resolution_due == add_working_time(before.resolution_due, 17 * HOUR)
    assert resolved.resolved_at <= resolved.resolution_due  # on time for the dashboards
    assert resolved.sla_state() is None


# ---------------------------------------------------------------------------- priority


def test_a_priority_correction_recounts_from_the_start_and_keeps_the_pauses(clock, agent, member):
    clock(2026, 3, 1, 6, 4)  # Sunday: the clock starts on Monday at 9:00
    request = file_request(agent, priority=Priority.LOW)
    clock(2026, 3, 2, 9, 30)
    support_request_transition(request=request, user=member, to_status=Status.WAITING_DDI)
    clock(2026, 3, 2, 11, 30)
    support_request_reply(request=request, author=agent, body="Voici.")  # 2 hours paused
    request = stored(request)

    fields = clock_schedule_fields(request, priority=Priority.URGENT)
    assert local(fields["sla_started_at"]) == datetime(2026, 3, 2, 9, 0)
    assert local(fields["first_response_due"]) == datetime(2026, 3, 2, 15, 0)  # 4 + 2 hours

    clock(2026, 3, 2, 12, 0)
    support_request_triage(
        request=request, user=member, expected_version=request.version, priority=Priority.URGENT
    )
    corrected = stored(request)
    assert corrected.priority == Priority.URGENT
    assert local(corrected.first_response_due) == datetime(2026, 3, 2, 15, 0)
    assert local(corrected.resolution_due) == datetime(2026, 3, 4, 11, 0)  # 18 + 2 hours
    assert corrected.sla_state(paris(2026, 3, 2, 14)) == SlaState.APPROACHING


# ---------------------------------------------------------------------------- the page


def test_the_team_sees_the_pauses_on_the_timeline_the_agent_does_not(client, clock, agent, member):
    clock(2026, 3, 9, 9, 0)
    request = file_request(agent, priority=Priority.NORMAL)
    clock(2026, 3, 9, 11, 0)
    support_request_transition(request=request, user=member, to_status=Status.WAITING_DDI)
    clock(2026, 3, 10, 11, 0)
    support_request_reply(request=request, author=agent, body="Voici l'EJ.")

    url = reverse("support:detail", args=[request.reference])
    client.force_login(member)
    page = unescape(client.get(url).content.decode())
    assert "Horloge suspendue" in page
    assert "En attente de la DDI : le délai de l'équipe ne court plus." in page
    assert "Horloge relancée" in page
    assert "décalé de 9 h 00 ouvrées" in page

    client.force_login(agent)
    page = unescape(client.get(url).content.decode())
    assert "Horloge suspendue" not in page and "décalé de" not in page


# ---------------------------------------------------------------------------- migration


def test_the_migration_recounts_the_due_dates_of_existing_requests():
    filed = paris(2026, 4, 2, 16, 0)  # Thursday before Good Friday
    moselle = UserFactory(ddi=DDIFactory(department=DepartmentFactory(code="57")))
    # As the old rule left them: whole days from filing, no clock start, no pause.
    old = {
        "created_at": filed,
        "first_response_due": filed + timedelta(days=1),
        "resolution_due": filed + timedelta(days=2),
        "sla_started_at": None,
        "first_response_warning_at": None,
        "resolution_warning_at": None,
        "sla_paused_at": None,
        "priority": Priority.URGENT,
    }
    running = SupportRequestFactory(requester=moselle, status=Status.IN_PROGRESS, **old)
    waiting = SupportRequestFactory(
        requester=moselle, status=Status.WAITING_DDI, last_activity_at=filed, **old
    )
    asked_at = paris(2026, 4, 7, 10, 0)
    EventFactory(
        request=waiting,
        old_value=Status.IN_PROGRESS,
        new_value=Status.WAITING_DDI,
        created_at=asked_at,
    )
    escalated = SupportRequestFactory(
        requester=moselle, status=Status.ESCALATED, last_activity_at=filed, **old
    )

    migration = importlib.import_module("accompagnement.migrations.0014_sla_working_hours")
    migration.recount(apps, SimpleNamespace(connection=connection))

    for request in (running, waiting, escalated):
        request.refresh_from_db()
        assert local(request.sla_started_at) == datetime(2026, 4, 2, 16, 0)
        # Good Friday is off in Moselle, Easter Monday everywhere.
        assert local(request.first_response_due) == datetime(2026, 4, 7, 11, 0)
        assert local(request.first_response_warning_at) == datetime(2026, 4, 7, 10, 0)
        assert local(request.resolution_due) == datetime(2026, 4, 8, 16, 0)
    assert running.sla_paused_at is None
    assert waiting.sla_paused_at == asked_at  # put in waiting then
    assert escalated.sla_paused_at == filed  # no status event: its last activity
    assert waiting.sla_state(paris(2026, 4, 30)) == SlaState.PAUSED
    assert running.sla_state(paris(2026, 4, 30)) == SlaState.BREACHED

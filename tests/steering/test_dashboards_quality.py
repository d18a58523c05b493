"""Quality-of-service dashboard and the percentile aggregate, against hand-counted data."""

from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Q
from django.utils import timezone

from accompagnement.steering.dashboards import quality
from accompagnement.steering.dashboards.aggregates import Percentile, one_decimal, percentile_cont
from accompagnement.steering.dashboards.scope import Period, Scope
from accompagnement.support.enums import EscalationTarget, Priority, Status
from accompagnement.support.models import SupportRequest
from accompagnement.support.sla import working_days_between
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert parts.path == "/equipe/file/"
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def november(**filters) -> Scope:
    return Scope(
        today=date(2011, 12, 1),
        start=date(2011, 11, 1),
        end=date(2011, 11, 30),
        period=Period.CUSTOM,
        **filters,
    )


def rows_of(table) -> list[list]:
    return [[cell.value for cell in row] for row in table.rows]


# ---------------------------------------------------------------------- the percentile


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([1, 2, 3, 4], 0.5, 2.5),
        ([1, 2, 3, 4], 0.9, 3.7),
        ([4, 1, 3, 2], 0.25, 1.75),
        ([7], 0.9, 7.0),
        ([0, 0, 1, 3], 0.9, 2.4),
        ([3, 3, 7], 0.9, 6.2),
        ([1, 2, 3, 4], 0.0, 1.0),
        ([1, 2, 3, 4], 1.0, 4.0),
    ],
)
def test_percentile_is_continuous_in_sql(values, fraction, expected):
    for value in values:
        SupportRequestFactory(first_response_days=value)
    SupportRequestFactory(first_response_days=None)  # ignored
    found = SupportRequest.objects.aggregate(p=Percentile("first_response_days", fraction))["p"]
    assert found == pytest.approx(expected)
    assert percentile_cont(values, fraction) == pytest.approx(expected)


def test_percentile_of_nothing_is_null_and_it_takes_a_filter():
    assert SupportRequest.objects.aggregate(p=Percentile("first_response_days", 0.5))["p"] is None
    for value, priority in [(1, Priority.HIGH), (2, Priority.HIGH), (10, Priority.LOW)]:
        SupportRequestFactory(first_response_days=value, priority=priority)
    found = SupportRequest.objects.aggregate(
        high=Percentile("first_response_days", 0.5, filter=Q(priority=Priority.HIGH)),
        urgent=Percentile("first_response_days", 0.5, filter=Q(priority=Priority.URGENT)),
    )
    assert found == {"high": pytest.approx(1.5), "urgent": None}
    per_priority = dict(
        SupportRequest.objects.values("priority")
        .annotate(p90=Percentile("first_response_days", 0.9))
        .order_by()
        .values_list("priority", "p90")
    )
    assert per_priority == {Priority.HIGH: pytest.approx(1.9), Priority.LOW: 10.0}


def test_percentile_fraction_is_checked():
    with pytest.raises(ValueError):
        Percentile("first_response_days", 1.5)


def test_one_decimal_rounds_half_up():
    assert one_decimal(2.25) == Decimal("2.3")
    assert one_decimal(0.15) == Decimal("0.2")
    assert one_decimal(3.7000000000000002) == Decimal("3.7")
    assert one_decimal(None) is None


# ---------------------------------------------------------------------- the data set


@pytest.fixture
def requests_of_november():
    """November 2011 (11 November a holiday); seen on Thursday 1 December."""
    made = {
        # Normal priority (18 and 90 working hours). Answered Monday 14 (Friday 11 is a
        # holiday): 1 working day, on time; resolved Tuesday 22: 7 working days, on time.
        "q1": SupportRequestFactory(
            created_at=local(2011, 11, 10, 10),
            first_response_at=local(2011, 11, 14, 9),
            resolved_at=local(2011, 11, 22, 10),
            status=Status.RESOLVED,
        ),
        # Urgent (4 and 18 working hours). Filed on Thursday 24 at 23:30 UTC, i.e. Friday
        # 25 at 00:30 in Paris: the clock starts at 9:00, the first answer is due at 13:00.
        # Answered that Friday at 15:00: 0 working days, but late; resolved Wednesday 30:
        # 3, late (due Monday 28 at 18:00).
        "q2": SupportRequestFactory(
            priority=Priority.URGENT,
            created_at=datetime(2011, 11, 24, 23, 30, tzinfo=UTC),
            first_response_at=local(2011, 11, 25, 15),
            resolved_at=local(2011, 11, 30, 10),
            status=Status.RESOLVED,
        ),
        # Normal, answered Monday 7: 3 working days, late; still open, 11+ days old.
        "q3": SupportRequestFactory(
            created_at=local(2011, 11, 2, 9),
            first_response_at=local(2011, 11, 7, 9),
            status=Status.IN_PROGRESS,
        ),
        # High (9 and 45 working hours), reopened once, answered the same day, resolved
        # Friday 18: 3, on time.
        "q4": SupportRequestFactory(
            priority=Priority.HIGH,
            created_at=local(2011, 11, 15, 9),
            first_response_at=local(2011, 11, 15, 11),
            resolved_at=local(2011, 11, 18, 17),
            status=Status.RESOLVED,
            reopened_count=1,
        ),
        # Escalated to the AIFE, filed Monday 21: 8 working days old on 1 December.
        "q6": SupportRequestFactory(
            created_at=local(2011, 11, 21, 9),
            status=Status.ESCALATED,
            escalation_target=EscalationTarget.AIFE,
        ),
        "q7": SupportRequestFactory(
            created_at=local(2011, 11, 22, 9),
            status=Status.REDIRECTED,
            closed_at=local(2011, 11, 22, 10),
        ),
        # Monday 28 at 23:30 UTC is Tuesday 29 in Paris: 2 working days old (not 3).
        "q9": SupportRequestFactory(created_at=datetime(2011, 11, 28, 23, 30, tzinfo=UTC)),
        # Thursday 24: 5 working days old.
        "q10": SupportRequestFactory(created_at=local(2011, 11, 24, 9), status=Status.WAITING_DDI),
    }
    # October: outside the period; q5 is still open (more than 10 working days old).
    made["q5"] = SupportRequestFactory(created_at=local(2011, 10, 20, 10))
    SupportRequestFactory(
        created_at=local(2011, 10, 21, 10),
        status=Status.ESCALATED,
        escalation_target=EscalationTarget.BUDGET,
        first_response_at=local(2011, 10, 21, 11),
    )
    return made


def test_the_data_set_durations_are_as_counted_by_hand(requests_of_november):
    days = {
        name: (request.first_response_days, request.resolution_days)
        for name, request in requests_of_november.items()
    }
    assert days["q1"] == (1, 7)
    assert days["q2"] == (0, 3)
    assert days["q3"] == (3, None)
    assert days["q4"] == (0, 3)
    # Age on 1 December, as the SLA counts it.
    today = local(2011, 12, 1, 12)
    ages = {
        name: working_days_between(requests_of_november[name].created_at, today)
        for name in ("q3", "q5", "q6", "q9", "q10")
    }
    assert ages == {"q3": 20, "q5": 28, "q6": 8, "q9": 2, "q10": 5}


# ---------------------------------------------------------------------- durations


def test_durations(requests_of_november):
    table = quality.durations(november())
    assert table.key == "durations"
    assert rows_of(table) == [
        # [0, 0, 1, 3]; q2 and q3 are late.
        ["Première réponse", 4, Decimal("0.5"), Decimal("2.4"), 0.5],
        # [3, 3, 7]; q2 is late.
        ["Résolution", 3, Decimal("3.0"), Decimal("6.2"), pytest.approx(2 / 3)],
    ]
    assert query(table.rows[0][1].url) == {
        "status": "all",
        "created_from": "2011-11-01",
        "created_to": "2011-11-30",
        "answered": "oui",
    }
    assert query(table.rows[1][1].url) == {
        "status": "all",
        "created_from": "2011-11-01",
        "created_to": "2011-11-30",
        "resolved_from": "2011-11-01",
        "resolved_to": "2011-12-01",
    }
    assert [column.kind for column in table.columns][2:] == ["decimal", "decimal", "percent"]


def test_durations_by_priority(requests_of_november):
    table = quality.durations_by_priority(november())
    assert rows_of(table) == [
        ["Urgente", 1, Decimal("0.0"), Decimal("0.0"), 0.0, 1, Decimal("3.0"), Decimal("3.0"), 0.0],
        ["Haute", 1, Decimal("0.0"), Decimal("0.0"), 1.0, 1, Decimal("3.0"), Decimal("3.0"), 1.0],
        # q1 and q3 (q3 unresolved).
        ["Normale", 2, Decimal("2.0"), Decimal("2.8"), 0.5, 1, Decimal("7.0"), Decimal("7.0"), 1.0],
    ]
    assert query(table.rows[0][5].url)["priority"] == "urgent"
    assert query(table.rows[0][1].url) == {
        "status": "all",
        "created_from": "2011-11-01",
        "created_to": "2011-11-30",
        "priority": "urgent",
        "answered": "oui",
    }


def test_durations_follow_the_filters(requests_of_november):
    scope = november(ddi_kind="DDT")  # the factories file from DDPPs
    assert quality.durations(scope).rows == []
    assert quality.durations_by_priority(scope).rows == []


# ---------------------------------------------------------------------- reopened, escalations


def test_reopened_and_escalations(requests_of_november):
    reopened, escalations = quality.reopened_and_escalations(november())
    # Eight requests filed in November; q4 was reopened.
    assert rows_of(reopened) == [[8, 1, 0.125]]
    assert query(reopened.rows[0][1].url) == {
        "status": "all",
        "created_from": "2011-11-01",
        "created_to": "2011-11-30",
        "reopened": "on",
    }
    # The escalation of October (to the Budget) is outside the period.
    assert rows_of(escalations) == [
        ["Équipe Chorus d'un ministère", 0, 0.0],
        ["AIFE", 1, 0.125],
        ["Direction du Budget", 0, 0.0],
        ["Centre de services partagés (CSP)", 0, 0.0],
        ["Comptable public (DRFiP, DDFiP)", 0, 0.0],
        ["Autre service de l'État", 0, 0.0],
        ["Réorientées hors du périmètre de l'équipe", 1, 0.125],
    ]
    assert query(escalations.rows[1][1].url)["escalation_target"] == "aife"
    assert query(escalations.rows[6][1].url)["status"] == "redirected"


def test_reopened_and_escalations_of_an_empty_period():
    reopened, escalations = quality.reopened_and_escalations(november())
    assert reopened.rows == [] and escalations.rows == []


# ---------------------------------------------------------------------- backlog age


def test_age_bounds_skip_holidays():
    # Monday 14 November 2011: Friday 11 (Armistice) and Tuesday 1 (All Saints') are off.
    assert quality.age_bounds(date(2011, 11, 14)) == [
        (date(2011, 11, 9), None),  # 14, 10, 9
        (date(2011, 11, 4), date(2011, 11, 8)),  # then 8, 7, 4
        (date(2011, 10, 27), date(2011, 11, 3)),  # 3, 2, 31, 28, 27
        (None, date(2011, 10, 26)),
    ]


def test_backlog_age(requests_of_november):
    table = quality.backlog_age(november())
    # Open now: q9 (2 days), q10 (5), q6 (8); q3, q5 and the escalation of October
    # (more than 10).
    assert rows_of(table) == [
        ["0 à 2 jours ouvrés", 1, pytest.approx(1 / 6)],
        ["3 à 5 jours ouvrés", 1, pytest.approx(1 / 6)],
        ["6 à 10 jours ouvrés", 1, pytest.approx(1 / 6)],
        ["Plus de 10 jours ouvrés", 3, 0.5],
    ]
    links = [query(row[1].url) for row in table.rows]
    assert links[0] == {"status": "open", "created_from": "2011-11-29"}
    assert links[1] == {"status": "open", "created_from": "2011-11-24", "created_to": "2011-11-28"}
    assert links[2] == {"status": "open", "created_from": "2011-11-17", "created_to": "2011-11-23"}
    assert links[3] == {"status": "open", "created_to": "2011-11-16"}


# ---------------------------------------------------------------------- summary, SQL


def test_summary(requests_of_november):
    figures = quality.summary(november())
    assert {key: cell.value for key, cell in figures.items()} == {
        "resolution_median": Decimal("3.0"),
        "first_response_on_time": 0.5,
        "resolution_on_time": pytest.approx(2 / 3),
        "reopened_share": 0.125,
    }
    assert query(figures["reopened_share"].url)["reopened"] == "on"


def test_tables_run_a_fixed_number_of_queries(requests_of_november, django_assert_num_queries):
    with django_assert_num_queries(4):
        tables = quality.tables(november())
    assert [table.key for table in tables] == [
        "durations",
        "durations_by_priority",
        "reopened",
        "escalations",
        "backlog_age",
    ]
    for day in range(1, 20):
        SupportRequestFactory(
            created_at=local(2011, 11, day, 9), first_response_at=local(2011, 11, day, 10)
        )
    with django_assert_num_queries(4):
        quality.tables(november(axis="tool"))
    with django_assert_num_queries(1):
        quality.summary(november())

"""Activity dashboard: every figure checked against a small data set counted by hand."""

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from accompagnement.axes.models import Axis
from accompagnement.steering.dashboards import activity
from accompagnement.steering.dashboards.scope import Period, Scope
from accompagnement.support.enums import Status
from ddi.enums import DDIKind
from tests.accounts.factories import UserFactory
from tests.ddi.factories import DDIFactory, ProgrammeFactory, ServiceCentreFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def scope_for(start: date, end: date, today: date, **filters) -> Scope:
    return Scope(today=today, start=start, end=end, period=Period.CUSTOM, **filters)


def query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert parts.path == "/equipe/file/"
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def request(**kwargs):
    return SupportRequestFactory(**kwargs)


# ---------------------------------------------------------------------- weeks


@pytest.fixture
def weeks_data():
    """Three weeks from Monday 31 October to Sunday 20 November 2011."""
    # Open when the period starts: A (still open) and B (resolved on 8 November).
    request(created_at=local(2011, 10, 20, 10), status=Status.IN_PROGRESS)  # A
    request(
        created_at=local(2011, 10, 25, 10),
        status=Status.RESOLVED,
        resolved_at=local(2011, 11, 8, 10),
    )  # B
    # Redirected before the period: never in its backlog.
    request(
        created_at=local(2011, 10, 26, 10),
        status=Status.REDIRECTED,
        closed_at=local(2011, 10, 28, 10),
    )  # C
    # Week of 7 November: D on Sunday 23:30, F (redirected on 16), H (resolved after).
    request(created_at=local(2011, 11, 13, 23, 30), status=Status.NEW)  # D
    request(
        created_at=local(2011, 11, 9, 10),
        status=Status.REDIRECTED,
        closed_at=local(2011, 11, 16, 10),
    )  # F
    request(
        created_at=local(2011, 11, 10, 10),
        status=Status.RESOLVED,
        resolved_at=local(2011, 11, 25, 10),
    )  # H
    # Monday 14 November at 00:30 in Paris is still Sunday 23:30 in UTC.
    request(
        created_at=datetime(2011, 11, 13, 23, 30, tzinfo=UTC),
        status=Status.RESOLVED,
        resolved_at=local(2011, 11, 15, 10),
    )  # E
    # After the period.
    request(created_at=local(2011, 11, 21, 0, 10))  # G


def test_weekly_counts_opened_resolved_and_backlog_per_local_week(weeks_data):
    scope = scope_for(date(2011, 10, 31), date(2011, 11, 20), today=date(2011, 11, 30))
    table = activity.weekly(scope)
    assert table.key == "weekly"
    assert [column.label for column in table.columns] == [
        "Semaine du",
        "Déposées",
        "Résolues",
        "En stock en fin de semaine",
    ]
    assert [list(row.values()) for row in table.as_dicts()] == [
        # A week with no activity still appears, with the backlog carried over (A, B).
        [date(2011, 10, 31), 0, 0, 2],
        # D, F, H opened; B resolved: A, D, F, H left.
        [date(2011, 11, 7), 3, 1, 4],
        # E opened and resolved, F redirected: A, D, H left.
        [date(2011, 11, 14), 1, 1, 3],
    ]


def test_weekly_links_drill_down_to_the_same_requests(weeks_data):
    scope = scope_for(
        date(2011, 10, 31), date(2011, 11, 20), today=date(2011, 11, 30), ddi_kind="DDPP"
    )
    week = activity.weekly(scope).rows[2]
    assert query(week[1].url) == {
        "status": "all",
        "ddi_kind": "DDPP",
        "created_from": "2011-11-14",
        "created_to": "2011-11-20",
    }
    assert query(week[2].url) == {
        "status": "all",
        "ddi_kind": "DDPP",
        "resolved_from": "2011-11-14",
        "resolved_to": "2011-11-20",
    }
    assert query(week[3].url) == {"status": "all", "ddi_kind": "DDPP", "open_on": "2011-11-20"}


def test_weekly_clips_partial_weeks_to_the_period(weeks_data):
    # From Wednesday 9 to Tuesday 15 November: two partial weeks.
    scope = scope_for(date(2011, 11, 9), date(2011, 11, 15), today=date(2011, 11, 30))
    table = activity.weekly(scope)
    # Open when the period starts: A only (B was resolved on 8 November).
    assert [list(row.values()) for row in table.as_dicts()] == [
        [date(2011, 11, 7), 3, 0, 4],  # F, H, D; A, F, H, D open on Sunday 13
        [date(2011, 11, 14), 1, 1, 4],  # E opened and resolved
    ]
    assert query(table.rows[0][1].url)["created_from"] == "2011-11-09"
    assert query(table.rows[1][3].url)["open_on"] == "2011-11-15"


def test_weekly_applies_the_other_filters(weeks_data):
    ddt = DDIFactory(kind=DDIKind.DDT)
    request(requester=UserFactory(ddi=ddt), created_at=local(2011, 11, 8, 10))
    scope = scope_for(
        date(2011, 10, 31), date(2011, 11, 20), today=date(2011, 11, 30), ddi_kind=DDIKind.DDT
    )
    assert [row["opened"] for row in activity.weekly(scope).as_dicts()] == [0, 1, 0]
    assert [row["backlog"] for row in activity.weekly(scope).as_dicts()] == [0, 1, 1]


def test_weekly_counts_by_month_past_two_years():
    request(created_at=local(2012, 3, 31, 23, 30))
    request(created_at=datetime(2012, 3, 31, 22, 30, tzinfo=UTC))  # 1 April, 00:30 in Paris
    scope = scope_for(date(2011, 9, 1), date(2013, 12, 31), today=date(2013, 12, 31))
    table = activity.weekly(scope)
    assert table.columns[0].label == "Mois"
    assert "mois" in table.title
    assert len(table.rows) == 28  # September 2011 to December 2013
    by_month = {row["period"]: row for row in table.as_dicts()}
    assert by_month[date(2012, 3, 1)]["opened"] == 1
    assert by_month[date(2012, 4, 1)]["opened"] == 1
    assert by_month[date(2012, 4, 1)]["backlog"] == 2
    assert query(table.rows[0][1].url)["created_from"] == "2011-09-01"


def test_buckets_are_iso_weeks_up_to_104():
    kind, weeks = activity.buckets(
        scope_for(date(2011, 11, 9), date(2013, 11, 5), today=date(2013, 11, 5))
    )
    assert kind == "week"
    assert weeks[0] == activity.Bucket(date(2011, 11, 7), date(2011, 11, 9), date(2011, 11, 13))
    assert weeks[-1].last == date(2013, 11, 5)
    kind, months = activity.buckets(
        scope_for(date(2011, 11, 9), date(2013, 11, 8), today=date(2013, 11, 8))
    )
    assert kind == "month"
    assert months[0] == activity.Bucket(date(2011, 11, 1), date(2011, 11, 9), date(2011, 11, 30))


# ---------------------------------------------------------------------- groups


@pytest.fixture
def groups_data():
    tool = CategoryFactory(axis=Axis.TOOL, name="Restitutions")
    year_end = CategoryFactory(axis=Axis.YEAR_END, name="Charges à payer")
    other = CategoryFactory(axis=Axis.TOOL, name="Tiers")
    ddt, ddpp = DDIFactory(kind=DDIKind.DDT), DDIFactory(kind=DDIKind.DDPP)
    csp = ServiceCentreFactory(name="CSP Chorus de Lyon")
    programme = ProgrammeFactory(code="333", label="Moyens mutualisés")

    def filed(ddi, category, **kwargs):
        return request(
            requester=UserFactory(ddi=ddi), axis=category.axis, category=category, **kwargs
        )

    november = {
        "r1": filed(
            ddt,
            tool,
            service_centre=csp,
            programme=programme,
            status=Status.IN_PROGRESS,
            created_at=local(2011, 11, 2, 10),
            first_response_at=local(2011, 11, 4, 10),  # 2 working days
        ),
        "r2": filed(
            ddt,
            tool,
            status=Status.RESOLVED,
            created_at=local(2011, 11, 3, 10),
            first_response_at=local(2011, 11, 8, 10),  # 4, 7, 8: 3 working days
            resolved_at=local(2011, 11, 9, 10),
        ),
        "r3": filed(
            ddpp,
            year_end,
            service_centre=csp,
            status=Status.CLOSED,
            created_at=local(2011, 11, 14, 10),
            first_response_at=local(2011, 11, 21, 10),  # 15-18, 21: 5 working days
            resolved_at=local(2011, 11, 22, 10),
            closed_at=local(2011, 11, 29, 10),
        ),
        "r4": filed(
            ddpp,
            tool,
            programme=programme,
            status=Status.REDIRECTED,
            created_at=local(2011, 11, 15, 10),
            closed_at=local(2011, 11, 15, 11),
        ),
        "r6": filed(
            ddt,
            year_end,
            service_centre=csp,
            programme=programme,
            status=Status.NEW,
            created_at=local(2011, 11, 30, 23, 0),
        ),
    }
    # The previous 30 days (2 to 31 October), and before.
    filed(
        ddt,
        year_end,
        status=Status.RESOLVED,
        created_at=local(2011, 10, 15, 10),
        resolved_at=local(2011, 11, 3, 10),
    )  # r5: resolved in November
    filed(
        ddt,
        other,
        status=Status.CLOSED,
        created_at=local(2011, 10, 20, 10),
        closed_at=local(2011, 10, 25, 10),
    )  # r7
    filed(ddt, year_end, status=Status.IN_PROGRESS, created_at=local(2011, 10, 1, 10))  # r8
    # December: after the period.
    filed(ddt, tool, created_at=local(2011, 12, 1, 0, 30))
    return {"tool": tool, "year_end": year_end, "csp": csp, "programme": programme, **november}


def november(**filters) -> Scope:
    return scope_for(date(2011, 11, 1), date(2011, 11, 30), today=date(2011, 12, 1), **filters)


def rows_of(table) -> list[list]:
    return [[cell.value for cell in row] for row in table.rows]


def test_by_axis(groups_data):
    scope = november()
    table = activity.by_axis(scope)
    assert rows_of(table) == [
        ["Maîtrise de l'outil Chorus", 3, 1, 1],
        ["Fin de gestion et démarrage de la gestion suivante", 2, 1, 1],
    ]
    assert [cell.value for cell in table.footer] == ["Total", 5, 2, 2]
    opened, still_open, resolved = table.rows[0][1:]
    assert query(opened.url) == {
        "status": "all",
        "axis": "tool",
        "created_from": "2011-11-01",
        "created_to": "2011-11-30",
    }
    assert query(still_open.url)["status"] == "open"
    assert query(resolved.url) == {
        "status": "all",
        "axis": "tool",
        "created_from": "2011-11-01",
        "created_to": "2011-11-30",
        "resolved_from": "2011-11-01",
        "resolved_to": "2011-12-01",
    }


def test_by_category(groups_data):
    table = activity.by_category(november())
    assert rows_of(table) == [
        ["Restitutions", "Maîtrise de l'outil Chorus", 3, 1, 1],
        ["Charges à payer", "Fin de gestion et démarrage de la gestion suivante", 2, 1, 1],
    ]
    assert query(table.rows[0][2].url)["category"] == str(groups_data["tool"].pk)
    assert [cell.value for cell in table.footer] == ["Total", "", 5, 2, 2]


def test_by_ddi_kind(groups_data):
    table = activity.by_ddi_kind(november())
    assert rows_of(table) == [["DDT", 3, 2, 1], ["DDPP", 2, 0, 1]]
    assert query(table.rows[1][1].url)["ddi_kind"] == "DDPP"


def test_by_csp_groups_requests_without_a_csp_without_a_link(groups_data):
    table = activity.by_csp(november())
    assert rows_of(table) == [["CSP Chorus de Lyon", 3, 2, 1], ["Sans CSP", 2, 0, 1]]
    assert query(table.rows[0][1].url)["csp"] == str(groups_data["csp"].pk)
    assert [cell.url for cell in table.rows[1]] == ["", "", "", ""]


def test_by_programme(groups_data):
    table = activity.by_programme(november())
    assert rows_of(table) == [["P333 — Moyens mutualisés", 3, 2, 0], ["Sans programme", 2, 0, 2]]
    assert query(table.rows[0][1].url)["programme"] == str(groups_data["programme"].pk)
    assert table.rows[1][1].url == ""


def test_groups_apply_the_filters(groups_data):
    scope = november(csp=groups_data["csp"].pk)
    assert rows_of(activity.by_ddi_kind(scope)) == [["DDT", 2, 2, 0], ["DDPP", 1, 0, 1]]
    assert query(activity.by_ddi_kind(scope).rows[0][1].url)["csp"] == str(groups_data["csp"].pk)


def test_growing_categories_against_the_previous_period(groups_data):
    table = activity.growing_categories(november())
    # Restitutions: 3 now, none from 2 to 31 October; Charges à payer: 2 against 1
    # (the request of 1 October is older); Tiers fell (0 against 1): not listed.
    assert rows_of(table) == [
        ["Restitutions", "Maîtrise de l'outil Chorus", 3, 0, 3, None],
        ["Charges à payer", "Fin de gestion et démarrage de la gestion suivante", 2, 1, 1, 1.0],
    ]
    assert "02/10/2011 au 31/10/2011" in table.description
    before = query(table.rows[1][3].url)
    assert before == {
        "status": "all",
        "category": str(groups_data["year_end"].pk),
        "created_from": "2011-10-02",
        "created_to": "2011-10-31",
    }


def test_growing_categories_keeps_the_ten_largest():
    for number in range(12):
        category = CategoryFactory(name=f"Catégorie {number:02d}")
        for _index in range(number % 3 + 1):
            request(category=category, created_at=local(2011, 11, 10, 10))
    table = activity.growing_categories(november())
    assert len(table.rows) == 10
    assert table.values("growth") == [3, 3, 3, 3, 2, 2, 2, 2, 1, 1]
    assert table.values("category")[:2] == ["Catégorie 02", "Catégorie 05"]


# ---------------------------------------------------------------------- summary


def test_summary(groups_data):
    figures = activity.summary(november())
    assert {key: cell.value for key, cell in figures.items()} == {
        "opened": 5,
        # r2 and r3, and r5 filed in October.
        "resolved": 3,
        # r1, r6, and r8 and the December request: open now, whatever the period.
        "backlog": 4,
        # r1, r2, r3: 2, 3 and 5 working days.
        "first_response_median": 3,
    }
    assert query(figures["resolved"].url) == {
        "status": "all",
        "resolved_from": "2011-11-01",
        "resolved_to": "2011-11-30",
    }
    assert query(figures["backlog"].url) == {"status": "open"}


def test_an_empty_period():
    scope = november()
    assert all(not table.rows for table in activity.tables(scope)[1:])
    assert [row["opened"] for row in activity.weekly(scope).as_dicts()] == [0] * 5
    assert activity.summary(scope)["first_response_median"].value is None


# ---------------------------------------------------------------------- SQL


def test_tables_run_a_fixed_number_of_queries(groups_data, django_assert_num_queries):
    scope = november()
    with django_assert_num_queries(9):
        tables = activity.tables(scope)
    assert [table.key for table in tables] == [
        "weekly",
        "by_axis",
        "by_category",
        "by_ddi_kind",
        "by_csp",
        "by_programme",
        "growing_categories",
    ]
    for index in range(20):
        request(created_at=local(2011, 11, 1 + index, 10), category=groups_data["tool"])
    with django_assert_num_queries(9):
        activity.tables(november(ddi_kind="DDT", axis="tool"))
    with django_assert_num_queries(1):
        activity.summary(scope)

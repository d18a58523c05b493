"""The coverage of the DDIs by the partners' support actions: the audience rule, the gaps
first, the team's interventions and the request volumes crossed in, the core kinds
highlighted and chosen by default, a fixed number of queries, the CSV export."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.audience import ddis_in
from accompagnement.axes.models import Axis
from accompagnement.interventions.models import InterventionStatus
from accompagnement.partners.enums import SupportActionStatus
from accompagnement.partners.selectors.actions import action_audience
from accompagnement.partners.selectors.coverage import CoverageFilters, coverage_for
from accompagnement.support.enums import Status
from ddi.enums import DDIKind
from tests.accounts.factories import UserFactory
from tests.ddi.factories import AttachmentFactory, DDIFactory, DepartmentFactory, RegionFactory
from tests.interventions.factories import InterventionFactory
from tests.partners.factories import PartnerFactory, SupportActionFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

TODAY = date(2011, 11, 30)
EVERY_KIND = CoverageFilters(kinds=())


def body(response) -> str:
    return response.content.decode()


def _requests(ddi, count, axis=Axis.TOOL, **fields):
    requester = UserFactory(ddi=ddi)
    for _n in range(count):
        SupportRequestFactory(requester=requester, axis=axis, **fields)


@pytest.fixture
def world():
    """Two regions: in the first, a DDCS, a DDPP and a DDT; in the second, a DDCSPP and a
    DDT, the DDCSPP attached to a CSP for programme 177."""
    north, south = RegionFactory(name="Nord"), RegionFactory(name="Sud")
    d1 = DepartmentFactory(code="59", name="Nord", region=north)
    d2 = DepartmentFactory(code="13", name="Bouches-du-Rhône", region=south)
    ddis = {
        "ddcs": DDIFactory(kind=DDIKind.DDCS, department=d1),
        "ddpp": DDIFactory(kind=DDIKind.DDPP, department=d1),
        "ddt59": DDIFactory(kind=DDIKind.DDT, department=d1),
        "ddcspp": DDIFactory(kind=DDIKind.DDCSPP, department=d2),
        "ddt13": DDIFactory(kind=DDIKind.DDT, department=d2),
    }
    p177 = AttachmentFactory(ddi=ddis["ddcspp"], programme__code="177").programme
    return {"north": north, "south": south, "d2": d2, "p177": p177, **ddis}


def _current_action(**fields):
    """An action under way today (the default period is the last twelve months)."""
    return SupportActionFactory(starts_on=timezone.localdate(), **fields)


def _row(coverage, ddi):
    return next(row for row in coverage.rows if row.ddi.pk == ddi.pk)


def test_an_action_reaches_the_ddis_of_its_audience(world):
    owner = PartnerFactory()
    by_kind = SupportActionFactory(owner=owner, ddi_kinds=[DDIKind.DDCS, DDIKind.DDT])
    by_region = SupportActionFactory(owner=owner)
    by_region.regions.set([world["south"]])
    by_programme = SupportActionFactory(owner=owner)
    by_programme.programmes.set([world["p177"]])
    by_department = SupportActionFactory(owner=owner, ddi_kinds=[DDIKind.DDT])
    by_department.departments.set([world["d2"]])
    everyone = SupportActionFactory(owner=owner)

    coverage = coverage_for(EVERY_KIND, today=TODAY)

    for action in (by_kind, by_region, by_programme, by_department, everyone):
        reached = {row.ddi.pk for row in coverage.rows if action in row.actions}
        # The same DDIs as the audience rule says in SQL.
        assert reached == set(ddis_in(action_audience(action)).values_list("pk", flat=True))
    assert {r.ddi.pk for r in coverage.rows if by_region in r.actions} == {
        world["ddcspp"].pk,
        world["ddt13"].pk,
    }
    assert [r.ddi.pk for r in coverage.rows if by_programme in r.actions] == [world["ddcspp"].pk]
    assert [r.ddi.pk for r in coverage.rows if by_department in r.actions] == [world["ddt13"].pk]


def test_the_gaps_come_first_those_with_most_requests_first(world):
    owner = PartnerFactory()
    for_ddcs = _current_action(owner=owner, ddi_kinds=[DDIKind.DDCS], axis=Axis.TOOL)
    _current_action(owner=owner, axis=Axis.YEAR_END)  # another axis: not counted
    _current_action(owner=owner, status=SupportActionStatus.CANCELLED)  # not counted
    _requests(world["ddt59"], 2)
    _requests(world["ddpp"], 3)
    _requests(world["ddcs"], 4)
    _requests(world["ddcspp"], 5, axis=Axis.YEAR_END)  # another axis
    _requests(world["ddt13"], 6, status=Status.MERGED)  # counted in the request it joined

    coverage = coverage_for(CoverageFilters(axis=Axis.TOOL, kinds=()), today=timezone.localdate())

    order = [row.ddi.pk for row in coverage.rows]
    assert order == [
        world["ddpp"].pk,  # no action, 3 requests
        world["ddt59"].pk,  # no action, 2 requests
        world["ddcspp"].pk,  # no action, no request on the axis (department 13 first)
        world["ddt13"].pk,  # no action, no request (merged ones left out); then by kind
        world["ddcs"].pk,  # reached
    ]
    assert _row(coverage, world["ddcs"]).actions == [for_ddcs]
    assert _row(coverage, world["ddcs"]).requests == 4
    assert (coverage.gaps, coverage.gaps_with_requests) == (4, 2)


def test_every_axis_counts_every_action_and_request(world):
    owner = PartnerFactory()
    _current_action(owner=owner, axis=Axis.YEAR_END, ddi_kinds=[DDIKind.DDCSPP])
    _requests(world["ddcspp"], 2, axis=Axis.YEAR_END)
    _requests(world["ddcspp"], 1, axis=Axis.PROCESS)
    coverage = coverage_for(EVERY_KIND, today=timezone.localdate())
    row = _row(coverage, world["ddcspp"])
    assert (len(row.actions), row.requests) == (1, 3)


def test_the_period_bounds_requests_actions_and_sessions(world):
    owner = PartnerFactory()
    old = SupportActionFactory(owner=owner, starts_on=date(2011, 9, 1), ends_on=date(2011, 9, 30))
    running = SupportActionFactory(
        owner=owner, starts_on=date(2011, 10, 1), ends_on=date(2011, 12, 31)
    )
    planned = SupportActionFactory(owner=owner, starts_on=date(2012, 2, 1))
    filters = CoverageFilters(kinds=(), start=date(2011, 11, 1), end=date(2011, 11, 30))

    # A period that ends before today: actions within it only.
    past = coverage_for(filters, today=date(2012, 3, 1))
    assert _row(past, world["ddcs"]).actions == [running]
    assert not past.open_ended
    # A period up to today: the actions planned after it count too.
    current = coverage_for(filters, today=date(2011, 11, 30))
    assert _row(current, world["ddcs"]).actions == [running, planned]
    assert old not in _row(current, world["ddcs"]).actions


def test_the_teams_open_and_held_sessions_are_crossed_in(world):
    held = InterventionFactory(
        past=True, status=InterventionStatus.HELD, axis=Axis.TOOL, regions=[world["north"]]
    )
    InterventionFactory(draft=True, regions=[world["north"]])
    InterventionFactory(status=InterventionStatus.CANCELLED)
    coverage = coverage_for(EVERY_KIND, today=timezone.localdate())
    assert _row(coverage, world["ddpp"]).interventions == [held]
    assert _row(coverage, world["ddt13"]).interventions == []
    # A session is not a partner's action: the DDPP is still a gap.
    assert _row(coverage, world["ddpp"]).gap


def test_the_summary_counts_the_ddis_reached_per_kind(world):
    SupportActionFactory(owner=PartnerFactory(), ddi_kinds=[DDIKind.DDT])
    coverage = coverage_for(EVERY_KIND, today=TODAY)
    summary = {s.kind: (s.reached, s.total, s.core) for s in coverage.summaries}
    assert summary == {
        "DDCS": (0, 1, True),
        "DDPP": (0, 1, True),
        "DDCSPP": (0, 1, True),
        "DDT": (2, 2, False),
    }
    assert [s.kind for s in coverage.summaries][:3] == ["DDCS", "DDPP", "DDCSPP"]


# ---------------------------------------------------------------------------- the page


def test_the_page_shows_the_core_kinds_by_default(client, member, world):
    client.force_login(member)
    page = client.get(reverse("partners:coverage"))
    html = body(page)
    assert page.status_code == 200
    assert "DDCS 59" in html and "DDPP 59" in html and "DDCSPP 13" in html
    assert "DDT 59" not in html
    assert "public prioritaire" in html
    assert "DDCS : 0 atteintes sur 1" in html
    # Every kind on demand, the axis kept.
    html = body(client.get(reverse("partners:coverage"), {"axe": ""}))
    assert "DDT 59" in html


def test_the_page_filters_by_region_and_axis(client, member, world):
    _current_action(owner=PartnerFactory(), title="Note de fin de gestion", axis=Axis.YEAR_END)
    client.force_login(member)
    html = body(
        client.get(
            reverse("partners:coverage"), {"region": world["south"].pk, "axe": Axis.YEAR_END}
        )
    )
    assert "DDCSPP 13" in html and "DDT 13" in html and "DDCS 59" not in html
    assert "Note de fin de gestion" in html
    html = body(client.get(reverse("partners:coverage"), {"axe": Axis.TOOL, "types": ["DDT"]}))
    assert "Note de fin de gestion" not in html
    assert "aucune action" in html


def test_the_page_takes_a_fixed_number_of_queries(client, pilot, django_assert_num_queries):
    owner = PartnerFactory()

    def grow(n):
        for _i in range(n):
            ddi = DDIFactory(kind=DDIKind.DDCS)
            AttachmentFactory(ddi=ddi)
            _requests(ddi, 1)
            action = _current_action(owner=owner)
            action.regions.set([ddi.department.region])
            InterventionFactory(regions=[ddi.department.region])

    grow(2)
    client.force_login(pilot)
    # session, user, regions (filter), DDIs, profiles, actions and their 3 relations,
    # sessions and their 2 relations, request counts
    with django_assert_num_queries(13):
        assert client.get(reverse("partners:coverage")).status_code == 200
    grow(6)
    with django_assert_num_queries(13):
        page = client.get(reverse("partners:coverage"))
    assert body(page).count('id="ddi-') == 8


def test_the_table_exports_as_csv(client, member, world):
    _current_action(owner=PartnerFactory(), title="Formation des DDCS", ddi_kinds=["DDCS"])
    _requests(world["ddpp"], 2)
    client.force_login(member)
    response = client.get(reverse("partners:coverage"), {"export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[0].startswith("DDI;Type;Département;Région;Public prioritaire;Demandes")
    # The core kinds only (the page's default), the gaps first.
    assert len(lines) == 4
    assert lines[1].split(";")[1:3] == ["DDPP", "59"]
    assert lines[1].split(";")[5] == "2"
    assert "Formation des DDCS" in lines[3]


def test_a_title_read_as_a_formula_is_exported_as_text(client, member, world):
    _current_action(owner=PartnerFactory(), title="=HYPERLINK(1)", ddi_kinds=["DDCS"])
    client.force_login(member)
    text = client.get(reverse("partners:coverage"), {"export": "csv"}).content.decode()
    assert ";'=HYPERLINK(1);" in text


def test_an_agent_is_refused_the_coverage(client, agent):
    client.force_login(agent)
    assert client.get(reverse("partners:coverage")).status_code == 403


def test_the_default_period_is_the_last_twelve_months():
    assert CoverageFilters().period(date(2011, 11, 30)) == (
        date(2011, 11, 30) - timedelta(days=364),
        date(2011, 11, 30),
    )

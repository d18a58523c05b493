"""Requests per department and the map of France (steering/dashboards/geography.py)."""

import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accompagnement.steering.dashboards import geography
from accompagnement.steering.dashboards.scope import Period, Scope
from accompagnement.steering.dashboards.tables import Cell, Column, Kind, Table
from ddi.enums import DDIKind
from tests.accounts.factories import UserFactory
from tests.ddi.factories import DDIFactory, DepartmentFactory, RegionFactory
from tests.support.factories import SupportRequestFactory

PARIS = ZoneInfo("Europe/Paris")
SVG = "{http://www.w3.org/2000/svg}"


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def november(**filters) -> Scope:
    return Scope(
        today=date(2011, 12, 9),
        start=date(2011, 11, 1),
        end=date(2011, 11, 30),
        period=Period.CUSTOM,
        **filters,
    )


@pytest.fixture
def provence_and_brittany(db):
    """Bouches-du-Rhône: a DDPP (3 active agents, 1 inactive) and a DDTM (1 agent), 5
    requests in November; Vaucluse: a DDT without agents, 2 requests; Ille-et-Vilaine: no
    DDI at all."""
    provence = RegionFactory(code="93", name="Provence-Alpes-Côte d'Azur")
    brittany = RegionFactory(code="53", name="Bretagne")
    bouches = DepartmentFactory(code="13", name="Bouches-du-Rhône", region=provence)
    vaucluse = DepartmentFactory(code="84", name="Vaucluse", region=provence)
    ille = DepartmentFactory(code="35", name="Ille-et-Vilaine", region=brittany)
    ddpp = DDIFactory(kind=DDIKind.DDPP, department=bouches)
    ddtm = DDIFactory(kind=DDIKind.DDTM, department=bouches)
    ddt = DDIFactory(kind=DDIKind.DDT, department=vaucluse)
    agents = [UserFactory(ddi=ddpp) for _ in range(3)]
    UserFactory(ddi=ddpp, is_active=False)
    ddtm_agent = UserFactory(ddi=ddtm)
    UserFactory(member=True)  # the team does not count as DDI agents

    def filed(ddi, at, requester=agents[0]):
        return SupportRequestFactory(requester=requester, ddi=ddi, created_at=at)

    for day in (2, 10, 15):
        filed(ddpp, paris(2011, 11, day, 10))
    # 23:30 in Paris on the last day is still November (22:30 UTC)...
    filed(ddpp, paris(2011, 11, 30, 23, 30))
    # ...and 00:10 on 1 December is not, although it is still 30 November in UTC.
    filed(ddpp, paris(2011, 12, 1, 0, 10))
    filed(ddpp, paris(2011, 10, 31, 12))  # before the period
    filed(ddtm, paris(2011, 11, 3, 9), requester=ddtm_agent)
    filed(ddt, paris(2011, 11, 4, 9))
    filed(ddt, paris(2011, 11, 1, 0, 5))
    return {"13": bouches, "84": vaucluse, "35": ille, "provence": provence}


def by_code(table: Table) -> dict[str, dict]:
    return {row["code"]: row for row in table.as_dicts()}


def test_requests_ddis_agents_and_rate_per_10_agents(provence_and_brittany):
    table = geography.department_table(november(), "agents")

    assert table.key == "departments"
    assert [row["code"] for row in table.as_dicts()] == ["13", "35", "84"]
    rows = by_code(table)
    assert rows["13"] == {
        "code": "13",
        "name": "Bouches-du-Rhône",
        "region": "Provence-Alpes-Côte d'Azur",
        "requests": 5,
        "ddis": 2,
        "agents": 4,
        "rate": Decimal("12.5"),  # 5 requests for 4 agents: 12.5 per 10 agents
    }
    assert rows["84"]["requests"] == 2
    assert (rows["84"]["ddis"], rows["84"]["agents"], rows["84"]["rate"]) == (1, 0, None)
    assert (rows["35"]["requests"], rows["35"]["ddis"], rows["35"]["rate"]) == (0, 0, None)
    assert [cell.value for cell in table.footer] == ["", "Total", "", 7, 3, 4, Decimal("17.5")]
    assert table.columns[-1] == Column("rate", "Demandes pour 10 agents", Kind.DECIMAL)


def test_rate_per_ddi(provence_and_brittany):
    rows = by_code(geography.department_table(november(), "ddi"))

    assert rows["13"]["rate"] == Decimal("2.5")  # 5 requests, 2 DDIs
    assert rows["84"]["rate"] == Decimal("2.0")
    assert rows["35"]["rate"] is None


def test_ddi_kind_narrows_requests_ddis_and_agents(provence_and_brittany):
    rows = by_code(geography.department_table(november(ddi_kind=DDIKind.DDPP), "agents"))

    # 4 requests of the DDPP for its 3 active agents: 13.33… → 13.3.
    assert (rows["13"]["requests"], rows["13"]["ddis"], rows["13"]["agents"]) == (4, 1, 3)
    assert rows["13"]["rate"] == Decimal("13.3")
    assert (rows["84"]["requests"], rows["84"]["ddis"], rows["84"]["rate"]) == (0, 0, None)


def test_region_and_department_filters_keep_their_departments(provence_and_brittany):
    region = provence_and_brittany["provence"].pk
    assert list(by_code(geography.department_table(november(region=region)))) == ["13", "84"]
    department = provence_and_brittany["84"].pk
    table = geography.department_table(november(department=department))
    assert [(row["code"], row["requests"]) for row in table.as_dicts()] == [("84", 2)]


def test_counts_link_to_the_queue_of_the_department(provence_and_brittany):
    scope = november()
    table = geography.department_table(scope, "agents")
    bouches = provence_and_brittany["13"]
    row = table.rows[0]

    assert row[table.column_index("requests")].url == scope.queue_url(department=bouches.pk)
    assert f"department={bouches.pk}" in row[table.column_index("requests")].url
    assert "created_from=2011-11-01" in row[table.column_index("requests")].url
    assert row[table.column_index("rate")].url == row[table.column_index("requests")].url


def test_query_count_does_not_grow_with_the_data(provence_and_brittany, django_assert_num_queries):
    with django_assert_num_queries(3):
        geography.department_table(november(), "agents")
    for code in ("01", "02", "2A"):
        ddi = DDIFactory(department=DepartmentFactory(code=code, name=f"Département {code}"))
        agent = UserFactory(ddi=ddi)
        SupportRequestFactory.create_batch(3, requester=agent, created_at=paris(2011, 11, 8))
    with django_assert_num_queries(3):
        table = geography.department_table(november(), "agents")
    assert by_code(table)["2A"]["requests"] == 3


# ---------------------------------------------------------------------------- the map


def hand_made_table(rates: dict[str, Decimal | None]) -> Table:
    return Table(
        key="departments",
        title="Demandes par département",
        columns=[
            Column("code", "Code", Kind.TEXT),
            Column("name", "Département", Kind.TEXT),
            Column("rate", "Demandes pour 10 agents", Kind.DECIMAL),
        ],
        rows=[
            [Cell(code), Cell(f"Département {code}"), Cell(rate)] for code, rate in rates.items()
        ],
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def groups(svg: str) -> dict[str, list[ET.Element]]:
    found: dict[str, list[ET.Element]] = {}
    for group in parse(svg).iter(f"{SVG}g"):
        css = group.get("class", "")
        if css.startswith("z"):
            found.setdefault(css[1:], []).append(group)
    return found


def title_of(group: ET.Element) -> str | None:
    title = group.find(f"{SVG}title")
    return None if title is None else title.text


def test_class_breaks_are_quantiles_and_ties_merge_classes():
    values = [Decimal(n) for n in range(1, 11)]
    assert geography.class_breaks(values) == [2, 4, 6, 8, 10]
    assert geography.class_breaks([Decimal(1)] * 4 + [Decimal(5)]) == [1, 5]
    assert geography.class_breaks([]) == []
    assert geography.class_colours(2) == ["#e3e3fd", "#000091"]
    assert geography.class_colours(5) == list(geography.CLASS_COLOURS)


def test_map_colours_departments_by_class_and_hatches_missing_data():
    rates = {f"{n:02d}": Decimal(n) for n in range(1, 11)}  # 01…10: rates 1 to 10
    rates["13"] = None
    rates["971"] = Decimal(50)  # overseas: in the table, not on the map
    svg = geography.choropleth_svg(hand_made_table(rates), "agents")
    shapes = groups(svg)

    fills = {code: shapes[code][0].get("fill") for code in shapes}
    assert fills["01"] == fills["02"] == "#e3e3fd"
    assert fills["03"] == fills["04"] == "#cacafb"
    assert fills["05"] == "#8585f6"
    assert fills["08"] == "#6a6af4"
    assert fills["09"] == fills["10"] == "#000091"
    assert fills["13"] == "url(#carte-sans-donnee)"
    assert fills["75"] == "#ffffff"  # not in the table: outside the filters
    # The overseas maximum does not stretch the metropolitan classes.
    assert "971" not in shapes
    texts = [text.text for text in parse(svg).iter(f"{SVG}text")]
    assert "de 1,0 à 2,0" in texts
    assert "de 2,1 à 4,0" in texts
    assert "de 8,1 à 10,0" in texts
    assert "pas de donnée" in texts
    assert "hors des filtres" in texts


def test_every_metropolitan_department_has_a_group_and_no_overseas_one():
    svg = geography.choropleth_svg(hand_made_table({"13": Decimal("12.5")}), "agents")
    shapes = groups(svg)
    metropolitan = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}

    assert set(shapes) == metropolitan
    assert not any(len(code) > 2 for code in shapes)
    # Paris and its inner suburbs are drawn twice: on the map and enlarged.
    assert {code for code, found in shapes.items() if len(found) == 2} == {
        "75",
        "92",
        "93",
        "94",
    }
    assert all(group.find(f"{SVG}path") is not None for found in shapes.values() for group in found)


def test_titles_and_accessible_name():
    table = hand_made_table({"13": Decimal("12.5"), "2A": None})
    table.rows[0][1] = Cell("Bouches-du-Rhône")
    svg = geography.choropleth_svg(table, "agents", dom_id="carte-test")
    root = parse(svg)
    shapes = groups(svg)

    assert title_of(shapes["13"][0]) == "Bouches-du-Rhône (13) : 12,5 demandes pour 10 agents"
    assert title_of(shapes["2A"][0]) == "Département 2A (2A) : pas de donnée"
    assert title_of(shapes["84"][0]) is None
    assert root.get("role") == "img"
    labelled_by = root.get("aria-labelledby").split()
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert labelled_by == ["carte-test-titre", "carte-test-desc"]
    assert ids["carte-test-titre"].tag == f"{SVG}title"
    assert ids["carte-test-desc"].tag == f"{SVG}desc"
    assert "12,5" in ids["carte-test-desc"].text


def test_per_ddi_wording_and_no_data_at_all():
    svg = geography.choropleth_svg(hand_made_table({"13": Decimal(3)}), "ddi")
    assert title_of(groups(svg)["13"][0]) == "Département 13 (13) : 3,0 demandes par DDI"

    empty = geography.choropleth_svg(hand_made_table({}), "agents")
    root = parse(empty)
    assert root.find(f"{SVG}desc").text == "Aucune valeur à représenter pour ces filtres."
    assert {group.get("fill") for found in groups(empty).values() for group in found} == {"#ffffff"}


def test_geometry_is_read_once_and_the_markup_stays_small(provence_and_brittany):
    assert geography.map_geometry() is geography.map_geometry()
    svg = geography.choropleth_svg(geography.department_table(november()), "agents")
    assert len(svg) < 300_000

"""The year-end campaign board (accompagnement/steering/dashboards/campaign.py)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accompagnement.campaigns.models import CampaignKind
from accompagnement.steering.dashboards import campaign
from accompagnement.steering.dashboards.scope import Period, Scope
from ddi.enums import DDIKind
from tests.campaigns.factories import AcknowledgementFactory, CampaignFactory, MilestoneFactory
from tests.ddi.factories import (
    AttachmentFactory,
    DDIFactory,
    DepartmentFactory,
    ProgrammeFactory,
    RegionFactory,
)

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2011, 12, 10)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def scope(**filters) -> Scope:
    return Scope(today=TODAY, start=date(2011, 9, 1), end=TODAY, period=Period.CAMPAIGN, **filters)


@pytest.fixture
def year_end(db):
    """Four DDIs and the 2011 year-end campaign, seen on 10 December 2011.

    - m1 (18/11, every DDI): done by ille_ddt (10/11) and ille_ddpp (21/11 at 00:30 in
      Paris, still 20/11 in UTC); late for morbihan_ddt and rhin_ddpp.
    - m2 (07/12, DDT only): done by morbihan_ddt (05/12 at 00:30 in Paris, 04/12 in UTC);
      late for ille_ddt. ille_ddpp's "done" does not count: m2 does not target it.
    - m4 (13/01/2012, DDIs attached for programme 333): to come for rhin_ddpp.
    - an informational milestone and another campaign's milestone are left out.
    """
    brittany = RegionFactory(code="53", name="Bretagne")
    alsace = RegionFactory(code="42", name="Alsace")
    ille = DepartmentFactory(code="35", name="Ille-et-Vilaine", region=brittany)
    morbihan = DepartmentFactory(code="56", name="Morbihan", region=brittany)
    rhin = DepartmentFactory(code="67", name="Bas-Rhin", region=alsace)
    ddis = {
        "ille_ddt": DDIFactory(kind=DDIKind.DDT, department=ille, name="DDT d'Ille-et-Vilaine"),
        "ille_ddpp": DDIFactory(kind=DDIKind.DDPP, department=ille, name="DDPP d'Ille-et-Vilaine"),
        "morbihan_ddt": DDIFactory(kind=DDIKind.DDT, department=morbihan, name="DDT du Morbihan"),
        "rhin_ddpp": DDIFactory(kind=DDIKind.DDPP, department=rhin, name="DDPP du Bas-Rhin"),
    }
    p333 = ProgrammeFactory(code="333")
    AttachmentFactory(ddi=ddis["rhin_ddpp"], programme=p333)
    closing = CampaignFactory(fiscal_year=2011, kind=CampaignKind.YEAR_END)
    m1 = MilestoneFactory(campaign=closing, title="Saisie des DA", due_date=date(2011, 11, 18))
    m2 = MilestoneFactory(
        campaign=closing, title="Affermissement des EJ", due_date=date(2011, 12, 7)
    )
    m2.ddi_kinds = [DDIKind.DDT]
    m2.save(update_fields=["ddi_kinds"])
    m4 = MilestoneFactory(
        campaign=closing, title="Inventaire", due_date=date(2012, 1, 13), programmes=[p333]
    )
    MilestoneFactory(campaign=closing, informational=True, due_date=date(2011, 11, 1))
    start_up = CampaignFactory(fiscal_year=2012, kind=CampaignKind.START_UP)
    MilestoneFactory(campaign=start_up, due_date=date(2011, 11, 20))

    def done(milestone, ddi, at):
        AcknowledgementFactory(milestone=milestone, ddi=ddis[ddi], acknowledged_at=at)

    done(m1, "ille_ddt", paris(2011, 11, 10, 10))
    done(m1, "ille_ddpp", paris(2011, 11, 21, 0, 30))
    done(m2, "morbihan_ddt", paris(2011, 12, 5, 0, 30))
    done(m2, "ille_ddpp", paris(2011, 12, 1, 9))
    return {"campaign": closing, "m1": m1, "m2": m2, "m4": m4, **ddis}


def tables_by_key(**kwargs) -> dict:
    return {table.key: table for table in campaign.tables(**kwargs)}


def test_board_by_region(year_end):
    board = tables_by_key(scope=scope())["board"]
    m1, m2, m4 = year_end["m1"].pk, year_end["m2"].pk, year_end["m4"].pk

    assert [column.key for column in board.columns] == [
        "group",
        "ddis",
        *(f"m{m}_{state}" for m in (m1, m2, m4) for state in ("done", "late", "to_do")),
    ]
    assert board.columns[2].label == "Saisie des DA (18/11/2011) — faits"
    assert board.columns[3].label == "Saisie des DA (18/11/2011) — en retard"
    assert board.columns[4].label == "Saisie des DA (18/11/2011) — à venir"
    assert [[cell.value for cell in row] for row in board.rows] == [
        ["Alsace", 1, 0, 1, 0, 0, 0, 0, 0, 0, 1],
        ["Bretagne", 3, 2, 1, 0, 1, 1, 0, 0, 0, 0],
    ]
    assert [cell.value for cell in board.footer] == ["Total", 4, 2, 2, 0, 1, 1, 0, 0, 0, 1]
    assert "Fin de gestion 2011" in board.title


def test_board_by_kind(year_end):
    board = tables_by_key(scope=scope(), group_by="kind")["board"]

    assert board.columns[0].label == "Type de DDI"
    assert [[cell.value for cell in row] for row in board.rows] == [
        ["DDT", 2, 1, 1, 0, 1, 1, 0, 0, 0, 0],
        ["DDPP", 2, 1, 1, 0, 0, 0, 0, 0, 0, 1],
    ]


def test_board_keeps_the_ddis_of_the_filters(year_end):
    brittany = year_end["ille_ddt"].department.region_id
    board = tables_by_key(scope=scope(region=brittany))["board"]
    assert [row[0].value for row in board.rows] == ["Bretagne"]
    assert [cell.value for cell in board.footer] == ["Total", 3, 2, 1, 0, 1, 1, 0, 0, 0, 0]

    ddpp = tables_by_key(scope=scope(ddi_kind=DDIKind.DDPP))["board"]
    assert [cell.value for cell in ddpp.footer] == ["Total", 2, 1, 1, 0, 0, 0, 0, 0, 0, 1]


def test_ddis_most_behind(year_end):
    behind = tables_by_key(scope=scope())["behind"]

    # One late milestone each: the oldest overdue first, then by name.
    assert behind.as_dicts() == [
        {
            "ddi": "DDPP du Bas-Rhin (DDPP 67)",
            "region": "Alsace",
            "kind": "DDPP",
            "late": 1,
            "oldest_due": date(2011, 11, 18),
        },
        {
            "ddi": "DDT du Morbihan (DDT 56)",
            "region": "Bretagne",
            "kind": "DDT",
            "late": 1,
            "oldest_due": date(2011, 11, 18),
        },
        {
            "ddi": "DDT d'Ille-et-Vilaine (DDT 35)",
            "region": "Bretagne",
            "kind": "DDT",
            "late": 1,
            "oldest_due": date(2011, 12, 7),
        },
    ]
    assert behind.rows[0][0].url == scope().queue_url(
        period=False, status="open", ddi=year_end["rhin_ddpp"].pk
    )


def test_ddis_most_behind_sorted_by_number_of_late_milestones(year_end):
    # On 1 February 2012 the inventory is late too: the Bas-Rhin DDPP has 2.
    later = scope().with_changes(today=date(2012, 2, 1), end=date(2012, 2, 1))
    behind = tables_by_key(scope=later)["behind"]
    assert behind.values("late") == [2, 1, 1]
    assert behind.rows[0][0].value == "DDPP du Bas-Rhin (DDPP 67)"


def test_acknowledgement_rate_week_by_week_in_local_time(year_end):
    rate = tables_by_key(scope=scope())["ack_rate"]
    m1, m2, m4 = (f"m{year_end[m].pk}" for m in ("m1", "m2", "m4"))

    # From the Monday 4 weeks before 18/11 to the current week (2 weeks after the last
    # due date would be 27/01/2012, after today).
    assert rate.values("week") == [
        date(2011, 10, 17),
        date(2011, 10, 24),
        date(2011, 10, 31),
        date(2011, 11, 7),
        date(2011, 11, 14),
        date(2011, 11, 21),
        date(2011, 11, 28),
        date(2011, 12, 5),
    ]
    # m1: 4 DDIs; done on 10/11, then on Monday 21/11 (local time).
    assert rate.values(m1) == [0, 0, 0, 0.25, 0.25, 0.5, 0.5, 0.5]
    # m2: the 2 DDTs; done on Monday 5/12 (local time); ille_ddpp's "done" does not count.
    assert rate.values(m2) == [0, 0, 0, 0, 0, 0, 0, 0.5]
    assert rate.values(m4) == [0] * 8
    assert rate.columns[1].label == "Saisie des DA (18/11/2011)"


def test_acknowledgement_rate_stops_two_weeks_after_the_last_due_date(year_end):
    later = scope().with_changes(today=date(2012, 6, 1), end=date(2012, 6, 1))
    weeks = tables_by_key(scope=later)["ack_rate"].values("week")
    assert (weeks[0], weeks[-1], len(weeks)) == (date(2011, 10, 17), date(2012, 1, 23), 15)


def test_another_campaign_by_instance_or_id(year_end):
    start_up = CampaignFactory(fiscal_year=2012, kind=CampaignKind.START_UP)
    milestone = start_up.milestones.get()
    by_instance = tables_by_key(scope=scope(), campaign=start_up)
    by_id = tables_by_key(scope=scope(), campaign=start_up.pk)

    for tables in (by_instance, by_id):
        board = tables["board"]
        assert [column.key for column in board.columns][2:] == [
            f"m{milestone.pk}_done",
            f"m{milestone.pk}_late",
            f"m{milestone.pk}_to_do",
        ]
        assert [cell.value for cell in board.footer] == ["Total", 4, 0, 4, 0]


def test_no_campaign_loaded(db):
    tables = tables_by_key(scope=scope())
    assert list(tables) == ["board", "behind", "ack_rate"]
    assert all(table.rows == [] for table in tables.values())
    assert tables["board"].footer is None


def test_query_count_does_not_grow(year_end, django_assert_num_queries):
    with django_assert_num_queries(7):
        campaign.tables(scope())
    with django_assert_num_queries(6):
        campaign.tables(scope(), campaign=year_end["campaign"])

    for n in range(5):
        ddi = DDIFactory(department=DepartmentFactory(code=f"{n + 1:02d}"))
        AttachmentFactory(ddi=ddi)
        MilestoneFactory(campaign=year_end["campaign"], due_date=date(2011, 12, n + 1))
        AcknowledgementFactory(milestone=year_end["m1"], ddi=ddi)
    with django_assert_num_queries(7):
        tables = tables_by_key(scope=scope())
    assert tables["board"].footer[1].value == 9


def test_long_milestone_titles_are_cut_in_headings(db):
    milestone = MilestoneFactory(
        title="Date limite de saisie des demandes d'achat (DA) dans Chorus Formulaires",
        due_date=date(2011, 11, 18),
    )
    assert campaign.milestone_label(milestone) == "Date limite de saisie des dem… (18/11/2011)"

"""Team load (accompagnement/steering/dashboards/team.py)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accompagnement.steering.dashboards import team
from accompagnement.steering.dashboards.scope import Period, Scope
from accompagnement.support.enums import Priority, Status
from ddi.enums import DDIKind
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.ddi.factories import DDIFactory, StructureFactory
from tests.support.factories import SupportRequestFactory

PARIS = ZoneInfo("Europe/Paris")
# Friday 9 December 2011, 15:00 in Paris.
NOW = datetime(2011, 12, 9, 15, tzinfo=PARIS)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def scope(**filters) -> Scope:
    # The period does not matter: the load is what is open now.
    return Scope(
        today=NOW.date(),
        start=date(2011, 12, 1),
        end=NOW.date(),
        period=Period.MONTH,
        **filters,
    )


@pytest.fixture
def load(db):
    """Alice (Budget, 50 %): 3 open, 2 of them overdue, the oldest filed on 30/11.
    Bob (Intérieur, 100 %): 2 open, none overdue. Paula, the pilot (Budget, 100 %): none.
    Carol (Intérieur, 50 %, inactive): 1 open. Dan (member without profile): 1 open.
    Unassigned: 12 open (the oldest filed on Thursday 10/11, the day before Armistice),
    one resolved."""
    ddt = DDIFactory(kind=DDIKind.DDT)
    ddpp = DDIFactory(kind=DDIKind.DDPP)
    agent = UserFactory(ddi=ddpp)
    budget = StructureFactory(code="budget", name="Direction du Budget")
    interior = StructureFactory(code="interieur", name="Ministère de l’Intérieur")
    people = {
        "alice": TeamMemberFactory(
            user=UserFactory(member=True, first_name="Alice", last_name="Martin"),
            structure=budget,
            time_share=50,
        ).user,
        "bob": TeamMemberFactory(
            user=UserFactory(member=True, first_name="Bob", last_name="Durand"),
            structure=interior,
            time_share=100,
        ).user,
        "paula": TeamMemberFactory(
            user=UserFactory(pilot=True, first_name="Paula", last_name="Pilote"),
            structure=budget,
            time_share=100,
        ).user,
        "carol": TeamMemberFactory(
            user=UserFactory(member=True, first_name="Carol", last_name="Petit", is_active=False),
            structure=interior,
            time_share=50,
        ).user,
        "dan": UserFactory(member=True, first_name="Dan", last_name="Sans-Profil"),
    }
    later = NOW + timedelta(days=5)
    earlier = NOW - timedelta(hours=1)

    def filed(at, assignee=None, ddi=ddpp, status=Status.IN_PROGRESS, **fields):
        fields.setdefault("first_response_due", later)
        fields.setdefault("resolution_due", later)
        return SupportRequestFactory(
            requester=agent,
            ddi=ddi,
            assignee=people[assignee] if assignee else None,
            status=status,
            created_at=at,
            **fields,
        )

    filed(paris(2011, 12, 1, 10), "alice", ddi=ddt)
    filed(paris(2011, 12, 8, 10), "alice", first_response_due=earlier)  # no answer yet
    filed(paris(2011, 11, 30, 9), "alice", resolution_due=earlier)
    filed(paris(2011, 11, 2, 9), "alice", status=Status.RESOLVED, resolution_due=earlier)
    filed(  # answered, late, but answered
        paris(2011, 12, 8, 11), "bob", first_response_due=earlier, first_response_at=NOW
    )
    filed(paris(2011, 12, 9, 9), "bob", status=Status.ESCALATED)
    filed(paris(2011, 12, 2, 9), "carol")
    filed(paris(2011, 12, 5, 9), "dan")
    unassigned = [
        filed(paris(2011, 11, 10, 16), status=Status.NEW, priority=Priority.HIGH, title="Tiers"),
        *(filed(paris(2011, 11, 14 + n, 9), status=Status.NEW) for n in range(10)),
        filed(paris(2011, 12, 6, 9), status=Status.WAITING_DDI, ddi=ddt),
    ]
    filed(paris(2011, 11, 1, 9), status=Status.RESOLVED)
    return {**people, "budget": budget, "interior": interior, "unassigned": unassigned}


def tables_by_key(current_scope: Scope) -> dict:
    return {table.key: table for table in team.tables(current_scope, now=NOW)}


def test_members_load_weighted_by_share_of_time(load):
    members = tables_by_key(scope())["members"]

    assert members.as_dicts() == [
        {
            "member": "Alice Martin",
            "structure": "Direction du Budget",
            "time_share": 0.5,
            "open": 3,
            "overdue": 2,
            "weighted": Decimal("6.0"),  # 3 open at 50 %
            # Working days after 30/11 up to 9/12: 1, 2, 5, 6, 7, 8, 9 December.
            "oldest_age": 7,
        },
        {
            "member": "Bob Durand",
            "structure": "Ministère de l’Intérieur",
            "time_share": 1.0,
            "open": 2,
            "overdue": 0,
            "weighted": Decimal("2.0"),
            "oldest_age": 1,
        },
        {
            "member": "Paula Pilote",
            "structure": "Direction du Budget",
            "time_share": 1.0,
            "open": 0,
            "overdue": 0,
            "weighted": Decimal("0.0"),
            "oldest_age": None,
        },
        {
            "member": "Dan Sans-Profil",
            "structure": "",
            "time_share": None,
            "open": 1,
            "overdue": 0,
            "weighted": None,
            "oldest_age": 4,
        },
    ]
    # 6 open in all; 5 of them for 2.5 full-time equivalents.
    assert [cell.value for cell in members.footer] == [
        "Total",
        "",
        None,
        6,
        2,
        Decimal("2.0"),
        None,
    ]


def test_member_counts_link_to_the_queue(load):
    current = scope()
    members = tables_by_key(current)["members"]
    alice = load["alice"].pk
    row = members.rows[0]

    assert row[members.column_index("open")].url == current.queue_url(
        period=False, status="open", assignee=alice
    )
    assert row[members.column_index("overdue")].url == current.queue_url(
        period=False, status="open", assignee=alice, sla="breached"
    )
    assert "created_from" not in row[members.column_index("open")].url


def test_a_clock_stopped_before_its_due_date_is_not_late(db):
    # Waiting for the DDI since before the due date passed: the team is not late. Put
    # in waiting after it passed: late it was, late it stays.
    erin = TeamMemberFactory(
        user=UserFactory(member=True, first_name="Erin", last_name="Roux"), time_share=100
    ).user
    due = NOW - timedelta(hours=1)
    for paused_at in (due - timedelta(days=1), due + timedelta(minutes=30)):
        SupportRequestFactory(
            assignee=erin,
            status=Status.WAITING_DDI,
            created_at=paris(2011, 12, 1, 10),
            first_response_at=paris(2011, 12, 1, 11),
            resolution_due=due,
            sla_paused_at=paused_at,
        )
    [row] = [r for r in tables_by_key(scope())["members"].as_dicts() if r["member"] == "Erin Roux"]
    assert (row["open"], row["overdue"]) == (2, 1)


def test_filters_other_than_the_period_apply(load):
    members = tables_by_key(scope(ddi_kind=DDIKind.DDT))["members"]
    alice = members.as_dicts()[0]
    assert (alice["member"], alice["open"], alice["overdue"], alice["weighted"]) == (
        "Alice Martin",
        1,
        0,
        Decimal("2.0"),
    )
    assert tables_by_key(scope(ddi_kind=DDIKind.DDT))["unassigned"].footer[0].value == (
        "Toutes les demandes ouvertes non attribuées : 1"
    )


def test_structures_per_full_time_equivalent(load):
    current = scope()
    structures = tables_by_key(current)["structures"]

    # Intérieur: Bob's 2 and inactive Carol's 1 (the queue's structure filter finds all 3),
    # for Bob's full time; Budget: Alice's 3 for 50 % + 100 %. The most loaded first.
    assert structures.as_dicts() == [
        {
            "structure": "Ministère de l’Intérieur",
            "members": 1,
            "full_time": Decimal("1.0"),
            "open": 3,
            "per_full_time": Decimal("3.0"),
        },
        {
            "structure": "Direction du Budget",
            "members": 2,
            "full_time": Decimal("1.5"),
            "open": 3,
            "per_full_time": Decimal("2.0"),
        },
    ]
    assert [cell.value for cell in structures.footer] == [
        "Total",
        3,
        Decimal("2.5"),
        6,
        Decimal("2.4"),
    ]
    assert structures.rows[0][3].url == current.queue_url(
        period=False, status="open", structure=load["interior"].pk
    )


def test_structures_without_an_active_member_are_left_out(load):
    former = StructureFactory(code="ancienne", name="Ancienne structure")
    gone = TeamMemberFactory(user=UserFactory(member=True, is_active=False), structure=former).user
    SupportRequestFactory(assignee=gone, status=Status.IN_PROGRESS)

    structures = tables_by_key(scope())["structures"]
    assert structures.values("structure") == ["Ministère de l’Intérieur", "Direction du Budget"]
    assert structures.footer[3].value == 6


def test_oldest_unassigned_requests(load):
    current = scope()
    unassigned = tables_by_key(current)["unassigned"]
    oldest = load["unassigned"][0]

    assert len(unassigned.rows) == 10
    assert unassigned.as_dicts()[0] == {
        "reference": oldest.reference,
        "ddi": f"DDPP {oldest.ddi.department.code}",
        "title": "Tiers",
        "created_at": paris(2011, 11, 10, 16),
        # 20 working days: four full weeks after Thursday 10/11, Friday 11/11 is a holiday.
        "age": 20,
        "priority": "Haute",
    }
    assert unassigned.rows[0][0].url == reverse("support:detail", args=[oldest.reference])
    assert unassigned.values("reference") == [r.reference for r in load["unassigned"][:10]]
    assert unassigned.footer[0].value == "Toutes les demandes ouvertes non attribuées : 12"
    assert unassigned.footer[0].url == current.queue_url(
        period=False, status="open", unassigned="on"
    )
    assert "12 demandes" in unassigned.description


def test_query_count_does_not_grow(load, django_assert_num_queries):
    with django_assert_num_queries(3):
        team.tables(scope(), now=NOW)
    for _ in range(3):
        member = TeamMemberFactory().user
        SupportRequestFactory.create_batch(2, assignee=member, status=Status.IN_PROGRESS)
    SupportRequestFactory.create_batch(3)
    with django_assert_num_queries(3):
        tables = {table.key: table for table in team.tables(scope(), now=NOW)}
    assert len(tables["members"].rows) == 7

"""Reads behind the team's screens (accompagnement/support/selectors/queue.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accompagnement.support import filters
from accompagnement.support.enums import Priority, Status
from accompagnement.support.models import SupportRequest
from accompagnement.support.selectors import queue as queue_selectors
from accompagnement.support.services.requests import support_request_update_search
from accompagnement.support.team_models import SavedFilter
from ddi.enums import DDIKind
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.ddi.factories import (
    DDIFactory,
    DepartmentFactory,
    MinistryFactory,
    ProgrammeFactory,
    RegionFactory,
    ServiceCentreFactory,
)
from tests.support.factories import (
    CategoryFactory,
    EventFactory,
    MessageFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


def test_priority_rank_sorts_urgent_first():
    for priority in Priority.values:
        SupportRequestFactory(priority=priority)
    ranked = queue_selectors.queue_sort(queue_selectors.queue_requests(), "-priority")
    assert [r.priority for r in ranked] == ["urgent", "high", "normal", "low"]


def test_the_priority_rank_follows_a_change_of_priority():
    low, normal = SupportRequestFactory(priority="low"), SupportRequestFactory(priority="normal")
    low.priority = Priority.URGENT
    low.save(update_fields=["priority"])
    ranked = queue_selectors.queue_sort(queue_selectors.queue_requests(), "-priority")
    assert list(ranked) == [low, normal]
    SupportRequest.objects.filter(pk=low.pk).update(priority=Priority.LOW)
    assert list(ranked.all()) == [normal, low]


@pytest.mark.parametrize(
    "params",
    [
        {},  # the queue as the team opens it: open requests, newest first
        *({"status": "all", "sort": sort} for sort in queue_selectors.SORTS),
    ],
)
def test_the_first_page_is_read_in_order_from_an_index(rf, member, params):
    """At 200,000 requests, sorting every matching row took 0.2 to 1 s for some sorts;
    read in order from an index (at most an incremental sort of ties), the first page
    stops after 50 rows."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plans")
    SupportRequestFactory.create_batch(3)
    request = rf.get("/equipe/file/", params)
    request.user = member
    queue_filter = filters.QueueFilter(
        request.GET,
        queryset=queue_selectors.queue_requests(),
        request=request,
        choices=queue_selectors.reference_choices(*filters.REFERENCE_LISTS),
        members=queue_selectors.team_members(),
    )
    with connection.cursor() as cursor:
        # On three rows a sequential scan is cheaper: forbid it, and forbid sorting, so
        # that the plan shows whether an index gives the order by itself.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        try:
            plan = queue_filter.qs[: queue_selectors.QUEUE_PAGE_SIZE].explain()
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    full_sorts = [
        line for line in plan.splitlines() if re.search(r"(^|-> +)Sort +\(", line.strip())
    ]
    assert not full_sorts, plan
    assert "Index" in plan


def test_queue_rows_need_no_further_query():
    SupportRequestFactory.create_batch(3, assigned=True, programme=ProgrammeFactory())
    rows = list(queue_selectors.queue_requests())
    with CaptureQueriesContext(connection) as queries:
        shown = [
            (row.reference, row.title, row.ddi.acronym, row.ddi.name, row.category.name)
            + (row.assignee.get_full_name(), row.get_status_display(), row.sla_state())
            for row in rows
        ]
    assert len(queries) == 0
    assert len(shown) == 3


def test_search_over_reference_title_body_and_messages():
    by_title = SupportRequestFactory(title="Écart de restitution", body="Rien.")
    by_body = SupportRequestFactory(title="Question", body="Le tiers est bloqué.")
    by_message = SupportRequestFactory(title="Autre", body="Rien.")
    MessageFactory(request=by_message, body="Voir avec le comptable assignataire.", internal=True)
    for support_request in (by_title, by_body, by_message):
        support_request_update_search(support_request)

    def found(text):
        return set(queue_selectors.queue_search(SupportRequest.objects.all(), text))

    assert found("restitution") == {by_title}
    assert found("tiers") == {by_body}
    assert found("comptable") == {by_message}
    assert found(by_body.reference) == {by_body}
    assert found("  ") == {by_title, by_body, by_message}


def test_search_uses_the_french_vector_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search")
    support_request = SupportRequestFactory(title="Les restitutions budgétaires", body="Rien.")
    support_request_update_search(support_request)
    queryset = queue_selectors.queue_search(SupportRequest.objects.all(), "restitution")
    assert "@@" in str(queryset.query)
    assert list(queryset) == [support_request]


def test_reference_choices_are_cached_after_one_query_per_list():
    region = RegionFactory(name="Bourgogne")
    department = DepartmentFactory(code="21", name="Côte-d'Or", region=region)
    ddi = DDIFactory(kind=DDIKind.DDT, department=department)
    csp = ServiceCentreFactory(name="CSP Chorus de Dijon")
    programme = ProgrammeFactory(code="215", label="Conduite des politiques agricoles")
    tool = CategoryFactory(axis="tool", name="Droits d’accès")
    ministry = MinistryFactory(code="MAAPRAT", name="Agriculture")
    names = (
        "regions",
        "departments",
        "ddis",
        "service_centres",
        "programmes",
        "categories",
        "ministries",
    )

    with CaptureQueriesContext(connection) as cold:
        lists = queue_selectors.reference_choices(*names)
    # DDIs, departments and regions come from one query.
    assert len(cold) == 5
    with CaptureQueriesContext(connection) as warm:
        assert queue_selectors.reference_choices(*names) == lists
    assert len(warm) == 0

    assert (region.pk, "Bourgogne") in lists["regions"]
    assert (department.pk, "21 — Côte-d'Or") in lists["departments"]
    assert (ddi.pk, "DDT 21 — Côte-d'Or") in lists["ddis"]
    assert (csp.pk, "CSP Chorus de Dijon") in lists["service_centres"]
    assert (programme.pk, "P215 — Conduite des politiques agricoles") in lists["programmes"]
    # Categories come grouped by axis (<optgroup>), the seeded ones included.
    groups = dict(lists["categories"])
    assert (tool.pk, "Droits d’accès") in groups["Maîtrise de l'outil Chorus"]
    assert (ministry.pk, "MAAPRAT — Agriculture") in lists["ministries"]

    queue_selectors.reference_choices_forget()
    with CaptureQueriesContext(connection) as again:
        queue_selectors.reference_choices("ddis")
    assert len(again) == 1


def test_team_members_suggests_the_referents_of_the_request():
    ministry = MinistryFactory()
    programme = ProgrammeFactory(ministry=ministry)
    other_programme = ProgrammeFactory(ministry=ministry)
    by_ministry = TeamMemberFactory(referent_ministry=ministry).user
    by_programme = TeamMemberFactory()
    by_programme.referent_programmes.add(programme)
    by_sibling_programme = TeamMemberFactory()
    by_sibling_programme.referent_programmes.add(other_programme)
    unrelated = TeamMemberFactory(referent_ministry=MinistryFactory()).user
    agent = UserFactory()
    support_request = SupportRequestFactory(programme=programme)

    with CaptureQueriesContext(connection) as queries:
        members = queue_selectors.team_members(support_request=support_request)
    assert len(queries) == 1
    suggested = {m for m in members if m.is_suggested}
    assert suggested == {by_ministry, by_programme.user}
    assert unrelated in members and by_sibling_programme.user in members
    assert agent not in members


def test_team_members_suggests_by_the_ministry_of_the_csp_without_programme():
    ministry = MinistryFactory()
    referent = TeamMemberFactory(referent_ministry=ministry).user
    TeamMemberFactory()
    support_request = SupportRequestFactory(service_centre=ServiceCentreFactory(ministry=ministry))
    members = queue_selectors.team_members(support_request=support_request)
    assert {m for m in members if m.is_suggested} == {referent}


def test_team_members_without_request_suggests_nobody():
    TeamMemberFactory(referent_ministry=MinistryFactory())
    inactive = TeamMemberFactory(user=UserFactory(member=True, is_active=False)).user
    members = queue_selectors.team_members()
    assert not any(m.is_suggested for m in members)
    assert inactive not in members
    assert queue_selectors.member_label(members[0]).endswith(")")


def test_saved_filters_of_is_the_owners_only(member, agent):
    mine = SavedFilter.objects.create(owner=member, name="A", query="axis=tool")
    SavedFilter.objects.create(owner=TeamMemberFactory().user, name="B", query="axis=tool")
    assert list(queue_selectors.saved_filters_of(member)) == [mine]
    assert list(queue_selectors.saved_filters_of(agent)) == []


def test_request_by_reference_ignores_case_and_spaces(member):
    support_request = SupportRequestFactory()
    assert (
        queue_selectors.request_by_reference(member, f"  {support_request.reference.lower()} ")
        == support_request
    )
    assert queue_selectors.request_by_reference(member, "ACC-1999-00001") is None
    assert queue_selectors.request_by_reference(member, "") is None


@pytest.mark.parametrize("text", ["\x00", "ACC-2011-0000\x00", "ACC-2011-0000²", "x" * 100_000])
def test_request_by_reference_finds_nothing_for_a_malformed_reference(member, text):
    # A NUL byte reached the query (the problem page's detach form): PostgreSQL refused it.
    SupportRequestFactory()
    assert queue_selectors.request_by_reference(member, text) is None


def test_request_by_reference_respects_what_the_user_may_see(agent):
    other_ddi_request = SupportRequestFactory()
    assert queue_selectors.request_by_reference(agent, other_ddi_request.reference) is None


def test_requests_for_bulk(member):
    first, second = SupportRequestFactory.create_batch(2)
    assert list(queue_selectors.requests_for_bulk(member, [second.pk, first.pk, 0])) == [
        first,
        second,
    ]


def test_last_editor_is_the_author_of_the_latest_event(member):
    support_request = SupportRequestFactory()
    assert queue_selectors.last_editor(support_request) is None
    EventFactory(request=support_request)
    EventFactory(request=support_request, actor=member, new_value=Status.RESOLVED)
    assert queue_selectors.last_editor(support_request) == member

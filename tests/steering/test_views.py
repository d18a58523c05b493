"""The pilot's dashboards as pages: filters in the URL, sections, drill-down links,
exports, the cache that stays right after every change, and a fixed query count."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accompagnement.axes.models import Axis
from accompagnement.support.enums import Status
from accompagnement.support.services.requests import support_request_transition
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.campaigns.factories import MilestoneFactory
from tests.ddi.factories import DDIFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/pilotage/",
    "/pilotage/qualite/",
    "/pilotage/carte/",
    "/pilotage/campagne/",
    "/pilotage/charge/",
]


@pytest.fixture
def pilot_client(client):
    client.force_login(TeamMemberFactory(user=UserFactory(pilot=True)).user)
    return client


def file_requests(count, *, ddi=None, created_at=None, **fields):
    ddi = ddi or DDIFactory()
    requester = UserFactory(ddi=ddi)
    return [
        SupportRequestFactory(
            requester=requester, created_at=created_at or timezone.now(), **fields
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("url", PAGES)
def test_every_view_answers_with_its_sections(pilot_client, url):
    file_requests(3)
    response = pilot_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Appliquer les filtres" in body
    assert response.context["sections"], url
    for section in response.context["sections"]:
        assert f'id="titre-{section.table.key}"' in body


def test_key_figures_and_drill_down_links(pilot_client):
    today = timezone.localdate()
    file_requests(4, axis=Axis.TOOL)
    file_requests(1, created_at=timezone.now() - timedelta(days=400))
    response = pilot_client.get("/pilotage/")
    figures = {figure["label"]: figure for figure in response.context["figures"]}
    opened = figures["demandes déposées sur la période"]
    assert opened["text"] == "4"
    assert "/equipe/file/?" in opened["url"]
    assert f"created_from={today.replace(day=1).isoformat()}" in opened["url"]
    # Following the link shows the same four requests in the queue.
    queue = pilot_client.get(opened["url"])
    assert queue.context["page"].paginator.count == 4


def test_first_responses_drill_down_to_the_same_requests(pilot_client):
    answered = file_requests(3)
    file_requests(2)
    for support_request in answered:
        support_request.first_response_at = timezone.now()
        support_request.first_response_days = 0
        support_request.save()
    response = pilot_client.get("/pilotage/qualite/")
    [section] = [s for s in response.context["sections"] if s.table.key == "durations"]
    first = section.table.rows[0][1]
    assert first.value == 3
    queue = pilot_client.get(first.url)
    assert queue.context["page"].paginator.count == 3
    assert {r.pk for r in queue.context["page"]} == {r.pk for r in answered}


def test_filters_sit_in_the_url_and_narrow_every_figure(pilot_client):
    ddt, ddpp = DDIFactory(kind="DDT"), DDIFactory(kind="DDPP")
    file_requests(2, ddi=ddt)
    file_requests(5, ddi=ddpp)
    response = pilot_client.get("/pilotage/", {"period": "debut", "ddi_kind": "DDT"})
    figures = {figure["label"]: figure["text"] for figure in response.context["figures"]}
    assert figures["demandes déposées sur la période"] == "2"
    # Links to the other views and to the exports keep the filters.
    body = response.content.decode()
    assert "/pilotage/qualite/?period=debut&amp;ddi_kind=DDT" in body
    assert "/pilotage/export/activite/by_axis.csv?period=debut&amp;ddi_kind=DDT" in body


def test_a_custom_period_and_bad_input(pilot_client):
    file_requests(1, created_at=datetime(2011, 12, 5, 10, tzinfo=UTC))
    file_requests(1, created_at=datetime(2012, 2, 5, 10, tzinfo=UTC))
    response = pilot_client.get(
        "/pilotage/", {"period": "dates", "start": "2011-12-01", "end": "2011-12-31"}
    )
    figures = {figure["label"]: figure["text"] for figure in response.context["figures"]}
    assert figures["demandes déposées sur la période"] == "1"
    bad = pilot_client.get(
        "/pilotage/", {"period": "dates", "start": "2012-01-31", "end": "2011-12-01"}
    )
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "Le dernier jour doit suivre le premier." in body
    assert bad.context["scope"].period == "mois"  # the default, announced in the alert
    nonsense = pilot_client.get("/pilotage/", {"region": "abc", "period": "jamais"})
    assert nonsense.status_code == 200
    assert "Certains filtres ne sont pas valables" in nonsense.content.decode()


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("start", "end"),
    [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02"), ("2011-12-01", "3000-01-01")],
)
def test_days_out_of_range_fall_back_to_the_default_period_in_french(pilot_client, url, start, end):
    # The day after 9999-12-31 and 0001-01-01 in UTC overflowed (500).
    file_requests(1)
    response = pilot_client.get(url, {"period": "dates", "start": start, "end": end})
    assert response.status_code == 200
    assert "Indiquez une date entre le 01/01/1900 et le 31/12/2999." in response.content.decode()
    assert response.context["scope"].period == "mois"


@pytest.mark.parametrize("campaign", ["²", "١", "-1", "9" * 30, "abc"])
def test_a_campaign_that_is_not_a_number_shows_the_closing_campaign(pilot_client, campaign):
    # `"²".isdigit()` is true and `int("²")` fails (500).
    response = pilot_client.get("/pilotage/campagne/", {"campaign": campaign})
    assert response.status_code == 200
    assert response.context["sections"]


def test_the_cached_tables_follow_every_change_of_a_request(pilot_client):
    member = TeamMemberFactory().user
    (request,) = file_requests(1, status=Status.IN_PROGRESS, assignee=member)

    def figures():
        response = pilot_client.get("/pilotage/")
        return {figure["label"]: figure["text"] for figure in response.context["figures"]}

    assert figures()["demandes résolues sur la période"] == "0"
    assert figures()["demandes ouvertes aujourd’hui"] == "1"  # served from the cache
    support_request_transition(request=request, user=member, to_status=Status.RESOLVED)
    after = figures()
    assert after["demandes résolues sur la période"] == "1"
    assert after["demandes ouvertes aujourd’hui"] == "0"
    file_requests(1)
    assert figures()["demandes déposées sur la période"] == "2"


def test_the_dashboard_still_answers_when_the_cache_is_down(pilot_client, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    file_requests(2)
    response = pilot_client.get("/pilotage/")
    assert response.status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_the_data(pilot_client, url):
    from django.core.cache import cache

    category = CategoryFactory()
    file_requests(2, category=category)
    cache.clear()
    pilot_client.get(url)  # warms the reference lists
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        pilot_client.get(url)
    for _ in range(3):
        file_requests(
            5,
            category=CategoryFactory(),
            status=Status.IN_PROGRESS,
            assignee=TeamMemberFactory().user,
        )
    cache.clear()
    pilot_client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        pilot_client.get(url)
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


# SQL queries per view: (nothing cached, tables and reference lists cached). Cold: session
# and user (2), the filters' reference lists (3), then the view's own: activity: the cache
# fingerprint 1, key figures 2, tables 9; quality: 1 + 1 + 4; map: fingerprints of the
# requests and of the people 3, table 3; campaign: 7 and the list of campaigns 1 (never
# cached); team: 3 (never cached). Warm: session, user, the fingerprints and the
# never-cached queries.
QUERY_COUNTS = {
    "/pilotage/": (17, 3),
    "/pilotage/qualite/": (11, 3),
    "/pilotage/carte/": (11, 5),
    "/pilotage/campagne/": (13, 10),
    "/pilotage/charge/": (8, 5),
}


@pytest.mark.parametrize(("url", "counts"), QUERY_COUNTS.items())
def test_the_query_counts_are_pinned(pilot_client, django_assert_num_queries, url, counts):
    from django.core.cache import cache

    cold, warm = counts
    file_requests(3)
    MilestoneFactory(needs_acknowledgement=True, due_date=timezone.localdate())
    pilot_client.get(url)
    cache.clear()
    with django_assert_num_queries(cold):
        pilot_client.get(url)
    with django_assert_num_queries(warm):
        pilot_client.get(url)


def test_table_exports_in_csv_and_xlsx(pilot_client):
    file_requests(3, axis=Axis.TOOL)
    response = pilot_client.get("/pilotage/export/activite/by_axis.csv", {"period": "debut"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Axe"
    assert rows[1][:2] == ["Maîtrise de l'outil Chorus", "3"]
    response = pilot_client.get("/pilotage/export/activite/by_axis.xlsx", {"period": "debut"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.cell(1, 1).value == "Axe"
    assert sheet.cell(2, 2).value == 3


def test_the_requests_export_keeps_the_filters(pilot_client):
    ddt, ddpp = DDIFactory(kind="DDT"), DDIFactory(kind="DDPP")
    kept = file_requests(2, ddi=ddt)
    file_requests(3, ddi=ddpp)
    response = pilot_client.get(
        "/pilotage/export/demandes.csv", {"period": "debut", "ddi_kind": "DDT"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Référence"
    assert sorted(row[0] for row in rows[1:]) == sorted(r.reference for r in kept)


def test_the_cached_tables_forget_a_deleted_request(pilot_client):
    first, second = file_requests(2)

    def opened():
        response = pilot_client.get("/pilotage/")
        figures = {figure["label"]: figure["text"] for figure in response.context["figures"]}
        return figures["demandes déposées sur la période"]

    assert opened() == "2"
    first.delete()  # not the newest: only the generation tells
    assert opened() == "1"


def test_the_cached_map_follows_the_agents(pilot_client):
    ddi = DDIFactory()
    file_requests(2, ddi=ddi)
    agents = [UserFactory(ddi=ddi) for _ in range(3)]  # 4 active agents with the requester

    def rate():
        response = pilot_client.get("/pilotage/carte/")
        table = response.context["sections"][0].table
        row = next(r for r in table.as_dicts() if r["code"] == ddi.department.code)
        return row["agents"]

    assert rate() == 4
    agents[0].is_active = False
    agents[0].save()
    assert rate() == 3

"""The shared queue (`/equipe/file/`): access, filters, search, sorts, pagination,
query budget, saved filters and bulk actions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.support.enums import EventKind, MessageKind, Priority, Status
from accompagnement.support.forms.team import queue_query_string
from accompagnement.support.models import Event, Message, SupportRequest
from accompagnement.support.services.requests import support_request_update_search
from accompagnement.support.sla import due_dates
from accompagnement.support.team_models import SavedFilter
from ddi.enums import DDIKind
from ddi.models import DDI, Department, ServiceCentre
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.ddi.factories import (
    DDIFactory,
    DepartmentFactory,
    MinistryFactory,
    ProgrammeFactory,
    RegionFactory,
    ServiceCentreFactory,
)
from tests.support.factories import CategoryFactory, MessageFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = "/equipe/file/"


def references(response) -> list[str]:
    return [support_request.reference for support_request in response.context["page"]]


def get_queue(client, **params):
    response = client.get(QUEUE_URL, params)
    assert response.status_code == 200
    return response


# ---------------------------------------------------------------------------- access


def test_url_names():
    assert reverse("support:queue") == QUEUE_URL


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", QUEUE_URL),
        ("post", "/equipe/file/actions/"),
        ("post", "/equipe/file/filtres/"),
        ("post", "/equipe/file/filtres/1/supprimer/"),
    ],
)
def test_agent_is_refused(client, agent, method, url):
    client.force_login(agent)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("role", ["member", "pilot"])
def test_team_opens_the_queue(client, users_by_role, role):
    client.force_login(users_by_role[role])
    response = get_queue(client)
    assert "support/queue.html" in [t.name for t in response.templates]


# ---------------------------------------------------------------------------- filters


@pytest.fixture
def world(member):
    """Four requests that differ on every filterable dimension."""
    region_a, region_b = RegionFactory(name="Provence"), RegionFactory(name="Bretagne")
    department_a = DepartmentFactory(region=region_a, name="Var")
    department_b = DepartmentFactory(region=region_b, name="Finistère")
    ddi_a = DDIFactory(kind=DDIKind.DDPP, department=department_a)
    ddi_b = DDIFactory(kind=DDIKind.DDT, department=department_b)
    agent_a, agent_b = UserFactory(ddi=ddi_a), UserFactory(ddi=ddi_b)
    ministry = MinistryFactory()
    programme_1, programme_2 = ProgrammeFactory(ministry=ministry), ProgrammeFactory()
    csp_1, csp_2 = ServiceCentreFactory(), ServiceCentreFactory()
    tool = CategoryFactory(axis="tool")
    process = CategoryFactory(axis="process")
    other_member = TeamMemberFactory().user
    r1 = SupportRequestFactory(
        requester=agent_a,
        axis="tool",
        category=tool,
        programme=programme_1,
        service_centre=csp_1,
        priority=Priority.URGENT,
        title="Restitution INF-BUD-53 vide",
    )
    r2 = SupportRequestFactory(
        requester=agent_b,
        axis="process",
        category=process,
        programme=programme_2,
        service_centre=csp_2,
        priority=Priority.LOW,
        status=Status.IN_PROGRESS,
        assignee=member,
        title="Circuit de la dépense",
        body="Qui saisit le service fait ?",
    )
    r3 = SupportRequestFactory(
        requester=agent_a,
        axis="tool",
        category=tool,
        priority=Priority.HIGH,
        waiting=True,
        overdue=True,
        assignee=other_member,
        title="Habilitations Chorus Formulaires",
    )
    r4 = SupportRequestFactory(requester=agent_b, axis="tool", category=tool, resolved=True)
    return {
        "r": (r1, r2, r3, r4),
        "regions": (region_a, region_b),
        "departments": (department_a, department_b),
        "ddis": (ddi_a, ddi_b),
        "programmes": (programme_1, programme_2),
        "csps": (csp_1, csp_2),
        "categories": (tool, process),
        "other_member": other_member,
    }


def test_default_is_every_open_request(client, member, world):
    r1, r2, r3, _r4 = world["r"]
    client.force_login(member)
    assert set(references(get_queue(client))) == {r1.reference, r2.reference, r3.reference}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda w: {"status": "resolved"}, [4]),
        (lambda w: {"status": "finished"}, [4]),
        (lambda w: {"status": "all"}, [1, 2, 3, 4]),
        (lambda w: {"status": "waiting_ddi"}, [3]),
        (lambda w: {"axis": "process"}, [2]),
        (lambda w: {"category": w["categories"][1].pk}, [2]),
        (lambda w: {"ddi_kind": "DDT"}, [2]),
        (lambda w: {"region": w["regions"][0].pk}, [1, 3]),
        (lambda w: {"department": w["departments"][1].pk}, [2]),
        (lambda w: {"ddi": w["ddis"][0].pk}, [1, 3]),
        (lambda w: {"csp": w["csps"][0].pk}, [1]),
        (lambda w: {"programme": w["programmes"][1].pk}, [2]),
        (lambda w: {"priority": "urgent"}, [1]),
        (lambda w: {"assignee": w["other_member"].pk}, [3]),
        (lambda w: {"unassigned": "on"}, [1]),
        (lambda w: {"mine": "on"}, [2]),
        (lambda w: {"overdue": "on"}, [3]),  # the former "En retard" box: breached
        (lambda w: {"sla": "breached"}, [3]),
        (lambda w: {"sla": "on_time"}, [1, 2]),
        (lambda w: {"sla": "approaching"}, []),
        (lambda w: {"sla": "paused"}, []),
        (lambda w: {"sla": "breached", "status": "all"}, [3]),
        (lambda w: {"ddi": w["ddis"][0].pk, "priority": "high"}, [3]),
        (lambda w: {"status": "all", "ddi_kind": "DDT"}, [2, 4]),
    ],
)
def test_each_filter_narrows(client, member, world, params, expected):
    client.force_login(member)
    response = get_queue(client, **params(world))
    assert set(references(response)) == {world["r"][i - 1].reference for i in expected}


def test_first_response_received_or_not(client, member):
    now = timezone.now()
    answered = SupportRequestFactory(first_response_at=now, status=Status.CLOSED)
    waiting = SupportRequestFactory()
    client.force_login(member)
    assert references(get_queue(client, status="all", answered="oui")) == [answered.reference]
    assert references(get_queue(client, status="all", answered="non")) == [waiting.reference]
    assert len(references(get_queue(client, status="all"))) == 2


def test_an_unknown_choice_is_ignored_and_reported(client, member, world):
    client.force_login(member)
    response = get_queue(client, ddi="999999")
    assert len(references(response)) == 3
    assert response.context["queue_filter"].form.errors["ddi"]


@pytest.mark.parametrize(
    "name", ["created_from", "created_to", "resolved_from", "resolved_to", "open_on"]
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_a_day_out_of_range_is_ignored_and_reported_in_french(client, member, world, name, day):
    # A day added to 9999-12-31 overflowed (500), and so did 0001-01-01 in UTC.
    client.force_login(member)
    response = get_queue(client, **{name: day})
    assert len(references(response)) == 3
    assert response.context["queue_filter"].form.errors[name] == [
        "Indiquez une date entre le 01/01/1900 et le 31/12/2999."
    ]


def test_the_first_and_last_days_of_the_range_are_accepted(client, member, world):
    client.force_login(member)
    response = get_queue(client, created_from="1900-01-01", created_to="2999-12-31")
    assert len(references(response)) == 3
    assert not response.context["queue_filter"].form.errors


# ---------------------------------------------------------------------------- the filter block
# Kept in the cache under a digest of what it shows (accompagnement/core/fragments.py).


def filter_block(response) -> str:
    html = response.content.decode()
    return html[html.index('aria-label="Filtres de la file"') : html.index("Appliquer les filtres")]


def test_the_filter_block_is_rendered_once_for_the_same_filters(client, member, world, monkeypatch):
    from crispy_forms.templatetags.crispy_forms_tags import CrispyFormNode

    client.force_login(member)
    first = filter_block(get_queue(client, priority="urgent"))

    def not_again(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(CrispyFormNode, "render", not_again)
    assert filter_block(get_queue(client, priority="urgent", page="1")) == first
    with pytest.raises(AssertionError, match="rendered again"):
        get_queue(client, priority="high")


def test_the_filter_block_shows_the_filters_asked_for(client, member, world):
    client.force_login(member)
    urgent = filter_block(get_queue(client, priority="urgent"))
    high = filter_block(get_queue(client, priority="high"))
    assert '<option value="urgent" selected>' in urgent
    assert '<option value="high" selected>' in high
    assert '<option value="urgent" selected>' not in high


def test_the_filter_block_follows_the_team_and_the_reference_data(client, member, world):
    from accompagnement.support.selectors.queue import reference_choices_forget

    client.force_login(member)
    before = filter_block(get_queue(client))
    newcomer = TeamMemberFactory(user__first_name="Apolline", user__last_name="Nouvelle").user
    assert "Apolline Nouvelle" not in before
    assert "Apolline Nouvelle" in filter_block(get_queue(client))
    newcomer.is_active = False
    newcomer.save(update_fields=["is_active"])
    assert "Apolline Nouvelle" not in filter_block(get_queue(client))

    CategoryFactory(name="Catégorie ajoutée au référentiel")
    reference_choices_forget()  # as `load_reference_data` does
    assert "Catégorie ajoutée au référentiel" in filter_block(get_queue(client))


def test_the_filters_still_show_when_the_cache_is_down(client, member, world, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "set", broken)
    client.force_login(member)
    response = get_queue(client, priority="urgent")
    assert '<option value="urgent" selected>' in filter_block(response)
    assert len(references(response)) == 1


def test_rows_show_what_the_team_needs(client, member, world):
    r1, r2, r3, _r4 = world["r"]
    client.force_login(member)
    html = get_queue(client).content.decode()
    assert f'href="/demandes/{r1.reference}/"' in html
    assert r1.title in html
    assert r1.ddi.acronym in html
    assert world["categories"][0].name in html
    assert "Urgente" in html
    assert "En attente de la DDI" in html
    assert member.get_full_name() in html
    assert html.count("Échéance dépassée</p>") == 1  # r3 only
    assert html.count("Dans les délais</p>") == 2  # r1 and r2; r4 is resolved
    assert f'value="{r2.pk}:{r2.version}"' in html


@pytest.fixture
def clocks(db):
    """One open request in each state of the team's clock, and a resolved one."""
    now = timezone.now()
    return {
        "on_time": SupportRequestFactory(title="Tout juste déposée"),
        "approaching": SupportRequestFactory(
            title="Bientôt due",
            first_response_warning_at=now - timedelta(minutes=5),
            first_response_due=now + timedelta(hours=1),
        ),
        "breached": SupportRequestFactory(title="Due depuis longtemps", overdue=True),
        "paused": SupportRequestFactory(title="Attend la DDI", status=Status.WAITING_DDI),
        "finished": SupportRequestFactory(title="Résolue", overdue=True, resolved=True),
    }


@pytest.mark.parametrize("state", ["on_time", "approaching", "breached", "paused"])
def test_a_filter_for_each_state_of_the_clock(client, member, clocks, state):
    client.force_login(member)
    response = get_queue(client, sla=state, status="all")
    assert references(response) == [clocks[state].reference]
    assert f'<option value="{state}" selected>' in filter_block(response)


def test_each_row_shows_the_state_of_its_clock(client, member, clocks):
    client.force_login(member)
    html = get_queue(client, status="all").content.decode()
    labels = {
        "on_time": "Dans les délais",
        "approaching": "Échéance proche",
        "breached": "Échéance dépassée",
        "paused": "Horloge suspendue",
    }
    rows = {
        name: html[html.index(f"{request.reference}</a>") :].split("</tr>")[0]
        for name, request in clocks.items()
    }
    for name, label in labels.items():
        assert f"{label}</p>" in rows[name], name
        assert all(f"{other}</p>" not in rows[name] for other in set(labels.values()) - {label})
    assert not any(f"{label}</p>" in rows["finished"] for label in labels.values())


def test_the_former_overdue_box_still_filters_breached_requests(client, member, clocks):
    client.force_login(member)
    response = get_queue(client, overdue="on")
    assert references(response) == [clocks["breached"].reference]
    assert '<option value="breached" selected>' in filter_block(response)


# ---------------------------------------------------------------------------- search


@pytest.fixture
def searchable(db):
    first = SupportRequestFactory(
        title="Restitution des engagements juridiques",
        body="Le tableau de bord reste vide depuis la bascule.",
    )
    second = SupportRequestFactory(title="Chorus Formulaires", body="Formulaire bloqué.")
    MessageFactory(request=second, body="Le gestionnaire du centre de services répond demain.")
    third = SupportRequestFactory(title="Paiement", body="Demande de paiement rejetée.")
    for support_request in (first, second, third):
        support_request_update_search(support_request)
    return first, second, third


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("engagements", 0),  # a word of the title
        ("bascule", 0),  # a word of the body
        ("gestionnaire", 1),  # a word of a message
        ("paiement", 2),
    ],
)
def test_search_finds_words(client, member, searchable, text, expected):
    client.force_login(member)
    assert references(get_queue(client, q=text)) == [searchable[expected].reference]


def test_search_finds_by_reference(client, member, searchable):
    client.force_login(member)
    reference = searchable[1].reference
    assert references(get_queue(client, q=reference)) == [reference]
    assert references(get_queue(client, q=reference.lower())) == [reference]


def test_search_needs_every_word(client, member, searchable):
    client.force_login(member)
    assert references(get_queue(client, q="paiement rejetée")) == [searchable[2].reference]
    assert references(get_queue(client, q="paiement engagements")) == []


def test_search_combines_with_filters(client, member, searchable):
    client.force_login(member)
    assert references(get_queue(client, q="paiement", status="resolved")) == []


def test_french_stemming_on_postgresql(client, member, searchable):
    if connection.vendor != "postgresql":
        pytest.skip("French stemming needs PostgreSQL's full-text search")
    client.force_login(member)
    # Plural finds singular and the other way round, thanks to the French dictionary.
    assert references(get_queue(client, q="restitutions")) == [searchable[0].reference]
    assert references(get_queue(client, q="engagement juridique")) == [searchable[0].reference]
    assert references(get_queue(client, q="formulaires")) == [searchable[1].reference]


# ---------------------------------------------------------------------------- sorts, pages


@pytest.fixture
def ranked(db):
    now = timezone.now()
    rows = []
    for days, priority, activity in [
        (3, "low", 1),
        (2, "urgent", 9),
        (1, "normal", 5),
        (4, "high", 2),
    ]:
        rows.append(
            SupportRequestFactory(
                created_at=now - timedelta(days=days),
                last_activity_at=now - timedelta(hours=activity),
                priority=priority,
            )
        )
    return rows


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", [2, 1, 0, 3]),  # newest first
        ("-created", [2, 1, 0, 3]),
        ("created", [3, 0, 1, 2]),
        ("-priority", [1, 3, 2, 0]),  # urgent > high > normal > low
        ("priority", [0, 2, 3, 1]),
        ("-activity", [0, 3, 2, 1]),
        ("activity", [1, 2, 3, 0]),
    ],
)
def test_sorts(client, member, ranked, sort, order):
    client.force_login(member)
    assert references(get_queue(client, sort=sort)) == [ranked[i].reference for i in order]


def test_sort_by_due_date(client, member, ranked):
    client.force_login(member)
    by_due = sorted(ranked, key=lambda r: r.resolution_due)
    assert references(get_queue(client, sort="due")) == [r.reference for r in by_due]
    assert references(get_queue(client, sort="-due")) == [r.reference for r in reversed(by_due)]


def test_unknown_sort_falls_back_to_newest_first(client, member, ranked):
    client.force_login(member)
    assert references(get_queue(client, sort="nope")) == [ranked[i].reference for i in (2, 1, 0, 3)]


def bulk_requests(count: int, *, requesters, categories, start: int = 1, **fields):
    """Many requests at once (factories are too slow for hundreds)."""
    now = timezone.now()
    first_due, resolution_due = due_dates(Priority.NORMAL, now)
    priorities = list(Priority.values)
    statuses = [Status.NEW, Status.IN_PROGRESS, Status.WAITING_DDI, Status.RESOLVED]
    built = []
    for number in range(start, start + count):
        requester = requesters[number % len(requesters)]
        category = categories[number % len(categories)]
        values = {
            "reference": f"ACC-2012-{number:05d}",
            "ddi_id": requester.ddi_id,
            "requester": requester,
            "axis": category.axis,
            "category": category,
            "title": f"Demande en nombre {number}",
            "body": "Restitution incomplète." if number % 2 else "Paiement bloqué.",
            "priority": priorities[number % len(priorities)],
            "status": statuses[number % len(statuses)],
            "created_at": now - timedelta(minutes=number),
            "last_activity_at": now - timedelta(minutes=number),
            "first_response_due": first_due - timedelta(days=number % 30),
            "resolution_due": resolution_due - timedelta(days=number % 30),
        }
        values.update(fields)
        built.append(SupportRequest(**values))
    return SupportRequest.objects.bulk_create(built)


def test_pagination_50_per_page(client, member):
    agent = UserFactory()
    bulk_requests(120, requesters=[agent], categories=[CategoryFactory()], status=Status.NEW)
    client.force_login(member)
    first = get_queue(client, sort="-created")
    assert len(references(first)) == 50
    assert references(first)[0] == "ACC-2012-00001"
    html = first.content.decode()
    assert 'class="fr-pagination__list"' in html
    assert "120 demandes" in html
    third = get_queue(client, sort="-created", page=3)
    assert len(references(third)) == 20
    assert references(third)[-1] == "ACC-2012-00120"
    # The page links keep the filters.
    assert "sort=-created" in third.content.decode().split('class="fr-pagination__list"')[1]
    # Out of range: the last page, not an error.
    assert references(get_queue(client, page=99)) == references(third)


def test_beyond_the_count_cap_the_queue_says_more_than(client, member, monkeypatch):
    """The count stops at the cap (10,000 in production, 100 here)."""
    monkeypatch.setattr("accompagnement.support.selectors.queue.QUEUE_COUNT_CAP", 100)
    agent = UserFactory()
    bulk_requests(120, requesters=[agent], categories=[CategoryFactory()], status=Status.NEW)
    client.force_login(member)
    first = get_queue(client, sort="-created")
    html = first.content.decode()
    assert "Plus de 100 demandes" in html
    assert "120 demandes" not in html
    assert "page 1 sur 2" in html
    assert 'id="file-plafonnee"' in html
    # The last page is the cap's: rows 51 to 100 in the chosen order; asking for more
    # gives that page, not an error.
    second = get_queue(client, sort="-created", page=2)
    assert len(references(second)) == 50
    assert references(second)[-1] == "ACC-2012-00100"
    assert references(get_queue(client, sort="-created", page=3)) == references(second)
    # Another sort reaches the others.
    assert references(get_queue(client, sort="created"))[0] == "ACC-2012-00120"
    # Under the cap, the exact count.
    narrowed = get_queue(client, q="ACC-2012-00007").content.decode()
    assert "1 demande" in narrowed
    assert 'id="file-plafonnee"' not in narrowed


@pytest.fixture
def big_queue(member):
    """500+ requests over many DDIs, CSPs, programmes and members, with messages."""
    departments = Department.objects.bulk_create(
        [DepartmentFactory.build(code=f"{n:02d}", region=RegionFactory()) for n in range(1, 31)]
    )
    ddis = DDI.objects.bulk_create(
        [
            DDI(kind=kind, department=department, name=f"{kind} {department.name}")
            for department in departments
            for kind in (DDIKind.DDT, DDIKind.DDPP)
        ]
    )
    ServiceCentre.objects.bulk_create(
        [ServiceCentreFactory.build(ministry=MinistryFactory()) for _ in range(30)]
    )
    for _ in range(10):
        ProgrammeFactory()
        TeamMemberFactory()
    requesters = [UserFactory(ddi=ddi) for ddi in ddis[:20]]
    categories = [CategoryFactory(axis="tool"), CategoryFactory(axis="process")]
    created = bulk_requests(520, requesters=requesters, categories=categories)
    assignees = [member, *[m.user for m in TeamMemberFactory.create_batch(3)]]
    for index, support_request in enumerate(created[::3]):
        support_request.assignee = assignees[index % len(assignees)]
    SupportRequest.objects.bulk_update(created[::3], ["assignee"])
    Message.objects.bulk_create(
        Message(
            request=support_request,
            author=support_request.requester,
            kind=MessageKind.PUBLIC,
            body="Relance au sujet de la restitution",
        )
        for support_request in created[::5]
    )
    return created


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "all", "sort": "-priority"},
        {"q": "restitution", "axis": "tool", "overdue": "on", "sort": "due"},
        {"sla": "approaching", "status": "all", "sort": "due"},
        {"q": "relance", "ddi_kind": "DDT", "unassigned": "on", "priority": "high"},
        {"mine": "on", "status": "in_progress", "sort": "-activity", "page": "2"},
    ],
)
def test_query_budget_whatever_the_data_size(
    client, member, big_queue, django_assert_max_num_queries, params
):
    """DESIGN §7: at most 10 queries, cold cache included; fewer once the choices are cached."""
    client.force_login(member)
    for _ in ("cold cache", "warm cache"):
        with django_assert_max_num_queries(10):
            get_queue(client, **params)


def test_query_count_is_the_same_for_1_and_50_rows(client, member, big_queue):
    client.force_login(member)
    get_queue(client)  # fills the choice cache
    with CaptureQueriesContext(connection) as many:
        assert len(references(get_queue(client))) == 50
    with CaptureQueriesContext(connection) as one:
        assert len(references(get_queue(client, q="ACC-2012-00001", status="all"))) == 1
    assert len(many) == len(one)


# ---------------------------------------------------------------------------- saved filters


def save_filter(client, name, query):
    return client.post("/equipe/file/filtres/", {"name": name, "query": query})


def test_member_saves_lists_and_deletes_a_filter(client, member):
    client.force_login(member)
    response = save_filter(client, "Mes urgences", "priority=urgent&axis=&page=3&mine=on")
    assert response.status_code == 302
    saved = SavedFilter.objects.get(owner=member)
    # Empty parameters and the page number are not kept.
    assert saved.query == "priority=urgent&mine=on"
    assert response.url == f"{QUEUE_URL}?priority=urgent&mine=on"

    html = get_queue(client).content.decode()
    assert "Mes urgences" in html
    assert 'href="?priority=urgent&amp;mine=on"' in html

    response = client.post(f"/equipe/file/filtres/{saved.pk}/supprimer/")
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()


def test_filter_names_are_unique_per_member_ignoring_case(client, member):
    client.force_login(member)
    save_filter(client, "Urgentes", "priority=urgent")
    response = save_filter(client, "URGENTES", "priority=high")
    assert SavedFilter.objects.count() == 1
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("déjà un filtre nommé" in m for m in messages)
    # Another member may use the same name.
    other = TeamMemberFactory().user
    client.force_login(other)
    save_filter(client, "urgentes", "priority=low")
    assert SavedFilter.objects.count() == 2


def test_a_member_never_sees_nor_deletes_another_members_filters(client, member):
    other = TeamMemberFactory().user
    theirs = SavedFilter.objects.create(owner=other, name="Filtre d’un collègue", query="axis=tool")
    client.force_login(member)
    assert "Filtre d’un collègue" not in get_queue(client).content.decode()
    response = client.post(f"/equipe/file/filtres/{theirs.pk}/supprimer/")
    assert response.status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()


# ---------------------------------------------------------------------------- bulk actions


def bulk(client, action, requests, **data):
    # The versions the member saw: those of the instances, whatever the database holds now.
    selection = [f"{r.pk}:{r.version}" for r in requests]
    return client.post(
        "/equipe/file/actions/",
        {"selection": selection, "action": action, "query": "axis=tool", **data},
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_bulk_assign_reports_the_requests_changed_in_between(client, member):
    first, second, third = SupportRequestFactory.create_batch(3)
    colleague = TeamMemberFactory().user
    # `second` changed after the member displayed the queue.
    SupportRequest.objects.filter(pk=second.pk).update(version=second.version + 1)
    client.force_login(member)
    response = bulk(client, "assign", [first, second, third], assignee=str(colleague.pk))

    assert response.status_code == 302
    assert response.url == f"{QUEUE_URL}?axis=tool"
    assigned = dict(SupportRequest.objects.values_list("reference", "assignee_id"))
    assert assigned == {
        first.reference: colleague.pk,
        second.reference: None,
        third.reference: colleague.pk,
    }
    assert Event.objects.filter(kind=EventKind.ASSIGNED).count() == 2
    texts = messages_of(response)
    assert "2 demandes modifiées." in texts
    assert any(second.reference in t and "modifiée entre-temps" in t for t in texts)
    assert not any(first.reference in t for t in texts)


def test_bulk_assign_to_me(client, member):
    support_request = SupportRequestFactory()
    client.force_login(member)
    bulk(client, "assign", [support_request], assignee="me")
    support_request.refresh_from_db()
    assert support_request.assignee == member


def test_bulk_status_goes_through_the_transition_table(client, member):
    new = SupportRequestFactory()
    waiting = SupportRequestFactory(waiting=True)
    closed = SupportRequestFactory(status=Status.CLOSED)  # closed → resolved is not allowed
    stale = SupportRequestFactory(assigned=True)
    SupportRequest.objects.filter(pk=stale.pk).update(version=stale.version + 3)
    client.force_login(member)
    response = bulk(client, "status", [new, waiting, closed, stale], status="resolved")

    statuses = dict(SupportRequest.objects.values_list("reference", "status"))
    assert statuses[new.reference] == Status.RESOLVED
    assert statuses[waiting.reference] == Status.RESOLVED
    assert statuses[closed.reference] == Status.CLOSED
    assert statuses[stale.reference] == Status.IN_PROGRESS
    assert Event.objects.filter(kind=EventKind.STATUS, new_value="resolved").count() == 2
    texts = messages_of(response)
    assert "2 demandes modifiées." in texts
    [failure] = [t for t in texts if "n’ont pas été modifiées" in t]
    assert closed.reference in failure and "Impossible de passer" in failure
    assert stale.reference in failure and "modifiée entre-temps" in failure


def test_bulk_needs_a_selection_and_a_target(client, member):
    support_request = SupportRequestFactory()
    client.force_login(member)
    response = client.post("/equipe/file/actions/", {"action": "status", "status": "resolved"})
    assert any("Cochez au moins une demande" in t for t in messages_of(response))
    response = bulk(client, "status", [support_request])
    assert any("Choisissez le nouveau statut" in t for t in messages_of(response))
    support_request.refresh_from_db()
    assert support_request.status == Status.NEW


def test_problem_grouping_is_a_bulk_action(client, member, world):
    client.force_login(member)
    html = get_queue(client).content.decode()
    assert "bientôt disponible" not in html
    assert f'formaction="{reverse("problems:create_from_queue")}"' in html
    assert "Grouper en problème" in html


def test_query_string_helper_drops_page_and_empty_values():
    data = QueryDict("q=&status=open&page=4&axis=tool&axis=process")
    assert queue_query_string(data) == "status=open&axis=tool&axis=process"
    assert queue_query_string(QueryDict("")) == ""

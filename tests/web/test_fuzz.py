"""Random input on every page and form: never a server error, never a payload that runs.

Hypothesis draws the values; the profile sets how many per page: `ci` under CI (the run
stays within about two minutes), `dev` otherwise, `long` on demand
(`HYPOTHESIS_PROFILE=long`) for a deeper search. Then a hostile corpus, the same explicit
list everywhere (about a minute and a half more): in each argument of every URL's path,
in every query parameter of every page, in every form, and in the admin's changelists.
"""

import os
import re
from urllib.parse import quote, urlencode

import lxml.html
import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory
from django.urls import NoReverseMatch, resolve, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accompagnement.support.models import Message, SupportRequest
from accompagnement.support.uploads import MAX_UPLOAD_SIZE
from tests.accounts.factories import UserFactory
from tests.support.factories import SupportRequestFactory
from tests.support.test_views_requests import filing
from tests.test_permission_matrix import MATRIX, build_url, world  # noqa: F401 (fixture)

_COMMON = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None}
hypothesis_settings.register_profile("dev", max_examples=4, **_COMMON)
hypothesis_settings.register_profile("ci", max_examples=4, derandomize=True, **_COMMON)
hypothesis_settings.register_profile("long", max_examples=200, **_COMMON)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

pytestmark = pytest.mark.django_db

PAYLOADS = (
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "javascript:alert(1)",
    "[lien](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
)
# Parameters that pages read without a form showing them.
EXTRA_PARAMETERS = ("page", "q", "tri", "next", "jeton", "format", "periode", "du", "au")

values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(
        PAYLOADS
        + ("", "0", "-1", "2026-02-30", "9" * 40, "%00", "../../etc")
        + ("\x00", "²", "9999-12-31", "0001-01-01", "9999-12-31T23:59", "0001-01-01T00:00")
    ),
    st.text(min_size=2000, max_size=6000, alphabet=st.characters(codec="utf-8")),
)


def _field_names(html: str) -> list[str]:
    names = re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html)
    return sorted({n for n in names if n != "csrfmiddlewaretoken"} | set(EXTRA_PARAMETERS))


def _no_server_error(response, label):
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500, (label, response.status_code)


def _roles_allowed(expected_by_role):
    return [role for role, status in expected_by_role.items() if status in (200, 302)]


def _query_fuzz(client, url, role, names):
    @given(st.dictionaries(st.sampled_from(names), values, max_size=6))
    def check(params):
        if "?" in url:  # the URL's own parameter (a feed's token) stays first
            path, own = url.split("?", 1)
            response = client.get(f"{path}?{own}&{urlencode(params)}")
        else:
            response = client.get(url, params)
        _no_server_error(response, (url, role, params))

    return check


def _form_fuzz(client, url, role, field_pool):
    @given(
        st.dictionaries(
            st.sampled_from(field_pool),
            st.one_of(values, st.lists(values, min_size=2, max_size=3)),
            max_size=10,
        )
    )
    def check(data):
        _no_server_error(client.post(url, data), (url, role, sorted(data)))

    return check


# /sante/ answers 503 by design while the worker or the beat is silent.
SKIPPED = {"health"}
GET_PAGES = [
    (name, target) for (name, target, method) in MATRIX if method == "get" and name not in SKIPPED
]
POST_URLS = [(name, target) for (name, target, method) in MATRIX if method == "post"]


@pytest.mark.parametrize(
    ("name", "target"), GET_PAGES, ids=[f"{n}[{t or '-'}]" for n, t in GET_PAGES]
)
def test_query_parameters_never_cause_a_server_error(client, world, name, target):  # noqa: F811
    url = build_url(name, target, world)
    for role in _roles_allowed(MATRIX[(name, target, "get")]):
        user = world["people"][role]
        client.logout()
        if user is not None:
            client.force_login(user)
        page = client.get(url)
        html = "" if page.streaming else page.content.decode(errors="replace")
        _no_server_error(page, (url, role))
        _query_fuzz(client, url, role, _field_names(html))()


def _form_field_pool(client, world):  # noqa: F811
    """Every field name the site's forms post (read from the pages of each role)."""
    pool = set()
    for (name, target, method), expected in MATRIX.items():
        if method != "get":
            continue
        for role in _roles_allowed(expected):
            user = world["people"][role]
            client.logout()
            if user is not None:
                client.force_login(user)
            response = client.get(build_url(name, target, world))
            if response.streaming:
                b"".join(response.streaming_content)  # closes the file
            else:
                pool.update(_field_names(response.content.decode(errors="replace")))
            break
    return sorted(pool - set(EXTRA_PARAMETERS))


_FIELD_POOL: list[str] = []


@pytest.fixture
def field_pool(client, world):  # noqa: F811
    if not _FIELD_POOL:  # the names are the same in every world: read them once
        _FIELD_POOL.extend(_form_field_pool(client, world))
    return _FIELD_POOL


@pytest.mark.parametrize(
    ("name", "target"), POST_URLS, ids=[f"{n}[{t or '-'}]" for n, t in POST_URLS]
)
def test_forms_never_cause_a_server_error(client, world, field_pool, name, target):  # noqa: F811
    url = build_url(name, target, world)
    for role in _roles_allowed(MATRIX[(name, target, "post")]):
        user = world["people"][role]
        client.logout()
        if user is not None:
            client.force_login(user)

        _form_fuzz(client, url, role, field_pool)()


# ---------------------------------------------------------------------------- stored payloads


def _assert_inert(html: str):
    """What a browser would run: script elements, on* attributes, javascript: links."""
    tree = lxml.html.fromstring(html)
    for script in tree.iter("script"):
        assert "alert(1)" not in (script.text or "")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute, value in element.attrib.items():
            assert not attribute.lower().startswith("on"), (element.tag, attribute, value)
            if attribute in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith("javascript:"), value


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_a_request_and_a_reply_are_shown_inert(client, agent, member, payload):
    client.force_login(agent)
    response = client.post(
        reverse("support:create"), filing(title=f"Titre {payload}", body=f"Texte {payload}")
    )
    assert response.status_code == 302
    support_request = SupportRequest.objects.get()
    detail = reverse("support:detail", kwargs={"reference": support_request.reference})
    reply = reverse("support:reply", kwargs={"reference": support_request.reference})
    assert (
        client.post(reply, {"body": f"Réponse {payload}", "version": support_request.version})
    ).status_code == 302
    assert Message.objects.filter(body__contains=payload).exists()
    for user, pages in (
        (agent, (detail, reverse("support:list"))),
        (member, (detail, reverse("support:queue"))),
    ):
        client.force_login(user)
        for page in pages:
            html = client.get(page).content.decode()
            assert support_request.reference in html
            _assert_inert(html)


# ---------------------------------------------------------------------------- oversize


def test_oversize_body_is_refused_in_french_and_nothing_is_stored(client, agent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(agent)
    response = client.post(reverse("support:create"), filing(body="x" * 20_000))
    assert response.status_code == 400
    assert "le contenu est trop volumineux ou mal formé" in response.content.decode()
    assert not SupportRequest.objects.exists()


def test_file_over_the_limit_in_a_reply_is_refused_and_nothing_is_sent(client, agent):
    support_request = SupportRequestFactory(requester=agent)
    client.force_login(agent)
    big = SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"0" * MAX_UPLOAD_SIZE, "application/pdf")
    response = client.post(
        reverse("support:reply", kwargs={"reference": support_request.reference}),
        {"body": "Voici le fichier", "version": support_request.version, "attachments": [big]},
    )
    assert response.status_code == 200
    assert (
        "« gros.pdf » dépasse la taille maximale de 10 Mo par fichier" in response.content.decode()
    )
    assert not Message.objects.filter(request=support_request).exists()


# ---------------------------------------------------------------------------- hostile corpus
# The same explicit list for every URL of the permission matrix, in each argument of its
# path and in its query parameters: a NUL byte (PostgreSQL refuses it), a 100 kB string,
# Unicode digits (`"²".isdigit()` is true), days at the ends of the calendar (a day added
# to 9999-12-31 overflows), numbers beyond every integer column, wrong types. Values are
# given percent-encoded, as a browser sends them; the last ones are bytes that are not
# UTF-8 at all. A list rather than random draws: each value is tried everywhere, in a
# time that does not depend on luck.

HOSTILE = [
    quote(value, safe="")
    for value in (
        "\x00",
        "ACC-2011-0000\x00",
        "x" * 100_000,
        "²",
        "9999-12-31",
        "0001-01-01",
        "-1",
        "0",
        "-99999999999999999999",
        "99999999999999999999",
        "NaN",
        "[]",
        " ",
    )
] + ["%FF%FE", "%C0%80"]

# Query parameters the pages read beside their forms' fields.
COMMON_PARAMETERS = (
    "page",
    "sort",
    "tri",
    "status",
    "period",
    "periode",
    "start",
    "end",
    "du",
    "au",
    "campaign",
    "group_by",
    "per",
    "q",
    "jeton",
    "next",
    "format",
    "telecharger",
    "perimetre",
    "state",
)

# Shapes a path argument may take (int, reference, slug, the exports' names): each is tried
# in turn until `reverse()` accepts it, and then replaced by the hostile value.
SENTINELS = ("987654321", "ACC-9876-54321", "zzfuzzzz")


def _request_collecting(client, method, url, failures, label, data=None):
    """One request; a server error is recorded (with its exception) rather than raised, and
    rolled back, so that one run reports every failing case."""
    client.raise_request_exception = False
    savepoint = transaction.savepoint()
    response = getattr(client, method)(url, data)
    if response.streaming:
        b"".join(response.streaming_content)
    if response.status_code >= 500:
        transaction.savepoint_rollback(savepoint)
        error = response.exc_info[1] if response.exc_info else None
        failures.append((label, url[:160], response.status_code, repr(error)[:300]))
    else:
        transaction.savepoint_commit(savepoint)
    return response


def _report(failures) -> str:
    return f"{len(failures)} server errors:\n" + "\n".join(map(str, failures))


def _login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


def _path_arguments(url):
    """Each argument of `url`'s path, as (url with a sentinel in its place, sentinel)."""
    path, _, query = url.partition("?")
    match = resolve(path)
    suffix = f"?{query}" if query else ""
    arguments = [("args", i) for i in range(len(match.args))] + [
        ("kwargs", key) for key in match.kwargs
    ]
    for kind, key in arguments:
        for sentinel in SENTINELS:
            args, kwargs = list(match.args), dict(match.kwargs)
            if kind == "args":
                args[key] = sentinel
            else:
                kwargs[key] = sentinel
            try:
                candidate = reverse(match.view_name, args=args or None, kwargs=kwargs or None)
            except NoReverseMatch:
                continue
            if candidate.count(sentinel) == 1:
                yield candidate + suffix, sentinel
                break
        else:  # a fixed choice (an export's format): its own text, where it is unique
            value = str(match.args[key] if kind == "args" else match.kwargs[key])
            if path.count(value) == 1:
                yield url, value


def _one_per_url(method):
    seen, cases = set(), []
    for (name, target, verb), expected in MATRIX.items():
        if verb == method and (name, target) not in seen and name not in SKIPPED:
            seen.add((name, target))
            cases.append((name, target, expected))
    return cases


def _two_roles(expected):
    """The first and the last role the URL serves (an agent and the pilot, mostly): the
    other roles take the same paths through the code."""
    allowed = _roles_allowed(expected) or ["pilot"]
    return sorted({allowed[0], allowed[-1]}, key=allowed.index)


PATH_CASES = [
    (name, target, method)
    for method in ("get", "post")
    for name, target, _ in _one_per_url(method)
    if target is not None
]


def test_hostile_path_arguments_never_cause_a_server_error(client, world):  # noqa: F811
    """Each argument of each URL's path (reference, pk, slug, token…) replaced by each
    hostile value: the raw path is built by hand, since `reverse()` would refuse them."""
    failures = []
    for name, target, method in PATH_CASES:
        url = build_url(name, target, world)
        for role in _two_roles(MATRIX[(name, target, method)]):
            _login(client, world["people"][role])
            for template, sentinel in _path_arguments(url):
                for value in HOSTILE:
                    hostile_url = template.replace(sentinel, value, 1)
                    _request_collecting(client, method, hostile_url, failures, (name, role))
    assert not failures, _report(failures)


def test_hostile_query_parameters_never_cause_a_server_error(client, world):  # noqa: F811
    """Every page, with each hostile value in every parameter it reads (its forms' fields
    and the common ones) at once."""
    failures = []
    for name, target, expected in _one_per_url("get"):
        url = build_url(name, target, world)
        for role in _two_roles(expected):
            _login(client, world["people"][role])
            page = _request_collecting(client, "get", url, failures, (name, role))
            html = "" if page.streaming else page.content.decode(errors="replace")
            names = sorted(set(_field_names(html)) | set(COMMON_PARAMETERS))
            separator = "&" if "?" in url else "?"
            for value in HOSTILE:
                query = "&".join(f"{quote(n)}={value}" for n in names)
                _request_collecting(
                    client, "get", f"{url}{separator}{query}", failures, (name, role, value[:20])
                )
    assert not failures, _report(failures)


# The same in every field the site’s forms post (some 80): a long text above the caps of
# the texts (20,000 characters), the whole form under Django's limit of a body (2.5 MB).
FORM_HOSTILE = (
    "\x00",
    "x" * 25_000,
    "²",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "-99999999999999999999",
    "99999999999999999999",
)


def test_hostile_form_fields_never_cause_a_server_error(client, world, field_pool):  # noqa: F811
    """Every form of the site, with each hostile value in every field the site's forms
    post (the same value in all of them at once)."""
    failures = []
    for name, target, expected in _one_per_url("post"):
        url = build_url(name, target, world)
        for role in _two_roles(expected):
            _login(client, world["people"][role])
            for value in FORM_HOSTILE:
                data = dict.fromkeys(field_pool, value)
                _request_collecting(client, "post", url, failures, (name, role, value[:20]), data)
    assert not failures, _report(failures)


def _admin_parameters(model_admin, user):
    """The changelist's search and paging, its list filters' and date hierarchy's
    parameters."""
    request = RequestFactory().get("/")
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    names = {"q", "o", "p", "e"}
    for spec in changelist.get_filters(request)[0]:
        names.update(spec.expected_parameters())
    if model_admin.date_hierarchy:
        names.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return sorted(names)


# Shorter lists for the admin, whose changelists have several parameters, tried one by one:
# the search gets the longer one.
ADMIN_FILTER_HOSTILE = [
    quote(value, safe="") for value in ("\x00", "²", "9999-12-31", "0001-01-01", "9" * 20)
]
ADMIN_SEARCH_HOSTILE = [*ADMIN_FILTER_HOSTILE, quote("x" * 100_000), "-1", "%FF%FE"]


# A day typed in a date filter's parameter is a naive moment: Django warns (an error under
# the tests' settings, not in production) and reads it in the portal's time zone.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_hostile_admin_changelist_parameters_never_cause_a_server_error(client, db):
    """Every changelist of the admin, for a superuser, with each hostile value in its
    search and in each of its filters' parameters, one at a time."""
    superuser = UserFactory(pilot=True, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    failures = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for parameter in _admin_parameters(model_admin, superuser):
            hostile = ADMIN_SEARCH_HOSTILE if parameter == "q" else ADMIN_FILTER_HOSTILE
            for value in hostile:
                _request_collecting(
                    client,
                    "get",
                    f"{url}?{quote(parameter)}={value}",
                    failures,
                    (model._meta.label, parameter),
                )
    assert not failures, _report(failures)

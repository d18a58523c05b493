"""Random input on every page and form: never a server error, never a payload that runs.

Hypothesis draws the values; the profile sets how many per page: `ci` under CI (the run
stays within about two minutes), `dev` otherwise, `long` on demand
(`HYPOTHESIS_PROFILE=long`) for a deeper search.
"""

import os
import re
from urllib.parse import urlencode

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accompagnement.support.models import Message, SupportRequest
from accompagnement.support.uploads import MAX_UPLOAD_SIZE
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
    st.sampled_from(PAYLOADS + ("", "0", "-1", "2026-02-30", "9" * 40, "%00", "../../etc")),
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

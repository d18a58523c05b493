"""Every URL needs a logged-in user, except an explicit list of public pages."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# url names that anyone may open without an account.
PUBLIC_URL_NAMES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "health",
    # The accessibility statement, linked from every page's footer (the login page too).
    "accessibility",
    "admin:login",
    # The iCalendar feed: a calendar application subscribes without a session, so the
    # view skips the login but serves nothing without a person's secret `?jeton=` (or a
    # session): 404 otherwise (tests/campaigns/test_views.py).
    "campaigns:ics",
    # Sign in with ProConnect: the start of the flow, the provider's return, the page that
    # says why a sign-in was refused, and the return from the provider's logout. The first
    # two are 404 while ProConnect is not configured.
    "accounts:authenticate",
    "accounts:callback",
    "accounts:refused",
    "accounts:logout_done",
}

SAMPLE_BY_CONVERTER = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "reference": "ACC-2011-00001",
}


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, entry.callback


def _sample_path(pattern: str) -> str | None:
    """A concrete path for a route pattern; None for regex patterns."""
    if pattern.startswith("^") or "(?P" in pattern:
        return None
    return "/" + re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_BY_CONVERTER[m.group(1) or "str"], pattern
    )


ALL_URLS = list(_walk(get_resolver().url_patterns))


def test_only_the_public_list_is_open_without_login():
    public = {name for _, name, view in ALL_URLS if getattr(view, "login_required", True) is False}
    assert public == PUBLIC_URL_NAMES


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pattern", "name"),
    [
        (pattern, name)
        for pattern, name, _ in ALL_URLS
        if name not in PUBLIC_URL_NAMES and _sample_path(pattern) is not None
    ],
)
def test_anonymous_visitor_is_sent_to_login(client, pattern, name):
    response = client.get(_sample_path(pattern))
    assert response.status_code == 302, name
    logins = ("/connexion/?next=",)
    if pattern.startswith("admin/"):
        # The admin index sends to the admin's own login page (guarded by django-axes too).
        logins += ("/admin/login/?next=",)
    assert response.url.startswith(logins), (name, response.url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/connexion/", "/mot-de-passe/oubli/", "/mot-de-passe/oubli/envoye/"]
)
def test_public_pages_open_without_login(client, url):
    assert client.get(url).status_code == 200

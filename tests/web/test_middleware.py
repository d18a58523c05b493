import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse

from accompagnement.web.middleware import SESSION_REFRESHED_AT
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_every_page_is_served_under_a_strict_content_security_policy(client, agent):
    client.force_login(agent)
    response = client.get(reverse("support:create"))
    policy = directives(response)

    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "Content-Security-Policy-Report-Only" not in response
    # Scripts: the portal's own files, and those carrying this response's nonce.
    assert policy["script-src"][0] == "'self'"
    (nonce,) = re.findall(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html  # django-dsfr's scripts
    # Every script of the page is a file: no inline code, no handler attribute.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert not re.search(r"\sstyle=", html)


def test_the_nonce_changes_with_every_response(client):
    first = client.get(reverse("login"))["Content-Security-Policy"]
    second = client.get(reverse("login"))["Content-Security-Policy"]
    assert re.findall(r"'nonce-[^']+'", first) != re.findall(r"'nonce-[^']+'", second)


def test_public_pages_carry_the_other_security_headers(client):
    response = client.get(reverse("login"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


def test_proconnect_origin_is_allowed_as_a_form_target_only_when_configured(client, settings):
    assert directives(client.get(reverse("login")))["form-action"] == ["'self'"]

    settings.PROCONNECT_DOMAIN = "fca.integ01.dev-agentconnect.fr"
    settings.PROCONNECT_CLIENT_ID = "client"
    settings.PROCONNECT_CLIENT_SECRET = "secret"  # noqa: S105
    response = client.get(reverse("login"))

    # The logout form posts here, then is redirected to ProConnect's end of session.
    assert directives(response)["form-action"] == [
        "'self'",
        "https://fca.integ01.dev-agentconnect.fr",
    ]
    assert directives(response)["script-src"][0] == "'self'"


def test_session_and_csrf_cookies_are_http_only_and_same_site(client):
    csrf_cookie = client.get(reverse("login")).cookies["csrftoken"]
    assert csrf_cookie["httponly"]
    assert csrf_cookie["samesite"] == "Lax"

    response = client.post(
        reverse("login"), {"username": UserFactory().email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
    assert session_cookie["max-age"] == 2 * 3600


def session_expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def age_the_session_stamp(client, seconds):
    session = client.session
    session[SESSION_REFRESHED_AT] = int(time.time()) - seconds
    session.save()


def test_an_active_person_stays_signed_in_and_the_pages_write_nothing_meanwhile(
    client, agent, settings, django_assert_num_queries
):
    client.force_login(agent)
    client.get(reverse("home"))
    expiry = session_expiry(client)

    # Right after login, and within five minutes of the last push: no write.
    age_the_session_stamp(client, settings.SESSION_REFRESH_INTERVAL - 30)
    expiry = session_expiry(client)
    response = client.get(reverse("home"))
    assert "sessionid" not in response.cookies
    assert session_expiry(client) == expiry

    # Later: the expiry is pushed back, and the browser gets the cookie again.
    age_the_session_stamp(client, settings.SESSION_REFRESH_INTERVAL + 30)
    expiry = session_expiry(client)
    response = client.get(reverse("home"))
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE
    assert session_expiry(client) > expiry


def test_a_session_left_idle_longer_than_the_age_sends_back_to_login(client, agent):
    client.force_login(agent)
    assert client.get(reverse("home")).status_code == 200

    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date="2000-01-01T00:00:00Z"
    )
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_passwords_need_twelve_characters_and_more_than_digits():
    with pytest.raises(ValidationError, match="12 caractères"):
        validate_password("Xk7#pq2!mZ")
    with pytest.raises(ValidationError):
        validate_password("4812395716203")
    validate_password("cheval-agrafe-orange")


def test_production_settings_pass_the_deployment_checks():
    """HTTPS redirect, HSTS, secure cookies…: Django's own list, warnings included."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "accompagnement.example.org",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


# ---------------------------------------------------------------------- caches


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_what_a_signed_in_person_gets_is_never_kept_by_a_cache(client, agent, pilot):
    from tests.support.factories import SupportRequestFactory
    from tests.support.test_views_requests import download, stored_attachment

    support_request = SupportRequestFactory(requester=agent, ddi=agent.ddi)
    attachment = stored_attachment(support_request)
    client.force_login(agent)
    page = client.get(reverse("support:detail", args=[support_request.reference]))
    file, _content = download(client, attachment)
    redirect = client.get(reverse("login"))  # signed in: sent home
    for response in (page, file, redirect):
        assert {"private", "no-store"} <= cache_directives(response), response

    client.force_login(pilot)
    export = client.get("/pilotage/export/demandes.csv", {"period": "debut"})
    assert export.streaming
    b"".join(export.streaming_content)
    assert {"private", "no-store"} <= cache_directives(export)


def test_a_stricter_cache_header_is_kept_and_public_pages_are_left_alone(client, member):
    # /sante/ says no-cache, must-revalidate… itself: kept, private and no-store included.
    client.force_login(member)
    strict = cache_directives(client.get(reverse("health")))
    assert {"no-cache", "no-store", "must-revalidate", "private", "max-age=0"} <= strict
    client.logout()
    assert "no-store" not in cache_directives(client.get(reverse("accessibility")))


# ---------------------------------------------------------------------- Server-Timing


def test_server_timing_is_for_the_team_and_staff_only(client, agent, member, settings):
    assert "Server-Timing" not in client.get(reverse("login"))
    client.force_login(agent)
    assert "Server-Timing" not in client.get(reverse("home"))
    staff_agent = UserFactory(is_staff=True)
    for user in (member, staff_agent):
        client.force_login(user)
        assert client.get(reverse("home"))["Server-Timing"].startswith("app;dur=")


def test_server_timing_for_everyone_in_development_or_when_the_bench_asks(client, agent, settings):
    settings.DEBUG = True
    assert client.get(reverse("login"))["Server-Timing"].startswith("app;dur=")
    settings.DEBUG = False
    settings.SERVER_TIMING_FOR_EVERYONE = True
    client.force_login(agent)
    assert client.get(reverse("home"))["Server-Timing"].startswith("app;dur=")


# ---------------------------------------------------------------------- methods


@pytest.mark.parametrize("method", ["TRACE", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT"])
def test_methods_the_portal_never_uses_are_refused(client, member, method):
    client.force_login(member)
    for path in (reverse("login"), reverse("home"), reverse("health")):
        response = client.generic(method, path)
        assert response.status_code == 405, (method, path)
        assert response["Allow"] == "GET, HEAD, POST"


def test_get_head_and_post_still_work(client, agent):
    assert client.get(reverse("login")).status_code == 200
    assert client.head(reverse("login")).status_code == 200
    response = client.post(
        reverse("login"), {"username": agent.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302

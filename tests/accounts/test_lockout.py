"""Brute force on the password forms: one e-mail address is one account whatever its case,
and the admin's login page is locked out like the portal's."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accompagnement.accounts.models import Role
from accompagnement.accounts.services import user_upsert
from tests.accounts.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

ATTEMPTS = 30
LOCKED = "Connexion temporairement bloquée"


def case_variants(email: str, count: int) -> list[str]:
    """`count` distinct spellings of `email` that differ only by the case of letters."""
    letters = [index for index, char in enumerate(email) if char.isalpha()]
    variants = []
    for number in range(1, count + 1):
        chars = list(email)
        for bit, index in enumerate(letters):
            if number >> bit & 1:
                chars[index] = chars[index].upper()
        variants.append("".join(chars))
    assert len(set(variants)) == count
    return variants


def lockout_ends(settings):
    """Move every recorded failure back past the cool-off: no waiting in the tests."""
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(minutes=1)
    )


@pytest.fixture
def _no_rate_limit(settings):
    # The per-address rate limit would answer 429 on its own: these tests watch django-axes.
    settings.RATELIMIT_LOGIN = "1000/m"


@pytest.mark.usefixtures("_no_rate_limit")
def test_case_variants_of_the_email_count_as_one_account(client, agent, settings):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = []
    for variant in case_variants(agent.email, ATTEMPTS):
        response = client.post(reverse("login"), {"username": variant, "password": "mauvais"})
        statuses.append(response.status_code)
    assert statuses == [200] * (limit - 1) + [429] * (ATTEMPTS - limit + 1)
    assert LOCKED in response.content.decode()

    # The right password, in yet another case, is refused while the lock-out lasts.
    response = client.post(
        reverse("login"), {"username": agent.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session

    lockout_ends(settings)
    response = client.post(
        reverse("login"), {"username": agent.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)


@pytest.fixture
def staff_pilot(db):
    user, _ = user_upsert(
        email="pilote.admin@example.org",
        first_name="P",
        last_name="Admin",
        role=Role.PILOT,
        password=DEFAULT_PASSWORD,
    )
    return user


@pytest.mark.usefixtures("_no_rate_limit")
def test_admin_login_is_locked_out_after_the_same_number_of_failures(client, staff_pilot, settings):
    limit = settings.AXES_FAILURE_LIMIT
    url = reverse("admin:login")
    statuses = []
    for variant in case_variants(staff_pilot.email, ATTEMPTS):
        response = client.post(url, {"username": variant, "password": "mauvais"})
        statuses.append(response.status_code)
    assert statuses == [200] * (limit - 1) + [429] * (ATTEMPTS - limit + 1)
    assert LOCKED in response.content.decode()

    response = client.post(url, {"username": staff_pilot.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Nor does the portal's own form let the locked-out account in.
    response = client.post(
        reverse("login"), {"username": staff_pilot.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

    lockout_ends(settings)
    response = client.post(
        url + "?next=/admin/", {"username": staff_pilot.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_pilot.pk)


def test_admin_login_is_rate_limited_per_address_like_the_portal(client, staff_pilot, settings):
    settings.RATELIMIT_LOGIN = "3/m"
    url = reverse("admin:login")
    emails = [f"inconnu{number}@example.org" for number in range(3)]
    for email in emails:
        assert client.post(url, {"username": email, "password": "x"}).status_code == 200
    response = client.post(url, {"username": staff_pilot.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives en peu de temps" in response.content.decode()
    assert "_auth_user_id" not in client.session

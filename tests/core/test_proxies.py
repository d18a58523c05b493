"""The client's address behind trusted proxies: the brute-force lock-out and the rate limits
count each client apart, and a forged X-Forwarded-For changes nothing."""

import pytest
from django.urls import reverse

from tests.accounts.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the load balancer, in TRUSTED_PROXIES
LOCKED = "Connexion temporairement bloquée"
TOO_MANY = "Trop de tentatives en peu de temps"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8::/32"]


def via_proxy(client_address: str, *, forged: str = "") -> dict:
    """What the proxy passes on: its own address as peer, the client's appended."""
    chain = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def lock_out(client, email: str, settings, **meta):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": email, "password": "mauvais"}, **meta)


def sign_in(client, email: str, **meta):
    return client.post(reverse("login"), {"username": email, "password": DEFAULT_PASSWORD}, **meta)


@pytest.mark.usefixtures("behind_proxy")
def test_two_clients_behind_the_same_proxy_are_locked_out_apart(client, agent, settings):
    settings.RATELIMIT_LOGIN = "1000/m"
    lock_out(client, agent.email, settings, **via_proxy("203.0.113.5"))
    assert sign_in(client, agent.email, **via_proxy("203.0.113.5")).status_code == 429

    # The colleague behind the same load balancer is not locked out by the attacker.
    response = sign_in(client, agent.email, **via_proxy("198.51.100.7"))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)


@pytest.mark.usefixtures("behind_proxy")
def test_two_clients_behind_the_same_proxy_are_rate_limited_apart(client, agent, settings):
    settings.RATELIMIT_LOGIN = "3/m"
    for number in range(3):
        client.post(
            reverse("login"),
            {"username": f"inconnu{number}@example.org", "password": "x"},
            **via_proxy("203.0.113.5"),
        )
    response = sign_in(client, agent.email, **via_proxy("203.0.113.5"))
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()

    assert sign_in(client, agent.email, **via_proxy("198.51.100.7")).status_code == 302


@pytest.mark.usefixtures("behind_proxy")
def test_a_forged_header_from_an_untrusted_peer_cannot_escape_a_lockout(client, agent, settings):
    settings.RATELIMIT_LOGIN = "1000/m"
    attacker = "198.51.100.9"  # connects directly, not through the proxy
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": agent.email, "password": "mauvais"},
            REMOTE_ADDR=attacker,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    response = sign_in(client, agent.email, REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("behind_proxy")
def test_a_forged_header_from_an_untrusted_peer_cannot_escape_a_rate_limit(client, agent, settings):
    settings.RATELIMIT_LOGIN = "3/m"
    attacker = "198.51.100.9"
    for number in range(3):
        client.post(
            reverse("login"),
            {"username": f"inconnu{number}@example.org", "password": "x"},
            REMOTE_ADDR=attacker,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    response = sign_in(client, agent.email, REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


@pytest.mark.usefixtures("behind_proxy")
def test_addresses_forged_through_the_proxy_cannot_escape_a_lockout(client, agent, settings):
    settings.RATELIMIT_LOGIN = "1000/m"
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": agent.email, "password": "mauvais"},
            **via_proxy("203.0.113.5", forged=f"192.0.2.{number}"),
        )
    response = sign_in(client, agent.email, **via_proxy("203.0.113.5", forged="192.0.2.99"))
    assert response.status_code == 429


def test_without_trusted_proxies_the_header_is_ignored(client, agent, settings):
    settings.TRUSTED_PROXIES = []
    settings.RATELIMIT_LOGIN = "1000/m"
    lock_out(client, agent.email, settings, **via_proxy("203.0.113.5"))
    assert sign_in(client, agent.email, **via_proxy("198.51.100.7")).status_code == 429

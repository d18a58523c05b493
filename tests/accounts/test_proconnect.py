"""Sign in with ProConnect: the code flow against mocked provider endpoints.

Discovery, token and userinfo answers are mocked with `responses`; tokens are signed with
HS256 and the client secret (test settings only). The browser journey goes through a real
fake provider instead (tests/browser/test_journey_proconnect.py).
"""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.urls import reverse

from accompagnement.accounts import proconnect
from accompagnement.accounts.models import PendingSignIn
from tests import fake_oidc_provider as fake
from tests.accounts.factories import UserFactory

DOMAIN = "proconnect.test"
BASE = f"https://{DOMAIN}"
DISCOVERY = fake.discovery_document(BASE)
ISSUER = DISCOVERY["issuer"]


@pytest.fixture
def proconnect_on(settings):
    settings.PROCONNECT_DOMAIN = DOMAIN
    settings.PROCONNECT_CLIENT_ID = fake.CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = fake.CLIENT_SECRET
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "accompagnement.accounts.proconnect.ProConnectBackend",
    ]
    proconnect.discovery_cache_clear()
    yield
    proconnect.discovery_cache_clear()


@pytest.fixture
def provider(proconnect_on):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(BASE + proconnect.DISCOVERY_PATH, json=DISCOVERY)
        yield mock


def start(client, next_url=""):
    """Click the button: returns the authorisation request's parameters."""
    url = reverse("accounts:authenticate") + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response.url)
    assert (
        f"{location.scheme}://{location.netloc}{location.path}"
        == (DISCOVERY["authorization_endpoint"])
    )
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def provider_answers(mock, *, nonce, email, token_status=200, id_token=None, **claims):
    if token_status == 200:
        token = id_token or fake.id_token(issuer=ISSUER, nonce=nonce, sub="sub-1")
        mock.post(
            DISCOVERY["token_endpoint"], json={"access_token": "jeton-acces", "id_token": token}
        )
    else:
        mock.post(DISCOVERY["token_endpoint"], status=token_status, json={"error": "invalid_grant"})
    mock.get(
        DISCOVERY["userinfo_endpoint"],
        body=fake.userinfo(issuer=ISSUER, email=email, sub="sub-1", **claims),
        content_type="application/jwt",
    )
    return token if token_status == 200 else None


def callback(client, params, code="code-1"):
    return client.get(reverse("accounts:callback"), {"code": code, "state": params["state"]})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def refused_url(reason):
    return reverse("accounts:refused", kwargs={"reason": reason})


# ---------------------------------------------------------------------------- settings unset


@pytest.mark.django_db
def test_without_settings_the_login_page_has_no_button_and_the_urls_are_404(client):
    page = client.get(reverse("login")).content.decode()
    assert "ProConnect" not in page
    assert "fr-connect" not in page
    assert client.get(reverse("accounts:authenticate")).status_code == 404
    assert client.get(reverse("accounts:callback"), {"code": "c", "state": "s"}).status_code == 404


@pytest.mark.django_db
def test_with_settings_the_login_page_shows_the_dsfr_proconnect_button(client, proconnect_on):
    page = client.get(reverse("login") + "?next=/demandes/").content.decode()
    assert 'class="fr-connect-group"' in page
    assert (
        "S’identifier avec" in page and '<span class="fr-connect__brand">ProConnect</span>' in page
    )
    assert "Qu’est-ce que ProConnect ?" in page
    assert 'href="https://www.proconnect.gouv.fr/"' in page
    assert reverse("accounts:authenticate") + "?next=/demandes/" in page
    # Password login stays.
    assert 'name="password"' in page


# ---------------------------------------------------------------------------- the flow


@pytest.mark.django_db
def test_authorisation_request_asks_eidas1_the_scopes_and_long_state_and_nonce(client, provider):
    params = start(client)
    assert params["response_type"] == "code"
    assert params["client_id"] == fake.CLIENT_ID
    assert params["acr_values"] == "eidas1"
    assert set(params["scope"].split()) >= {
        "openid",
        "email",
        "given_name",
        "usual_name",
        "uid",
        "siret",
        "idp_id",
    }
    assert len(params["state"]) >= 32
    assert len(params["nonce"]) >= 32
    assert params["redirect_uri"] == "http://testserver/oidc/callback/"


@pytest.mark.django_db
def test_known_email_signs_in_whatever_its_case_and_lands_on_next(client, provider):
    agent = UserFactory(email="camille.durand@example.org", first_name="Camille")
    params = start(client, next_url="/demandes/")
    id_token = provider_answers(provider, nonce=params["nonce"], email="Camille.Durand@Example.org")

    response = callback(client, params)

    assert response.status_code == 302
    assert response.url == "/demandes/"
    assert logged_in_user_id(client) == str(agent.pk)
    assert client.session[proconnect.SESSION_ID_TOKEN] == id_token
    home = client.get(reverse("home"))
    assert "Bonjour Camille" in home.content.decode()
    assert not PendingSignIn.objects.exists()


@pytest.mark.django_db
def test_unknown_email_is_not_let_in_and_waits_for_the_pilot(client, provider):
    params = start(client)
    provider_answers(
        provider,
        nonce=params["nonce"],
        email="nouvelle.personne@example.org",
        given_name="Dominique",
        usual_name="Nouveau",
        siret="13000001200011",
        organizational_unit="SG/Bureau du budget",
    )

    response = callback(client, params)

    assert response.status_code == 302
    assert response.url == refused_url(proconnect.REFUSED_PENDING)
    assert logged_in_user_id(client) is None
    page = client.get(response.url)
    assert page.status_code == 403
    html = page.content.decode()
    assert "Votre compte doit être ouvert par l’équipe" in html
    assert "nouvelle.personne@example.org" in html
    pending = PendingSignIn.objects.get()
    assert (pending.email, pending.given_name, pending.usual_name) == (
        "nouvelle.personne@example.org",
        "Dominique",
        "Nouveau",
    )
    assert (pending.siret, pending.organizational_unit, pending.sub, pending.idp_id) == (
        "13000001200011",
        "SG/Bureau du budget",
        "sub-1",
        "fia1v2",
    )
    # Nobody was created behind the pilot's back.
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_deactivated_account_is_refused(client, provider):
    UserFactory(email="partie@example.org", is_active=False)
    params = start(client)
    provider_answers(provider, nonce=params["nonce"], email="partie@example.org")

    response = callback(client, params)

    assert response.url == refused_url(proconnect.REFUSED_INACTIVE)
    assert logged_in_user_id(client) is None
    assert "Votre compte est désactivé" in client.get(response.url).content.decode()
    assert not PendingSignIn.objects.exists()


@pytest.mark.django_db
def test_tampered_state_is_refused_before_any_token_request(client, provider):
    UserFactory(email="camille@example.org")
    params = start(client)
    provider_answers(provider, nonce=params["nonce"], email="camille@example.org")

    response = callback(client, {"state": params["state"][:-1] + "X"})

    assert response.url == refused_url(proconnect.REFUSED_FAILED)
    assert logged_in_user_id(client) is None
    assert not [call for call in provider.calls if "token" in call.request.url]
    page = client.get(response.url).content.decode()
    assert "La connexion avec ProConnect n’a pas abouti" in page


@pytest.mark.django_db
def test_callback_without_a_started_flow_is_refused(client, provider):
    response = client.get(reverse("accounts:callback"), {"code": "c", "state": "s" * 48})
    assert response.url == refused_url(proconnect.REFUSED_FAILED)
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_replayed_callback_is_refused_the_state_serves_once(client, provider):
    agent = UserFactory(email="camille@example.org")
    params = start(client)
    provider_answers(provider, nonce=params["nonce"], email="camille@example.org")
    assert callback(client, params).url == "/"
    assert logged_in_user_id(client) == str(agent.pk)
    client.post(reverse("logout"))  # without ProConnect's session end: not under test here
    client.logout()

    response = callback(client, params)

    assert response.url == refused_url(proconnect.REFUSED_FAILED)
    assert logged_in_user_id(client) is None
    token_calls = [call for call in provider.calls if call.request.url.endswith("/token")]
    assert len(token_calls) == 1


@pytest.mark.django_db
def test_code_the_provider_refuses_as_already_used_is_refused(client, provider):
    UserFactory(email="camille@example.org")
    params = start(client)
    provider_answers(provider, nonce=params["nonce"], email="camille@example.org", token_status=400)

    response = callback(client, params)

    assert response.url == refused_url(proconnect.REFUSED_FAILED)
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_expired_id_token_is_refused(client, provider):
    UserFactory(email="camille@example.org")
    params = start(client)
    expired = fake.id_token(issuer=ISSUER, nonce=params["nonce"], sub="sub-1", lifetime=-120)
    provider_answers(provider, nonce=params["nonce"], email="camille@example.org", id_token=expired)

    response = callback(client, params)

    assert response.url == refused_url(proconnect.REFUSED_FAILED)
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token_overrides",
    [
        {"nonce": "un-autre-nonce-" * 3},
        {"aud": "un-autre-service"},
        {"iss": "https://ailleurs.test/api/v2"},
    ],
    ids=["wrong-nonce", "wrong-audience", "wrong-issuer"],
)
def test_id_token_for_another_flow_client_or_issuer_is_refused(client, provider, token_overrides):
    UserFactory(email="camille@example.org")
    params = start(client)
    claims = {"issuer": ISSUER, "nonce": params["nonce"], "sub": "sub-1"}
    extra = dict(token_overrides)
    if "nonce" in extra:
        claims["nonce"] = extra.pop("nonce")
    if "iss" in extra:
        claims["issuer"] = extra.pop("iss")
    token = fake.id_token(**claims, **extra)
    provider_answers(provider, nonce=params["nonce"], email="camille@example.org", id_token=token)

    response = callback(client, params)

    assert response.url == refused_url(proconnect.REFUSED_FAILED)
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_token_signed_with_another_key_is_refused(client, provider):
    UserFactory(email="camille@example.org")
    params = start(client)
    forged = fake.sign(
        {"iss": ISSUER, "aud": fake.CLIENT_ID, "sub": "s", "nonce": params["nonce"], "exp": 2**31},
        secret="une-autre-cle-que-celle-du-client-0123456789",
    )
    provider_answers(provider, nonce=params["nonce"], email="camille@example.org", id_token=forged)

    assert callback(client, params).url == refused_url(proconnect.REFUSED_FAILED)
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_provider_error_on_the_callback_is_refused(client, provider):
    params = start(client)
    response = client.get(
        reverse("accounts:callback"), {"error": "access_denied", "state": params["state"]}
    )
    assert response.url == refused_url(proconnect.REFUSED_FAILED)


@pytest.mark.django_db
def test_unreachable_discovery_shows_the_failure_page(client, proconnect_on):
    with responses.RequestsMock() as mock:
        mock.get(BASE + proconnect.DISCOVERY_PATH, status=503)
        response = client.get(reverse("accounts:authenticate"))
    assert response.url == refused_url(proconnect.REFUSED_FAILED)


@pytest.mark.django_db
def test_unknown_refusal_reason_is_404(client):
    assert client.get(refused_url("n-importe-quoi")).status_code == 404


@pytest.mark.django_db
def test_password_login_still_works_with_proconnect_on(client, proconnect_on):
    from tests.accounts.factories import DEFAULT_PASSWORD

    agent = UserFactory(email="camille@example.org")
    response = client.post(
        reverse("login"), {"username": "camille@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(agent.pk)


# ---------------------------------------------------------------------------- logout


@pytest.mark.django_db
def test_logout_after_proconnect_ends_the_provider_session(client, provider):
    UserFactory(email="camille@example.org")
    params = start(client)
    id_token = provider_answers(provider, nonce=params["nonce"], email="camille@example.org")
    callback(client, params)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    location = urlsplit(response.url)
    assert (
        f"{location.scheme}://{location.netloc}{location.path}"
        == (DISCOVERY["end_session_endpoint"])
    )
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver/deconnexion/proconnect/"
    assert len(query["state"]) >= 32
    assert logged_in_user_id(client) is None

    back = client.get(reverse("accounts:logout_done"), {"state": query["state"]}, follow=True)
    assert back.redirect_chain[-1][0] == reverse("login")
    assert "Vous êtes déconnecté du portail et de ProConnect." in back.content.decode()


@pytest.mark.django_db
def test_logout_done_with_a_wrong_state_says_nothing_about_proconnect(client, proconnect_on):
    back = client.get(reverse("accounts:logout_done"), {"state": "faux"}, follow=True)
    assert back.redirect_chain[-1][0] == reverse("login")
    assert "Vous êtes déconnecté du portail et de ProConnect." not in back.content.decode()


@pytest.mark.django_db
def test_logout_after_a_password_login_is_unchanged(client, proconnect_on, agent):
    client.force_login(agent)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_refused_sign_ins_never_lock_out_proconnect_for_a_shared_address(client, provider):
    # Many people of one ministry share an address: six unknown e-mails in a row, then a
    # known person still gets in.
    for number in range(6):
        params = start(client)
        provider_answers(provider, nonce=params["nonce"], email=f"inconnu.{number}@example.org")
        response = callback(client, params, code=f"code-{number}")
        assert response.url == refused_url(proconnect.REFUSED_PENDING)
    known = UserFactory(email="camille.martin@example.org")
    params = start(client)
    provider_answers(provider, nonce=params["nonce"], email=known.email)
    callback(client, params, code="code-known")
    assert logged_in_user_id(client) == str(known.pk)

"""Sign in with ProConnect in a real browser, through a fake provider that the test serves
on localhost (tests/fake_oidc_provider.py): no mock between the browser, the portal and
the provider."""

import re

import pytest
from playwright.sync_api import expect

from accompagnement.accounts import proconnect
from tests import fake_oidc_provider as fake
from tests.accounts.factories import DEFAULT_PASSWORD, TeamMemberFactory, UserFactory
from tests.ddi.factories import DDIFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(settings):
    def start(email):
        provider, server = fake.serve(fake.Identity(email=email))
        settings.PROCONNECT_DOMAIN = provider.base_url
        settings.PROCONNECT_CLIENT_ID = fake.CLIENT_ID
        settings.PROCONNECT_CLIENT_SECRET = fake.CLIENT_SECRET
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "accompagnement.accounts.proconnect.ProConnectBackend",
        ]
        proconnect.discovery_cache_clear()
        servers.append(server)
        return provider

    servers = []
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
    proconnect.discovery_cache_clear()


def sign_in_with_proconnect(page):
    page.goto("/connexion/")
    page.get_by_role("link", name="S’identifier avec ProConnect").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ProConnect de test")
    page.get_by_role("button", name="Continuer").click()


def test_agent_signs_in_with_proconnect_and_logs_out_of_both(page, provider, screenshot):
    agent = UserFactory(email="camille.durand@example.org", first_name="Camille")
    fake_provider = provider("Camille.Durand@example.org")

    page.goto("/connexion/")
    expect(page.get_by_role("link", name="Qu’est-ce que ProConnect ?")).to_have_attribute(
        "href", "https://www.proconnect.gouv.fr/"
    )
    screenshot("proconnect-connexion")
    sign_in_with_proconnect(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")
    expect(page.get_by_text(str(agent.ddi))).to_be_visible()
    screenshot("proconnect-accueil-agent")

    page.get_by_role("button", name="Se déconnecter").click()

    expect(page).to_have_url(re.compile(r"/connexion/$"))
    expect(page.get_by_text("Vous êtes déconnecté du portail et de ProConnect.")).to_be_visible()
    assert len(fake_provider.ended_sessions) == 1
    ended = fake_provider.ended_sessions[0]
    assert ended["id_token_hint"].count(".") == 2
    assert ended["post_logout_redirect_uri"].endswith("/deconnexion/proconnect/")
    screenshot("proconnect-deconnexion")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/$"))


def test_unknown_person_waits_until_the_pilot_opens_their_account(page, provider, screenshot):
    ddi = DDIFactory()
    pilot = TeamMemberFactory(user=UserFactory(pilot=True, first_name="Hélène")).user
    provider("dominique.nouveau@example.org")

    sign_in_with_proconnect(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre compte doit être ouvert par l’équipe"
    )
    expect(page.get_by_text("dominique.nouveau@example.org")).to_be_visible()
    screenshot("proconnect-compte-a-ouvrir")

    # The pilot opens the account as an agent of a DDI.
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(pilot.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/pilotage/connexions/")
    expect(page.get_by_role("cell", name="Claude Martin")).to_be_visible()
    expect(page.get_by_role("cell", name="Service budget")).to_be_visible()
    screenshot("proconnect-connexions-en-attente")
    page.get_by_role("link", name="Ouvrir le compte de dominique.nouveau@example.org").click()
    page.get_by_text("Agent d’une DDI", exact=True).click()  # the DSFR label covers the radio
    expect(page.get_by_label("Agent d’une DDI")).to_be_checked()
    page.get_by_label("DDI de l’agent").select_option(str(ddi.pk))
    screenshot("proconnect-ouvrir-compte")
    page.get_by_role("button", name="Ouvrir le compte").click()
    expect(page.get_by_text("Le compte de Claude Martin est ouvert")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    # Now ProConnect lets them in.
    sign_in_with_proconnect(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Claude")
    expect(page.get_by_text(str(ddi))).to_be_visible()

"""The pilot's technical administration (`/admin/`) under the portal's Content Security
Policy: Django's admin scripts (calendar, autocomplete, two-list selector) come
from static files, and any script or style the policy refuses fails the journey (the
autouse check of tests/browser/conftest.py reads Chromium's console)."""

import re

import pytest
from playwright.sync_api import expect

from accompagnement.accounts.models import Role
from accompagnement.accounts.services import user_upsert
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.campaigns.factories import MilestoneFactory
from tests.ddi.factories import ProgrammeFactory
from tests.knowledge.factories import ArticleFactory

pytestmark = pytest.mark.browser


def test_the_pilot_edits_reference_data_in_the_admin(page):
    pilot, _created = user_upsert(
        email="pilote.admin@example.org",
        first_name="Hélène",
        last_name="Pilote",
        role=Role.PILOT,
        password=DEFAULT_PASSWORD,
    )
    milestone = MilestoneFactory(title="Dernières demandes d'achat")
    ProgrammeFactory(code="354", label="Administration territoriale de l'État")
    article = ArticleFactory(title="Restituer les engagements juridiques")
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(pilot.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Hélène")

    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Données de référence et comptes")).to_be_visible()

    # A list with its date drill-down, filters and actions.
    page.goto("/admin/accompagnement/milestone/")
    expect(page.get_by_role("link", name="Dernières demandes d'achat")).to_be_visible()
    # Pilots delete nothing (accounts/services.py, PILOT_PERMISSIONS): no bulk action.
    expect(page.get_by_role("checkbox")).to_have_count(0)

    # A change form: the calendar of a date field and the autocomplete of programmes.
    page.get_by_role("link", name="Dernières demandes d'achat").click()
    expect(page).to_have_url(re.compile(rf"/admin/accompagnement/milestone/{milestone.pk}/"))
    page.get_by_role("link", name=re.compile("^Aujourd.hui$")).first.click()
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").first.fill("354")
    page.get_by_role("option", name=re.compile("354")).click()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("a été modifié avec succès")

    # The two-list selector of an article's categories.
    page.goto(f"/admin/accompagnement/article/{article.pk}/change/")
    expect(page.locator(".selector").first).to_be_visible()

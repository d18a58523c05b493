"""A request from filing to reopening, across the DDI and the team, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from accompagnement.axes.models import Axis
from tests.accounts.factories import DEFAULT_PASSWORD, TeamMemberFactory, UserFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def log_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/$"))


def test_request_from_filing_to_reopening(page, screenshot):
    agent = UserFactory(first_name="Camille")
    member = TeamMemberFactory(user__first_name="Nadia").user
    CategoryFactory(axis=Axis.TOOL, name="Restitutions (INF-BUD, Business Objects)")

    # The agent files a request with an attachment.
    log_in(page, agent.email)
    page.goto("/demandes/nouvelle/")
    # DSFR radios: the visible label is what a user clicks.
    page.locator("label", has_text="Maîtrise de l'outil Chorus").click()
    page.get_by_label("Catégorie").select_option(label="Restitutions (INF-BUD, Business Objects)")
    page.get_by_label("Titre").fill("Restitution INF-BUD-53 vide depuis lundi")
    page.get_by_label("Description").fill("La restitution **INF-BUD-53** ne renvoie aucune ligne.")
    page.locator("label", has_text=re.compile("^\\s*Haute")).click()
    page.get_by_label("Pièces jointes").set_input_files(
        {"name": "capture.png", "mimeType": "image/png", "buffer": PNG}
    )
    screenshot("demande-formulaire")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre demande est enregistrée")
    reference = re.search(r"ACC-\d{4}-\d{5}", page.content()).group(0)
    screenshot("demande-confirmation")

    page.goto("/demandes/")
    expect(page.get_by_role("link", name=re.compile(reference))).to_be_visible()
    log_out(page)

    # A member finds it in the queue by searching, takes it and answers.
    log_in(page, member.email)
    page.goto("/equipe/file/")
    page.get_by_label("Rechercher").fill("restitution vide")
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page.get_by_role("link", name=re.compile(reference))).to_be_visible()
    screenshot("file-recherche")
    page.get_by_role("link", name=re.compile(reference)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Restitution INF-BUD-53")
    page.get_by_role("button", name="Me l’attribuer").click()
    expect(page.locator("#panneau-equipe")).to_contain_text("Nadia")
    # The quick action refreshed the timeline without reloading the page.
    expect(page.locator("#suivi-demande")).to_contain_text("attribuée à Nadia")
    page.get_by_label("Votre message").fill("Bonjour, pouvez-vous préciser le BOP concerné ?")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.get_by_text("pouvez-vous préciser le BOP")).to_be_visible()
    screenshot("demande-reponse-membre")
    log_out(page)

    # The agent sees the reply and answers.
    log_in(page, agent.email)
    page.goto(f"/demandes/{reference}/")
    expect(page.get_by_text("pouvez-vous préciser le BOP")).to_be_visible()
    page.get_by_label("Votre message").fill("Il s'agit du BOP régional 333.")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_text("BOP régional 333")).to_be_visible()
    log_out(page)

    # The member resolves it.
    log_in(page, member.email)
    page.goto(f"/demandes/{reference}/")
    page.locator("#panneau-equipe").get_by_label("Nouveau statut").select_option(label="Résolue")
    page.get_by_role("button", name="Changer le statut").click()
    expect(page.locator("#panneau-equipe")).to_contain_text("Résolue")
    log_out(page)

    # The agent disagrees and reopens it.
    log_in(page, agent.email)
    page.goto(f"/demandes/{reference}/")
    page.get_by_role("button", name="Rouvrir la demande").click()
    expect(page.get_by_text("En cours").first).to_be_visible()
    screenshot("demande-rouverte")


def test_two_members_acting_at_once_do_not_overwrite_each_other(browser, live_server, screenshot):
    request = SupportRequestFactory(title="EJ bloqué au service fait")
    first = TeamMemberFactory(user__first_name="Antoine").user
    second = TeamMemberFactory(user__first_name="Laure").user
    pages = []
    for member in (first, second):
        context = browser.new_context(base_url=live_server.url, locale="fr-FR")
        page = context.new_page()
        log_in(page, member.email)
        page.goto(f"/demandes/{request.reference}/")
        pages.append(page)
    page_one, page_two = pages

    page_one.get_by_role("button", name="Me l’attribuer").click()
    expect(page_one.locator("#panneau-equipe")).to_contain_text("Antoine")

    # The second member's page still shows the old version.
    page_two.locator("#panneau-equipe").get_by_label("Nouveau statut").select_option(
        label="En attente de la DDI"
    )
    page_two.get_by_role("button", name="Changer le statut").click()
    expect(page_two.get_by_text("modifiée entre-temps par Antoine")).to_be_visible()
    # The second page now shows the current state: the first member's assignment.
    expect(page_two.locator("#suivi-demande")).to_contain_text("attribuée à Antoine")
    page_two.screenshot(
        path=str(screenshot.folder / "modification-concurrente.png"), full_page=True
    )

    request.refresh_from_db()
    assert request.assignee == first
    assert request.status != "waiting_ddi"
    for page in pages:
        page.context.close()

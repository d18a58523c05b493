"""The pilot's dashboards in a real browser: filters, drill-down to the queue, an XLSX
export read back."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accompagnement.axes.models import Axis
from tests.accounts.factories import DEFAULT_PASSWORD, TeamMemberFactory, UserFactory
from tests.ddi.factories import DDIFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.browser


def test_pilot_filters_drills_down_and_exports(page, screenshot, accessibility_audit, tmp_path):
    pilot = TeamMemberFactory(user=UserFactory(pilot=True, first_name="Hélène")).user
    ddt, ddpp = DDIFactory(kind="DDT"), DDIFactory(kind="DDPP")
    category = CategoryFactory(axis=Axis.TOOL, name="Restitutions (INF-BUD, Business Objects)")
    for ddi, count in ((ddt, 3), (ddpp, 2)):
        requester = UserFactory(ddi=ddi)
        for _ in range(count):
            SupportRequestFactory(requester=requester, category=category, axis=Axis.TOOL)

    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(pilot.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Pilotage"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilotage : Activité")
    figures = page.get_by_role("list", name="Chiffres clés")
    expect(figures).to_contain_text("5")
    screenshot("pilotage-activite")
    accessibility_audit("activité")

    # Filters: since the start, the DDTs only; they land in the URL.
    page.get_by_label("Période", exact=True).select_option(label="Depuis le début")
    page.get_by_label("Type de DDI", exact=True).select_option("DDT")
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page).to_have_url(re.compile(r"period=debut.*ddi_kind=DDT"))
    opened = figures.get_by_role("listitem").filter(has_text="demandes déposées")
    expect(opened).to_contain_text("3")
    screenshot("pilotage-filtre-ddt")
    accessibility_audit("activité filtrée")

    # Drill-down: the number leads to the queue with the same filters.
    opened.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("File de l’équipe")
    expect(page.get_by_label("Type de DDI")).to_have_value("DDT")
    expect(page.locator("tbody tr")).to_have_count(3)
    screenshot("pilotage-vers-file")
    page.go_back()

    # XLSX export of the table by axis, read back.
    section = page.locator("section#by_axis")
    with page.expect_download() as download_info:
        section.get_by_role("link", name=re.compile("Tableau en XLSX")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path).active
    assert sheet.cell(1, 1).value == "Axe"
    assert sheet.cell(2, 1).value == "Maîtrise de l'outil Chorus"
    assert sheet.cell(2, 2).value == 3

    # The other views keep the filters.
    page.get_by_role("link", name="Qualité de service").click()
    expect(page).to_have_url(re.compile(r"/pilotage/qualite/\?period=debut.*ddi_kind=DDT"))
    screenshot("pilotage-qualite")
    accessibility_audit("qualité")
    page.get_by_role("link", name="Carte").first.click()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    screenshot("pilotage-carte")
    accessibility_audit("carte")
    for view in ("Campagne de fin de gestion", "Charge de l’équipe"):
        page.get_by_role("link", name=view).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(view)
        accessibility_audit(view)

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import DEFAULT_PASSWORD, TeamMemberFactory, UserFactory
from tests.ddi.factories import AttachmentFactory

pytestmark = pytest.mark.browser


def log_in(page, email):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à Accompagnement Chorus")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_agent_logs_in_and_sees_own_ddi_and_csp(page, screenshot):
    agent = UserFactory(first_name="Camille")
    attachment = AttachmentFactory(ddi=agent.ddi, service_centre__name="CSP de démonstration")
    page.goto("/connexion/")
    screenshot("connexion")
    log_in(page, agent.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")
    expect(page.get_by_text(str(agent.ddi))).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("CSP de démonstration"))).to_be_visible()
    expect(page.get_by_role("link", name=attachment.service_centre.email)).to_be_visible()
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
    screenshot("accueil-agent")


def test_member_logs_in_and_sees_the_team_roster(page, screenshot):
    member = TeamMemberFactory(user__first_name="Antoine", structure__name="AIFE").user
    TeamMemberFactory(user__last_name="Collègue", time_share=30)
    log_in(page, member.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Antoine")
    expect(page.get_by_role("cell", name=re.compile("Collègue"))).to_be_visible()
    expect(page.get_by_role("cell", name="30 %")).to_be_visible()
    expect(page.get_by_text("Pilotage de l’équipe")).to_have_count(0)
    screenshot("accueil-membre")


def test_pilot_logs_in_sees_roster_and_admin_links_then_logs_out(page, screenshot):
    pilot = TeamMemberFactory(user=UserFactory(pilot=True, first_name="Hélène")).user
    log_in(page, pilot.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Hélène")
    expect(page.get_by_role("heading", name="Pilotage de l’équipe")).to_be_visible()
    expect(page.get_by_role("link", name="DDI", exact=True)).to_be_visible()
    screenshot("accueil-pilote")
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/$"))

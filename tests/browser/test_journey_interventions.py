"""A member announces a session; an agent registers a colleague and themselves and finds it
on their calendar; the member records attendance; the colleague gives their opinion; the
pilot sees the DDI covered on the topic."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.interventions.models import Feedback, Intervention, Registration
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.browser.test_journey_requests import log_in, log_out
from tests.support.factories import CategoryFactory

pytestmark = pytest.mark.browser

TITLE = "Atelier : lire les restitutions INF-BUD de fin de gestion"


def test_a_session_from_announcement_to_coverage(page, screenshot):
    member = TeamMemberFactory(user__first_name="Nadia", user__last_name="Roux").user
    pilot = TeamMemberFactory(user=UserFactory(pilot=True)).user
    agent = UserFactory(first_name="Camille", last_name="Petit")
    colleague = UserFactory(ddi=agent.ddi, first_name="Léa", last_name="Martin")
    CategoryFactory(name="Lecture des restitutions de fin de gestion")
    start = timezone.localtime() + timedelta(days=12)

    # The member announces the session, then opens it.
    log_in(page, member.email)
    page.goto("/interventions/")
    page.get_by_role("link", name="Annoncer une session").click()
    page.get_by_label("Intitulé").fill(TITLE)
    page.get_by_label("Lecture des restitutions de fin de gestion").check(force=True)
    page.get_by_label("Début").fill(start.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Durée (minutes)").fill("90")
    page.get_by_role("radio", name="Visioconférence").check(force=True)
    page.get_by_label("Lien de connexion").fill("https://visio.example.org/inf-bud")
    page.get_by_label("Nombre de places").fill("12")
    page.get_by_label("Clôture des inscriptions").fill(
        (start - timedelta(days=2)).strftime("%Y-%m-%dT18:00")
    )
    page.get_by_label("Nadia Roux").check(force=True)
    screenshot("interventions-annonce")
    page.get_by_role("button", name="Enregistrer la session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("button", name="Ouvrir les inscriptions").click()
    expect(page.get_by_text("Les inscriptions sont ouvertes.")).to_be_visible()
    log_out(page)

    # The agent registers a colleague, then themselves.
    log_in(page, agent.email)
    page.goto("/interventions/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Personne à inscrire").select_option(label="Léa Martin")
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.get_by_text("Léa Martin est inscrit(e).")).to_be_visible()
    page.get_by_label("Personne à inscrire").select_option(label="Camille Petit")
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.locator("#inscrits")).to_contain_text("Léa Martin")
    screenshot("interventions-inscription-agent")
    page.goto("/calendrier/")
    expect(page.locator("#mes-sessions")).to_contain_text(TITLE)
    screenshot("interventions-calendrier-agent")
    log_out(page)

    # The day after the session, the member records who came.
    session = Intervention.objects.get()
    past = timezone.now() - timedelta(days=1)
    Intervention.objects.filter(pk=session.pk).update(
        starts_at=past, registration_closes_at=past - timedelta(days=1)
    )
    log_in(page, member.email)
    page.goto(f"/interventions/{session.pk}/")
    page.get_by_label("Léa Martin était présent(e)").check(force=True)
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_text("Présences enregistrées : 1 présent(s), 1 absent(s).")).to_be_visible()
    screenshot("interventions-presences")
    log_out(page)

    # The attendee gives their opinion.
    log_in(page, colleague.email)
    page.goto(f"/interventions/{session.pk}/")
    page.get_by_role("link", name="Donner mon avis").click()
    page.get_by_label("4 — Utile").check(force=True)
    page.get_by_label("Commentaire").fill("Les exemples sur INF-BUD-53 m’ont servi.")
    screenshot("interventions-avis")
    page.get_by_role("button", name="Envoyer mon avis").click()
    expect(page.get_by_text("Merci : votre avis est enregistré.")).to_be_visible()
    log_out(page)
    assert Feedback.objects.get().registration == Registration.objects.get(person=colleague)

    # The pilot sees the DDI trained on the topic.
    log_in(page, pilot.email)
    page.goto("/interventions/couverture/")
    expect(page.locator("#theme-1")).to_contain_text("Lecture des restitutions de fin de gestion")
    expect(page.locator("#theme-1")).to_contain_text(agent.ddi.name)
    screenshot("interventions-couverture")

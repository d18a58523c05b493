"""A member answers with a canned answer and "send and set resolved", in a real browser:
the text is inserted after what was typed (static/js/portail.js), the status buttons hide
for an internal note, and one click sends and resolves."""

import re

import pytest
from playwright.sync_api import expect

from accompagnement.support.enums import Status
from accompagnement.support.team_models import CannedResponse
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.browser.test_journey_requests import log_in
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.browser


def test_member_answers_with_a_canned_answer_and_resolves(page, screenshot):
    agent = UserFactory(first_name="Camille", last_name="Rousseau")
    member = TeamMemberFactory(user__first_name="Nadia").user
    support_request = SupportRequestFactory(requester=agent, status=Status.IN_PROGRESS)
    answer = CannedResponse.objects.create(
        title="Demande de précisions : numéro d'EJ",
        body="Bonjour {demandeur}, quel est le numéro d'EJ de la demande {reference} ?",
        axis=support_request.axis,
    )

    log_in(page, member.email)
    page.goto(f"/demandes/{support_request.reference}/")
    box = page.get_by_label("Votre message")
    box.fill("Merci pour votre message.")
    page.get_by_label("Partir d’une réponse type").select_option(label=answer.title)
    page.get_by_role("button", name="Insérer").click()
    expect(box).to_have_value(
        "Merci pour votre message.\n\nBonjour Camille Rousseau, quel est le numéro d'EJ de la "
        f"demande {support_request.reference} ?"
    )
    expect(page.get_by_role("status").filter(has_text="Réponse type insérée")).to_be_visible()
    resolve = page.get_by_role("button", name="Envoyer et marquer résolue")
    wait = page.get_by_role("button", name="Envoyer et attendre la DDI")
    # A status set from the team's panel: the reply box offers what the new one allows,
    # and keeps the text.
    expect(wait).to_be_visible()
    page.locator("#panneau-equipe").get_by_label("Nouveau statut").select_option(
        label="En attente de la DDI"
    )
    page.get_by_role("button", name="Changer le statut").click()
    expect(page.locator("#badges-demande")).to_contain_text("En attente de la DDI")
    expect(wait).to_have_count(0)
    expect(resolve).to_be_visible()
    expect(box).to_have_value(re.compile("^Merci pour votre message."))
    page.locator("label", has_text="Note interne").click()
    expect(resolve).to_be_hidden()
    page.locator("label", has_text="Réponse à la DDI").click()
    expect(resolve).to_be_visible()
    screenshot("demande-reponse-type")

    resolve.click()
    expect(page.get_by_text(re.compile("la demande passe au statut « Résolue »"))).to_be_visible()
    expect(page.locator("#badges-demande")).to_contain_text("Résolue")
    answer.refresh_from_db()
    assert answer.usage_count == 1
    support_request.refresh_from_db()
    assert support_request.status == Status.RESOLVED

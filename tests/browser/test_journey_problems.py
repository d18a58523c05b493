"""A member groups three DDIs' requests into a problem, answers once; each agent sees it."""

import re

import pytest
from playwright.sync_api import expect

from accompagnement.knowledge.models import ArticleStatus
from accompagnement.problems.models import Problem
from accompagnement.support.models import Message
from tests.accounts.factories import TeamMemberFactory
from tests.browser.test_journey_requests import log_in, log_out
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.browser

ANSWER = "Un correctif de l’AIFE est prévu jeudi : relancez la restitution vendredi matin."


def test_member_groups_three_ddis_requests_and_answers_once(page, screenshot):
    member = TeamMemberFactory(user__first_name="Nadia").user
    category = CategoryFactory(name="Restitutions (INF-BUD, Business Objects)")
    requests = [
        SupportRequestFactory(category=category, title=f"INF-BUD-53 : montants doublés ({n})")
        for n in range(3)
    ]
    assert len({r.ddi_id for r in requests}) == 3

    log_in(page, member.email)
    page.goto("/equipe/file/")
    for support_request in requests:
        # DSFR draws the box over a transparent input: tick it like the box does.
        page.get_by_label(f"Sélectionner {support_request.reference}").check(force=True)
    page.get_by_label("Titre du problème").fill(
        "Restitution INF-BUD-53 fausse après la version 4.2"
    )
    screenshot("probleme-file")
    page.get_by_role("button", name="Grouper en problème").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Restitution INF-BUD-53 fausse après la version 4.2"
    )
    linked = page.locator("#demandes-rattachees")
    for support_request in requests:
        expect(linked.get_by_role("link", name=support_request.reference)).to_be_visible()
    page.get_by_label("Réponse à toutes les DDI concernées").fill(ANSWER)
    page.get_by_role("button", name="Répondre à toutes les DDI").click()
    expect(page.get_by_text("Réponse envoyée sur 3 demandes.")).to_be_visible()
    screenshot("probleme-page")
    # The article drawn from it is a draft, for a member to review and publish.
    page.get_by_role("button", name="Créer un brouillon d’article").click()
    expect(
        page.get_by_text(re.compile(r"Brouillon d’article « Restitution INF-BUD-53"))
    ).to_be_visible()
    log_out(page)

    problem = Problem.objects.select_related("article").get()
    assert problem.article.status == ArticleStatus.DRAFT
    assert Message.objects.filter(body__contains=ANSWER).count() == 3
    for number, support_request in enumerate(requests):
        log_in(page, support_request.requester.email)
        page.goto(f"/demandes/{support_request.reference}/")
        expect(page.get_by_text(ANSWER)).to_be_visible()
        expect(page.locator("body")).not_to_contain_text(problem.title)
        if number == 0:
            screenshot("probleme-reponse-agent")
        log_out(page)

    # The agents never reach the problem page.
    log_in(page, requests[0].requester.email)
    response = page.goto(f"/equipe/problemes/{problem.pk}/")
    assert response.status == 403
    expect(page).to_have_url(re.compile(rf"/equipe/problemes/{problem.pk}/$"))

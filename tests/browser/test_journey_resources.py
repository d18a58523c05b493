"""An agent starts typing a request, sees a suggested article and opens it."""

import re

import pytest
from playwright.sync_api import expect

from accompagnement.knowledge.models import SuggestionFollow
from accompagnement.knowledge.services import article_update_search
from accompagnement.support.services.requests import support_request_update_search
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.browser.test_journey_requests import log_in, log_out
from tests.knowledge.factories import ArticleFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.browser


def test_agent_opens_an_article_suggested_while_typing_a_request(page, screenshot):
    agent = UserFactory(first_name="Camille")
    article = ArticleFactory(
        title="Restitution INF-BUD-53 vide : que vérifier",
        summary="Le périmètre, la date de bascule des engagements juridiques.",
        body="### Que vérifier\n- le **périmètre** de la restitution\n- la date de bascule",
    )
    ArticleFactory(draft=True, title="Restitution INF-BUD-53 : brouillon interne")
    mine = SupportRequestFactory(
        requester=UserFactory(ddi=agent.ddi), title="INF-BUD-53 vide depuis la bascule"
    )
    elsewhere = SupportRequestFactory(title="Restitution INF-BUD-53 vide dans une autre DDI")
    for obj in (article,):
        article_update_search(obj)
    for obj in (mine, elsewhere):
        support_request_update_search(obj)

    log_in(page, agent.email)
    page.goto("/demandes/nouvelle/")
    page.get_by_label("Titre").press_sequentially("Restitution INF-BUD-53 vide")

    suggestions = page.locator("#suggestions")
    expect(suggestions.get_by_role("link", name=article.title)).to_be_visible()
    expect(suggestions.get_by_role("link", name=mine.reference)).to_be_visible()
    expect(suggestions).not_to_contain_text("brouillon interne")
    expect(suggestions).not_to_contain_text(elsewhere.reference)
    screenshot("ressources-suggestions")

    with page.context.expect_page() as opened:
        suggestions.get_by_role("link", name=article.title).click()
    article_page = opened.value
    expect(article_page.get_by_role("heading", level=1)).to_have_text(article.title)
    expect(article_page).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    article_page.screenshot(path=str(screenshot.folder / "ressources-article.png"), full_page=True)
    # The form keeps what the agent typed; the follow is counted for the pilot.
    expect(page.get_by_label("Titre")).to_have_value("Restitution INF-BUD-53 vide")
    assert SuggestionFollow.objects.filter(user=agent, article=article).count() == 1


def test_member_writes_a_draft_that_agents_do_not_see(page, screenshot):
    member = TeamMemberFactory(user__first_name="Nadia").user
    ArticleFactory(title="Calendrier de fin de gestion", summary="Les dates à retenir.")

    log_in(page, member.email)
    page.goto("/ressources/")
    page.get_by_role("link", name="Nouvel article").click()
    page.get_by_label("Nature").select_option(label="Fiche bonnes pratiques")
    page.get_by_role("textbox", name=re.compile("^Titre")).fill(
        "Travailler avec le CSP du ministère de l’agriculture"
    )
    page.get_by_label("Résumé").fill("Qui fait quoi, et quand relancer.")
    page.get_by_role("textbox", name=re.compile("^Texte")).fill(
        "### Avant d’envoyer\n- vérifier le **service fait**"
    )
    page.get_by_label("Axe").select_option(
        label="Bonnes pratiques et harmonisation avec les plateformes"
    )
    page.locator("label", has_text="DDPP —").click()
    screenshot("ressources-formulaire")
    page.get_by_role("button", name="Enregistrer l’article").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Travailler avec le CSP du ministère de l’agriculture"
    )
    page.goto("/ressources/")
    expect(page.locator("#liste-articles")).to_contain_text("Brouillon")
    screenshot("ressources-liste-equipe")
    log_out(page)

    log_in(page, UserFactory().email)
    page.goto("/ressources/")
    expect(page.locator("#liste-articles")).to_contain_text("Calendrier de fin de gestion")
    expect(page.locator("#liste-articles")).not_to_contain_text("ministère de l’agriculture")

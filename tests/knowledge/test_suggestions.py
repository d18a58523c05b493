"""Suggestions while an agent types a request: published articles and the DDI's own open
requests, the closest first; never a draft, never another DDI's request; and the measure
of the suggestions agents followed."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.knowledge.models import SuggestionFollow
from accompagnement.knowledge.selectors import suggested_articles, suggestion_follow_figures
from accompagnement.knowledge.services import article_update_search
from accompagnement.support.enums import Status
from accompagnement.support.selectors.requests import similar_open_requests
from accompagnement.support.services.requests import support_request_update_search
from ddi.enums import DDIKind
from tests.accounts.factories import UserFactory
from tests.knowledge.factories import ArticleFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

TYPED = "Restitution INF-BUD-53 vide : les engagements juridiques n'apparaissent pas"


def indexed(*objects):
    """Rows built by factories get the search vector the services would have written."""
    for obj in objects:
        if hasattr(obj, "reference"):
            support_request_update_search(obj)
        else:
            article_update_search(obj)
    return objects


def request_of(agent, title, body="Rien de plus.", **kwargs):
    return SupportRequestFactory(
        requester=UserFactory(ddi=agent.ddi), title=title, body=body, **kwargs
    )


@pytest.fixture
def articles():
    known = ArticleFactory(
        title="Restitution INF-BUD-53 vide ou incomplète",
        summary="Pourquoi les engagements juridiques manquent dans la restitution.",
        body="Vérifiez le périmètre de la restitution et la date de bascule des EJ.",
    )
    loose = ArticleFactory(
        title="Utiliser Chorus Formulaires",
        summary="Saisir une demande d'achat.",
        body="Une restitution peut aider à suivre les demandes.",
    )
    unrelated = ArticleFactory(title="Calendrier de fin de gestion", body="Les dates limites.")
    draft = ArticleFactory(
        draft=True, title="Restitution INF-BUD-53 : brouillon", body="Engagements juridiques."
    )
    archived = ArticleFactory(
        archived=True, title="Restitution INF-BUD-53 : ancienne version", body="Engagements."
    )
    indexed(known, loose, unrelated, draft, archived)
    return {"known": known, "loose": loose, "draft": draft, "archived": archived}


def test_the_known_article_comes_first_and_drafts_never_appear(articles):
    found = suggested_articles(TYPED)
    assert found[0] == articles["known"]
    assert articles["loose"] in found
    assert articles["draft"] not in found
    assert articles["archived"] not in found


def test_at_most_five_articles_are_suggested():
    indexed(*ArticleFactory.create_batch(7, title="Restitution vide"))
    assert len(suggested_articles("restitution vide")) == 5


def test_nothing_is_suggested_for_common_words_only(articles):
    assert suggested_articles("") == []
    assert suggested_articles("pour les de la") == []


def test_the_known_similar_request_comes_first_and_only_open_ones_of_the_ddi(agent):
    known = request_of(
        agent,
        "INF-BUD-53 ne montre aucun engagement juridique",
        "La restitution INF-BUD-53 est vide depuis lundi.",
        status=Status.IN_PROGRESS,
    )
    loose = request_of(agent, "Question sur une restitution", "Une autre restitution.")
    resolved = request_of(agent, "Restitution INF-BUD-53 vide", resolved=True)
    elsewhere = SupportRequestFactory(title="Restitution INF-BUD-53 vide, engagements absents")
    indexed(known, loose, resolved, elsewhere)

    found = similar_open_requests(TYPED, ddi_id=agent.ddi_id)

    assert found[0] == known
    assert loose in found
    assert resolved not in found
    assert elsewhere not in found


def test_suggestions_fragment_for_the_agent(client, agent, articles):
    mine = request_of(agent, "Restitution INF-BUD-53 vide depuis lundi")
    other_ddi = SupportRequestFactory(title="Restitution INF-BUD-53 vide chez nous aussi")
    indexed(mine, other_ddi)
    client.force_login(agent)

    response = client.get(
        reverse("support:suggestions"),
        {"title": "Restitution INF-BUD-53 vide", "body": "engagements juridiques absents"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    follow_url = reverse("knowledge:follow", args=[articles["known"].slug])
    # A button of the page's follow form (POST), not a link a prefetch could open.
    assert f'formaction="{follow_url}"' in html
    assert f'href="{follow_url}"' not in html
    assert articles["draft"].title not in html
    assert mine.reference in html
    assert other_ddi.reference not in html
    assert other_ddi.title not in html


def test_suggestions_fragment_is_empty_when_nothing_matches(client, agent, articles):
    client.force_login(agent)
    response = client.get(reverse("support:suggestions"), {"title": "zzz", "body": ""})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_the_filing_form_asks_for_suggestions_as_the_agent_types(client, agent):
    client.force_login(agent)
    html = client.get(reverse("support:create")).content.decode()
    url = reverse("support:suggestions")
    assert html.count(f'hx-get="{url}"') == 2  # the title and the description
    assert 'hx-trigger="keyup changed delay:500ms"' in html
    assert 'id="suggestions"' in html


def test_opening_a_suggested_article_records_a_follow_for_the_agent(client, agent, articles):
    client.force_login(agent)
    response = client.post(reverse("knowledge:follow", args=[articles["known"].slug]))
    assert response.status_code == 302
    assert response.url == articles["known"].get_absolute_url()
    follow = SuggestionFollow.objects.get()
    assert (follow.user, follow.article) == (agent, articles["known"])


def test_the_team_opening_an_article_is_not_counted(client, member, articles):
    client.force_login(member)
    client.post(reverse("knowledge:follow", args=[articles["known"].slug]))
    assert not SuggestionFollow.objects.exists()


def test_following_a_suggestion_needs_a_post_with_the_csrf_token(agent, articles):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    follow_url = reverse("knowledge:follow", args=[articles["known"].slug])
    # A GET (a prefetch, an <img src>, a link in a mail) writes nothing.
    assert client.get(follow_url).status_code == 405
    # Nor a POST from another site, without the page's token.
    assert client.post(follow_url).status_code == 403
    assert not SuggestionFollow.objects.exists()

    # The filing form holds the token of the follow form its suggestions submit.
    page = client.get(reverse("support:create")).content.decode()
    form = re.search(r'<form id="suivre-suggestion"[^>]*>.*?</form>', page, re.S).group(0)
    assert 'method="post"' in form
    assert 'target="_blank"' in form
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post(follow_url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response.url == articles["known"].get_absolute_url()
    assert SuggestionFollow.objects.filter(user=agent, article=articles["known"]).count() == 1


def test_figures_count_follows_not_followed_by_a_request_within_the_window(agent, articles):
    now = timezone.now()
    other = UserFactory(ddi=agent.ddi)
    late = UserFactory(ddi=agent.ddi)
    for user in (agent, other, late):
        SuggestionFollow.objects.create(
            user=user, article=articles["known"], created_at=now - timedelta(hours=2)
        )
    # `agent` filed a request 10 minutes after reading: the suggestion did not answer.
    SupportRequestFactory(requester=agent, created_at=now - timedelta(hours=2, minutes=-10))
    # `late` filed one, but the next day: it counts as answered.
    SupportRequestFactory(requester=late, created_at=now + timedelta(days=1))

    figures = suggestion_follow_figures(window=timedelta(minutes=30))

    assert (figures.followed, figures.without_request) == (3, 2)
    assert figures.share_without_request == 67


def test_articles_meant_for_other_directions_are_not_suggested(client, agent, articles):
    assert agent.ddi.kind == DDIKind.DDPP
    for_ddt = ArticleFactory(
        title="Restitution INF-BUD-53 des DDT",
        summary="Les engagements juridiques des DDT dans la restitution.",
        ddi_kinds=[DDIKind.DDT, DDIKind.DDTM],
    )
    for_ddpp = ArticleFactory(
        title="Restitution INF-BUD-53 des DDPP",
        summary="Les engagements juridiques des DDPP dans la restitution.",
        ddi_kinds=[DDIKind.DDPP],
    )
    indexed(for_ddt, for_ddpp)
    client.force_login(agent)
    html = client.get(
        reverse("support:suggestions"),
        {"title": "Restitution INF-BUD-53 vide", "body": "engagements juridiques absents"},
    ).content.decode()
    assert for_ddpp.title in html
    assert for_ddt.title not in html
    assert articles["known"].title in html

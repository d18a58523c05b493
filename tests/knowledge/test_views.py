"""The knowledge base's pages: the list (search, filters, drafts for the team only), an
article, writing one, the pilot's figure, and an article linked in a reply."""

import pytest
from django.urls import reverse

from accompagnement.axes.models import Axis
from accompagnement.knowledge.models import Article, ArticleStatus, SuggestionFollow
from accompagnement.knowledge.services import article_update_search
from accompagnement.support.enums import MessageKind
from ddi.enums import DDIKind
from ddi.models import ProgrammeUse
from tests.ddi.factories import ProgrammeFactory
from tests.knowledge.factories import ArticleFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("knowledge:index")


def test_agent_reads_published_articles_only(client, agent):
    ArticleFactory(title="Fiche publiée")
    ArticleFactory(draft=True, title="Brouillon secret")
    ArticleFactory(archived=True, title="Article archivé")
    client.force_login(agent)

    html = client.get(INDEX).content.decode()

    assert "Fiche publiée" in html
    assert "Brouillon secret" not in html
    assert "Article archivé" not in html
    assert "1 article" in html
    assert "Nouvel article" not in html


def test_team_sees_drafts_and_archived_with_a_badge(client, member):
    ArticleFactory(draft=True, title="Brouillon de l’équipe")
    ArticleFactory(archived=True, title="Ancienne fiche")
    client.force_login(member)

    html = client.get(INDEX).content.decode()

    assert "Brouillon de l’équipe" in html
    assert "Ancienne fiche" in html
    assert ">Brouillon</p>" in html
    assert ">Archivé</p>" in html
    assert reverse("knowledge:create") in html


def test_list_filters_by_axis_kind_category_and_words(client, agent):
    category = CategoryFactory(axis=Axis.YEAR_END, name="Charges à payer")
    ArticleFactory(
        title="Fiche charges à payer",
        axis=Axis.YEAR_END,
        kind="practice",
        categories=[category],
    )
    ArticleFactory(title="Guide des restitutions", axis=Axis.TOOL, kind="guide")
    for article in Article.objects.all():  # as the service would (PostgreSQL's vector)
        article_update_search(article)
    client.force_login(agent)

    def titles(**query):
        page = client.get(INDEX, query)
        return [article.title for article in page.context["page_obj"].object_list]

    assert titles(axis=Axis.YEAR_END) == ["Fiche charges à payer"]
    assert titles(kind="guide") == ["Guide des restitutions"]
    assert titles(category=category.pk) == ["Fiche charges à payer"]
    assert titles(q="restitutions") == ["Guide des restitutions"]
    assert len(titles(axis="inconnu")) == 2  # a tampered filter is ignored


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow_with_articles(
    client, pilot, django_assert_num_queries, count
):
    categories = CategoryFactory.create_batch(3)
    ArticleFactory.create_batch(count, categories=categories)
    client.force_login(pilot)
    # session, user, category choices, count, page, its categories, follow figures
    with django_assert_num_queries(7):
        response = client.get(INDEX)
    assert response.status_code == 200


def test_article_page_renders_sanitised_markdown(client, agent):
    article = ArticleFactory(
        body="### Étapes\n- **Ouvrir** la restitution\n<script>alert('x')</script>"
    )
    article.programmes.add(ProgrammeFactory(code="206"))
    client.force_login(agent)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<h3>Étapes</h3>" in html
    assert "<strong>Ouvrir</strong>" in html
    assert "<script>alert" not in html
    assert "P206" in html
    assert "Modifier l’article" not in html


def test_member_writes_an_article(client, member):
    category = CategoryFactory(axis=Axis.TOOL)
    client.force_login(member)

    response = client.post(
        reverse("knowledge:create"),
        {
            "kind": "faq",
            "title": "Comment lire INF-BUD-53 ?",
            "summary": "En trois étapes.",
            "body": "Premièrement…",
            "axis": Axis.TOOL,
            "categories": [category.pk],
            "ddi_kinds": ["DDPP"],
            "status": ArticleStatus.PUBLISHED,
            "reviewed_on": "2011-11-15",
        },
    )

    article = Article.objects.get()
    assert response.status_code == 302
    assert response.url == article.get_absolute_url()
    assert (article.title, article.author, article.ddi_kinds) == (
        "Comment lire INF-BUD-53 ?",
        member,
        ["DDPP"],
    )
    assert list(article.categories.all()) == [category]
    assert str(article.reviewed_on) == "2011-11-15"


def test_a_category_of_another_axis_is_refused_in_french(client, member):
    category = CategoryFactory(axis=Axis.YEAR_END, name="Charges à payer")
    client.force_login(member)
    response = client.post(
        reverse("knowledge:create"),
        {
            "kind": "faq",
            "title": "Titre",
            "summary": "Résumé",
            "body": "Texte",
            "axis": Axis.TOOL,
            "categories": [category.pk],
            "status": ArticleStatus.DRAFT,
        },
    )
    assert response.status_code == 200
    assert "ne relèvent pas de l’axe choisi : Charges à payer" in response.content.decode()
    assert not Article.objects.exists()


def test_member_publishes_a_draft_by_editing_it(client, member, agent):
    article = ArticleFactory(draft=True, title="Fiche en cours")
    client.force_login(member)
    form = client.get(reverse("knowledge:update", args=[article.slug])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["categories"] = [category.pk for category in data["categories"]]
    data["programmes"] = [programme.pk for programme in data["programmes"]]
    data["status"] = ArticleStatus.PUBLISHED

    response = client.post(reverse("knowledge:update", args=[article.slug]), data)

    assert response.status_code == 302
    client.force_login(agent)
    assert client.get(article.get_absolute_url()).status_code == 200


def test_pilot_sees_how_often_a_suggestion_was_followed(client, pilot, member, agent):
    article = ArticleFactory()
    SuggestionFollow.objects.create(user=agent, article=article)
    SuggestionFollow.objects.create(user=agent, article=article)
    SupportRequestFactory(requester=agent)  # right after the follows

    client.force_login(pilot)
    html = client.get(INDEX).content.decode()
    assert "2 articles suggérés ouverts" in html
    assert "0 sans demande déposée" in html

    client.force_login(member)
    assert "suggestions-suivies" not in client.get(INDEX).content.decode()


def test_member_answers_with_an_article_and_the_ddi_sees_the_link(client, settings, member, agent):
    settings.SITE_URL = "https://accompagnement.example.org"
    article = ArticleFactory(title="Lire la restitution INF-BUD-53", slug="lire-inf-bud-53")
    ArticleFactory(draft=True, title="Brouillon à ne pas proposer")
    support_request = SupportRequestFactory(requester=agent)
    page = reverse("support:detail", args=[support_request.reference])
    client.force_login(member)
    assert "Brouillon à ne pas proposer" not in client.get(page).content.decode()

    response = client.post(
        reverse("support:reply", args=[support_request.reference]),
        {
            "kind": MessageKind.PUBLIC,
            "body": "Voici la marche à suivre.",
            "article": article.pk,
            "version": support_request.version,
        },
    )
    assert response.status_code == 302

    client.force_login(agent)
    html = client.get(page).content.decode()
    assert "Voici la marche à suivre." in html
    assert 'href="https://accompagnement.example.org/ressources/lire-inf-bud-53/"' in html
    assert ">Lire la restitution INF-BUD-53</a>" in html


def test_a_draft_cannot_be_linked_in_a_reply(client, member):
    draft = ArticleFactory(draft=True)
    support_request = SupportRequestFactory()
    client.force_login(member)
    response = client.post(
        reverse("support:reply", args=[support_request.reference]),
        {
            "kind": MessageKind.PUBLIC,
            "body": "Voir l’article.",
            "article": draft.pk,
            "version": support_request.version,
        },
    )
    assert response.status_code == 200
    assert "Choisissez un article publié de la liste." in response.content.decode()
    assert not support_request.messages.exists()


def test_agents_reply_form_has_no_article_choice(client, agent):
    support_request = SupportRequestFactory(requester=agent)
    client.force_login(agent)
    html = client.get(reverse("support:detail", args=[support_request.reference])).content
    assert b"article" not in html


# ---------------------------------------------------------------------------- for the agent's DDI


@pytest.fixture
def targeted(agent):
    """Articles aimed at kinds of DDI and programmes; the agent's DDI is a DDPP, which
    uses programme 206 and not 113."""
    used, unused = ProgrammeFactory(code="206"), ProgrammeFactory(code="113")
    ProgrammeUse.objects.create(ddi_kind=DDIKind.DDPP, programme=used)
    ProgrammeUse.objects.create(ddi_kind=DDIKind.DDT, programme=unused)
    articles = {
        "everyone": ArticleFactory(title="Pour toutes les directions"),
        "ddpp": ArticleFactory(title="Pour les DDPP", ddi_kinds=[DDIKind.DDPP]),
        "ddt_only": ArticleFactory(title="Pour les DDT seulement", ddi_kinds=[DDIKind.DDT]),
        "ddcspp": ArticleFactory(title="Pour les DDCSPP seulement", ddi_kinds=[DDIKind.DDCSPP]),
        "used": ArticleFactory(title="Sur le programme 206"),
        "unused": ArticleFactory(title="Sur le programme 113"),
        "both": ArticleFactory(title="Sur les programmes 206 et 113"),
    }
    articles["used"].programmes.set([used])
    articles["unused"].programmes.set([unused])
    articles["both"].programmes.set([used, unused])
    return articles


def shown(client, **params) -> set[str]:
    response = client.get(INDEX, params)
    assert response.status_code == 200
    return {a.title for a in response.context["page_obj"]}


def test_an_agent_first_sees_the_articles_for_their_direction(client, agent, targeted):
    assert agent.ddi.kind == DDIKind.DDPP
    client.force_login(agent)
    mine = {"Pour toutes les directions", "Pour les DDPP", "Sur le programme 206"}
    mine.add("Sur les programmes 206 et 113")
    assert shown(client) == mine
    assert shown(client, q="") == mine
    assert shown(client, pour="n-importe-quoi") == mine
    assert shown(client, pour="tous") == {a.title for a in targeted.values()}
    page = client.get(INDEX).content.decode()
    assert "Pour ma direction (DDPP)" in page


def test_the_team_sees_every_article_without_the_direction_choice(client, member, targeted):
    client.force_login(member)
    assert shown(client) == {a.title for a in targeted.values()}
    assert "Pour ma direction" not in client.get(INDEX).content.decode()

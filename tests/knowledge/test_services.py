"""The knowledge base's services: writing articles, their address, search and rendering."""

import pytest
from django.db import connection

from accompagnement.axes.models import Axis
from accompagnement.core.markdown import render_markdown
from accompagnement.knowledge.models import Article, ArticleKind, ArticleStatus
from accompagnement.knowledge.selectors import article_search
from accompagnement.knowledge.services import (
    article_create,
    article_link_markdown,
    article_update,
    article_update_search,
)
from tests.ddi.factories import ProgrammeFactory
from tests.knowledge.factories import ArticleFactory
from tests.support.factories import CategoryFactory
from tests.support.test_services_requests import distinct_words

pytestmark = pytest.mark.django_db

only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="French full-text search needs PostgreSQL"
)


def create(member, **overrides):
    fields = {
        "kind": ArticleKind.GUIDE,
        "title": "Lire une restitution INF-BUD-53",
        "summary": "Les colonnes, les filtres, les pièges.",
        "body": "### Avant de commencer\nChoisissez le bon périmètre.",
        "axis": Axis.TOOL,
    }
    return article_create(author=member, **{**fields, **overrides})


def test_create_gives_a_readable_unique_address_and_keeps_the_classification(member):
    category = CategoryFactory(axis=Axis.TOOL)
    programme = ProgrammeFactory(code="333")
    first = create(
        member,
        categories=[category],
        programmes=[programme],
        ddi_kinds=["DDPP", "DDCS"],
        status=ArticleStatus.PUBLISHED,
    )
    second = create(member)

    assert first.slug == "lire-une-restitution-inf-bud-53"
    assert second.slug == "lire-une-restitution-inf-bud-53-2"
    assert first.get_absolute_url() == "/ressources/lire-une-restitution-inf-bud-53/"
    assert list(first.categories.all()) == [category]
    assert list(first.programmes.all()) == [programme]
    assert first.ddi_kinds == ["DDCS", "DDPP"]
    assert first.author == member
    assert second.status == ArticleStatus.DRAFT


def test_a_title_cannot_take_the_address_of_a_page_of_the_knowledge_base(member):
    assert create(member, title="Nouvelle").slug == "nouvelle-2"
    assert create(member, title="Suggestions").slug == "suggestions-2"


def test_update_keeps_the_address_and_moves_the_modification_date(member):
    article = create(member)
    before = article.updated_at
    article_update(
        article=article,
        title="Un tout autre titre",
        status=ArticleStatus.PUBLISHED,
        categories=[],
        programmes=[],
    )
    article.refresh_from_db()
    assert article.slug == "lire-une-restitution-inf-bud-53"
    assert article.title == "Un tout autre titre"
    assert article.status == ArticleStatus.PUBLISHED
    assert article.updated_at > before


def test_update_refuses_an_unknown_field(member):
    with pytest.raises(TypeError):
        article_update(article=create(member), slug="ailleurs")


def test_reply_link_is_absolute_markdown(settings, member):
    settings.SITE_URL = "https://accompagnement.example.org/"
    article = create(member, title="Le [guide] des restitutions")
    assert article_link_markdown(article) == (
        "[Le (guide) des restitutions]"
        "(https://accompagnement.example.org/ressources/le-guide-des-restitutions/)"
    )


def test_markdown_of_an_article_is_sanitised():
    html = render_markdown(
        "**Gras** <script>alert('x')</script> [lien](javascript:alert(1)) "
        '<img src=x onerror="alert(1)">'
    )
    assert "<strong>Gras</strong>" in html
    assert "<script" not in html
    assert "href" not in html  # the javascript: link stays as inert text
    assert "onerror" not in html


def test_search_finds_every_word_in_title_summary_or_body():
    wanted = ArticleFactory(title="Charges à payer", summary="En fin de gestion.")
    ArticleFactory(title="Charges de personnel", summary="Paie.")
    if connection.vendor == "postgresql":
        from accompagnement.knowledge.services import article_update_search

        for article in Article.objects.all():
            article_update_search(article)
    assert list(article_search(Article.objects.all(), "charges gestion")) == [wanted]


@only_postgresql
def test_postgresql_search_is_french_stemmed_and_ranked(member):
    in_title = create(member, title="Les restitutions de fin de gestion", body="Rien.")
    in_body = create(member, title="Autre sujet", body="Une restitution parmi d'autres.")
    create(member, title="Chorus Formulaires", body="Aucun rapport.")
    found = list(article_search(Article.objects.all(), "restitution"))
    assert found == [in_title, in_body]


@only_postgresql
def test_an_article_of_a_megabyte_is_saved_and_searchable_by_its_first_part():
    # "string is too long for tsvector" (an article saved from the admin, which has no
    # cap): the vector failed, and the save with it.
    words = distinct_words(170_000)
    article = ArticleFactory(title="Un très long article", body=" ".join(words))
    article_update_search(article)
    assert list(article_search(Article.objects.all(), words[1_000])) == [article]

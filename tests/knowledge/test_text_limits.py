"""An article's text has a cap: longer, it is refused in French and nothing is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accompagnement.axes.models import Axis
from accompagnement.knowledge.models import Article, ArticleKind, ArticleStatus
from accompagnement.knowledge.services import article_create, article_update
from tests.knowledge.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ARTICLE_MAX_LENGTH = 100_000
TOO_LONG = "Texte trop long"


def test_an_article_longer_than_the_cap_is_refused_in_french_and_not_saved(client, member):
    client.force_login(member)

    response = client.post(
        reverse("knowledge:create"),
        {
            "kind": ArticleKind.GUIDE,
            "title": "Guide complet",
            "summary": "Tout.",
            "body": "a" * (ARTICLE_MAX_LENGTH + 1),
            "axis": Axis.TOOL,
            "status": ArticleStatus.DRAFT,
        },
    )

    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    assert "100\u202f000" in response.content.decode()
    assert not Article.objects.exists()


def test_the_services_refuse_an_article_longer_than_the_cap(member):
    arguments = {
        "author": member,
        "kind": ArticleKind.GUIDE,
        "title": "Guide complet",
        "summary": "Tout.",
        "axis": Axis.TOOL,
    }
    with pytest.raises(ValidationError, match=TOO_LONG):
        article_create(**arguments, body="a" * (ARTICLE_MAX_LENGTH + 1))
    assert not Article.objects.exists()
    assert article_create(**arguments, body="a" * ARTICLE_MAX_LENGTH).pk

    article = ArticleFactory(body="Court.")
    with pytest.raises(ValidationError, match=TOO_LONG):
        article_update(article=article, body="a" * (ARTICLE_MAX_LENGTH + 1))
    article.refresh_from_db()
    assert article.body == "Court."

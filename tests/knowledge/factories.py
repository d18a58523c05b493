import factory
from factory.django import DjangoModelFactory

from accompagnement.axes.models import Axis
from accompagnement.knowledge.models import Article, ArticleKind, ArticleStatus
from tests.accounts.factories import UserFactory


class ArticleFactory(DjangoModelFactory):
    """A published article. Traits: `draft=True`, `archived=True`.

    Built rows have no search vector: tests on PostgreSQL's search go through
    `knowledge.services` or call `article_update_search`.
    """

    class Meta:
        model = Article
        skip_postgeneration_save = True

    kind = ArticleKind.FAQ
    title = factory.Sequence(lambda n: f"Article n°{n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "Un résumé court."
    body = "Le texte de l'article."
    axis = Axis.TOOL
    status = ArticleStatus.PUBLISHED
    author = factory.SubFactory(UserFactory, member=True)

    class Params:
        draft = factory.Trait(status=ArticleStatus.DRAFT)
        archived = factory.Trait(status=ArticleStatus.ARCHIVED)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)

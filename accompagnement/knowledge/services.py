"""Writes of the knowledge base: articles, their search vector, followed suggestions."""

from datetime import date

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accompagnement.accounts.models import User
from accompagnement.core.markdown import ARTICLE_MAX_LENGTH, check_text_length
from accompagnement.core.search import SEARCH_VECTOR_MAX_CHARS, searchable_prefix
from accompagnement.knowledge.models import Article, ArticleStatus, SuggestionFollow

# Paths under /ressources/ that an article's slug must not take.
RESERVED_SLUGS = frozenset({"nouvelle", "suggestions"})
SLUG_MAX_LENGTH = Article._meta.get_field("slug").max_length

# The fields `article_create` and `article_update` write besides the many-to-many ones.
_PLAIN_FIELDS = ("kind", "title", "summary", "body", "axis", "status", "ddi_kinds", "reviewed_on")


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[: SLUG_MAX_LENGTH - 4].strip("-") or "article"
    taken = (
        set(
            Article.objects.filter(slug__startswith=base)
            .exclude(pk=exclude_pk)
            .values_list("slug", flat=True)
        )
        | RESERVED_SLUGS
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def article_update_search(article: Article) -> None:
    """Refresh the French full-text vector (title and summary first, then the text: its
    first `SEARCH_VECTOR_MAX_CHARS`)."""
    if connection.vendor != "postgresql":
        return
    body = searchable_prefix("body", SEARCH_VECTOR_MAX_CHARS)
    Article.objects.filter(pk=article.pk).update(
        search_vector=SearchVector("title", weight="A", config="french")
        + SearchVector("summary", weight="B", config="french")
        + SearchVector(body, weight="C", config="french")
    )


@transaction.atomic
def article_create(
    *,
    author: User,
    kind: str,
    title: str,
    summary: str,
    body: str,
    axis: str,
    status: str = ArticleStatus.DRAFT,
    categories=(),
    programmes=(),
    ddi_kinds: list[str] | None = None,
    reviewed_on: date | None = None,
) -> Article:
    check_text_length(body, limit=ARTICLE_MAX_LENGTH, field="body")
    now = timezone.now()
    article = Article.objects.create(
        author=author,
        slug=_unique_slug(title),
        kind=kind,
        title=title,
        summary=summary,
        body=body,
        axis=axis,
        status=status,
        ddi_kinds=sorted(ddi_kinds or []),
        reviewed_on=reviewed_on,
        created_at=now,
        updated_at=now,
    )
    article.categories.set(categories)
    article.programmes.set(programmes)
    article_update_search(article)
    return article


@transaction.atomic
def article_update(*, article: Article, categories=None, programmes=None, **fields) -> Article:
    """Change the given fields (`_PLAIN_FIELDS`) and, when passed, the categories and
    programmes. The address (slug) never changes: links sent in replies keep working."""
    unknown = set(fields) - set(_PLAIN_FIELDS)
    if unknown:
        raise TypeError(f"article_update() got unexpected fields: {sorted(unknown)}")
    if "body" in fields:
        check_text_length(fields["body"], limit=ARTICLE_MAX_LENGTH, field="body")
    if "ddi_kinds" in fields:
        fields["ddi_kinds"] = sorted(fields["ddi_kinds"] or [])
    for name, value in fields.items():
        setattr(article, name, value)
    article.updated_at = timezone.now()
    article.save(update_fields=[*fields, "updated_at"])
    if categories is not None:
        article.categories.set(categories)
    if programmes is not None:
        article.programmes.set(programmes)
    article_update_search(article)
    return article


def suggestion_follow_record(*, user: User, article: Article) -> SuggestionFollow:
    return SuggestionFollow.objects.create(user=user, article=article)


def article_link_markdown(article: Article) -> str:
    """A Markdown link to the article, absolute so that it works in e-mails too."""
    url = settings.SITE_URL.rstrip("/") + article.get_absolute_url()
    title = article.title.replace("[", "(").replace("]", ")")
    return f"[{title}]({url})"

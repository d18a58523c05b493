"""Reads of the knowledge base: the list and its search, suggestions while an agent types
a request, how often a suggestion was followed, and who may read or write articles
(`get_article_for`)."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from accompagnement.accounts.models import User
from accompagnement.accounts.roles import is_agent, is_pilot, is_team
from accompagnement.audience import AudienceFields, meant_for
from accompagnement.knowledge.models import Article, SuggestionFollow
from ddi.models import DDI

# An article concerns DDIs by kind and by the programmes their kind uses (`ProgrammeUse`),
# not those they are attached for.
ARTICLE_AUDIENCE = AudienceFields(
    kinds="ddi_kinds", programmes="programmes", programmes_used_by_kind=True
)

SEARCH_MAX_TERMS = 8
SUGGESTION_LIMIT = 5
SUGGESTION_MAX_TERMS = 12
# A followed suggestion counts as "solved without a request" when its agent files no
# request within this delay.
FOLLOW_WINDOW = timedelta(minutes=30)

# Words too common to say two texts are alike (the SQLite fallback; PostgreSQL's French
# configuration has its own list).
_STOP_WORDS_TEXT = (
    "alors aucun aussi avec avoir bonjour cela cette comme dans depuis donc elle elles "
    "encore entre est être fait faire leur leurs mais merci même nous notre nos pas plus "
    "pour quand que quel quelle qui sans ses son sont sous sur tout tous très une vos "
    "votre vous les des aux par ont été était"
)
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_WORD = re.compile(r"\w+", re.UNICODE)


def significant_words(text: str, limit: int = SUGGESTION_MAX_TERMS) -> list[str]:
    """The distinct words of `text` worth comparing (3 letters or more, no stop word)."""
    words: list[str] = []
    for word in _WORD.findall(text.lower()):
        if len(word) >= 3 and word not in _STOP_WORDS and word not in words:
            words.append(word)
        if len(words) == limit:
            break
    return words


def any_word_query(words: list[str]) -> SearchQuery:
    # Only \w characters reach to_tsquery: nothing to escape.
    return SearchQuery(" | ".join(words), config="french", search_type="raw")


# ---------------------------------------------------------------------------- the list


def article_search(queryset: QuerySet[Article], text: str) -> QuerySet[Article]:
    """PostgreSQL: the French vector kept by `services.py`, best match first.
    Elsewhere: every word in the title, summary or text."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config="french", search_type="websearch")
        return (
            queryset.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-updated_at")
        )
    condition = Q()
    for word in text.split()[:SEARCH_MAX_TERMS]:
        condition &= Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
    return queryset.filter(condition)


def articles_meant_for(queryset: QuerySet[Article], ddi: DDI) -> QuerySet[Article]:
    """The articles that concern `ddi`: no kind of DDI given or its kind among them, and
    no programme given or one that its kind of DDI uses (`ProgrammeUse`)."""
    return meant_for(queryset, ARTICLE_AUDIENCE, ddi)


def articles_for_list(
    queryset: QuerySet[Article],
    *,
    search: str = "",
    axis: str = "",
    kind: str = "",
    category=None,
    ddi: DDI | None = None,
) -> QuerySet[Article]:
    """`queryset` (the articles the viewer may read) filtered, with what the list shows;
    with `ddi`, only the articles that concern it."""
    if ddi is not None:
        queryset = articles_meant_for(queryset, ddi)
    if axis:
        queryset = queryset.filter(axis=axis)
    if kind:
        queryset = queryset.filter(kind=kind)
    if category is not None:
        queryset = queryset.filter(categories=category)
    return article_search(queryset, search).prefetch_related("categories")


def published_article_choices() -> list[tuple[int, str]]:
    """`(id, title)` of the published articles, for a reply's "join an article" list."""
    return list(Article.objects.published().order_by("title").values_list("pk", "title"))


def article_page_queryset() -> QuerySet[Article]:
    return Article.objects.select_related("author").prefetch_related("categories", "programmes")


# ---------------------------------------------------------------------------- suggestions


def overlap_ranked(candidates, words: list[str], text_of, limit: int) -> list:
    """SQLite fallback: the candidates sharing the most words with the typed text."""
    scored = []
    for candidate in candidates:
        haystack = text_of(candidate).lower()
        score = sum(1 for word in words if word in haystack)
        if score:
            scored.append((score, candidate))
    scored.sort(key=lambda item: -item[0])
    return [candidate for _, candidate in scored[:limit]]


def suggested_articles(
    text: str, *, ddi: DDI | None = None, limit: int = SUGGESTION_LIMIT
) -> list[Article]:
    """Published articles closest to the typed title and description (among those that
    concern `ddi`, when given)."""
    words = significant_words(text)
    if not words:
        return []
    published = Article.objects.published()
    if ddi is not None:
        published = articles_meant_for(published, ddi)
    if connection.vendor == "postgresql":
        query = any_word_query(words)
        return list(
            published.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-updated_at")[:limit]
        )
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word) | Q(summary__icontains=word)
        condition |= Q(body__icontains=word)
    candidates = published.filter(condition).only("slug", "title", "summary", "body", "kind")
    return overlap_ranked(
        candidates, words, lambda a: f"{a.title} {a.title} {a.summary} {a.body}", limit
    )


# ---------------------------------------------------------------------------- follow-up


@dataclass(frozen=True)
class FollowFigures:
    followed: int
    without_request: int

    @property
    def share_without_request(self) -> int | None:
        """Percentage of followed suggestions after which no request was filed."""
        if not self.followed:
            return None
        return round(100 * self.without_request / self.followed)


def suggestion_follow_figures(*, window: timedelta = FOLLOW_WINDOW) -> FollowFigures:
    """How many suggested articles agents opened from the filing form, and after how many
    the agent filed no request within `window` (the suggestion answered the question).

    The requests are read through the agent's `filed_requests` relation."""
    filed_after = User.objects.filter(
        pk=OuterRef("user_id"),
        filed_requests__created_at__gte=OuterRef("created_at"),
        filed_requests__created_at__lte=OuterRef("created_at") + window,
    )
    counts = SuggestionFollow.objects.annotate(filed=Exists(filed_after)).aggregate(
        followed=Count("pk"), without_request=Count("pk", filter=Q(filed=False))
    )
    return FollowFigures(**counts)


# ---------------------------------------------------------------------------- knowledge base


def can_read_articles(user) -> bool:
    return is_agent(user) or is_team(user)


def can_write_articles(user) -> bool:
    """Members and the pilot write the knowledge base; agents only read it."""
    return is_team(user)


def can_see_suggestion_figures(user) -> bool:
    return is_pilot(user)


def articles_visible_to(user):
    """Every article for the team (drafts and archived included); published ones for an
    agent; nothing for anyone else."""

    if is_team(user):
        return Article.objects.all()
    if is_agent(user):
        return Article.objects.published()
    return Article.objects.none()


def get_article_for(user, slug: str, queryset=None):
    """The article `slug` if `user` may read it; 404 otherwise (an agent never learns that
    a draft exists)."""

    base = articles_visible_to(user) if queryset is None else queryset & articles_visible_to(user)
    article = base.filter(slug=slug).first()
    if article is None:
        raise Http404
    return article

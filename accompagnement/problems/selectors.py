"""Reads behind the problem screens: the list, a problem's page and its candidate requests,
and who may manage problems (`get_problem_for`: 403 outside the team, 404 if unknown).

Every list is read in one query (no per-row read): the problem page's query count does
not depend on how many requests, DDIs or answers it shows.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from accompagnement.accounts.roles import is_team
from accompagnement.knowledge.selectors import significant_words
from accompagnement.problems.models import Problem, ProblemAnswer, ProblemStatus
from accompagnement.support.enums import OPEN_STATUSES
from accompagnement.support.models import SupportRequest

CANDIDATE_WINDOW = timedelta(days=30)
CANDIDATE_LIMIT = 10
LIST_PAGE_SIZE = 50


def problems_for_list() -> QuerySet[Problem]:
    """Open problems first, newest first, with their counts of requests and DDIs."""
    return (
        Problem.objects.select_related("category", "programme", "created_by")
        .annotate(
            request_count=Count("requests", distinct=True),
            ddi_count=Count("requests__ddi", distinct=True),
            open_request_count=Count(
                "requests", filter=Q(requests__status__in=OPEN_STATUSES), distinct=True
            ),
            answer_count=Count("answers", distinct=True),
            open_first=Case(
                When(status=ProblemStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("open_first", "-created_at", "-pk")
    )


def problem_page_queryset() -> QuerySet[Problem]:
    return Problem.objects.select_related("category", "programme", "created_by", "article")


def problem_requests(problem: Problem) -> list[SupportRequest]:
    return list(
        problem.requests.select_related("ddi__department", "requester", "assignee").order_by(
            "ddi__department__code", "created_at", "pk"
        )
    )


def problem_answers(problem: Problem) -> list[ProblemAnswer]:
    """The answers, each with `delivered` (how many linked requests got it)."""
    return list(
        problem.answers.select_related("author")
        .annotate(delivered=Count("deliveries"))
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class DdiShare:
    """How the linked requests spread over DDIs (several of one DDI are allowed)."""

    ddi_count: int
    repeated_ddis: list[str]


def ddi_share(requests: list[SupportRequest]) -> DdiShare:
    counts: dict[int, int] = {}
    names: dict[int, str] = {}
    for request in requests:
        counts[request.ddi_id] = counts.get(request.ddi_id, 0) + 1
        names[request.ddi_id] = request.ddi.acronym
    return DdiShare(
        ddi_count=len(counts),
        repeated_ddis=sorted(names[pk] for pk, count in counts.items() if count > 1),
    )


def _overlap_ranked(candidates, words: list[str], limit: int) -> list[SupportRequest]:
    scored = []
    for candidate in candidates:
        haystack = f"{candidate.title} {candidate.title} {candidate.body}".lower()
        score = sum(1 for word in words if word in haystack)
        if score:
            scored.append((-score, -candidate.created_at.timestamp(), candidate.pk, candidate))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored[:limit]]


def problem_candidates(
    problem: Problem, *, limit: int = CANDIDATE_LIMIT, now=None
) -> list[SupportRequest]:
    """Open requests that may report the same thing: same category (and programme when the
    problem has one), filed in the last 30 days, in no problem yet, sharing words with the
    problem's title and description; the closest first."""
    words = significant_words(f"{problem.title} {problem.description}")
    if not words:
        return []
    since = (now or timezone.now()) - CANDIDATE_WINDOW
    candidates = SupportRequest.objects.filter(
        category_id=problem.category_id,
        status__in=OPEN_STATUSES,
        problem__isnull=True,
        created_at__gte=since,
    ).select_related("ddi__department")
    if problem.programme_id:
        candidates = candidates.filter(programme_id=problem.programme_id)
    if connection.vendor == "postgresql":
        # Only \w characters reach to_tsquery: nothing to escape.
        query = SearchQuery(" | ".join(words), config="french", search_type="raw")
        return list(
            candidates.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-created_at", "pk")[:limit]
        )
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word) | Q(body__icontains=word)
    return _overlap_ranked(candidates.filter(condition), words, limit)


def open_problems_choices() -> list[tuple[int, str]]:
    """The open problems a request can be attached to, from its page."""
    return [
        (pk, f"n° {pk} — {title}")
        for pk, title in Problem.objects.filter(status=ProblemStatus.OPEN)
        .order_by("-created_at", "-pk")
        .values_list("pk", "title")
    ]


def problem_of_request(support_request: SupportRequest) -> Problem | None:
    if support_request.problem_id is None:
        return None
    return Problem.objects.filter(pk=support_request.problem_id).first()


# ---------------------------------------------------------------------------- problems


def can_manage_problems(user) -> bool:
    """Problems are the team's: agents only see an answer on their own request."""
    return is_team(user)


def get_problem_for(user, pk: int, queryset=None):
    """403 for anyone outside the team, 404 for an unknown problem."""

    if not can_manage_problems(user):
        raise PermissionDenied
    problem = (Problem.objects.all() if queryset is None else queryset).filter(pk=pk).first()
    if problem is None:
        raise Http404
    return problem

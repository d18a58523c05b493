"""Problems reported by many DDIs: grouping requests, one answer for all, resolving all,
drafting a FAQ article from the answers.

A problem's title and description are the team's own words, never a request's: the title
reaches every linked DDI (the resolution's comment) and both open the article. The
requests themselves stay visible to the team only. The article is a draft, which a member
reviews and publishes from the knowledge base.

An answer reaches each linked request through `support.services.replies.support_request_reply`
(a public team reply: timeline, status, first response, e-mail from the outbox), after a
`ProblemAnswerDelivery` row is claimed under its unique (answer, request) pair; its
e-mails are keyed `problem_answer:<answer>:<request>`. Repeating the action, posting the
same form twice or attaching a request again therefore never posts nor sends twice.
Resolving goes through `support_request_transition`, one request at a time.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.accounts.models import User
from accompagnement.core.markdown import TEXT_MAX_LENGTH, check_text_length
from accompagnement.knowledge.models import Article, ArticleKind, ArticleStatus
from accompagnement.knowledge.services import article_create
from accompagnement.problems.models import (
    Problem,
    ProblemAnswer,
    ProblemAnswerDelivery,
    ProblemStatus,
)
from accompagnement.support.enums import OPEN_STATUSES, EventKind, Status
from accompagnement.support.models import Event, SupportRequest
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import (
    ensure_not_anonymised,
    support_request_transition,
)

SUMMARY_MAX_LENGTH = Article._meta.get_field("summary").max_length
# Room for the introduction each copy of an answer starts with (`_answer_body`), under the
# cap of a message.
ANSWER_MAX_LENGTH = TEXT_MAX_LENGTH - 1_000


@dataclass
class AttachOutcome:
    attached: list[SupportRequest] = field(default_factory=list)
    already: list[SupportRequest] = field(default_factory=list)
    # Linked to another problem: never moved silently.
    elsewhere: list[SupportRequest] = field(default_factory=list)
    # Anonymised: nothing may change them any more.
    anonymised: list[SupportRequest] = field(default_factory=list)


@dataclass
class ResolveOutcome:
    resolved: list[SupportRequest] = field(default_factory=list)
    # (request, reason): not open any more, or refused by the transition table.
    skipped: list[tuple[SupportRequest, str]] = field(default_factory=list)
    already_resolved: bool = False


def _check_team(user: User) -> None:
    if not roles.is_team(user):
        raise PermissionDenied


def _locked_requests(ids: Iterable[int]) -> list[SupportRequest]:
    """Fresh rows, locked until the end of the transaction (PostgreSQL), in reference order:
    the versions the services check are the current ones."""
    return list(
        SupportRequest.objects.select_for_update().filter(pk__in=list(ids)).order_by("reference")
    )


def problem_answer_notification_key(answer: ProblemAnswer, request: SupportRequest) -> str:
    return f"problem_answer:{answer.pk}:{request.pk}"


def _answer_body(answer: ProblemAnswer) -> str:
    intro = _(
        "Plusieurs DDI nous ont signalé le même problème : cette réponse est envoyée à "
        "chacune d’elles."
    )
    return f"{intro}\n\n{answer.body}"


def _deliver(answer: ProblemAnswer, request: SupportRequest) -> bool:
    """Copy `answer` into `request` once; False when it was already there."""
    try:
        with transaction.atomic():
            delivery = ProblemAnswerDelivery.objects.create(answer=answer, request=request)
    except IntegrityError:
        return False
    message = support_request_reply(
        request=request,
        author=answer.author,
        body=_answer_body(answer),
        notification_key=problem_answer_notification_key(answer, request),
    )
    delivery.message = message
    delivery.save(update_fields=["message"])
    return True


def _resolve_one(problem: Problem, request: SupportRequest, user: User) -> str | None:
    """Resolve `request` with the problem; the reason it was not, or None."""
    if request.status not in OPEN_STATUSES:
        return _("déjà %(status)s") % {"status": Status(request.status).label.lower()}
    try:
        with transaction.atomic():
            support_request_transition(
                request=request,
                user=user,
                to_status=Status.RESOLVED,
                comment=_("Résolue avec le problème « %(title)s », signalé par plusieurs DDI.")
                % {"title": problem.title},
            )
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


# ---------------------------------------------------------------------------- grouping


def _problem_set(
    request: SupportRequest, user: User, problem: Problem | None, comment: str
) -> Event:
    """Link `request` to `problem` (or to none), with the internal event that says so."""
    now = timezone.now()
    SupportRequest.objects.filter(pk=request.pk).update(problem=problem, last_activity_at=now)
    request.problem = problem
    return Event.objects.create(
        request=request,
        actor=user,
        kind=EventKind.PROBLEM,
        field="problem",
        comment=comment,
        is_public=False,
        created_at=now,
    )


@transaction.atomic
def problem_attach_requests(
    *, problem: Problem, user: User, requests: Iterable[SupportRequest]
) -> AttachOutcome:
    """Link requests to `problem`; each gets the problem's answers at once (and is resolved
    if the problem already is)."""
    _check_team(user)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    answers = list(problem.answers.select_related("author").order_by("created_at", "pk"))
    outcome = AttachOutcome()
    for request in _locked_requests(r.pk for r in requests):
        if request.problem_id == problem.pk:
            outcome.already.append(request)
            continue
        if request.problem_id is not None:
            outcome.elsewhere.append(request)
            continue
        if request.anonymised_at is not None:
            outcome.anonymised.append(request)
            continue
        _problem_set(
            request,
            user,
            problem,
            _("Rattachée au problème « %(title)s » (n° %(number)s).")
            % {"title": problem.title, "number": problem.pk},
        )
        for answer in answers:
            _deliver(answer, request)
        if not problem.is_open:
            _resolve_one(problem, request, user)
        outcome.attached.append(request)
    return outcome


@transaction.atomic
def problem_create(
    *,
    user: User,
    requests: list[SupportRequest],
    title: str,
    description: str = "",
) -> tuple[Problem, AttachOutcome]:
    """A problem from requests, titled and described by the team (the first request gives
    the category and the programme, none of its text). Requests already in another
    problem are left there."""
    _check_team(user)
    title, description = title.strip(), description.strip()
    if not title:
        raise ValidationError({"title": _("Donnez un titre au problème.")})
    check_text_length(description, limit=TEXT_MAX_LENGTH, field="description")
    free = [r for r in requests if r.problem_id is None]
    if not free:
        raise ValidationError(
            _("Aucune de ces demandes ne peut être groupée : elles relèvent déjà d’un problème.")
        )
    first = free[0]
    problem = Problem.objects.create(
        title=title[:200],
        description=description,
        category_id=first.category_id,
        programme_id=first.programme_id,
        created_by=user,
    )
    return problem, problem_attach_requests(problem=problem, user=user, requests=requests)


# ---------------------------------------------------------------------------- answering


def new_submission_key() -> uuid.UUID:
    return uuid.uuid4()


@transaction.atomic
def problem_answer_post(
    *, problem: Problem, author: User, body: str, submission_key: uuid.UUID | None = None
) -> tuple[ProblemAnswer, int]:
    """Post one answer to every linked request; returns it and how many requests got it
    now. The same `submission_key` posted again finds the same answer and only completes
    what is missing."""
    _check_team(author)
    if not body.strip():
        raise ValidationError({"body": _("La réponse est vide.")})
    check_text_length(body.strip(), limit=ANSWER_MAX_LENGTH, field="body")
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    answer = None
    if submission_key is not None:
        answer = ProblemAnswer.objects.filter(submission_key=submission_key).first()
        if answer is not None and answer.problem_id != problem.pk:
            raise ValidationError(_("Ce formulaire appartient à un autre problème."))
    if answer is None:
        answer = ProblemAnswer.objects.create(
            problem=problem,
            author=author,
            body=body.strip(),
            submission_key=submission_key or new_submission_key(),
        )
    delivered = problem_answer_deliver(answer=answer)
    return answer, delivered


@transaction.atomic
def problem_answer_deliver(*, answer: ProblemAnswer) -> int:
    """Copy `answer` into every linked request that does not have it yet."""
    linked = answer.problem.requests.exclude(problem_answer_deliveries__answer=answer)
    return sum(
        _deliver(answer, request)
        for request in _locked_requests(linked.values_list("pk", flat=True))
    )


# ---------------------------------------------------------------------------- resolving


@transaction.atomic
def problem_resolve(*, problem: Problem, user: User) -> ResolveOutcome:
    """Mark the problem resolved and resolve its linked requests that are still open, each
    through the workflow (event, e-mail); the others are reported, never forced."""
    _check_team(user)
    now = timezone.now()
    changed = Problem.objects.filter(pk=problem.pk, status=ProblemStatus.OPEN).update(
        status=ProblemStatus.RESOLVED, resolved_at=now
    )
    if not changed:
        return ResolveOutcome(already_resolved=True)
    problem.status, problem.resolved_at = ProblemStatus.RESOLVED, now
    outcome = ResolveOutcome()
    for request in _locked_requests(problem.requests.values_list("pk", flat=True)):
        reason = _resolve_one(problem, request, user)
        if reason is None:
            outcome.resolved.append(request)
        else:
            outcome.skipped.append((request, reason))
    return outcome


@transaction.atomic
def problem_detach_request(*, problem: Problem, user: User, request: SupportRequest) -> Event:
    """Take a request out of `problem` (grouped by mistake, or a different cause after
    all). What it already received stays in its timeline; later answers skip it."""
    _check_team(user)
    [request] = _locked_requests([request.pk])
    if request.problem_id != problem.pk:
        raise ValidationError(
            _("La demande %(reference)s n’est pas rattachée à ce problème.")
            % {"reference": request.reference}
        )
    ensure_not_anonymised(request)
    return _problem_set(
        request,
        user,
        None,
        _("Détachée du problème « %(title)s » (n° %(number)s).")
        % {"title": problem.title, "number": problem.pk},
    )


def problem_update(*, problem: Problem, user: User, title: str, description: str) -> Problem:
    """Correct the problem's title and description (the answers already sent stay as
    they were)."""
    _check_team(user)
    title, description = title.strip(), description.strip()
    if not title:
        raise ValidationError({"title": _("Donnez un titre au problème.")})
    check_text_length(description, limit=TEXT_MAX_LENGTH, field="description")
    Problem.objects.filter(pk=problem.pk).update(title=title, description=description)
    problem.title, problem.description = title, description
    return problem


def problem_reopen(*, problem: Problem, user: User) -> bool:
    """A resolved problem back to open (the cause came back); False if it was open. The
    requests resolved with it stay as they are: each DDI reopens its own if needed."""
    _check_team(user)
    changed = Problem.objects.filter(pk=problem.pk, status=ProblemStatus.RESOLVED).update(
        status=ProblemStatus.OPEN, resolved_at=None
    )
    if changed:
        problem.status, problem.resolved_at = ProblemStatus.OPEN, None
    return bool(changed)


# ---------------------------------------------------------------------------- publishing


def _article_body(problem: Problem, answers: list[ProblemAnswer]) -> str:
    parts = [f"## {_('Le problème')}", problem.description.strip() or problem.title]
    if answers:
        parts.append(f"## {_('La réponse de l’équipe')}")
        parts += [answer.body.strip() for answer in answers]
    return "\n\n".join(parts)


@transaction.atomic
def problem_publish_article(*, problem: Problem, user: User) -> tuple[Article, bool]:
    """Draft a FAQ article from the problem's title, description and answers, once;
    returns the article and whether it was created now. DDIs see it only once a member
    has reviewed it and published it from the knowledge base."""
    _check_team(user)
    problem = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("category", "article")
        .get(pk=problem.pk)
    )
    if problem.article is not None:
        return problem.article, False
    answers = list(problem.answers.order_by("created_at", "pk"))
    summary_source = answers[0].body if answers else (problem.description or problem.title)
    article = article_create(
        author=user,
        kind=ArticleKind.FAQ,
        title=problem.title,
        summary=Truncator(" ".join(summary_source.split())).chars(SUMMARY_MAX_LENGTH),
        body=_article_body(problem, answers),
        axis=problem.category.axis,
        status=ArticleStatus.DRAFT,
        categories=[problem.category_id],
        programmes=[problem.programme_id] if problem.programme_id else [],
    )
    Problem.objects.filter(pk=problem.pk).update(article=article)
    problem.article = article
    return article, True

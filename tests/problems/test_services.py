"""Problems reported by many DDIs: grouping, one answer for all, resolving, publishing."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accompagnement.knowledge.models import Article, ArticleStatus
from accompagnement.outbox.models import Notification
from accompagnement.outbox.sending import notification_send
from accompagnement.problems.models import Problem, ProblemStatus
from accompagnement.problems.selectors import problem_candidates
from accompagnement.problems.services import (
    problem_answer_deliver,
    problem_answer_post,
    problem_attach_requests,
    problem_create,
    problem_publish_article,
    problem_resolve,
)
from accompagnement.support.enums import EventKind, MessageKind, Status
from accompagnement.support.models import Event, Message, SupportRequest
from accompagnement.support.services.requests import support_request_update_search
from tests.ddi.factories import ProgrammeFactory
from tests.problems.factories import ProblemFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

ANSWER = "Un correctif de l’AIFE est prévu jeudi ; relancez la restitution vendredi."


@pytest.fixture
def category():
    return CategoryFactory(name="Restitutions")


@pytest.fixture
def three_requests(category):
    """Three requests from three DDIs about the same restitution."""
    return [
        SupportRequestFactory(category=category, title=f"INF-BUD-53 fausse ({n})") for n in range(3)
    ]


def send_all():
    """Run the sending task on every pending e-mail (what the worker does)."""
    for pk in Notification.objects.filter(status="pending").values_list("pk", flat=True):
        notification_send(notification_id=pk)


def answer_messages():
    return Message.objects.filter(body__contains=ANSWER, kind=MessageKind.PUBLIC)


# ---------------------------------------------------------------------------- grouping


def test_creating_from_requests_takes_the_first_ones_category_but_none_of_its_text(
    member, three_requests
):
    first = three_requests[0]
    first.programme = ProgrammeFactory()
    first.save(update_fields=["programme"])

    problem, outcome = problem_create(user=member, requests=three_requests, title=" Restitution ")

    assert problem.title == "Restitution"
    assert problem.category_id == first.category_id
    assert problem.programme_id == first.programme_id
    assert problem.description == ""
    assert [r.pk for r in outcome.attached] == [r.pk for r in three_requests]
    assert SupportRequest.objects.filter(problem=problem).count() == 3
    # One internal event per request: the DDIs are not told about the grouping itself.
    events = Event.objects.filter(kind=EventKind.PROBLEM)
    assert events.count() == 3
    assert not events.filter(is_public=True).exists()


def test_a_request_already_in_a_problem_is_left_there(member, three_requests):
    first, _ = problem_create(user=member, requests=three_requests[:1], title="Premier")
    second, outcome = problem_create(user=member, requests=three_requests, title="Second")

    assert [r.pk for r in outcome.elsewhere] == [three_requests[0].pk]
    assert SupportRequest.objects.get(pk=three_requests[0].pk).problem_id == first.pk
    assert SupportRequest.objects.filter(problem=second).count() == 2


def test_agents_cannot_group(agent, three_requests):
    with pytest.raises(PermissionDenied):
        problem_create(user=agent, requests=three_requests, title="Restitution")


def test_a_problem_needs_a_title_of_the_team(member, three_requests):
    with pytest.raises(ValidationError, match="Donnez un titre au problème"):
        problem_create(user=member, requests=three_requests, title="  ")
    assert not Problem.objects.exists()


# ---------------------------------------------------------------------------- answering


def test_one_answer_reaches_every_linked_request_once(member, three_requests):
    problem, _ = problem_create(user=member, requests=three_requests, title="Restitution")
    key = uuid.uuid4()

    answer, delivered = problem_answer_post(
        problem=problem, author=member, body=ANSWER, submission_key=key
    )
    # The same form posted again, and the delivery run again: nothing more.
    again, delivered_again = problem_answer_post(
        problem=problem, author=member, body=ANSWER, submission_key=key
    )
    assert problem_answer_deliver(answer=answer) == 0
    send_all()
    send_all()  # the sending task running twice

    assert (delivered, delivered_again, again.pk) == (3, 0, answer.pk)
    assert answer_messages().count() == 3
    assert sorted(answer_messages().values_list("request_id", flat=True)) == sorted(
        r.pk for r in three_requests
    )
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        r.requester.email for r in three_requests
    )
    keys = set(Notification.objects.values_list("key", flat=True))
    for request in three_requests:
        assert f"problem_answer:{answer.pk}:{request.pk}:{request.requester.pk}" in keys
    # A team reply: first response recorded, new requests taken in hand.
    for request in SupportRequest.objects.filter(problem=problem):
        assert request.status == Status.IN_PROGRESS
        assert request.first_response_at is not None


def test_a_request_attached_later_gets_the_existing_answers_once(member, three_requests):
    problem, _ = problem_create(user=member, requests=three_requests[:2], title="Restitution")
    problem_answer_post(problem=problem, author=member, body=ANSWER)
    late = three_requests[2]

    problem_attach_requests(problem=problem, user=member, requests=[late])
    outcome = problem_attach_requests(problem=problem, user=member, requests=[late])
    send_all()

    assert [r.pk for r in outcome.already] == [late.pk]
    assert answer_messages().filter(request=late).count() == 1
    assert len([e for e in mail.outbox if e.to == [late.requester.email]]) == 1
    assert len(mail.outbox) == 3


def test_an_answer_is_not_empty(member, three_requests):
    problem, _ = problem_create(user=member, requests=three_requests, title="Restitution")
    with pytest.raises(Exception, match="vide"):
        problem_answer_post(problem=problem, author=member, body="   ")
    assert not Message.objects.exists()


# ---------------------------------------------------------------------------- resolving


def test_resolving_resolves_the_open_requests_and_reports_the_others(member, category):
    waiting = SupportRequestFactory(category=category, waiting=True)
    in_progress = SupportRequestFactory(category=category, assigned=True)
    closed = SupportRequestFactory(category=category, status=Status.CLOSED)
    problem, _ = problem_create(
        user=member, requests=[waiting, in_progress, closed], title="Restitution"
    )

    outcome = problem_resolve(problem=problem, user=member)
    repeated = problem_resolve(problem=problem, user=member)

    statuses = dict(SupportRequest.objects.values_list("pk", "status"))
    assert statuses == {
        waiting.pk: Status.RESOLVED,
        in_progress.pk: Status.RESOLVED,
        closed.pk: Status.CLOSED,
    }
    assert {r.pk for r in outcome.resolved} == {waiting.pk, in_progress.pk}
    assert [(r.pk, reason) for r, reason in outcome.skipped] == [(closed.pk, "déjà clôturée")]
    events = Event.objects.filter(kind=EventKind.STATUS, new_value=Status.RESOLVED)
    assert sorted(events.values_list("request_id", flat=True)) == sorted(
        [waiting.pk, in_progress.pk]
    )
    assert all(problem.title in e.comment and e.is_public for e in events)
    # One status e-mail per resolved request, recorded through the workflow.
    assert Notification.objects.filter(kind="status_changed").count() == 2
    assert repeated.already_resolved and not repeated.resolved
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RESOLVED and problem.resolved_at is not None


def test_a_request_attached_to_a_resolved_problem_is_answered_and_resolved(member, category):
    problem, _ = problem_create(
        user=member, requests=[SupportRequestFactory(category=category)], title="Restitution"
    )
    problem_answer_post(problem=problem, author=member, body=ANSWER)
    problem_resolve(problem=problem, user=member)
    late = SupportRequestFactory(category=category)

    problem_attach_requests(problem=problem, user=member, requests=[late])

    late.refresh_from_db()
    assert late.status == Status.RESOLVED
    assert answer_messages().filter(request=late).count() == 1


# ---------------------------------------------------------------------------- publishing


def test_publishing_drafts_one_article_from_title_description_and_answers(member, three_requests):
    problem, _ = problem_create(
        user=member,
        requests=three_requests,
        title="INF-BUD-53 fausse après la version 4.2",
        description="Les montants engagés sont doublés.",
    )
    problem_answer_post(problem=problem, author=member, body=ANSWER)

    article, created = problem_publish_article(problem=problem, user=member)
    same, created_again = problem_publish_article(problem=problem, user=member)

    assert created and not created_again and same.pk == article.pk
    # A draft: a member reviews it and publishes it from the knowledge base.
    assert article.status == ArticleStatus.DRAFT
    assert not Article.objects.published().exists()
    assert article.title == "INF-BUD-53 fausse après la version 4.2"
    assert problem.description in article.body and ANSWER in article.body
    assert article.summary == ANSWER
    assert list(article.categories.all()) == [problem.category]
    assert article.axis == problem.category.axis
    assert Problem.objects.get(pk=problem.pk).article_id == article.pk


# ---------------------------------------------------------------------------- candidates


def test_candidates_put_the_closest_request_first_and_exclude_the_others(category):
    programme = ProgrammeFactory()
    problem = ProblemFactory(
        category=category,
        programme=programme,
        title="Restitution INF-BUD-53 : montants engagés doublés",
        description="Les montants engagés sont doublés depuis la version de Chorus.",
    )

    def candidate(**kwargs):
        defaults = {"category": category, "programme": programme, "body": "Rien à signaler."}
        request = SupportRequestFactory(**{**defaults, **kwargs})
        support_request_update_search(request)
        return request

    close = candidate(
        title="INF-BUD-53 : montants engagés doublés",
        body="Depuis la version de Chorus, les montants engagés sont doublés.",
    )
    loose = candidate(title="Question sur la restitution INF-BUD-53")
    excluded = [
        candidate(title="INF-BUD-53 montants doublés", category=CategoryFactory()),
        candidate(title="INF-BUD-53 montants doublés", programme=ProgrammeFactory()),
        candidate(
            title="INF-BUD-53 montants doublés",
            created_at=timezone.now() - timedelta(days=31),
        ),
        candidate(title="INF-BUD-53 montants doublés", status=Status.RESOLVED),
        candidate(title="Habilitation perdue"),
    ]
    other_problem = ProblemFactory(category=category)
    excluded.append(candidate(title="INF-BUD-53 montants doublés", problem=other_problem))

    found = problem_candidates(problem)

    assert [r.pk for r in found] == [close.pk, loose.pk]
    assert not {r.pk for r in excluded} & {r.pk for r in found}

"""A problem's answer and description have caps: longer, they are refused in French and
nothing is saved nor sent."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from accompagnement.knowledge.models import Article
from accompagnement.outbox.models import Notification
from accompagnement.problems.models import ProblemAnswer
from accompagnement.problems.services import (
    problem_answer_post,
    problem_attach_requests,
    problem_update,
)
from accompagnement.support.models import Message
from tests.problems.factories import ProblemAnswerFactory, ProblemFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

# An answer is copied into each request after a short introduction: it must leave room for
# it under the cap of a message (20 000 characters).
ANSWER_MAX_LENGTH = 19_000
DESCRIPTION_MAX_LENGTH = 20_000
TOO_LONG = "Texte trop long"


@pytest.fixture
def problem(member):
    problem = ProblemFactory(title="Restitution vide")
    problem_attach_requests(
        problem=problem, user=member, requests=[SupportRequestFactory() for _ in range(2)]
    )
    return problem


def test_an_answer_longer_than_the_cap_is_refused_in_french_and_not_sent(client, member, problem):
    client.force_login(member)

    response = client.post(
        reverse("problems:answer", args=[problem.pk]),
        {
            "body": "a" * (ANSWER_MAX_LENGTH + 1),
            "submission_key": "6a3c8f4e-1d2b-4c5a-9e7f-0b1c2d3e4f50",
        },
    )

    assert response.status_code == 400
    assert TOO_LONG in response.content.decode()
    assert not ProblemAnswer.objects.exists()
    assert not Message.objects.exists()
    assert not Notification.objects.exists()


def test_the_answer_service_refuses_too_long_and_delivers_the_longest_allowed(member, problem):
    with pytest.raises(ValidationError, match=TOO_LONG):
        problem_answer_post(problem=problem, author=member, body="a" * (ANSWER_MAX_LENGTH + 1))
    assert not ProblemAnswer.objects.exists()

    _answer, delivered = problem_answer_post(
        problem=problem, author=member, body="a" * ANSWER_MAX_LENGTH
    )
    assert delivered == 2


def test_a_description_longer_than_the_cap_is_refused_and_the_problem_unchanged(
    client, member, problem
):
    client.force_login(member)
    response = client.post(
        reverse("problems:edit", args=[problem.pk]),
        {"title": "Nouveau titre", "description": "a" * (DESCRIPTION_MAX_LENGTH + 1)},
    )
    assert response.status_code == 400
    assert TOO_LONG in response.content.decode()

    with pytest.raises(ValidationError, match=TOO_LONG):
        problem_update(
            problem=problem,
            user=member,
            title="Nouveau titre",
            description="a" * (DESCRIPTION_MAX_LENGTH + 1),
        )
    problem.refresh_from_db()
    assert problem.title == "Restitution vide"


def test_an_article_too_long_for_the_knowledge_base_is_not_drafted(client, member, problem):
    # Answers written before the caps: together longer than an article may be.
    ProblemAnswerFactory.create_batch(6, problem=problem, body="a" * ANSWER_MAX_LENGTH)
    client.force_login(member)

    response = client.post(reverse("problems:publish", args=[problem.pk]))

    assert response.url == reverse("problems:detail", args=[problem.pk])
    assert any(TOO_LONG in str(m) for m in get_messages(response.wsgi_request))
    assert not Article.objects.exists()

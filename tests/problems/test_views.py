"""The problem screens: grouping from the queue and from a request, the problem page,
answering, resolving, publishing; what an agent sees of it."""

from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement.problems.models import Problem
from accompagnement.problems.services import (
    problem_answer_post,
    problem_attach_requests,
    problem_create,
)
from accompagnement.support.enums import MessageKind, Status
from accompagnement.support.models import Message, SupportRequest
from accompagnement.support.services.requests import support_request_update_search
from tests.accounts.factories import UserFactory
from tests.problems.factories import ProblemFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

ANSWER = "Correctif de l’AIFE jeudi : relancez la restitution vendredi."


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def detail_url(problem) -> str:
    return reverse("problems:detail", args=[problem.pk])


@pytest.fixture
def category():
    return CategoryFactory(name="Restitutions")


@pytest.fixture
def grouped(member, category):
    requests = [
        SupportRequestFactory(category=category, title=f"INF-BUD-53 fausse ({n})") for n in range(3)
    ]
    problem, _ = problem_create(
        user=member, requests=requests, title="Montants doublés après la version 4.2"
    )
    return problem, requests


def test_member_groups_ticked_requests_from_the_queue(client, member, category):
    requests = [SupportRequestFactory(category=category) for _ in range(3)]
    client.force_login(member)
    response = client.post(
        reverse("problems:create_from_queue"),
        {
            "selection": [f"{r.pk}:{r.version}" for r in reversed(requests)],
            "title": "Restitution INF-BUD-53 vide",
            "query": "status=open",
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and response.url == detail_url(problem)
    assert problem.title == "Restitution INF-BUD-53 vide"
    assert SupportRequest.objects.filter(problem=problem).count() == 3
    assert "3 demandes rattachées" in " ".join(texts(response))


def test_grouping_without_a_selection_goes_back_to_the_queue(client, member):
    client.force_login(member)
    response = client.post(
        reverse("problems:create_from_queue"), {"title": "x", "query": "status=open"}
    )
    assert response.url == reverse("support:queue") + "?status=open"
    assert "Cochez au moins une demande" in " ".join(texts(response))
    assert not Problem.objects.exists()


def test_member_creates_a_problem_from_a_request_page(client, member):
    support_request = SupportRequestFactory(title="Restitution fausse")
    client.force_login(member)
    page = client.get(reverse("support:detail", args=[support_request.reference]))
    html = page.content.decode()
    assert "Créer un problème à partir de cette demande" in html
    # No open problem yet: nothing to attach to.
    assert "Rattacher à un problème" not in html

    response = client.post(
        reverse("problems:create_from_request", args=[support_request.reference]),
        {"title": "Restitution fausse après la version 4.2"},
    )
    problem = Problem.objects.get()
    assert response.url == detail_url(problem)
    support_request.refresh_from_db()
    assert support_request.problem_id == problem.pk
    html = client.get(reverse("support:detail", args=[support_request.reference])).content
    assert problem.title in html.decode()


def test_member_attaches_a_request_to_an_open_problem_from_its_page(client, member, grouped):
    problem, _ = grouped
    problem_answer_post(problem=problem, author=member, body=ANSWER)
    other = SupportRequestFactory()
    client.force_login(member)
    html = client.get(reverse("support:detail", args=[other.reference])).content.decode()
    assert "Rattacher à un problème" in html and problem.title in html

    response = client.post(
        reverse("problems:request_attach", args=[other.reference]), {"problem": problem.pk}
    )
    assert response.url == reverse("support:detail", args=[other.reference])
    other.refresh_from_db()
    assert other.problem_id == problem.pk
    # The answer given before reaches it at once.
    assert Message.objects.filter(request=other, body__contains=ANSWER).count() == 1


def test_problem_page_lists_requests_candidates_and_answers(client, member, grouped, category):
    problem, requests = grouped
    same_ddi = SupportRequestFactory(requester=UserFactory(ddi=requests[0].ddi), category=category)
    problem_attach_requests(problem=problem, user=member, requests=[same_ddi])
    candidate = SupportRequestFactory(category=category, title="Montants doublés chez nous")
    support_request_update_search(candidate)  # PostgreSQL compares the French vectors
    problem_answer_post(problem=problem, author=member, body=ANSWER)
    client.force_login(member)

    html = client.get(detail_url(problem)).content.decode()

    for request in [*requests, same_ddi]:
        assert request.reference in html
        assert request.ddi.acronym in html
    assert "Plusieurs demandes d’une même DDI" in html
    assert candidate.reference in html
    assert ANSWER in html
    assert "envoyée sur 4 demandes" in html


def test_candidates_are_attached_from_the_problem_page(client, member, grouped, category):
    problem, _ = grouped
    candidate = SupportRequestFactory(category=category)
    client.force_login(member)
    response = client.post(
        reverse("problems:attach", args=[problem.pk]),
        {"reference": [candidate.reference, "ACC-2011-99999"]},
    )
    assert response.url == detail_url(problem)
    candidate.refresh_from_db()
    assert candidate.problem_id == problem.pk
    assert any("ACC-2011-99999" in text for text in texts(response))


def test_answering_twice_with_the_same_form_posts_once(client, member, grouped):
    problem, requests = grouped
    client.force_login(member)
    form = client.get(detail_url(problem)).context["answer_form"]
    data = {"body": ANSWER, "submission_key": str(form.initial["submission_key"])}

    first = client.post(reverse("problems:answer", args=[problem.pk]), data)
    second = client.post(reverse("problems:answer", args=[problem.pk]), data)

    assert "Réponse envoyée sur 3 demandes." in texts(first)
    assert any("déjà été envoyée" in text for text in texts(second))
    assert Message.objects.filter(body__contains=ANSWER).count() == 3


def test_an_empty_answer_keeps_the_page_with_the_error(client, member, grouped):
    problem, _ = grouped
    client.force_login(member)
    response = client.post(
        reverse("problems:answer", args=[problem.pk]),
        {"body": "", "submission_key": "6a3c8f4e-1d2b-4c5a-9e7f-0b1c2d3e4f50"},
    )
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_resolve_and_publish_from_the_problem_page(client, member, grouped):
    problem, requests = grouped
    problem_answer_post(problem=problem, author=member, body=ANSWER)
    client.force_login(member)

    resolved = client.post(reverse("problems:resolve", args=[problem.pk]))
    assert "3 demandes résolues avec lui" in " ".join(texts(resolved))
    assert set(SupportRequest.objects.values_list("status", flat=True)) == {Status.RESOLVED}

    published = client.post(reverse("problems:publish", args=[problem.pk]))
    problem.refresh_from_db()
    assert published.url == problem.article.get_absolute_url()
    html = client.get(detail_url(problem)).content.decode()
    assert "Créer un brouillon d’article" not in html
    assert "Résoudre le problème" not in html


def test_a_request_grouped_by_mistake_is_detached(client, member, grouped):
    problem, (first, second, third) = grouped
    problem_answer_post(problem=problem, author=member, body=ANSWER)
    client.force_login(member)
    page = client.get(detail_url(problem)).content.decode()
    assert f'Détacher<span class="fr-sr-only"> {second.reference}</span>' in page

    response = client.post(
        reverse("problems:detach", args=[problem.pk]), {"reference": second.reference}
    )
    assert response.url == detail_url(problem)
    assert f"Demande {second.reference} détachée du problème" in " ".join(texts(response))
    second.refresh_from_db()
    assert second.problem_id is None
    assert second.events.filter(comment__startswith="Détachée du problème").count() == 1
    # What it received stays; the next answer skips it.
    problem_answer_post(problem=problem, author=member, body="Deuxième réponse")
    bodies = " | ".join(Message.objects.filter(request=second).values_list("body", flat=True))
    assert ANSWER in bodies
    assert "Deuxième réponse" not in bodies
    assert Message.objects.filter(request=first, body__endswith="Deuxième réponse").count() == 1

    again = client.post(
        reverse("problems:detach", args=[problem.pk]), {"reference": second.reference}
    )
    assert "n’est pas rattachée à ce problème" in " ".join(texts(again))
    unknown = client.post(
        reverse("problems:detach", args=[problem.pk]), {"reference": "ACC-1999-00001"}
    )
    assert "Aucune demande ne porte cette référence." in texts(unknown)


@pytest.mark.parametrize("bad", ["\x00", "ACC-2011-0000\x00", "ACC-2011-0000²"])
def test_a_malformed_reference_changes_nothing_on_every_database(client, member, grouped, bad):
    # PostgreSQL refused the NUL byte with an error (500), in the URL and in the form.
    problem, requests = grouped
    good = requests[0].reference
    client.force_login(member)
    for name in ("problems:create_from_request", "problems:request_attach"):
        path = reverse(name, args=[good]).replace(good, quote(bad))
        assert client.post(path, {"problem": problem.pk}).status_code == 404, name
    response = client.post(reverse("problems:detach", args=[problem.pk]), {"reference": bad})
    assert response.status_code == 302
    assert "Aucune demande ne porte cette référence." in texts(response)
    assert problem.requests.count() == len(requests)
    assert Problem.objects.count() == 1


def test_a_malformed_typed_reference_is_reported_and_the_others_attached(
    client, member, grouped, category
):
    # The typed references reached the query as they came: a NUL byte was a 500 on
    # PostgreSQL.
    problem, requests = grouped
    candidate = SupportRequestFactory(category=category)
    client.force_login(member)
    response = client.post(
        reverse("problems:attach", args=[problem.pk]),
        {"reference": [f"{candidate.reference} ACC-2011-0000\x00", "\x00"]},
    )
    assert response.url == detail_url(problem)
    assert any("Aucune demande ne porte ces références" in text for text in texts(response))
    assert set(problem.requests.all()) == {*requests, candidate}


def test_the_title_and_description_are_corrected_and_a_blank_title_keeps_the_text(
    client, member, grouped
):
    problem, _requests = grouped
    client.force_login(member)
    url = reverse("problems:edit", args=[problem.pk])
    refused = client.post(url, {"title": "  ", "description": "Texte à garder"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Texte à garder" in html
    assert 'modifier-probleme" open' in html
    problem.refresh_from_db()
    assert problem.title == "Montants doublés après la version 4.2"

    done = client.post(url, {"title": "Montants doublés (version 4.2)", "description": "**AIFE**"})
    assert done.url == detail_url(problem)
    problem.refresh_from_db()
    assert (problem.title, problem.description) == ("Montants doublés (version 4.2)", "**AIFE**")
    assert "<strong>AIFE</strong>" in client.get(detail_url(problem)).content.decode()


def test_a_resolved_problem_is_reopened_and_its_requests_stay_resolved(client, member, grouped):
    problem, requests = grouped
    client.force_login(member)
    client.post(reverse("problems:resolve", args=[problem.pk]))
    assert "Rouvrir le problème" in client.get(detail_url(problem)).content.decode()

    response = client.post(reverse("problems:reopen", args=[problem.pk]))
    assert "Problème rouvert" in " ".join(texts(response))
    problem.refresh_from_db()
    assert problem.is_open and problem.resolved_at is None
    assert set(SupportRequest.objects.values_list("status", flat=True)) == {Status.RESOLVED}
    html = client.get(detail_url(problem)).content.decode()
    assert "Résoudre le problème" in html
    assert "Rouvrir le problème" not in html
    again = client.post(reverse("problems:reopen", args=[problem.pk]))
    assert "Ce problème était déjà ouvert." in texts(again)


def test_list_shows_open_problems_first_with_their_counts(client, member, grouped):
    problem, _ = grouped
    resolved = ProblemFactory(title="Un ancien problème")
    Problem.objects.filter(pk=resolved.pk).update(
        status="resolved", resolved_at=resolved.created_at
    )
    client.force_login(member)
    html = client.get(reverse("problems:list")).content.decode()
    assert html.index(problem.title) < html.index("Un ancien problème")
    assert "2 problèmes" in html


def test_agent_sees_the_answer_on_their_request_but_no_problem_page(client, member, grouped):
    problem, requests = grouped
    problem_answer_post(problem=problem, author=member, body=ANSWER)
    agent = requests[0].requester
    client.force_login(agent)

    html = client.get(reverse("support:detail", args=[requests[0].reference])).content.decode()
    assert ANSWER in html
    assert problem.title not in html  # the grouping (internal event) is the team's
    assert reverse("problems:detail", args=[problem.pk]) not in html
    assert client.get(detail_url(problem)).status_code == 403
    assert client.get(reverse("problems:list")).status_code == 403
    # Another DDI's copy of the answer is never shown to this agent.
    other = requests[1]
    assert client.get(reverse("support:detail", args=[other.reference])).status_code == 404
    assert Message.objects.filter(kind=MessageKind.PUBLIC, body__contains=ANSWER).count() == 3


def test_problem_page_query_count_does_not_grow_with_linked_requests(
    client, member, category, django_assert_num_queries
):
    problem = ProblemFactory(category=category, title="INF-BUD-53 fausse")

    def grow(count):
        requests = [SupportRequestFactory(category=category) for _ in range(count)]
        problem_attach_requests(problem=problem, user=member, requests=requests)
        problem_answer_post(problem=problem, author=member, body=ANSWER)
        for _ in range(count):  # candidates
            candidate = SupportRequestFactory(category=category, title="INF-BUD-53 fausse ici")
            support_request_update_search(candidate)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail_url(problem)).status_code == 200
        return len(captured)

    client.force_login(member)
    grow(2)
    # Session, user, problem, requests, answers, candidates.
    with django_assert_num_queries(6):
        client.get(detail_url(problem))
    grow(8)
    assert queries() == 6
    html = client.get(detail_url(problem)).content.decode()
    assert html.count("INF-BUD-53 fausse ici") == 10  # the candidates are on the page
    # The list: session, user, count, page.
    with django_assert_num_queries(4):
        client.get(reverse("problems:list"))
    ProblemFactory.create_batch(5, category=category)
    with django_assert_num_queries(4):
        client.get(reverse("problems:list"))

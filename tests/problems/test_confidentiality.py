"""A DDI's request never reaches another DDI through a problem: the problem's public text
(its title, its description, the article drawn from it) is written by the team, the
requests stay the team's, and the article is a draft until a member publishes it."""

import pytest
from django.core import mail
from django.urls import reverse

from accompagnement.knowledge.models import Article, ArticleStatus
from accompagnement.knowledge.services import article_update
from accompagnement.outbox.models import Notification
from accompagnement.outbox.sending import notification_send
from accompagnement.problems.models import Problem
from accompagnement.support.enums import Status
from accompagnement.support.models import SupportRequest
from tests.accounts.factories import UserFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Fraude présumée chez le fournisseur Dupont SARL"
SECRET_BODY = "Mme Martin, gestionnaire, a saisi l’EJ 2104410702 sans bon de commande."
PROBLEM_TITLE = "Restitution INF-BUD-53 vide depuis la version 4.2"
ANSWER = "Un correctif de l’AIFE est prévu jeudi ; relancez la restitution vendredi."


def send_all():
    """Run the sending task on every pending e-mail (what the worker does)."""
    for pk in Notification.objects.filter(status="pending").values_list("pk", flat=True):
        notification_send(notification_id=pk)


def assert_secret_absent(text: str, where: str) -> None:
    for secret in (SECRET_TITLE, SECRET_BODY):
        assert secret not in text, f"{where} shows DDI A's text"


def test_ddi_b_never_sees_ddi_a_text_through_a_problem(client, member):
    category = CategoryFactory(name="Restitutions")
    agent_a, agent_b = UserFactory(), UserFactory()
    assert agent_a.ddi_id != agent_b.ddi_id
    request_a = SupportRequestFactory(
        requester=agent_a, category=category, title=SECRET_TITLE, body=SECRET_BODY
    )
    request_b = SupportRequestFactory(
        requester=agent_b, category=category, title="INF-BUD-53 vide", body="Rien depuis lundi."
    )

    # The team groups them from the queue (DDI A's ticked first), answers, resolves,
    # and draws an article from the problem.
    client.force_login(member)
    client.post(
        reverse("problems:create_from_queue"),
        {
            "selection": [f"{r.pk}:{r.version}" for r in (request_a, request_b)],
            "title": PROBLEM_TITLE,
            "query": "",
        },
    )
    problem = Problem.objects.get()
    assert (problem.title, problem.description) == (PROBLEM_TITLE, "")
    detail = reverse("problems:detail", args=[problem.pk])
    key = client.get(detail).context["answer_form"].initial["submission_key"]
    client.post(
        reverse("problems:answer", args=[problem.pk]), {"body": ANSWER, "submission_key": key}
    )
    client.post(reverse("problems:resolve", args=[problem.pk]))
    client.post(reverse("problems:publish", args=[problem.pk]))
    problem.refresh_from_db()
    article = problem.article
    assert article.status == ArticleStatus.DRAFT
    assert set(SupportRequest.objects.values_list("status", flat=True)) == {Status.RESOLVED}

    # What DDI B's agent can open before and after the member publishes the draft.
    def pages() -> dict[str, str]:
        client.force_login(agent_b)
        urls = [
            "/",
            reverse("support:list"),
            reverse("support:detail", args=[request_b.reference]),
            reverse("knowledge:index"),
            reverse("knowledge:index") + "?pour=tous",
            reverse("knowledge:detail", args=[article.slug]),
            detail,
            reverse("problems:list"),
            reverse("support:detail", args=[request_a.reference]),
        ]
        urls += [a.get_absolute_url() for a in Article.objects.published()]
        return {url: client.get(url).content.decode() for url in urls}

    before = pages()
    assert ANSWER in before[reverse("support:detail", args=[request_b.reference])]
    assert PROBLEM_TITLE in before[reverse("support:detail", args=[request_b.reference])]
    assert article.title not in before[reverse("knowledge:index") + "?pour=tous"]

    article_update(article=article, status=ArticleStatus.PUBLISHED)  # the member, later
    after = pages()
    assert ANSWER in after[article.get_absolute_url()]

    for url, html in [*before.items(), *after.items()]:
        assert_secret_absent(html, url)
    for published in Article.objects.published():
        assert_secret_absent(
            f"{published.title} {published.summary} {published.body}", published.slug
        )
    send_all()
    to_b = [email for email in mail.outbox if agent_b.email in email.to]
    assert len(to_b) >= 2  # the answer, the resolution
    for email in to_b:
        parts = [email.subject, email.body, *(content for content, _ in email.alternatives)]
        assert_secret_absent(" ".join(parts), f"the e-mail « {email.subject} »")


def test_grouping_from_the_queue_without_a_title_is_refused_and_creates_nothing(client, member):
    requests = [SupportRequestFactory() for _ in range(2)]
    client.force_login(member)

    response = client.post(
        reverse("problems:create_from_queue"),
        {"selection": [f"{r.pk}:{r.version}" for r in requests], "title": " ", "query": ""},
        follow=True,
    )

    assert "Donnez un titre au problème" in response.content.decode()
    assert not Problem.objects.exists()
    assert not SupportRequest.objects.filter(problem__isnull=False).exists()


def test_the_form_on_a_request_page_does_not_offer_the_request_title(client, member):
    support_request = SupportRequestFactory(title="INF-BUD-53 vide chez la DDPP 13")
    client.force_login(member)

    html = client.get(reverse("support:detail", args=[support_request.reference])).content
    assert 'value="INF-BUD-53 vide chez la DDPP 13"' not in html.decode()


def test_the_problem_page_says_the_article_is_a_draft(client, member):
    support_request = SupportRequestFactory()
    client.force_login(member)
    client.post(
        reverse("problems:create_from_request", args=[support_request.reference]),
        {"title": PROBLEM_TITLE},
    )
    problem = Problem.objects.get()
    detail = reverse("problems:detail", args=[problem.pk])
    assert "Créer un brouillon d’article" in client.get(detail).content.decode()

    response = client.post(reverse("problems:publish", args=[problem.pk]), follow=True)

    assert "Brouillon d’article « Restitution INF-BUD-53" in response.content.decode()
    html = client.get(detail).content.decode()
    assert "Brouillon d’article tiré de ce problème" in html

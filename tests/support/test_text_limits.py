"""Long and hostile texts: a request or a message longer than the cap is refused in French
and nothing is saved; a stored text the renderer cannot format never breaks a page nor an
e-mail."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accompagnement.axes.models import Axis
from accompagnement.outbox.models import Notification
from accompagnement.outbox.sending import notification_send
from accompagnement.support.models import Message, SupportRequest
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import support_request_create
from tests.support.factories import CategoryFactory, MessageFactory, SupportRequestFactory
from tests.support.test_views_requests import filing

pytestmark = pytest.mark.django_db

TOO_LONG = "Texte trop long"
NESTED_LIST = "- " * 500 + "x"
TEXT_MAX_LENGTH = 20_000  # a request's description, a message


def too_long_text() -> str:
    return "Le journal d’erreurs : " + "a" * TEXT_MAX_LENGTH


def detail(support_request) -> str:
    return reverse("support:detail", args=[support_request.reference])


# ---------------------------------------------------------------------------- caps


def test_a_request_longer_than_the_cap_is_refused_in_french_and_not_filed(client, agent):
    client.force_login(agent)

    response = client.post(reverse("support:create"), filing(body=too_long_text()))

    assert response.status_code == 200
    html = response.content.decode()
    assert TOO_LONG in html
    assert "20\u202f000" in html  # the cap, written the French way
    assert not SupportRequest.objects.exists()


def test_the_filing_service_refuses_a_body_longer_than_the_cap(agent):
    category = CategoryFactory(axis=Axis.TOOL)

    with pytest.raises(ValidationError) as refused:
        support_request_create(
            requester=agent, axis=Axis.TOOL, category=category, title="T", body=too_long_text()
        )

    assert TOO_LONG in " ".join(refused.value.message_dict["body"])
    assert not SupportRequest.objects.exists()
    filed = support_request_create(
        requester=agent, axis=Axis.TOOL, category=category, title="T", body="a" * TEXT_MAX_LENGTH
    )
    assert len(filed.body) == TEXT_MAX_LENGTH


def test_a_reply_longer_than_the_cap_is_refused_in_french_and_not_sent(client, agent):
    support_request = SupportRequestFactory(requester=agent)
    client.force_login(agent)

    response = client.post(
        reverse("support:reply", args=[support_request.reference]),
        {"body": too_long_text(), "version": support_request.version},
    )

    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    assert not Message.objects.exists()


def test_the_reply_service_refuses_a_message_longer_than_the_cap(agent, member):
    support_request = SupportRequestFactory(requester=agent)

    for author in (agent, member):
        with pytest.raises(ValidationError, match=TOO_LONG):
            support_request_reply(request=support_request, author=author, body=too_long_text())

    assert not Message.objects.exists()
    support_request.refresh_from_db()
    assert support_request.version == 1
    assert not Notification.objects.exists()


# ---------------------------------------------------------------------------- stored texts


def test_a_request_page_holding_a_hostile_text_answers(client, agent, member):
    support_request = SupportRequestFactory(requester=agent, body=NESTED_LIST)
    MessageFactory(request=support_request, body="[" * 8000)
    MessageFactory(request=support_request, author=member, body="**gras**")

    for user in (agent, member):
        client.force_login(user)
        response = client.get(detail(support_request))

        assert response.status_code == 200
        html = response.content.decode()
        assert "- - - x" in html
        assert "[" * 8000 in html
        assert "<strong>gras</strong>" in html  # the texts after it are formatted


def test_an_email_quoting_a_hostile_text_is_sent(agent, member):
    support_request = SupportRequestFactory(requester=agent)
    support_request_reply(request=support_request, author=member, body=NESTED_LIST)

    for pk in Notification.objects.filter(status="pending").values_list("pk", flat=True):
        notification_send(notification_id=pk)

    [email] = mail.outbox
    assert email.to == [agent.email]
    html = email.alternatives[0][0]
    assert "- - - x" in html

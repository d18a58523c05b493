"""A message on a closed request is never lost (DESIGN.md §4): within
`REOPEN_DELAY_DAYS` of closing an agent's message reopens the request; after it (and on a
redirected request) the page offers a new linked request, pre-filled with the message."""

from datetime import timedelta

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accompagnement.axes.models import Axis
from accompagnement.support.enums import EventKind, Priority, Status
from accompagnement.support.models import Event, Message, SupportRequest
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import support_request_transition
from tests.accounts.factories import UserFactory
from tests.ddi.factories import AttachmentFactory
from tests.support.factories import CategoryFactory, SupportRequestFactory
from tests.support.test_views_requests import filing

pytestmark = pytest.mark.django_db


def closed_request(days_ago: float, **kwargs) -> SupportRequest:
    closed_at = timezone.now() - timedelta(days=days_ago)
    return SupportRequestFactory(
        status=Status.CLOSED,
        created_at=closed_at - timedelta(days=3),
        first_response_at=closed_at - timedelta(days=2),
        resolved_at=closed_at - timedelta(days=1),
        closed_at=closed_at,
        **kwargs,
    )


def reload(support_request) -> SupportRequest:
    return SupportRequest.objects.get(pk=support_request.pk)


def page(client, support_request):
    response = client.get(reverse("support:detail", args=[support_request.reference]))
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def reply(client, support_request, body="La restitution est de nouveau vide."):
    return client.post(
        reverse("support:reply", args=[support_request.reference]),
        {"body": body, "version": reload(support_request).version},
    )


# ---------------------------------------------------------------------------- the service


def test_within_the_delay_the_agents_message_reopens_the_request(settings):
    settings.REOPEN_DELAY_DAYS = 14
    support_request = closed_request(days_ago=13, assigned=True)
    assert support_request.status == Status.CLOSED

    message = support_request_reply(
        request=support_request, author=support_request.requester, body="Toujours bloqué."
    )

    after = reload(support_request)
    assert after.status == Status.IN_PROGRESS
    assert after.closed_at is None and after.resolved_at is None
    assert after.reopened_count == 1
    assert message.request_id == support_request.pk
    assert Event.objects.filter(
        request=support_request,
        kind=EventKind.STATUS,
        old_value=Status.CLOSED,
        new_value=Status.IN_PROGRESS,
        is_public=True,
    ).exists()


def test_after_the_delay_the_service_refuses_in_french_and_stores_nothing(settings):
    settings.REOPEN_DELAY_DAYS = 14
    support_request = closed_request(days_ago=15)
    with pytest.raises(ValidationError) as error:
        support_request_reply(
            request=support_request, author=support_request.requester, body="Toujours bloqué."
        )
    assert "ne peut plus être rouverte" in error.value.messages[0]
    assert not Message.objects.filter(request=support_request).exists()
    assert reload(support_request).status == Status.CLOSED


def test_the_delay_is_configurable(settings):
    settings.REOPEN_DELAY_DAYS = 30
    support_request = closed_request(days_ago=20)
    support_request_reply(request=support_request, author=support_request.requester, body="Hé")
    assert reload(support_request).status == Status.IN_PROGRESS


def test_a_redirected_request_refuses_the_agents_message():
    support_request = SupportRequestFactory(status=Status.REDIRECTED, closed_at=timezone.now())
    with pytest.raises(ValidationError):
        support_request_reply(
            request=support_request, author=support_request.requester, body="Et donc ?"
        )
    assert not Message.objects.filter(request=support_request).exists()


def test_the_team_may_still_write_on_a_closed_request(member):
    support_request = closed_request(days_ago=40)
    support_request_reply(request=support_request, author=member, body="Pour mémoire.")
    assert reload(support_request).status == Status.CLOSED


def test_an_agent_cannot_reopen_past_the_delay_through_the_transition_either():
    support_request = closed_request(days_ago=40)
    with pytest.raises(ValidationError):
        support_request_transition(
            request=support_request,
            user=support_request.requester,
            to_status=Status.IN_PROGRESS,
        )
    assert reload(support_request).status == Status.CLOSED


# ---------------------------------------------------------------------------- the page


def test_within_the_delay_the_page_says_the_message_reopens(client):
    support_request = closed_request(days_ago=2)
    client.force_login(support_request.requester)
    html = page(client, support_request)
    assert html.xpath("//p[@id='rouvrir-par-message']")
    assert html.xpath("//form[contains(@action, '/repondre/')]")

    response = reply(client, support_request)
    assert response.status_code == 302
    assert reload(support_request).status == Status.IN_PROGRESS
    assert Message.objects.filter(request=support_request).count() == 1


def test_after_the_delay_the_reply_box_gives_way_to_a_new_linked_request(client):
    support_request = closed_request(days_ago=30)
    client.force_login(support_request.requester)
    html = page(client, support_request)
    assert not html.xpath("//form[contains(@action, '/repondre/')]")
    [link] = html.xpath("//a[@id='nouvelle-demande-liee']")
    assert link.text_content().strip() == "Déposer une nouvelle demande liée"
    assert link.get("href") == f"/demandes/nouvelle/?suite={support_request.reference}"
    # The team's page keeps its reply box.
    client.force_login(UserFactory(member=True))
    assert page(client, support_request).xpath("//form[contains(@action, '/repondre/')]")


def test_a_message_sent_from_a_stale_page_is_kept_and_carried_to_the_new_request(client):
    support_request = closed_request(days_ago=30)
    client.force_login(support_request.requester)
    text = "La restitution INF-BUD-53 est de nouveau vide depuis la mise à jour."

    response = reply(client, support_request, body=text)

    assert response.status_code == 200
    assert not Message.objects.filter(request=support_request).exists()
    html = lxml.html.fromstring(response.content)
    assert text in html.xpath("//div[@id='message-conserve']")[0].text_content()
    assert html.xpath("//a[@id='nouvelle-demande-liee']")
    # Still there when the agent comes back to the page.
    assert (
        text
        in page(client, support_request).xpath("//div[@id='message-conserve']")[0].text_content()
    )

    form = client.get(reverse("support:create"), {"suite": support_request.reference})
    assert form.context["form"].initial["body"] == text


def test_the_new_request_is_prefilled_and_linked_both_ways(client):
    agent = UserFactory()
    attachment = AttachmentFactory(ddi=agent.ddi)
    category = CategoryFactory(axis=Axis.YEAR_END, name="Charges à payer")
    old = closed_request(
        days_ago=30,
        requester=agent,
        axis=Axis.YEAR_END,
        category=category,
        title="Charges à payer du P215",
        programme=attachment.programme,
        service_centre=attachment.service_centre,
    )
    client.force_login(agent)

    response = client.get(reverse("support:create"), {"suite": old.reference})

    initial = response.context["form"].initial
    assert initial["title"] == f"Suite de {old.reference} : Charges à payer du P215"
    assert (initial["axis"], initial["category"]) == (Axis.YEAR_END, category.pk)
    assert initial["programme"] == attachment.programme_id
    assert initial["service_centre"] == attachment.service_centre_id
    assert initial["suite"] == old.reference
    assert "body" not in initial  # nothing was typed on the old request
    assert lxml.html.fromstring(response.content).xpath("//div[@id='suite-de']")

    data = filing(
        title=initial["title"],
        axis=Axis.YEAR_END,
        category=category.pk,
        body="Toujours le même écart.",
        priority=Priority.NORMAL,
    )
    response = client.post(reverse("support:create"), {**data, "suite": old.reference})
    assert response.status_code == 302
    new = SupportRequest.objects.exclude(pk=old.pk).get()
    assert new.follows_up == old
    assert list(new.related.all()) == [old]
    assert Event.objects.filter(
        request=new, kind=EventKind.LINKED, field="follows_up", new_value=old.reference
    ).exists()
    assert Event.objects.filter(
        request=old, kind=EventKind.LINKED, field="follow_ups", new_value=new.reference
    ).exists()
    # Both pages tell it.
    new_page = page(client, new)
    assert f"Suite de la demande {old.reference}" in new_page.text_content()
    assert f"Suite donnée dans la nouvelle demande {new.reference}" in (
        page(client, old).text_content()
    )


def test_another_ddis_request_cannot_be_followed_up(client):
    elsewhere = closed_request(days_ago=30, title="Secret d'une autre DDI")
    agent = UserFactory()
    client.force_login(agent)
    response = client.get(reverse("support:create"), {"suite": elsewhere.reference})
    assert response.status_code == 200
    assert "Secret d'une autre DDI" not in response.content.decode()
    assert "suite" not in {k for k, v in response.context["form"].initial.items() if v}

    data = filing(body="Texte.")
    client.post(reverse("support:create"), {**data, "suite": elsewhere.reference})
    new = SupportRequest.objects.get(requester=agent)
    assert new.follows_up is None
    assert not Event.objects.filter(request=elsewhere, kind=EventKind.LINKED).exists()


@pytest.mark.parametrize("value", ["<script>", "ACC-2011-99999", "\x00", "9" * 40])
def test_hostile_suite_values_are_ignored(client, agent, value):
    client.force_login(agent)
    assert client.get(reverse("support:create"), {"suite": value}).status_code == 200

"""Following a request from its page (team only), then being alerted of it."""

import pytest
from django.urls import reverse

from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.models import Alert
from accompagnement.support.services.replies import support_request_reply
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db


def follow_url(support_request):
    return reverse("support:follow", args=[support_request.reference])


def page(client, support_request) -> str:
    return client.get(reverse("support:detail", args=[support_request.reference])).content.decode()


def test_a_member_follows_from_the_page_then_is_alerted(client, member, agent):
    support_request = SupportRequestFactory(requester=agent, assigned=True)
    client.force_login(member)
    assert "Suivre la demande" in page(client, support_request)

    response = client.post(follow_url(support_request), {"action": "follow"})
    assert response.status_code == 302
    assert response.url == reverse("support:detail", args=[support_request.reference])
    assert support_request.followers.filter(pk=member.pk).exists()
    html = page(client, support_request)
    assert "Vous suivez cette demande" in html
    assert "Ne plus suivre" in html

    support_request_reply(request=support_request, author=agent, body="Du nouveau.")
    assert Alert.objects.filter(recipient=member, kind=AlertKind.FOLLOWED).exists()


def test_a_member_stops_following(client, member):
    support_request = SupportRequestFactory(followers=[member])
    client.force_login(member)
    client.post(follow_url(support_request), {"action": "unfollow"})
    assert not support_request.followers.filter(pk=member.pk).exists()
    assert support_request.followers.filter(pk=support_request.requester_id).exists()
    assert "Suivre la demande" in page(client, support_request)


def test_following_is_for_the_team_only(client, agent):
    support_request = SupportRequestFactory(requester=agent)
    client.force_login(agent)
    assert "Suivre la demande" not in page(client, support_request)
    assert client.post(follow_url(support_request), {"action": "unfollow"}).status_code == 403
    assert support_request.followers.filter(pk=agent.pk).exists()


def test_an_unknown_action_changes_nothing(client, member):
    support_request = SupportRequestFactory()
    client.force_login(member)
    response = client.post(follow_url(support_request), {"action": "autre"}, follow=True)
    assert "Action inconnue" in response.content.decode()
    assert not support_request.followers.filter(pk=member.pk).exists()


def test_following_needs_a_post(client, member):
    client.force_login(member)
    assert client.get(follow_url(SupportRequestFactory())).status_code == 405

"""`/notifications/`, the header's count and the member's e-mail choices."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.models import Alert
from tests.accounts.factories import UserFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

LIST = reverse("alerts:list")
PREFERENCES = reverse("alerts:preferences")
UNREAD = reverse("alerts:unread")


def html_of(response) -> str:
    return response.content.decode()


def make_alerts(user, count, **fields):
    support_request = SupportRequestFactory()
    start = Alert.objects.count()
    now = timezone.now()
    return Alert.objects.bulk_create(
        Alert(
            key=f"test:{user.pk}:{start + n}",
            recipient=user,
            kind=AlertKind.FOLLOWED,
            request=support_request,
            text=f"Alerte numéro {n:03d}",
            created_at=now - timedelta(minutes=count - n),
            **fields,
        )
        for n in range(count)
    )


def unread(client) -> dict:
    response = client.get(UNREAD)
    assert response.status_code == 200
    return response.json()


def test_the_list_shows_ones_own_alerts_newest_first_then_marks_them_read(client, member, pilot):
    make_alerts(member, 3)
    make_alerts(pilot, 1)
    client.force_login(member)
    html = html_of(client.get(LIST))
    assert html.index("Alerte numéro 002") < html.index("Alerte numéro 001")
    assert html.index("Alerte numéro 001") < html.index("Alerte numéro 000")
    assert html.count(">Nouvelle</span>") == 3
    assert unread(client) == {"count": 0, "label": ""}
    assert Alert.objects.filter(recipient=pilot, read_at__isnull=True).count() == 1

    again = html_of(client.get(LIST))
    assert "Alerte numéro 002" in again
    assert ">Nouvelle</span>" not in again


def test_each_alert_links_to_its_request(client, member):
    [alert] = make_alerts(member, 1)
    client.force_login(member)
    html = html_of(client.get(LIST))
    assert f'href="/demandes/{alert.request.reference}/"' in html


def test_only_the_page_displayed_is_marked_read(client, member):
    make_alerts(member, 30)
    client.force_login(member)
    response = client.get(LIST)
    assert len(response.context["page_obj"].object_list) == 25
    assert Alert.objects.filter(recipient=member, read_at__isnull=True).count() == 5
    client.get(LIST, {"page": 2})
    assert Alert.objects.filter(recipient=member, read_at__isnull=True).count() == 0


def test_a_head_request_marks_nothing_read(client, member):
    make_alerts(member, 2)
    client.force_login(member)
    assert client.head(LIST).status_code == 200
    assert Alert.objects.filter(recipient=member, read_at__isnull=True).count() == 2


def test_an_agent_gets_an_empty_page_and_no_header_link(client, agent):
    client.force_login(agent)
    response = client.get(LIST)
    assert unread(client)["count"] == 0
    assert response.status_code == 200
    html = html_of(response)
    assert "Aucune notification pour le moment." in html
    assert 'id="lien-notifications"' not in html
    assert 'id="lien-preferences"' not in html


def test_the_header_links_to_the_notifications_and_asks_for_the_count(client, member):
    client.force_login(member)
    for url in (reverse("home"), reverse("knowledge:index"), reverse("support:queue")):
        html = html_of(client.get(url))
        link = re.search(r'<a[^>]*id="lien-notifications"[^>]*>', html)
        assert link is not None, url
        assert f'href="{LIST}"' in link.group(0)
        assert f'data-unread-url="{UNREAD}"' in link.group(0)


def test_the_count_is_of_ones_own_unread_alerts(client, member, pilot):
    make_alerts(member, 2)
    make_alerts(member, 1, read_at=timezone.now())
    make_alerts(pilot, 4)
    client.force_login(member)
    assert unread(client) == {"count": 2, "label": "2 non lues"}
    client.force_login(pilot)
    assert unread(client) == {"count": 4, "label": "4 non lues"}


def test_an_agents_count_is_zero_without_a_query(client, agent, django_assert_num_queries):
    client.force_login(agent)
    with django_assert_num_queries(2):  # session, user
        assert unread(client) == {"count": 0, "label": ""}


def test_pages_pay_no_query_for_the_header(client, member):
    make_alerts(member, 40)
    client.force_login(member)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("knowledge:index"))
    assert not [q for q in queries.captured_queries if "accompagnement_alert" in q["sql"]]
    # The count itself: session, user, one count.
    with CaptureQueriesContext(connection) as counting:
        unread(client)
    assert len(counting) == 3


def test_the_list_query_count_does_not_grow_with_alerts(client, member):
    client.force_login(member)
    client.get(LIST)
    make_alerts(member, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    make_alerts(member, 40)
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    # Session, user, the page's count and rows, marking them read.
    assert len(few) == 5
    assert len(many) == len(few)


# ---------------------------------------------------------------------------- e-mail choices


def test_choices_show_every_kind_checked_by_default(client, member):
    client.force_login(member)
    html = html_of(client.get(PREFERENCES))
    for kind in AlertKind:
        assert str(kind.label) in html
    assert html.count("checked") == len(AlertKind)
    assert "regroupées en un courriel toutes les 15 minutes" in html


def test_a_member_turns_some_emails_off(client, member):
    client.force_login(member)
    response = client.post(PREFERENCES, {"email_kinds": ["urgent", "assigned"]})
    assert response.status_code == 302
    member.team_profile.refresh_from_db()
    assert set(member.team_profile.alerts_without_email) == set(AlertKind.values) - {
        "urgent",
        "assigned",
    }
    html = html_of(client.get(PREFERENCES))
    assert "Vos choix de courriels sont enregistrés." in html
    assert html.count("checked") == 2


def test_an_unknown_kind_is_refused(client, member):
    client.force_login(member)
    response = client.post(PREFERENCES, {"email_kinds": ["nimporte"]})
    assert response.status_code == 400
    member.team_profile.refresh_from_db()
    assert member.team_profile.alerts_without_email == []


def test_choices_are_the_teams_only(client, agent):
    client.force_login(agent)
    assert client.get(PREFERENCES).status_code == 403
    assert client.post(PREFERENCES, {"email_kinds": []}).status_code == 403


def test_a_team_account_without_profile_has_no_choices_page(client):
    client.force_login(UserFactory(member=True))
    assert client.get(PREFERENCES).status_code == 404

"""What the admin would pass unchecked to the database is refused (400) on every database:
a NUL byte (PostgreSQL refused it: 500), a huge search (SQLite's LIKE refused it), a date
hierarchy's year too large for an integer (OverflowError)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accompagnement.support.models import SupportRequest
from tests.accounts.factories import UserFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(pilot=True, is_staff=True, is_superuser=True))
    return client


def changelists():
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def test_a_nul_byte_in_any_changelist_search_is_refused(superuser_client):
    for url in changelists():
        assert superuser_client.get(url, {"q": "\x00"}).status_code == 400, url
        assert superuser_client.get(url, {"q": "fin\x00de gestion"}).status_code == 400, url


@pytest.mark.parametrize(
    "query", ["status__exact=%00", "priority=%00", "created_at__gte=%00", "%00=1", "o=%00"]
)
def test_a_nul_byte_in_a_list_filter_is_refused_and_changes_nothing(superuser_client, query):
    support_request = SupportRequestFactory()
    url = reverse("admin:accompagnement_supportrequest_changelist")
    response = superuser_client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert "mal formé" in response.content.decode()
    assert SupportRequest.objects.get() == support_request


def test_a_nul_byte_in_an_object_address_is_refused(superuser_client):
    url = reverse("admin:accompagnement_supportrequest_change", args=["1"])
    assert superuser_client.get(url.replace("/1/", "/1%00/")).status_code == 400


def test_a_search_of_100_kb_is_refused(superuser_client):
    for url in changelists():
        assert superuser_client.get(url, {"q": "x" * 100_000}).status_code == 400, url


@pytest.mark.parametrize(
    "query",
    [
        {"created_at__year": "99999999999999999999"},  # OverflowError, every database
        {"created_at__year": "9999", "created_at__month": "12"},  # a month after 9999-12
        {"created_at__year": "9999", "created_at__month": "12", "created_at__day": "31"},
        {"created_at__year": "²"},
        {"created_at__year": "2011", "created_at__month": "123"},
        {"created_at__gte": "0001-01-01"},  # 0001-01-01 in UTC (SQLite)
        {"created_at__lt": "9999-12-31 23:59:59"},
    ],
)
def test_a_day_out_of_range_in_a_date_filter_is_refused(superuser_client, query):
    url = reverse("admin:accompagnement_supportrequest_changelist")
    assert superuser_client.get(url, query).status_code == 400


def test_the_changelists_still_search_and_filter(superuser_client):
    support_request = SupportRequestFactory(title="Restitution vide")
    url = reverse("admin:accompagnement_supportrequest_changelist")
    response = superuser_client.get(url, {"q": support_request.reference})
    assert response.status_code == 200
    assert support_request.reference in response.content.decode()
    assert superuser_client.get(url, {"status__exact": "new"}).status_code == 200
    assert superuser_client.get(url, {"created_at__year": "2011"}).status_code == 200
    day = {"created_at__gte": "2011-09-01 00:00+02:00", "created_at__lt": "2999-12-31 00:00+01:00"}
    assert superuser_client.get(url, day).status_code == 200
    assert superuser_client.get(url, {"q": "x" * 2_000}).status_code == 200


def test_the_portals_own_pages_keep_their_answers(client, member):
    # The queue's search is a form field, which refuses a NUL byte with its message.
    client.force_login(member)
    response = client.get(reverse("support:queue"), {"q": "\x00"})
    assert response.status_code == 200
    assert response.context["queue_filter"].form.errors["q"]

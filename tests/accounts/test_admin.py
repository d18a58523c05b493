import pytest
from django.urls import reverse

from accompagnement.accounts.models import Role
from accompagnement.accounts.services import user_upsert
from tests.accounts.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot_with_admin():
    user, _ = user_upsert(
        email="pilote.admin@example.org", first_name="P", last_name="Admin", role=Role.PILOT
    )
    return user


def test_pilot_manages_accounts_and_reference_data_in_the_admin(client, pilot_with_admin):
    client.force_login(pilot_with_admin)
    for name in [
        "admin:accompagnement_user_changelist",
        "admin:accompagnement_teammember_changelist",
        "admin:ddi_ddi_changelist",
        "admin:ddi_servicecentreattachment_changelist",
        "admin:django_celery_beat_periodictask_changelist",
    ]:
        assert client.get(reverse(name)).status_code == 200, name


def test_member_has_no_admin_access(client, member):
    client.force_login(member)
    response = client.get(reverse("admin:ddi_ddi_changelist"))
    assert response.status_code == 302
    assert "/login/" in response.url


@pytest.mark.parametrize(
    "url_name",
    ["admin:accompagnement_user_changelist", "admin:accompagnement_teammember_changelist"],
)
def test_account_changelists_do_not_query_per_row(
    client, pilot_with_admin, django_assert_max_num_queries, url_name
):
    client.force_login(pilot_with_admin)
    TeamMemberFactory.create_batch(2)
    UserFactory.create_batch(2)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse(url_name))
    TeamMemberFactory.create_batch(15)
    UserFactory.create_batch(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(url_name))

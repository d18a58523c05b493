"""The pilot's admin for routing: rules (members from the team only), the one settings row,
and the absences inline on a team member."""

import pytest
from django.urls import reverse

from accompagnement.accounts.models import Role
from accompagnement.accounts.services import user_upsert
from accompagnement.support.team_models import RoutingRule, TeamSettings
from tests.accounts.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_pilot():
    user, _ = user_upsert(
        email="pilote.admin@example.org", first_name="P", last_name="Admin", role=Role.PILOT
    )
    return user


def test_a_rules_members_are_chosen_from_the_team(client, admin_pilot):
    member = TeamMemberFactory().user
    agent = UserFactory()
    client.force_login(admin_pilot)

    html = client.get(reverse("admin:accompagnement_routingrule_add")).content.decode()

    assert f'<option value="{member.pk}"' in html
    assert f'<option value="{agent.pk}"' not in html


def test_the_pilot_changes_the_switch_but_never_adds_nor_deletes_it(client, admin_pilot):
    settings = TeamSettings.current()
    client.force_login(admin_pilot)

    url = reverse("admin:accompagnement_teamsettings_change", args=[settings.pk])
    response = client.post(url, {})  # the box unticked

    assert response.status_code == 302
    assert TeamSettings.current().auto_assign is False
    assert client.get(reverse("admin:accompagnement_teamsettings_add")).status_code == 403
    delete = reverse("admin:accompagnement_teamsettings_delete", args=[settings.pk])
    assert client.get(delete).status_code == 403


def test_a_members_absences_are_inline_on_their_profile(client, admin_pilot):
    profile = TeamMemberFactory()
    client.force_login(admin_pilot)
    url = reverse("admin:accompagnement_teammember_change", args=[profile.pk])
    html = client.get(url).content.decode()
    assert "absences-TOTAL_FORMS" in html
    assert client.get(reverse("admin:accompagnement_routingrule_changelist")).status_code == 200
    assert not RoutingRule.objects.exists()

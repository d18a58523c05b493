"""The pilot manages accounts in the admin, but only a superuser grants technical rights
or touches a superuser's account."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from accompagnement.accounts import services
from accompagnement.accounts.models import Role, User
from accompagnement.accounts.services import PILOT_GROUP_NAME, user_upsert
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_pilot():
    user, _ = user_upsert(
        email="pilote.admin@example.org", first_name="P", last_name="Admin", role=Role.PILOT
    )
    return user


@pytest.fixture
def superuser():
    return User.objects.create_superuser(
        "technique@example.org", DEFAULT_PASSWORD, first_name="T", last_name="Technique"
    )


def change_form_data(user: User, **changes) -> dict:
    """What the admin's change form posts for `user`, with `changes` on top."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "role": user.role,
        "ddi": user.ddi_id or "",
        "is_active": "on",
        "team_profile-TOTAL_FORMS": "0",
        "team_profile-INITIAL_FORMS": "0",
        "team_profile-MIN_NUM_FORMS": "0",
        "team_profile-MAX_NUM_FORMS": "1",
    }
    data.update(changes)
    return data


def escalation(**changes) -> dict:
    everything = Group.objects.create(name="Tout")
    everything.permissions.set(Permission.objects.all())
    return {
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [everything.pk],
        "user_permissions": [
            Permission.objects.get(content_type__app_label="auth", codename="change_permission").pk
        ],
        **changes,
    }


def test_pilot_cannot_make_themself_superuser_in_the_admin(client, admin_pilot):
    client.force_login(admin_pilot)
    url = reverse("admin:accompagnement_user_change", args=[admin_pilot.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="groups"' not in page
    assert 'name="user_permissions"' not in page

    response = client.post(url, change_form_data(admin_pilot, first_name="Pauline", **escalation()))

    assert response.status_code == 302
    admin_pilot.refresh_from_db()
    assert admin_pilot.first_name == "Pauline"  # the pilot still edits the account
    assert not admin_pilot.is_superuser
    assert list(admin_pilot.groups.values_list("name", flat=True)) == [PILOT_GROUP_NAME]
    assert not admin_pilot.user_permissions.exists()
    assert not admin_pilot.has_perm("auth.change_permission")


def test_pilot_cannot_grant_technical_rights_to_an_agent(client, admin_pilot):
    agent = UserFactory()
    client.force_login(admin_pilot)
    url = reverse("admin:accompagnement_user_change", args=[agent.pk])

    response = client.post(url, change_form_data(agent, **escalation()))

    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.is_staff, agent.is_superuser) == (False, False)
    assert not agent.groups.exists()
    assert not agent.user_permissions.exists()


def test_pilot_cannot_open_nor_change_a_superuser_account(client, admin_pilot, superuser):
    client.force_login(admin_pilot)
    change = reverse("admin:accompagnement_user_change", args=[superuser.pk])
    password = reverse("admin:auth_user_password_change", args=[superuser.pk])

    assert client.get(change).status_code == 403
    response = client.post(change, change_form_data(superuser, is_active="", email="x@example.org"))
    assert response.status_code == 403
    assert client.get(password).status_code == 403
    response = client.post(
        password,
        {
            "usable_password": "true",
            "password1": "une-autre-phrase-de-passe",
            "password2": "une-autre-phrase-de-passe",
        },
    )
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active
    assert superuser.email == "technique@example.org"
    assert superuser.check_password(DEFAULT_PASSWORD)


def test_superuser_still_grants_technical_rights(client, superuser):
    agent = UserFactory()
    client.force_login(superuser)
    url = reverse("admin:accompagnement_user_change", args=[agent.pk])
    response = client.post(url, change_form_data(agent, is_staff="on"))
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_staff


def test_pilots_group_holds_exactly_the_listed_permissions(admin_pilot):
    group = services.pilot_group_sync()
    granted = {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == set(services.PILOT_PERMISSIONS)
    assert len(services.PILOT_PERMISSIONS) == len(set(services.PILOT_PERMISSIONS))
    # Nothing that grants rights, nothing that erases the audit trail.
    assert not {p for p in granted if p.startswith("auth.")}
    for audit in ("event", "message", "notification", "reminderdelivery", "acknowledgement"):
        assert f"accompagnement.delete_{audit}" not in granted
    assert "accompagnement.delete_user" not in granted


def test_a_deployment_brings_the_pilots_group_back_to_the_list(admin_pilot):
    group = Group.objects.get(name=PILOT_GROUP_NAME)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="auth", codename="change_permission")
    )
    assert admin_pilot.has_perm("auth.change_permission")

    call_command("migrate", verbosity=0)

    admin_pilot = User.objects.get(pk=admin_pilot.pk)  # no cached permissions
    assert not admin_pilot.has_perm("auth.change_permission")
    assert group.permissions.count() == len(services.PILOT_PERMISSIONS)

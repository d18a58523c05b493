import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError

from accompagnement.accounts import roles
from accompagnement.accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.ddi.factories import DDIFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "expect_agent", "expect_team", "expect_pilot"),
    [
        ("agent", True, False, False),
        ("member", False, True, False),
        ("pilot", False, True, True),
    ],
)
def test_role_predicates(users_by_role, role, expect_agent, expect_team, expect_pilot):
    user = users_by_role[role]
    assert roles.is_agent(user) is expect_agent
    assert roles.is_team(user) is expect_team
    assert roles.is_pilot(user) is expect_pilot


def test_anonymous_and_inactive_users_have_no_role(agent):
    anonymous = AnonymousUser()
    assert not roles.is_authenticated(anonymous)
    assert not roles.is_agent(anonymous)
    assert not roles.is_team(anonymous)
    agent.is_active = False
    assert not roles.is_agent(agent)


def test_agent_without_ddi_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        UserFactory(role=Role.AGENT, ddi=None)


def test_member_with_a_ddi_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        UserFactory(role=Role.MEMBER, ddi=DDIFactory())


def test_email_login_is_case_insensitive(agent, client):
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get_by_natural_key(agent.email.upper()) == agent

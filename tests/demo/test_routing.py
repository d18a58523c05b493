"""The demo's routing: the pilot's two rules and an absence under way, so that a request
filed in the demo is assigned as the team would."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from accompagnement.accounts.models import Absence, User
from accompagnement.axes.models import Axis, Category
from accompagnement.demo.routing import DEMO_ABSENT, DEMO_RULES
from accompagnement.support.services.requests import support_request_create
from accompagnement.support.team_models import RoutingRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_reference_data", "--no-progress", verbosity=0)
    call_command("seed_demo", "--no-progress", verbosity=0)


def test_seed_demo_sets_rules_and_an_absence_once(demo):
    call_command("seed_demo", "--no-progress", verbosity=0)

    assert list(RoutingRule.objects.values_list("name", flat=True)) == [r.name for r in DEMO_RULES]
    absence = Absence.objects.get()
    assert absence.member.user.email == DEMO_ABSENT
    assert absence.start <= timezone.localdate() <= absence.end


def test_a_demo_request_lands_with_a_member_of_the_matching_rule(demo):
    agent = User.objects.get(email="agent.ddtm13@example.org")
    request = support_request_create(
        requester=agent,
        axis=Axis.TOOL,
        category=Category.objects.filter(axis=Axis.TOOL, is_active=True).first(),
        title="Restitution vide",
        body="La restitution INF-BUD-53 ne renvoie rien.",
    )
    rule = RoutingRule.objects.get(name="Outil Chorus dans les DDTM")
    assert request.assignee in set(rule.members.all())

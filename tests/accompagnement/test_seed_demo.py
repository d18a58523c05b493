import pytest
from django.core.management import CommandError, call_command

from accompagnement.demo import AGENTS, DEMO_PASSWORD, TEAM
from accompagnement.enums import Role
from accompagnement.models import TeamMember, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_data():
    call_command("load_reference_data", "--no-progress", verbosity=0)


def test_seed_demo_creates_fictional_people_of_every_role(reference_data, capsys):
    call_command("seed_demo", "--no-progress")
    out = capsys.readouterr().out
    users = User.objects.all()
    assert users.count() == len(AGENTS) + len(TEAM)
    assert all(u.email.endswith("@example.org") for u in users)
    assert users.filter(role=Role.PILOT).count() == 1
    assert users.filter(role=Role.MEMBER).count() == 8
    agents = users.filter(role=Role.AGENT)
    assert agents.values("ddi").distinct().count() >= 7
    assert set(agents.values_list("ddi__kind", flat=True)) == {
        "DDT",
        "DDTM",
        "DDCS",
        "DDPP",
        "DDCSPP",
    }
    assert TeamMember.objects.values("structure").distinct().count() == 8
    assert DEMO_PASSWORD in out
    assert "pilote@example.org" in out
    assert User.objects.get(email="pilote@example.org").check_password(DEMO_PASSWORD)


def test_seed_demo_twice_changes_nothing(reference_data):
    call_command("seed_demo", "--no-progress", verbosity=0)
    before = list(User.objects.order_by("pk").values_list("pk", "email", "role", "ddi_id"))
    call_command("seed_demo", "--no-progress", verbosity=0)
    after = list(User.objects.order_by("pk").values_list("pk", "email", "role", "ddi_id"))
    assert before == after
    assert TeamMember.objects.count() == len(TEAM)


def test_seed_demo_without_reference_data_says_what_to_do():
    with pytest.raises(CommandError, match="load_reference_data"):
        call_command("seed_demo", "--no-progress")

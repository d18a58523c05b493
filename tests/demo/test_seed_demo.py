from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accompagnement.accounts.models import Role, TeamMember, User
from accompagnement.demo.people import AGENTS, DEMO_PASSWORD, TEAM
from accompagnement.interventions.models import Intervention, InterventionStatus, Registration

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


def test_seed_demo_announces_two_open_sessions_once(reference_data, client, capsys):
    call_command("seed_demo", "--no-progress")
    assert "Sessions de démonstration annoncées : 2 créées" in capsys.readouterr().out
    sessions = Intervention.objects.order_by("starts_at")
    assert [s.status for s in sessions] == [InterventionStatus.OPEN] * 2
    today = timezone.localdate()
    assert [timezone.localdate(s.starts_at) - today for s in sessions] == [
        timedelta(days=7),
        timedelta(days=21),
    ]
    webinar, workshop = sessions
    assert webinar.speakers.count() == 2
    assert webinar.articles.count() == 2
    assert webinar.topics.count() == 2
    assert webinar.registrations.active().count() == 2
    assert workshop.ddi_kinds == ["DDT", "DDTM"]

    # The agent of the DDT 01 sees both, registered for the first; a DDPP agent does not
    # see the workshop for DDT and DDTM.
    client.force_login(User.objects.get(email="agent.ddt01@example.org"))
    page = client.get("/interventions/").content.decode()
    assert webinar.title.replace("'", "&#x27;") in page
    assert workshop.title in page
    client.force_login(User.objects.get(email="agent.ddpp13@example.org"))
    assert workshop.title not in client.get("/interventions/").content.decode()

    call_command("seed_demo", "--no-progress")
    assert "0 créées, 2 déjà présentes" in capsys.readouterr().out
    assert Intervention.objects.count() == 2
    assert Registration.objects.count() == 3

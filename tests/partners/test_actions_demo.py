"""The demonstration support actions and follow-up notes: seeded once, on working days,
only for the partners the reference data loaded."""

from datetime import date

import pytest
from django.core.management import call_command

from accompagnement.demo.partner_actions import (
    DEMO_ACTIONS,
    DEMO_FOLLOW_UPS,
    seed_demo_partner_actions,
)
from accompagnement.partners.models import FollowUpNote, Partner, SupportAction
from accompagnement.support.sla import is_working_day

pytestmark = pytest.mark.django_db

MONDAY = date(2011, 12, 5)


@pytest.fixture
def reference_data():
    call_command("load_reference_data", "--no-progress", verbosity=0)


def test_seed_demo_records_the_actions_and_notes_once(reference_data, capsys):
    call_command("seed_demo", "--no-progress")
    out = capsys.readouterr().out
    assert (
        f"Actions des partenaires de démonstration : {len(DEMO_ACTIONS)} créées, 0 déjà présentes"
        in out
    )
    assert SupportAction.objects.count() == len(DEMO_ACTIONS)
    assert FollowUpNote.objects.count() == len(DEMO_FOLLOW_UPS)
    assert FollowUpNote.objects.first().created_by.email == "pilote@example.org"

    again = seed_demo_partner_actions(today=MONDAY)
    assert again == {
        "created": 0,
        "existing": len(DEMO_ACTIONS),
        "skipped": 0,
        "follow_ups": 0,
    }
    assert SupportAction.objects.count() == len(DEMO_ACTIONS)


def test_every_demo_date_is_a_working_day(reference_data):
    seed_demo_partner_actions(today=date(2011, 12, 3))  # a Saturday
    for starts_on, ends_on in SupportAction.objects.values_list("starts_on", "ends_on"):
        assert is_working_day(starts_on)
        assert ends_on is None or (is_working_day(ends_on) and ends_on >= starts_on)
    for (due_on,) in FollowUpNote.objects.values_list("due_on"):
        assert is_working_day(due_on)
    # The overdue note stays in the past, the other in the future.
    dues = sorted(FollowUpNote.objects.values_list("due_on", flat=True))
    assert dues[0] < date(2011, 12, 3) < dues[1]


def test_without_the_partners_nothing_is_created(reference_data):
    Partner.objects.filter(code__startswith="equipe-chorus-").delete()
    Partner.objects.filter(code="aife").delete()
    counts = seed_demo_partner_actions(today=MONDAY)
    assert counts["created"] == 0 and counts["skipped"] == len(DEMO_ACTIONS)
    assert not SupportAction.objects.exists()
    assert not FollowUpNote.objects.exists()

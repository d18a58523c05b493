"""The pilot edits campaigns and milestones in the admin; deliveries are read-only."""

from datetime import date

import pytest
from django.urls import reverse

from accompagnement.accounts.models import Role
from accompagnement.accounts.services import user_upsert
from accompagnement.campaigns.models import CalendarToken, Milestone, ReminderDelivery
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import AcknowledgementFactory, CampaignFactory, MilestoneFactory
from tests.ddi.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot_with_admin():
    user, _ = user_upsert(
        email="pilote.admin@example.org", first_name="P", last_name="Admin", role=Role.PILOT
    )
    return user


def test_the_campaign_changelists_open(client, pilot_with_admin):
    milestone = MilestoneFactory()
    AcknowledgementFactory(milestone=milestone)
    ReminderDelivery.objects.create(milestone=milestone, recipient=UserFactory(), offset_days=7)
    CalendarToken.objects.create(user=pilot_with_admin, token="secret-du-pilote")
    client.force_login(pilot_with_admin)
    for name in ["campaign", "milestone", "acknowledgement", "reminderdelivery", "calendartoken"]:
        response = client.get(reverse(f"admin:accompagnement_{name}_changelist"))
        assert response.status_code == 200, name
        assert b"secret-du-pilote" not in response.content
    change = client.get(reverse("admin:accompagnement_milestone_change", args=[milestone.pk]))
    assert change.status_code == 200


def test_the_pilot_corrects_a_milestone_with_kinds_and_reminders(client, pilot_with_admin):
    milestone = MilestoneFactory(campaign=CampaignFactory(), code="date-limite-da")
    programme = ProgrammeFactory(code="207")
    client.force_login(pilot_with_admin)

    response = client.post(
        reverse("admin:accompagnement_milestone_change", args=[milestone.pk]),
        {
            "campaign": milestone.campaign_id,
            "code": "date-limite-da",
            "title": "Date limite des DA",
            "explanation": "Saisissez vos DA.",
            "due_date": "25/11/2011",
            "date_note": "",
            "confidence": "high",
            "source": "calendrier du CSP",
            "ddi_kinds": ["DDT", "DDTM"],
            "programmes": [programme.pk],
            "needs_acknowledgement": "on",
            "reminder_offsets": "1,15,7,1",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    milestone = Milestone.objects.get(pk=milestone.pk)
    assert milestone.due_date == date(2011, 11, 25)
    assert milestone.ddi_kinds == ["DDT", "DDTM"]
    assert milestone.reminder_offsets == [15, 7, 1]
    assert not milestone.is_date_indicative


def test_reminder_deliveries_cannot_be_changed_in_the_admin(client, pilot_with_admin):
    delivery = ReminderDelivery.objects.create(
        milestone=MilestoneFactory(), recipient=UserFactory(), offset_days=0
    )
    client.force_login(pilot_with_admin)
    url = reverse("admin:accompagnement_reminderdelivery_delete", args=[delivery.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert ReminderDelivery.objects.filter(pk=delivery.pk).exists()

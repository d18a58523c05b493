"""The `make run` demo of the reminders: the demonstration campaign of `seed_demo`, and the
schedules that `sync_schedules` creates."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accompagnement.campaigns.models import Campaign, CampaignKind, Milestone, ReminderDelivery
from accompagnement.campaigns.selectors import reminder_recipients, reminders_due_on
from accompagnement.campaigns.services import milestone_reminders_record
from accompagnement.demo.campaign import DEMO_MILESTONES, seed_demo_campaign
from accompagnement.demo.dates import working_day_on_or_after
from accompagnement.demo.people import AGENTS
from accompagnement.tasks import SCHEDULES
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import AcknowledgementFactory, CampaignFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)


def due_dates_from(today):
    """J+0, J+1, J+7, J+15, each moved to the next working day if needed."""
    return [working_day_on_or_after(today + timedelta(days=d)) for d in (0, 1, 7, 15)]


def demo_dates():
    return sorted(
        Milestone.objects.filter(campaign__title__endswith="(démonstration)").values_list(
            "due_date", flat=True
        )
    )


def test_seed_demo_adds_a_demonstration_campaign_due_from_today(capsys):
    call_command("load_reference_data", "--no-progress", verbosity=0)
    call_command("seed_demo", "--no-progress")

    today = timezone.localdate()
    campaign = Campaign.objects.get(fiscal_year=today.year, kind=CampaignKind.YEAR_END)
    assert campaign.title == f"Fin de gestion {today.year} (démonstration)"
    assert demo_dates() == due_dates_from(today)
    assert "(démonstration)" in capsys.readouterr().out

    # Each demo milestone has a reminder due today, and every demo agent gets some.
    due = reminders_due_on(today)
    assert {(r.milestone.due_date - today).days for r in due} == {
        (day - today).days for day in due_dates_from(today)
    }
    reminded = {
        person.email for r in due for person in reminder_recipients(r.milestone, r.offset_days)
    }
    assert reminded == {agent.email for agent in AGENTS}


def test_seed_demo_campaign_twice_the_same_day_changes_nothing():
    seed_demo_campaign(today=TODAY)
    before = list(Milestone.objects.values_list("pk", "due_date"))
    assert seed_demo_campaign(today=TODAY) == {
        "created": 0,
        "moved": 0,
        "unchanged": len(DEMO_MILESTONES),
        "skipped": 0,
    }
    assert list(Milestone.objects.values_list("pk", "due_date")) == before


def test_a_later_day_moves_the_demo_and_starts_its_reminders_again():
    seed_demo_campaign(today=TODAY)
    agent = UserFactory()
    [due_today] = Milestone.objects.filter(due_date=TODAY)
    milestone_reminders_record(milestone_id=due_today.pk, offset_days=0, recipient_ids=[agent.pk])
    AcknowledgementFactory(milestone=due_today, ddi=agent.ddi, acknowledged_by=agent)

    counts = seed_demo_campaign(today=TODAY + timedelta(days=1))

    assert counts["moved"] == len(DEMO_MILESTONES)
    # Friday 27 November 2026: J+1 and J+15 fall on a Saturday, moved to the Monday.
    assert demo_dates() == [
        date(2026, 11, 27),
        date(2026, 11, 30),
        date(2026, 12, 4),
        date(2026, 12, 14),
    ]
    assert not ReminderDelivery.objects.exists()
    due_today.refresh_from_db()
    assert not due_today.acknowledgements.exists()
    # Reminded again for its new date: a new e-mail, not the one of the day before.
    assert (
        milestone_reminders_record(
            milestone_id=due_today.pk, offset_days=0, recipient_ids=[agent.pk]
        )
        == 1
    )


def test_a_real_campaign_of_the_year_is_left_alone():
    real = CampaignFactory(
        fiscal_year=TODAY.year, kind=CampaignKind.YEAR_END, title="Fin de gestion"
    )
    assert seed_demo_campaign(today=TODAY)["skipped"] == len(DEMO_MILESTONES)
    assert not real.milestones.exists()
    real.refresh_from_db()
    assert real.title == "Fin de gestion"


def test_sync_schedules_creates_the_reminder_jobs():
    call_command("sync_schedules", verbosity=0)
    tasks = {t.task: t for t in PeriodicTask.objects.select_related("interval", "crontab")}
    assert set(tasks) == {s.task for s in SCHEDULES}
    reminders = tasks["accompagnement.milestone_reminders"]
    assert (reminders.interval.every, reminders.interval.period) == (10, IntervalSchedule.MINUTES)
    # A start time makes beat run it at its first tick rather than 10 minutes later.
    assert reminders.start_time is not None
    assert reminders.start_time <= timezone.now()
    digest = tasks["accompagnement.weekly_digest"]
    assert (digest.crontab.day_of_week, digest.crontab.hour) == ("1", "8")
    assert tasks["accompagnement.sla_reminders"].crontab.day_of_week == "1-5"
    assert tasks["accompagnement.waiting_requests_follow_up"].crontab is not None

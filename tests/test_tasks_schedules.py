from datetime import timedelta

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accompagnement.tasks import SCHEDULES, Crontab, Schedule, schedules_sync
from config.celery import app


def test_every_schedule_names_a_task_the_worker_registers():
    # What the worker does at start-up: import the apps' tasks modules.
    app.loader.import_default_modules()
    registered = set(app.tasks)
    assert SCHEDULES
    for schedule in SCHEDULES:
        assert schedule.task in registered, schedule.task


def test_names_are_unique():
    names = [s.name for s in SCHEDULES]
    assert len(names) == len(set(names))


def test_a_schedule_has_exactly_one_timing():
    with pytest.raises(ValueError):
        Schedule(name="x", task="t", description="")
    with pytest.raises(ValueError):
        Schedule(name="x", task="t", description="", every=timedelta(minutes=1), crontab=Crontab())


@pytest.mark.django_db
def test_sync_twice_creates_them_once(capsys):
    call_command("sync_schedules")
    call_command("sync_schedules")
    assert PeriodicTask.objects.count() == len(SCHEDULES)
    sweep = PeriodicTask.objects.get(task="accompagnement.send_pending_notifications")
    assert (sweep.interval.every, sweep.interval.period) == (5, IntervalSchedule.MINUTES)
    assert sweep.enabled
    assert sweep.expire_seconds == 240
    assert f"{len(SCHEDULES)} déjà présentes" in capsys.readouterr().out


@pytest.mark.django_db
def test_sync_leaves_a_schedule_changed_by_the_pilot_alone():
    schedules_sync()
    sweep = PeriodicTask.objects.get(task="accompagnement.send_pending_notifications")
    sweep.interval = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    sweep.enabled = False
    sweep.save()

    report = schedules_sync()

    assert report["created"] == []
    sweep.refresh_from_db()
    assert (sweep.interval.every, sweep.enabled) == (10, False)


@pytest.mark.django_db
def test_sync_recognises_a_renamed_schedule():
    schedules_sync()
    PeriodicTask.objects.filter(task="accompagnement.send_pending_notifications").update(
        name="Renvoi des courriels (renommée par la pilote)"
    )
    assert schedules_sync()["created"] == []
    assert PeriodicTask.objects.count() == len(SCHEDULES)


@pytest.mark.django_db
def test_crontab_schedules_use_the_portal_time_zone():
    nightly = Schedule(
        name="Essai",
        task="accompagnement.send_pending_notifications",
        description="",
        crontab=Crontab(minute="30", hour="6"),
        kwargs={"essai": 1},
    )
    schedules_sync((nightly,))
    task = PeriodicTask.objects.get(name="Essai")
    assert (task.crontab.minute, task.crontab.hour) == ("30", "6")
    assert str(task.crontab.timezone) == "Europe/Paris"
    assert task.kwargs == '{"essai": 1}'

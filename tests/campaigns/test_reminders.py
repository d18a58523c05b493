"""Milestone reminders: who is reminded, when, and never twice (Celery eager)."""

import smtplib
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from accompagnement.campaigns import tasks as campaigns_tasks
from accompagnement.campaigns.models import ReminderDelivery
from accompagnement.campaigns.selectors import (
    milestones_with_audience,
    reminder_recipients,
    reminders_due_on,
)
from accompagnement.campaigns.services import (
    milestone_reminders_dispatch,
    milestone_reminders_record,
)
from accompagnement.outbox import tasks as outbox_tasks
from accompagnement.outbox.models import Notification, NotificationStatus
from config.celery import app
from ddi.enums import DDIKind
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.campaigns.factories import AcknowledgementFactory, MilestoneFactory
from tests.ddi.factories import AttachmentFactory, DDIFactory

pytestmark = pytest.mark.django_db

# A Monday in Advent: Christmas (Friday 25) and New Year's Day (Friday 1) follow.
DAY = date(2026, 12, 21)


@pytest.fixture
def eager_celery():
    """Tasks run in-process when queued (`CELERY_TASK_ALWAYS_EAGER`), errors raised."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def run(eager_celery, django_capture_on_commit_callbacks):
    """Run the daily job for a day, with the e-mails queued after commit sent at once."""

    def run_job(day=DAY, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return milestone_reminders_dispatch(day=day, **kwargs)

    return run_job


def due(days_before: int, day: date = DAY, **kwargs):
    """A milestone whose reminder `days_before` its due date falls on `day`."""
    return MilestoneFactory(
        due_date=day + timedelta(days=days_before), reminder_offsets=[days_before], **kwargs
    )


def reminded(milestone=None) -> set:
    deliveries = ReminderDelivery.objects.all()
    if milestone is not None:
        deliveries = deliveries.filter(milestone=milestone)
    return set(deliveries.values_list("recipient__email", flat=True))


def outbox_recipients() -> list[str]:
    return sorted(address for email in mail.outbox for address in email.to)


# ---------------------------------------------------------------------------- dates


def test_offsets_are_calendar_days_whatever_the_holidays():
    # J-7 before Monday 28 December is Monday 21, Christmas in between.
    over_christmas = MilestoneFactory(due_date=date(2026, 12, 28), reminder_offsets=[15, 7, 1])
    # J-1 before New Year's Day (a holiday) is New Year's Eve; J-0 is the holiday itself.
    new_year = MilestoneFactory(due_date=date(2027, 1, 1), reminder_offsets=[1, 0])
    # J-2 before Monday 4 January is Saturday 2: reminders go out at weekends too.
    monday = MilestoneFactory(due_date=date(2027, 1, 4), reminder_offsets=[2])

    def pairs(day):
        return {(r.milestone.pk, r.offset_days) for r in reminders_due_on(day)}

    assert pairs(date(2026, 12, 21)) == {(over_christmas.pk, 7)}
    assert pairs(date(2026, 12, 13)) == {(over_christmas.pk, 15)}
    assert pairs(date(2026, 12, 27)) == {(over_christmas.pk, 1)}
    assert pairs(date(2026, 12, 31)) == {(new_year.pk, 1)}
    assert pairs(date(2027, 1, 1)) == {(new_year.pk, 0)}
    assert pairs(date(2027, 1, 2)) == {(monday.pk, 2)}
    assert pairs(date(2026, 12, 22)) == set()


def test_no_reminder_without_offsets_nor_after_the_due_date():
    MilestoneFactory(due_date=DAY, reminder_offsets=[])
    MilestoneFactory(due_date=DAY - timedelta(days=1), reminder_offsets=[0, 1])
    assert reminders_due_on(DAY) == []


def test_several_offsets_due_the_same_day_are_distinct_reminders():
    milestone = MilestoneFactory(due_date=DAY, reminder_offsets=[0, 0, 7])
    assert [(r.milestone, r.offset_days) for r in reminders_due_on(DAY)] == [(milestone, 0)]


# ---------------------------------------------------------------------------- audience


def test_every_active_agent_of_a_targeted_ddi_is_reminded(run):
    ddi = DDIFactory()
    first, second = UserFactory(ddi=ddi), UserFactory(ddi=ddi)
    elsewhere = UserFactory()
    milestone = due(7)

    report = run()

    assert report == {"due": 1, "recipients": 3, "batches": 1}
    assert reminded(milestone) == {first.email, second.email, elsewhere.email}
    assert outbox_recipients() == sorted([first.email, second.email, elsewhere.email])


def test_ddi_kinds_restrict_the_audience(run):
    ddt = UserFactory(ddi=DDIFactory(kind=DDIKind.DDT))
    ddtm = UserFactory(ddi=DDIFactory(kind=DDIKind.DDTM))
    UserFactory(ddi=DDIFactory(kind=DDIKind.DDPP))
    milestone = due(1, ddi_kinds=[DDIKind.DDT, DDIKind.DDTM])

    run()

    assert reminded(milestone) == {ddt.email, ddtm.email}


def test_programmes_restrict_the_audience_to_the_ddis_attached_for_them(run):
    attached = AttachmentFactory()
    other = AttachmentFactory()
    agent = UserFactory(ddi=attached.ddi)
    UserFactory(ddi=other.ddi)
    UserFactory()  # attached for nothing
    milestone = due(0, programmes=[attached.programme])

    run()

    assert reminded(milestone) == {agent.email}


def test_csps_restrict_the_audience_to_the_ddis_they_serve(run):
    served = AttachmentFactory()
    agent = UserFactory(ddi=served.ddi)
    UserFactory(ddi=AttachmentFactory().ddi)
    milestone = due(15, service_centres=[served.service_centre])

    run()

    assert reminded(milestone) == {agent.email}


def test_criteria_combine(run):
    served = AttachmentFactory(ddi=DDIFactory(kind=DDIKind.DDT))
    agent = UserFactory(ddi=served.ddi)
    # Served by the CSP, but not a DDT.
    UserFactory(ddi=AttachmentFactory(service_centre=served.service_centre).ddi)
    milestone = due(7, ddi_kinds=[DDIKind.DDT], service_centres=[served.service_centre])

    run()

    assert reminded(milestone) == {agent.email}


def test_an_acknowledged_milestone_is_no_longer_reminded_to_the_ddi(run):
    done_ddi = DDIFactory()
    UserFactory(ddi=done_ddi)
    still_to_do = UserFactory()
    milestone = due(7)
    AcknowledgementFactory(milestone=milestone, ddi=done_ddi)

    run()

    assert reminded(milestone) == {still_to_do.email}


def test_acknowledging_stops_the_next_reminders(run):
    agent = UserFactory()
    milestone = MilestoneFactory(due_date=DAY + timedelta(days=7), reminder_offsets=[7, 1])
    run(DAY)
    AcknowledgementFactory(milestone=milestone, ddi=agent.ddi, acknowledged_by=agent)

    report = run(DAY + timedelta(days=6))

    assert report["recipients"] == 0
    assert ReminderDelivery.objects.get().offset_days == 7
    assert len(mail.outbox) == 1


def test_inactive_agents_the_team_and_people_without_address_are_skipped(run):
    ddi = DDIFactory()
    active = UserFactory(ddi=ddi)
    UserFactory(ddi=ddi, is_active=False)
    TeamMemberFactory()
    UserFactory(pilot=True)
    milestone = due(0)

    run()

    assert reminded(milestone) == {active.email}


def test_each_offset_reminds_once_more(run):
    agent = UserFactory()
    milestone = MilestoneFactory(due_date=DAY + timedelta(days=7), reminder_offsets=[7, 1, 0])
    for day in (DAY, DAY + timedelta(days=6), DAY + timedelta(days=7)):
        run(day)
    assert sorted(
        ReminderDelivery.objects.filter(milestone=milestone).values_list("offset_days", flat=True)
    ) == [0, 1, 7]
    assert outbox_recipients() == [agent.email] * 3


# ---------------------------------------------------------------------------- never twice


def test_job_run_twice_sends_one_email_per_recipient(run):
    agents = [UserFactory() for _ in range(4)]
    milestone = due(7)

    first = run()
    second = run()

    assert first["recipients"] == 4
    assert second == {"due": 1, "recipients": 0, "batches": 0}
    assert Notification.objects.filter(kind="milestone_reminder").count() == 4
    assert ReminderDelivery.objects.filter(milestone=milestone).count() == 4
    assert outbox_recipients() == sorted(a.email for a in agents)


def test_a_batch_delivered_twice_records_and_sends_once(
    eager_celery, django_capture_on_commit_callbacks
):
    agents = [UserFactory() for _ in range(3)]
    milestone = due(1)
    ids = [a.pk for a in agents]

    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns_tasks.reminders_fanout_batch.delay(milestone.pk, 1, ids).get() == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns_tasks.reminders_fanout_batch.delay(milestone.pk, 1, ids).get() == 0

    assert ReminderDelivery.objects.count() == 3
    assert len(mail.outbox) == 3


def test_recipients_are_fanned_out_in_batches(run):
    for _ in range(5):
        UserFactory()
    due(7)

    report = run(batch_size=2)

    assert report == {"due": 1, "recipients": 5, "batches": 3}
    assert ReminderDelivery.objects.count() == 5
    assert len(mail.outbox) == 5


def test_each_delivery_points_at_its_email(run):
    agent = UserFactory()
    milestone = due(7)
    run()
    delivery = ReminderDelivery.objects.select_related("notification").get()
    notification = delivery.notification
    assert (delivery.recipient, delivery.offset_days) == (agent, 7)
    assert notification.key == f"milestone:{milestone.pk}:{milestone.due_date}:7:{agent.pk}"
    assert (notification.kind, notification.recipient, notification.request) == (
        "milestone_reminder",
        agent,
        None,
    )
    assert notification.status == NotificationStatus.SENT


def test_a_batch_checks_its_people_again(eager_celery, django_capture_on_commit_callbacks):
    milestone = due(0)
    gone = UserFactory()
    done = UserFactory()
    stays = UserFactory()
    ids = [gone.pk, done.pk, stays.pk]
    # Between the job and the batch: an agent leaves, a DDI marks the milestone done.
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    AcknowledgementFactory(milestone=milestone, ddi=done.ddi, acknowledged_by=done)

    with django_capture_on_commit_callbacks(execute=True):
        recorded = milestone_reminders_record(
            milestone_id=milestone.pk, offset_days=0, recipient_ids=ids
        )

    assert recorded == 1
    assert reminded() == {stays.email}


def test_a_batch_for_a_deleted_milestone_does_nothing():
    assert milestone_reminders_record(milestone_id=999_999, offset_days=0, recipient_ids=[1]) == 0


def test_a_mail_server_failure_leaves_the_reminder_pending(
    eager_celery, django_capture_on_commit_callbacks, settings
):
    # Nothing listens there: every attempt fails at once, and the eager retries too.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    app.conf.task_eager_propagates = False
    UserFactory()
    due(7)

    with django_capture_on_commit_callbacks(execute=True):
        milestone_reminders_dispatch(day=DAY)

    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1 + outbox_tasks.send_notification.max_retries
    assert notification.last_error.startswith("ConnectionRefusedError")
    assert ReminderDelivery.objects.count() == 1


def test_recipients_query_excludes_the_people_already_reminded():
    agent, other = UserFactory(), UserFactory()
    milestone = due(7)
    milestone_reminders_record(milestone_id=milestone.pk, offset_days=7, recipient_ids=[agent.pk])
    audience = milestones_with_audience().get(pk=milestone.pk)
    assert list(reminder_recipients(audience, 7)) == [other]
    assert set(reminder_recipients(audience, 1)) == {agent, other}


def test_the_task_reminds_for_the_local_date(eager_celery, django_capture_on_commit_callbacks):
    agent = UserFactory()
    milestone = MilestoneFactory(due_date=timezone.localdate(), reminder_offsets=[0])
    with django_capture_on_commit_callbacks(execute=True):
        campaigns_tasks.milestone_reminders.delay()
    assert reminded(milestone) == {agent.email}
    assert outbox_recipients() == [agent.email]


# ---------------------------------------------------------------------------- sending


def test_a_batch_is_sent_in_turn_and_the_rest_retried_after_a_failure(
    eager_celery, django_capture_on_commit_callbacks
):
    # Eager retries are run by `apply`, not raised to the caller.
    app.conf.task_eager_propagates = False
    agents = [UserFactory() for _ in range(3)]
    milestone = due(7)
    real_send = EmailBackend.send_messages
    calls = []

    def second_send_fails_once(backend, messages):
        calls.append(messages[0].to[0])
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(backend, messages)

    with (
        mock.patch.object(EmailBackend, "send_messages", second_send_fails_once),
        django_capture_on_commit_callbacks(execute=True),
    ):
        milestone_reminders_record(
            milestone_id=milestone.pk, offset_days=7, recipient_ids=[a.pk for a in agents]
        )

    # Stopped at the failure, then retried from there: everyone once.
    emails = list(Notification.objects.order_by("pk").values_list("recipient__email", flat=True))
    assert calls == [emails[0], emails[1], emails[1], emails[2]]
    assert outbox_recipients() == sorted(emails)
    attempts = dict(Notification.objects.values_list("recipient__email", "attempts"))
    assert attempts == {emails[0]: 1, emails[1]: 2, emails[2]: 1}


def test_a_batch_delivered_again_skips_what_was_sent(eager_celery):
    agents = [UserFactory() for _ in range(2)]
    milestone = due(7)
    milestone_reminders_record(
        milestone_id=milestone.pk, offset_days=7, recipient_ids=[a.pk for a in agents]
    )
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    outbox_tasks.send_notifications.delay(ids[:1])

    outbox_tasks.send_notifications.delay(ids)

    assert outbox_recipients() == sorted(a.email for a in agents)
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}

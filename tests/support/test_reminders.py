"""Reminders about requests (Celery eager): SLA reminders to assignees, nudges to the DDI
after 5 working days of waiting, automatic closing after 15."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.support import tasks as support_tasks
from accompagnement.support.enums import EventKind, Status
from accompagnement.support.models import Event, SupportRequest
from accompagnement.support.services.reminders import (
    sla_reminders_record,
    support_request_auto_close,
    waiting_requests_follow_up,
)
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import support_request_transition
from accompagnement.support.sla import add_working_days, is_working_day
from config.celery import app
from tests.accounts.factories import UserFactory
from tests.support.factories import EventFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# Monday 2 March 2026, 10:00 in Paris: no public holiday in the four weeks that follow.
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=PARIS)


@pytest.fixture
def eager_celery():
    """Tasks run in-process when queued (`CELERY_TASK_ALWAYS_EAGER`), errors raised."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def sent(eager_celery, django_capture_on_commit_callbacks):
    """Run a service; the e-mails it queues after commit are sent at once."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


def emails_of(kind):
    return Notification.objects.filter(kind=kind)


# ---------------------------------------------------------------------------- SLA


@pytest.fixture
def overdue():
    return SupportRequestFactory(assigned=True, created_at=MONDAY - timedelta(days=40))


def test_the_assignee_of_an_overdue_request_is_reminded_once_a_day(sent, overdue):
    now = MONDAY + timedelta(days=1)
    assert sent(sla_reminders_record, now=now) == 1
    assert sent(sla_reminders_record, now=now + timedelta(hours=3)) == 0

    [notification] = emails_of("sla_reminder")
    assert notification.key == f"sla:{overdue.pk}:2026-03-03:{overdue.assignee_id}"
    assert (notification.recipient, notification.request) == (overdue.assignee, overdue)
    [email] = mail.outbox
    assert email.to == [overdue.assignee.email]
    assert email.subject == f"[{overdue.reference}] Demande en retard : {overdue.title}"
    assert "a dépassé son délai" in email.body
    assert "résolution attendue le" in email.body

    # The next working day, one more.
    assert sent(sla_reminders_record, now=now + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_no_sla_reminder_on_weekends_and_public_holidays(sent, overdue):
    saturday = MONDAY + timedelta(days=5)
    easter_monday = datetime(2026, 4, 6, 10, 0, tzinfo=PARIS)
    assert sent(sla_reminders_record, now=saturday) == 0
    assert sent(sla_reminders_record, now=easter_monday) == 0
    assert not mail.outbox


def test_sla_reminders_only_for_open_overdue_assigned_requests(sent):
    long_ago = MONDAY - timedelta(days=40)
    SupportRequestFactory(created_at=long_ago)  # nobody holds it
    SupportRequestFactory(assigned=True, created_at=MONDAY - timedelta(hours=1))  # on time
    SupportRequestFactory(assigned=True, created_at=long_ago, status=Status.RESOLVED)
    assert sent(sla_reminders_record, now=MONDAY) == 0


def test_no_sla_reminder_while_the_clock_is_paused(sent, overdue):
    # Past its due dates, then put in waiting for the DDI: the assignee has nothing to do
    # until the DDI answers.
    now = MONDAY + timedelta(days=1)
    support_request_transition(request=overdue, user=overdue.assignee, to_status=Status.WAITING_DDI)
    overdue.refresh_from_db()
    assert overdue.sla_paused_at is not None and overdue.is_overdue(now)
    assert sent(sla_reminders_record, now=now) == 0

    # The DDI answers: the clock runs again, still past its due dates.
    support_request_reply(request=overdue, author=overdue.requester, body="Voici la pièce.")
    assert sent(sla_reminders_record, now=now) == 1


def test_the_sla_task(eager_celery, overdue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        support_tasks.sla_reminders.delay()
    expected = 1 if is_working_day(timezone.localdate()) else 0
    assert Notification.objects.filter(kind="sla_reminder").count() == expected
    assert len(mail.outbox) == expected


# ---------------------------------------------------------------------------- waiting


def put_in_waiting(request, at):
    """The status event that puts `request` in waiting_ddi at `at`."""
    return EventFactory(
        request=request,
        actor=request.assignee,
        old_value=Status.IN_PROGRESS,
        new_value=Status.WAITING_DDI,
        created_at=at,
    )


@pytest.fixture
def waiting():
    request = SupportRequestFactory(
        assigned=True,
        status=Status.WAITING_DDI,
        created_at=MONDAY - timedelta(days=2),
        followers=[],
    )
    follower = UserFactory(ddi=request.ddi)
    request.followers.add(follower)
    put_in_waiting(request, MONDAY)
    return request


def nudges(request):
    return Event.objects.filter(request=request, kind=EventKind.NOTIFIED)


def test_no_nudge_before_5_working_days(sent, waiting):
    four_days = add_working_days(MONDAY, 4) + timedelta(hours=5)
    assert sent(waiting_requests_follow_up, now=four_days) == {"nudged": 0, "closed": 0}
    assert not nudges(waiting).exists()


def test_the_ddi_is_nudged_after_5_working_days_once(sent, waiting):
    five_days = add_working_days(MONDAY, 5)  # Monday 9 March, 10:00
    assert sent(waiting_requests_follow_up, now=five_days) == {"nudged": 1, "closed": 0}
    assert sent(waiting_requests_follow_up, now=five_days + timedelta(days=1)) == {
        "nudged": 0,
        "closed": 0,
    }

    [event] = nudges(waiting)
    assert event.is_public
    assert event.actor is None
    assert "Relance automatique" in event.comment
    assert "2 mars 2026" in event.comment
    # Closed 15 working days after 2 March: Monday 23 March.
    assert "23 mars 2026" in event.comment

    followers = {waiting.requester, *waiting.followers.all()}
    notifications = emails_of("waiting_nudge")
    assert {n.recipient for n in notifications} == followers
    stamp = "20260302T090000000000Z"  # 10:00 in Paris is 09:00 UTC in March
    assert {n.key for n in notifications} == {
        f"nudge:{waiting.pk}:{stamp}:{p.pk}" for p in followers
    }
    assert sorted(a for e in mail.outbox for a in e.to) == sorted(p.email for p in followers)
    email = mail.outbox[0]
    assert email.subject == f"[{waiting.reference}] Votre réponse est attendue : {waiting.title}"
    assert "depuis le lundi 2 mars 2026" in email.body
    assert "clôturée automatiquement le lundi 23 mars 2026" in email.body
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITING_DDI


def test_a_new_waiting_period_is_nudged_again(sent, waiting):
    sent(waiting_requests_follow_up, now=add_working_days(MONDAY, 5))
    # The DDI answers, the team asks again a week later.
    back = add_working_days(MONDAY, 6)
    SupportRequest.objects.filter(pk=waiting.pk).update(status=Status.IN_PROGRESS)
    SupportRequest.objects.filter(pk=waiting.pk).update(status=Status.WAITING_DDI)
    put_in_waiting(waiting, back)

    assert sent(waiting_requests_follow_up, now=add_working_days(back, 5)) == {
        "nudged": 1,
        "closed": 0,
    }
    assert nudges(waiting).count() == 2
    assert emails_of("waiting_nudge").count() == 4


def test_the_request_is_closed_after_15_working_days(sent, waiting):
    sent(waiting_requests_follow_up, now=add_working_days(MONDAY, 5))
    mail.outbox.clear()

    fifteen = add_working_days(MONDAY, 15)
    assert sent(waiting_requests_follow_up, now=fifteen) == {"nudged": 0, "closed": 1}
    assert sent(waiting_requests_follow_up, now=fifteen) == {"nudged": 0, "closed": 0}

    waiting.refresh_from_db()
    assert waiting.status == Status.CLOSED
    assert waiting.closed_at is not None
    event = Event.objects.get(request=waiting, kind=EventKind.STATUS, new_value=Status.CLOSED)
    assert (event.actor, event.old_value, event.is_public) == (None, Status.WAITING_DDI, True)
    assert "Clôture automatique" in event.comment
    assert "15 jours ouvrés" in event.comment

    followers = {waiting.requester, *waiting.followers.all()}
    closed = emails_of("auto_closed")
    assert {n.recipient for n in closed} == followers
    assert not emails_of("status_changed").exists()
    assert len(mail.outbox) == len(followers)
    email = mail.outbox[0]
    assert email.subject == f"[{waiting.reference}] Clôturée sans réponse : {waiting.title}"
    assert "clôturée automatiquement" in email.body
    assert "déposez une nouvelle demande" in email.body


def test_closed_without_a_nudge_when_the_job_was_down(sent, waiting):
    result = sent(waiting_requests_follow_up, now=add_working_days(MONDAY, 20))
    assert result == {"nudged": 0, "closed": 1}
    assert not emails_of("waiting_nudge").exists()


def test_a_request_the_ddi_answered_is_left_alone(sent, waiting):
    support_request_reply(
        request=waiting, author=waiting.requester, body="Voici le bon de commande."
    )
    assert sent(waiting_requests_follow_up, now=add_working_days(MONDAY, 20)) == {
        "nudged": 0,
        "closed": 0,
    }
    waiting.refresh_from_db()
    assert waiting.status == Status.IN_PROGRESS


def test_auto_close_of_a_request_changed_meanwhile_does_nothing(waiting):
    stale = SupportRequest.objects.get(pk=waiting.pk)
    stale.waiting_since = MONDAY
    support_request_transition(request=waiting, user=waiting.assignee, to_status=Status.IN_PROGRESS)
    assert support_request_auto_close(request=stale) is False
    waiting.refresh_from_db()
    assert waiting.status == Status.IN_PROGRESS


def test_waiting_without_a_status_event_counts_from_the_last_activity(sent):
    request = SupportRequestFactory(status=Status.WAITING_DDI, created_at=MONDAY)
    assert sent(waiting_requests_follow_up, now=add_working_days(MONDAY, 5)) == {
        "nudged": 1,
        "closed": 0,
    }
    assert nudges(request).count() == 1


def test_the_follow_up_task(eager_celery, waiting, django_capture_on_commit_callbacks):
    # Weeks later: the task uses the current time.
    with django_capture_on_commit_callbacks(execute=True):
        support_tasks.waiting_requests_follow_up.delay()
    waiting.refresh_from_db()
    assert waiting.status == Status.CLOSED
    assert Notification.objects.filter(kind="auto_closed", status=NotificationStatus.SENT).exists()
    assert timezone.now() > MONDAY

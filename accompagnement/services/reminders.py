"""Reminders: milestone reminders fanned out in batches, SLA reminders to assignees, nudges
and automatic closing of requests waiting for their DDI, the pilot's weekly digest.

Never twice, never lost. Every e-mail is first recorded in the outbox (`Notification`)
under a unique key, in the same transaction as what it reports, then queued after commit;
`notification_send` claims each row before sending it, and the periodic sweep sends what
was left behind (broker down, worker killed, mail server failing). The keys:

- milestone reminder: a `ReminderDelivery` (milestone × recipient × offset, unique) and
  its e-mail `milestone:<milestone>:<due date>:<offset>:<recipient>` (the due date in the
  key: should a delivery be cleared, as the demo does when it moves its milestones, the
  reminder of the new date is a new e-mail, not the old one already sent);
- SLA reminder: `sla:<request>:<local date>:<assignee>` (once a day at most);
- nudge: `nudge:<request>:<start of the waiting>:<recipient>` (once per waiting period);
- weekly digest: `digest:<ISO week>:<pilot>`.

A job that runs twice, two beats by mistake or a redelivered task meets the keys already
taken and records nothing new.

The daily milestone job (`milestone_reminders_dispatch`) only reads: it works out the
(milestone, offset) pairs due today and the people not yet reminded, and queues one
`reminders_fanout_batch` task per `REMINDER_BATCH_SIZE` of them; each batch records its
rows in its own short transaction (`milestone_reminders_record`) and, after commit,
queues one `send_notifications` task that sends its e-mails in turn, each row claimed on
its own (a task per e-mail would spend more on the broker than on the sending). A batch
lost with a killed worker is found again by the next run of the job (every 10 minutes),
since its people still have no delivery; e-mails left behind are the sweep's.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import permissions
from ..enums import EventKind, Status
from ..models import Event, Milestone, Notification, ReminderDelivery, SupportRequest, User
from ..models.support import NotificationStatus
from ..selectors_campaigns import ddis_targeted_by, milestones_with_audience
from ..selectors_reminders import (
    digest_recipients,
    overdue_requests_to_remind,
    reminder_recipients,
    reminders_due_on,
    waiting_requests,
    weekly_digest,
)
from ..sla import add_working_days, is_working_day, working_days_between
from .mailing import (
    TRANSIENT_ERRORS,
    mail_connection,
    notification_send,
    notifications_for_sending,
)
from .notifications import notification_record
from .requests import ConcurrentUpdateError, support_request_transition

logger = logging.getLogger(__name__)

# People per fan-out task: a short transaction each, and a killed worker loses little.
REMINDER_BATCH_SIZE = 500
# Rows per INSERT / `key IN (…)` when recording many notifications at once.
OUTBOX_CHUNK = 500
NUDGE_AFTER_WORKING_DAYS = 5
AUTO_CLOSE_AFTER_WORKING_DAYS = 15


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _queue_sending(notification_ids: list[int]) -> None:
    """After commit, one task sends the e-mails of a batch, one after the other: a task
    per e-mail would cost more in broker round trips than the sending itself."""
    from ..tasks import send_notifications

    def enqueue():
        for batch in _chunks(notification_ids, REMINDER_BATCH_SIZE):
            try:
                send_notifications.delay(batch)
            except Exception:  # broker down: the periodic sweep will send them
                logger.warning("Broker unavailable, e-mails left pending for the sweep")
                return

    if notification_ids:
        transaction.on_commit(enqueue)


def notifications_send_in_turn(*, notification_ids: list[int]) -> list[int]:
    """Send outbox rows one after the other, each claimed on its own by `notification_send`
    (a redelivered batch skips what was sent). At the first transient failure (mail
    server down) stop, and return the ids left to send, that one included.

    The rows are read once for the whole batch, and its e-mails go through one mail
    connection, closed at the end; what stays per e-mail is the claim, committed before
    the sending, and the outcome, committed after it."""
    notifications = notifications_for_sending(notification_ids)
    connection = mail_connection()
    try:
        for position, notification_id in enumerate(notification_ids):
            try:
                notification_send(
                    notification_id=notification_id,
                    connection=connection,
                    notification=notifications.get(notification_id),
                )
            except TRANSIENT_ERRORS:
                return list(notification_ids[position:])
    finally:
        try:
            connection.close()
        except TRANSIENT_ERRORS as exc:  # a broken connection: nothing more to send on it
            logger.warning("Mail connection closed with an error: %s", exc)
    return []


def _outbox_record(rows: list[Notification]) -> list[int]:
    """Record `rows` in the outbox, leaving alone the keys already taken, and queue after
    commit those still to send. Returns their ids. To be called inside a transaction."""
    to_send = []
    for chunk in _chunks(rows, OUTBOX_CHUNK):
        Notification.objects.bulk_create(chunk, ignore_conflicts=True)
        to_send += (
            Notification.objects.filter(
                key__in=[row.key for row in chunk], status=NotificationStatus.PENDING
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    _queue_sending(to_send)
    return to_send


# ---------------------------------------------------------------------------- milestones


def milestone_reminder_key(milestone: Milestone, offset_days: int, recipient_id: int) -> str:
    return f"milestone:{milestone.pk}:{milestone.due_date.isoformat()}:{offset_days}:{recipient_id}"


def milestone_reminders_dispatch(
    *, day: date | None = None, batch_size: int = REMINDER_BATCH_SIZE
) -> dict[str, int]:
    """The daily job: queue one fan-out task per batch of people to remind `day`.

    Reads only; idempotent (people already reminded at an offset are not queued again),
    so it runs every few minutes and a reminder due today goes out soon after start.
    """
    from ..tasks import reminders_fanout_batch

    day = day or timezone.localdate()
    due = reminders_due_on(day)
    report = {"due": len(due), "recipients": 0, "batches": 0}
    if not due:
        return report
    targeted = ddis_targeted_by({reminder.milestone for reminder in due})
    for reminder in due:
        milestone, offset = reminder.milestone, reminder.offset_days
        people = list(
            reminder_recipients(
                milestone, offset, targeted_ddi_ids=targeted[milestone.pk]
            ).values_list("pk", flat=True)
        )
        for batch in _chunks(people, batch_size):
            reminders_fanout_batch.delay(milestone.pk, offset, batch)
            report["batches"] += 1
        report["recipients"] += len(people)
    if report["recipients"]:
        logger.info(
            "Milestone reminders of %s: %s people in %s batches",
            day,
            report["recipients"],
            report["batches"],
        )
    return report


def milestone_reminders_record(
    *, milestone_id: int, offset_days: int, recipient_ids: Iterable[int]
) -> int:
    """One fan-out batch: record a `ReminderDelivery` and its e-mail for each of
    `recipient_ids` still to remind, and queue the e-mails after commit.

    The people are checked again (the DDI may have marked the milestone done, the agent
    left, another batch reminded them since the job ran). Returns how many were recorded.
    """
    milestone = milestones_with_audience().filter(pk=milestone_id).first()
    if milestone is None:
        return 0
    people = list(
        reminder_recipients(milestone, offset_days)
        .filter(pk__in=list(recipient_ids))
        .values_list("pk", flat=True)
    )
    if not people:
        return 0
    keys = {pk: milestone_reminder_key(milestone, offset_days, pk) for pk in people}
    context = {"milestone_id": milestone.pk, "offset_days": offset_days}
    # The checks above read outside the transaction, so that it begins with a write: on
    # SQLite (`make run`) it then waits for the write lock instead of failing to upgrade
    # a read lock while the worker's other process is writing. A batch racing this one
    # meets the unique keys.
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    key=keys[pk], kind="milestone_reminder", recipient_id=pk, context=context
                )
                for pk in people
            ],
            ignore_conflicts=True,
        )
        notification_ids = dict(
            Notification.objects.filter(key__in=keys.values()).values_list("key", "pk")
        )
        ReminderDelivery.objects.bulk_create(
            [
                ReminderDelivery(
                    milestone=milestone,
                    recipient_id=pk,
                    offset_days=offset_days,
                    notification_id=notification_ids[keys[pk]],
                )
                for pk in people
            ],
            ignore_conflicts=True,
        )
        _queue_sending(
            list(
                Notification.objects.filter(
                    pk__in=notification_ids.values(), status=NotificationStatus.PENDING
                )
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        )
    return len(people)


@transaction.atomic
def milestone_reminders_resend_failed(*, milestone: Milestone, user: User) -> int:
    """Put the failed reminders of `milestone` back to « À envoyer » and queue them.

    Only failed ones, with a conditional UPDATE: a sent reminder is never sent again.
    """
    if not permissions.is_pilot(user):
        raise PermissionDenied
    failed = Notification.objects.filter(
        reminder_deliveries__milestone=milestone, status=NotificationStatus.FAILED
    )
    ids = list(failed.values_list("pk", flat=True))
    count = Notification.objects.filter(pk__in=ids, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.PENDING, sent_at=None
    )
    _queue_sending(ids)
    if ids:
        logger.info(
            "%s failed reminder(s) of milestone %s queued again by user %s",
            count,
            milestone.pk,
            user.pk,
        )
    return count


# ---------------------------------------------------------------------------- SLA


@transaction.atomic
def sla_reminders_record(*, now: datetime | None = None) -> int:
    """Remind each assignee of their overdue requests: once per request and working day.

    Returns how many reminders are waiting to be sent (recorded now, or earlier today and
    not sent yet).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_working_day(today):
        return 0
    rows = [
        Notification(
            key=f"sla:{pk}:{today.isoformat()}:{assignee_id}",
            kind="sla_reminder",
            recipient_id=assignee_id,
            request_id=pk,
        )
        for pk, assignee_id in overdue_requests_to_remind(now).values_list("pk", "assignee_id")
    ]
    return len(_outbox_record(rows))


# ---------------------------------------------------------------------------- waiting


def waiting_requests_follow_up(*, now: datetime | None = None) -> dict[str, int]:
    """Nudge the DDI after 5 working days of waiting for its answer; close the request
    after 15. Each request in its own transaction."""
    now = now or timezone.now()
    report = {"nudged": 0, "closed": 0}
    # N working days take at least N calendar days: older ones only.
    old_enough = now - timedelta(days=NUDGE_AFTER_WORKING_DAYS)
    for request in waiting_requests().filter(waiting_since__lte=old_enough):
        days = working_days_between(request.waiting_since, now)
        if days >= AUTO_CLOSE_AFTER_WORKING_DAYS:
            report["closed"] += support_request_auto_close(request=request)
        elif days >= NUDGE_AFTER_WORKING_DAYS and not (
            request.last_nudged_at and request.last_nudged_at >= request.waiting_since
        ):
            report["nudged"] += support_request_nudge(request=request, now=now)
    return report


def _waiting_since_of(request_id: int) -> datetime | None:
    return waiting_requests().filter(pk=request_id).values_list("waiting_since", flat=True).first()


@transaction.atomic
def support_request_nudge(*, request: SupportRequest, now: datetime | None = None) -> bool:
    """Remind the DDI (requester and followers) that the team waits for its answer, with a
    public NOTIFIED event on the timeline; once per waiting period."""
    # The row lock serialises two jobs running at once; the checks below see each other.
    locked = SupportRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None or locked.status != Status.WAITING_DDI:
        return False
    since = _waiting_since_of(locked.pk)
    already = Event.objects.filter(
        request=locked, kind=EventKind.NOTIFIED, created_at__gte=since
    ).exists()
    recipients = [locked.requester, *locked.followers.all()]
    if already or not any(r.is_active for r in recipients):
        return False
    closes_on = add_working_days(since, AUTO_CLOSE_AFTER_WORKING_DAYS)
    stamp = since.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    notification_record(
        kind="waiting_nudge",
        recipients=recipients,
        request=locked,
        key=f"nudge:{locked.pk}:{stamp}",
        context={"waiting_since": since.isoformat(), "closes_on": closes_on.isoformat()},
    )
    Event.objects.create(
        request=locked,
        actor=None,
        kind=EventKind.NOTIFIED,
        created_at=now or timezone.now(),
        comment=_(
            "Relance automatique envoyée à la DDI : la demande attend sa réponse depuis le "
            "%(since)s. Sans réponse, elle sera clôturée le %(closes_on)s."
        )
        % {
            "since": _local_day(since),
            "closes_on": _local_day(closes_on),
        },
        is_public=True,
    )
    return True


@transaction.atomic
def support_request_auto_close(*, request: SupportRequest) -> bool:
    """Close a request left waiting for 15 working days, through the transition table
    (SYSTEM actor: it writes the event and e-mails the DDI)."""
    try:
        event = support_request_transition(
            request=request,
            user=None,
            to_status=Status.CLOSED,
            expected_version=request.version,
            comment=_(
                "Clôture automatique : la DDI n'a pas répondu depuis %(days)s jours ouvrés "
                "(demande en attente de sa réponse depuis le %(since)s)."
            )
            % {"days": AUTO_CLOSE_AFTER_WORKING_DAYS, "since": _local_day(request.waiting_since)},
        )
    except (ConcurrentUpdateError, ValidationError):
        # Changed since it was read (an answer came): the next run decides again.
        return False
    # The transition recorded the generic status e-mail; an automatic closing has its own
    # wording (same keys, same recipients, still sent after commit).
    Notification.objects.filter(key__startswith=f"status:{event.pk}:").update(kind="auto_closed")
    return True


def _local_day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment).date(), "j F Y")


# ---------------------------------------------------------------------------- digest


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@transaction.atomic
def weekly_digest_record(*, now: datetime | None = None) -> int:
    """The pilot's weekly digest, once per ISO week and pilot."""
    now = now or timezone.now()
    pilots = list(digest_recipients())
    if not pilots:
        return 0
    week = iso_week(timezone.localdate(now))
    context = {**weekly_digest(now), "iso_week": week}
    rows = [
        Notification(
            key=f"digest:{week}:{pilot.pk}", kind="weekly_digest", recipient=pilot, context=context
        )
        for pilot in pilots
    ]
    return len(_outbox_record(rows))

"""Reads of the reminder jobs and of the pilot's view of their deliveries.

Which milestone reminders are due on a day and to whom, which requests are overdue or
waiting for their DDI, what the pilot's weekly digest says, and, per milestone, how many
reminders went out. The writes are in `services.reminders`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .enums import EventKind, Role, Status
from .models import (
    Acknowledgement,
    Event,
    Milestone,
    ReminderDelivery,
    SupportRequest,
    User,
)
from .models.support import NotificationStatus
from .selectors_campaigns import calendar_with_shares, ddis_targeted_by, milestones_with_audience

# How far ahead the weekly digest looks at the calendar.
DIGEST_HORIZON = timedelta(days=14)


@dataclass(frozen=True)
class DueReminder:
    """A milestone whose reminder `offset_days` before its due date falls on the day."""

    milestone: Milestone
    offset_days: int


# ---------------------------------------------------------------------------- milestones


def reminders_due_on(day: date) -> list[DueReminder]:
    """The (milestone, offset) pairs whose reminder day is `day`.

    Calendar days: J-7 is seven days before the due date, whatever the weekends and
    public holidays in between. The offsets are a JSON list, matched here rather than in
    SQL; only milestones not yet past are read (a handful per campaign).
    """
    due = []
    for milestone in milestones_with_audience().filter(due_date__gte=day):
        offsets = sorted({int(o) for o in milestone.reminder_offsets or () if int(o) >= 0})
        due += [
            DueReminder(milestone, offset)
            for offset in offsets
            if milestone.due_date - timedelta(days=offset) == day
        ]
    return due


def reminder_recipients(
    milestone: Milestone, offset_days: int, *, targeted_ddi_ids: set[int] | None = None
) -> QuerySet[User]:
    """The people to remind of `milestone` at `offset_days`: every active agent (with an
    address) of every targeted DDI that has not marked it done, not yet reminded at this
    offset. `milestone` comes with its audience (`milestones_with_audience`)."""
    if targeted_ddi_ids is None:
        targeted_ddi_ids = ddis_targeted_by([milestone])[milestone.pk]
    return (
        User.objects.filter(role=Role.AGENT, is_active=True, ddi_id__in=targeted_ddi_ids)
        .exclude(email="")
        .exclude(
            Exists(Acknowledgement.objects.filter(milestone=milestone, ddi_id=OuterRef("ddi_id")))
        )
        .exclude(
            Exists(
                ReminderDelivery.objects.filter(
                    milestone=milestone, offset_days=offset_days, recipient_id=OuterRef("pk")
                )
            )
        )
        .order_by("pk")
    )


# ---------------------------------------------------------------------------- requests


def overdue_requests_to_remind(now: datetime) -> QuerySet[SupportRequest]:
    """Open requests past one of their SLA targets that someone in the team holds."""
    return (
        SupportRequest.objects.overdue(now)
        .filter(assignee__isnull=False, assignee__is_active=True)
        .order_by("pk")
    )


def waiting_requests() -> QuerySet[SupportRequest]:
    """Requests waiting for their DDI, each with `waiting_since` (when the latest status
    change put it in `waiting_ddi`; its last activity for a request put in waiting without
    a status event, as imported data may be) and `last_nudged_at`."""
    put_in_waiting = Event.objects.filter(
        request=OuterRef("pk"), kind=EventKind.STATUS, new_value=Status.WAITING_DDI
    ).order_by("-created_at", "-pk")
    last_nudge = Event.objects.filter(request=OuterRef("pk"), kind=EventKind.NOTIFIED).order_by(
        "-created_at", "-pk"
    )
    return (
        SupportRequest.objects.filter(status=Status.WAITING_DDI)
        .annotate(
            waiting_since=Coalesce(
                Subquery(put_in_waiting.values("created_at")[:1]), F("last_activity_at")
            ),
            last_nudged_at=Subquery(last_nudge.values("created_at")[:1]),
        )
        .order_by("pk")
    )


# ---------------------------------------------------------------------------- digest


def weekly_digest(now: datetime) -> dict:
    """What the pilot reads on Monday, as plain JSON-able values (kept in the outbox row).

    Over the seven local days before today: requests filed, resolved; right now: overdue
    ones; and the milestones of the coming two weeks with the share of targeted DDIs that
    marked them done.
    """
    today = timezone.localdate(now)
    week_start, week_end = today - timedelta(days=7), today - timedelta(days=1)
    start, end = _local_midnight(week_start), _local_midnight(today)
    counts = SupportRequest.objects.aggregate(
        new=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        resolved=Count("pk", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
    )
    horizon = today + DIGEST_HORIZON
    shares = sorted(
        (
            share
            for group in calendar_with_shares(today=today)
            for share in group.entries
            if today <= share.milestone.due_date <= horizon
        ),
        key=lambda share: (share.milestone.due_date, share.milestone.title, share.milestone.pk),
    )
    rows = [
        {
            "id": share.milestone.pk,
            "title": share.milestone.title,
            "campaign": share.milestone.campaign.title,
            "due_date": share.milestone.due_date.isoformat(),
            "needs_acknowledgement": share.milestone.needs_acknowledgement,
            "targeted": share.targeted,
            "acknowledged": share.acknowledged,
            "percent": share.percent,
        }
        for share in shares
    ]
    return {
        "week_start": week_start.isoformat(),
        "week_end": week_end.isoformat(),
        "new": counts["new"],
        "resolved": counts["resolved"],
        "overdue": SupportRequest.objects.overdue(now).count(),
        "milestones": rows,
    }


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def digest_recipients() -> QuerySet[User]:
    return User.objects.filter(role=Role.PILOT, is_active=True).exclude(email="").order_by("pk")


# ---------------------------------------------------------------------------- pilot's view


def _delivery_count(*statuses: str) -> Count:
    return Count(
        "reminder_deliveries",
        filter=Q(reminder_deliveries__notification__status__in=statuses),
    )


def milestones_with_delivery_counts() -> QuerySet[Milestone]:
    """Milestones that have reminders, newest due date first, each with how many were
    sent, are still to send (or being sent) and failed, and the last error (one query)."""
    last_error = (
        ReminderDelivery.objects.filter(
            milestone=OuterRef("pk"), notification__status=NotificationStatus.FAILED
        )
        .order_by("-notification__created_at", "-pk")
        .values("notification__last_error")[:1]
    )
    return (
        Milestone.objects.filter(Exists(ReminderDelivery.objects.filter(milestone=OuterRef("pk"))))
        .select_related("campaign")
        .annotate(
            reminders_total=Count("reminder_deliveries"),
            reminders_sent=_delivery_count(NotificationStatus.SENT),
            reminders_pending=_delivery_count(
                NotificationStatus.PENDING, NotificationStatus.SENDING
            ),
            reminders_failed=_delivery_count(NotificationStatus.FAILED),
            last_error=Subquery(last_error),
        )
        .order_by("-due_date", "title", "pk")
    )


def milestone_or_404(pk: int) -> Milestone:
    return get_object_or_404(Milestone, pk=pk)

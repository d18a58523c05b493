"""Reads of the pilot's weekly digest: what it says and who receives it.

The writes are in `services.py`.
"""

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accompagnement.accounts.models import Role, User
from accompagnement.campaigns.selectors import (
    calendar_with_shares,
)
from accompagnement.core.dates import local_midnight
from accompagnement.support.models import SupportRequest

# How far ahead the weekly digest looks at the calendar.
DIGEST_HORIZON = timedelta(days=14)


# ---------------------------------------------------------------------------- digest


def weekly_digest(now: datetime) -> dict:
    """What the pilot reads on Monday, as plain JSON-able values (kept in the outbox row).

    Over the seven local days before today: requests filed, resolved; right now: overdue
    ones; and the milestones of the coming two weeks with the share of targeted DDIs that
    marked them done.
    """
    today = timezone.localdate(now)
    week_start, week_end = today - timedelta(days=7), today - timedelta(days=1)
    start, end = local_midnight(week_start), local_midnight(today)
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


def digest_recipients() -> QuerySet[User]:
    return User.objects.filter(role=Role.PILOT, is_active=True).exclude(email="").order_by("pk")

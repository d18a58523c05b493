"""The request reminders: SLA reminders to assignees, nudges and automatic closing of the
requests left waiting for their DDI.

Never twice, never lost: every e-mail is recorded in the outbox under a unique key, in the
same transaction as what it reports, and sent after commit (`outbox/services.py`). The keys:

- SLA reminder: `sla:<request>:<local date>:<assignee>` (once a day at most);
- nudge: `nudge:<request>:<start of the waiting>:<recipient>` (once per waiting period).

A job that runs twice, two beats by mistake or a redelivered task meets the keys already
taken and records nothing new. The milestone reminders are in `campaigns/services.py`, the
pilot's weekly digest in `steering/services.py`.
"""

import logging
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accompagnement.outbox.models import Notification
from accompagnement.outbox.services import _outbox_record, notification_record
from accompagnement.support.enums import EventKind, Status
from accompagnement.support.models import Event, SupportRequest
from accompagnement.support.selectors.requests import overdue_requests_to_remind, waiting_requests
from accompagnement.support.services.requests import (
    ConcurrentUpdateError,
    support_request_transition,
)
from accompagnement.support.sla import add_working_days, is_working_day, working_days_between

logger = logging.getLogger(__name__)
NUDGE_AFTER_WORKING_DAYS = 5
AUTO_CLOSE_AFTER_WORKING_DAYS = 15


# ---------------------------------------------------------------------------- SLA


@transaction.atomic
def sla_reminders_record(*, now: datetime | None = None) -> int:
    """Remind each assignee of their breached requests (past a due date of the team's
    clock, and not paused waiting for the DDI or a partner): once per request and working
    day.

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
    recipients = [locked.requester, *(p for p in locked.followers.all() if not p.is_team)]
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

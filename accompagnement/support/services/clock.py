"""The SLA clock of a request, as its status changes (rules in `sla.py`).

The clock stops while the request waits for the DDI or a partner, and while it is
finished (resolved, closed…): when it starts again, the working time it stood still is
added to `sla_paused_seconds` and the due dates are recounted from `sla_started_at`. A
priority change recounts them the same way. These helpers return the fields to write;
`requests.py` writes them with the status, under the request's version check.
"""

from datetime import datetime

from django.utils.translation import gettext as _

from accompagnement.support.enums import OPEN_STATUSES, PAUSED_STATUSES, EventKind, Status
from accompagnement.support.models import SupportRequest
from accompagnement.support.sla import (
    request_subdivision,
    schedule_fields,
    sla_schedule,
    working_seconds_between,
)


def clock_schedule_fields(
    request: SupportRequest, *, priority: str | None = None, paused_seconds: int | None = None
) -> dict:
    """The due dates of `request` for `priority` (its own by default)."""
    schedule = sla_schedule(
        priority or request.priority,
        request.created_at,
        request_subdivision(request),
        paused_seconds=request.sla_paused_seconds if paused_seconds is None else paused_seconds,
        started_at=request.sla_started_at,
    )
    return schedule_fields(schedule)


def _stopped_since(request: SupportRequest, old_status: str) -> datetime | None:
    if old_status in PAUSED_STATUSES:
        return request.sla_paused_at
    if old_status not in OPEN_STATUSES:
        return request.resolved_at or request.closed_at
    return None


def pause_comment(status: str) -> str:
    """What the timeline says when the team's clock stops for `status`."""
    if status == Status.WAITING_DDI:
        return _("En attente de la DDI : le délai de l'équipe ne court plus.")
    return _("Escaladée : le délai de l'équipe ne court plus, celui du partenaire court.")


def resume_comment(paused_seconds: int) -> str:
    """What the timeline says when the team's clock runs again after `paused_seconds`."""
    hours, minutes = divmod(paused_seconds // 60, 60)
    return _("Le délai de l'équipe reprend, décalé de %(hours)d h %(minutes)02d ouvrées.") % {
        "hours": hours,
        "minutes": minutes,
    }


def _recounted(request: SupportRequest, since: datetime | None, now: datetime) -> tuple[dict, int]:
    """The fields once the working time from `since` to `now` is added to the pauses."""
    paused = working_seconds_between(since, now, request_subdivision(request)) if since else 0
    total = request.sla_paused_seconds + paused
    fields = {
        "sla_paused_at": None,
        "sla_paused_seconds": total,
        **clock_schedule_fields(request, paused_seconds=total),
    }
    return fields, paused


def clock_transition(
    request: SupportRequest, old_status: str, new_status: str, now: datetime
) -> tuple[dict, tuple[str, str] | None]:
    """The clock's fields for a status change, and the timeline line it deserves
    (event kind, comment) when the clock stops or starts again, else None."""
    was_running = old_status in OPEN_STATUSES and old_status not in PAUSED_STATUSES
    runs = new_status in OPEN_STATUSES and new_status not in PAUSED_STATUSES
    if was_running and new_status in PAUSED_STATUSES:
        return {"sla_paused_at": now}, (EventKind.CLOCK_PAUSED, pause_comment(new_status))
    if old_status in PAUSED_STATUSES and new_status not in OPEN_STATUSES:
        # Finished while paused: the pause counts (a request resolved after waiting for
        # the DDI is judged on the team's time), and the clock stays stopped.
        return _recounted(request, request.sla_paused_at, now)[0], None
    if was_running == runs:  # still running, or still stopped (paused ⇄ escalated…)
        return {}, None
    if was_running:  # finished: the clock stops with the request
        return {}, None
    fields, paused = _recounted(request, _stopped_since(request, old_status), now)
    return fields, (EventKind.CLOCK_RESUMED, resume_comment(paused))

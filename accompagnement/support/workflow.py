"""The request lifecycle: one table of allowed transitions, and who may make each.

`services/requests.py` `support_request_transition` is the only code that changes a status.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.utils import timezone

from accompagnement.support.enums import OPEN_STATUSES, Status


class Actor(StrEnum):
    TEAM = "team"  # a member or the pilot
    AGENT = "agent"  # an agent of the request's DDI
    SYSTEM = "system"  # a scheduled job


TEAM, AGENT, SYSTEM = Actor.TEAM, Actor.AGENT, Actor.SYSTEM

TRANSITIONS: dict[tuple[Status, Status], frozenset[Actor]] = {
    (Status.NEW, Status.IN_PROGRESS): frozenset({TEAM}),
    (Status.NEW, Status.WAITING_DDI): frozenset({TEAM}),
    (Status.NEW, Status.ESCALATED): frozenset({TEAM}),
    (Status.NEW, Status.RESOLVED): frozenset({TEAM}),
    (Status.NEW, Status.REDIRECTED): frozenset({TEAM}),
    (Status.NEW, Status.CLOSED): frozenset({TEAM, AGENT}),
    (Status.IN_PROGRESS, Status.WAITING_DDI): frozenset({TEAM}),
    (Status.IN_PROGRESS, Status.ESCALATED): frozenset({TEAM}),
    (Status.IN_PROGRESS, Status.RESOLVED): frozenset({TEAM}),
    (Status.IN_PROGRESS, Status.REDIRECTED): frozenset({TEAM}),
    (Status.IN_PROGRESS, Status.CLOSED): frozenset({TEAM, AGENT}),
    # An agent's reply brings a waiting request back to the team.
    (Status.WAITING_DDI, Status.IN_PROGRESS): frozenset({TEAM, AGENT}),
    (Status.WAITING_DDI, Status.ESCALATED): frozenset({TEAM}),
    (Status.WAITING_DDI, Status.RESOLVED): frozenset({TEAM}),
    (Status.WAITING_DDI, Status.CLOSED): frozenset({TEAM, AGENT, SYSTEM}),
    (Status.ESCALATED, Status.IN_PROGRESS): frozenset({TEAM}),
    (Status.ESCALATED, Status.WAITING_DDI): frozenset({TEAM}),
    (Status.ESCALATED, Status.RESOLVED): frozenset({TEAM}),
    (Status.ESCALATED, Status.CLOSED): frozenset({TEAM, AGENT}),
    # Reopening: the agent disagrees, or replies, after resolution.
    (Status.RESOLVED, Status.IN_PROGRESS): frozenset({TEAM, AGENT}),
    (Status.RESOLVED, Status.CLOSED): frozenset({TEAM, AGENT, SYSTEM}),
    (Status.REDIRECTED, Status.IN_PROGRESS): frozenset({TEAM}),
    # An agent's message reopens a closed request within `REOPEN_DELAY_DAYS` of its
    # closing (`agent_message_reopens`, checked by the services); after it, a new linked
    # request takes over.
    (Status.CLOSED, Status.IN_PROGRESS): frozenset({TEAM, AGENT}),
    # Merged into another request (`services/merge.py`): final, its URL leads to the other.
    **{(status, Status.MERGED): frozenset({TEAM}) for status in OPEN_STATUSES},
}


def can_transition(from_status: str, to_status: str, actor: Actor) -> bool:
    return actor in TRANSITIONS.get((Status(from_status), Status(to_status)), frozenset())


def allowed_targets(from_status: str, actor: Actor) -> list[Status]:
    return [
        to
        for (frm, to), actors in TRANSITIONS.items()
        if frm == Status(from_status) and actor in actors
    ]


# The statuses the team's reply box can set with the reply ("send and set status").
REPLY_THEN_STATUSES = (Status.WAITING_DDI, Status.RESOLVED)


def status_after_team_reply(from_status: str) -> Status:
    """A team's public reply takes a new request in hand; other statuses stay
    (`services/requests.py` `support_request_reply`)."""
    return Status.IN_PROGRESS if from_status == Status.NEW else Status(from_status)


def reply_then_targets(from_status: str) -> list[Status]:
    """The statuses a team's public reply may set on a request now `from_status`."""
    after_reply = status_after_team_reply(from_status)
    return [target for target in REPLY_THEN_STATUSES if can_transition(after_reply, target, TEAM)]


# ---------------------------------------------------------------------------- closed requests


def reopen_deadline(request) -> datetime | None:
    """Until when an agent's message reopens `request` (a closed one), else None."""
    if request.status != Status.CLOSED:
        return None
    closed_at = request.closed_at or request.last_activity_at
    return closed_at + timedelta(days=settings.REOPEN_DELAY_DAYS)


def agent_message_reopens(request, now: datetime | None = None) -> bool:
    """A closed request within the delay: the agent's message brings it back to the team."""
    deadline = reopen_deadline(request)
    return deadline is not None and (now or timezone.now()) <= deadline


def agent_message_refused(request, now: datetime | None = None) -> bool:
    """Past the delay, redirected or merged: the agent's message goes to a new request."""
    if request.status in (Status.REDIRECTED, Status.MERGED):
        return True
    return request.status == Status.CLOSED and not agent_message_reopens(request, now)

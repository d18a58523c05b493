"""The request lifecycle: one table of allowed transitions, and who may make each.

`services/requests.py` `support_request_transition` is the only code that changes a status.
"""

from enum import StrEnum

from accompagnement.support.enums import Status


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
    (Status.CLOSED, Status.IN_PROGRESS): frozenset({TEAM}),
}


def can_transition(from_status: str, to_status: str, actor: Actor) -> bool:
    return actor in TRANSITIONS.get((Status(from_status), Status(to_status)), frozenset())


def allowed_targets(from_status: str, actor: Actor) -> list[Status]:
    return [
        to
        for (frm, to), actors in TRANSITIONS.items()
        if frm == Status(from_status) and actor in actors
    ]

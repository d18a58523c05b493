import pytest

from accompagnement.support.enums import Status
from accompagnement.support.workflow import TRANSITIONS, Actor, allowed_targets, can_transition


def test_every_status_can_be_reached_and_left():
    reached = {to for (_, to) in TRANSITIONS}
    left = {frm for (frm, _) in TRANSITIONS}
    assert reached | {Status.NEW} == set(Status)
    # A merged request is final: its content lives in the other request now.
    assert left == set(Status) - {Status.MERGED}


@pytest.mark.parametrize(
    ("frm", "to", "actor", "allowed"),
    [
        (Status.NEW, Status.IN_PROGRESS, Actor.TEAM, True),
        (Status.NEW, Status.IN_PROGRESS, Actor.AGENT, False),
        (Status.WAITING_DDI, Status.IN_PROGRESS, Actor.AGENT, True),
        (Status.RESOLVED, Status.IN_PROGRESS, Actor.AGENT, True),  # reopen
        (Status.RESOLVED, Status.CLOSED, Actor.AGENT, True),
        (Status.RESOLVED, Status.CLOSED, Actor.SYSTEM, True),
        (Status.IN_PROGRESS, Status.RESOLVED, Actor.AGENT, False),
        (Status.NEW, Status.ESCALATED, Actor.AGENT, False),
        # An agent's message reopens a closed request (within the delay: services).
        (Status.CLOSED, Status.IN_PROGRESS, Actor.AGENT, True),
        (Status.REDIRECTED, Status.IN_PROGRESS, Actor.AGENT, False),
        (Status.IN_PROGRESS, Status.MERGED, Actor.TEAM, True),
        (Status.WAITING_DDI, Status.MERGED, Actor.TEAM, True),
        (Status.IN_PROGRESS, Status.MERGED, Actor.AGENT, False),
        (Status.CLOSED, Status.MERGED, Actor.TEAM, False),
        (Status.CLOSED, Status.RESOLVED, Actor.TEAM, False),
        (Status.WAITING_DDI, Status.CLOSED, Actor.SYSTEM, True),  # automatic closing
        (Status.IN_PROGRESS, Status.CLOSED, Actor.SYSTEM, False),
    ],
)
def test_transition_table(frm, to, actor, allowed):
    assert can_transition(frm, to, actor) is allowed


def test_agent_targets_from_a_resolved_request():
    assert set(allowed_targets(Status.RESOLVED, Actor.AGENT)) == {
        Status.IN_PROGRESS,
        Status.CLOSED,
    }

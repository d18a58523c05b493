"""Who in the team is told what about a request (DESIGN.md §4; storage in `alerts/`).

Called by the support services inside their transaction; each alert is recorded once per
person and event (a unique key), and e-mailed according to the member's choices.
"""

from accompagnement.accounts.models import User
from accompagnement.support.models import Event, Message, SupportRequest


def alert_new_request(request: SupportRequest) -> None:
    """A new request: the triage rota if unassigned; an urgent one to its assignee and
    the pilot at once."""


def alert_assigned(request: SupportRequest, assignee: User | None, actor: User | None) -> None:
    """A request given to someone (by a member or by the routing)."""


def alert_message(request: SupportRequest, message: Message, author: User) -> None:
    """An agent's reply → the assignee; `@prénom.nom` in a note → that member; any
    message → the members who follow the request."""


def alert_status(request: SupportRequest, event: Event, actor: User | None) -> None:
    """A status change → the members who follow the request."""

"""Routing: who receives a new request (DESIGN.md §4)."""

from accompagnement.support.models import SupportRequest


def request_route(request: SupportRequest) -> None:
    """Assign (or propose) a new request by the pilot's rules and the referents."""

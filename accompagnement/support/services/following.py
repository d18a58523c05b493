"""A team member follows a request, or stops: they are then alerted of its public messages
and status changes (`support/alerts.py`). Agents follow their DDI's requests by e-mail
already (the requester and the followers of their DDI)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accompagnement.accounts import roles
from accompagnement.accounts.models import User
from accompagnement.support.models import SupportRequest


@transaction.atomic
def support_request_follow(*, request: SupportRequest, user: User, follow: bool) -> None:
    """`user` follows `request` (`follow`) or stops; again is harmless."""
    if not roles.is_team(user):
        raise PermissionDenied
    if follow:
        request.followers.add(user)
    else:
        request.followers.remove(user)

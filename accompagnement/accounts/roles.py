"""Every access rule of the portal, in one place.

Views never decide access themselves: they use the decorators and the
`get_..._for_user_or_404` helpers below. The first rule of the portal: an agent sees
only their own DDI, and never an internal note.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from accompagnement.accounts.models import Role


def is_authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_agent(user) -> bool:
    return is_authenticated(user) and user.role == Role.AGENT and user.ddi_id is not None


def is_team(user) -> bool:
    """Members and the pilot work on the shared queue."""
    return is_authenticated(user) and user.role in (Role.MEMBER, Role.PILOT)


def is_pilot(user) -> bool:
    return is_authenticated(user) and user.role == Role.PILOT


def can_view_ddi(user, ddi) -> bool:
    if is_team(user):
        return True
    return is_agent(user) and ddi is not None and user.ddi_id == ddi.pk


def can_access_admin(user) -> bool:
    return is_authenticated(user) and user.is_staff


def role_required(predicate):
    """View decorator: 403 unless `predicate(user)` holds (login is already required)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

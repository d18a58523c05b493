"""The roles: pure predicates of the user, and the view decorator that requires one.

Access to a thing (a request, an article, a session…) is decided by its package's
`get_<thing>_for(user, …)` selector, which returns the thing or raises 404; views use
those and `role_required`, never their own checks. The first rule of the portal: an agent
sees only their own DDI, and never an internal note.
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


def sees_diagnostics(user) -> bool:
    """The portal's own diagnostics (the details of `/sante/`, the `Server-Timing` header):
    for the team and Django's staff, who run the portal; never for agents nor the public."""
    return is_team(user) or (is_authenticated(user) and user.is_staff)


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

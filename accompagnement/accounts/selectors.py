"""Reads of the accounts: the ProConnect sign-ins waiting for an account, the team roster,
and who may open those accounts (`get_pending_sign_in_for`: 403 for anyone but the pilot,
404 for a sign-in already handled). The role predicates are in `roles.py`.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accompagnement.accounts.models import PendingSignIn, PendingSignInStatus, TeamMember
from accompagnement.accounts.roles import is_pilot

RECENTLY_OPENED_COUNT = 10


def pending_sign_ins():
    """Sign-ins waiting for the pilot, most recent first."""
    return PendingSignIn.objects.filter(status=PendingSignInStatus.PENDING).order_by(
        "-last_seen_at", "pk"
    )


def recently_opened_sign_ins():
    """The last accounts opened from a sign-in, with who opened them."""
    return (
        PendingSignIn.objects.filter(status=PendingSignInStatus.OPENED)
        .select_related("account__ddi__department", "opened_by")
        .order_by("-opened_at", "pk")[:RECENTLY_OPENED_COUNT]
    )


def team_roster() -> QuerySet[TeamMember]:
    return (
        TeamMember.objects.filter(user__is_active=True)
        .select_related("user", "structure", "referent_ministry")
        .prefetch_related("referent_programmes")
        .order_by("structure__name", "user__last_name", "user__first_name")
    )


# ---------------------------------------------------------------------------- ProConnect


def can_manage_sign_ins(user) -> bool:
    """The pilot opens the accounts of people who signed in with ProConnect unknown."""
    return is_pilot(user)


def get_pending_sign_in_for(user, pk: int):
    """A sign-in still waiting for its account: 403 for anyone but the pilot, 404 for an
    unknown one or one whose account is already open."""

    if not can_manage_sign_ins(user):
        raise PermissionDenied
    pending = pending_sign_ins().filter(pk=pk).first()
    if pending is None:
        raise Http404
    return pending

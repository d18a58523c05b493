"""Reads of the accounts: the ProConnect sign-ins waiting for an account, the team roster,
the members' absences, and who may open those accounts (`get_pending_sign_in_for`: 403
for anyone but the pilot, 404 for a sign-in already handled) or change an absence
(`get_absence_for`). The role predicates are in `roles.py`.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accompagnement.accounts.models import (
    Absence,
    PendingSignIn,
    PendingSignInStatus,
    TeamMember,
    User,
)
from accompagnement.accounts.roles import is_pilot, is_team

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


# ---------------------------------------------------------------------------- absences


def absences_covering(day: date) -> QuerySet[Absence]:
    """The absences under way on `day` (the last day of an absence is included)."""
    return Absence.objects.filter(start__lte=day, end__gte=day)


def absent_until(day: date) -> dict[int, date]:
    """The members away on `day`, by user id, with the last day of their absence."""
    until: dict[int, date] = {}
    for user_id, end in absences_covering(day).values_list("member__user_id", "end"):
        until[user_id] = max(end, until.get(user_id, end))
    return until


def absences_from(day: date) -> QuerySet[Absence]:
    """The team's absences under way on `day` or to come, soonest first."""
    return (
        Absence.objects.filter(end__gte=day, member__user__is_active=True)
        .select_related("member__user")
        .order_by("start", "end", "member__user__last_name", "pk")
    )


def absence_members(user: User) -> QuerySet[TeamMember]:
    """Whose absences `user` may set: anyone in the team for the pilot, else themself."""
    members = TeamMember.objects.filter(user__is_active=True).select_related("user")
    if is_pilot(user):
        return members.order_by("user__last_name", "user__first_name", "pk")
    if is_team(user):
        return members.filter(user=user)
    return members.none()


def can_change_absence(user: User, absence: Absence) -> bool:
    """A member changes their own absences; the pilot anyone's."""
    return is_pilot(user) or (is_team(user) and absence.member.user_id == user.pk)


def get_absence_for(user: User, pk: int) -> Absence:
    """An absence the user may change: 404 if unknown, 403 if someone else's."""
    absence = Absence.objects.select_related("member__user").filter(pk=pk).first()
    if absence is None:
        raise Http404
    if not can_change_absence(user, absence):
        raise PermissionDenied
    return absence

"""Reading a person's alerts: the count of the header, the list of `/notifications/`, the
profile whose e-mail choices a member sets."""

from django.db.models import QuerySet
from django.http import Http404

from accompagnement.accounts import roles
from accompagnement.accounts.models import TeamMember, User
from accompagnement.alerts.models import Alert


def unread_count(user: User) -> int:
    """How many of `user`'s alerts are unread (one query)."""
    return Alert.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def alerts_for(user: User) -> QuerySet[Alert]:
    """`user`'s alerts, newest first, with what their line shows."""
    return (
        Alert.objects.filter(recipient_id=user.pk)
        .select_related("request", "actor")
        .order_by("-created_at", "-pk")
    )


def get_team_profile_for(user: User) -> TeamMember:
    """The team profile whose e-mail choices `user` sets; 404 without one."""
    profile = TeamMember.objects.filter(user_id=user.pk).first() if roles.is_team(user) else None
    if profile is None:
        raise Http404
    return profile

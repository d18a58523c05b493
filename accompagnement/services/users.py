"""Accounts and team profiles."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from ddi.models import DDI, Ministry, Programme, Structure

from ..enums import Role
from ..models import TeamMember, User

PILOT_GROUP_NAME = "Pilotes"
# What the pilot manages in the admin: reference data, accounts, schedules.
PILOT_ADMIN_APPS = ("ddi", "accompagnement", "django_celery_beat")


def pilot_group_sync() -> Group:
    """The admin group of the pilots, with every permission on the apps they manage."""
    group, _ = Group.objects.get_or_create(name=PILOT_GROUP_NAME)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=PILOT_ADMIN_APPS))
    return group


@transaction.atomic
def user_upsert(
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    ddi: DDI | None = None,
    password: str | None = None,
) -> tuple[User, bool]:
    """Create or update the account of `email`; returns (user, created)."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email)
    user.first_name = first_name
    user.last_name = last_name
    user.role = role
    user.ddi = ddi if role == Role.AGENT else None
    if password is not None and (created or not user.check_password(password)):
        user.set_password(password)
    # The pilot manages the team and the reference data in the admin.
    if role == Role.PILOT:
        user.is_staff = True
    user.full_clean(exclude=["password"])
    user.save()
    if role == Role.PILOT:
        user.groups.add(pilot_group_sync())
    return user, created


@transaction.atomic
def team_member_upsert(
    *,
    user: User,
    structure: Structure,
    time_share: int = 100,
    referent_ministry: Ministry | None = None,
    referent_programmes: list[Programme] | tuple = (),
) -> TeamMember:
    if not user.is_team:
        raise ValueError("Only members and the pilot have a team profile.")
    member, _ = TeamMember.objects.update_or_create(
        user=user,
        defaults={
            "structure": structure,
            "time_share": time_share,
            "referent_ministry": referent_ministry,
        },
    )
    member.full_clean()
    member.referent_programmes.set(referent_programmes)
    return member

"""Accounts and team profiles; the ProConnect sign-ins that matched no account, and the pilot
opening those accounts."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accompagnement.accounts.models import (
    PendingSignIn,
    PendingSignInStatus,
    Role,
    TeamMember,
    User,
)
from ddi.models import DDI, Ministry, Programme, Structure

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


class AccountAlreadyExists(Exception):
    """The e-mail address of a pending sign-in already has an account."""


def _claims_fields(claims) -> dict:
    return {
        "given_name": claims.given_name[:150],
        "usual_name": claims.usual_name[:150],
        "siret": claims.siret[:20],
        "organizational_unit": claims.organizational_unit[:255],
        "uid": claims.uid[:255],
        "idp_id": claims.idp_id[:255],
        "sub": claims.sub[:255],
    }


@transaction.atomic
def pending_sign_in_record(*, claims) -> PendingSignIn:
    """Keep (or refresh) the sign-in of `claims.email`, which matches no account.

    Signing in again updates the claims, counts the attempt and, if the account had been
    opened then removed, puts the entry back in the pilot's list.
    """
    now = timezone.now()
    pending, created = PendingSignIn.objects.get_or_create(
        email=claims.email,
        defaults={**_claims_fields(claims), "first_seen_at": now, "last_seen_at": now},
    )
    if not created:
        fields = _claims_fields(claims)
        for name, value in fields.items():
            setattr(pending, name, value)
        pending.last_seen_at = now
        pending.attempts = F("attempts") + 1
        pending.status = PendingSignInStatus.PENDING
        pending.save(
            update_fields=[*fields, "last_seen_at", "attempts", "status"],
        )
        pending.refresh_from_db(fields=["attempts"])
    return pending


@transaction.atomic
def pending_sign_in_open_account(
    *,
    pending: PendingSignIn,
    role: Role,
    first_name: str,
    last_name: str,
    opened_by: User,
    ddi: DDI | None = None,
    structure: Structure | None = None,
) -> User:
    """Open the account of a pending sign-in, as an agent of `ddi` or as a team member
    from `structure`, and close the entry. The account has no password: its holder signs
    in with ProConnect (or asks for a password with "Mot de passe oublié ?")."""
    pending = PendingSignIn.objects.select_for_update().get(pk=pending.pk)
    if pending.status != PendingSignInStatus.PENDING:
        raise AccountAlreadyExists(pending.email)
    if User.objects.filter(email__iexact=pending.email).exists():
        raise AccountAlreadyExists(pending.email)
    if role == Role.AGENT and ddi is None:
        raise ValueError("An agent needs a DDI.")
    if role == Role.MEMBER and structure is None:
        raise ValueError("A team member needs a structure.")
    if role not in (Role.AGENT, Role.MEMBER):
        raise ValueError("Only agents and members are opened from a pending sign-in.")
    user, _created = user_upsert(
        email=pending.email, first_name=first_name, last_name=last_name, role=role, ddi=ddi
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if role == Role.MEMBER:
        team_member_upsert(user=user, structure=structure)
    pending.status = PendingSignInStatus.OPENED
    pending.account = user
    pending.opened_by = opened_by
    pending.opened_at = timezone.now()
    pending.save(update_fields=["status", "account", "opened_by", "opened_at"])
    return user

"""ProConnect sign-ins that matched no account, and the pilot opening those accounts."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ddi.models import DDI, Structure

from ..enums import Role
from ..models import PendingSignIn, PendingSignInStatus, User
from .users import team_member_upsert, user_upsert


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

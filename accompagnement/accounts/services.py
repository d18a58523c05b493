"""Accounts and team profiles; the ProConnect sign-ins that matched no account, and the pilot
opening those accounts."""

import logging
from datetime import date, timedelta

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.accounts.models import (
    Absence,
    PendingSignIn,
    PendingSignInStatus,
    Role,
    TeamMember,
    User,
)
from ddi.models import DDI, Ministry, Programme, Structure

logger = logging.getLogger(__name__)

PILOT_GROUP_NAME = "Pilotes"
# What the pilot does in the admin, and nothing more (the portal's own pages check the role,
# not these). Never a permission of `auth` (groups, permissions): technical rights are a
# superuser's (accounts/admin.py). Nothing is deleted: an account is deactivated, a
# schedule disabled; the audit trail (events, messages, e-mails, acknowledgements, reminders
# sent) and what people wrote are only read.
PILOT_PERMISSIONS = (
    # Reference data: the pilot corrects it and fills in the contacts.
    "ddi.view_region",
    "ddi.add_region",
    "ddi.change_region",
    "ddi.view_department",
    "ddi.add_department",
    "ddi.change_department",
    "ddi.view_ministry",
    "ddi.add_ministry",
    "ddi.change_ministry",
    "ddi.view_programme",
    "ddi.add_programme",
    "ddi.change_programme",
    "ddi.view_programmeuse",
    "ddi.add_programmeuse",
    "ddi.change_programmeuse",
    "ddi.view_servicecentre",
    "ddi.add_servicecentre",
    "ddi.change_servicecentre",
    "ddi.view_ddi",
    "ddi.add_ddi",
    "ddi.change_ddi",
    "ddi.view_servicecentreattachment",
    "ddi.add_servicecentreattachment",
    "ddi.change_servicecentreattachment",
    "ddi.view_programmeexception",
    "ddi.add_programmeexception",
    "ddi.change_programmeexception",
    "ddi.view_structure",
    "ddi.add_structure",
    "ddi.change_structure",
    # Accounts and the team; the ProConnect sign-ins waiting for an account are only read.
    "accompagnement.view_user",
    "accompagnement.add_user",
    "accompagnement.change_user",
    "accompagnement.view_teammember",
    "accompagnement.add_teammember",
    "accompagnement.change_teammember",
    "accompagnement.view_pendingsignin",
    # Absences (also in the portal, /equipe/absences/, where the pilot removes them).
    "accompagnement.view_absence",
    "accompagnement.add_absence",
    "accompagnement.change_absence",
    # The categories of the four axes.
    "accompagnement.view_category",
    "accompagnement.add_category",
    "accompagnement.change_category",
    # Campaigns and milestones; what was acknowledged and reminded is only read.
    "accompagnement.view_campaign",
    "accompagnement.add_campaign",
    "accompagnement.change_campaign",
    "accompagnement.view_milestone",
    "accompagnement.add_milestone",
    "accompagnement.change_milestone",
    "accompagnement.view_acknowledgement",
    "accompagnement.view_reminderdelivery",
    "accompagnement.view_calendartoken",
    # Training sessions; registrations and feedback are only read.
    "accompagnement.view_intervention",
    "accompagnement.add_intervention",
    "accompagnement.change_intervention",
    "accompagnement.view_registration",
    "accompagnement.view_feedback",
    # The knowledge base and the problems.
    "accompagnement.view_article",
    "accompagnement.add_article",
    "accompagnement.change_article",
    "accompagnement.view_problem",
    "accompagnement.change_problem",
    "accompagnement.view_problemanswer",
    # The optimisation study: its phases, diagnostics, recommendations and experiments.
    "accompagnement.view_study",
    "accompagnement.change_study",
    "accompagnement.view_studyphase",
    "accompagnement.add_studyphase",
    "accompagnement.change_studyphase",
    "accompagnement.view_diagnostic",
    "accompagnement.add_diagnostic",
    "accompagnement.change_diagnostic",
    "accompagnement.view_recommendation",
    "accompagnement.add_recommendation",
    "accompagnement.change_recommendation",
    "accompagnement.view_experiment",
    "accompagnement.add_experiment",
    "accompagnement.change_experiment",
    # Routing rules and the automatic assignment switch (also in the portal,
    # /equipe/regles/, where the pilot removes a rule).
    "accompagnement.view_routingrule",
    "accompagnement.add_routingrule",
    "accompagnement.change_routingrule",
    "accompagnement.view_teamsettings",
    "accompagnement.change_teamsettings",
    # The partner directory (also in the portal, /equipe/partenaires/, where the pilot removes
    # a contact); escalations are recorded in the portal and only read here; the partners'
    # support actions and the pilot's follow-ups.
    "accompagnement.view_partner",
    "accompagnement.add_partner",
    "accompagnement.change_partner",
    "accompagnement.view_partnercontact",
    "accompagnement.add_partnercontact",
    "accompagnement.change_partnercontact",
    "accompagnement.view_escalation",
    "accompagnement.view_supportaction",
    "accompagnement.add_supportaction",
    "accompagnement.change_supportaction",
    "accompagnement.view_followupnote",
    "accompagnement.add_followupnote",
    "accompagnement.change_followupnote",
    # Requests are worked on in the portal, where every change is audited: read only here.
    "accompagnement.view_supportrequest",
    "accompagnement.view_message",
    "accompagnement.view_event",
    "accompagnement.view_attachment",
    # E-mails: a failed one is put back "to send" from the admin.
    "accompagnement.view_notification",
    "accompagnement.change_notification",
    # Schedules of the periodic tasks (created by `sync_schedules`).
    "django_celery_beat.view_periodictask",
    "django_celery_beat.change_periodictask",
    "django_celery_beat.view_crontabschedule",
    "django_celery_beat.add_crontabschedule",
    "django_celery_beat.change_crontabschedule",
    "django_celery_beat.view_intervalschedule",
    "django_celery_beat.add_intervalschedule",
    "django_celery_beat.change_intervalschedule",
    "django_celery_beat.view_clockedschedule",
    "django_celery_beat.add_clockedschedule",
    "django_celery_beat.change_clockedschedule",
    "django_celery_beat.view_solarschedule",
    "django_celery_beat.add_solarschedule",
    "django_celery_beat.change_solarschedule",
)


class UnknownPermissions(ValueError):
    """Permissions of `PILOT_PERMISSIONS` that the database does not hold."""


@transaction.atomic
def pilot_group_sync() -> Group:
    """The admin group of the pilots, holding exactly `PILOT_PERMISSIONS`."""
    wanted = Q()
    for name in PILOT_PERMISSIONS:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted).select_related("content_type"))
    missing = set(PILOT_PERMISSIONS) - {
        f"{permission.content_type.app_label}.{permission.codename}" for permission in permissions
    }
    if missing:
        raise UnknownPermissions(sorted(missing))
    group, _ = Group.objects.get_or_create(name=PILOT_GROUP_NAME)
    group.permissions.set(permissions)
    return group


def pilot_group_sync_after_migrate(sender, **kwargs) -> None:
    """post_migrate receiver (apps.py): each deployment brings the group back to the list."""
    try:
        pilot_group_sync()
    except UnknownPermissions as missing:
        # Some apps are not migrated yet (`migrate <app> <migration>`): the next full
        # `migrate` syncs the group.
        logger.warning("Pilots' group not synced, permissions missing: %s", missing)


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


# An absence is recorded to steer the routing of new requests: one long over changes
# nothing, one that never ends or starts years ahead is a typing error.
ABSENCE_PAST_DAYS = 30
ABSENCE_MAX_DAYS = 366
ABSENCE_AHEAD_DAYS = 2 * 365


def _absence_errors(*, start: date, end: date, today: date) -> dict[str, str]:
    if end < start:
        return {"end": _("La fin de l’absence précède son début.")}
    if end < today - timedelta(days=ABSENCE_PAST_DAYS):
        return {
            "end": _(
                "Cette absence est terminée depuis plus de %(days)s jours : elle ne change "
                "plus l’attribution des demandes, inutile de l’enregistrer."
            )
            % {"days": ABSENCE_PAST_DAYS}
        }
    if start > today + timedelta(days=ABSENCE_AHEAD_DAYS):
        return {"start": _("Une absence s’enregistre au plus deux ans à l’avance.")}
    if (end - start).days >= ABSENCE_MAX_DAYS:
        return {"end": _("Une absence dure au plus un an : enregistrez la suite plus tard.")}
    return {}


@transaction.atomic
def absence_create(
    *, member: TeamMember, start: date, end: date, reason: str = "", by: User
) -> Absence:
    """Record an absence of `member`: their own for a member, anyone's for the pilot."""
    if not (roles.is_pilot(by) or (roles.is_team(by) and member.user_id == by.pk)):
        raise PermissionDenied
    errors = _absence_errors(start=start, end=end, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    # The member's row is the lock: two absences added at once cannot both pass the check.
    TeamMember.objects.select_for_update().filter(pk=member.pk).first()
    overlapping = (
        Absence.objects.filter(member=member, start__lte=end, end__gte=start)
        .order_by("start")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "start": _(
                    "Cette absence chevauche celle du %(start)s au %(end)s, déjà enregistrée : "
                    "modifiez les dates ou supprimez l’autre d’abord."
                )
                % {
                    "start": date_format(overlapping.start, "j F Y"),
                    "end": date_format(overlapping.end, "j F Y"),
                }
            }
        )
    return Absence.objects.create(member=member, start=start, end=end, reason=reason.strip())


@transaction.atomic
def absence_delete(*, absence: Absence, by: User) -> None:
    if not (roles.is_pilot(by) or (roles.is_team(by) and absence.member.user_id == by.pk)):
        raise PermissionDenied
    absence.delete()


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

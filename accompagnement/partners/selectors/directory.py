"""Reads behind the partner directory (`/equipe/partenaires/`): the list with its filters and
open escalation counts, one partner with its escalations, and the access helpers."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from accompagnement.accounts import roles
from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.models import Escalation, Partner, PartnerContact
from accompagnement.partners.wording import PartnerSummary, summary_of
from ddi.models import Programme, Region

ANSWERED_SHOWN = 10
_CONTACTS = PartnerContact.objects.order_by("position", "name")
_OPEN = Q(escalations__answered_at__isnull=True, escalations__withdrawn_at__isnull=True)


def can_read_partners(user) -> bool:
    """The team reads the directory (never an agent: partners' internals)."""
    return roles.is_team(user)


def can_edit_partners(user) -> bool:
    """The pilot keeps the directory up to date."""
    return roles.is_pilot(user)


def _with_scope(queryset: QuerySet[Partner]) -> QuerySet[Partner]:
    return queryset.prefetch_related(
        "ministries",
        Prefetch("programmes", queryset=Programme.objects.order_by("code")),
        Prefetch("regions", queryset=Region.objects.order_by("name")),
        "departments",
    )


def _in_scope(relation: str, target: str, target_id: int) -> Q:
    """Partners whose `relation` holds the target, or is empty (empty means all)."""
    through = getattr(Partner, relation).through
    holds = through.objects.filter(partner_id=OuterRef("pk"), **{target: target_id})
    return Q(Exists(holds)) | ~Q(Exists(through.objects.filter(partner_id=OuterRef("pk"))))


def partners_for_list(
    *, kind: str = "", region_id: int | None = None, programme_id: int | None = None, search=""
) -> list[Partner]:
    """The directory's rows (a fixed number of queries whatever their number), each with
    `open_escalation_count`; a partner with no region (or no programme) is national (or
    for all programmes), so it matches any region (or programme)."""
    partners = Partner.objects.annotate(
        open_escalation_count=Count("escalations", filter=_OPEN)
    ).select_related("service_centre")
    if kind:
        partners = partners.filter(kind=kind)
    if region_id:
        partners = partners.filter(_in_scope("regions", "region_id", region_id))
    if programme_id:
        partners = partners.filter(_in_scope("programmes", "programme_id", programme_id))
    if search:
        partners = partners.filter(name__icontains=search)
    return list(_with_scope(partners).order_by("name"))


@dataclass(frozen=True)
class PartnerRow:
    partner: Partner
    summary: PartnerSummary


@dataclass(frozen=True)
class PartnerGroup:
    kind: PartnerKind
    rows: list[PartnerRow]


def grouped_by_kind(partners: list[Partner]) -> list[PartnerGroup]:
    """In the order of `PartnerKind` (ministries' teams first); active ones first in each."""
    groups = []
    for kind in PartnerKind:
        members = sorted(
            (p for p in partners if p.kind == kind), key=lambda p: (not p.active, p.name.casefold())
        )
        if members:
            groups.append(
                PartnerGroup(kind=kind, rows=[PartnerRow(p, summary_of(p)) for p in members])
            )
    return groups


def get_partner_for(user, code: str) -> Partner:
    """One partner with its scope and contacts: 403 outside the team, 404 if unknown."""
    if not can_read_partners(user):
        raise PermissionDenied
    partner = (
        _with_scope(Partner.objects.select_related("service_centre"))
        .prefetch_related(
            Prefetch("contacts", queryset=PartnerContact.objects.order_by("position", "name"))
        )
        .filter(code=code)
        .first()
    )
    if partner is None:
        raise Http404
    return partner


def get_partner_to_edit(user, code: str) -> Partner:
    """A partner to change: 403 for anyone but the pilot, 404 if unknown."""
    if not can_edit_partners(user):
        raise PermissionDenied
    return get_partner_for(user, code)


def open_escalations_of(partner: Partner) -> list[Escalation]:
    """What the partner still owes the team, the most overdue first."""
    return list(
        Escalation.objects.open()
        .filter(partner=partner)
        .select_related("request", "created_by")
        .order_by("expected_at", "pk")
    )


def answered_escalations_of(partner: Partner, limit: int = ANSWERED_SHOWN) -> list[Escalation]:
    return list(
        Escalation.objects.filter(partner=partner, answered_at__isnull=False)
        .select_related("request")
        .order_by("-answered_at", "-pk")[:limit]
    )

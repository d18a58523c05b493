"""Reads of the partners' support actions (the register) and of the pilot's follow-up notes,
and who may see or change them (the `get_<thing>_for` helpers views use, which raise 403
or 404).

An action's audience is stored as the one audience rule says (`accompagnement.audience`):
a JSON list of DDI kinds and three many-to-many relations (regions, departments,
programmes). The register reads the actions with their audience prefetched (a fixed
number of queries, whatever their number) and describes it in words.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from accompagnement.accounts.roles import is_pilot, is_team
from accompagnement.audience import Audience, AudienceFields, JSONListHolds, describe
from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.models import FollowUpNote, Partner, SupportAction
from ddi.models import Department, Programme, Region

# A support action targets DDIs by kind, region, department and attached programme.
SUPPORT_ACTION_AUDIENCE = AudienceFields(
    kinds="ddi_kinds", regions="regions", departments="departments", programmes="programmes"
)
# Who carries support actions of their own: a ministry's Chorus team, or the AIFE.
ACTION_OWNER_KINDS = (PartnerKind.MINISTRY, PartnerKind.AIFE)
# How many done follow-ups the pilot's page lists below the open ones.
DONE_FOLLOW_UPS_SHOWN = 30


# ---------------------------------------------------------------------------- access


def can_manage_actions(user) -> bool:
    """Members and the pilot read and record the partners' support actions."""
    return is_team(user)


def can_manage_follow_ups(user) -> bool:
    """The follow-up notes are the pilot's own: members never see them."""
    return is_pilot(user)


def get_action_for(user, pk: int) -> SupportAction:
    if not can_manage_actions(user):
        raise PermissionDenied
    action = SupportAction.objects.select_related("owner").filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


def get_follow_up_for(user, pk: int) -> FollowUpNote:
    if not can_manage_follow_ups(user):
        raise PermissionDenied
    note = FollowUpNote.objects.select_related("partner").filter(pk=pk).first()
    if note is None:
        raise Http404
    return note


# ---------------------------------------------------------------------------- the register


def action_owners(*, active_only: bool = False) -> QuerySet[Partner]:
    """The partners that may carry a support action (ministries' Chorus teams, the AIFE)."""
    owners = Partner.objects.filter(kind__in=ACTION_OWNER_KINDS)
    if active_only:
        owners = owners.filter(active=True)
    return owners.order_by("name")


def action_audience(action: SupportAction) -> Audience:
    """The action's audience (no query when its relations are prefetched)."""
    return Audience.of(action, SUPPORT_ACTION_AUDIENCE)


def action_audience_description(action: SupportAction) -> str:
    """ "Toutes les DDI", or "DDCS, DDPP · Bretagne · programme 177"."""
    return describe(action_audience(action))


def actions_with_audience() -> QuerySet[SupportAction]:
    """Actions with their owner and their audience (4 queries once evaluated)."""
    return SupportAction.objects.select_related("owner").prefetch_related(
        Prefetch("regions", queryset=Region.objects.order_by("name")),
        Prefetch("departments", queryset=Department.objects.order_by("code")),
        Prefetch("programmes", queryset=Programme.objects.order_by("code")),
    )


def overlapping(queryset: QuerySet[SupportAction], start: date | None, end: date | None):
    """The actions whose days meet the period (an action without an end lasts one day)."""
    last_day = Coalesce(F("ends_on"), F("starts_on"))
    if start is not None:
        queryset = queryset.alias(last_day=last_day).filter(last_day__gte=start)
    if end is not None:
        queryset = queryset.filter(starts_on__lte=end)
    return queryset


@dataclass(frozen=True)
class ActionFilters:
    """The register's filters, from the URL (empty: all)."""

    owner_id: int | None = None
    axis: str = ""
    status: str = ""
    ddi_kind: str = ""
    start: date | None = None
    end: date | None = None


def actions_for_register(filters: ActionFilters) -> QuerySet[SupportAction]:
    """The register, latest start first, with the audience of each action prefetched.

    `ddi_kind`: the actions that may reach a DDI of that kind (no kind chosen, or that one)."""
    actions = actions_with_audience()
    if filters.owner_id:
        actions = actions.filter(owner_id=filters.owner_id)
    if filters.axis:
        actions = actions.filter(axis=filters.axis)
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.ddi_kind:
        actions = actions.filter(Q(ddi_kinds=[]) | Q(JSONListHolds("ddi_kinds", filters.ddi_kind)))
    actions = overlapping(actions, filters.start, filters.end)
    return actions.order_by("-starts_on", "title", "pk")


# ---------------------------------------------------------------------------- follow-ups


def open_follow_ups() -> list[FollowUpNote]:
    """The notes still to do, the most overdue first (1 query)."""
    return list(
        FollowUpNote.objects.filter(done_at__isnull=True)
        .select_related("partner", "created_by")
        .order_by("due_on", "pk")
    )


def done_follow_ups(limit: int = DONE_FOLLOW_UPS_SHOWN) -> list[FollowUpNote]:
    """The last notes done, the latest first (1 query)."""
    return list(
        FollowUpNote.objects.filter(done_at__isnull=False)
        .select_related("partner", "created_by")
        .order_by("-done_at", "-pk")[:limit]
    )

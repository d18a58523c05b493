"""Reads of the calendar: which milestones concern which DDI, where each DDI stands, and the
share of targeted DDIs that marked each milestone done.

The audience of a milestone mixes a JSON list (DDI kinds) and two many-to-many relations;
rather than one query per milestone or per DDI, the pages read the milestones with their
audience (3 queries), every DDI's profile (1 query) and the acknowledgements (1 query),
and match them in memory: the query count does not grow with milestones or DDIs.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ddi.models import DDI, Programme, ServiceCentre

from . import permissions
from .models import Acknowledgement, CalendarToken, Campaign, Milestone


class MilestoneState(models.TextChoices):
    DONE = "done", gettext_lazy("Fait")
    TO_DO = "to_do", gettext_lazy("À faire")
    LATE = "late", gettext_lazy("En retard")
    INFO = "info", gettext_lazy("Pour information")


@dataclass(frozen=True)
class DDIProfile:
    """What a milestone's audience is matched against."""

    id: int
    kind: str
    programme_ids: frozenset[int]
    service_centre_ids: frozenset[int]


@dataclass(frozen=True)
class DDIMilestone:
    """A milestone as an agent's DDI sees it."""

    milestone: Milestone
    state: str
    acknowledgement: Acknowledgement | None

    @property
    def state_label(self) -> str:
        return MilestoneState(self.state).label


@dataclass(frozen=True)
class MilestoneShare:
    """A milestone as the team sees it: how many targeted DDIs marked it done."""

    milestone: Milestone
    targeted: int
    acknowledged: int
    is_past_due: bool

    @property
    def percent(self) -> int | None:
        # Rounded down: 237 of 238 DDIs is not "100 %".
        return self.acknowledged * 100 // self.targeted if self.targeted else None

    @property
    def audience(self) -> str:
        return audience_description(self.milestone)


@dataclass(frozen=True)
class CampaignCalendar:
    campaign: Campaign
    entries: list


# ---------------------------------------------------------------------------- audience


def milestones_with_audience() -> QuerySet[Milestone]:
    """Milestones in date order, with their campaign, programmes and CSPs (3 queries)."""
    return (
        Milestone.objects.select_related("campaign")
        .prefetch_related(
            Prefetch("programmes", queryset=Programme.objects.order_by("code")),
            Prefetch("service_centres", queryset=ServiceCentre.objects.order_by("name")),
        )
        .order_by("due_date", "title", "pk")
    )


def ddi_profiles(ddi_ids: Iterable[int] | None = None) -> list[DDIProfile]:
    """Each DDI's kind and the programmes and CSPs it is attached to (1 query)."""
    rows = DDI.objects.values_list(
        "pk", "kind", "attachments__programme_id", "attachments__service_centre_id"
    ).order_by("pk")
    if ddi_ids is not None:
        rows = rows.filter(pk__in=list(ddi_ids))
    kinds, programmes, centres = {}, defaultdict(set), defaultdict(set)
    for ddi_id, kind, programme_id, centre_id in rows:
        kinds[ddi_id] = kind
        if programme_id is not None:
            programmes[ddi_id].add(programme_id)
            centres[ddi_id].add(centre_id)
    return [
        DDIProfile(
            id=ddi_id,
            kind=kind,
            programme_ids=frozenset(programmes[ddi_id]),
            service_centre_ids=frozenset(centres[ddi_id]),
        )
        for ddi_id, kind in kinds.items()
    ]


def ddi_profile(ddi_id: int) -> DDIProfile | None:
    profiles = ddi_profiles([ddi_id])
    return profiles[0] if profiles else None


def milestone_targets(milestone: Milestone, profile: DDIProfile) -> bool:
    """Whether the milestone concerns this DDI: every audience criterion filled in holds.

    Uses the prefetched programmes and CSPs (`milestones_with_audience`).
    """
    if milestone.ddi_kinds and profile.kind not in milestone.ddi_kinds:
        return False
    programme_ids = {p.pk for p in milestone.programmes.all()}
    if programme_ids and not programme_ids & profile.programme_ids:
        return False
    centre_ids = {c.pk for c in milestone.service_centres.all()}
    return not centre_ids or bool(centre_ids & profile.service_centre_ids)


def ddis_targeted_by(milestones: Iterable[Milestone]) -> dict[int, set[int]]:
    """For each milestone id, the ids of the DDIs it targets (for the pages and reminders)."""
    profiles = ddi_profiles()
    return {m.pk: {p.id for p in profiles if milestone_targets(m, p)} for m in milestones}


def audience_description(milestone: Milestone) -> str:
    """ "Toutes les DDI", or "DDT, DDTM · programme 207"…"""
    parts = []
    if milestone.ddi_kinds:
        parts.append(", ".join(milestone.ddi_kinds))
    programmes = [p.code for p in milestone.programmes.all()]
    if programmes:
        parts.append(
            (_("programme %(codes)s") if len(programmes) == 1 else _("programmes %(codes)s"))
            % {"codes": ", ".join(programmes)}
        )
    centres = [c.name for c in milestone.service_centres.all()]
    if centres:
        parts.append(_("servies par %(centres)s") % {"centres": ", ".join(centres)})
    return " · ".join(parts) if parts else _("Toutes les DDI")


# ---------------------------------------------------------------------------- pages


def _by_campaign(entries: list) -> list[CampaignCalendar]:
    groups: dict[int, CampaignCalendar] = {}
    for entry in entries:
        campaign = entry.milestone.campaign
        groups.setdefault(campaign.pk, CampaignCalendar(campaign, [])).entries.append(entry)
    return sorted(groups.values(), key=lambda g: (g.campaign.fiscal_year, g.campaign.kind))


def _filtered(milestones: QuerySet[Milestone], campaign_id: int | None) -> QuerySet[Milestone]:
    return milestones.filter(campaign_id=campaign_id) if campaign_id else milestones


def milestones_for_ddi(ddi_id: int, *, campaign_id: int | None = None) -> list[Milestone]:
    profile = ddi_profile(ddi_id)
    if profile is None:
        return []
    milestones = _filtered(milestones_with_audience(), campaign_id)
    return [m for m in milestones if milestone_targets(m, profile)]


def calendar_for_ddi(
    *, ddi_id: int, today: date, campaign_id: int | None = None
) -> list[CampaignCalendar]:
    """The milestones that concern a DDI, by campaign, each with its state (5 queries)."""
    milestones = milestones_for_ddi(ddi_id, campaign_id=campaign_id)
    acknowledgements = {
        a.milestone_id: a
        for a in Acknowledgement.objects.filter(
            ddi_id=ddi_id, milestone__in=[m.pk for m in milestones]
        ).select_related("acknowledged_by")
    }
    entries = []
    for milestone in milestones:
        acknowledgement = acknowledgements.get(milestone.pk)
        if acknowledgement is not None:
            state = MilestoneState.DONE
        elif not milestone.needs_acknowledgement:
            state = MilestoneState.INFO
        elif milestone.due_date < today:
            state = MilestoneState.LATE
        else:
            state = MilestoneState.TO_DO
        entries.append(DDIMilestone(milestone, state, acknowledgement))
    return _by_campaign(entries)


def calendar_with_shares(*, today: date, campaign_id: int | None = None) -> list[CampaignCalendar]:
    """Every milestone, by campaign, with the share of targeted DDIs that marked it done
    (5 queries, whatever the number of milestones and DDIs)."""
    milestones = list(_filtered(milestones_with_audience(), campaign_id))
    targeted = ddis_targeted_by(milestones)
    done = defaultdict(set)
    for milestone_id, ddi_id in Acknowledgement.objects.filter(
        milestone__in=[m.pk for m in milestones]
    ).values_list("milestone_id", "ddi_id"):
        done[milestone_id].add(ddi_id)
    entries = [
        MilestoneShare(
            milestone=m,
            targeted=len(targeted[m.pk]),
            # A DDI that left the audience after its "done" no longer counts.
            acknowledged=len(done[m.pk] & targeted[m.pk]),
            is_past_due=m.due_date < today,
        )
        for m in milestones
    ]
    return _by_campaign(entries)


def milestones_for_user(user) -> list[Milestone]:
    """What a person's calendar shows: their DDI's milestones for an agent, all for the team."""
    if permissions.is_agent(user):
        return milestones_for_ddi(user.ddi_id)
    if permissions.is_team(user):
        return list(milestones_with_audience())
    return []


def campaigns_with_milestones() -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(milestones__isnull=False).distinct().order_by("fiscal_year", "kind")
    )


def calendar_token_of(user) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user).first()

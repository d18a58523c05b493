"""Reads of the calendar: which milestones concern which DDI, where each DDI stands, and the
share of targeted DDIs that marked each milestone done; the milestone reminders due on a
day and to whom, and the pilot's view of their deliveries; the access helpers of the
calendar, its iCalendar feed and the acknowledgements (`get_<thing>_for`, 403 or 404).

The audience of a milestone mixes a JSON list (DDI kinds) and two many-to-many relations;
rather than one query per milestone or per DDI, the pages read the milestones with their
audience (3 queries), every DDI's profile (1 query) and the acknowledgements (1 query),
and match them in memory (`accompagnement.audience`): the query count does not grow with
milestones or DDIs. The writes are in `services.py`.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from accompagnement.accounts import roles
from accompagnement.accounts.models import Role, User
from accompagnement.accounts.roles import is_agent, is_team
from accompagnement.audience import (
    Audience,
    AudienceFields,
    DDIProfile,
    ddi_profile,
    ddi_profiles,
    describe,
    reaches,
)
from accompagnement.campaigns.models import (
    Acknowledgement,
    CalendarToken,
    Campaign,
    Milestone,
    ReminderDelivery,
)
from accompagnement.outbox.models import NotificationStatus
from ddi.models import Programme, ServiceCentre

# A milestone targets DDIs by kind, by the programmes they are attached for and by the CSPs
# serving them.
MILESTONE_AUDIENCE = AudienceFields(
    kinds="ddi_kinds", programmes="programmes", service_centres="service_centres"
)


class MilestoneState(models.TextChoices):
    DONE = "done", gettext_lazy("Fait")
    TO_DO = "to_do", gettext_lazy("À faire")
    LATE = "late", gettext_lazy("En retard")
    INFO = "info", gettext_lazy("Pour information")


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


def milestone_audience(milestone: Milestone) -> Audience:
    """Uses the prefetched programmes and CSPs (`milestones_with_audience`)."""
    return Audience.of(milestone, MILESTONE_AUDIENCE)


def milestone_targets(milestone: Milestone, profile: DDIProfile) -> bool:
    """Whether the milestone concerns this DDI: every audience criterion filled in holds."""
    return reaches(milestone_audience(milestone), profile)


def ddis_targeted_by(milestones: Iterable[Milestone]) -> dict[int, set[int]]:
    """For each milestone id, the ids of the DDIs it targets (for the pages and reminders)."""
    profiles = ddi_profiles()
    audiences = {m.pk: milestone_audience(m) for m in milestones}
    return {pk: {p.id for p in profiles if reaches(a, p)} for pk, a in audiences.items()}


def audience_description(milestone: Milestone) -> str:
    """ "Toutes les DDI", or "DDT, DDTM · programme 207"…"""
    return describe(milestone_audience(milestone))


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
    if roles.is_agent(user):
        return milestones_for_ddi(user.ddi_id)
    if roles.is_team(user):
        return list(milestones_with_audience())
    return []


def campaigns_with_milestones() -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(milestones__isnull=False).distinct().order_by("fiscal_year", "kind")
    )


def calendar_token_of(user) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user).first()


@dataclass(frozen=True)
class DueReminder:
    """A milestone whose reminder `offset_days` before its due date falls on the day."""

    milestone: Milestone
    offset_days: int


# ---------------------------------------------------------------------------- milestones


def reminders_due_on(day: date) -> list[DueReminder]:
    """The (milestone, offset) pairs whose reminder day is `day`.

    Calendar days: J-7 is seven days before the due date, whatever the weekends and
    public holidays in between. The offsets are a JSON list, matched here rather than in
    SQL; only milestones not yet past are read (a handful per campaign).
    """
    due = []
    for milestone in milestones_with_audience().filter(due_date__gte=day):
        offsets = sorted({int(o) for o in milestone.reminder_offsets or () if int(o) >= 0})
        due += [
            DueReminder(milestone, offset)
            for offset in offsets
            if milestone.due_date - timedelta(days=offset) == day
        ]
    return due


def reminder_recipients(
    milestone: Milestone, offset_days: int, *, targeted_ddi_ids: set[int] | None = None
) -> QuerySet[User]:
    """The people to remind of `milestone` at `offset_days`: every active agent (with an
    address) of every targeted DDI that has not marked it done, not yet reminded at this
    offset. `milestone` comes with its audience (`milestones_with_audience`)."""
    if targeted_ddi_ids is None:
        targeted_ddi_ids = ddis_targeted_by([milestone])[milestone.pk]
    return (
        User.objects.filter(role=Role.AGENT, is_active=True, ddi_id__in=targeted_ddi_ids)
        .exclude(email="")
        .exclude(
            Exists(Acknowledgement.objects.filter(milestone=milestone, ddi_id=OuterRef("ddi_id")))
        )
        .exclude(
            Exists(
                ReminderDelivery.objects.filter(
                    milestone=milestone, offset_days=offset_days, recipient_id=OuterRef("pk")
                )
            )
        )
        .order_by("pk")
    )


# ---------------------------------------------------------------------------- pilot's view


def _delivery_count(*statuses: str) -> Count:
    return Count(
        "reminder_deliveries",
        filter=Q(reminder_deliveries__notification__status__in=statuses),
    )


def milestones_with_delivery_counts() -> QuerySet[Milestone]:
    """Milestones that have reminders, newest due date first, each with how many were
    sent, are still to send (or being sent) and failed, and the last error (one query)."""
    last_error = (
        ReminderDelivery.objects.filter(
            milestone=OuterRef("pk"), notification__status=NotificationStatus.FAILED
        )
        .order_by("-notification__created_at", "-pk")
        .values("notification__last_error")[:1]
    )
    return (
        Milestone.objects.filter(Exists(ReminderDelivery.objects.filter(milestone=OuterRef("pk"))))
        .select_related("campaign")
        .annotate(
            reminders_total=Count("reminder_deliveries"),
            reminders_sent=_delivery_count(NotificationStatus.SENT),
            reminders_pending=_delivery_count(
                NotificationStatus.PENDING, NotificationStatus.SENDING
            ),
            reminders_failed=_delivery_count(NotificationStatus.FAILED),
            last_error=Subquery(last_error),
        )
        .order_by("-due_date", "title", "pk")
    )


def get_milestone_for_pilot(pk: int) -> Milestone:
    return get_object_or_404(Milestone, pk=pk)


# ---------------------------------------------------------------------------- calendar

# The query parameter of the calendar feed that carries a person's secret.
CALENDAR_FEED_PARAM = "jeton"
# The alphabet and length of `secrets.token_urlsafe` secrets (campaigns/models.py).
CALENDAR_TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,64}")


def can_view_calendar(user) -> bool:
    return is_agent(user) or is_team(user)


def can_acknowledge_milestone(user, milestone) -> bool:
    """Only an agent of a DDI the milestone targets marks it done: never the team on a DDI's
    behalf, never for an informational milestone. `milestone` comes with its audience
    (`milestones_with_audience`)."""

    if not is_agent(user) or not milestone.needs_acknowledgement:
        return False
    profile = ddi_profile(user.ddi_id)
    return profile is not None and milestone_targets(milestone, profile)


def get_milestone_to_acknowledge_for(user, pk: int):
    """The milestone an agent marks done for their DDI.

    403 for anyone but an agent (the team does not acknowledge for a DDI); 404 for a
    milestone that does not concern the agent's DDI or needs no acknowledgement.
    """

    if not is_agent(user):
        raise PermissionDenied
    milestone = milestones_with_audience().filter(pk=pk).first()
    if milestone is None or not can_acknowledge_milestone(user, milestone):
        raise Http404
    return milestone


def get_calendar_feed_user(request):
    """Whose calendar a request for the iCalendar feed opens.

    With `?jeton=…`, the owner of that secret, whoever is logged in: a calendar application
    subscribes without a session, and the secret alone identifies the person. Without the
    parameter, the logged-in user. Anything else (no session, unknown or empty secret, an
    inactive account or one without a role) is a 404, which tells nothing about accounts.
    """

    if CALENDAR_FEED_PARAM in request.GET:
        secret = request.GET[CALENDAR_FEED_PARAM]
        # Only what `new_calendar_token` can produce reaches the database (PostgreSQL
        # refuses a NUL byte in a query parameter: that would be a 500, not a 404).
        token = (
            CalendarToken.objects.select_related("user").filter(token=secret).first()
            if CALENDAR_TOKEN_FORMAT.fullmatch(secret)
            else None
        )
        user = token.user if token is not None else None
    else:
        user = request.user
    if not can_view_calendar(user):
        raise Http404
    return user

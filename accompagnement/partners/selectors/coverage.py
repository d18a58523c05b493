"""Which DDIs the partners' support actions reach, crossed with the team's own
interventions and with the requests each DDI files: the gaps first.

For an axis (or all), every DDI of the chosen kinds and region with:
- the partners' actions reaching it (not cancelled, meeting the period): their audience by
  the one audience rule (`accompagnement.audience`), matched in memory against each DDI's
  profile, which is what `ddis_in` says in SQL;
- the team's interventions reaching it (open or held, meeting the period), by their own
  audience;
- the requests it filed on the axis over the period (one aggregate query).

A gap is a DDI no action reaches; the first gaps are those with the most requests. The
DDCS, DDPP and DDCSPP are the team's core audience: highlighted, and the default filter.

A fixed number of queries whatever the number of DDIs, actions or sessions: the DDIs, their
profiles, the actions and their audience, the sessions and theirs, the request counts.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch
from django.utils import timezone

from accompagnement.audience import Audience, DDIProfile, ddi_profiles, reaches
from accompagnement.core.dates import local_midnight
from accompagnement.interventions.models import Intervention, InterventionStatus
from accompagnement.interventions.selectors import INTERVENTION_AUDIENCE
from accompagnement.partners.enums import SupportActionStatus
from accompagnement.partners.models import SupportAction
from accompagnement.partners.selectors.actions import (
    action_audience,
    actions_with_audience,
    overlapping,
)
from accompagnement.support.enums import Status
from accompagnement.support.models import SupportRequest
from ddi.enums import DDIKind
from ddi.models import DDI, Programme, Region

# The team's core audience (DESIGN.md §1): shown first and filtered on by default.
CORE_KINDS = (DDIKind.DDCS.value, DDIKind.DDPP.value, DDIKind.DDCSPP.value)
# The default period: the last twelve months.
DEFAULT_DAYS = 365
# Titles listed per DDI; the others are counted ("et 3 autres").
TITLES_SHOWN = 3
# Sessions that reach DDIs: announced (open) or held.
REACHING_SESSIONS = (InterventionStatus.OPEN, InterventionStatus.HELD)


@dataclass(frozen=True)
class CoverageFilters:
    axis: str = ""  # empty: every axis
    kinds: tuple[str, ...] = CORE_KINDS  # empty: every kind
    region_id: int | None = None
    start: date | None = None  # default: twelve months before `end`
    end: date | None = None  # default: today

    def period(self, today: date) -> tuple[date, date]:
        end = self.end or today
        return self.start or end - timedelta(days=DEFAULT_DAYS - 1), end


@dataclass
class DDICoverage:
    ddi: DDI
    actions: list[SupportAction] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    requests: int = 0

    @property
    def core(self) -> bool:
        return self.ddi.kind in CORE_KINDS

    @property
    def gap(self) -> bool:
        return not self.actions

    @property
    def shown_actions(self) -> list[SupportAction]:
        return self.actions[:TITLES_SHOWN]

    @property
    def more_actions(self) -> int:
        return max(0, len(self.actions) - TITLES_SHOWN)

    @property
    def shown_interventions(self) -> list[Intervention]:
        return self.interventions[:TITLES_SHOWN]

    @property
    def more_interventions(self) -> int:
        return max(0, len(self.interventions) - TITLES_SHOWN)


@dataclass(frozen=True)
class KindSummary:
    kind: str
    reached: int
    total: int

    @property
    def core(self) -> bool:
        return self.kind in CORE_KINDS


@dataclass
class Coverage:
    start: date
    end: date
    # Actions and sessions are read up to `end` only when the period ends before today;
    # otherwise those planned after it count too.
    open_ended: bool
    rows: list[DDICoverage]
    summaries: list[KindSummary]
    actions_count: int
    interventions_count: int

    @property
    def gaps(self) -> int:
        return sum(1 for row in self.rows if row.gap)

    @property
    def gaps_with_requests(self) -> int:
        return sum(1 for row in self.rows if row.gap and row.requests)


def gap_order(row: DDICoverage) -> tuple:
    """Gaps with requests first (most requests first), then the other gaps, then the rest
    (most requests first); then by department and kind."""
    group = (0 if row.requests else 1) if row.gap else 2
    return (group, -row.requests, row.ddi.department.code, row.ddi.kind)


def coverage_for(filters: CoverageFilters, *, today: date | None = None) -> Coverage:
    """The coverage table (10 queries, whatever the number of DDIs, actions or sessions)."""
    today = today or timezone.localdate()
    start, end = filters.period(today)
    open_ended = end >= today

    ddis = DDI.objects.select_related("department__region").order_by("department__code", "kind")
    if filters.kinds:
        ddis = ddis.filter(kind__in=filters.kinds)
    if filters.region_id:
        ddis = ddis.filter(department__region_id=filters.region_id)
    rows = {ddi.pk: DDICoverage(ddi) for ddi in ddis}
    profiles = [p for p in ddi_profiles() if p.id in rows]

    actions = list(_actions(filters.axis, start, None if open_ended else end))
    for action in actions:
        _attach(rows, profiles, action_audience(action), rows_field="actions", item=action)
    sessions = list(_interventions(filters.axis, start, None if open_ended else end))
    for session in sessions:
        audience = Audience.of(session, INTERVENTION_AUDIENCE)
        _attach(rows, profiles, audience, rows_field="interventions", item=session)
    for ddi_id, count in _request_counts(filters.axis, start, end).items():
        if ddi_id in rows:
            rows[ddi_id].requests = count

    ordered = sorted(rows.values(), key=gap_order)
    return Coverage(
        start=start,
        end=end,
        open_ended=open_ended,
        rows=ordered,
        summaries=_summaries(ordered),
        actions_count=len(actions),
        interventions_count=len(sessions),
    )


def _attach(rows, profiles: list[DDIProfile], audience, *, rows_field: str, item) -> None:
    for profile in profiles:
        if reaches(audience, profile):
            getattr(rows[profile.id], rows_field).append(item)


def _actions(axis: str, start: date, end: date | None):
    actions = actions_with_audience().exclude(status=SupportActionStatus.CANCELLED)
    if axis:
        actions = actions.filter(axis=axis)
    return overlapping(actions, start, end).order_by("starts_on", "title", "pk")


def _interventions(axis: str, start: date, end: date | None):
    sessions = Intervention.objects.filter(
        status__in=REACHING_SESSIONS, starts_at__gte=local_midnight(start)
    ).prefetch_related(
        Prefetch("regions", queryset=Region.objects.order_by("name")),
        Prefetch("programmes", queryset=Programme.objects.order_by("code")),
    )
    if axis:
        sessions = sessions.filter(axis=axis)
    if end is not None:
        sessions = sessions.filter(starts_at__lt=local_midnight(end + timedelta(days=1)))
    return sessions.order_by("starts_at", "pk")


def _request_counts(axis: str, start: date, end: date) -> dict[int, int]:
    """Requests filed per DDI over the period, on the axis (merged ones left out: they
    count in the request they joined)."""
    requests = SupportRequest.objects.filter(
        created_at__gte=local_midnight(start),
        created_at__lt=local_midnight(end + timedelta(days=1)),
    ).exclude(status=Status.MERGED)
    if axis:
        requests = requests.filter(axis=axis)
    return dict(
        requests.order_by().values("ddi_id").annotate(n=Count("pk")).values_list("ddi_id", "n")
    )


def _summaries(rows: list[DDICoverage]) -> list[KindSummary]:
    """Per kind, the DDIs an action reaches out of all: core kinds first."""
    totals, reached = Counter(), Counter()
    for row in rows:
        totals[row.ddi.kind] += 1
        if not row.gap:
            reached[row.ddi.kind] += 1
    order = [*CORE_KINDS, *(k for k in DDIKind.values if k not in CORE_KINDS)]
    return [KindSummary(kind, reached[kind], totals[kind]) for kind in order if totals[kind]]

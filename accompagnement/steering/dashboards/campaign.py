"""The year-end campaign board: where the DDIs stand on each milestone to mark done, the
DDIs most behind, and each milestone's acknowledgement rate week by week.

A milestone's audience mixes a JSON list and two many-to-many relations: it is matched in
memory by `campaigns.selectors`, as the calendar does, so the query count does not grow
with the number of DDIs, milestones or acknowledgements. Python walks DDIs, milestones
and weeks, never requests.
"""

import unicodedata
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models.functions import TruncDate
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accompagnement.campaigns.models import Acknowledgement, Campaign, CampaignKind, Milestone
from accompagnement.campaigns.selectors import (
    MilestoneState,
    ddis_targeted_by,
    milestones_with_audience,
)
from accompagnement.steering.dashboards.scope import CLOSING_CAMPAIGN_YEAR, Scope
from accompagnement.steering.dashboards.tables import Cell, Column, Kind, Table
from ddi.enums import DDIKind
from ddi.models import DDI

GROUP_BY_REGION = "region"
GROUP_BY_KIND = "kind"
BEHIND_LIMIT = 20
WEEKS_BEFORE_FIRST = 4
WEEKS_AFTER_LAST = 2
# The board's counts per milestone, in column order.
BOARD_STATES = (MilestoneState.DONE, MilestoneState.LATE, MilestoneState.TO_DO)


@dataclass(frozen=True)
class _DDI:
    id: int
    label: str
    kind: str
    region: str


@dataclass
class _Progress:
    """Who is targeted by and who acknowledged each milestone, for the DDIs in scope."""

    milestones: list[Milestone]
    ddis: list[_DDI]
    targeted: dict[int, set[int]]  # milestone id → DDI ids
    acknowledged_on: dict[int, dict[int, date]]  # milestone id → DDI id → local day

    def state(self, milestone: Milestone, ddi_id: int, today: date) -> str | None:
        """Done, late or to do; None when the milestone does not target the DDI."""
        if ddi_id not in self.targeted[milestone.pk]:
            return None
        if ddi_id in self.acknowledged_on[milestone.pk]:
            return MilestoneState.DONE
        return MilestoneState.LATE if milestone.due_date < today else MilestoneState.TO_DO


def default_campaign() -> Campaign | None:
    """The 2011 year-end campaign, if it is loaded."""
    return Campaign.objects.filter(
        fiscal_year=CLOSING_CAMPAIGN_YEAR, kind=CampaignKind.YEAR_END
    ).first()


def tables(
    scope: Scope, *, campaign: Campaign | int | None = None, group_by: str = GROUP_BY_REGION
) -> list[Table]:
    """`board`, `behind` and `ack_rate` for `campaign` (an instance or its id; by default
    the 2011 year-end campaign), over the DDIs the scope's DDI filters keep.

    6 queries when given a Campaign instance, 7 otherwise (reading the campaign): the
    milestones with their audience (3), the DDIs in scope (1), every DDI's attachments to
    match the audiences (1) and the acknowledgements (1). Fewer when there is nothing to
    read (no campaign, no milestone).
    """
    if not isinstance(campaign, Campaign):
        campaign = (
            default_campaign() if campaign is None else Campaign.objects.filter(pk=campaign).first()
        )
    progress = _Progress([], [], {}, {}) if campaign is None else _progress(scope, campaign)
    return [
        board_table(scope, progress, group_by, campaign),
        behind_table(scope, progress),
        ack_rate_table(scope, progress),
    ]


def _progress(scope: Scope, campaign: Campaign) -> _Progress:
    milestones = list(
        milestones_with_audience().filter(campaign=campaign, needs_acknowledgement=True)
    )
    ddis = [
        _DDI(
            id=pk,
            label=f"{name} ({kind} {code})",
            kind=kind,
            region=region,
        )
        for pk, name, kind, code, region in DDI.objects.filter(scope.ddi_q())
        .order_by("department__code", "kind")
        .values_list(
            "pk",
            "name",
            "kind",
            "department__code",
            "department__region__name",
        )
    ]
    in_scope = {ddi.id for ddi in ddis}
    targeted = {
        milestone_id: ddi_ids & in_scope
        for milestone_id, ddi_ids in ddis_targeted_by(milestones).items()
    }
    acknowledged_on: dict[int, dict[int, date]] = defaultdict(dict)
    for milestone_id, ddi_id, day in (
        Acknowledgement.objects.filter(milestone__in=[m.pk for m in milestones])
        .filter(scope.ddi_q("ddi__"))
        .order_by()
        .values_list("milestone_id", "ddi_id", TruncDate("acknowledged_at"))
    ):
        # A DDI that left the audience after its "done" no longer counts.
        if ddi_id in targeted[milestone_id]:
            acknowledged_on[milestone_id][ddi_id] = day
    return _Progress(milestones, ddis, targeted, acknowledged_on)


def milestone_label(milestone: Milestone) -> str:
    """A short column heading: the title cut at 30 characters and the due date."""
    return f"{Truncator(milestone.title).chars(30)} ({milestone.due_date:%d/%m/%Y})"


# ---------------------------------------------------------------------------- board


def _sortable(text: str) -> str:
    # "Île-de-France" between "Haute-Normandie" and "Languedoc-Roussillon".
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _state_heading(state: str) -> str:
    return {
        MilestoneState.DONE: _("faits"),
        MilestoneState.LATE: _("en retard"),
        MilestoneState.TO_DO: _("à venir"),
    }[state]


def board_table(
    scope: Scope, progress: _Progress, group_by: str, campaign: Campaign | None
) -> Table:
    """One row per region (or DDI kind); for each milestone to mark done, three columns:
    the targeted DDIs of the group that marked it done, that are late (due date passed,
    not done) and for which it is still to come. A flat table reads the same on the page
    and in a CSV: "<milestone> — faits", "— en retard", "— à venir"."""
    by_kind = group_by == GROUP_BY_KIND
    columns = [
        Column("group", _("Type de DDI") if by_kind else _("Région"), Kind.TEXT),
        Column("ddis", _("DDI"), Kind.INT),
    ]
    for milestone in progress.milestones:
        for state in BOARD_STATES:
            columns.append(
                Column(
                    f"m{milestone.pk}_{state}",
                    f"{milestone_label(milestone)} — {_state_heading(state)}",
                    Kind.INT,
                )
            )

    groups: dict[tuple, list[_DDI]] = defaultdict(list)
    for ddi in progress.ddis:
        key = (DDIKind.values.index(ddi.kind), ddi.kind) if by_kind else (_sortable(ddi.region), 0)
        groups[key].append(ddi)

    def counts(ddis: list[_DDI]) -> list[int]:
        values = []
        for milestone in progress.milestones:
            states = [progress.state(milestone, ddi.id, scope.today) for ddi in ddis]
            values += [states.count(state) for state in BOARD_STATES]
        return values

    rows = []
    for key in sorted(groups):
        ddis = groups[key]
        label = ddis[0].kind if by_kind else ddis[0].region
        rows.append([Cell(label), Cell(len(ddis)), *(Cell(n) for n in counts(ddis))])
    footer = [Cell(_("Total")), Cell(len(progress.ddis))]
    footer += [Cell(n) for n in counts(progress.ddis)]

    title = _("Jalons par type de DDI") if by_kind else _("Jalons par région")
    if campaign is not None:
        title = f"{title} — {campaign.title}"
    return Table(
        key="board",
        title=title,
        columns=columns,
        rows=rows if progress.milestones else [],
        description=_(
            "Pour chaque jalon à marquer « fait », les DDI visées qui l’ont marqué fait, celles "
            "en retard (échéance passée) et celles pour qui il est à venir."
        ),
        empty_message=_("Aucun jalon à marquer « fait » pour cette campagne et ces filtres."),
        footer=footer if rows and progress.milestones else None,
    )


# ---------------------------------------------------------------------------- behind


def behind_table(scope: Scope, progress: _Progress) -> Table:
    """The DDIs with the most late milestones (at most 20), the oldest overdue first."""
    late: list[tuple[int, date, _DDI]] = []
    for ddi in progress.ddis:
        due_dates = [
            m.due_date
            for m in progress.milestones
            if progress.state(m, ddi.id, scope.today) == MilestoneState.LATE
        ]
        if due_dates:
            late.append((len(due_dates), min(due_dates), ddi))
    late.sort(key=lambda item: (-item[0], item[1], item[2].label))
    rows = [
        [
            Cell(ddi.label, scope.queue_url(period=False, status="open", ddi=ddi.id)),
            Cell(ddi.region),
            Cell(ddi.kind),
            Cell(count),
            Cell(oldest),
        ]
        for count, oldest, ddi in late[:BEHIND_LIMIT]
    ]
    return Table(
        key="behind",
        title=_("DDI les plus en retard"),
        columns=[
            Column("ddi", _("DDI"), Kind.TEXT),
            Column("region", _("Région"), Kind.TEXT),
            Column("kind", _("Type"), Kind.TEXT),
            Column("late", _("Jalons en retard"), Kind.INT),
            Column("oldest_due", _("Plus ancienne échéance dépassée"), Kind.DATE),
        ],
        rows=rows,
        description=_(
            "Les %(limit)s DDI qui ont le plus de jalons en retard (échéance passée, pas "
            "marqués faits) ; le nom mène à leurs demandes ouvertes."
        )
        % {"limit": BEHIND_LIMIT},
        empty_message=_("Aucune DDI en retard."),
    )


# ---------------------------------------------------------------------------- ack rate


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def campaign_weeks(milestones: list[Milestone], today: date) -> list[date]:
    """Mondays from 4 weeks before the first due date to 2 weeks after the last, not past
    the current week."""
    if not milestones:
        return []
    first = _monday(min(m.due_date for m in milestones) - timedelta(weeks=WEEKS_BEFORE_FIRST))
    last = _monday(
        min(max(m.due_date for m in milestones) + timedelta(weeks=WEEKS_AFTER_LAST), today)
    )
    weeks = []
    while first <= last:
        weeks.append(first)
        first += timedelta(weeks=1)
    return weeks


def ack_rate_table(scope: Scope, progress: _Progress) -> Table:
    """Week by week, the share of the targeted DDIs that had marked each milestone done by
    the end of the week (Sunday, local time)."""
    columns = [Column("week", _("Semaine du"), Kind.DATE)]
    columns += [Column(f"m{m.pk}", milestone_label(m), Kind.PERCENT) for m in progress.milestones]
    days = {m.pk: sorted(progress.acknowledged_on[m.pk].values()) for m in progress.milestones}
    rows = []
    for monday in campaign_weeks(progress.milestones, scope.today):
        sunday = monday + timedelta(days=6)
        row = [Cell(monday)]
        for milestone in progress.milestones:
            targeted = len(progress.targeted[milestone.pk])
            done = bisect_right(days[milestone.pk], sunday)
            row.append(Cell(done / targeted if targeted else None))
        rows.append(row)
    return Table(
        key="ack_rate",
        title=_("Taux de jalons marqués faits, semaine par semaine"),
        columns=columns,
        rows=rows,
        description=_(
            "Part des DDI visées par chaque jalon qui l’avaient marqué fait à la fin de chaque "
            "semaine, de 4 semaines avant la première échéance à 2 semaines après la dernière."
        ),
        empty_message=_("Aucun jalon à marquer « fait » pour cette campagne."),
    )

"""Quality of service: response and resolution times in working days against the SLA,
reopened requests, escalations and redirections, and the age of the open requests.

Durations are the stored `first_response_days` / `resolution_days` (French working days
on local dates), so that medians and percentiles are computed in SQL.
"""

from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from accompagnement.core.dates import local_midnight
from accompagnement.steering.dashboards.aggregates import Percentile, one_decimal
from accompagnement.steering.dashboards.scope import Scope
from accompagnement.steering.dashboards.tables import Cell, Column, Kind, Table
from accompagnement.support.enums import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    PRIORITY_SHORT_LABELS,
    EscalationTarget,
    Status,
)
from accompagnement.support.filters import ANSWERED_YES
from accompagnement.support.sla import working_day_back

# Age buckets of open requests, in working days since filing: (first, last), None = no end.
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 2), (3, 5), (6, 10), (11, None))

FIRST_RESPONSE_ON_TIME = Q(first_response_at__lte=F("first_response_due"))
RESOLUTION_ON_TIME = Q(resolved_at__lte=F("resolution_due"))


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _duration_aggregates() -> dict:
    return {
        "first_count": Count("first_response_days"),
        "first_median": Percentile("first_response_days", 0.5),
        "first_p90": Percentile("first_response_days", 0.9),
        "first_on_time": Count("pk", filter=FIRST_RESPONSE_ON_TIME),
        "resolution_count": Count("resolution_days"),
        "resolution_median": Percentile("resolution_days", 0.5),
        "resolution_p90": Percentile("resolution_days", 0.9),
        "resolution_on_time": Count("pk", filter=RESOLUTION_ON_TIME),
    }


def _resolved_since_start(scope: Scope) -> dict:
    """Queue parameters: created in the period (the default) and resolved since."""
    return {"resolved_from": scope.start, "resolved_to": max(scope.end, scope.today)}


def _measure_cells(figures: dict, measure: str, link: str) -> list[Cell]:
    count = figures[f"{measure}_count"]
    return [
        Cell(count, link),
        Cell(one_decimal(figures[f"{measure}_median"])),
        Cell(one_decimal(figures[f"{measure}_p90"])),
        Cell(share(figures[f"{measure}_on_time"], count)),
    ]


def durations(scope: Scope) -> Table:
    """Median and 90th percentile of both durations, share within the SLA. 1 query."""
    figures = scope.created_in_period().aggregate(**_duration_aggregates())
    resolved_link = scope.queue_url(**_resolved_since_start(scope))
    answered_link = scope.queue_url(answered=ANSWERED_YES)
    rows = [
        [Cell(_("Première réponse")), *_measure_cells(figures, "first", answered_link)],
        [Cell(_("Résolution")), *_measure_cells(figures, "resolution", resolved_link)],
    ]
    if not figures["first_count"] and not figures["resolution_count"]:
        rows = []
    return Table(
        key="durations",
        title=_("Délais de première réponse et de résolution"),
        columns=[
            Column("measure", _("Délai"), Kind.TEXT),
            Column("count", _("Demandes mesurées")),
            Column("median", _("Médiane (jours ouvrés)"), Kind.DECIMAL),
            Column("p90", _("90e centile (jours ouvrés)"), Kind.DECIMAL),
            Column("on_time", _("Dans le délai cible"), Kind.PERCENT),
        ],
        rows=rows,
        description=_(
            "Demandes déposées pendant la période qui ont reçu une première réponse, ou qui "
            "ont été résolues : délais en jours ouvrés (week-ends et jours fériés exclus) "
            "depuis le dépôt, et part de celles traitées avant l'échéance de leur priorité."
        ),
    )


def durations_by_priority(scope: Scope) -> Table:
    """The same figures per priority, most urgent first: one row per priority, both
    durations as columns. 1 query."""
    found = {
        row["priority"]: row
        for row in scope.created_in_period()
        .values("priority")
        .annotate(**_duration_aggregates())
        .order_by()
    }
    rows = []
    for priority in sorted(found, key=lambda value: -PRIORITY_RANK.get(value, 0)):
        figures = found[priority]
        resolved_link = scope.queue_url(priority=priority, **_resolved_since_start(scope))
        answered_link = scope.queue_url(priority=priority, answered=ANSWERED_YES)
        rows.append(
            [
                Cell(str(PRIORITY_SHORT_LABELS.get(priority, priority))),
                *_measure_cells(figures, "first", answered_link),
                *_measure_cells(figures, "resolution", resolved_link),
            ]
        )
    return Table(
        key="durations_by_priority",
        title=_("Délais par priorité"),
        columns=[
            Column("priority", _("Priorité"), Kind.TEXT),
            Column("first_count", _("Premières réponses mesurées")),
            Column("first_median", _("Première réponse : médiane (jours ouvrés)"), Kind.DECIMAL),
            Column("first_p90", _("Première réponse : 90e centile (jours ouvrés)"), Kind.DECIMAL),
            Column("first_on_time", _("Première réponse dans le délai cible"), Kind.PERCENT),
            Column("resolution_count", _("Résolutions mesurées")),
            Column("resolution_median", _("Résolution : médiane (jours ouvrés)"), Kind.DECIMAL),
            Column("resolution_p90", _("Résolution : 90e centile (jours ouvrés)"), Kind.DECIMAL),
            Column("resolution_on_time", _("Résolution dans le délai cible"), Kind.PERCENT),
        ],
        rows=rows,
        description=_(
            "Les mêmes délais pour chaque priorité (demandes déposées pendant la période) : "
            "chaque priorité a ses propres délais cibles."
        ),
    )


def reopened_and_escalations(scope: Scope) -> tuple[Table, Table]:
    """Reopened requests; escalations by target and redirections. 1 query for both."""
    targets = list(EscalationTarget)
    figures = scope.created_in_period().aggregate(
        total=Count("pk"),
        reopened=Count("pk", filter=Q(reopened_count__gt=0)),
        redirected=Count("pk", filter=Q(status=Status.REDIRECTED)),
        **{
            f"escalated_{target.value}": Count("pk", filter=Q(escalation_target=target))
            for target in targets
        },
    )
    total = figures["total"]
    reopened = Table(
        key="reopened",
        title=_("Demandes réouvertes"),
        columns=[
            Column("total", _("Demandes déposées")),
            Column("reopened", _("Réouvertes au moins une fois")),
            Column("share", _("Part des demandes réouvertes"), Kind.PERCENT),
        ],
        rows=[
            [
                Cell(total, scope.queue_url()),
                Cell(figures["reopened"], scope.queue_url(reopened="on")),
                Cell(share(figures["reopened"], total)),
            ]
        ]
        if total
        else [],
        description=_(
            "Demandes déposées pendant la période qui ont été rouvertes au moins une fois "
            "après leur résolution ou leur clôture."
        ),
    )
    rows = [
        [
            Cell(str(target.label)),
            Cell(
                figures[f"escalated_{target.value}"],
                scope.queue_url(escalation_target=target.value),
            ),
            Cell(share(figures[f"escalated_{target.value}"], total)),
        ]
        for target in targets
    ]
    rows.append(
        [
            Cell(_("Réorientées hors du périmètre de l'équipe")),
            Cell(figures["redirected"], scope.queue_url(status=Status.REDIRECTED)),
            Cell(share(figures["redirected"], total)),
        ]
    )
    escalations = Table(
        key="escalations",
        title=_("Escalades et réorientations"),
        columns=[
            Column("target", _("Escaladées vers"), Kind.TEXT),
            Column("count", _("Demandes")),
            Column("share", _("Part des demandes de la période"), Kind.PERCENT),
        ],
        rows=rows if total else [],
        description=_(
            "Demandes déposées pendant la période qui ont été escaladées, selon la "
            "destination enregistrée sur la demande (la dernière en cas d'escalades "
            "successives), puis les demandes réorientées (statut actuel) ; part de "
            "l'ensemble des demandes déposées pendant la période."
        ),
    )
    return reopened, escalations


def age_bounds(today: date) -> list[tuple[date | None, date | None]]:
    """Filing days (first, last; None = open-ended) of each age bucket on `today`.

    A request filed on the `n`-th working day back from today, or later, is at most
    `n - 1` working days old (`sla.working_days_between` from filing to today).
    """
    bounds = []
    for low, high in AGE_BUCKETS:
        first = None if high is None else working_day_back(today, high + 1)
        last = None if low == 0 else working_day_back(today, low) - timedelta(days=1)
        bounds.append((first, last))
    return bounds


def backlog_age(scope: Scope) -> Table:
    """Open requests now (whatever the period) by working days since filing. 1 query."""
    bounds = age_bounds(scope.today)
    conditions = []
    for first, last in bounds:
        condition = Q()
        if first is not None:
            condition &= Q(created_at__gte=local_midnight(first))
        if last is not None:
            condition &= Q(created_at__lt=local_midnight(last + timedelta(days=1)))
        conditions.append(condition)
    figures = (
        scope.requests()
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            total=Count("pk"),
            **{f"bucket_{i}": Count("pk", filter=c) for i, c in enumerate(conditions)},
        )
    )
    labels = [
        _("0 à 2 jours ouvrés"),
        _("3 à 5 jours ouvrés"),
        _("6 à 10 jours ouvrés"),
        _("Plus de 10 jours ouvrés"),
    ]
    rows = []
    for index, (label, (first, last)) in enumerate(zip(labels, bounds, strict=True)):
        count = figures[f"bucket_{index}"]
        link = scope.queue_url(period=False, status="open", created_from=first, created_to=last)
        rows.append([Cell(label), Cell(count, link), Cell(share(count, figures["total"]))])
    return Table(
        key="backlog_age",
        title=_("Ancienneté des demandes ouvertes"),
        columns=[
            Column("age", _("Ancienneté"), Kind.TEXT),
            Column("count", _("Demandes ouvertes")),
            Column("share", _("Part des demandes ouvertes"), Kind.PERCENT),
        ],
        rows=rows if figures["total"] else [],
        description=_(
            "Demandes ouvertes aujourd'hui, quelle que soit la période choisie, selon le "
            "nombre de jours ouvrés écoulés depuis leur dépôt."
        ),
        empty_message=_("Aucune demande ouverte pour ces filtres."),
    )


def tables(scope: Scope) -> list[Table]:
    """Every quality table. 4 queries."""
    reopened, escalations = reopened_and_escalations(scope)
    return [
        durations(scope),
        durations_by_priority(scope),
        reopened,
        escalations,
        backlog_age(scope),
    ]


def summary(scope: Scope) -> dict[str, Cell]:
    """Key figures of the requests filed in the period: `resolution_median` (working
    days), `first_response_on_time` and `resolution_on_time` (shares within the SLA),
    `reopened_share`. 1 query."""
    figures = scope.created_in_period().aggregate(
        total=Count("pk"),
        first_count=Count("first_response_days"),
        first_on_time=Count("pk", filter=FIRST_RESPONSE_ON_TIME),
        resolution_count=Count("resolution_days"),
        resolution_median=Percentile("resolution_days", 0.5),
        resolution_on_time=Count("pk", filter=RESOLUTION_ON_TIME),
        reopened=Count("pk", filter=Q(reopened_count__gt=0)),
    )
    resolved_link = scope.queue_url(**_resolved_since_start(scope))
    return {
        "resolution_median": Cell(one_decimal(figures["resolution_median"]), resolved_link),
        "first_response_on_time": Cell(share(figures["first_on_time"], figures["first_count"])),
        "resolution_on_time": Cell(
            share(figures["resolution_on_time"], figures["resolution_count"]), resolved_link
        ),
        "reopened_share": Cell(
            share(figures["reopened"], figures["total"]), scope.queue_url(reopened="on")
        ),
    }

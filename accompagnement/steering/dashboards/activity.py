"""Activity: requests opened and resolved over time, the backlog, and who asks about what.

Every figure is computed in SQL; Python only walks weeks (or months) and groups.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, DateField, F, Q, QuerySet
from django.db.models.functions import Coalesce, Trunc
from django.utils.translation import gettext as _

from accompagnement.axes.models import Axis
from accompagnement.core.dates import local_midnight
from accompagnement.steering.dashboards.aggregates import Percentile, one_decimal
from accompagnement.steering.dashboards.scope import Scope
from accompagnement.steering.dashboards.tables import Cell, Column, Kind, Table
from accompagnement.support.enums import OPEN_STATUSES
from accompagnement.support.models import SupportRequest

# Beyond two years of weeks, the weekly table counts by month.
MAX_WEEKS = 104
GROWING_LIMIT = 10


def finished_at() -> Coalesce:
    """When a request stopped being open: resolved, or else closed (redirected, duplicate).

    The same definition as the queue's `open_on` filter.
    """
    return Coalesce("resolved_at", "closed_at")


OPEN_NOW = Q(status__in=OPEN_STATUSES)


# ---------------------------------------------------------------------- weeks or months


@dataclass(frozen=True)
class Bucket:
    start: date  # Monday, or the 1st of the month: what SQL truncates a date to
    first: date  # first day of the bucket inside the period
    last: date  # last day of the bucket inside the period


def buckets(scope: Scope) -> tuple[str, list[Bucket]]:
    """The weeks of the period (ISO, from Monday), or its months past `MAX_WEEKS` weeks."""
    result = []
    if scope.days > MAX_WEEKS * 7:
        kind, start = "month", scope.start.replace(day=1)
    else:
        kind, start = "week", scope.start - timedelta(days=scope.start.weekday())
    while start <= scope.end:
        if kind == "month":
            following = (start + timedelta(days=32)).replace(day=1)
        else:
            following = start + timedelta(days=7)
        last = following - timedelta(days=1)
        result.append(Bucket(start, max(start, scope.start), min(last, scope.end)))
        start = following
    return kind, result


def _truncated(field, kind: str) -> Trunc:
    # Local (Europe/Paris) weeks and months: the current time zone.
    return Trunc(field, kind, output_field=DateField())


def weekly(scope: Scope) -> Table:
    """Opened, resolved and backlog per week (or month) of the period. 3 queries.

    Backlog at the end of a bucket = backlog when the period starts + requests opened
    − requests finished (resolved, or closed without resolution) since then.
    """
    kind, periods = buckets(scope)
    opened = dict(
        scope.created_in_period()
        .annotate(bucket=_truncated("created_at", kind))
        .values("bucket")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("bucket", "count")
    )
    finished = {
        row["bucket"]: row
        for row in scope.requests()
        .alias(finished=finished_at())
        .filter(finished__gte=scope.start_at, finished__lt=scope.end_at)
        .annotate(bucket=_truncated("finished", kind))
        .values("bucket")
        .annotate(finished=Count("pk"), resolved=Count("pk", filter=Q(resolved_at__isnull=False)))
        .order_by()
    }
    backlog = backlog_at(scope.requests(), scope.start)

    rows = []
    for period in periods:
        found = finished.get(period.start, {"finished": 0, "resolved": 0})
        opened_count = opened.get(period.start, 0)
        backlog += opened_count - found["finished"]
        rows.append(
            [
                Cell(period.start),
                Cell(
                    opened_count,
                    scope.queue_url(
                        period=False, created_from=period.first, created_to=period.last
                    ),
                ),
                Cell(
                    found["resolved"],
                    scope.queue_url(
                        period=False, resolved_from=period.first, resolved_to=period.last
                    ),
                ),
                Cell(backlog, scope.queue_url(period=False, open_on=period.last)),
            ]
        )
    if kind == "month":
        title = _("Demandes déposées et résolues par mois")
        first_column = Column("period", _("Mois"), Kind.DATE)
        backlog_label = _("En stock en fin de mois")
    else:
        title = _("Demandes déposées et résolues par semaine")
        first_column = Column("period", _("Semaine du"), Kind.DATE)
        backlog_label = _("En stock en fin de semaine")
    return Table(
        key="weekly",
        title=title,
        columns=[
            first_column,
            Column("opened", _("Déposées")),
            Column("resolved", _("Résolues")),
            Column("backlog", backlog_label),
        ],
        rows=rows,
        description=_(
            "Pour chaque %(bucket)s de la période : demandes déposées, demandes résolues, "
            "et demandes en stock à la fin (déposées avant, ni résolues ni clôturées)."
        )
        % {"bucket": _("mois") if kind == "month" else _("semaine")},
    )


def backlog_at(requests: QuerySet[SupportRequest], day: date) -> int:
    """Requests open when `day` starts (local time). 1 query.

    Counted as the requests unfinished at that moment less those filed since, so that
    both conditions use an index (`request_finished`, `request_created`).
    """
    moment = local_midnight(day)
    unfinished = Q(finished__isnull=True) | Q(finished__gte=moment)
    filed_since = Q(created_at__gte=moment)
    counts = (
        requests.alias(finished=finished_at())
        .filter(unfinished)
        .aggregate(unfinished=Count("pk"), filed_since=Count("pk", filter=filed_since))
    )
    return counts["unfinished"] - counts["filed_since"]


# ---------------------------------------------------------------------- by group


def _group_columns() -> list[Column]:
    return [
        Column("opened", _("Déposées")),
        Column("open", _("Encore ouvertes")),
        Column("resolved", _("Résolues")),
    ]


def _grouped(scope: Scope, *fields: str) -> list[dict]:
    """Requests created in the period, per `fields`: opened, still open now, resolved."""
    return list(
        scope.created_in_period()
        .values(*fields)
        .annotate(
            opened=Count("pk"),
            still_open=Count("pk", filter=OPEN_NOW),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        )
        .order_by("-opened", *fields)
    )


def _counts(scope: Scope, row: dict, filters: dict | None) -> list[Cell]:
    """The three counts of a group, linked to the queue (not when `filters` is None)."""
    if filters is None:
        return [Cell(row["opened"]), Cell(row["still_open"]), Cell(row["resolved"])]
    # Created in the period and resolved since: resolved between its start and today.
    resolved_to = max(scope.end, scope.today)
    return [
        Cell(row["opened"], scope.queue_url(**filters)),
        Cell(row["still_open"], scope.queue_url(status="open", **filters)),
        Cell(
            row["resolved"],
            scope.queue_url(resolved_from=scope.start, resolved_to=resolved_to, **filters),
        ),
    ]


def _footer(scope: Scope, rows: list[dict], label_columns: int) -> list[Cell] | None:
    if not rows:
        return None
    total = {key: sum(row[key] for row in rows) for key in ("opened", "still_open", "resolved")}
    blanks = [Cell("") for _index in range(label_columns - 1)]
    return [Cell(_("Total")), *blanks, *_counts(scope, total, {})]


def _description(group: str) -> str:
    return _(
        "Demandes déposées pendant la période, %(group)s : combien sont encore ouvertes "
        "aujourd'hui, combien ont été résolues."
    ) % {"group": group}


def by_axis(scope: Scope) -> Table:
    """1 query."""
    rows = _grouped(scope, "axis")
    return Table(
        key="by_axis",
        title=_("Demandes par axe"),
        columns=[Column("axis", _("Axe"), Kind.TEXT), *_group_columns()],
        rows=[
            [Cell(str(Axis(row["axis"]).label)), *_counts(scope, row, {"axis": row["axis"]})]
            for row in rows
        ],
        description=_description(_("par axe")),
        footer=_footer(scope, rows, 1),
    )


def by_category(scope: Scope) -> Table:
    """1 query."""
    rows = _grouped(scope, "category_id", "category__name", "category__axis")
    return Table(
        key="by_category",
        title=_("Demandes par catégorie"),
        columns=[
            Column("category", _("Catégorie"), Kind.TEXT),
            Column("axis", _("Axe"), Kind.TEXT),
            *_group_columns(),
        ],
        rows=[
            [
                Cell(row["category__name"]),
                Cell(str(Axis(row["category__axis"]).label)),
                *_counts(scope, row, {"category": row["category_id"]}),
            ]
            for row in rows
        ],
        description=_description(_("par catégorie")),
        footer=_footer(scope, rows, 2),
    )


def by_ddi_kind(scope: Scope) -> Table:
    """1 query."""
    rows = _grouped(scope, "ddi__kind")
    return Table(
        key="by_ddi_kind",
        title=_("Demandes par type de DDI"),
        columns=[Column("ddi_kind", _("Type de DDI"), Kind.TEXT), *_group_columns()],
        rows=[
            [Cell(row["ddi__kind"]), *_counts(scope, row, {"ddi_kind": row["ddi__kind"]})]
            for row in rows
        ],
        description=_description(_("par type de DDI")),
        footer=_footer(scope, rows, 1),
    )


def by_csp(scope: Scope) -> Table:
    """1 query. Requests without a CSP form one group, with no link (the queue cannot
    select them)."""
    rows = _grouped(scope, "service_centre_id", "service_centre__name")
    return Table(
        key="by_csp",
        title=_("Demandes par CSP"),
        columns=[Column("csp", _("CSP"), Kind.TEXT), *_group_columns()],
        rows=[
            [
                Cell(row["service_centre__name"] or _("Sans CSP")),
                *_counts(
                    scope,
                    row,
                    None if row["service_centre_id"] is None else {"csp": row["service_centre_id"]},
                ),
            ]
            for row in rows
        ],
        description=_description(_("par centre de services partagés")),
        footer=_footer(scope, rows, 1),
    )


def by_programme(scope: Scope) -> Table:
    """1 query. Requests without a programme form one group, with no link."""
    rows = _grouped(scope, "programme_id", "programme__code", "programme__label")
    return Table(
        key="by_programme",
        title=_("Demandes par programme"),
        columns=[Column("programme", _("Programme"), Kind.TEXT), *_group_columns()],
        rows=[
            [
                Cell(
                    f"P{row['programme__code']} — {row['programme__label']}"
                    if row["programme_id"] is not None
                    else _("Sans programme")
                ),
                *_counts(
                    scope,
                    row,
                    None if row["programme_id"] is None else {"programme": row["programme_id"]},
                ),
            ]
            for row in rows
        ],
        description=_description(_("par programme budgétaire")),
        footer=_footer(scope, rows, 1),
    )


# ---------------------------------------------------------------------- growth


def growing_categories(scope: Scope) -> Table:
    """The categories that grew most against the previous period of the same length.
    1 query."""
    previous_start = scope.start - timedelta(days=scope.days)
    previous_end = scope.start - timedelta(days=1)
    previous = Q(created_at__gte=local_midnight(previous_start), created_at__lt=scope.start_at)
    rows = (
        scope.requests()
        .filter(created_at__gte=local_midnight(previous_start), created_at__lt=scope.end_at)
        .values("category_id", "category__name", "category__axis")
        .annotate(
            current=Count("pk", filter=scope.period_q()), previous=Count("pk", filter=previous)
        )
        .annotate(growth=F("current") - F("previous"))
        .filter(growth__gt=0)
        .order_by("-growth", "-current", "category__name", "category_id")[:GROWING_LIMIT]
    )
    table_rows = []
    for row in rows:
        category = row["category_id"]
        table_rows.append(
            [
                Cell(row["category__name"]),
                Cell(str(Axis(row["category__axis"]).label)),
                Cell(row["current"], scope.queue_url(category=category)),
                Cell(
                    row["previous"],
                    scope.queue_url(
                        period=False,
                        category=category,
                        created_from=previous_start,
                        created_to=previous_end,
                    ),
                ),
                Cell(row["growth"]),
                Cell(row["growth"] / row["previous"] if row["previous"] else None),
            ]
        )
    return Table(
        key="growing_categories",
        title=_("Les %(count)s catégories en plus forte hausse") % {"count": GROWING_LIMIT},
        columns=[
            Column("category", _("Catégorie"), Kind.TEXT),
            Column("axis", _("Axe"), Kind.TEXT),
            Column("current", _("Déposées sur la période")),
            Column("previous", _("Déposées sur la période précédente")),
            Column("growth", _("Hausse")),
            Column("growth_share", _("Hausse en %"), Kind.PERCENT),
        ],
        rows=table_rows,
        description=_(
            "Demandes déposées pendant la période comparées à la période précédente de même "
            "durée (du %(start)s au %(end)s) ; hausse en %% vide pour une catégorie sans "
            "demande auparavant."
        )
        % {"start": previous_start.strftime("%d/%m/%Y"), "end": previous_end.strftime("%d/%m/%Y")},
        empty_message=_("Aucune catégorie en hausse sur la période."),
    )


# ---------------------------------------------------------------------- the view


def tables(scope: Scope) -> list[Table]:
    """Every activity table. 9 queries."""
    return [
        weekly(scope),
        by_axis(scope),
        by_category(scope),
        by_ddi_kind(scope),
        by_csp(scope),
        by_programme(scope),
        growing_categories(scope),
    ]


def summary(scope: Scope) -> dict[str, Cell]:
    """Key figures, linked to the queue: `opened` and `resolved` in the period, `backlog`
    (open now), `first_response_median` (working days, requests filed in the period).
    1 query."""
    created = scope.period_q()
    resolved = scope.period_q("resolved_at")
    figures = (
        scope.requests()
        .filter(created | resolved | OPEN_NOW)
        .aggregate(
            opened=Count("pk", filter=created),
            resolved=Count("pk", filter=resolved),
            backlog=Count("pk", filter=OPEN_NOW),
            first_response_median=Percentile("first_response_days", 0.5, filter=created),
        )
    )
    return {
        "opened": Cell(figures["opened"], scope.queue_url()),
        "resolved": Cell(
            figures["resolved"],
            scope.queue_url(period=False, resolved_from=scope.start, resolved_to=scope.end),
        ),
        "backlog": Cell(figures["backlog"], scope.queue_url(period=False, status="open")),
        "first_response_median": Cell(
            one_decimal(figures["first_response_median"]), scope.queue_url()
        ),
    }

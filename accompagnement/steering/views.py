"""The SGG pilot's dashboards: five views sharing one set of filters, every table
exported as CSV and XLSX, every number a link to the queue."""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accompagnement.accounts import roles
from accompagnement.campaigns.models import Campaign
from accompagnement.steering.dashboards import (
    activity,
    cache,
    campaign,
    charts,
    exports,
    geography,
    quality,
    team,
)
from accompagnement.steering.dashboards.formatting import format_value
from accompagnement.steering.dashboards.scope import Period
from accompagnement.steering.dashboards.tables import Kind, Table
from accompagnement.steering.forms import DashboardFilterForm


@dataclass(frozen=True)
class DashboardView:
    slug: str  # in export URLs
    url_name: str
    title: str
    uses_period: bool = True  # the campaign board and the team load show the present


VIEWS = [
    DashboardView("activite", "steering:index", gettext_lazy("Activité")),
    DashboardView("qualite", "steering:quality", gettext_lazy("Qualité de service")),
    DashboardView("carte", "steering:map", gettext_lazy("Carte")),
    DashboardView(
        "campagne", "steering:campaign", gettext_lazy("Campagne de fin de gestion"), False
    ),
    DashboardView("charge", "steering:team", gettext_lazy("Charge de l’équipe"), False),
]
VIEWS_BY_SLUG = {view.slug: view for view in VIEWS}

MAP_PER = {"agents": gettext_lazy("pour 10 agents"), "ddi": gettext_lazy("par DDI")}
GROUP_BY = {"region": gettext_lazy("par région"), "kind": gettext_lazy("par type de DDI")}


def _filters(request) -> DashboardFilterForm:
    # Always bound, so that the period shown in the form is the one applied.
    form = DashboardFilterForm(
        request.GET or {"period": Period.DEFAULT}, today=timezone.localdate()
    )
    form.is_valid()  # errors are shown; invalid fields fall back to their defaults
    return form


def _options(request, slug: str) -> dict:
    """The view's own settings (map denominator, campaign and grouping), from the URL."""
    if slug == "carte":
        per = request.GET.get("per", "agents")
        return {"per": per if per in MAP_PER else "agents"}
    if slug == "campagne":
        group_by = request.GET.get("group_by", "region")
        options = {"group_by": group_by if group_by in GROUP_BY else "region"}
        campaign_id = request.GET.get("campaign", "")
        # An identifier: ASCII digits (`"²".isdigit()` is true, and `int("²")` fails), not
        # more than a big integer holds (`int()` refuses more than 4,300 digits).
        valid = campaign_id.isascii() and campaign_id.isdigit() and len(campaign_id) <= 18
        options["campaign"] = int(campaign_id) if valid else None
        return options
    return {}


def _compute(slug: str, scope, options: dict) -> dict:
    """Everything a view shows: `tables` (by key) and its other parts."""
    if slug == "activite":
        return cache.cached(
            slug,
            scope,
            options,
            lambda: {
                "summary": {**activity.summary(scope), **quality.summary(scope)},
                "tables": _by_key(activity.tables(scope)),
            },
        )
    if slug == "qualite":
        return cache.cached(
            slug,
            scope,
            options,
            lambda: {"summary": quality.summary(scope), "tables": _by_key(quality.tables(scope))},
        )
    if slug == "carte":

        def department_map():
            table = geography.department_table(scope, options["per"])
            return {
                "tables": {table.key: table},
                "map": str(geography.choropleth_svg(table, options["per"])),
            }

        return cache.cached(slug, scope, options, department_map, with_people=True)
    if slug == "campagne":
        chosen = None
        if options.get("campaign"):
            chosen = Campaign.objects.filter(pk=options["campaign"]).first()
        return {
            "tables": _by_key(campaign.tables(scope, campaign=chosen, group_by=options["group_by"]))
        }
    if slug == "charge":
        return {"tables": _by_key(team.tables(scope))}
    raise Http404


def _by_key(tables: list[Table]) -> dict[str, Table]:
    return {table.key: table for table in tables}


# ---------------------------------------------------------------------------- presentation

# Key figures at the top of a view: (summary key, label, kind of value).
FIGURES = {
    "activite": [
        ("opened", gettext_lazy("demandes déposées sur la période"), Kind.INT),
        ("resolved", gettext_lazy("demandes résolues sur la période"), Kind.INT),
        ("backlog", gettext_lazy("demandes ouvertes aujourd’hui"), Kind.INT),
        (
            "first_response_median",
            gettext_lazy("jours ouvrés : première réponse (médiane)"),
            Kind.DECIMAL,
        ),
        ("resolution_median", gettext_lazy("jours ouvrés : résolution (médiane)"), Kind.DECIMAL),
        ("resolution_on_time", gettext_lazy("résolues dans le délai cible"), Kind.PERCENT),
    ],
    "qualite": [
        ("resolution_median", gettext_lazy("jours ouvrés : résolution (médiane)"), Kind.DECIMAL),
        (
            "first_response_on_time",
            gettext_lazy("premières réponses dans le délai cible"),
            Kind.PERCENT,
        ),
        ("resolution_on_time", gettext_lazy("résolues dans le délai cible"), Kind.PERCENT),
        ("reopened_share", gettext_lazy("demandes réouvertes"), Kind.PERCENT),
    ],
}


def _values(table: Table, skip: int = 1) -> list[str]:
    return [column.key for column in table.columns[skip:]]


# The chart drawn above each table, if any: table key → function of the table.
CHARTS = {
    "weekly": lambda t: charts.line_chart(t, x="period", series=["opened", "resolved", "backlog"]),
    "by_axis": lambda t: charts.bar_chart(t, label="axis", values=["opened", "resolved"]),
    "by_category": lambda t: charts.bar_chart(t, label="category", values=["opened"]),
    "by_ddi_kind": lambda t: charts.bar_chart(t, label="ddi_kind", values=["opened", "resolved"]),
    "by_csp": lambda t: charts.bar_chart(t, label="csp", values=["opened"]),
    "by_programme": lambda t: charts.bar_chart(t, label="programme", values=["opened"]),
    "durations": lambda t: charts.bar_chart(t, label="measure", values=["median", "p90"]),
    "backlog_age": lambda t: charts.bar_chart(t, label="age", values=["count"]),
    "escalations": lambda t: charts.bar_chart(t, label="target", values=["count"]),
    "ack_rate": lambda t: charts.line_chart(t, x="week", series=_values(t)),
    "members": lambda t: charts.bar_chart(t, label="member", values=["weighted"]),
    "structures": lambda t: charts.bar_chart(t, label="structure", values=["per_full_time"]),
}


@dataclass(frozen=True)
class Section:
    table: Table
    chart: str


def _sections(tables: dict[str, Table]) -> list[Section]:
    return [
        Section(table, CHARTS[key](table) if key in CHARTS else "") for key, table in tables.items()
    ]


def _figures(slug: str, summary: dict) -> list[dict]:
    figures = []
    for key, label, kind in FIGURES.get(slug, []):
        cell = summary.get(key)
        if cell is None:
            continue
        figures.append(
            {"label": label, "text": format_value(cell.value, kind) or "—", "url": cell.url}
        )
    return figures


def _page(request, slug: str, template: str, **extra):
    form = _filters(request)
    scope = form.scope()
    options = _options(request, slug)
    data = _compute(slug, scope, options)
    tables = data["tables"]
    query = scope.querystring()
    option_query = "&".join(f"{name}={value}" for name, value in options.items() if value)
    context = {
        "views": VIEWS,
        "current": VIEWS_BY_SLUG[slug],
        "form": form,
        "scope": scope,
        "options": options,
        "query": query,
        "export_query": "&".join(part for part in (query, option_query) if part),
        "map": mark_safe(data.get("map", "")),  # noqa: S308 (SVG built from escaped data)
        "sections": _sections(tables),
        "figures": _figures(slug, data.get("summary", {})),
        **extra,
    }
    return render(request, template, context)


@roles.role_required(roles.is_pilot)
@require_GET
def index(request):
    return _page(request, "activite", "steering/dashboard.html")


@roles.role_required(roles.is_pilot)
@require_GET
def quality_view(request):
    return _page(request, "qualite", "steering/dashboard.html")


@roles.role_required(roles.is_pilot)
@require_GET
def map_view(request):
    return _page(request, "carte", "steering/map.html", per_choices=MAP_PER)


@roles.role_required(roles.is_pilot)
@require_GET
def campaign_view(request):
    return _page(
        request,
        "campagne",
        "steering/campaign.html",
        group_by_choices=GROUP_BY,
        campaigns=Campaign.objects.order_by("-fiscal_year", "kind"),
    )


@roles.role_required(roles.is_pilot)
@require_GET
def team_view(request):
    return _page(request, "charge", "steering/dashboard.html")


@roles.role_required(roles.is_pilot)
@require_GET
def export_table(request, view, key, fmt):
    if view not in VIEWS_BY_SLUG:
        raise Http404
    scope = _filters(request).scope()
    data = _compute(view, scope, _options(request, view))
    table = data["tables"].get(key)
    if table is None:
        raise Http404
    filename = f"pilotage-{view}-{key}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
    if fmt == "xlsx":
        return exports.table_xlsx_response(table, filename)
    return exports.table_csv_response(table, filename)


@roles.role_required(roles.is_pilot)
@require_GET
def export_requests(request, fmt):
    scope = _filters(request).scope()
    if fmt == "xlsx":
        return exports.requests_xlsx_response(scope)
    return exports.requests_csv_response(scope)

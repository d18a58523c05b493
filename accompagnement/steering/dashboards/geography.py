"""Requests per department: a table, and a choropleth of metropolitan France.

The departments' shapes come from the map that `pygal_maps_fr` ships (its SVG data file,
parsed once per process); this module only colours them, titles them and adds a legend.
"""

import math
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files

from django.db.models import Count, Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accompagnement.accounts.models import Role
from accompagnement.steering.dashboards.formatting import french_number
from accompagnement.steering.dashboards.scope import Scope
from accompagnement.steering.dashboards.tables import Cell, Column, Kind, Table
from ddi.models import DDI, Department

PER_AGENTS = "agents"
PER_DDI = "ddi"
AGENTS_UNIT = 10  # rates per 10 DDI agents

# DSFR "bleu France" tokens, light to dark: 925, 850, 625, main-525, sun-113.
CLASS_COLOURS = ("#e3e3fd", "#cacafb", "#8585f6", "#6a6af4", "#000091")
OUTSIDE_COLOUR = "#ffffff"  # departments the filters leave out
STROKE_COLOUR = "#3a3a3a"  # DSFR grey-200: borders stay visible in black and white
HATCH_COLOUR = "#929292"  # DSFR grey-625: the "no data" hatching
TEXT_COLOUR = "#161616"  # DSFR grey-50: default text
FONT = "Marianne, arial, sans-serif"

SVG_NS = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# Where pygal_maps_fr 1.1 draws its enlarged Paris and inner suburbs, in map units.
INSET_FRAME = (1605, 30, 365, 375)
FONT_SIZE = 46  # in map units: about 13 px when the 2,000-unit-wide map is 560 px wide
LEGEND_HEIGHT = 330  # the band under the map: heading and up to 3 rows of 3 entries


def _rate_label(per: str) -> str:
    return _("Demandes pour 10 agents") if per == PER_AGENTS else _("Demandes par DDI")


def _rate_unit(per: str) -> str:
    return _("demandes pour 10 agents") if per == PER_AGENTS else _("demandes par DDI")


def _rate(requests: int, denominator: int, per: str) -> Decimal | None:
    if not denominator:
        return None
    factor = AGENTS_UNIT if per == PER_AGENTS else 1
    value = Decimal(requests * factor) / Decimal(denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------- the table


def department_table(scope: Scope, per: str = PER_AGENTS) -> Table:
    """Requests created in the period per department, with the department's DDIs and active
    agents, and the rate per 10 agents (`per="agents"`) or per DDI (`per="ddi"`).

    Departments are those the region and department filters keep; the DDI kind filter
    narrows the DDIs and agents counted. 3 queries: requests are counted per DDI (the
    cheapest grouping: no join), then added up per department with the DDIs' own counts.
    """
    created_by_ddi = dict(
        scope.created_in_period().order_by().values_list("ddi_id").annotate(count=Count("*"))
    )
    ddis = DDI.objects.order_by().values_list("pk", "department_id")
    if scope.ddi_kind:
        ddis = ddis.filter(kind=scope.ddi_kind)
    ddis = ddis.annotate(
        agents=Count("agents", filter=Q(agents__role=Role.AGENT, agents__is_active=True))
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"requests": 0, "ddis": 0, "agents": 0})
    for ddi_id, department_id, agents in ddis:
        department_counts = counts[department_id]
        department_counts["requests"] += created_by_ddi.get(ddi_id, 0)
        department_counts["ddis"] += 1
        department_counts["agents"] += agents
    departments = Department.objects.select_related("region").order_by("code")
    if scope.region:
        departments = departments.filter(region_id=scope.region)
    if scope.department:
        departments = departments.filter(pk=scope.department)

    columns = [
        Column("code", _("Code"), Kind.TEXT),
        Column("name", _("Département"), Kind.TEXT),
        Column("region", _("Région"), Kind.TEXT),
        Column("requests", _("Demandes déposées"), Kind.INT),
        Column("ddis", _("DDI"), Kind.INT),
        Column("agents", _("Agents de DDI actifs"), Kind.INT),
        Column("rate", _rate_label(per), Kind.DECIMAL),
    ]
    rows = []
    totals = {"requests": 0, "ddis": 0, "agents": 0}
    for department in departments:
        found = counts[department.pk]
        url = scope.queue_url(department=department.pk)
        denominator = found["agents"] if per == PER_AGENTS else found["ddis"]
        rows.append(
            [
                Cell(department.code),
                Cell(department.name),
                Cell(department.region.name),
                Cell(found["requests"], url),
                Cell(found["ddis"]),
                Cell(found["agents"]),
                Cell(_rate(found["requests"], denominator, per), url),
            ]
        )
        for name in totals:
            totals[name] += found[name]
    all_url = scope.queue_url()
    footer = [
        Cell(""),
        Cell(_("Total")),
        Cell(""),
        Cell(totals["requests"], all_url),
        Cell(totals["ddis"]),
        Cell(totals["agents"]),
        Cell(
            _rate(totals["requests"], totals["agents" if per == PER_AGENTS else "ddis"], per),
            all_url,
        ),
    ]
    if per == PER_AGENTS:
        description = _(
            "Demandes déposées sur la période par département, pour 10 agents de DDI actifs "
            "du département (vide quand il n’y en a aucun)."
        )
    else:
        description = _(
            "Demandes déposées sur la période par département, par DDI du département "
            "(vide quand il n’y en a aucune)."
        )
    return Table(
        key="departments",
        title=_("Demandes par département"),
        columns=columns,
        rows=rows,
        description=description,
        footer=footer if rows else None,
    )


# ---------------------------------------------------------------------------- the map


@dataclass(frozen=True)
class MapGeometry:
    width: int
    height: int
    transform: str  # of the metropolitan departments' group
    departments: dict[str, tuple[str, ...]]  # code → path data, metropolitan France
    inset: dict[str, tuple[str, ...]]  # Paris and its inner suburbs, enlarged


def _short_number(match: re.Match) -> str:
    text = f"{float(match.group()):.1f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def _compact(path_data: str) -> str:
    # A tenth of a unit in a 2,000-unit-wide map is far below a pixel: keeping one decimal
    # halves the markup (the drift this adds along a border stays under 1.2 units).
    return _NUMBER.sub(_short_number, path_data)


def _groups(parent: ET.Element) -> dict[str, tuple[str, ...]]:
    shapes = {}
    for group in parent.iter(f"{SVG_NS}g"):
        classes = group.get("class", "").split()
        if "departement" not in classes:
            continue
        code = classes[0].removeprefix("z")
        if len(code) != 2:  # 971…976: overseas departments
            continue
        shapes[code] = tuple(_compact(p.get("d", "")) for p in group.iter(f"{SVG_NS}path"))
    return shapes


@cache
def map_geometry() -> MapGeometry:
    """The departments' shapes from pygal_maps_fr's data file, parsed once per process."""
    source = files("pygal_maps_fr") / "fr.departments.svg"
    root = ET.fromstring(source.read_bytes())  # noqa: S314 - a data file of an installed package
    by_id = {element.get("id"): element for element in root if element.get("id")}
    main = by_id["departements"]
    _x, _y, width, height = (round(float(n)) for n in root.get("viewBox", "").split())
    return MapGeometry(
        width=width,
        height=height,
        transform=main.get("transform", ""),
        departments=_groups(main),
        inset=_groups(by_id["paris-petite-couronne"]),
    )


def class_breaks(values: list[Decimal], classes: int = 5) -> list[Decimal]:
    """Upper bounds of up to `classes` quantile classes; the last is the maximum.

    Ties can merge classes: 10 equal values make one class.
    """
    ordered = sorted(values)
    bounds: list[Decimal] = []
    for k in range(1, classes + 1):
        bound = ordered[math.ceil(k * len(ordered) / classes) - 1] if ordered else None
        if bound is not None and (not bounds or bound > bounds[-1]):
            bounds.append(bound)
    return bounds


def class_colours(count: int) -> list[str]:
    """`count` colours spread over the scale, lightest first."""
    if count <= 1:
        return list(CLASS_COLOURS[:count])
    last = len(CLASS_COLOURS) - 1
    return [CLASS_COLOURS[round(i * last / (count - 1))] for i in range(count)]


def class_of(value: Decimal, bounds: list[Decimal]) -> int:
    for index, bound in enumerate(bounds):
        if value <= bound:
            return index
    return len(bounds) - 1


def _legend_labels(bounds: list[Decimal], minimum: Decimal) -> list[str]:
    labels, lower = [], minimum
    for bound in bounds:
        if lower == bound:
            labels.append(french_number(bound, 1))
        else:
            labels.append(
                _("de %(low)s à %(high)s")
                % {"low": french_number(lower, 1), "high": french_number(bound, 1)}
            )
        # Rates have one decimal: the next class starts a tenth above this one's bound.
        lower = bound + Decimal("0.1")
    return labels


def choropleth_svg(table: Table, per: str = PER_AGENTS, *, dom_id: str = "carte") -> SafeString:
    """The metropolitan departments of `department_table` coloured by their rate in up to 5
    quantile classes, with a legend below; each department says its rate in a `<title>`.

    `dom_id` prefixes the ids inside the SVG (title, description, hatching).
    """
    geometry = map_geometry()
    rows = {row["code"]: row for row in table.as_dicts() if row["code"] in geometry.departments}
    rates = [row["rate"] for row in rows.values() if row["rate"] is not None]
    bounds = class_breaks(rates)
    colours = class_colours(len(bounds))
    no_data = f"url(#{dom_id}-sans-donnee)"
    unit = _rate_unit(per)

    def fill(code: str) -> str:
        row = rows.get(code)
        if row is None:
            return OUTSIDE_COLOUR
        if row["rate"] is None:
            return no_data
        return colours[class_of(row["rate"], bounds)]

    def title(code: str) -> str:
        row = rows.get(code)
        if row is None:
            return ""
        value = (
            _("pas de donnée") if row["rate"] is None else f"{french_number(row['rate'], 1)} {unit}"
        )
        return f"<title>{escape(row['name'])} ({escape(code)}) : {escape(value)}</title>"

    def shapes(departments: dict[str, tuple[str, ...]]) -> str:
        return "".join(
            f'<g class="z{code}" fill="{fill(code)}">{title(code)}'
            + "".join(f'<path d="{d}"/>' for d in paths)
            + "</g>"
            for code, paths in departments.items()
        )

    legend = [
        *zip(colours, _legend_labels(bounds, min(rates)) if rates else [], strict=True),
        *([(no_data, _("pas de donnée"))] if len(rates) < len(rows) else []),
        *(
            [(OUTSIDE_COLOUR, _("hors des filtres"))]
            if len(rows) < len(geometry.departments)
            else []
        ),
    ]
    x, y, width, height = INSET_FRAME
    parts = [
        # Sized by static/css/portail.css: the Content Security Policy refuses style="".
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {geometry.width}'
        f' {geometry.height + LEGEND_HEIGHT}" role="img"'
        f' aria-labelledby="{dom_id}-titre {dom_id}-desc" class="steering-choropleth">',
        f'<title id="{dom_id}-titre">'
        f"{escape(_('Carte des demandes par département, %(unit)s') % {'unit': unit})}"
        "</title>",
        f'<desc id="{dom_id}-desc">{escape(_map_description(rates, len(bounds), unit))}</desc>',
        f'<defs><pattern id="{dom_id}-sans-donnee" width="14" height="14"'
        ' patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="14" height="14" fill="#ffffff"/>'
        f'<rect width="5" height="14" fill="{HATCH_COLOUR}"/></pattern></defs>',
        f'<g stroke="{STROKE_COLOUR}" stroke-width="2.5" stroke-linejoin="round">',
        f'<g transform="{geometry.transform}">{shapes(geometry.departments)}</g>',
        f"<g>{shapes(geometry.inset)}</g>",
        "</g>",
        f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="none"'
        f' stroke="{STROKE_COLOUR}" stroke-width="3" stroke-dasharray="10 8"/>',
        # Left of the frame, over Belgium and the sea: nothing else is drawn there.
        f'<text x="{x - 20}" y="{y + 40}" text-anchor="end" font-size="{FONT_SIZE}"'
        f' font-family="{FONT}" fill="{TEXT_COLOUR}">'
        f'<tspan x="{x - 20}">{escape(_("Paris et"))}</tspan>'
        f'<tspan x="{x - 20}" dy="{FONT_SIZE + 8}">{escape(_("petite couronne"))}</tspan>'
        "</text>",
        _legend(legend, _rate_label(per), top=geometry.height, width=geometry.width),
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped


def _map_description(rates: list[Decimal], classes: int, unit: str) -> str:
    if not rates:
        return _("Aucune valeur à représenter pour ces filtres.")
    return _(
        "Départements métropolitains colorés selon le nombre de %(unit)s, de %(low)s à "
        "%(high)s, en %(count)s classes ; hachurés quand il n’y a pas de donnée. Le tableau "
        "à côté donne les valeurs."
    ) % {
        "unit": unit,
        "low": french_number(min(rates), 1),
        "high": french_number(max(rates), 1),
        "count": classes,
    }


def _legend(entries: list[tuple[str, str]], heading: str, *, top: int, width: int) -> str:
    """A band under the map: the heading, then the swatches in rows of three."""
    left, column_width, line = 60, (width - 120) // 3, 70
    parts = [
        f'<g font-family="{FONT}" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">',
        f'<text x="{left}" y="{top + 60}" font-weight="bold">{escape(heading)}</text>',
    ]
    for index, (colour, label) in enumerate(entries):
        x = left + (index % 3) * column_width
        y = top + 90 + (index // 3) * line
        parts.append(
            f'<rect x="{x}" y="{y}" width="72" height="48" fill="{colour}"'
            f' stroke="{STROKE_COLOUR}" stroke-width="3"/>'
            f'<text x="{x + 96}" y="{y + 38}">{escape(label)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)

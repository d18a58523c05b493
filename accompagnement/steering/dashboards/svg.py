"""The pieces the dashboard charts (`charts.py`) are drawn with: the palette, axis ticks and
numbers in French, and SVG fragments (the opening with its title and description, legend,
hatching patterns, grid lines).

Colours come from the DSFR palette and keep a contrast of at least 3:1 against white;
series also differ by hatching (bars) or dash pattern (lines), so that a chart printed in
black and white stays readable.
"""

import math
import re
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accompagnement.steering.dashboards.formatting import NARROW_NBSP, format_value, french_number
from accompagnement.steering.dashboards.tables import Column, Kind, Table

# DSFR colours with a contrast of 3:1 or more against white (WCAG 1.4.11): bleu France
# (blue-france-sun-113), success-425, warning-425, red-marianne-main-472,
# purple-glycine-main-494, green-menthe-main-548, blue-cumulus-main-526,
# blue-ecume-main-400.
PALETTE = (
    "#000091",
    "#18753c",
    "#b34000",
    "#e1000f",
    "#a558a0",
    "#009081",
    "#417dc4",
    "#465f9d",
)
TEXT_COLOUR = "#161616"  # DSFR grey-50-1000: the default text
GRID_COLOUR = "#dddddd"  # DSFR grey-925: borders
AXIS_COLOUR = "#666666"  # DSFR grey-425: mentions
# Line series differ by dash pattern, not only by colour.
DASHES = ("", "8 4", "2 3", "10 3 2 3", "4 4", "12 4 3 4 3 4", "1 5", "16 6")

WIDTH = 720
FONT = "Marianne, arial, sans-serif"
FONT_SIZE = 12
CHAR_WIDTH = 6.6  # average width of a character at FONT_SIZE, for the layout

# Characters that XML 1.0 does not allow, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---------------------------------------------------------------------- numbers in French


def chart_value(value, kind: Kind) -> str:
    """A value as the chart writes it (bar ends, tooltips): as in the page's table."""
    if value is None or value == "":
        return "—"
    return format_value(value, kind)


def label_text(value) -> str:
    """A label cell (category, week, CSP…) as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def nice_ticks(low: float, high: float, *, integer: bool = False, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 × 10ⁿ apart) that cover `low`..`high`."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + 1
    raw_step = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = 10 * magnitude
    for multiple in (1, 2, 2.5, 5, 10):
        candidate = multiple * magnitude
        if integer and candidate != int(candidate):
            continue
        if candidate >= raw_step:
            step = candidate
            break
    if integer:
        step = max(1, step)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    ticks = []
    for index in range(round((last - first) / step) + 1):
        ticks.append(round(first + index * step, 10))
    return ticks


def _tick_decimals(ticks: list[float]) -> int:
    if len(ticks) < 2:
        return 0
    step = abs(ticks[1] - ticks[0])
    for decimals in range(4):
        if abs(step * 10**decimals - round(step * 10**decimals)) < 1e-9:
            return decimals
    return 4


def format_tick(value: float, kind: Kind, decimals: int) -> str:
    value += 0.0  # no "-0"
    if kind == Kind.PERCENT:
        return f"{french_number(value * 100, max(0, decimals - 2))}{NARROW_NBSP}%"
    return french_number(value, decimals)


# ---------------------------------------------------------------------- SVG pieces


def _text(value: str) -> str:
    """Text from the data, escaped for the SVG (element content and attributes)."""
    return escape(_INVALID_XML.sub("", value))


def _n(number: float) -> str:
    """A coordinate, short."""
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _truncate(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return text[: max(1, max_chars - 1)].rstrip() + "…"


def _as_number(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None


def _chart_id(table: Table, kind: str, columns: list[str]) -> str:
    return "chart-" + slugify("-".join([table.key, kind, *columns]))[:80]


def _empty(table: Table) -> SafeString:
    message = table.empty_message or _("Aucune donnée à représenter pour ces filtres.")
    return mark_safe(f'<p class="fr-text--sm acc-chart-empty">{_text(str(message))}</p>')  # noqa: S308


def _open_svg(chart_id: str, height: float, title: str, desc: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="acc-chart {css_class}" '
        f'id="{chart_id}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" font-family="{FONT}" '
        f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">',
        f'<title id="{chart_id}-title">{_text(title)}</title>',
        f'<desc id="{chart_id}-desc">{_text(desc)}</desc>',
        # Drawn on white in the DSFR's dark theme too, where its colours keep their contrast.
        f'<rect class="acc-chart-background" x="0" y="0" width="{WIDTH}" height="{_n(height)}" '
        'fill="#ffffff"/>',
    ]


def _columns(table: Table, keys: list[str]) -> list[tuple[int, Column]]:
    return [(table.column_index(key), table.columns[table.column_index(key)]) for key in keys]


def _series_list(series: list[Column]) -> str:
    return ", ".join(f"« {column.label} »" for column in series)


def _legend(
    chart_id: str, series: list[Column], swatch, top: float, left: float = 16
) -> tuple[list[str], float]:
    """The legend as text with a swatch per series, wrapped; returns its height."""
    parts = [f'<g class="acc-chart-legend" id="{chart_id}-legend">']
    x, y = left, top
    line_height = 20
    for index, column in enumerate(series):
        label = _truncate(column.label, 60)
        item_width = 28 + len(label) * CHAR_WIDTH + 20
        if x > left and x + item_width > WIDTH - 16:
            x, y = left, y + line_height
        parts.append(swatch(index, x, y))
        parts.append(f'<text x="{_n(x + 28)}" y="{_n(y + 11)}">{_text(label)}</text>')
        x += item_width
    parts.append("</g>")
    return parts, y - top + line_height


def _bar_fill(chart_id: str, index: int) -> str:
    # Series 0 is solid; the next ones are hatched, dotted or crossed (print, colour blindness).
    return PALETTE[index % len(PALETTE)] if index % 4 == 0 else f"url(#{chart_id}-fill-{index})"


def _bar_patterns(chart_id: str, count: int) -> list[str]:
    parts = ["<defs>"]
    for index in range(count):
        colour = PALETTE[index % len(PALETTE)]
        style = index % 4
        if style == 0:
            continue
        pattern_id = f"{chart_id}-fill-{index}"
        if style == 1:
            mark = '<rect x="0" y="0" width="2" height="6" fill="#ffffff"/>'
            transform = ' patternTransform="rotate(45)"'
        elif style == 2:
            mark = '<circle cx="3" cy="3" r="1.4" fill="#ffffff"/>'
            transform = ""
        else:
            mark = (
                '<rect x="0" y="0" width="1.5" height="6" fill="#ffffff"/>'
                '<rect x="0" y="0" width="6" height="1.5" fill="#ffffff"/>'
            )
            transform = ""
        parts.append(
            f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="6" height="6"'
            f'{transform}><rect x="0" y="0" width="6" height="6" fill="{colour}"/>{mark}</pattern>'
        )
    parts.append("</defs>")
    return parts if len(parts) > 2 else []


# ---------------------------------------------------------------------- grid


def _y_grid(ticks, y_of, left: float, right: float, kind: Kind, decimals: int) -> list[str]:
    """Horizontal grid lines with their tick labels, left of the plot."""
    parts = []
    for tick in ticks:
        y = y_of(tick)
        colour = AXIS_COLOUR if tick == 0 else GRID_COLOUR
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end">'
            f"{_text(format_tick(tick, kind, decimals))}</text>"
        )
    return parts

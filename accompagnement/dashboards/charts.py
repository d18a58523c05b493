"""Charts drawn on the server as SVG from a `Table`: no JavaScript, nothing loaded from
elsewhere, readable when printed in black and white.

Every chart is an image with a title and a description (`role="img"`, `aria-labelledby`);
the page shows the same table as data beside it. Colours come from the DSFR palette and
keep a contrast of at least 3:1 against white; series also differ by hatching (bars) or
dash pattern (lines), and bars carry their value as text.
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

from .formatting import NARROW_NBSP, format_value, french_number
from .tables import Column, Kind, Table

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


# ---------------------------------------------------------------------- bar chart


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


def bar_chart(
    table: Table,
    *,
    label: str,
    values: list[str],
    horizontal: bool = True,
    max_rows: int = 15,
) -> SafeString:
    """Bars of the `values` columns (grouped when several) for each row, labelled by the
    `label` column; the first `max_rows` rows only. Horizontal bars suit long labels."""
    if not table.rows:
        return _empty(table)
    label_index = table.column_index(label)
    series = _columns(table, values)
    rows = table.rows[:max_rows]
    kind = series[0][1].kind
    numbers = [[_as_number(row[index].value) for index, _column in series] for row in rows]
    present = [number for row in numbers for number in row if number is not None]
    low, high = min([0.0, *present]), max([0.0, *present])
    if kind == Kind.PERCENT:
        high = max(high, 1.0)
    ticks = nice_ticks(low, high, integer=kind == Kind.INT)
    labels = [label_text(row[label_index].value) for row in rows]
    chart_id = _chart_id(table, "barres", values)
    columns = [column for _index, column in series]

    if len(rows) < len(table.rows):
        shown = _("les %(shown)d premières lignes sur %(total)d") % {
            "shown": len(rows),
            "total": len(table.rows),
        }
    else:
        shown = _("%(count)d lignes") % {"count": len(rows)}
    desc = " ".join(
        part
        for part in (
            table.description,
            _(
                "Diagramme en barres : %(series)s pour chaque « %(label)s », %(shown)s. "
                "Les valeurs figurent aussi dans le tableau de données."
            )
            % {
                "series": _series_list(columns),
                "label": table.columns[label_index].label,
                "shown": shown,
            },
        )
        if part
    )
    draw = _horizontal_bars if horizontal else _vertical_bars
    return draw(chart_id, table.title, desc, columns, kind, labels, numbers, ticks)


def _horizontal_bars(chart_id, title, desc, columns, kind, labels, numbers, ticks) -> SafeString:
    series_count = len(columns)
    bar_height = 16 if series_count == 1 else 11
    gap = 10
    band = series_count * bar_height + gap
    label_chars = min(max(len(text) for text in labels), int(WIDTH * 0.42 / CHAR_WIDTH))
    label_width = label_chars * CHAR_WIDTH + 12
    value_width = 64
    left, right = label_width, WIDTH - value_width

    legend, legend_height = _legend(chart_id, columns, _bar_swatch(chart_id), top=8)
    top = 8 + legend_height + 8
    plot_height = len(labels) * band
    height = top + plot_height + 34
    low, high = ticks[0], ticks[-1]

    def x_of(value: float) -> float:
        return left + (value - low) / (high - low) * (right - left)

    parts = _open_svg(chart_id, height, title, desc, "acc-chart--bars")
    parts += _bar_patterns(chart_id, series_count)
    parts += legend
    decimals = _tick_decimals(ticks)
    parts.append('<g class="acc-chart-axis" font-size="11">')
    for tick in ticks:
        x = x_of(tick)
        colour = AXIS_COLOUR if tick == 0 else GRID_COLOUR
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(top + plot_height)}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_n(x)}" y="{_n(top + plot_height + 16)}" text-anchor="middle">'
            f"{_text(format_tick(tick, kind, decimals))}</text>"
        )
    parts.append("</g>")
    for row_index, (text, row_numbers) in enumerate(zip(labels, numbers, strict=True)):
        y = top + row_index * band + gap / 2
        parts.append('<g class="acc-chart-row">')
        shown_label = _truncate(text, label_chars)
        tooltip = f"<title>{_text(text)}</title>" if shown_label != text else ""
        parts.append(
            f'<text x="{_n(left - 8)}" y="{_n(y + series_count * bar_height / 2 + 4)}" '
            f'text-anchor="end">{tooltip}{_text(shown_label)}</text>'
        )
        for index, value in enumerate(row_numbers):
            bar_y = y + index * bar_height
            written = chart_value(value, kind)
            if value is not None:
                start, end = sorted((x_of(0), x_of(value)))
                parts.append(
                    f'<rect class="acc-chart-bar" x="{_n(start)}" y="{_n(bar_y)}" '
                    f'width="{_n(max(end - start, 0.5))}" height="{_n(bar_height - 1)}" '
                    f'fill="{_bar_fill(chart_id, index)}" '
                    f'stroke="{PALETTE[index % len(PALETTE)]}" stroke-width="1">'
                    f"<title>{_text(f'{text} — {columns[index].label} : {written}')}</title></rect>"
                )
                anchor, value_x = ("end", start - 4) if value < 0 else ("start", end + 4)
            else:
                anchor, value_x = "start", x_of(0) + 4
            parts.append(
                f'<text class="acc-chart-value" x="{_n(value_x)}" '
                f'y="{_n(bar_y + bar_height - 3)}" text-anchor="{anchor}" font-size="11">'
                f"{_text(written)}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def _vertical_bars(chart_id, title, desc, columns, kind, labels, numbers, ticks) -> SafeString:
    series_count = len(columns)
    decimals = _tick_decimals(ticks)
    tick_chars = max(len(format_tick(tick, kind, decimals)) for tick in ticks)
    left = tick_chars * CHAR_WIDTH + 16
    right = WIDTH - 16
    band = (right - left) / len(labels)
    bar_width = min(40.0, (band - 8) / series_count)
    rotate = band < 72
    label_chars = 24 if rotate else max(4, int(band / CHAR_WIDTH))
    legend, legend_height = _legend(chart_id, columns, _bar_swatch(chart_id), top=8)
    top = 8 + legend_height + 20
    plot_height = 240
    bottom = top + plot_height
    height = bottom + (label_chars * CHAR_WIDTH * 0.7 + 24 if rotate else 30)
    low, high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * plot_height

    parts = _open_svg(chart_id, height, title, desc, "acc-chart--columns")
    parts += _bar_patterns(chart_id, series_count)
    parts += legend
    parts.append('<g class="acc-chart-axis" font-size="11">')
    parts += _y_grid(ticks, y_of, left, right, kind, decimals)
    parts.append("</g>")
    for row_index, (text, row_numbers) in enumerate(zip(labels, numbers, strict=True)):
        centre = left + (row_index + 0.5) * band
        first_x = centre - series_count * bar_width / 2
        parts.append('<g class="acc-chart-row">')
        for index, value in enumerate(row_numbers):
            x = first_x + index * bar_width
            written = chart_value(value, kind)
            if value is not None:
                start, end = sorted((y_of(0), y_of(value)))
                parts.append(
                    f'<rect class="acc-chart-bar" x="{_n(x)}" y="{_n(start)}" '
                    f'width="{_n(bar_width - 1)}" height="{_n(max(end - start, 0.5))}" '
                    f'fill="{_bar_fill(chart_id, index)}" '
                    f'stroke="{PALETTE[index % len(PALETTE)]}" stroke-width="1">'
                    f"<title>{_text(f'{text} — {columns[index].label} : {written}')}</title></rect>"
                )
                value_y = end + 12 if value < 0 else start - 4
            else:
                value_y = y_of(0) - 4
            value_x = x + (bar_width - 1) / 2
            rotation = (
                f' transform="rotate(-90 {_n(value_x)} {_n(value_y)})" dy="4"'
                if bar_width < 26 and value is not None and value >= 0
                else ""
            )
            anchor = "start" if rotation else "middle"
            parts.append(
                f'<text class="acc-chart-value" x="{_n(value_x)}" y="{_n(value_y)}" '
                f'text-anchor="{anchor}" font-size="10"{rotation}>{_text(written)}</text>'
            )
        shown_label = _truncate(text, label_chars)
        tooltip = f"<title>{_text(text)}</title>" if shown_label != text else ""
        if rotate:
            parts.append(
                f'<text x="{_n(centre)}" y="{_n(bottom + 14)}" text-anchor="end" '
                f'transform="rotate(-40 {_n(centre)} {_n(bottom + 14)})">'
                f"{tooltip}{_text(shown_label)}</text>"
            )
        else:
            parts.append(
                f'<text x="{_n(centre)}" y="{_n(bottom + 18)}" text-anchor="middle">'
                f"{tooltip}{_text(shown_label)}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def _bar_swatch(chart_id: str):
    def swatch(index: int, x: float, y: float) -> str:
        return (
            f'<rect x="{_n(x)}" y="{_n(y)}" width="20" height="14" '
            f'fill="{_bar_fill(chart_id, index)}" stroke="{PALETTE[index % len(PALETTE)]}"/>'
        )

    return swatch


# ---------------------------------------------------------------------- line chart


def line_chart(table: Table, *, x: str, series: list[str]) -> SafeString:
    """One line per `series` column along the `x` column (weeks, dates), evenly spaced.

    The series share the first one's kind; PERCENT values (0..1) are drawn on 0–100 %.
    A missing value (None) breaks the line.
    """
    if not table.rows:
        return _empty(table)
    x_index = table.column_index(x)
    columns_with_index = _columns(table, series)
    columns = [column for _index, column in columns_with_index]
    kind = columns[0].kind
    rows = table.rows
    numbers = [[_as_number(row[index].value) for row in rows] for index, _c in columns_with_index]
    present = [number for line in numbers for number in line if number is not None]
    low, high = min([0.0, *present]), max([0.0, *present])
    if kind == Kind.PERCENT:
        high = max(high, 1.0)
        ticks = nice_ticks(low, high, count=5)
    else:
        ticks = nice_ticks(low, high, integer=kind == Kind.INT)
    labels = [label_text(row[x_index].value) for row in rows]
    chart_id = _chart_id(table, "courbes", series)

    if len(labels) > 1:
        span = _("du %(first)s au %(last)s, %(count)d points") % {
            "first": labels[0],
            "last": labels[-1],
            "count": len(labels),
        }
    else:
        span = labels[0]
    desc = " ".join(
        part
        for part in (
            table.description,
            _(
                "Courbes : %(series)s selon « %(x)s », %(span)s. "
                "Les valeurs figurent aussi dans le tableau de données."
            )
            % {"series": _series_list(columns), "x": table.columns[x_index].label, "span": span},
        )
        if part
    )

    decimals = _tick_decimals(ticks)
    tick_chars = max(len(format_tick(tick, kind, decimals)) for tick in ticks)
    longest = max(len(text) for text in labels)
    left = max(tick_chars * CHAR_WIDTH + 16, min(longest, 16) * CHAR_WIDTH / 2 + 4)
    right = WIDTH - max(16, min(longest, 16) * CHAR_WIDTH / 2 + 4)
    legend, legend_height = _legend(chart_id, columns, _line_swatch, top=8)
    top = 8 + legend_height + 12
    plot_height = 240
    bottom = top + plot_height
    height = bottom + 40
    low, high = ticks[0], ticks[-1]
    count = len(labels)

    def x_of(position: int) -> float:
        if count == 1:
            return (left + right) / 2
        return left + position / (count - 1) * (right - left)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * plot_height

    parts = _open_svg(chart_id, height, table.title, desc, "acc-chart--lines")
    parts += legend
    parts.append('<g class="acc-chart-axis" font-size="11">')
    parts += _y_grid(ticks, y_of, left, right, kind, decimals)
    # As many x labels as fit without overlapping, the first and the last always.
    label_width = min(longest, 16) * CHAR_WIDTH + 12
    point_gap = (right - left) / max(1, count - 1)
    every = max(1, math.ceil(label_width / point_gap))
    shown = list(range(0, count, every))
    if shown[-1] != count - 1:
        if len(shown) > 1 and (count - 1 - shown[-1]) * point_gap < label_width:
            shown.pop()
        shown.append(count - 1)
    for position in shown:
        text = labels[position]
        shown_label = _truncate(text, 16)
        tooltip = f"<title>{_text(text)}</title>" if shown_label != text else ""
        x_pos = x_of(position)
        parts.append(
            f'<line x1="{_n(x_pos)}" y1="{_n(bottom)}" x2="{_n(x_pos)}" y2="{_n(bottom + 4)}" '
            f'stroke="{AXIS_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{_n(x_pos)}" y="{_n(bottom + 18)}" text-anchor="middle">'
            f"{tooltip}{_text(shown_label)}</text>"
        )
    parts.append("</g>")

    markers = count <= 60
    for index, line in enumerate(numbers):
        colour = PALETTE[index % len(PALETTE)]
        dash = DASHES[index % len(DASHES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        segments, current = [], []
        for position, value in enumerate(line):
            if value is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((x_of(position), y_of(value)))
        if current:
            segments.append(current)
        parts.append(f'<g class="acc-chart-series" data-series="{_text(columns[index].key)}">')
        for segment in segments:
            points = " ".join(f"{_n(px)},{_n(py)}" for px, py in segment)
            if len(segment) == 1:
                px, py = segment[0]
                parts.append(f'<circle cx="{_n(px)}" cy="{_n(py)}" r="3" fill="{colour}"/>')
                continue
            parts.append(
                f'<polyline class="acc-chart-line" points="{points}" fill="none" '
                f'stroke="{colour}" stroke-width="2.5" stroke-linejoin="round"{dash_attribute}/>'
            )
        if markers:
            for position, value in enumerate(line):
                if value is None:
                    continue
                written = chart_value(value, kind)
                parts.append(
                    f'<circle cx="{_n(x_of(position))}" cy="{_n(y_of(value))}" r="2.5" '
                    f'fill="{colour}"><title>'
                    f"{_text(f'{labels[position]} — {columns[index].label} : {written}')}"
                    "</title></circle>"
                )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def _line_swatch(index: int, x: float, y: float) -> str:
    dash = DASHES[index % len(DASHES)]
    dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_n(x)}" y1="{_n(y + 7)}" x2="{_n(x + 22)}" y2="{_n(y + 7)}" '
        f'stroke="{PALETTE[index % len(PALETTE)]}" stroke-width="2.5"{dash_attribute}/>'
    )

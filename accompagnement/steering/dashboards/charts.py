"""Bar and line charts drawn on the server as SVG from a `Table` (with the pieces of
`svg.py`): no JavaScript, nothing loaded from elsewhere, readable when printed in black and
white.

Every chart is an image with a title and a description (`role="img"`, `aria-labelledby`);
the page shows the same table as data beside it. Colours come from the DSFR palette and
keep a contrast of at least 3:1 against white; series also differ by hatching (bars) or
dash pattern (lines), and bars carry their value as text.
"""

import math

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accompagnement.steering.dashboards.svg import (
    AXIS_COLOUR,
    CHAR_WIDTH,
    DASHES,
    GRID_COLOUR,
    PALETTE,
    WIDTH,
    _as_number,
    _bar_fill,
    _bar_patterns,
    _chart_id,
    _columns,
    _empty,
    _legend,
    _n,
    _open_svg,
    _series_list,
    _text,
    _tick_decimals,
    _truncate,
    _y_grid,
    chart_value,
    format_tick,
    label_text,
    nice_ticks,
)
from accompagnement.steering.dashboards.tables import Kind, Table


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

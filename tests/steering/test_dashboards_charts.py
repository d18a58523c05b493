"""Server-side SVG charts: valid, accessible, escaped, French numbers, nice ticks."""

from datetime import date, timedelta
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.utils.safestring import SafeString

from accompagnement.steering.dashboards.charts import bar_chart, line_chart
from accompagnement.steering.dashboards.svg import DASHES, PALETTE, nice_ticks
from accompagnement.steering.dashboards.tables import Cell, Column, Kind, Table

SVG = "{http://www.w3.org/2000/svg}"
NNBSP = "\u202f"


def parse(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own output)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ElementTree.Element) -> list[str]:
    """Every text drawn (not the tooltips)."""
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def axis_texts(root: ElementTree.Element) -> list[str]:
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "acc-chart-axis")
    return [node.text for node in group.iter(f"{SVG}text")]


def bar_values(root: ElementTree.Element) -> list[str]:
    return [node.text for node in root.iter(f"{SVG}text") if node.get("class") == "acc-chart-value"]


def bars(root: ElementTree.Element) -> list[ElementTree.Element]:
    return [node for node in root.iter(f"{SVG}rect") if node.get("class") == "acc-chart-bar"]


def categories_table(count: int, label=lambda n: f"Catégorie {n}") -> Table:
    return Table(
        key="categories",
        title="Demandes par catégorie",
        description="Demandes ouvertes et résolues dans la période, par catégorie.",
        columns=[
            Column("category", "Catégorie", Kind.TEXT),
            Column("opened", "Ouvertes"),
            Column("resolved", "Résolues"),
        ],
        rows=[[Cell(label(n)), Cell(1000 * n + 234), Cell(n)] for n in range(count)],
    )


def weekly_table() -> Table:
    weeks = [date(2011, 9, 5) + timedelta(weeks=n) for n in range(4)]
    return Table(
        key="weekly",
        title="Activité par semaine",
        columns=[
            Column("week", "Semaine", Kind.DATE),
            Column("opened", "Ouvertes"),
            Column("resolved", "Résolues"),
            Column("backlog", "Stock"),
        ],
        rows=[
            [Cell(week), Cell(opened), Cell(resolved), Cell(backlog)]
            for week, opened, resolved, backlog in zip(
                weeks, [12, 30, 7, 0], [0, 10, 25, 3], [12, 32, None, 11], strict=True
            )
        ],
    )


# ---------------------------------------------------------------------- ticks


@pytest.mark.parametrize(
    ("low", "high", "integer", "expected"),
    [
        (0, 6234, True, [0, 2000, 4000, 6000, 8000]),
        (0, 97, True, [0, 20, 40, 60, 80, 100]),
        (0, 3, True, [0, 1, 2, 3]),
        (0, 0, True, [0, 1]),
        (0, 1, False, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (0, 12.3, False, [0, 2.5, 5, 7.5, 10, 12.5]),
        (-7, 12.8, False, [-10, -5, 0, 5, 10, 15]),
    ],
)
def test_nice_ticks(low, high, integer, expected):
    assert nice_ticks(low, high, integer=integer) == pytest.approx(expected)


def test_integer_ticks_never_split_a_unit():
    # 2.5 would be the natural step for 0..12: a count of requests takes the next one, 5.
    assert nice_ticks(0, 12, integer=True) == [0, 5, 10, 15]
    assert nice_ticks(0, 2, integer=True) == [0, 1, 2]


# ---------------------------------------------------------------------- bars


def test_bar_chart_is_an_accessible_svg():
    svg = bar_chart(categories_table(3), label="category", values=["opened"])
    assert isinstance(svg, SafeString)
    root = parse(svg)
    chart_id = root.get("id")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 720 ")
    assert root.find(f"{SVG}title").text == "Demandes par catégorie"
    assert root.find(f"{SVG}title").get("id") == f"{chart_id}-title"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == f"{chart_id}-desc"
    assert desc.text.startswith("Demandes ouvertes et résolues dans la période, par catégorie.")
    assert "« Ouvertes » pour chaque « Catégorie », 3 lignes" in desc.text
    assert "tableau de données" in desc.text
    # On white, also in the DSFR's dark theme.
    assert root.find(f"{SVG}rect").get("fill") == "#ffffff"


def test_one_bar_per_row_with_its_value_written_in_french():
    root = parse(bar_chart(categories_table(3), label="category", values=["opened"]))
    assert len(bars(root)) == 3
    drawn = texts(root)
    assert {"Catégorie 0", "Catégorie 1", "Catégorie 2"} <= set(drawn)
    # Values at the end of the bars: 234, 1 234, 2 234 (narrow no-break space).
    values = [
        node.text for node in root.iter(f"{SVG}text") if node.get("class") == "acc-chart-value"
    ]
    assert values == ["234", f"1{NNBSP}234", f"2{NNBSP}234"]
    # Bars grow with their value, from the same origin.
    widths = [float(bar.get("width")) for bar in bars(root)]
    assert widths[0] < widths[1] < widths[2]
    assert len({bar.get("x") for bar in bars(root)}) == 1


def test_axis_ticks_are_round_and_french():
    root = parse(bar_chart(categories_table(7), label="category", values=["opened"]))
    # Largest value 6 234: ticks every 2 000 up to 8 000.
    assert axis_texts(root) == ["0", f"2{NNBSP}000", f"4{NNBSP}000", f"6{NNBSP}000", f"8{NNBSP}000"]


def test_rows_are_capped():
    root = parse(bar_chart(categories_table(20), label="category", values=["opened"], max_rows=15))
    assert len(bars(root)) == 15
    assert "Catégorie 15" not in texts(root)
    assert "les 15 premières lignes sur 20" in root.find(f"{SVG}desc").text


def test_grouped_bars_differ_by_more_than_colour():
    root = parse(bar_chart(categories_table(4), label="category", values=["opened", "resolved"]))
    assert len(bars(root)) == 8
    fills = {bar.get("fill") for bar in bars(root)}
    # The first series is solid bleu France, the second hatched (a pattern).
    assert PALETTE[0] in fills
    hatched = next(fill for fill in fills if fill.startswith("url(#"))
    assert root.find(f".//{SVG}pattern[@id='{hatched[5:-1]}']") is not None
    # Colours of the DSFR palette only.
    pattern_colours = {
        node.get("fill") for node in root.iter(f"{SVG}rect") if node.get("width") == "6"
    }
    assert pattern_colours - {"#ffffff"} <= set(PALETTE)
    assert {bar.get("stroke") for bar in bars(root)} == set(PALETTE[:2])
    # The legend names both series as text.
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "acc-chart-legend")
    assert [node.text for node in legend.iter(f"{SVG}text")] == ["Ouvertes", "Résolues"]


def test_labels_from_data_stay_text():
    table = categories_table(2, label=lambda n: '<script>alert("x")</script> & Cie' if n else "A")
    svg = bar_chart(table, label="category", values=["opened"])
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f".//{SVG}script") is None
    assert '<script>alert("x")</script> & Cie' in texts(root)


def test_long_labels_are_shortened_with_the_full_text_as_tooltip():
    long_label = "Demandes de paiement bloquées au service fait " * 3
    table = categories_table(1, label=lambda n: long_label)
    root = parse(bar_chart(table, label="category", values=["opened"]))
    label = next(node for node in root.iter(f"{SVG}text") if node.find(f"{SVG}title") is not None)
    tooltip = label.find(f"{SVG}title")
    assert tooltip.text == long_label
    assert tooltip.tail.endswith("…")
    assert long_label.startswith(tooltip.tail[:-1])


def test_percent_bars_read_as_percentages():
    table = Table(
        "share",
        "Part dans les délais",
        [Column("axis", "Axe", Kind.TEXT), Column("share", "Part", Kind.PERCENT)],
        [[Cell("Outil"), Cell(0.125)], [Cell("Processus"), Cell(Decimal("0.5"))]],
    )
    root = parse(bar_chart(table, label="axis", values=["share"]))
    values = [
        node.text for node in root.iter(f"{SVG}text") if node.get("class") == "acc-chart-value"
    ]
    assert values == [f"12,5{NNBSP}%", f"50,0{NNBSP}%"]
    assert axis_texts(root) == [f"{n}{NNBSP}%" for n in (0, 20, 40, 60, 80, 100)]


def test_negative_and_missing_values():
    table = Table(
        "growth",
        "Croissance",
        [Column("category", "Catégorie", Kind.TEXT), Column("delta", "Écart", Kind.DECIMAL)],
        [[Cell("A"), Cell(-7)], [Cell("B"), Cell(12.75)], [Cell("C"), Cell(None)]],
    )
    root = parse(bar_chart(table, label="category", values=["delta"]))
    assert len(bars(root)) == 2  # no bar for a missing value
    assert axis_texts(root) == ["-10", "-5", "0", "5", "10", "15"]
    values = [
        node.text for node in root.iter(f"{SVG}text") if node.get("class") == "acc-chart-value"
    ]
    assert values == ["-7,0", "12,8", "—"]
    negative, positive = bars(root)
    # Both start at zero: the negative bar ends where the positive one starts.
    assert float(negative.get("x")) + float(negative.get("width")) == pytest.approx(
        float(positive.get("x")), abs=0.2
    )


def test_vertical_bars():
    root = parse(
        bar_chart(categories_table(5), label="category", values=["opened"], horizontal=False)
    )
    assert len(bars(root)) == 5
    heights = [float(bar.get("height")) for bar in bars(root)]
    assert heights == sorted(heights)
    assert len({bar.get("x") for bar in bars(root)}) == 5


def test_empty_table_gives_a_sentence():
    table = categories_table(0)
    table.empty_message = "Aucune demande dans la période."
    html = bar_chart(table, label="category", values=["opened"])
    assert "<svg" not in html
    assert html == '<p class="fr-text--sm acc-chart-empty">Aucune demande dans la période.</p>'
    assert "<svg" not in line_chart(table, x="category", series=["opened"])


# ---------------------------------------------------------------------- lines


def polylines(root, series_key):
    group = next(g for g in root.iter(f"{SVG}g") if g.get("data-series") == series_key)
    return list(group.iter(f"{SVG}polyline"))


def test_line_chart_is_an_accessible_svg():
    root = parse(line_chart(weekly_table(), x="week", series=["opened", "resolved", "backlog"]))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Activité par semaine"
    desc = root.find(f"{SVG}desc").text
    assert "« Ouvertes », « Résolues », « Stock » selon « Semaine »" in desc
    assert "du 05/09/2011 au 26/09/2011, 4 points" in desc


def test_one_line_per_series_with_its_own_dash_pattern():
    root = parse(line_chart(weekly_table(), x="week", series=["opened", "resolved", "backlog"]))
    opened, resolved = polylines(root, "opened")[0], polylines(root, "resolved")[0]
    assert len(opened.get("points").split()) == 4
    assert opened.get("stroke-dasharray") is None
    assert resolved.get("stroke-dasharray") == DASHES[1]
    assert opened.get("stroke") != resolved.get("stroke")
    # A missing value breaks the line: backlog is 12, 32, (none), 11.
    backlog = polylines(root, "backlog")
    assert len(backlog) == 1 and len(backlog[0].get("points").split()) == 2


def test_line_points_follow_values():
    root = parse(line_chart(weekly_table(), x="week", series=["opened"]))
    points = [
        tuple(map(float, p.split(","))) for p in polylines(root, "opened")[0].get("points").split()
    ]
    xs, ys = zip(*points, strict=True)
    assert xs == tuple(sorted(xs))
    # 12, 30, 7, 0: the highest value is the highest point (smallest y), 0 the lowest.
    assert ys.index(min(ys)) == 1 and ys.index(max(ys)) == 3
    # y axis 0..30 by 10; x labels are the weeks in French format.
    ticks = axis_texts(root)
    assert ticks[:4] == ["0", "10", "20", "30"]
    assert ticks[4:] == ["05/09/2011", "12/09/2011", "19/09/2011", "26/09/2011"]


def test_percent_lines_are_drawn_on_0_to_100():
    weeks = [date(2011, 11, 7) + timedelta(weeks=n) for n in range(3)]
    table = Table(
        "ack",
        "Taux d'accusés de réception",
        [Column("week", "Semaine", Kind.DATE), Column("rate", "Jalon 1", Kind.PERCENT)],
        [[Cell(week), Cell(rate)] for week, rate in zip(weeks, [0.1, 0.455, 0.9], strict=True)],
    )
    root = parse(line_chart(table, x="week", series=["rate"]))
    assert axis_texts(root)[:6] == [f"{n}{NNBSP}%" for n in (0, 20, 40, 60, 80, 100)]
    tooltips = [node.text for node in root.iter(f"{SVG}title")][1:]
    assert f"14/11/2011 — Jalon 1 : 45,5{NNBSP}%" in tooltips


def test_many_weeks_keep_x_labels_apart():
    weeks = [date(2011, 9, 5) + timedelta(weeks=n) for n in range(120)]
    table = Table(
        "weekly",
        "Activité",
        [Column("week", "Semaine", Kind.DATE), Column("opened", "Ouvertes")],
        [[Cell(week), Cell(n % 17)] for n, week in enumerate(weeks)],
    )
    root = parse(line_chart(table, x="week", series=["opened"]))
    labels = [text for text in axis_texts(root) if "/" in text]
    assert labels[0] == "05/09/2011" and labels[-1] == weeks[-1].strftime("%d/%m/%Y")
    assert 4 <= len(labels) <= 10
    # No markers on a long series: the line alone.
    assert not list(root.iter(f"{SVG}circle"))

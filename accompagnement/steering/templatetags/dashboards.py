"""Dashboard tables in the page: one section per table (title, description, chart, data
table, CSV and XLSX links)."""

from django import template

from accompagnement.steering.dashboards.formatting import format_value
from accompagnement.steering.dashboards.tables import Kind, Table

register = template.Library()

NUMERIC = {Kind.INT, Kind.DECIMAL, Kind.PERCENT}


def _cells(cells, columns) -> list[dict]:
    return [
        {
            "text": format_value(cell.value, column.kind),
            "url": cell.url,
            "numeric": column.kind in NUMERIC,
        }
        for cell, column in zip(cells, columns, strict=True)
    ]


@register.inclusion_tag("steering/_section.html")
def dashboard_section(table: Table, view: str, export_query: str, chart="", heading="h2"):
    return {
        "table": table,
        "view": view,
        "export_query": export_query,
        "chart": chart,
        "heading": heading,
        "rows": [_cells(row, table.columns) for row in table.rows],
        "footer": _cells(table.footer, table.columns) if table.footer else None,
        "numeric": [column.kind in NUMERIC for column in table.columns],
    }


@register.filter
def figure(value, kind: str = "int") -> str:
    """A key figure in French format: `{{ summary.opened|figure }}`, `|figure:"percent"`."""
    return format_value(value, Kind(kind)) or "—"

"""French formats of dashboard values: 1 234, 12,5, 12,5 %, 26/11/2026."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from accompagnement.steering.dashboards.tables import Kind

NARROW_NBSP = "\u202f"


def french_number(value: float | int | Decimal, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def format_value(value, kind: Kind) -> str:
    """A value as the page shows it; empty for None."""
    if value is None or value == "":
        return ""
    if kind == Kind.INT:
        return french_number(value)
    if kind == Kind.DECIMAL:
        return french_number(value, 1)
    if kind == Kind.PERCENT:
        return f"{french_number(value * 100, 1)}{NARROW_NBSP}%"
    if kind == Kind.DATETIME and isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if kind == Kind.DATE and isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)

"""SQL aggregates the dashboards need beyond Django's own, identical on PostgreSQL and SQLite."""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Aggregate, FloatField

SQLITE_PERCENTILE = "acc_percentile_cont"


class Percentile(Aggregate):
    """Continuous percentile of `expression` (`fraction` between 0 and 1), nulls ignored.

    PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`; on SQLite,
    a Python aggregate with the same interpolation (`register_sqlite_functions`).
    """

    name = "Percentile"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = f"percentile_cont({self.fraction!r}) WITHIN GROUP (ORDER BY %(expressions)s)"
        return self._with_template(template).as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = f"{SQLITE_PERCENTILE}(%(expressions)s, {self.fraction!r})"
        return self._with_template(template).as_sql(compiler, connection, **extra_context)

    def _with_template(self, template: str) -> "Percentile":
        # The fraction is a checked float, written as a literal: PostgreSQL wants a
        # constant there, and Aggregate.as_sql adds the FILTER clause to `template`.
        clone = self.copy()
        clone.template = template
        return clone


def one_decimal(value: float | None) -> Decimal | None:
    """A number of working days as the dashboards show and export it: one decimal."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's `percentile_cont`: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    low_value = float(ordered[lower])
    return low_value + (float(ordered[upper]) - low_value) * (position - lower)


class _SQLitePercentile:
    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return percentile_cont(self.values, self.fraction)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: gives SQLite the aggregates PostgreSQL has."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_PERCENTILE, 2, _SQLitePercentile)

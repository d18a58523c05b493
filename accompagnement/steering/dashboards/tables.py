"""What every indicator returns: a table that the page shows, a chart draws and an export
writes, so that the three always say the same thing."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    """How a column's values are shown (page) and written (CSV, XLSX)."""

    TEXT = "text"
    INT = "int"  # a count
    DECIMAL = "decimal"  # e.g. a median of working days, one decimal
    PERCENT = "percent"  # a share between 0 and 1, shown as "12,5 %"
    DATE = "date"  # shown as 26/11/2026
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # French, used as the column heading in the page and in the exports
    kind: Kind = Kind.INT


@dataclass(frozen=True)
class Cell:
    value: str | int | float | Decimal | date | datetime | None
    # Where the number leads: the queue with the same filters (or a request's page).
    url: str = ""


@dataclass
class Table:
    key: str  # stable identifier, used in export URLs: /pilotage/export/<key>.csv
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    # A sentence that says what the table shows: caption, chart text alternative.
    description: str = ""
    # Shown when there are no rows.
    empty_message: str = "Aucune donnée pour ces filtres."
    # Optional totals row, same length as `columns`.
    footer: list[Cell] | None = None

    def column_index(self, key: str) -> int:
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        raise KeyError(key)

    def values(self, key: str) -> list:
        index = self.column_index(key)
        return [row[index].value for row in self.rows]

    def as_dicts(self) -> list[dict]:
        """Rows as `{column key: value}`, for tests and charts."""
        return [
            {column.key: cell.value for column, cell in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]

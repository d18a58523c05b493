"""Dashboard tables and the requests of a scope, as CSV or XLSX files.

CSV is written for Excel in French: `;` between fields, UTF-8 with a byte order mark,
decimal comma, dates as 26/11/2026. XLSX keeps true numbers and dates with French number
formats. Both stream: CSV row by row, XLSX from a temporary file written in openpyxl's
write-only mode, so that memory stays flat however many requests are exported.
"""

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accompagnement.axes.models import Axis
from accompagnement.steering.dashboards.scope import Scope
from accompagnement.steering.dashboards.tables import Column, Kind, Table
from accompagnement.support.enums import PRIORITY_SHORT_LABELS, EscalationTarget, Status

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
CSV_ROWS_PER_CHUNK = 500
QUERY_CHUNK_SIZE = 2000

XLSX_NUMBER_FORMATS = {
    Kind.DATE: "DD/MM/YYYY",
    Kind.DATETIME: "DD/MM/YYYY HH:MM",
    Kind.PERCENT: "0.0 %",
    Kind.DECIMAL: "0.0",
}
XLSX_MIN_WIDTH, XLSX_MAX_WIDTH = 8, 60
# Characters Excel refuses in a sheet name.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# A text cell starting with one of these would be read as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------- values


def _local(value: datetime) -> datetime:
    # Europe/Paris (the default zone; `get_default_timezone` is cached, unlike the current one).
    return value.astimezone(timezone.get_default_timezone()) if value.tzinfo else value


def csv_heading(column: Column) -> str:
    return f"{column.label} (%)" if column.kind == Kind.PERCENT else str(column.label)


def _decimal_comma(value: float | Decimal) -> str:
    return f"{float(value):.1f}".replace(".", ",")


def csv_value(value, kind: Kind) -> str:
    """A value as the CSV writes it: French formats, no thousand separator."""
    if value is None or value == "":
        return ""
    if kind == Kind.PERCENT:
        return _decimal_comma(float(value) * 100)
    if kind == Kind.DECIMAL:
        return _decimal_comma(value)
    if isinstance(value, datetime):
        local = _local(value)
        return local.strftime("%d/%m/%Y") if kind == Kind.DATE else local.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float | Decimal):
        return _decimal_comma(value)
    text = str(value)
    if kind == Kind.TEXT and text.startswith(_FORMULA_START):
        return "'" + text  # kept as text, never run as a formula
    return text


def _xlsx_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return csv_value(value, Kind.DATETIME if isinstance(value, datetime) else Kind.DATE)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _xlsx_number(value) -> int | float | None:
    if value is None or value == "":
        return None
    return float(value) if isinstance(value, Decimal) else value


def _xlsx_date(value) -> date | None:
    if isinstance(value, datetime):
        return _local(value).date()
    return value or None


def _xlsx_datetime(value) -> datetime | date | None:
    if isinstance(value, datetime):
        return _local(value).replace(tzinfo=None)
    return value or None


# What openpyxl is given, per kind: numbers, and naive local dates (Excel has no zones).
_XLSX_CONVERTERS = {
    Kind.TEXT: _xlsx_text,
    Kind.INT: _xlsx_number,
    Kind.DECIMAL: _xlsx_number,
    Kind.PERCENT: _xlsx_number,
    Kind.DATE: _xlsx_date,
    Kind.DATETIME: _xlsx_datetime,
}


def sheet_title(title: str) -> str:
    """A valid sheet name: at most 31 characters, none of `[]:*?/\\`."""
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", _SHEET_FORBIDDEN.sub(" ", str(title)))
    cleaned = " ".join(cleaned.split())[:31].strip().strip("'")
    return cleaned or _("Tableau")


def _attachment(filename: str, extension: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", filename).strip("-") or "export"
    return f'attachment; filename="{safe}.{extension}"'


# ---------------------------------------------------------------------- CSV


class _Echo:
    """A file-like object for `csv.writer` that hands each line back."""

    def write(self, value: str) -> str:
        return value


def _csv_stream(headings: list[str], lines: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield BOM + writer.writerow(headings)
    chunk = []
    for line in lines:
        chunk.append(writer.writerow(line))
        if len(chunk) >= CSV_ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _csv_response(stream: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(filename, "csv")
    return response


def table_csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    """The table as CSV (with its totals row, if any). No query."""
    kinds = [column.kind for column in table.columns]
    rows = [*table.rows, *([table.footer] if table.footer else [])]
    lines = (
        [csv_value(cell.value, kind) for cell, kind in zip(row, kinds, strict=True)] for row in rows
    )
    headings = [csv_heading(column) for column in table.columns]
    return _csv_response(_csv_stream(headings, lines), filename)


# ---------------------------------------------------------------------- XLSX


class _XlsxSheet:
    """A write-only sheet: bold frozen header, column widths, French number formats."""

    def __init__(self, title: str, columns: list[Column], widths: list[float]):
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(sheet_title(title))
        self.kinds = [column.kind for column in columns]
        self.converters = [_XLSX_CONVERTERS[kind] for kind in self.kinds]
        self.sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            letter = get_column_letter(index)
            self.sheet.column_dimensions[letter].width = width
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.sheet, ILLEGAL_CHARACTERS_RE.sub("", str(column.label)))
            cell.font = bold
            header.append(cell)
        self.sheet.append(header)
        # One styled cell per formatted column, reused row after row: a write-only sheet
        # writes each appended row at once, and setting a style on a new cell each time
        # is what costs most with many rows.
        self.formatted = {}
        for index, kind in enumerate(self.kinds):
            if kind in XLSX_NUMBER_FORMATS:
                cell = WriteOnlyCell(self.sheet)
                cell.number_format = XLSX_NUMBER_FORMATS[kind]
                self.formatted[index] = cell

    def append(self, values: list, bold: bool = False) -> None:
        row = []
        for index, value in enumerate(values):
            value = self.converters[index](value)
            if value is None:
                row.append(None)
            elif bold:
                cell = WriteOnlyCell(self.sheet, value)
                cell.font = Font(bold=True)
                if self.kinds[index] in XLSX_NUMBER_FORMATS:
                    cell.number_format = XLSX_NUMBER_FORMATS[self.kinds[index]]
                row.append(self._as_text(cell))
            elif index in self.formatted:
                cell = self.formatted[index]
                cell.value = value
                row.append(cell)
            elif value.__class__ is str and value.startswith("="):
                row.append(self._as_text(WriteOnlyCell(self.sheet, value)))
            else:
                row.append(value)
        self.sheet.append(row)

    @staticmethod
    def _as_text(cell: WriteOnlyCell) -> WriteOnlyCell:
        if cell.data_type == "f":
            cell.data_type = "s"  # text from the data, never a formula
        return cell

    def response(self, filename: str) -> FileResponse:
        file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
        self.workbook.save(file)
        file.seek(0)
        response = FileResponse(file, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = _attachment(filename, "xlsx")
        return response


def _width(text: str) -> float:
    return min(XLSX_MAX_WIDTH, max(XLSX_MIN_WIDTH, len(text) + 2))


def table_xlsx_response(table: Table, filename: str) -> FileResponse:
    """The table as an XLSX workbook of one sheet (with its totals row, if any). No query."""
    rows = [*table.rows, *([table.footer] if table.footer else [])]
    widths = []
    for index, column in enumerate(table.columns):
        texts = [str(column.label)] + [csv_value(row[index].value, column.kind) for row in rows]
        widths.append(max(_width(text) for text in texts))
    sheet = _XlsxSheet(table.title, table.columns, widths)
    for row in table.rows:
        sheet.append([cell.value for cell in row])
    if table.footer:
        sheet.append([cell.value for cell in table.footer], bold=True)
    return sheet.response(filename)


# ---------------------------------------------------------------------- every request


def request_columns() -> list[Column]:
    """The columns of the requests export, in French (never messages nor notes)."""
    return [
        Column("reference", _("Référence"), Kind.TEXT),
        Column("created_at", _("Déposée le"), Kind.DATETIME),
        Column("ddi", _("DDI"), Kind.TEXT),
        Column("ddi_kind", _("Type de DDI"), Kind.TEXT),
        Column("department", _("Département"), Kind.TEXT),
        Column("region", _("Région"), Kind.TEXT),
        Column("axis", _("Axe"), Kind.TEXT),
        Column("category", _("Catégorie"), Kind.TEXT),
        Column("programme", _("Programme"), Kind.TEXT),
        Column("csp", _("CSP"), Kind.TEXT),
        Column("priority", _("Priorité"), Kind.TEXT),
        Column("status", _("Statut"), Kind.TEXT),
        Column("assignee", _("Attribuée à"), Kind.TEXT),
        Column("first_response_at", _("Première réponse le"), Kind.DATETIME),
        Column("resolved_at", _("Résolue le"), Kind.DATETIME),
        Column("closed_at", _("Clôturée le"), Kind.DATETIME),
        Column("first_response_days", _("Délai de première réponse (jours ouvrés)"), Kind.INT),
        Column("resolution_days", _("Délai de résolution (jours ouvrés)"), Kind.INT),
        Column("escalation_target", _("Escaladée vers"), Kind.TEXT),
        Column("reopened_count", _("Réouvertures"), Kind.INT),
    ]


# Only what the export writes, joined in the same query.
REQUEST_FIELDS = (
    "reference",
    "created_at",
    "ddi__kind",
    "ddi__department__code",
    "ddi__department__name",
    "ddi__department__region__name",
    "axis",
    "category__name",
    "programme__code",
    "programme__label",
    "service_centre__name",
    "priority",
    "status",
    "assignee__first_name",
    "assignee__last_name",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "first_response_days",
    "resolution_days",
    "escalation_target",
    "reopened_count",
)
# Widths of the requests sheet, in characters, in the order of `request_columns()`.
REQUEST_WIDTHS = [16, 17, 12, 12, 28, 28, 40, 40, 40, 36, 10, 20, 24, 17, 17, 17, 16, 16, 30, 12]


def _request_rows(scope: Scope) -> Iterator[list]:
    """One list of values per request created in the scope's period, oldest first.

    One query, read `QUERY_CHUNK_SIZE` rows at a time (a server-side cursor on
    PostgreSQL).
    """
    axes = {value: str(label) for value, label in Axis.choices}
    priorities = {value: str(label) for value, label in PRIORITY_SHORT_LABELS.items()}
    statuses = {value: str(label) for value, label in Status.choices}
    targets = {value: str(label) for value, label in EscalationTarget.choices}
    queryset = scope.created_in_period().order_by("created_at", "pk").values_list(*REQUEST_FIELDS)
    for (
        reference,
        created_at,
        ddi_kind,
        department_code,
        department_name,
        region,
        axis,
        category,
        programme_code,
        programme_label,
        csp,
        priority,
        status,
        assignee_first_name,
        assignee_last_name,
        first_response_at,
        resolved_at,
        closed_at,
        first_response_days,
        resolution_days,
        escalation_target,
        reopened_count,
    ) in queryset.iterator(chunk_size=QUERY_CHUNK_SIZE):
        yield [
            reference,
            created_at,
            f"{ddi_kind} {department_code}",
            ddi_kind,
            f"{department_name} ({department_code})",
            region,
            axes.get(axis, axis),
            category,
            f"P{programme_code} — {programme_label}" if programme_code else "",
            csp or "",
            priorities.get(priority, priority),
            statuses.get(status, status),
            f"{assignee_first_name or ''} {assignee_last_name or ''}".strip(),
            first_response_at,
            resolved_at,
            closed_at,
            first_response_days,
            resolution_days,
            targets.get(escalation_target, escalation_target),
            reopened_count,
        ]


def requests_filename(scope: Scope) -> str:
    return f"demandes-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"


def requests_csv_response(scope: Scope) -> StreamingHttpResponse:
    """Every request created in the scope, as CSV streamed while it is read: 1 query."""
    columns = request_columns()
    kinds = [column.kind for column in columns]
    lines = (
        [csv_value(value, kind) for value, kind in zip(values, kinds, strict=True)]
        for values in _request_rows(scope)
    )
    headings = [csv_heading(column) for column in columns]
    return _csv_response(_csv_stream(headings, lines), requests_filename(scope))


def requests_xlsx_response(scope: Scope) -> FileResponse:
    """Every request created in the scope, as XLSX written to a temporary file: 1 query."""
    sheet = _XlsxSheet(_("Demandes"), request_columns(), REQUEST_WIDTHS)
    for values in _request_rows(scope):
        sheet.append(values)
    return sheet.response(requests_filename(scope))

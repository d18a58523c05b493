"""The partners' response times as a CSV or XLSX file (`/pilotage/export/partenaires.<fmt>`).

Written for Excel in French, like the dashboards' exports: CSV with `;` between fields,
UTF-8 with a byte order mark and a decimal comma; XLSX with true numbers, French number
formats, a bold frozen header (openpyxl's write-only mode). A few hundred partners at
most: the file is built in memory. A text starting like a formula is kept as text.
"""

import csv
import io
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.selectors.stats import PartnerFigures, PartnerStats

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT, INT, HOURS, PERCENT = "text", "int", "hours", "percent"
XLSX_FORMATS = {HOURS: "0.0", PERCENT: "0.0 %"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = INT
    width: int = 14


def columns() -> list[Column]:
    """The columns of the page's table, in its order."""
    return [
        Column(_("Partenaire"), TEXT, 48),
        Column(_("Code"), TEXT, 28),
        Column(_("Nature"), TEXT, 30),
        Column(_("Délai promis (heures ouvrées)")),
        Column(_("Escalades envoyées sur la période")),
        Column(_("Ouvertes aujourd’hui")),
        Column(_("En retard aujourd’hui")),
        Column(_("Répondues")),
        Column(_("Délai de réponse médian (heures ouvrées)"), HOURS),
        Column(_("Délai de réponse, 90e centile (heures ouvrées)"), HOURS),
        Column(_("Réponses hors délai"), PERCENT),
    ]


def _values(row: PartnerFigures) -> list:
    partner = row.partner
    if partner is None:
        identity = [_("Tous les partenaires"), "", "", None]
    else:
        kind = PartnerKind(partner.kind).label if partner.kind in PartnerKind.values else ""
        identity = [partner.name, partner.code, str(kind), partner.response_hours]
    return [
        *identity,
        row.sent,
        row.open_now,
        row.overdue_now,
        row.answered,
        row.median_hours,
        row.p90_hours,
        row.late_share,
    ]


def rows(stats: PartnerStats) -> list[list]:
    """The partners with escalations, those without (zeros), then the total."""
    idle = [PartnerFigures(partner) for partner in stats.idle]
    return [_values(row) for row in [*stats.rows, *idle, stats.total]]


def filename(stats: PartnerStats) -> str:
    return f"partenaires-{stats.period.start:%Y%m%d}-{stats.period.end:%Y%m%d}"


def _csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == PERCENT:
        value = value * 100
    if kind in (HOURS, PERCENT):
        return f"{value:.1f}".replace(".", ",")
    text = str(value)
    return "'" + text if kind == TEXT and text.startswith(_FORMULA_START) else text


def _attachment(response: HttpResponse, name: str, extension: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


def csv_response(stats: PartnerStats) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    header = columns()
    writer.writerow([f"{c.label} (%)" if c.kind == PERCENT else c.label for c in header])
    for values in rows(stats):
        writer.writerow(
            [_csv_value(value, column.kind) for value, column in zip(values, header, strict=True)]
        )
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    return _attachment(response, filename(stats), "csv")


def _xlsx_cell(sheet, value, column: Column, bold: bool = False):
    if value is None:
        return None
    if column.kind == TEXT:
        value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value)
    if column.kind == TEXT and cell.data_type == "f":
        cell.data_type = "s"  # text from the data, never a formula
    if column.kind in XLSX_FORMATS:
        cell.number_format = XLSX_FORMATS[column.kind]
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_response(stats: PartnerStats) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Partenaires"))
    header = columns()
    sheet.freeze_panes = "A2"
    for index, column in enumerate(header):
        sheet.column_dimensions[chr(ord("A") + index)].width = column.width
    sheet.append([_xlsx_cell(sheet, c.label, Column(c.label, TEXT), bold=True) for c in header])
    lines = rows(stats)
    for number, values in enumerate(lines, start=1):
        total = number == len(lines)
        sheet.append(
            [
                _xlsx_cell(sheet, value, column, bold=total)
                for value, column in zip(values, header, strict=True)
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, filename(stats), "xlsx")

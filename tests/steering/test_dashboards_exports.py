"""CSV and XLSX exports: French formats, streaming, a fixed number of queries, and only the
columns meant to leave the portal."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook

from accompagnement.axes.models import Axis
from accompagnement.steering.dashboards import exports
from accompagnement.steering.dashboards.exports import (
    requests_csv_response,
    requests_xlsx_response,
    sheet_title,
    table_csv_response,
    table_xlsx_response,
)
from accompagnement.steering.dashboards.scope import Period, Scope
from accompagnement.steering.dashboards.tables import Cell, Column, Kind, Table
from accompagnement.support.enums import EscalationTarget, Priority, Status
from ddi.enums import DDIKind
from tests.accounts.factories import UserFactory
from tests.ddi.factories import (
    DDIFactory,
    DepartmentFactory,
    ProgrammeFactory,
    RegionFactory,
    ServiceCentreFactory,
)
from tests.support.factories import CategoryFactory, MessageFactory, SupportRequestFactory

BOM = b"\xef\xbb\xbf"


def read_csv(response: StreamingHttpResponse) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content[len(BOM) :].decode("utf-8")), delimiter=";"))


def read_xlsx(response: FileResponse):
    content = b"".join(response.streaming_content)
    response.close()  # as the server does: the temporary file goes
    workbook = load_workbook(io.BytesIO(content))
    assert len(workbook.worksheets) == 1
    return workbook.worksheets[0]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---------------------------------------------------------------------- one table


@pytest.fixture
def table(db) -> Table:
    return Table(
        key="delais",
        title="Délais : médiane / 90e centile [jours ouvrés]",
        columns=[
            Column("category", "Catégorie", Kind.TEXT),
            Column("count", "Demandes", Kind.INT),
            Column("median", "Médiane", Kind.DECIMAL),
            Column("share", "Part dans les délais", Kind.PERCENT),
            Column("first", "Première", Kind.DATE),
            Column("last", "Dernière", Kind.DATETIME),
        ],
        rows=[
            [
                Cell("Restitutions", url="/equipe/file/?category=1"),
                Cell(1234),
                Cell(Decimal("2.5")),
                Cell(0.125),
                Cell(date(2011, 11, 2)),
                # 23:30 UTC on 30 November is 00:30 on 1 December in Paris.
                Cell(utc(2011, 11, 30, 23, 30)),
            ],
            [Cell("@SOMME(A1)"), Cell(0), Cell(None), Cell(1.0), Cell(None), Cell(None)],
        ],
        footer=[Cell("Total"), Cell(1234), Cell(2.5), Cell(0.5), Cell(None), Cell(None)],
    )


def test_table_csv(table, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = table_csv_response(table, "pilotage-qualite-delais")
        rows = read_csv(response)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pilotage-qualite-delais.csv"'
    assert rows == [
        ["Catégorie", "Demandes", "Médiane", "Part dans les délais (%)", "Première", "Dernière"],
        ["Restitutions", "1234", "2,5", "12,5", "02/11/2011", "01/12/2011 00:30"],
        # A text that a spreadsheet would run as a formula is kept as text.
        ["'@SOMME(A1)", "0", "", "100,0", "", ""],
        ["Total", "1234", "2,5", "50,0", "", ""],
    ]


def test_table_xlsx(table, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = table_xlsx_response(table, "pilotage-qualite-delais")
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="pilotage-qualite-delais.xlsx"'
    sheet = read_xlsx(response)
    assert sheet.title == "Délais médiane 90e centile jour"
    assert sheet.freeze_panes == "A2"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [
        ["Catégorie", "Demandes", "Médiane", "Part dans les délais", "Première", "Dernière"],
        [
            "Restitutions",
            1234,
            2.5,
            0.125,
            datetime(2011, 11, 2),
            datetime(2011, 12, 1, 0, 30),  # local time, without a zone
        ],
        ["@SOMME(A1)", 0, None, 1, None, None],
        ["Total", 1234, 2.5, 0.5, None, None],
    ]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet["A4"].font.b and sheet["D4"].font.b
    assert not sheet["A2"].font.b
    assert [sheet.cell(2, column).number_format for column in range(3, 7)] == [
        "0.0",
        "0.0 %",
        "DD/MM/YYYY",
        "DD/MM/YYYY HH:MM",
    ]
    assert sheet["D4"].number_format == "0.0 %"
    assert sheet.column_dimensions["A"].width == len("Restitutions") + 2
    assert sheet.column_dimensions["D"].width == len("Part dans les délais") + 2
    assert sheet.column_dimensions["B"].width == 10  # "Demandes" + 2


def test_an_empty_table_exports_its_headings(db):
    empty = Table("vide", "Vide", [Column("a", "Axe", Kind.TEXT), Column("n", "Demandes")])
    assert read_csv(table_csv_response(empty, "vide")) == [["Axe", "Demandes"]]
    sheet = read_xlsx(table_xlsx_response(empty, "vide"))
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["Axe", "Demandes"]]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Demandes par CSP", "Demandes par CSP"),
        ("Taux : accusés/jalon [%] ?", "Taux accusés jalon %"),
        ("'Cité'", "Cité"),
        ("", "Tableau"),
        ("Les 10 catégories qui ont le plus augmenté", "Les 10 catégories qui ont le pl"),
    ],
)
def test_sheet_titles_are_valid(title, expected):
    assert sheet_title(title) == expected
    assert len(sheet_title(title)) <= 31


def test_file_names_are_safe():
    empty = Table("vide", "Vide", [Column("a", "Axe", Kind.TEXT)])
    response = table_csv_response(empty, 'pilotage"\r\nX: y/../é')
    assert response["Content-Disposition"] == 'attachment; filename="pilotage-X-y.csv"'


# ---------------------------------------------------------------------- every request


@pytest.fixture
def november(db):
    """Four requests around November 2011 (Paris time), two of them inside it."""
    region = RegionFactory(code="93", name="Provence-Alpes-Côte d'Azur")
    ddpp = DDIFactory(
        kind=DDIKind.DDPP,
        department=DepartmentFactory(code="13", name="Bouches-du-Rhône", region=region),
    )
    ddt = DDIFactory(
        kind=DDIKind.DDT,
        department=DepartmentFactory(code="06", name="Alpes-Maritimes", region=region),
    )
    member = UserFactory(member=True, first_name="Hélène", last_name="Marchand")
    closed = SupportRequestFactory(
        reference="ACC-2011-00042",
        requester=UserFactory(ddi=ddpp),
        axis=Axis.TOOL,
        category=CategoryFactory(name="Restitutions", axis=Axis.TOOL),
        programme=ProgrammeFactory(
            code="215", label="Conduite et pilotage des politiques de l'agriculture"
        ),
        service_centre=ServiceCentreFactory(name="CSP de Marseille"),
        priority=Priority.HIGH,
        status=Status.CLOSED,
        assignee=member,
        body="Corps de la demande, qui reste dans le portail.",
        created_at=utc(2011, 11, 2, 8, 30),  # Wednesday 2 November, 09:30 in Paris
        first_response_at=utc(2011, 11, 3, 9, 0),
        # Friday 11 November is a public holiday: 7 working days from the 2nd to the 14th.
        resolved_at=utc(2011, 11, 14, 15, 45),
        closed_at=utc(2011, 11, 30, 23, 30),  # 00:30 on 1 December in Paris
    )
    MessageFactory(request=closed, internal=True, body="Note interne confidentielle")
    SupportRequestFactory(
        reference="ACC-2011-00041",
        requester=UserFactory(ddi=ddt),
        axis=Axis.PROCESS,
        category=CategoryFactory(name="=1+1 piège", axis=Axis.PROCESS),
        status=Status.ESCALATED,
        escalation_target=EscalationTarget.AIFE,
        reopened_count=2,
        created_at=utc(2011, 10, 31, 23, 30),  # 00:30 on 1 November in Paris: inside
    )
    SupportRequestFactory(  # 00:30 on 1 December in Paris: after the period
        reference="ACC-2011-00050",
        requester=UserFactory(ddi=ddpp),
        created_at=utc(2011, 11, 30, 23, 30),
    )
    SupportRequestFactory(  # 23:30 on 31 October in Paris: before the period
        reference="ACC-2011-00040",
        requester=UserFactory(ddi=ddpp),
        created_at=utc(2011, 10, 31, 22, 30),
    )
    return Scope(
        today=date(2011, 12, 15),
        start=date(2011, 11, 1),
        end=date(2011, 11, 30),
        period=Period.CUSTOM,
    )


HEADINGS = [
    "Référence",
    "Déposée le",
    "DDI",
    "Type de DDI",
    "Département",
    "Région",
    "Axe",
    "Catégorie",
    "Programme",
    "CSP",
    "Priorité",
    "Statut",
    "Attribuée à",
    "Première réponse le",
    "Résolue le",
    "Clôturée le",
    "Délai de première réponse (jours ouvrés)",
    "Délai de résolution (jours ouvrés)",
    "Escaladée vers",
    "Réouvertures",
]
ESCALATED_CSV = [
    "ACC-2011-00041",
    "01/11/2011 00:30",
    "DDT 06",
    "DDT",
    "Alpes-Maritimes (06)",
    "Provence-Alpes-Côte d'Azur",
    "Maîtrise des processus et de l'organisation financière",
    "'=1+1 piège",
    "",
    "",
    "Normale",
    "Escaladée",
    "",
    "",
    "",
    "",
    "",
    "",
    "AIFE",
    "2",
]
CLOSED_CSV = [
    "ACC-2011-00042",
    "02/11/2011 09:30",
    "DDPP 13",
    "DDPP",
    "Bouches-du-Rhône (13)",
    "Provence-Alpes-Côte d'Azur",
    "Maîtrise de l'outil Chorus",
    "Restitutions",
    "P215 — Conduite et pilotage des politiques de l'agriculture",
    "CSP de Marseille",
    "Haute",
    "Clôturée",
    "Hélène Marchand",
    "03/11/2011 10:00",
    "14/11/2011 16:45",
    "01/12/2011 00:30",
    "1",
    "7",
    "",
    "0",
]


def test_requests_csv(november, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = requests_csv_response(november)
        rows = read_csv(response)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == (
        'attachment; filename="demandes-20111101-20111130.csv"'
    )
    assert rows == [HEADINGS, ESCALATED_CSV, CLOSED_CSV]


def test_requests_csv_follows_the_filters(november):
    rows = read_csv(requests_csv_response(november.with_changes(ddi_kind=DDIKind.DDPP)))
    assert rows == [HEADINGS, CLOSED_CSV]
    rows = read_csv(requests_csv_response(november.with_changes(axis=Axis.PROCESS)))
    assert rows == [HEADINGS, ESCALATED_CSV]


def test_requests_xlsx(november, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = requests_xlsx_response(november)
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == (
        'attachment; filename="demandes-20111101-20111130.xlsx"'
    )
    sheet = read_xlsx(response)
    assert sheet.title == "Demandes"
    assert sheet.freeze_panes == "A2"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADINGS
    assert rows[1] == [
        "ACC-2011-00041",
        datetime(2011, 11, 1, 0, 30),
        "DDT 06",
        "DDT",
        "Alpes-Maritimes (06)",
        "Provence-Alpes-Côte d'Azur",
        "Maîtrise des processus et de l'organisation financière",
        "=1+1 piège",
        None,
        None,
        "Normale",
        "Escaladée",
        None,
        None,
        None,
        None,
        None,
        None,
        "AIFE",
        2,
    ]
    assert rows[2] == [
        "ACC-2011-00042",
        datetime(2011, 11, 2, 9, 30),
        "DDPP 13",
        "DDPP",
        "Bouches-du-Rhône (13)",
        "Provence-Alpes-Côte d'Azur",
        "Maîtrise de l'outil Chorus",
        "Restitutions",
        "P215 — Conduite et pilotage des politiques de l'agriculture",
        "CSP de Marseille",
        "Haute",
        "Clôturée",
        "Hélène Marchand",
        datetime(2011, 11, 3, 10, 0),
        datetime(2011, 11, 14, 16, 45),
        datetime(2011, 12, 1, 0, 30),
        1,
        7,
        None,
        0,
    ]
    assert len(rows) == 3
    assert sheet["H2"].data_type == "s"  # "=1+1 piège" is text, not a formula
    assert all(cell.font.b for cell in sheet[1])
    assert sheet["B3"].number_format == "DD/MM/YYYY HH:MM"
    assert sheet["P3"].number_format == "DD/MM/YYYY HH:MM"
    assert sheet.column_dimensions["A"].width == exports.REQUEST_WIDTHS[0]


def test_messages_and_notes_never_leave(november):
    csv_text = b"".join(requests_csv_response(november).streaming_content).decode()
    sheet = read_xlsx(requests_xlsx_response(november))
    xlsx_text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    for text in (csv_text, xlsx_text):
        assert "Note interne" not in text
        assert "Corps de la demande" not in text
        assert "Restitution INF-BUD-53" not in text  # the titles (factory default)


def test_requests_exports_take_one_query_whatever_the_size(
    november, monkeypatch, django_assert_num_queries
):
    SupportRequestFactory.create_batch(
        7, requester=UserFactory(ddi=DDIFactory()), created_at=utc(2011, 11, 20, 10, 0)
    )
    monkeypatch.setattr(exports, "QUERY_CHUNK_SIZE", 2)  # read 2 rows at a time
    monkeypatch.setattr(exports, "CSV_ROWS_PER_CHUNK", 3)
    with django_assert_num_queries(1):
        response = requests_csv_response(november)
        chunks = list(response.streaming_content)
    assert len(chunks) == 1 + 3  # headings, then 9 rows 3 by 3
    assert len(read_csv(requests_csv_response(november))) == 1 + 9
    with django_assert_num_queries(1):
        sheet = read_xlsx(requests_xlsx_response(november))
    assert sheet.max_row == 1 + 9

"""Read and validate `accompagnement/data/study.csv` (the optimisation study's phases), without
touching the database; the writes are `services.study_data_load`.

Same rules as the other data files (`ddi.csv_files`): the file is read whole and checked
before anything is written, and an error names the file and the line.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from accompagnement.study.models import StudyPhase, StudyPhaseKind
from ddi.csv_files import CsvFile, CsvRow, csv_field

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
STUDY_FILE = "study.csv"

# The studies the file may name, with what the file does not say about them. The 2011
# study runs from the end of September to December 2011 in full (DESIGN.md §1).
STUDIES = {
    "optimisation-2011": {
        "title": "Étude d'optimisation 2011",
        "description": (
            "Étude lancée par le SGG en même temps que l'équipe d'accompagnement, de fin "
            "septembre à décembre 2011 : analyse dans 2 DDCS, 2 DDPP, 2 DDCSPP et 1 DDT(M), "
            "puis recommandations et expérimentation dans 3 DDI, pour une adoption dans la "
            "gestion 2012."
        ),
        "source": "Note SGG du 9 septembre 2011 : brief interne (aucune trace publique retrouvée)",
        "confidence": "high",
    },
}
# What the migration `0007_study` first gave the study: the loader replaces these values,
# never a title or a description the pilot wrote.
FORMER_VALUES = {
    "optimisation-2011": {
        "title": {"Étude d'optimisation 2011-2012"},
        "description": {
            "Étude lancée par le SGG en même temps que l'équipe d'accompagnement : analyse dans "
            "2 DDCS, 2 DDPP, 2 DDCSPP et 1 DDT(M), puis recommandations et expérimentation dans "
            "3 DDI pour la gestion 2012."
        },
    },
}


@dataclass(frozen=True)
class StudyPhaseRecord:
    line: int
    study_code: str
    kind: str
    title: str
    description: str
    start_date: date
    end_date: date
    date_note: str
    source: str
    confidence: str


def _date(row: CsvRow, column: str) -> date:
    value = row.text(column)
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise row.error(
            _("date invalide « %(value)s » (AAAA-MM-JJ attendu)") % {"value": value}
        ) from error


def read_study_phases(data_dir: Path = DATA_DIR) -> list[StudyPhaseRecord]:
    """Every phase of the file, checked; `ReferenceDataError` at the first bad row."""
    file = CsvFile(
        data_dir,
        STUDY_FILE,
        [
            "study_code",
            "kind",
            "title",
            "description",
            "start_date",
            "end_date",
            "date_note",
            "source",
            "confidence",
        ],
    )
    records = []
    for row in file.rows():
        study_code = row.reference("study_code", set(STUDIES), _("étude inconnue « %(value)s »"))
        kind = row.choice("kind", StudyPhaseKind, _("phase inconnue « %(value)s »"))
        file.unique(row, (study_code, kind), f"{study_code} × {kind}")
        start_date, end_date = _date(row, "start_date"), _date(row, "end_date")
        if end_date < start_date:
            raise row.error(_("la fin précède le début"))
        records.append(
            StudyPhaseRecord(
                line=row.line,
                study_code=study_code,
                kind=kind,
                title=row.text("title", field=csv_field(StudyPhase, "title")),
                description=row.text("description", required=False),
                start_date=start_date,
                end_date=end_date,
                date_note=row.text(
                    "date_note", required=False, field=csv_field(StudyPhase, "date_note")
                ),
                **row.sourced(),
            )
        )
    return records

"""`accompagnement/data/study.csv` and its loader: the 2011 study runs from the end of
September to December 2011 in full, and `load_reference_data` brings an existing database's
indicative phase dates to the file (dates the pilot confirmed are kept)."""

import itertools
import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from accompagnement.study.loaders import DATA_DIR, read_study_phases
from accompagnement.study.models import Study, StudyPhase, StudyPhaseKind
from accompagnement.study.services import study_data_load
from ddi.csv_files import ReferenceDataError
from tests.ddi.data_files import rewrite_cell

pytestmark = pytest.mark.django_db

# What the database held before the fix: recommendations in January-February 2012, the
# experiment from March to December 2012.
FORMER_DATES = {
    StudyPhaseKind.ANALYSIS: (date(2011, 9, 26), date(2011, 12, 31), "low"),
    StudyPhaseKind.RECOMMENDATIONS: (date(2012, 1, 2), date(2012, 2, 29), "inferred"),
    StudyPhaseKind.EXPERIMENTATION: (date(2012, 3, 1), date(2012, 12, 31), "inferred"),
}


@pytest.fixture
def study_dir(tmp_path) -> Path:
    return Path(shutil.copytree(DATA_DIR, tmp_path / "data"))


@pytest.fixture
def former_study():
    """The 2011 study as the migration and the old file left it."""
    study, _ = Study.objects.update_or_create(
        code="optimisation-2011", defaults={"title": "Étude d'optimisation 2011-2012"}
    )
    for kind, (start, end, confidence) in FORMER_DATES.items():
        StudyPhase.objects.update_or_create(
            study=study,
            kind=kind,
            defaults={
                "title": str(kind.label),
                "start_date": start,
                "end_date": end,
                "confidence": confidence,
            },
        )
    return study


def phases(study) -> dict[str, StudyPhase]:
    return {phase.kind: phase for phase in study.phases.all()}


def test_the_whole_study_runs_from_the_end_of_september_to_december_2011():
    records = {record.kind: record for record in read_study_phases()}

    assert list(records) == list(StudyPhaseKind.values)
    spans = [(records[kind].start_date, records[kind].end_date) for kind in StudyPhaseKind.values]
    assert spans[0][0] == date(2011, 9, 26)
    assert spans[-1][1] == date(2011, 12, 31)
    # One after the other, none in 2012.
    assert all(end < next_start for (_, end), (next_start, _) in itertools.pairwise(spans))
    assert all(start.year == end.year == 2011 for start, end in spans)
    assert {record.confidence for record in records.values()} <= {"low", "inferred"}
    assert not any("2012" in record.date_note for record in records.values())


def test_a_reload_moves_the_indicative_dates_of_an_existing_database(former_study):
    report = study_data_load(read_study_phases())

    assert (report.created, report.updated, report.unchanged) == (0, 3, 0)
    loaded = phases(former_study)
    assert (
        loaded[StudyPhaseKind.RECOMMENDATIONS].start_date,
        loaded[StudyPhaseKind.RECOMMENDATIONS].end_date,
    ) == (date(2011, 10, 31), date(2011, 11, 18))
    assert (
        loaded[StudyPhaseKind.EXPERIMENTATION].start_date,
        loaded[StudyPhaseKind.EXPERIMENTATION].end_date,
    ) == (date(2011, 11, 21), date(2011, 12, 31))
    assert loaded[StudyPhaseKind.EXPERIMENTATION].is_date_indicative
    former_study.refresh_from_db()
    assert former_study.title == "Étude d'optimisation 2011"
    assert "de fin septembre à décembre 2011" in former_study.description
    # Once is enough.
    report = study_data_load(read_study_phases())
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


def test_dates_the_pilot_confirmed_and_a_title_the_pilot_chose_are_kept(former_study):
    former_study.title = "Étude SGG sur l'organisation financière des DDI"
    former_study.save(update_fields=["title"])
    StudyPhase.objects.filter(study=former_study, kind=StudyPhaseKind.EXPERIMENTATION).update(
        start_date=date(2011, 12, 1), end_date=date(2011, 12, 23), confidence="high"
    )

    study_data_load(read_study_phases())

    experiment = phases(former_study)[StudyPhaseKind.EXPERIMENTATION]
    assert (experiment.start_date, experiment.end_date) == (date(2011, 12, 1), date(2011, 12, 23))
    assert experiment.confidence == "high"
    # What the file owns still follows it.
    assert experiment.title == "Expérimentation dans trois DDI"
    former_study.refresh_from_db()
    assert former_study.title == "Étude SGG sur l'organisation financière des DDI"


def test_a_fresh_database_gets_the_study_and_its_phases():
    Study.objects.filter(code="optimisation-2011").delete()

    report = study_data_load(read_study_phases())

    assert report.created == 3
    study = Study.objects.get(code="optimisation-2011")
    assert study.title == "Étude d'optimisation 2011"
    assert (study.required_pilot_ddis, study.required_ddcs) == (3, 2)


def test_load_reference_data_brings_the_study_in_line(former_study):
    out = StringIO()
    call_command("load_reference_data", "--no-progress", stdout=out, stderr=StringIO())

    assert "study.csv : 0 créées, 3 mises à jour, 0 inchangées" in out.getvalue()
    assert phases(former_study)[StudyPhaseKind.RECOMMENDATIONS].end_date == date(2011, 11, 18)


@pytest.mark.parametrize(
    ("line", "column", "value", "message"),
    [
        (2, "start_date", "fin septembre", "ligne 2 : date invalide « fin septembre »"),
        (3, "end_date", "2011-10-01", "ligne 3 : la fin précède le début"),
        (4, "kind", "bilan", "ligne 4 : phase inconnue « bilan »"),
        (2, "study_code", "etude-2012", "ligne 2 : étude inconnue « etude-2012 »"),
        (3, "kind", "analysis", "ligne 3 : doublon"),
    ],
)
def test_a_bad_row_names_the_line_and_loads_nothing(study_dir, line, column, value, message):
    rewrite_cell(study_dir / "study.csv", line, column, value)

    with pytest.raises(ReferenceDataError) as error:
        read_study_phases(study_dir)

    assert str(error.value).startswith(f"study.csv, {message}")

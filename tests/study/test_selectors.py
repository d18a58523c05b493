"""The optimisation study's reads: the analysed DDIs' mix, the pilot DDIs, the phases'
progress, and the seeded 2011 study."""

import importlib
from datetime import date

import pytest
from django.apps import apps

from accompagnement.study import selectors as study_selectors
from accompagnement.study.models import PhaseStatus, Study, StudyPhaseKind
from ddi.enums import DDIKind
from tests.ddi.factories import DDIFactory
from tests.study.factories import (
    DiagnosticFactory,
    ExperimentFactory,
    RecommendationFactory,
    StudyFactory,
    StudyPhaseFactory,
)

REQUIRED_2011 = {"DDCS": 2, "DDPP": 2, "DDCSPP": 2, "DDT(M)": 1}
COMPLETE = ["DDCS", "DDCS", "DDPP", "DDPP", "DDCSPP", "DDCSPP", "DDT"]


def planned(check):
    return {line.group: line.planned for line in check.lines}


def test_the_2011_mix_is_complete():
    check = study_selectors.analysis_mix(COMPLETE, REQUIRED_2011)
    assert check.is_complete
    assert check.messages() == []


def test_a_missing_ddpp_is_named_in_plain_french():
    check = study_selectors.analysis_mix(
        ["DDCS", "DDCS", "DDPP", "DDCSPP", "DDCSPP", "DDT"], REQUIRED_2011
    )
    assert not check.is_complete
    assert check.messages() == ["Il manque 1 DDPP"]


def test_a_ddtm_counts_as_the_ddt_m():
    kinds = [*COMPLETE[:-1], "DDTM"]
    check = study_selectors.analysis_mix(kinds, REQUIRED_2011)
    assert check.is_complete
    assert planned(check)["DDT(M)"] == 1


def test_an_extra_ddcs_does_not_fill_a_missing_ddpp():
    check = study_selectors.analysis_mix(
        ["DDCS", "DDCS", "DDCS", "DDPP", "DDCSPP", "DDCSPP", "DDTM"], REQUIRED_2011
    )
    assert not check.is_complete
    assert check.messages() == ["1 DDCS de trop", "Il manque 1 DDPP"]


def test_an_empty_study_misses_every_kind():
    check = study_selectors.analysis_mix([], REQUIRED_2011)
    assert check.messages() == [
        "Il manque 2 DDCS",
        "Il manque 2 DDPP",
        "Il manque 2 DDCSPP",
        "Il manque 1 DDT(M)",
    ]


@pytest.mark.django_db
def test_overview_checks_the_mix_of_the_study_in_the_database():
    study = StudyFactory()
    for kind in ("DDCS", "DDCS", "DDPP", "DDCSPP", "DDCSPP", "DDTM"):
        DiagnosticFactory(study=study, kind=kind)
    DiagnosticFactory(kind=DDIKind.DDPP)  # another study's diagnostic does not count
    overview = study_selectors.study_overview(study, today=date(2011, 11, 1))
    assert overview.mix.messages() == ["Il manque 1 DDPP"]
    assert len(overview.diagnostics) == 6


@pytest.mark.django_db
def test_pilot_ddis_are_counted_once_each_against_three():
    study = StudyFactory()
    first, second = RecommendationFactory(study=study), RecommendationFactory(study=study)
    ddi_a, ddi_b = DDIFactory(), DDIFactory()
    ExperimentFactory(recommendation=first, ddi=ddi_a)
    ExperimentFactory(recommendation=second, ddi=ddi_a)
    ExperimentFactory(recommendation=second, ddi=ddi_b)
    overview = study_selectors.study_overview(study, today=date(2012, 4, 1))
    assert overview.pilots.count == 2
    assert overview.pilots.message() == "Il manque 1 DDI pilote (3 attendues)."

    ExperimentFactory(recommendation=first, ddi=DDIFactory())
    overview = study_selectors.study_overview(study, today=date(2012, 4, 1))
    assert overview.pilots.message() == ""

    ExperimentFactory(recommendation=first, ddi=DDIFactory())
    overview = study_selectors.study_overview(study, today=date(2012, 4, 1))
    assert overview.pilots.message().startswith("4 DDI pilotes pour 3 attendues")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "status", "progress"),
    [
        (date(2011, 9, 1), PhaseStatus.UPCOMING, 0),
        (date(2011, 9, 26), PhaseStatus.CURRENT, 1),
        (date(2011, 11, 13), PhaseStatus.CURRENT, 51),  # day 49 of 97,
        (date(2011, 12, 31), PhaseStatus.CURRENT, 100),
        (date(2012, 1, 15), PhaseStatus.DONE, 100),
    ],
)
def test_a_phase_progresses_with_the_calendar(today, status, progress):
    phase = StudyPhaseFactory(start_date=date(2011, 9, 26), end_date=date(2011, 12, 31))
    assert phase.status_on(today) == status
    assert phase.progress_on(today) == progress


@pytest.mark.django_db
def test_the_2011_study_and_its_three_phases_are_seeded_once():
    seed = importlib.import_module("accompagnement.migrations.0007_study").seed_study
    seed(apps, None)
    seed(apps, None)  # idempotent
    study = Study.objects.get(code="optimisation-2011")
    phases = {phase.kind: phase for phase in study.phases.all()}
    assert set(phases) == set(StudyPhaseKind.values)
    analysis = phases[StudyPhaseKind.ANALYSIS]
    assert (analysis.start_date, analysis.end_date) == (date(2011, 9, 26), date(2011, 10, 28))
    assert analysis.is_date_indicative  # "fin septembre": the day is an assumption
    # The whole study, experiment included, runs from the end of September to December 2011.
    assert phases[StudyPhaseKind.EXPERIMENTATION].end_date == date(2011, 12, 31)
    assert all(phase.end_date.year == 2011 for phase in phases.values())
    assert (study.required_ddcs, study.required_ddpp, study.required_ddcspp) == (2, 2, 2)
    assert (study.required_ddtm, study.required_pilot_ddis) == (1, 3)

"""The study's writes leave a trace in the admin log: who, when, and which fields changed."""

from datetime import date

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accompagnement.axes.models import Axis
from accompagnement.study import services
from accompagnement.study.models import DiagnosticStatus, ExperimentStatus, RecommendationStatus
from tests.ddi.factories import DDIFactory
from tests.study.factories import (
    DiagnosticFactory,
    ExperimentFactory,
    RecommendationFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
    )


def only_entry_for(obj):
    entries = entries_for(obj)
    assert len(entries) == 1
    return entries[0]


def test_changing_the_visibility_logs_who_did_it(pilot):
    study = StudyFactory()

    services.study_set_visibility(study=study, visible_to_agents=True, actor=pilot)

    entry = only_entry_for(study)
    assert entry.user == pilot
    assert entry.action_flag == CHANGE
    assert entry.action_time is not None
    assert entry.get_change_message() == "Modifié : visible par les agents des DDI."


def test_setting_the_same_visibility_logs_nothing(pilot):
    study = StudyFactory(visible_to_agents=True)

    services.study_set_visibility(study=study, visible_to_agents=True, actor=pilot)

    assert entries_for(study) == []


def test_creating_a_diagnostic_logs_an_addition(member):
    study = StudyFactory()
    ddi = DDIFactory()

    diagnostic = services.diagnostic_save(
        study=study,
        ddi=ddi,
        status=DiagnosticStatus.IN_PROGRESS,
        start_date=date(2011, 10, 3),
        end_date=None,
        findings="  Délais trop longs  ",
        actor=member,
    )

    entry = only_entry_for(diagnostic)
    assert entry.user == member
    assert entry.action_flag == ADDITION
    assert entry.get_change_message() == "Ajout : DDI analysée, état, début, constats."


def test_updating_a_diagnostic_lists_the_changed_fields(member):
    diagnostic = DiagnosticFactory(start_date=date(2011, 10, 3))

    services.diagnostic_save(
        study=diagnostic.study,
        diagnostic=diagnostic,
        ddi=diagnostic.ddi,
        status=DiagnosticStatus.DONE,
        start_date=date(2011, 10, 3),
        end_date=date(2011, 11, 30),
        findings=diagnostic.findings,
        actor=member,
    )

    entry = only_entry_for(diagnostic)
    assert entry.user == member
    assert entry.action_flag == CHANGE
    assert entry.get_change_message() == "Modifié : état, fin."


def test_saving_a_diagnostic_unchanged_logs_nothing(member):
    diagnostic = DiagnosticFactory()

    services.diagnostic_save(
        study=diagnostic.study,
        diagnostic=diagnostic,
        ddi=diagnostic.ddi,
        status=diagnostic.status,
        start_date=diagnostic.start_date,
        end_date=diagnostic.end_date,
        # Stripped like the stored value: no change.
        findings=f"{diagnostic.findings}  ",
        actor=member,
    )

    assert entries_for(diagnostic) == []


def test_creating_a_recommendation_logs_an_addition(member):
    study = StudyFactory()

    recommendation = services.recommendation_save(
        study=study,
        title="Un correspondant Chorus par DDI",
        text="Connu du CSP.",
        axis=Axis.PRACTICES,
        status=RecommendationStatus.DRAFT,
        actor=member,
    )

    entry = only_entry_for(recommendation)
    assert entry.user == member
    assert entry.action_flag == ADDITION
    assert entry.get_change_message() == "Ajout : intitulé, contenu, axe."


def test_updating_a_recommendation_lists_the_changed_fields(member):
    recommendation = RecommendationFactory()

    services.recommendation_save(
        study=recommendation.study,
        recommendation=recommendation,
        title="Un nouvel intitulé",
        text=recommendation.text,
        axis=recommendation.axis,
        status=RecommendationStatus.ADOPTED,
        actor=member,
    )

    entry = only_entry_for(recommendation)
    assert entry.user == member
    assert entry.action_flag == CHANGE
    assert entry.get_change_message() == "Modifié : intitulé, état."


def test_saving_a_recommendation_unchanged_logs_nothing(member):
    recommendation = RecommendationFactory()

    services.recommendation_save(
        study=recommendation.study,
        recommendation=recommendation,
        title=recommendation.title,
        text=recommendation.text,
        axis=recommendation.axis,
        status=recommendation.status,
        actor=member,
    )

    assert entries_for(recommendation) == []


def test_creating_an_experiment_logs_an_addition(member):
    recommendation = RecommendationFactory()
    ddi = DDIFactory()

    experiment = services.experiment_save(
        recommendation=recommendation,
        ddi=ddi,
        status=ExperimentStatus.RUNNING,
        start_date=date(2012, 1, 9),
        end_date=date(2012, 3, 30),
        outcome="",
        actor=member,
    )

    entry = only_entry_for(experiment)
    assert entry.user == member
    assert entry.action_flag == ADDITION
    assert entry.get_change_message() == "Ajout : DDI pilote, état, début, fin."


def test_updating_an_experiment_lists_the_changed_fields(member):
    experiment = ExperimentFactory()
    other_ddi = DDIFactory()

    services.experiment_save(
        recommendation=experiment.recommendation,
        experiment=experiment,
        ddi=other_ddi,
        status=experiment.status,
        start_date=experiment.start_date,
        end_date=experiment.end_date,
        outcome="Des délais divisés par deux.",
        actor=member,
    )

    entry = only_entry_for(experiment)
    assert entry.user == member
    assert entry.action_flag == CHANGE
    assert entry.get_change_message() == "Modifié : DDI pilote, résultat."


def test_saving_an_experiment_unchanged_logs_nothing(member):
    experiment = ExperimentFactory()

    services.experiment_save(
        recommendation=experiment.recommendation,
        experiment=experiment,
        ddi=experiment.ddi,
        status=experiment.status,
        start_date=experiment.start_date,
        end_date=experiment.end_date,
        outcome=experiment.outcome,
        actor=member,
    )

    assert entries_for(experiment) == []


def test_the_views_log_the_signed_in_user(client, pilot):
    study = StudyFactory()
    recommendation = RecommendationFactory(study=study)
    client.force_login(pilot)

    response = client.post(
        reverse("study:recommendation_update", args=[recommendation.pk]),
        {
            "title": recommendation.title,
            "text": recommendation.text,
            "axis": recommendation.axis,
            "status": RecommendationStatus.DROPPED,
        },
    )

    assert response.status_code == 302
    entry = only_entry_for(recommendation)
    assert entry.user == pilot
    assert entry.get_change_message() == "Modifié : état."

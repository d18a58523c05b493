"""Writes of the optimisation study: diagnostics, recommendations, experiments, and opening
the follow-up page to the DDIs' agents.

The forms check what a person can correct (dates in order, one diagnostic per DDI); the
model constraints hold the same rules against any other writer.
"""

from datetime import date

from django.db import transaction

from accompagnement.study.models import Diagnostic, Experiment, Recommendation, Study


@transaction.atomic
def study_set_visibility(*, study: Study, visible_to_agents: bool) -> Study:
    study.visible_to_agents = visible_to_agents
    study.save(update_fields=["visible_to_agents"])
    return study


@transaction.atomic
def diagnostic_save(
    *,
    study: Study,
    ddi,
    status: str,
    start_date: date | None,
    end_date: date | None,
    findings: str,
    diagnostic: Diagnostic | None = None,
) -> Diagnostic:
    """Create a diagnostic of `study`, or update `diagnostic` (which belongs to it)."""
    if diagnostic is None:
        diagnostic = Diagnostic(study=study)
    diagnostic.ddi = ddi
    diagnostic.status = status
    diagnostic.start_date = start_date
    diagnostic.end_date = end_date
    diagnostic.findings = findings.strip()
    diagnostic.save()
    return diagnostic


@transaction.atomic
def recommendation_save(
    *,
    study: Study,
    title: str,
    text: str,
    axis: str,
    status: str,
    recommendation: Recommendation | None = None,
) -> Recommendation:
    if recommendation is None:
        recommendation = Recommendation(study=study)
    recommendation.title = title.strip()
    recommendation.text = text.strip()
    recommendation.axis = axis
    recommendation.status = status
    recommendation.save()
    return recommendation


@transaction.atomic
def experiment_save(
    *,
    recommendation: Recommendation,
    ddi,
    status: str,
    start_date: date | None,
    end_date: date | None,
    outcome: str,
    experiment: Experiment | None = None,
) -> Experiment:
    if experiment is None:
        experiment = Experiment(recommendation=recommendation)
    experiment.ddi = ddi
    experiment.status = status
    experiment.start_date = start_date
    experiment.end_date = end_date
    experiment.outcome = outcome.strip()
    experiment.save()
    return experiment

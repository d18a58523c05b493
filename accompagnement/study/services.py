"""Writes of the optimisation study: diagnostics, recommendations, experiments, and opening
the follow-up page to the DDIs' agents.

The forms check what a person can correct (dates in order, one diagnostic per DDI); the
model constraints hold the same rules against any other writer.

Every write names its `actor` and leaves a trace in Django's admin log (`LogEntry`): who,
when, and which fields changed, readable in the admin history of the object. A save that
changes nothing leaves no trace.
"""

from datetime import date

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import models, transaction
from django.utils.translation import gettext as _

from accompagnement.accounts.models import User
from accompagnement.study.loaders import FORMER_VALUES, STUDIES, STUDY_FILE, StudyPhaseRecord
from accompagnement.study.models import (
    Diagnostic,
    Experiment,
    Recommendation,
    Study,
    StudyPhase,
)
from ddi.services import LoadReport

STUDY_FIELDS = ("visible_to_agents",)
DIAGNOSTIC_FIELDS = ("ddi", "status", "start_date", "end_date", "findings")
RECOMMENDATION_FIELDS = ("title", "text", "axis", "status")
EXPERIMENT_FIELDS = ("ddi", "status", "start_date", "end_date", "outcome")


def _values(obj: models.Model, fields: tuple[str, ...]) -> dict:
    """The stored values of `fields` (a foreign key's id, not the related object)."""
    return {name: obj._meta.get_field(name).value_from_object(obj) for name in fields}


def _log_write(
    *, actor: User, obj: models.Model, before: dict, fields: tuple[str, ...], created: bool
) -> None:
    """Record in the admin log that `actor` created `obj`, or changed some of its `fields`."""
    after = _values(obj, fields)
    changed = [name for name in fields if after[name] != before[name]]
    if not created and not changed:
        return
    labels = ", ".join(str(obj._meta.get_field(name).verbose_name) for name in changed)
    if created:
        message = _("Ajout : %(fields)s.") % {"fields": labels} if labels else _("Ajout.")
    else:
        message = _("Modifié : %(fields)s.") % {"fields": labels}
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=ADDITION if created else CHANGE,
        change_message=message,
        single_object=True,
    )


@transaction.atomic
def study_set_visibility(*, study: Study, visible_to_agents: bool, actor: User) -> Study:
    before = _values(study, STUDY_FIELDS)
    study.visible_to_agents = visible_to_agents
    study.save(update_fields=["visible_to_agents"])
    _log_write(actor=actor, obj=study, before=before, fields=STUDY_FIELDS, created=False)
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
    actor: User,
    diagnostic: Diagnostic | None = None,
) -> Diagnostic:
    """Create a diagnostic of `study`, or update `diagnostic` (which belongs to it)."""
    created = diagnostic is None
    if diagnostic is None:
        diagnostic = Diagnostic(study=study)
    before = _values(diagnostic, DIAGNOSTIC_FIELDS)
    diagnostic.ddi = ddi
    diagnostic.status = status
    diagnostic.start_date = start_date
    diagnostic.end_date = end_date
    diagnostic.findings = findings.strip()
    diagnostic.save()
    _log_write(
        actor=actor, obj=diagnostic, before=before, fields=DIAGNOSTIC_FIELDS, created=created
    )
    return diagnostic


@transaction.atomic
def recommendation_save(
    *,
    study: Study,
    title: str,
    text: str,
    axis: str,
    status: str,
    actor: User,
    recommendation: Recommendation | None = None,
) -> Recommendation:
    created = recommendation is None
    if recommendation is None:
        recommendation = Recommendation(study=study)
    before = _values(recommendation, RECOMMENDATION_FIELDS)
    recommendation.title = title.strip()
    recommendation.text = text.strip()
    recommendation.axis = axis
    recommendation.status = status
    recommendation.save()
    _log_write(
        actor=actor,
        obj=recommendation,
        before=before,
        fields=RECOMMENDATION_FIELDS,
        created=created,
    )
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
    actor: User,
    experiment: Experiment | None = None,
) -> Experiment:
    created = experiment is None
    if experiment is None:
        experiment = Experiment(recommendation=recommendation)
    before = _values(experiment, EXPERIMENT_FIELDS)
    experiment.ddi = ddi
    experiment.status = status
    experiment.start_date = start_date
    experiment.end_date = end_date
    experiment.outcome = outcome.strip()
    experiment.save()
    _log_write(
        actor=actor, obj=experiment, before=before, fields=EXPERIMENT_FIELDS, created=created
    )
    return experiment


# ---------------------------------------------------------------------------- study.csv

# What `study.csv` always owns, and what it owns only while the phase's dates are
# indicative (confidence low or inferred): dates the pilot confirmed (high or medium in
# the admin) are kept.
PHASE_OWNED_FIELDS = ("title", "description", "source")
PHASE_DATE_FIELDS = ("start_date", "end_date", "date_note", "confidence")


@transaction.atomic
def study_data_load(records: list[StudyPhaseRecord]) -> LoadReport:
    """Create the studies and phases of `study.csv`, or bring them back to the file.

    A phase's title, description and source follow the file; its dates, date note and
    confidence too while they are indicative, so that a corrected calendar reaches
    existing databases; a study's title and description only replace what the migration
    first wrote (`FORMER_VALUES`). Nothing is deleted.
    """
    report = LoadReport(STUDY_FILE)
    studies = {}
    for code in dict.fromkeys(record.study_code for record in records):
        defaults = STUDIES[code]
        study, created = Study.objects.get_or_create(code=code, defaults=defaults)
        changed = [
            name
            for name, former in FORMER_VALUES.get(code, {}).items()
            if not created and getattr(study, name) in former
        ]
        for name in changed:
            setattr(study, name, defaults[name])
        if changed:
            study.save(update_fields=changed)
            report.notes.append(
                _("étude « %(code)s » : intitulé et présentation mis à jour") % {"code": code}
            )
        studies[code] = study
    existing = {
        (phase.study_id, phase.kind): phase
        for phase in StudyPhase.objects.filter(study__in=studies.values())
    }
    for record in records:
        study = studies[record.study_code]
        values = {
            "title": record.title,
            "description": record.description,
            "source": record.source,
            "start_date": record.start_date,
            "end_date": record.end_date,
            "date_note": record.date_note,
            "confidence": record.confidence,
        }
        phase = existing.get((study.pk, record.kind))
        if phase is None:
            StudyPhase.objects.create(study=study, kind=record.kind, **values)
            report.created += 1
            continue
        fields = PHASE_OWNED_FIELDS
        if phase.is_date_indicative:
            fields = (*fields, *PHASE_DATE_FIELDS)
        dirty = [name for name in fields if getattr(phase, name) != values[name]]
        if not dirty:
            report.unchanged += 1
            continue
        for name in dirty:
            setattr(phase, name, values[name])
        phase.save(update_fields=dirty)
        report.updated += 1
    return report

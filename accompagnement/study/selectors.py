"""Reads of the optimisation study: the follow-up page, the mix check, the edit forms' lists,
and who may read or edit the study (the `get_<thing>_for` helpers, 403 or 404).

The overview runs a fixed number of queries whatever the number of diagnostics,
recommendations and experiments: every list is fetched once with its joins.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accompagnement.accounts.roles import is_agent, is_pilot, is_team
from accompagnement.study.models import (
    Diagnostic,
    Experiment,
    PhaseStatus,
    Recommendation,
    Study,
    StudyPhase,
)
from ddi.enums import DDIKind
from ddi.models import DDI

# DDT and DDTM count together in the mix ("1 DDT(M)").
DDTM_GROUP = "DDT(M)"


def mix_group(ddi_kind: str) -> str:
    return DDTM_GROUP if ddi_kind in (DDIKind.DDT, DDIKind.DDTM) else ddi_kind


def required_mix(study: Study) -> dict[str, int]:
    return {
        DDIKind.DDCS.value: study.required_ddcs,
        DDIKind.DDPP.value: study.required_ddpp,
        DDIKind.DDCSPP.value: study.required_ddcspp,
        DDTM_GROUP: study.required_ddtm,
    }


@dataclass(frozen=True)
class MixLine:
    group: str  # "DDCS", "DDPP", "DDCSPP" or "DDT(M)"
    required: int
    planned: int

    @property
    def missing(self) -> int:
        return max(0, self.required - self.planned)

    @property
    def extra(self) -> int:
        return max(0, self.planned - self.required)


@dataclass(frozen=True)
class MixCheck:
    lines: list[MixLine]

    @property
    def is_complete(self) -> bool:
        return all(line.missing == 0 and line.extra == 0 for line in self.lines)

    def messages(self) -> list[str]:
        """What is wrong, in plain French: « Il manque 1 DDPP », « 1 DDCS de trop »."""
        found = []
        for line in self.lines:
            if line.missing:
                found.append(
                    _("Il manque %(count)s %(group)s")
                    % {"count": line.missing, "group": line.group}
                )
            if line.extra:
                found.append(
                    _("%(count)s %(group)s de trop") % {"count": line.extra, "group": line.group}
                )
        return found


def analysis_mix(ddi_kinds: Iterable[str], required: dict[str, int]) -> MixCheck:
    """Compare the kinds of the analysed DDIs with the mix the study requires.

    Each group is counted on its own: an extra DDCS never fills a missing DDPP.
    """
    planned = dict.fromkeys(required, 0)
    for kind in ddi_kinds:
        group = mix_group(kind)
        planned[group] = planned.get(group, 0) + 1
    return MixCheck(
        [
            MixLine(group=group, required=required.get(group, 0), planned=count)
            for group, count in planned.items()
        ]
    )


@dataclass(frozen=True)
class PilotCheck:
    required: int
    ddis: list  # the distinct pilot DDIs, in display order

    @property
    def count(self) -> int:
        return len(self.ddis)

    def message(self) -> str:
        if self.count < self.required:
            missing = self.required - self.count
            return ngettext(
                "Il manque %(count)s DDI pilote (%(required)s attendues).",
                "Il manque %(count)s DDI pilotes (%(required)s attendues).",
                missing,
            ) % {"count": missing, "required": self.required}
        if self.count > self.required:
            return _(
                "%(count)s DDI pilotes pour %(required)s attendues : l’expérimentation "
                "déborde du périmètre prévu."
            ) % {"count": self.count, "required": self.required}
        return ""


def pilot_check(experiments: Iterable[Experiment], required: int) -> PilotCheck:
    ddis = {}
    for experiment in experiments:
        ddis.setdefault(experiment.ddi_id, experiment.ddi)
    return PilotCheck(required=required, ddis=list(ddis.values()))


@dataclass(frozen=True)
class PhaseProgress:
    phase: StudyPhase
    status: str
    progress: int

    @property
    def status_label(self) -> str:
        return PhaseStatus(self.status).label


@dataclass(frozen=True)
class StudyOverview:
    study: Study
    today: date
    phases: list[PhaseProgress]
    diagnostics: list[Diagnostic]
    mix: MixCheck
    recommendations: list[Recommendation]
    pilots: PilotCheck


def current_study() -> Study | None:
    """The study the pages follow: the most recent one."""
    return Study.objects.order_by("-pk").first()


def _ddi_related(prefix: str = "") -> list[str]:
    return [f"{prefix}ddi__department"]


def study_overview(study: Study, *, today: date) -> StudyOverview:
    phases = list(study.phases.order_by("start_date", "pk"))
    diagnostics = list(study.diagnostics.select_related(*_ddi_related()))
    recommendations = list(
        study.recommendations.prefetch_related(
            Prefetch(
                "experiments",
                queryset=Experiment.objects.select_related(*_ddi_related()),
            )
        )
    )
    experiments = [e for r in recommendations for e in r.experiments.all()]
    return StudyOverview(
        study=study,
        today=today,
        phases=[PhaseProgress(p, p.status_on(today), p.progress_on(today)) for p in phases],
        diagnostics=diagnostics,
        mix=analysis_mix((d.ddi.kind for d in diagnostics), required_mix(study)),
        recommendations=recommendations,
        pilots=pilot_check(experiments, study.required_pilot_ddis),
    )


def ddis_for_choice():
    """Every DDI, for the diagnostic and experiment forms (one query, with the names)."""
    return DDI.objects.select_related("department").order_by("kind", "department__code")


# ---------------------------------------------------------------------------- study


def can_view_study(user, study) -> bool:
    """The team follows the optimisation study; agents read it once the pilot opens it."""
    if is_team(user):
        return True
    return is_agent(user) and study is not None and study.visible_to_agents


def can_edit_study(user) -> bool:
    return is_team(user)


def can_open_study_to_agents(user) -> bool:
    return is_pilot(user)


def get_study_for(user):
    """The study the pages follow (the most recent): 403 for an agent while it is not open
    to agents, 404 when there is none."""

    if not (is_team(user) or is_agent(user)):
        raise PermissionDenied
    study = current_study()
    if not can_view_study(user, study):
        raise PermissionDenied
    if study is None:
        raise Http404
    return study


def _study_object_for_editor(user, queryset, pk: int):

    if not can_edit_study(user):
        raise PermissionDenied
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_diagnostic_for(user, pk: int):

    return _study_object_for_editor(
        user, Diagnostic.objects.select_related("study", "ddi__department"), pk
    )


def get_recommendation_for(user, pk: int):

    return _study_object_for_editor(user, Recommendation.objects.select_related("study"), pk)


def get_experiment_for(user, pk: int):

    return _study_object_for_editor(
        user, Experiment.objects.select_related("recommendation__study", "ddi__department"), pk
    )

"""Factories of the optimisation study: the study, its phases, diagnostics,
recommendations and experiments."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from accompagnement.axes.models import Axis
from accompagnement.study.models import (
    Diagnostic,
    Experiment,
    Recommendation,
    Study,
    StudyPhase,
    StudyPhaseKind,
)
from ddi.enums import DDIKind
from tests.ddi.factories import DDIFactory


class StudyFactory(DjangoModelFactory):
    class Meta:
        model = Study

    code = factory.Sequence(lambda n: f"etude-{n}")
    title = factory.Sequence(lambda n: f"Étude d'optimisation n°{n}")
    source = "test"


class StudyPhaseFactory(DjangoModelFactory):
    class Meta:
        model = StudyPhase

    study = factory.SubFactory(StudyFactory)
    kind = StudyPhaseKind.ANALYSIS
    title = "Analyse dans sept DDI"
    start_date = date(2011, 9, 26)
    end_date = date(2011, 12, 31)


class DiagnosticFactory(DjangoModelFactory):
    """A diagnostic; `kind=` picks the kind of the analysed DDI (DDPP by default)."""

    class Meta:
        model = Diagnostic
        exclude = ["kind"]

    kind = DDIKind.DDPP
    study = factory.SubFactory(StudyFactory)
    ddi = factory.SubFactory(DDIFactory, kind=factory.SelfAttribute("..kind"))
    findings = "- Délais de validation des EJ trop longs avec le CSP"


class RecommendationFactory(DjangoModelFactory):
    class Meta:
        model = Recommendation

    study = factory.SubFactory(StudyFactory)
    title = factory.Sequence(lambda n: f"Recommandation n°{n}")
    text = "Un correspondant Chorus par DDI, connu du CSP."
    axis = Axis.PRACTICES


class ExperimentFactory(DjangoModelFactory):
    class Meta:
        model = Experiment

    recommendation = factory.SubFactory(RecommendationFactory)
    ddi = factory.SubFactory(DDIFactory)

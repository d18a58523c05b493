"""Forms of the optimisation study: a diagnostic, a recommendation, an experiment, and the
pilot's switch that opens the follow-up page to the DDIs' agents."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import ButtonHolder, Div, Field, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis
from accompagnement.core.forms import DateInput, DsfrForm
from accompagnement.study import selectors
from accompagnement.study.models import DiagnosticStatus, ExperimentStatus, RecommendationStatus

CHECKBOX_TEMPLATE = "core/fields/checkbox_spaced.html"


def _helper(*layout, submit_label) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> holds the token
    helper.layout = Layout(*layout, ButtonHolder(Submit("submit", submit_label)))
    return helper


def _dates_row() -> Div:
    return Div(
        Div("start_date", css_class="fr-col-12 fr-col-sm-6"),
        Div("end_date", css_class="fr-col-12 fr-col-sm-6"),
        css_class="fr-grid-row fr-grid-row--gutters",
    )


class DdiChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class _DatedForm(DsfrForm):
    start_date = forms.DateField(label=_("Début"), required=False, widget=DateInput())
    end_date = forms.DateField(label=_("Fin"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La fin ne peut pas précéder le début."))
        return cleaned


class DiagnosticForm(_DatedForm):
    ddi = DdiChoiceField(label=_("DDI analysée"), queryset=None)
    status = forms.ChoiceField(label=_("État"), choices=DiagnosticStatus.choices)
    findings = forms.CharField(
        label=_("Constats"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown : listes, liens, tableaux."),
    )

    field_order = ["ddi", "status", "start_date", "end_date", "findings"]

    def __init__(self, *args, study, diagnostic=None, **kwargs):
        if diagnostic is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "ddi": diagnostic.ddi_id,
                "status": diagnostic.status,
                "start_date": diagnostic.start_date,
                "end_date": diagnostic.end_date,
                "findings": diagnostic.findings,
            }
        super().__init__(*args, **kwargs)
        self.study = study
        self.diagnostic = diagnostic
        self.fields["ddi"].queryset = selectors.ddis_for_choice()
        self.helper = _helper(
            "ddi", "status", _dates_row(), "findings", submit_label=_("Enregistrer le diagnostic")
        )

    def clean_ddi(self):
        ddi = self.cleaned_data["ddi"]
        others = self.study.diagnostics.filter(ddi=ddi)
        if self.diagnostic is not None:
            others = others.exclude(pk=self.diagnostic.pk)
        if others.exists():
            raise ValidationError(
                _("%(ddi)s a déjà un diagnostic dans cette étude."), params={"ddi": ddi}
            )
        return ddi


class RecommendationForm(DsfrForm):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    axis = forms.ChoiceField(label=_("Axe"), choices=Axis.choices)
    status = forms.ChoiceField(label=_("État"), choices=RecommendationStatus.choices)
    text = forms.CharField(
        label=_("Contenu"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown : listes, liens, tableaux."),
    )

    def __init__(self, *args, recommendation=None, **kwargs):
        if recommendation is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": recommendation.title,
                "axis": recommendation.axis,
                "status": recommendation.status,
                "text": recommendation.text,
            }
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "title",
            Div(
                Div("axis", css_class="fr-col-12 fr-col-md-8"),
                Div("status", css_class="fr-col-12 fr-col-md-4"),
                css_class="fr-grid-row fr-grid-row--gutters",
            ),
            "text",
            submit_label=_("Enregistrer la recommandation"),
        )


class ExperimentForm(_DatedForm):
    ddi = DdiChoiceField(label=_("DDI pilote"), queryset=None)
    status = forms.ChoiceField(label=_("État"), choices=ExperimentStatus.choices)
    outcome = forms.CharField(
        label=_("Résultat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Ce que l’expérimentation a montré ; attendu quand elle est finie."),
    )

    field_order = ["ddi", "status", "start_date", "end_date", "outcome"]

    def __init__(self, *args, recommendation, experiment=None, **kwargs):
        if experiment is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "ddi": experiment.ddi_id,
                "status": experiment.status,
                "start_date": experiment.start_date,
                "end_date": experiment.end_date,
                "outcome": experiment.outcome,
            }
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        self.experiment = experiment
        self.fields["ddi"].queryset = selectors.ddis_for_choice()
        self.helper = _helper(
            "ddi",
            "status",
            _dates_row(),
            "outcome",
            submit_label=_("Enregistrer l’expérimentation"),
        )

    def clean_ddi(self):
        ddi = self.cleaned_data["ddi"]
        others = self.recommendation.experiments.filter(ddi=ddi)
        if self.experiment is not None:
            others = others.exclude(pk=self.experiment.pk)
        if others.exists():
            raise ValidationError(
                _("Cette recommandation est déjà expérimentée à %(ddi)s."), params={"ddi": ddi}
            )
        return ddi

    def clean(self):
        cleaned = super().clean()
        finished = (ExperimentStatus.DONE, ExperimentStatus.ABANDONED)
        if cleaned.get("status") in finished and not cleaned.get("outcome", "").strip():
            self.add_error(
                "outcome",
                _("Indiquez le résultat d’une expérimentation terminée ou abandonnée."),
            )
        return cleaned


class StudyVisibilityForm(DsfrForm):
    visible_to_agents = forms.BooleanField(
        label=_("Visible par les agents des DDI"),
        required=False,
        help_text=_("Les agents pourront lire cette page, sans rien modifier."),
    )

    def __init__(self, *args, study, **kwargs):
        kwargs.setdefault("initial", {"visible_to_agents": study.visible_to_agents})
        kwargs.setdefault("auto_id", "id_visibility_%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field("visible_to_agents", template=CHECKBOX_TEMPLATE),
            submit_label=_("Enregistrer"),
        )

"""The optimisation study: the follow-up page and the team's edit forms.

Access and reads go through `selectors.py` (`get_study_for`, `get_<thing>_for`); writes
through `services.py`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accompagnement.study import selectors, services
from accompagnement.study.forms import (
    DiagnosticForm,
    ExperimentForm,
    RecommendationForm,
    StudyVisibilityForm,
)

FORM_TEMPLATE = "study/form.html"


@require_safe
def study_index(request):
    study = selectors.get_study_for(request.user)
    can_edit = selectors.can_edit_study(request.user)
    visibility_form = (
        StudyVisibilityForm(study=study)
        if selectors.can_open_study_to_agents(request.user)
        else None
    )
    return render(
        request,
        "study/index.html",
        {
            "overview": selectors.study_overview(study, today=timezone.localdate()),
            "can_edit": can_edit,
            "visibility_form": visibility_form,
        },
    )


@require_POST
def study_visibility(request):
    study = selectors.get_study_for(request.user)
    if not selectors.can_open_study_to_agents(request.user):
        raise PermissionDenied
    form = StudyVisibilityForm(request.POST, study=study)
    if form.is_valid():
        services.study_set_visibility(
            study=study,
            visible_to_agents=form.cleaned_data["visible_to_agents"],
            actor=request.user,
        )
        if study.visible_to_agents:
            messages.success(request, _("Les agents des DDI peuvent désormais lire cette page."))
        else:
            messages.success(request, _("Cette page est réservée à l’équipe."))
    return redirect(reverse("study:index"))


def _editable_study(user):
    if not selectors.can_edit_study(user):
        raise PermissionDenied
    return selectors.get_study_for(user)


def _form_page(request, form, *, title, intro=""):
    return render(request, FORM_TEMPLATE, {"form": form, "title": title, "intro": intro})


@require_http_methods(["GET", "HEAD", "POST"])
def diagnostic_create(request):
    study = _editable_study(request.user)
    return _diagnostic_form(request, study=study, diagnostic=None)


@require_http_methods(["GET", "HEAD", "POST"])
def diagnostic_update(request, pk):
    diagnostic = selectors.get_diagnostic_for(request.user, pk)
    return _diagnostic_form(request, study=diagnostic.study, diagnostic=diagnostic)


def _diagnostic_form(request, *, study, diagnostic):
    form = DiagnosticForm(
        request.POST if request.method == "POST" else None, study=study, diagnostic=diagnostic
    )
    if request.method == "POST" and form.is_valid():
        saved = services.diagnostic_save(
            study=study, diagnostic=diagnostic, actor=request.user, **form.cleaned_data
        )
        messages.success(
            request, _("Le diagnostic de %(ddi)s est enregistré.") % {"ddi": saved.ddi}
        )
        return redirect(f"{reverse('study:index')}#diagnostic-{saved.pk}")
    title = (
        _("Nouveau diagnostic")
        if diagnostic is None
        else _("Diagnostic de %(ddi)s") % {"ddi": diagnostic.ddi}
    )
    return _form_page(request, form, title=title)


@require_http_methods(["GET", "HEAD", "POST"])
def recommendation_create(request):
    study = _editable_study(request.user)
    return _recommendation_form(request, study=study, recommendation=None)


@require_http_methods(["GET", "HEAD", "POST"])
def recommendation_update(request, pk):
    recommendation = selectors.get_recommendation_for(request.user, pk)
    return _recommendation_form(request, study=recommendation.study, recommendation=recommendation)


def _recommendation_form(request, *, study, recommendation):
    form = RecommendationForm(
        request.POST if request.method == "POST" else None, recommendation=recommendation
    )
    if request.method == "POST" and form.is_valid():
        saved = services.recommendation_save(
            study=study,
            recommendation=recommendation,
            actor=request.user,
            **form.cleaned_data,
        )
        messages.success(request, _("La recommandation est enregistrée."))
        return redirect(f"{reverse('study:index')}#recommandation-{saved.pk}")
    title = _("Nouvelle recommandation") if recommendation is None else recommendation.title
    return _form_page(request, form, title=title)


@require_http_methods(["GET", "HEAD", "POST"])
def experiment_create(request, recommendation_pk):
    recommendation = selectors.get_recommendation_for(request.user, recommendation_pk)
    return _experiment_form(request, recommendation=recommendation, experiment=None)


@require_http_methods(["GET", "HEAD", "POST"])
def experiment_update(request, pk):
    experiment = selectors.get_experiment_for(request.user, pk)
    return _experiment_form(
        request, recommendation=experiment.recommendation, experiment=experiment
    )


def _experiment_form(request, *, recommendation, experiment):
    form = ExperimentForm(
        request.POST if request.method == "POST" else None,
        recommendation=recommendation,
        experiment=experiment,
    )
    if request.method == "POST" and form.is_valid():
        saved = services.experiment_save(
            recommendation=recommendation,
            experiment=experiment,
            actor=request.user,
            **form.cleaned_data,
        )
        messages.success(
            request, _("L’expérimentation à %(ddi)s est enregistrée.") % {"ddi": saved.ddi}
        )
        return redirect(f"{reverse('study:index')}#recommandation-{recommendation.pk}")
    title = (
        _("Nouvelle expérimentation")
        if experiment is None
        else _("Expérimentation à %(ddi)s") % {"ddi": experiment.ddi}
    )
    return _form_page(
        request,
        form,
        title=title,
        intro=_("Recommandation : %(title)s") % {"title": recommendation.title},
    )

"""Interventions (`/interventions/`): training sessions and workshops for the DDIs.

Agents see the sessions meant for their DDI and register themselves or colleagues of their
DDI; the team announces and manages sessions and records attendance; the pilot sees which
DDIs have been trained. Access and reads go through `selectors.py` (`get_<thing>_for`),
writes through `services.py`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accompagnement.accounts import roles
from accompagnement.interventions import selectors, services
from accompagnement.interventions.forms import (
    AttendanceForm,
    FeedbackForm,
    InterventionForm,
    RegistrationForm,
)
from accompagnement.interventions.models import InterventionStatus

viewers = roles.role_required(selectors.can_view_interventions)
team_only = roles.role_required(selectors.can_manage_interventions)
agents_only = roles.role_required(selectors.can_register_for_interventions)
pilot_only = roles.role_required(selectors.can_view_intervention_coverage)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@viewers
@require_GET
def intervention_list(request):
    user = request.user
    is_team = roles.is_team(user)
    if is_team:
        sessions = selectors.interventions_for_team()
    else:
        sessions = selectors.interventions_for_ddi(user.ddi_id)
    now = timezone.now()
    return render(
        request,
        "interventions/list.html",
        {
            "upcoming": [s for s in sessions if s.ends_at >= now][::-1],
            "past": [s for s in sessions if s.ends_at < now],
            "is_team": is_team,
            "can_see_coverage": selectors.can_view_intervention_coverage(user),
        },
    )


def _render_detail(request, intervention, *, registration_form=None, status=200):
    user = request.user
    is_team = roles.is_team(user)
    registrations = list(selectors.registrations_visible_to(user, intervention))
    confirmed = [r for r in registrations if r.waiting_rank is None]
    waiting = [r for r in registrations if r.waiting_rank is not None]
    context = {
        "intervention": intervention,
        "display_status": InterventionStatus(selectors.display_status(intervention)),
        "audience": selectors.audience_description(intervention),
        "confirmed": confirmed,
        "waiting": waiting,
        "is_team": is_team,
        "is_agent": roles.is_agent(user),
        "registration_open": intervention.registration_is_open(),
        "registration_form": None,
        "attendance_form": None,
        "feedback": None,
        "own_registration": None,
        "feedback_due": False,
        "has_started": intervention.starts_at <= timezone.now(),
    }
    if context["is_agent"]:
        own = next((r for r in registrations if r.person_id == user.pk), None)
        context["own_registration"] = own
        context["feedback_due"] = (
            own is not None and own.attended is True and not hasattr(own, "feedback")
        )
        colleagues = selectors.colleagues_to_register(user, intervention)
        if context["registration_open"] and colleagues.exists():
            context["registration_form"] = registration_form or RegistrationForm(
                colleagues=colleagues, user=user
            )
    if is_team:
        context["feedback"] = selectors.feedback_summary(intervention)
        if intervention.status in (InterventionStatus.OPEN, InterventionStatus.HELD):
            context["attendance_form"] = AttendanceForm(registrations=confirmed)
    return render(request, "interventions/detail.html", context, status=status)


@viewers
@require_GET
def intervention_detail(request, pk: int):
    intervention = selectors.get_intervention_for(
        request.user, pk, queryset=selectors.intervention_page_queryset()
    )
    return _render_detail(request, intervention)


def _form_data(form) -> dict:
    return dict(form.cleaned_data)


@team_only
@require_http_methods(["GET", "POST"])
def intervention_create(request):
    form = InterventionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        intervention = services.intervention_create(user=request.user, data=_form_data(form))
        messages.success(
            request,
            _("Session « %(title)s » enregistrée comme brouillon : ouvrez-la aux inscriptions.")
            % {"title": intervention.title},
        )
        return redirect(intervention)
    return render(
        request,
        "interventions/form.html",
        {"form": form, "title": _("Annoncer une session"), "intervention": None},
    )


@team_only
@require_http_methods(["GET", "POST"])
def intervention_update(request, pk: int):
    intervention = selectors.get_intervention_to_manage_for(request.user, pk)
    form = InterventionForm(request.POST or None, intervention=intervention)
    if request.method == "POST" and form.is_valid():
        try:
            told = services.intervention_update(
                intervention=intervention, user=request.user, data=_form_data(form)
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect(intervention)
        messages.success(request, _("Session enregistrée."))
        if told:
            messages.info(request, _("Les inscrits sont prévenus du changement par courriel."))
        return redirect(intervention)
    return render(
        request,
        "interventions/form.html",
        {"form": form, "title": _("Modifier la session"), "intervention": intervention},
    )


@team_only
@require_POST
def intervention_open(request, pk: int):
    intervention = selectors.get_intervention_to_manage_for(request.user, pk)
    if services.intervention_open(intervention=intervention, user=request.user):
        messages.success(request, _("Les inscriptions sont ouvertes."))
    else:
        messages.info(request, _("Cette session n’était pas un brouillon."))
    return redirect(intervention)


@team_only
@require_POST
def intervention_cancel(request, pk: int):
    intervention = selectors.get_intervention_to_manage_for(request.user, pk)
    was_cancellable = intervention.status not in (
        InterventionStatus.CANCELLED,
        InterventionStatus.HELD,
    )
    told = services.intervention_cancel(intervention=intervention, user=request.user)
    if was_cancellable:
        messages.success(
            request,
            ngettext(
                "Session annulée ; %(count)d inscrit prévenu.",
                "Session annulée ; %(count)d inscrits prévenus.",
                told,
            )
            % {"count": told},
        )
    else:
        messages.info(request, _("Cette session est déjà tenue ou annulée."))
    return redirect(intervention)


@agents_only
@require_POST
def registration_create(request, pk: int):
    intervention = selectors.get_intervention_for(
        request.user, pk, queryset=selectors.intervention_page_queryset()
    )
    colleagues = selectors.colleagues_to_register(request.user, intervention)
    form = RegistrationForm(request.POST, colleagues=colleagues, user=request.user)
    if not form.is_valid():
        return _render_detail(request, intervention, registration_form=form, status=400)
    try:
        registration = services.registration_create(
            intervention=intervention, person=form.cleaned_data["person"], user=request.user
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(intervention)
    name = registration.person.get_full_name()
    if registration.waiting_rank is None:
        messages.success(
            request,
            _("%(name)s est inscrit(e). L’invitation part par courriel.") % {"name": name},
        )
    else:
        messages.warning(
            request,
            _(
                "La session est complète : %(name)s est en liste d’attente et sera prévenu(e) "
                "par courriel si une place se libère."
            )
            % {"name": name},
        )
    return redirect(intervention)


@viewers
@require_POST
def registration_cancel(request, pk: int):
    registration = selectors.get_registration_to_cancel_for(request.user, pk)
    try:
        promoted = services.registration_cancel(registration=registration, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(registration.intervention)
    messages.success(
        request,
        _("Inscription de %(name)s annulée.") % {"name": registration.person.get_full_name()},
    )
    if promoted and roles.is_team(request.user):
        messages.info(
            request,
            _("Place donnée à : %(names)s.")
            % {"names": ", ".join(r.person.get_full_name() for r in promoted)},
        )
    return redirect(registration.intervention)


@team_only
@require_POST
def attendance_record(request, pk: int):
    intervention = selectors.get_intervention_to_manage_for(request.user, pk)
    confirmed = list(intervention.registrations.confirmed().select_related("person"))
    form = AttendanceForm(request.POST, registrations=confirmed)
    if not form.is_valid():
        messages.error(request, _("Présences non enregistrées : cochez des inscrits de la liste."))
        return redirect(intervention)
    try:
        outcome = services.intervention_record_attendance(
            intervention=intervention,
            user=request.user,
            attended_ids=set(form.cleaned_data["attended"]),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(intervention)
    messages.success(
        request,
        _("Présences enregistrées : %(present)d présent(s), %(absent)d absent(s).")
        % {"present": outcome.attended, "absent": outcome.absent},
    )
    return redirect(intervention)


@viewers
@require_http_methods(["GET", "POST"])
def feedback(request, pk: int):
    registration = selectors.get_registration_to_rate_for(request.user, pk)
    already = hasattr(registration, "feedback")
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and not already and form.is_valid():
        services.feedback_submit(
            registration=registration,
            user=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Merci : votre avis est enregistré."))
        return redirect(reverse("interventions:index"))
    return render(
        request,
        "interventions/feedback.html",
        {
            "registration": registration,
            "intervention": registration.intervention,
            "form": form,
            "already": already,
        },
    )


@pilot_only
@require_GET
def coverage(request):
    topics = selectors.coverage_by_topic()
    uncovered = selectors.ddis_never_attended()
    return render(
        request,
        "interventions/coverage.html",
        {
            "topics": topics,
            "uncovered": uncovered,
            "uncovered_count": sum(len(group.ddis) for group in uncovered),
            "window_days": selectors.COVERAGE_WINDOW.days,
        },
    )

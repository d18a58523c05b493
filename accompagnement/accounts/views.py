"""Sign in with ProConnect: the login page's button, the OpenID Connect flow, the pages
that say why a sign-in was refused, the logout that ends the ProConnect session, and the
pilot's list of sign-ins waiting for an account, with the form that opens one; the team's
absences."""

import logging

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accompagnement.accounts import proconnect, roles, selectors
from accompagnement.accounts.forms import AbsenceForm, OpenAccountForm
from accompagnement.accounts.services import (
    AccountAlreadyExists,
    absence_create,
    absence_delete,
    pending_sign_in_open_account,
)

logger = logging.getLogger(__name__)

# What the provider or the network may throw at us during the code flow.
FLOW_ERRORS = (SuspiciousOperation, requests.RequestException, KeyError, ValueError)


def _refused(reason: str) -> HttpResponseRedirect:
    return redirect("accounts:refused", reason=reason)


class LoginView(auth_views.LoginView):
    """Django's login page, with the ProConnect button when ProConnect is configured."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, proconnect_enabled=proconnect.is_enabled())


@method_decorator(login_not_required, name="dispatch")
class AuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to ProConnect with a fresh state and nonce."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the endpoint is read on each request, not here
        self.OIDC_RP_CLIENT_ID = settings.PROCONNECT_CLIENT_ID

    def get(self, request):
        if not proconnect.is_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = proconnect.endpoints().authorization
        except FLOW_ERRORS:
            logger.exception("ProConnect discovery failed")
            return _refused(proconnect.REFUSED_FAILED)
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class CallbackView(OIDCAuthenticationCallbackView):
    """ProConnect sends the browser back here with a code and the state."""

    @property
    def failure_url(self):
        reason = getattr(self.request, "proconnect_refusal", proconnect.REFUSED_FAILED)
        return reverse("accounts:refused", kwargs={"reason": reason})

    def get(self, request):
        if not proconnect.is_enabled():
            raise Http404
        try:
            return super().get(request)
        except FLOW_ERRORS as error:
            # Unknown or replayed state, code refused by the provider, bad signature,
            # expired token, wrong audience…: never a way in.
            logger.warning("ProConnect sign-in refused: %s", error)
            return _refused(proconnect.REFUSED_FAILED)


@login_not_required
@require_GET
def refused(request, reason):
    if reason not in proconnect.REFUSAL_REASONS:
        raise Http404
    return render(
        request,
        "accounts/refused.html",
        {
            "reason": reason,
            "email": request.session.get(proconnect.SESSION_PENDING_EMAIL, ""),
        },
        status=403,
    )


class LogoutView(auth_views.LogoutView):
    """Django's logout; after a ProConnect sign-in, it ends the ProConnect session too."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(proconnect.SESSION_ID_TOKEN)
        if not (id_token and proconnect.is_enabled()):
            return super().post(request, *args, **kwargs)
        try:
            url, state = proconnect.logout_url(
                id_token=id_token,
                post_logout_redirect_uri=request.build_absolute_uri(
                    reverse("accounts:logout_done")
                ),
            )
        except FLOW_ERRORS:
            logger.exception("ProConnect discovery failed at logout")
            return super().post(request, *args, **kwargs)
        auth.logout(request)
        request.session[proconnect.SESSION_LOGOUT_STATE] = state
        return HttpResponseRedirect(url)


@login_not_required
@require_GET
def logout_done(request):
    """Where ProConnect sends the browser back after ending its session."""
    expected = request.session.pop(proconnect.SESSION_LOGOUT_STATE, None)
    if expected and request.GET.get("state") == expected:
        messages.success(request, _("Vous êtes déconnecté du portail et de ProConnect."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@roles.role_required(selectors.can_manage_sign_ins)
@require_GET
def pending_list(request):
    return render(
        request,
        "accounts/pending_list.html",
        {
            "pending": list(selectors.pending_sign_ins()),
            "opened": list(selectors.recently_opened_sign_ins()),
        },
    )


@require_http_methods(["GET", "POST"])
def open_account(request, pk):
    pending = selectors.get_pending_sign_in_for(request.user, pk)
    form = OpenAccountForm(request.POST if request.method == "POST" else None, pending=pending)
    if request.method == "POST" and form.is_valid():
        try:
            user = pending_sign_in_open_account(
                pending=pending,
                role=form.cleaned_data["role"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                ddi=form.cleaned_data["ddi"],
                structure=form.cleaned_data["structure"],
                opened_by=request.user,
            )
        except AccountAlreadyExists:
            messages.error(
                request,
                _("Un compte existe déjà pour %(email)s : rien n’a été créé.")
                % {"email": pending.email},
            )
            return redirect("accounts:pending_list")
        messages.success(
            request,
            _(
                "Le compte de %(name)s est ouvert : cette personne peut maintenant se "
                "connecter avec ProConnect."
            )
            % {"name": user.get_full_name() or user.email},
        )
        return redirect("accounts:pending_list")
    return render(
        request,
        "accounts/open_account.html",
        {"pending": pending, "form": form},
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------------------- absences


@roles.role_required(roles.is_team)
@require_http_methods(["GET", "POST"])
def absences(request):
    """The team's current and coming absences; a member adds their own, the pilot anyone's."""
    user = request.user
    members = selectors.absence_members(user)
    own = None if roles.is_pilot(user) else members.first()
    form = AbsenceForm(request.POST if request.method == "POST" else None, members=members, own=own)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            absence = absence_create(
                member=data["member"],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                by=user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Absence de %(name)s enregistrée du %(start)s au %(end)s.")
                % {
                    "name": absence.member.user.get_full_name(),
                    "start": date_format(absence.start, "j F Y"),
                    "end": date_format(absence.end, "j F Y"),
                },
            )
            return redirect("accounts:absences")
    today = timezone.localdate()
    listed = list(selectors.absences_from(today))
    return render(
        request,
        "accounts/absences.html",
        {
            "absences": [
                (absence, selectors.can_change_absence(user, absence)) for absence in listed
            ],
            "form": form if members.exists() else None,
            "today": today,
        },
        status=400 if form.errors else 200,
    )


@roles.role_required(roles.is_team)
@require_POST
def absence_remove(request, pk):
    absence = selectors.get_absence_for(request.user, pk)
    absence_delete(absence=absence, by=request.user)
    messages.success(
        request,
        _("L’absence de %(name)s du %(start)s au %(end)s est supprimée.")
        % {
            "name": absence.member.user.get_full_name(),
            "start": date_format(absence.start, "j F Y"),
            "end": date_format(absence.end, "j F Y"),
        },
    )
    return redirect("accounts:absences")

"""The team's actions on one request, posted from the panel of the request page.

Each works without JavaScript (POST, then back to the request page with a message)
and, through htmx, without reloading the page (the answer is the panel alone).
A change made on a stale page is never saved: the member is told who changed the
request in between and sees its current state.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accompagnement.accounts import roles
from accompagnement.support.enums import Status
from accompagnement.support.forms.team import RequestActionForm
from accompagnement.support.models import SupportRequest
from accompagnement.support.panel import panel_form, request_page_url, team_panel_context
from accompagnement.support.selectors import queue as queue_selectors
from accompagnement.support.selectors import requests as request_selectors
from accompagnement.support.services.merge import support_request_merge
from accompagnement.support.services.requests import (
    ConcurrentUpdateError,
    support_request_transition,
)
from accompagnement.support.services.routing import support_request_accept_proposal
from accompagnement.support.services.team_actions import (
    support_request_assign,
    support_request_link,
    support_request_mark_duplicate,
)
from accompagnement.support.services.triage import support_request_triage

PANEL_TEMPLATE = "support/_team_panel.html"
# Sent with every successful htmx answer: the request page may listen to it to
# refresh its timeline (hx-trigger="demande-modifiee from:body").
CHANGED_EVENT = "demande-modifiee"


def _panel_response(http_request, support_request, *, bound=None, feedback=(), changed=False):
    context = team_panel_context(
        http_request, support_request, bound=bound, feedback=list(feedback), fragment=True
    )
    response = HttpResponse(render_to_string(PANEL_TEMPLATE, context, request=http_request))
    if changed:
        response["HX-Trigger"] = CHANGED_EVENT
    return response


def concurrent_update_message(current: SupportRequest) -> str:
    editor = queue_selectors.last_editor(current)
    who = editor.get_full_name() if editor else _("un traitement automatique")
    return _(
        "Cette demande a été modifiée entre-temps par %(who)s : voici son état actuel, "
        "votre action n’a pas été enregistrée."
    ) % {"who": who}


def panel_action_perform(
    http_request,
    support_request: SupportRequest,
    form: RequestActionForm,
    action: Callable[[RequestActionForm], str | tuple[str, str]],
) -> HttpResponse:
    """Run a panel action posted with `form` (bound to the POST) on `support_request`
    (reached through `get_request_for`), and answer as every action of the panel does.

    A stale page (the form's version) is reported first and nothing is written; a valid
    form runs `action(form)`, which returns the message to show (or the message and the
    page to go to); its `ValidationError` comes back on the form. htmx gets the panel
    alone (the bound form with its errors, or the message), any other client a redirect
    to the request page with the message. Other packages' parts of the panel
    (support/extensions.py) post through here too.
    """
    user = http_request.user
    reference = support_request.reference
    page_url = request_page_url(reference)
    valid = form.is_valid()
    current = None
    # A stale page is reported first, whatever else is wrong with the form.
    seen_version = form.cleaned_data.get("version")
    if seen_version is not None and seen_version != support_request.version:
        current = support_request
    elif valid:
        try:
            done = action(form)
        except ConcurrentUpdateError as exc:
            current = exc.current
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if isinstance(done, tuple):  # (message, the page to go to): e.g. a merge
                done, next_url = done
                messages.success(http_request, done)
                if http_request.htmx:
                    return HttpResponseClientRedirect(next_url)
                return redirect(next_url)
            fresh = request_selectors.get_request_for(user, reference)
            if http_request.htmx:
                return _panel_response(
                    http_request, fresh, feedback=[("success", done)], changed=True
                )
            messages.success(http_request, done)
            return redirect(page_url)

    if current is not None:
        text = concurrent_update_message(current)
        if http_request.htmx:
            # The rest of the page is stale too: let it refresh (changed=True).
            return _panel_response(http_request, current, feedback=[("error", text)], changed=True)
        messages.error(http_request, text)
        return redirect(page_url)

    if http_request.htmx:
        # The bound form shows its errors where they are.
        return _panel_response(http_request, support_request, bound=form)
    errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
    messages.error(
        http_request, _("L’action n’a pas été enregistrée : %(errors)s") % {"errors": errors}
    )
    return redirect(page_url)


def _perform(http_request, reference: str, name: str, action: Callable[..., str]):
    user = http_request.user
    support_request = request_selectors.get_request_for(user, reference)
    form = panel_form(name, support_request, user, data=http_request.POST)
    return panel_action_perform(
        http_request, support_request, form, lambda form: action(support_request, form)
    )


def _team_action(name: str):
    """Decorator: a POST-only team view for panel action `name`."""

    def decorator(action: Callable[[SupportRequest, RequestActionForm], str]):
        @roles.role_required(roles.is_team)
        @require_POST
        def view(http_request, reference: str):
            def run(support_request, form):
                return action(http_request.user, support_request, form)

            return _perform(http_request, reference, name, run)

        view.__name__ = view.__qualname__ = name
        view.__doc__ = action.__doc__
        return view

    return decorator


@_team_action("assign")
def assign(user, support_request, form) -> str:
    """Assign to myself, to another member, or to nobody."""
    assignee = form.assignee_user()
    support_request_assign(
        request=support_request,
        user=user,
        assignee=assignee,
        expected_version=form.cleaned_data["version"],
    )
    if assignee is None:
        return _("La demande n’est plus attribuée.")
    if assignee.pk == user.pk:
        return _("La demande vous est attribuée.")
    return _("La demande est attribuée à %(name)s.") % {"name": assignee.get_full_name()}


@_team_action("accept_proposal")
def accept_proposal(user, support_request, form) -> str:
    """Confirm the member the routing proposed (automatic assignment off)."""
    event = support_request_accept_proposal(
        request=support_request, user=user, expected_version=form.cleaned_data["version"]
    )
    return _("La demande est attribuée à %(name)s.") % {"name": event.new_value}


@_team_action("transition")
def transition(user, support_request, form) -> str:
    """Change the status, among the targets the transition table allows."""
    to_status = form.cleaned_data["to_status"]
    support_request_transition(
        request=support_request,
        user=user,
        to_status=to_status,
        comment=form.cleaned_data["comment"].strip(),
        expected_version=form.cleaned_data["version"],
    )
    return _("Statut : %(status)s.") % {"status": Status(to_status).label}


@_team_action("duplicate")
def duplicate(user, support_request, form) -> str:
    """Close as a duplicate of another request of the same DDI."""
    original = form.cleaned_data["request"]
    support_request_mark_duplicate(
        request=support_request,
        user=user,
        original=original,
        expected_version=form.cleaned_data["version"],
    )
    return _("Demande clôturée comme doublon de %(reference)s.") % {"reference": original.reference}


@_team_action("link")
def link(user, support_request, form) -> str:
    """Link a related request (the version was checked: the member saw the current state)."""
    other = form.cleaned_data["request"]
    support_request_link(request=support_request, user=user, other=other)
    return _("Demande liée à %(reference)s.") % {"reference": other.reference}


@_team_action("triage")
def triage(user, support_request, form) -> str:
    """Correct priority, axis, category, programme and CSP (one event per changed field)."""
    events = support_request_triage(
        request=support_request,
        user=user,
        expected_version=form.cleaned_data["version"],
        **form.changes(),
    )
    if not events:
        return _("Aucune correction : le classement de la demande est inchangé.")
    return ngettext(
        "Classement corrigé (%(count)d changement).",
        "Classement corrigé (%(count)d changements).",
        len(events),
    ) % {"count": len(events)}


@_team_action("merge")
def merge(user, support_request, form) -> tuple[str, str]:
    """Merge this request into another of the same DDI, then show the other."""
    target = form.cleaned_data["request"]
    support_request_merge(
        source=support_request,
        target=target,
        user=user,
        expected_version=form.cleaned_data["version"],
    )
    text = _("La demande %(source)s a été fusionnée dans celle-ci.") % {
        "source": support_request.reference
    }
    return text, request_page_url(target.reference)

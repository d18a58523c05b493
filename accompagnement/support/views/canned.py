"""Canned answers (`/equipe/reponses-types/`): the team's list, writing, deleting, and the
text of one answer for a request's reply box (fetched by `static/js/portail.js`).

For members and the pilot; agents get a 403. Reads through `selectors/canned.py`,
writes through `services/canned.py`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accompagnement.accounts import roles
from accompagnement.support.forms.canned import CannedFilterForm, CannedPickForm, CannedResponseForm
from accompagnement.support.selectors import canned as canned_selectors
from accompagnement.support.selectors import requests as request_selectors
from accompagnement.support.services.canned import (
    canned_response_create,
    canned_response_delete,
    canned_response_update,
)

LIST_PAGE_SIZE = 50


@require_safe
@roles.role_required(roles.is_team)
def canned_list(request):
    filters = CannedFilterForm(request.GET or None)
    answers = canned_selectors.canned_responses_for_list(**filters.criteria())
    paginator = Paginator(answers, LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "support/canned_list.html",
        {
            "filters": filters,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "ellipsis": paginator.ELLIPSIS,
        },
    )


def _initial_from_message(request) -> dict:
    """`?depuis=<message>`: a public reply of the team, to save as a canned answer. The
    request's own reference and requester's name become their placeholders."""
    message_id = CannedPickForm(request.GET).value("depuis")
    source = (
        canned_selectors.team_reply_source_for(request.user, message_id) if message_id else None
    )
    if source is None:
        return {}
    support_request = source.request
    body = source.body.replace(support_request.reference, "{reference}")
    name = support_request.requester.get_full_name()
    if name:
        body = body.replace(name, "{demandeur}")
    return {"body": body, "axis": support_request.axis, "category": support_request.category}


@require_http_methods(["GET", "POST"])
@roles.role_required(roles.is_team)
def canned_create(request):
    if request.method == "POST":
        form = CannedResponseForm(request.POST)
        if form.is_valid():
            try:
                answer = canned_response_create(author=request.user, **form.service_arguments())
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("La réponse type « %(title)s » est enregistrée.") % {"title": answer.title},
                )
                return redirect("support:canned_list")
    else:
        form = CannedResponseForm(initial=_initial_from_message(request))
    return render(request, "support/canned_form.html", {"form": form, "answer": None})


@require_http_methods(["GET", "POST"])
@roles.role_required(roles.is_team)
def canned_update(request, pk):
    answer = canned_selectors.get_canned_response_for(request.user, pk)
    if request.method == "POST":
        form = CannedResponseForm(request.POST, canned_response=answer)
        if form.is_valid():
            try:
                canned_response_update(
                    canned_response=answer, user=request.user, **form.service_arguments()
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("La réponse type « %(title)s » est enregistrée.") % {"title": answer.title},
                )
                return redirect("support:canned_list")
    else:
        form = CannedResponseForm(canned_response=answer)
    return render(request, "support/canned_form.html", {"form": form, "answer": answer})


@require_http_methods(["GET", "POST"])
@roles.role_required(roles.is_team)
def canned_delete(request, pk):
    """GET asks for confirmation; POST deletes."""
    answer = canned_selectors.get_canned_response_for(request.user, pk)
    if request.method == "POST":
        canned_response_delete(canned_response=answer, user=request.user)
        messages.success(
            request, _("La réponse type « %(title)s » est supprimée.") % {"title": answer.title}
        )
        return redirect("support:canned_list")
    return render(request, "support/canned_delete.html", {"answer": answer})


@require_safe
@roles.role_required(roles.is_team)
def canned_text(request, reference, pk):
    """The answer's text for this request, placeholders replaced (JSON, for the reply
    box's picker)."""
    support_request = request_selectors.get_request_for(
        request.user, reference, queryset=request_selectors.request_page_queryset()
    )
    answer = canned_selectors.get_canned_response_for(request.user, pk)
    return JsonResponse(
        {
            "id": answer.pk,
            "title": answer.title,
            "text": canned_selectors.canned_text_for(answer, support_request),
        }
    )

"""The request screens: filing (with suggestions as the agent types), the DDI's list, the
request page, replies, closing and reopening, files.

Access always goes through `selectors/requests.py` (`get_request_for`,
`get_attachment_for`); writes through `services/requests.py`.
"""

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accompagnement.accounts import roles
from accompagnement.core import ratelimits
from accompagnement.knowledge import forms as knowledge_forms
from accompagnement.knowledge import selectors as knowledge_selectors
from accompagnement.support.enums import Status
from accompagnement.support.forms.requests import (
    ReplyForm,
    RequestFilterForm,
    SupportRequestForm,
    VersionForm,
)
from accompagnement.support.panel import team_panel_context
from accompagnement.support.selectors import requests as request_selectors
from accompagnement.support.services.requests import (
    ConcurrentUpdateError,
    support_request_create,
    support_request_reply,
    support_request_transition,
)
from accompagnement.support.uploads import ALLOWED_CONTENT_TYPES
from accompagnement.support.workflow import Actor, can_transition

LIST_PAGE_SIZE = 25


def _get_request(user, reference):
    return request_selectors.get_request_for(
        user, reference, queryset=request_selectors.request_page_queryset()
    )


def _take_uploads(request):
    """Count the posted files against the upload limit before their content is read:
    checking a file costs (a zip bomb), so a refused file counts too. Over the limit, the
    limit reached and no file: the form is checked without them."""
    posted = len(request.FILES.getlist("attachments"))
    limited = ratelimits.take(request, ratelimits.UPLOADS, posted)
    return limited, (request.FILES if limited is None else None)


# ---------------------------------------------------------------------------- filing


@roles.role_required(roles.is_agent)
@require_http_methods(["GET", "POST"])
def request_create(request):
    status = 200
    if request.method == "POST":
        limited, files = _take_uploads(request)
        form = SupportRequestForm(request.POST, files, user=request.user)
        if limited is None and form.is_valid():
            limited = ratelimits.hit(request, ratelimits.REQUEST_CREATE)
        # Over a limit, the form comes back with what was typed: nothing is lost.
        if limited is not None:
            form.add_error(None, limited.message)
            status = 429
        elif form.is_valid():
            try:
                support_request = support_request_create(
                    requester=request.user, **form.service_arguments()
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                return redirect("support:confirmation", reference=support_request.reference)
    else:
        form = SupportRequestForm(user=request.user)
    return render(request, "support/create.html", {"form": form}, status=status)


def request_confirmation(request, reference):
    support_request = _get_request(request.user, reference)
    return render(
        request,
        "support/confirmation.html",
        {"support_request": support_request},
    )


# ---------------------------------------------------------------------------- list


@roles.role_required(roles.is_agent)
def request_list(request):
    filters = RequestFilterForm(request.GET or None)
    requests = request_selectors.requests_for_ddi_list(user=request.user, **filters.criteria())
    paginator = Paginator(requests, LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "support/list.html",
        {
            "filters": filters,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "ellipsis": paginator.ELLIPSIS,
            "ddi": request_selectors.ddi_with_department(request.user),
        },
    )


# ---------------------------------------------------------------------------- request page


def _render_request_page(request, support_request, reply_form, *, conflict=False, status=200):
    user = request.user
    is_team = roles.is_team(user)
    agent_can = {
        target: roles.is_agent(user) and can_transition(support_request.status, target, Actor.AGENT)
        for target in (Status.CLOSED, Status.IN_PROGRESS)
    }
    # The team's panel first: the page's own names win over any clash.
    context = dict(team_panel_context(request, support_request)) if is_team else {}
    context.update(
        {
            "support_request": support_request,
            "timeline": request_selectors.request_timeline(
                user=user, support_request=support_request
            ),
            "request_files": request_selectors.request_attachments(support_request),
            "reply_form": reply_form,
            "can_reply": request_selectors.can_reply_to(user, support_request),
            "is_team": is_team,
            "is_overdue": is_team and support_request.is_overdue(),
            "can_close": agent_can[Status.CLOSED],
            "can_reopen": support_request.status == Status.RESOLVED
            and agent_can[Status.IN_PROGRESS],
            "conflict": conflict,
        }
    )
    return render(request, "support/detail.html", context, status=status)


def request_detail(request, reference):
    support_request = _get_request(request.user, reference)
    form = ReplyForm(user=request.user, support_request=support_request)
    return _render_request_page(request, support_request, form)


@require_POST
def request_reply(request, reference):
    support_request = _get_request(request.user, reference)
    if not request_selectors.can_reply_to(request.user, support_request):
        raise PermissionDenied
    limited, files = _take_uploads(request)
    form = ReplyForm(request.POST, files, user=request.user, support_request=support_request)
    if limited is not None:
        form.add_error(None, limited.message)
        return _render_request_page(request, support_request, form, status=429)
    if form.is_valid():
        try:
            message = support_request_reply(
                request=support_request,
                author=request.user,
                body=form.message_body(),
                files=form.cleaned_data["attachments"],
                internal=form.is_internal,
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentUpdateError:
            current = _get_request(request.user, reference)
            form.keep_for_retry(current.version)
            return _render_request_page(request, current, form, conflict=True, status=409)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Votre note interne est enregistrée.")
                if message.is_internal
                else _("Votre message est envoyé."),
            )
            url = reverse("support:detail", kwargs={"reference": reference})
            return redirect(f"{url}#message-{message.pk}")
    return _render_request_page(request, support_request, form)


def _agent_transition(request, support_request, to_status, success_message):
    """Close or reopen from the agent's page; a stale page changes nothing."""
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise BadRequest
    try:
        support_request_transition(
            request=support_request,
            user=request.user,
            to_status=to_status,
            expected_version=form.cleaned_data["version"],
        )
    except ConcurrentUpdateError:
        messages.error(
            request,
            _(
                "Cette demande a été modifiée par quelqu'un d'autre pendant que vous la "
                "consultiez : voici son état actuel. Rien n'a été changé ; recommencez si "
                "besoin."
            ),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success_message)
    return redirect("support:detail", reference=support_request.reference)


@roles.role_required(roles.is_agent)
@require_http_methods(["GET", "POST"])
def request_close(request, reference):
    """GET asks for confirmation; POST closes."""
    support_request = _get_request(request.user, reference)
    if request.method == "POST":
        return _agent_transition(
            request, support_request, Status.CLOSED, _("La demande est clôturée.")
        )
    if not can_transition(support_request.status, Status.CLOSED, Actor.AGENT):
        messages.info(request, _("Cette demande ne peut plus être clôturée."))
        return redirect("support:detail", reference=support_request.reference)
    return render(
        request,
        "support/close.html",
        {"support_request": support_request},
    )


@roles.role_required(roles.is_agent)
@require_POST
def request_reopen(request, reference):
    support_request = _get_request(request.user, reference)
    if support_request.status != Status.RESOLVED:
        messages.info(request, _("Seule une demande résolue peut être rouverte."))
        return redirect("support:detail", reference=support_request.reference)
    return _agent_transition(
        request,
        support_request,
        Status.IN_PROGRESS,
        _("La demande est rouverte : l'équipe la reprend."),
    )


# ---------------------------------------------------------------------------- files


def request_attachment(request, reference, pk):
    attachment = request_selectors.get_attachment_for(request.user, reference, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    content_type = (
        attachment.content_type
        if attachment.content_type in ALLOWED_CONTENT_TYPES
        else "application/octet-stream"
    )
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@roles.role_required(roles.is_agent)
def request_suggestions(request):
    """A fragment for the filing form (htmx): articles and the DDI's own open requests
    close to what the agent typed."""
    user = request.user
    text = knowledge_forms.SuggestionQueryForm(request.GET).text()
    return render(
        request,
        "support/_suggestions.html",
        {
            "articles": knowledge_selectors.suggested_articles(text, ddi=user.ddi),
            "similar_requests": request_selectors.similar_open_requests(text, ddi_id=user.ddi_id),
        },
    )

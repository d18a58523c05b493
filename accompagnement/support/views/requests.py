"""The request screens: filing (with suggestions as the agent types), the DDI's list, the
request page, replies, closing and reopening, files.

Access always goes through `selectors/requests.py` (`get_request_for`,
`get_attachment_for`); writes through `services/requests.py`.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accompagnement.accounts import roles
from accompagnement.core import ratelimits
from accompagnement.knowledge import forms as knowledge_forms
from accompagnement.knowledge import selectors as knowledge_selectors
from accompagnement.support import workflow
from accompagnement.support.enums import Status
from accompagnement.support.forms.canned import CannedPickForm
from accompagnement.support.forms.replies import ReplyForm
from accompagnement.support.forms.requests import RequestFilterForm, SupportRequestForm, VersionForm
from accompagnement.support.panel import team_panel_context
from accompagnement.support.selectors import canned as canned_selectors
from accompagnement.support.selectors import requests as request_selectors
from accompagnement.support.services.replies import support_request_reply_and_transition
from accompagnement.support.services.requests import (
    CLOSED_FOR_MESSAGES,
    ConcurrentUpdateError,
    support_request_create,
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
        # A follow-up of a finished request (`?suite=`): anything else is simply ignored.
        source = request_selectors.follow_up_source(request.user, request.POST.get("suite"))
        if limited is None and form.is_valid():
            limited = ratelimits.hit(request, ratelimits.REQUEST_CREATE)
        # Over a limit, the form comes back with what was typed: nothing is lost.
        if limited is not None:
            form.add_error(None, limited.message)
            status = 429
        elif form.is_valid():
            try:
                support_request = support_request_create(
                    requester=request.user, follows_up=source, **form.service_arguments()
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                if source is not None:
                    request.session.pop(_kept_message_key(source.reference), None)
                return redirect("support:confirmation", reference=support_request.reference)
    else:
        source = request_selectors.follow_up_source(request.user, request.GET.get("suite"))
        initial = _follow_up_initial(request, source) if source is not None else None
        form = SupportRequestForm(user=request.user, initial=initial)
    return render(
        request, "support/create.html", {"form": form, "follows_up": source}, status=status
    )


# ---------------------------------------------------------------------------- follow-ups
# A message an agent writes on a finished request is kept in their session (refused by
# the service: past the reopening delay, redirected, merged) until it starts the new
# linked request (`?suite=<reference>`).


def _kept_message_key(reference: str) -> str:
    return f"support:message-refused:{reference}"


def _follow_up_initial(request, source) -> dict:
    """The new request pre-filled from the finished one, and the refused message."""
    title = _("Suite de %(reference)s : %(title)s") % {
        "reference": source.reference,
        "title": source.title,
    }
    initial = {"suite": source.reference, "title": title[:200], "axis": source.axis}
    if source.category.is_active:
        initial["category"] = source.category_id
    initial["programme"] = source.programme_id
    initial["service_centre"] = source.service_centre_id
    kept = request.session.get(_kept_message_key(source.reference))
    if kept:
        initial["body"] = kept
    return initial


def _after_closing(request, support_request) -> dict | None:
    """For an agent on a finished request: whether their message reopens it (until
    when), or the new linked request that takes over, with the message they wrote."""
    if not roles.is_agent(request.user):
        return None
    if support_request.status not in (Status.CLOSED, Status.REDIRECTED, Status.MERGED):
        return None
    refused = workflow.agent_message_refused(support_request)
    return {
        "refused": refused,
        "reopens_until": None if refused else workflow.reopen_deadline(support_request),
        "merged_into": request_selectors.merged_into_reference(request.user, support_request),
        "follow_up_url": reverse("support:create") + "?suite=" + support_request.reference,
        "kept_message": request.session.get(_kept_message_key(support_request.reference), ""),
        "delay_days": settings.REOPEN_DELAY_DAYS,
    }


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
    now = timezone.now()
    agent_can = {
        target: roles.is_agent(user) and can_transition(support_request.status, target, Actor.AGENT)
        for target in (Status.CLOSED, Status.IN_PROGRESS)
    }
    # The team's panel first: the page's own names win over any clash.
    context = dict(team_panel_context(request, support_request)) if is_team else {}
    timeline = request_selectors.request_timeline(user=user, support_request=support_request)
    context.update(
        {
            "support_request": support_request,
            "timeline": timeline,
            "redirect_contact_apart": _redirect_contact_apart(support_request, timeline),
            "request_files": request_selectors.request_attachments(support_request),
            "reply_form": reply_form,
            "can_reply": request_selectors.can_reply_to(user, support_request),
            "is_team": is_team,
            # The team's clock: its state badge and due dates (`sla.sla_state`).
            "now": now,
            "sla_state": support_request.sla_state(now) if is_team else None,
            "can_close": agent_can[Status.CLOSED],
            "can_reopen": support_request.status == Status.RESOLVED
            and agent_can[Status.IN_PROGRESS],
            "conflict": conflict,
            "is_following": is_team and request_selectors.is_followed_by(support_request, user),
        }
    )
    # An agent's message on a finished request (support/_after_closing.html).
    context["after_closing"] = _after_closing(request, support_request)
    # The canned answers offered above the reply box (support/_canned_picker.html).
    context["canned_choices"] = (
        canned_selectors.canned_choices_for_request(support_request)
        if is_team and context["can_reply"]
        else []
    )
    return render(request, "support/detail.html", context, status=status)


def _redirect_contact_apart(support_request, timeline) -> bool:
    """Whether the page shows a redirected request's contact in a box of its own: not
    when a public message of the timeline already gives it (the contact said once)."""
    contact = support_request.redirect_contact
    if support_request.status != Status.REDIRECTED or not contact:
        return False
    return not any(
        entry.message is not None
        and not entry.message.is_internal
        and contact in entry.message.body
        for entry in timeline
    )


def _picked_canned_answer(request, support_request) -> tuple[int, str] | None:
    """`?reponse_type=<id>` (the picker without JavaScript): its id and its text for this
    request; None when absent, unknown or not for this user."""
    pk = CannedPickForm(request.GET).value("reponse_type")
    if pk is None or not roles.is_team(request.user):
        return None
    try:
        answer = canned_selectors.get_canned_response_for(request.user, pk)
    except Http404:
        messages.info(request, _("Cette réponse type n’existe plus."))
        return None
    return answer.pk, canned_selectors.canned_text_for(answer, support_request)


def request_detail(request, reference):
    support_request = _get_request(request.user, reference)
    merged_into = request_selectors.merged_into_reference(request.user, support_request)
    if merged_into is not None:
        messages.info(
            request,
            _("La demande %(reference)s a été fusionnée dans celle-ci.")
            % {"reference": support_request.reference},
        )
        return redirect("support:detail", reference=merged_into)
    form = ReplyForm(
        user=request.user,
        support_request=support_request,
        canned=_picked_canned_answer(request, support_request),
    )
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
            message = support_request_reply_and_transition(
                request=support_request,
                author=request.user,
                body=form.message_body(),
                files=form.cleaned_data["attachments"],
                internal=form.is_internal,
                expected_version=form.cleaned_data["version"],
                to_status=form.then_status,
                canned_response_id=form.canned_response_id,
            )
        except ConcurrentUpdateError:
            current = _get_request(request.user, reference)
            form.keep_for_retry(current.version)
            return _render_request_page(request, current, form, conflict=True, status=409)
        except ValidationError as error:
            if getattr(error, "code", None) == CLOSED_FOR_MESSAGES:
                # Never lost: kept for the new linked request, and shown on the page.
                kept_key = _kept_message_key(support_request.reference)
                request.session[kept_key] = form.cleaned_data["body"]
            form.add_service_error(error)
        else:
            if message.is_internal:
                sent = _("Votre note interne est enregistrée.")
            elif form.then_status:
                sent = _(
                    "Votre message est envoyé ; la demande passe au statut « %(status)s »."
                ) % {"status": Status(form.then_status).label}
            else:
                sent = _("Votre message est envoyé.")
            messages.success(request, sent)
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

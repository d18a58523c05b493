"""The team's shared queue: filters, search, sorting, saved filters and bulk actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accompagnement.accounts import roles
from accompagnement.core.fragments import fragment_key
from accompagnement.support import filters
from accompagnement.support.extensions import queue_extensions
from accompagnement.support.forms.team import BulkActionForm, SavedFilterForm, queue_query_string
from accompagnement.support.selectors import queue as queue_selectors
from accompagnement.support.selectors import requests as request_selectors
from accompagnement.support.services import saved_filters as saved_filter_services
from accompagnement.support.services.requests import (
    ConcurrentUpdateError,
    support_request_transition,
)
from accompagnement.support.services.team_actions import support_request_assign
from accompagnement.support.services.triage import support_request_triage


def _queue_url(query: str = "") -> str:
    url = reverse("support:queue")
    return f"{url}?{query}" if query else url


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@roles.role_required(roles.is_team)
@require_GET
def queue(request):
    members = queue_selectors.team_members()
    choices = queue_selectors.reference_choices(*filters.REFERENCE_LISTS)
    queue_filter = filters.QueueFilter(
        request.GET,
        queryset=queue_selectors.queue_requests(),
        request=request,
        choices=choices,
        members=members,
        now=timezone.now(),
    )
    paginator = queue_selectors.CappedPaginator(
        queue_filter.qs, queue_selectors.QUEUE_PAGE_SIZE, cap=queue_selectors.QUEUE_COUNT_CAP
    )
    page = paginator.get_page(request.GET.get("page"))
    query = queue_query_string(request.GET)
    # The filter block shows the filters asked for and the choice lists, nothing else.
    filters_key = fragment_key(
        query,
        choices,
        [(user.pk, queue_selectors.member_label(user)) for user in members],
    )
    return render(
        request,
        "support/queue.html",
        {
            "queue_filter": queue_filter,
            # Each row's SLA badge is read at the moment the filters used.
            "now": queue_filter.now,
            "filters_key": filters_key,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "query": query,
            "saved_filters": list(queue_selectors.saved_filters_of(request.user)),
            "save_form": SavedFilterForm(owner=request.user, initial={"query": query}),
            "bulk_form": BulkActionForm(members=members, initial={"query": query}),
            **queue_extensions(),
        },
    )


@roles.role_required(roles.is_team)
@require_POST
def bulk_action(request):
    form = BulkActionForm(request.POST, members=queue_selectors.team_members())
    back = _queue_url(queue_query_string(QueryDict(request.POST.get("query", ""))))
    if not form.is_valid():
        messages.error(
            request, _("Aucune demande modifiée : %(errors)s") % {"errors": _form_errors(form)}
        )
        return redirect(back)

    selection = form.cleaned_data["selection"]
    action = form.cleaned_data["action"]
    changed, unchanged, failures = 0, 0, []
    for support_request in queue_selectors.requests_for_bulk(request.user, selection):
        seen_version = selection[support_request.pk]
        try:
            if seen_version != support_request.version:
                raise ConcurrentUpdateError(support_request)
            if action == BulkActionForm.ASSIGN:
                assignee = form.assignee_user(request.user)
                if support_request.assignee_id == (assignee.pk if assignee else None):
                    unchanged += 1
                    continue
                support_request_assign(
                    request=support_request,
                    user=request.user,
                    assignee=assignee,
                    expected_version=seen_version,
                )
            elif action in (BulkActionForm.PRIORITY, BulkActionForm.CATEGORY):
                # Each request through the same correction as on its page.
                if not support_request_triage(
                    request=support_request,
                    user=request.user,
                    expected_version=seen_version,
                    **form.triage_changes(),
                ):
                    unchanged += 1
                    continue
            else:
                to_status = form.cleaned_data["status"]
                if support_request.status == to_status:
                    unchanged += 1
                    continue
                support_request_transition(
                    request=support_request,
                    user=request.user,
                    to_status=to_status,
                    expected_version=seen_version,
                )
        except ConcurrentUpdateError:
            failures.append(
                _("%(reference)s (modifiée entre-temps par quelqu’un d’autre)")
                % {"reference": support_request.reference}
            )
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else _("refusé")
            failures.append(f"{support_request.reference} ({reason})")
        else:
            changed += 1

    if changed:
        messages.success(
            request,
            ngettext("%(count)d demande modifiée.", "%(count)d demandes modifiées.", changed)
            % {"count": changed},
        )
    if unchanged:
        messages.info(
            request,
            ngettext(
                "%(count)d demande était déjà dans cet état.",
                "%(count)d demandes étaient déjà dans cet état.",
                unchanged,
            )
            % {"count": unchanged},
        )
    if failures:
        messages.warning(
            request,
            ngettext(
                "Cette demande n’a pas été modifiée : %(list)s.",
                "Ces demandes n’ont pas été modifiées : %(list)s.",
                len(failures),
            )
            % {"list": " ; ".join(failures)},
        )
    return redirect(back)


@roles.role_required(roles.is_team)
@require_POST
def saved_filter_create(request):
    form = SavedFilterForm(request.POST, owner=request.user)
    query = queue_query_string(QueryDict(request.POST.get("query", "")))
    if not form.is_valid():
        messages.error(
            request, _("Filtre non enregistré : %(errors)s") % {"errors": _form_errors(form)}
        )
        return redirect(_queue_url(query))
    name = form.cleaned_data["name"]
    try:
        saved_filter_services.saved_filter_create(
            owner=request.user, name=name, query=form.cleaned_data["query"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Filtre « %(name)s » enregistré.") % {"name": name})
    return redirect(_queue_url(query))


@roles.role_required(roles.is_team)
@require_POST
def saved_filter_delete(request, pk: int):
    # Another member's filter is not found (404), never revealed.
    saved = request_selectors.get_saved_filter_for(request.user, pk)
    saved_filter_services.saved_filter_delete(saved_filter=saved)
    messages.success(request, _("Filtre « %(name)s » supprimé.") % {"name": saved.name})
    return redirect(_queue_url())

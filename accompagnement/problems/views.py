"""Problems reported by many DDIs (`/equipe/problemes/`): the team's screens only.

Agents never reach these pages; they see a problem's answer as a team reply on their own
request. Access and reads go through `selectors.py` (`get_problem_for`), writes through
`services.py`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accompagnement.accounts import roles
from accompagnement.core.converters import is_reference
from accompagnement.problems import selectors
from accompagnement.problems.forms import (
    AttachToProblemForm,
    ProblemAnswerForm,
    ProblemAttachForm,
    ProblemEditForm,
    ProblemFromQueueForm,
    ProblemFromRequestForm,
)
from accompagnement.problems.services import (
    AttachOutcome,
    problem_answer_post,
    problem_attach_requests,
    problem_create,
    problem_detach_request,
    problem_publish_article,
    problem_reopen,
    problem_resolve,
    problem_update,
)
from accompagnement.support.forms.team import queue_query_string
from accompagnement.support.panel import request_page_url
from accompagnement.support.selectors import queue as queue_selectors
from accompagnement.support.selectors import requests as request_selectors

team_only = roles.role_required(selectors.can_manage_problems)


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _references(requests) -> str:
    return ", ".join(r.reference for r in requests)


def _report_attach(http_request, outcome: AttachOutcome) -> None:
    if outcome.attached:
        messages.success(
            http_request,
            ngettext(
                "%(count)d demande rattachée : %(list)s.",
                "%(count)d demandes rattachées : %(list)s.",
                len(outcome.attached),
            )
            % {"count": len(outcome.attached), "list": _references(outcome.attached)},
        )
    if outcome.already:
        messages.info(
            http_request,
            _("Déjà rattachées à ce problème : %(list)s.") % {"list": _references(outcome.already)},
        )
    if outcome.elsewhere:
        messages.warning(
            http_request,
            _("Rattachées à un autre problème, laissées en l’état : %(list)s.")
            % {"list": _references(outcome.elsewhere)},
        )
    if outcome.anonymised:
        messages.warning(
            http_request,
            _("Anonymisées, laissées en l’état : %(list)s.")
            % {"list": _references(outcome.anonymised)},
        )


# ---------------------------------------------------------------------------- pages


@team_only
@require_GET
def problem_list(request):
    paginator = Paginator(selectors.problems_for_list(), selectors.LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "problems/list.html",
        {
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "ellipsis": paginator.ELLIPSIS,
        },
    )


def _render_detail(http_request, problem, *, answer_form=None, edit_form=None, status=200):
    linked = selectors.problem_requests(problem)
    return render(
        http_request,
        "problems/detail.html",
        {
            "problem": problem,
            "linked": linked,
            "share": selectors.ddi_share(linked),
            "answers": selectors.problem_answers(problem),
            "candidates": selectors.problem_candidates(problem),
            "answer_form": answer_form or ProblemAnswerForm(),
            "attach_form": ProblemAttachForm(),
            "edit_form": edit_form or ProblemEditForm(problem=problem),
        },
        status=status,
    )


@team_only
@require_GET
def problem_detail(request, pk: int):
    problem = selectors.get_problem_for(
        request.user, pk, queryset=selectors.problem_page_queryset()
    )
    return _render_detail(request, problem)


# ---------------------------------------------------------------------------- grouping


@team_only
@require_POST
def problem_create_from_queue(request):
    form = ProblemFromQueueForm(request.POST)
    query = queue_query_string(QueryDict(request.POST.get("query", "")))
    back = reverse("support:queue") + (f"?{query}" if query else "")
    if not form.is_valid():
        messages.error(
            request, _("Aucun problème créé : %(errors)s") % {"errors": _form_errors(form)}
        )
        return redirect(back)
    order = list(form.cleaned_data["selection"])
    chosen = sorted(
        queue_selectors.requests_for_bulk(request.user, order), key=lambda r: order.index(r.pk)
    )
    try:
        problem, outcome = problem_create(
            user=request.user, requests=chosen, title=form.cleaned_data["title"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("Problème « %(title)s » créé.") % {"title": problem.title})
    _report_attach(request, outcome)
    return redirect(problem)


@team_only
@require_POST
def problem_create_from_request(request, reference: str):
    support_request = request_selectors.get_request_for(request.user, reference)
    form = ProblemFromRequestForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Aucun problème créé : %(errors)s") % {"errors": _form_errors(form)}
        )
        return redirect(request_page_url(support_request.reference))
    try:
        problem, _outcome = problem_create(
            user=request.user, requests=[support_request], title=form.cleaned_data["title"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(request_page_url(support_request.reference))
    messages.success(
        request,
        _("Problème « %(title)s » créé à partir de la demande %(reference)s.")
        % {"title": problem.title, "reference": support_request.reference},
    )
    return redirect(problem)


@team_only
@require_POST
def request_attach(request, reference: str):
    """From a request's page: attach it to an open problem."""
    support_request = request_selectors.get_request_for(request.user, reference)
    form = AttachToProblemForm(request.POST, problems=selectors.open_problems_choices())
    page_url = request_page_url(support_request.reference)
    if not form.is_valid():
        messages.error(
            request, _("Demande non rattachée : %(errors)s") % {"errors": _form_errors(form)}
        )
        return redirect(page_url)
    problem = selectors.get_problem_for(request.user, form.cleaned_data["problem"])
    _report_attach(
        request,
        problem_attach_requests(problem=problem, user=request.user, requests=[support_request]),
    )
    return redirect(page_url)


@team_only
@require_POST
def problem_attach(request, pk: int):
    """From the problem's page: attach suggested candidates or requests named by reference."""
    problem = selectors.get_problem_for(request.user, pk)
    form = ProblemAttachForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Aucune demande rattachée : %(errors)s") % {"errors": _form_errors(form)}
        )
        return redirect(problem)
    references = form.cleaned_data["reference"]
    # What is not a reference (a NUL byte, which PostgreSQL refuses) is reported unknown.
    found = list(
        request_selectors.requests_visible_to(request.user)
        .filter(reference__in=[r for r in references if is_reference(r)])
        .order_by("reference")
    )
    unknown = sorted(set(references) - {r.reference for r in found})
    if unknown:
        messages.error(
            request,
            _("Aucune demande ne porte ces références : %(list)s.") % {"list": ", ".join(unknown)},
        )
    if found:
        _report_attach(
            request, problem_attach_requests(problem=problem, user=request.user, requests=found)
        )
    return redirect(problem)


@team_only
@require_POST
def problem_detach(request, pk: int):
    """From the problem's page: take one linked request out of the problem."""
    problem = selectors.get_problem_for(request.user, pk)
    support_request = queue_selectors.request_by_reference(
        request.user, request.POST.get("reference", "")
    )
    if support_request is None:
        messages.error(request, _("Aucune demande ne porte cette référence."))
        return redirect(problem)
    try:
        problem_detach_request(problem=problem, user=request.user, request=support_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Demande %(reference)s détachée du problème : les prochaines réponses ne lui "
                "seront pas envoyées."
            )
            % {"reference": support_request.reference},
        )
    return redirect(problem)


@team_only
@require_POST
def problem_edit(request, pk: int):
    problem = selectors.get_problem_for(
        request.user, pk, queryset=selectors.problem_page_queryset()
    )
    form = ProblemEditForm(request.POST, problem=problem)
    if form.is_valid():
        try:
            problem_update(
                problem=problem,
                user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Le problème est modifié."))
            return redirect(problem)
    # The typed text comes back with the message: nothing is lost.
    return _render_detail(request, problem, edit_form=form, status=400)


@team_only
@require_POST
def problem_reopen_view(request, pk: int):
    problem = selectors.get_problem_for(request.user, pk)
    if problem_reopen(problem=problem, user=request.user):
        messages.success(
            request,
            _(
                "Problème rouvert. Les demandes résolues avec lui le restent : une DDI rouvre "
                "la sienne en répondant."
            ),
        )
    else:
        messages.info(request, _("Ce problème était déjà ouvert."))
    return redirect(problem)


# ---------------------------------------------------------------------------- answering


@team_only
@require_POST
def problem_answer(request, pk: int):
    problem = selectors.get_problem_for(
        request.user, pk, queryset=selectors.problem_page_queryset()
    )
    form = ProblemAnswerForm(request.POST)
    if form.is_valid():
        try:
            _answer, delivered = problem_answer_post(
                problem=problem,
                author=request.user,
                body=form.cleaned_data["body"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if delivered:
                messages.success(
                    request,
                    ngettext(
                        "Réponse envoyée sur %(count)d demande.",
                        "Réponse envoyée sur %(count)d demandes.",
                        delivered,
                    )
                    % {"count": delivered},
                )
            else:
                messages.info(
                    request,
                    _(
                        "Cette réponse avait déjà été envoyée : aucune demande ne la reçoit "
                        "deux fois."
                    ),
                )
            return redirect(problem)
    return _render_detail(request, problem, answer_form=form, status=400)


@team_only
@require_POST
def problem_resolve_view(request, pk: int):
    problem = selectors.get_problem_for(request.user, pk)
    outcome = problem_resolve(problem=problem, user=request.user)
    if outcome.already_resolved:
        messages.info(request, _("Ce problème était déjà résolu."))
        return redirect(problem)
    messages.success(
        request,
        ngettext(
            "Problème résolu ; %(count)d demande résolue avec lui.",
            "Problème résolu ; %(count)d demandes résolues avec lui.",
            len(outcome.resolved),
        )
        % {"count": len(outcome.resolved)},
    )
    if outcome.skipped:
        messages.warning(
            request,
            _("Demandes laissées en l’état : %(list)s.")
            % {"list": " ; ".join(f"{r.reference} ({reason})" for r, reason in outcome.skipped)},
        )
    return redirect(problem)


@team_only
@require_POST
def problem_publish(request, pk: int):
    """A draft article from the problem; a member publishes it from the knowledge base."""
    problem = selectors.get_problem_for(request.user, pk)
    try:
        article, created = problem_publish_article(problem=problem, user=request.user)
    except ValidationError as exc:
        messages.error(
            request,
            _("Aucun brouillon d’article créé : %(errors)s") % {"errors": " ".join(exc.messages)},
        )
        return redirect(problem)
    if created:
        messages.success(
            request,
            _(
                "Brouillon d’article « %(title)s » créé : les DDI ne le voient pas encore. "
                "Relisez-le, puis publiez-le en le modifiant."
            )
            % {"title": article},
        )
    else:
        messages.info(request, _("Ce problème a déjà son article."))
    return redirect(article)

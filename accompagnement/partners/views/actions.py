"""The ministries' own support actions (`/pilotage/actions/`): the register (members and
the pilot record them, one by one or from a partner's CSV file), the coverage of the DDIs
with the gaps first, and the pilot's follow-up notes on the partners.

Access and reads go through `selectors/actions.py` and `selectors/coverage.py`, writes
through `services/actions.py` and `services/follow_ups.py`.
"""

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accompagnement.accounts import roles
from accompagnement.partners import action_csv
from accompagnement.partners.forms.actions import (
    ActionFilterForm,
    ActionImportConfirmForm,
    ActionImportForm,
    CoverageFilterForm,
    FollowUpForm,
    SupportActionForm,
)
from accompagnement.partners.selectors import actions as selectors
from accompagnement.partners.selectors.coverage import CORE_KINDS, Coverage, coverage_for
from accompagnement.partners.services import actions as services
from accompagnement.partners.services import follow_ups as follow_up_services

team_only = roles.role_required(selectors.can_manage_actions)
pilot_only = roles.role_required(selectors.can_manage_follow_ups)

PAGE_SIZE = 50
# The example file's owner when no partner is recorded yet.
EXAMPLE_OWNER = "equipe-chorus-maaprat"


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _add_service_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# ---------------------------------------------------------------------------- the register


@team_only
@require_GET
def action_list(request):
    form = ActionFilterForm(request.GET or None)
    paginator = Paginator(selectors.actions_for_register(form.filters()), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [(action, selectors.action_audience_description(action)) for action in page]
    return render(
        request,
        "partners/actions.html",
        {
            "form": form,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "ellipsis": paginator.ELLIPSIS,
            "rows": rows,
            "filtered": bool(_query_without(request, "page")),
            "is_pilot": roles.is_pilot(request.user),
            "current_tab": "register",
        },
    )


def _render_form(request, form, *, action=None):
    return render(
        request,
        "partners/actions_form.html",
        {
            "form": form,
            "action": action,
            "title": _("Modifier l’action") if action else _("Enregistrer une action"),
            "current_tab": "register",
            "is_pilot": roles.is_pilot(request.user),
        },
    )


@team_only
@require_http_methods(["GET", "POST"])
def action_create(request):
    form = SupportActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.support_action_create(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request, _("Action « %(title)s » enregistrée.") % {"title": action.title}
            )
            return redirect("partners:actions")
    return _render_form(request, form)


@team_only
@require_http_methods(["GET", "POST"])
def action_update(request, pk: int):
    action = selectors.get_action_for(request.user, pk)
    form = SupportActionForm(request.POST if request.method == "POST" else None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_action_update(action=action, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Action « %(title)s » modifiée.") % {"title": action.title})
            return redirect("partners:actions")
    return _render_form(request, form, action=action)


# ---------------------------------------------------------------------------- import


def _example_response() -> HttpResponse:
    owner = selectors.action_owners().values_list("code", flat=True).first() or EXAMPLE_OWNER
    response = HttpResponse(
        "\ufeff" + action_csv.example_csv(owner), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="actions-exemple.csv"'
    return response


@team_only
@require_http_methods(["GET", "POST"])
def action_import(request):
    if request.method == "GET" and "exemple" in request.GET:
        return _example_response()
    form, confirm, rows, problems = ActionImportForm(), None, [], None
    if request.method == "POST" and "contenu" in request.POST:
        confirm = ActionImportConfirmForm(request.POST)
        if confirm.is_valid():
            try:
                checked = action_csv.read_action_file(confirm.cleaned_data["contenu"])
            except action_csv.ActionFileError as error:
                problems, confirm = error, None
            else:
                report = services.support_actions_import(user=request.user, rows=checked)
                messages.success(
                    request,
                    _("Import terminé — actions créées : %(created)d ; mises à jour : %(updated)d.")
                    % {"created": report.created, "updated": report.updated},
                )
                return redirect("partners:actions")
        else:
            confirm = None
            messages.error(request, _("Le contenu à importer est absent : envoyez le fichier."))
    elif request.method == "POST":
        form = ActionImportForm(request.POST, request.FILES)
        if form.is_valid():
            raw = form.cleaned_data["fichier"].read()
            try:
                rows = action_csv.read_action_file(raw)
            except action_csv.ActionFileError as error:
                problems = error
            else:
                confirm = ActionImportConfirmForm(initial={"contenu": action_csv.decode(raw)})
    return render(
        request,
        "partners/actions_import.html",
        {
            "form": form,
            "confirm": confirm,
            "rows": rows,
            "created": sum(1 for row in rows if not row.updates),
            "updated": sum(1 for row in rows if row.updates),
            "problems": problems,
            "columns": action_csv.COLUMNS,
            "current_tab": "import",
            "is_pilot": roles.is_pilot(request.user),
        },
    )


# ---------------------------------------------------------------------------- coverage


@team_only
@require_GET
def coverage(request):
    form = CoverageFilterForm(request.GET)
    filters = form.filters()
    table = coverage_for(filters, today=timezone.localdate())
    if request.GET.get("export") == "csv":
        return _coverage_csv(table)
    return render(
        request,
        "partners/coverage.html",
        {
            "form": form,
            "coverage": table,
            "filters": filters,
            "core_kinds": CORE_KINDS,
            "core_only": set(filters.kinds) == set(CORE_KINDS),
            "export_query": _query_without(request, "export"),
            "current_tab": "coverage",
            "is_pilot": roles.is_pilot(request.user),
        },
    )


# A text cell starting with one of these would be read as a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _titles(items) -> str:
    return _text(" | ".join(str(item) for item in items))


def _coverage_csv(table: Coverage) -> HttpResponse:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("DDI"),
            _("Type"),
            _("Département"),
            _("Région"),
            _("Public prioritaire"),
            _("Demandes sur la période"),
            _("Actions des partenaires"),
            _("Intitulés des actions"),
            _("Interventions de l’équipe"),
            _("Intitulés des interventions"),
        ]
    )
    for row in table.rows:
        writer.writerow(
            [
                _text(row.ddi.name),
                row.ddi.kind,
                row.ddi.department.code,
                row.ddi.department.region.name,
                _("oui") if row.core else _("non"),
                row.requests,
                len(row.actions),
                _titles(row.actions),
                len(row.interventions),
                _titles(row.interventions),
            ]
        )
    response = HttpResponse("\ufeff" + stream.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"couverture-{table.start:%Y%m%d}-{table.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------- follow-ups


@pilot_only
@require_http_methods(["GET", "POST"])
def follow_ups(request):
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        note = follow_up_services.follow_up_create(user=request.user, data=form.cleaned_data)
        messages.success(
            request,
            _("Relance de « %(partner)s » notée pour le %(day)s.")
            % {"partner": note.partner.name, "day": note.due_on.strftime("%d/%m/%Y")},
        )
        return redirect("partners:follow_ups")
    return render(
        request,
        "partners/follow_ups.html",
        {
            "form": form,
            "open_notes": selectors.open_follow_ups(),
            "done_notes": selectors.done_follow_ups(),
            "today": timezone.localdate(),
            "current_tab": "follow_ups",
            "is_pilot": True,
        },
    )


@pilot_only
@require_POST
def follow_up_done(request, pk: int):
    note = selectors.get_follow_up_for(request.user, pk)
    if follow_up_services.follow_up_mark_done(note=note, user=request.user):
        messages.success(
            request, _("Relance de « %(partner)s » faite.") % {"partner": note.partner.name}
        )
    else:
        messages.info(request, _("Cette relance était déjà faite."))
    return redirect(reverse("partners:follow_ups") + "#relances-faites")

"""The pilot's view of the partners' response times (`/pilotage/partenaires/`) and its
export: the pilot only, like the other dashboards under `/pilotage/`. Each count leads to
the queue filtered on the partner (`support/filters.py`: `partner`, `escalation_open`,
`escalation_overdue`)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accompagnement.accounts import roles
from accompagnement.partners import stats_export
from accompagnement.partners.forms.stats import PartnerStatsFilterForm
from accompagnement.partners.selectors import stats as selectors

EXPORT_FORMATS = ("csv", "xlsx")


def _stats(request) -> tuple[PartnerStatsFilterForm, selectors.PartnerStats]:
    form = PartnerStatsFilterForm(request.GET or None, today=timezone.localdate())
    return form, selectors.partner_stats(period=form.period(), now=timezone.now())


def _query(stats: selectors.PartnerStats) -> str:
    return f"start={stats.period.start.isoformat()}&end={stats.period.end.isoformat()}"


@roles.role_required(roles.is_pilot)
@require_GET
def partner_stats(request):
    form, stats = _stats(request)
    return render(
        request,
        "partners/stats.html",
        {
            "form": form,
            "stats": stats,
            "query": _query(stats),
            "queue_url": reverse("support:queue"),
        },
    )


@roles.role_required(roles.is_pilot)
@require_GET
def partner_stats_export(request, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _form, stats = _stats(request)
    if fmt == "xlsx":
        return stats_export.xlsx_response(stats)
    return stats_export.csv_response(stats)

"""The choices of the team's corrections (`forms/team.py` `TriageForm`, the queue's bulk
corrections): the categories still offered, and the programmes and CSPs serving the
request's DDI. The request's own values stay selectable even when no longer offered, so
that correcting one field never forces another to change."""

from django.utils.translation import gettext as _

from accompagnement.support.models import SupportRequest
from accompagnement.support.selectors import queue as queue_selectors
from ddi.models import ServiceCentreAttachment


def active_category_choices() -> list:
    """Active categories grouped by axis (`<optgroup>`), cached."""
    return queue_selectors.reference_choices("active_categories")["active_categories"]


def triage_choices(support_request: SupportRequest) -> dict[str, list]:
    """`categories`, `programmes` and `service_centres` for `support_request`, in one
    query (the DDI's attachments) once the categories are cached."""
    categories = [(group, list(items)) for group, items in active_category_choices()]
    category = support_request.category
    if not any(category.pk == pk for _group, items in categories for pk, _name in items):
        categories.append((_("Catégorie actuelle, plus proposée"), [(category.pk, category.name)]))

    programmes: dict[int, str] = {}
    service_centres: dict[int, str] = {}
    for programme_id, code, label, centre_id, centre_name in ServiceCentreAttachment.objects.filter(
        ddi_id=support_request.ddi_id
    ).values_list(
        "programme_id",
        "programme__code",
        "programme__label",
        "service_centre_id",
        "service_centre__name",
    ):
        programmes[programme_id] = f"P{code} — {label}"
        service_centres[centre_id] = centre_name
    if support_request.programme_id and support_request.programme_id not in programmes:
        programmes[support_request.programme_id] = str(support_request.programme)
    if support_request.service_centre_id and support_request.service_centre_id not in (
        service_centres
    ):
        service_centres[support_request.service_centre_id] = support_request.service_centre.name
    return {
        "categories": categories,
        "programmes": sorted(programmes.items(), key=lambda item: item[1]),
        "service_centres": sorted(service_centres.items(), key=lambda item: item[1]),
    }

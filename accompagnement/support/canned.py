"""The placeholders of canned answers (`CannedResponse.body`): which exist, and how a body
becomes the text of one request's reply.

A placeholder is a word between braces (`{demandeur}`). Only the names of `PLACEHOLDERS`
are replaced; any other `{mot}` is refused when the answer is saved
(`services/canned.py`), so that a typo never reaches a DDI as `{demandeur }` or `{ddi_nom}`.
Braces around anything else than one word (code, `{ }`) are plain text.
"""

import re

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accompagnement.support.models import SupportRequest

PLACEHOLDER_PATTERN = re.compile(r"\{(\w+)\}")

# Name → what it becomes (shown in the form's help).
PLACEHOLDERS = {
    "demandeur": gettext_lazy("le prénom et le nom de l’agent qui a déposé la demande"),
    "reference": gettext_lazy("la référence de la demande (ACC-…)"),
    "ddi": gettext_lazy("le sigle de la DDI (ex. DDPP 13)"),
    "echeance": gettext_lazy("la date de résolution attendue (ex. lundi 12 mars 2012)"),
    "attribuee_a": gettext_lazy("le membre qui suit la demande, ou « l’équipe »"),
}


def placeholder_list() -> str:
    """`{demandeur}, {reference}, …`, for messages."""
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def unknown_placeholders(body: str) -> list[str]:
    """The `{mot}` of `body` that are not placeholders, each once, in order."""
    found = dict.fromkeys(PLACEHOLDER_PATTERN.findall(body))
    return [name for name in found if name not in PLACEHOLDERS]


def placeholder_values(support_request: SupportRequest) -> dict[str, str]:
    """What each placeholder becomes for `support_request` (its requester, DDI with its
    department and assignee read: `request_page_queryset` joins them)."""
    assignee = support_request.assignee
    due = support_request.resolution_due
    return {
        "demandeur": support_request.requester.get_full_name(),
        "reference": support_request.reference,
        "ddi": support_request.ddi.acronym,
        "echeance": date_format(timezone.localtime(due), "l j F Y") if due else "",
        "attribuee_a": assignee.get_full_name() if assignee else _("l’équipe"),
    }


def render_placeholders(body: str, support_request: SupportRequest) -> str:
    """`body` with its placeholders replaced for `support_request`; anything else as is
    (`str.format` would read `{0}` or `{a.b}`)."""
    values = placeholder_values(support_request)
    return PLACEHOLDER_PATTERN.sub(lambda match: values.get(match[1], match[0]), body)

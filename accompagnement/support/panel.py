"""The team's action panel on the request page (assign, status, triage, merge…).

The request page calls `team_panel_context` and includes
`support/_team_panel.html`; the actions post to `views.team_actions`,
which answer htmx with the panel alone and every other client with a redirect.
Everything the template reads sits under one key, `team_panel`, so that it never
depends on the names the request page uses.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from accompagnement.accounts import roles
from accompagnement.support.enums import Status
from accompagnement.support.extensions import request_panel_extensions
from accompagnement.support.forms.team import (
    AcceptProposalForm,
    AssignForm,
    DuplicateForm,
    LinkForm,
    MergeForm,
    RequestActionForm,
    TransitionForm,
    TriageForm,
)
from accompagnement.support.models import SupportRequest
from accompagnement.support.selectors import queue as queue_selectors
from accompagnement.support.selectors import triage as triage_selectors
from accompagnement.support.workflow import Actor, allowed_targets

# Statuses reached through their own form (they need a partner, an original): escalating
# and redirecting are the partners' part of the panel (partners/extensions.py).
_DEDICATED_STATUSES = (Status.ESCALATED, Status.REDIRECTED, Status.MERGED)

PANEL_ACTIONS = (
    "assign",
    "accept_proposal",
    "transition",
    "duplicate",
    "link",
    "triage",
    "merge",
)


def request_page_url(reference: str) -> str:
    return reverse("support:detail", args=[reference])


@dataclass
class TeamPanel:
    request: SupportRequest
    page_url: str
    forms: dict[str, RequestActionForm | None]
    urls: dict[str, str]
    related: list[SupportRequest]
    # Parts added by other packages (support/extensions.py), by name.
    extensions: dict[str, object]
    # (level, text) shown inside the panel after an htmx action.
    feedback: list[tuple[str, str]] = field(default_factory=list)
    # True when the panel is the whole response (htmx): no htmx script again.
    fragment: bool = False


def _plain_targets(support_request: SupportRequest) -> list[Status]:
    targets = allowed_targets(support_request.status, Actor.TEAM)
    return [target for target in targets if target not in _DEDICATED_STATUSES]


def _offered_actions(support_request: SupportRequest) -> set[str]:
    """The actions the request's status allows (assigning and linking always are)."""
    targets = allowed_targets(support_request.status, Actor.TEAM)
    offered = {"assign", "link", "triage"}
    # The routing proposed someone (automatic assignment off): one click confirms.
    if support_request.proposed_assignee_id and not support_request.assignee_id:
        offered.add("accept_proposal")
    if _plain_targets(support_request):
        offered.add("transition")
    if Status.CLOSED in targets:
        offered.add("duplicate")
    if Status.MERGED in targets:
        offered.add("merge")
    return offered


def panel_form(name: str, support_request: SupportRequest, user, data=None) -> RequestActionForm:
    """The form of action `name`, unbound or bound to `data`, with the panel's choices."""
    common = {"support_request": support_request, "user": user}
    if name == "assign":
        members = queue_selectors.team_members(support_request=support_request)
        return AssignForm(data, members=members, **common)
    if name == "transition":
        return TransitionForm(data, targets=_plain_targets(support_request), **common)
    if name == "triage":
        choices = triage_selectors.triage_choices(support_request)
        return TriageForm(data, choices=choices, **common)
    form_class = {
        "accept_proposal": AcceptProposalForm,
        "duplicate": DuplicateForm,
        "link": LinkForm,
        "merge": MergeForm,
    }[name]
    return form_class(data, **common)


def panel_forms(
    support_request: SupportRequest, user, *, bound: RequestActionForm | None = None
) -> dict[str, RequestActionForm | None]:
    """Every action's form, None where the status does not allow it (templates must
    not read a missing key); `bound` (a posted form with errors) in its place."""
    offered = _offered_actions(support_request)
    forms: dict[str, RequestActionForm | None] = {}
    for name in PANEL_ACTIONS:
        if bound is not None and bound.prefix_id == name:
            forms[name] = bound
        elif name in offered:
            forms[name] = panel_form(name, support_request, user)
        else:
            forms[name] = None
    return forms


def team_panel_context(
    http_request,
    support_request,
    *,
    bound: RequestActionForm | None = None,
    feedback: list[tuple[str, str]] | None = None,
    fragment: bool = False,
) -> dict:
    """Extra context for `support/_team_panel.html`."""
    user = http_request.user
    if not roles.is_team(user):
        return {"team_panel": None}
    reference = support_request.reference
    # An anonymised request only serves the figures: its panel offers no action.
    frozen = support_request.anonymised_at is not None
    panel = TeamPanel(
        request=support_request,
        page_url=request_page_url(reference),
        forms={} if frozen else panel_forms(support_request, user, bound=bound),
        urls={name: reverse(f"support:{name}", args=[reference]) for name in PANEL_ACTIONS},
        related=queue_selectors.related_requests(support_request),
        extensions=request_panel_extensions(support_request, bound=bound),
        feedback=feedback or [],
        fragment=fragment,
    )
    return {"team_panel": panel}

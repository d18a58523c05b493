"""Routing: who receives a new request (DESIGN.md §4), and the pilot's rules and switch.

The candidates are the members of the first active rule (by position) whose every set
criterion (axis, category, programme, DDI kind) matches the request and who has someone
present that day; failing that, the referents of the request's programme and of its
ministry (the programme's, or its CSP's). Among them, the member present with the
lightest open load for their share of time is chosen. With automatic assignment on
(`TeamSettings.auto_assign`) the request is assigned to them; off, they are proposed and a
member confirms from the request page. No one: the request stays unassigned (the triage
alert goes out). Every assignment and proposal says why on the timeline (for the team).
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accompagnement.accounts import roles
from accompagnement.accounts.models import Role, User
from accompagnement.axes.models import Category
from accompagnement.support.enums import EventKind
from accompagnement.support.models import Event, SupportRequest
from accompagnement.support.selectors import routing as routing_selectors
from accompagnement.support.selectors.routing import Candidate
from accompagnement.support.services.requests import event_record, request_write
from accompagnement.support.services.team_actions import support_request_assign
from accompagnement.support.team_models import RoutingRule, TeamSettings
from ddi.models import Programme

PROPOSAL_FIELD = "proposed_assignee"


@dataclass(frozen=True)
class RoutingChoice:
    member: User
    # Why this member, in French: « règle « Fin de gestion » (quotité 50 %, 3 demandes
    # ouvertes) ».
    reason: str


def rule_matches(rule: RoutingRule, request: SupportRequest) -> bool:
    """Every criterion the rule sets matches the request (a rule setting none matches all)."""
    return (
        (not rule.axis or rule.axis == request.axis)
        and (not rule.category_id or rule.category_id == request.category_id)
        and (not rule.programme_id or rule.programme_id == request.programme_id)
        and (not rule.ddi_kind or rule.ddi_kind == request.ddi.kind)
    )


def _weights(candidate: Candidate) -> str:
    if candidate.open_count == 0:
        load = _("aucune demande ouverte")
    else:
        load = ngettext(
            "%(count)s demande ouverte", "%(count)s demandes ouvertes", candidate.open_count
        ) % {"count": candidate.open_count}
    return _("quotité %(share)s %%, %(load)s") % {"share": candidate.time_share, "load": load}


def _lightest(candidates: list[Candidate]) -> Candidate | None:
    return min(candidates, key=Candidate.sort_key, default=None)


def routing_choice(request: SupportRequest, *, day: date | None = None) -> RoutingChoice | None:
    """Who should receive `request` on `day` (today by default), and why; None if no rule
    nor referent has anyone present."""
    day = day or timezone.localdate()
    rules = [
        rule for rule in routing_selectors.active_routing_rules() if rule_matches(rule, request)
    ]
    referents = routing_selectors.referents_of(request)
    wanted = {member.pk for rule in rules for member in rule.members.all()} | referents.user_ids
    present = routing_selectors.present_candidates(wanted, day) if wanted else {}

    for rule in rules:
        chosen = _lightest([present[m.pk] for m in rule.members.all() if m.pk in present])
        if chosen is not None:
            reason = _("règle « %(rule)s » (%(weights)s)") % {
                "rule": rule.name,
                "weights": _weights(chosen),
            }
            return RoutingChoice(member=chosen.user, reason=reason)

    chosen = _lightest([present[pk] for pk in referents.user_ids if pk in present])
    if chosen is None:
        return None
    if chosen.user.pk in referents.programme_referents:
        basis = _("référent du programme P%(code)s") % {"code": referents.programme_code}
    else:
        basis = _("référent du ministère %(code)s") % {"code": referents.ministry_code}
    return RoutingChoice(member=chosen.user, reason=f"{basis} ({_weights(chosen)})")


def request_route(request: SupportRequest) -> None:
    """Assign (or propose) a new request by the pilot's rules and the referents."""
    choice = routing_choice(request)
    if choice is None:
        return
    if TeamSettings.current().auto_assign:
        support_request_assign(
            request=request,
            user=None,
            assignee=choice.member,
            comment=_("Attribuée automatiquement : %(reason)s.") % {"reason": choice.reason},
        )
        return
    request_write(request, None, proposed_assignee=choice.member)
    event_record(
        request,
        None,
        EventKind.ASSIGNED,
        field=PROPOSAL_FIELD,
        new=choice.member.get_full_name(),
        comment=_(
            "Attribution proposée : %(reason)s. Un membre de l’équipe la confirme "
            "depuis cette page."
        )
        % {"reason": choice.reason},
    )


@transaction.atomic
def support_request_accept_proposal(
    *, request: SupportRequest, user: User, expected_version: int | None = None
) -> Event:
    """Confirm the routing's proposal: assign the request to the proposed member."""
    proposed = request.proposed_assignee
    if proposed is None:
        raise ValidationError(_("Aucune attribution n’est proposée pour cette demande."))
    if not roles.is_team(proposed):
        raise ValidationError(
            _(
                "%(name)s ne fait plus partie de l’équipe : "
                "attribuez la demande à quelqu’un d’autre."
            )
            % {"name": proposed.get_full_name()}
        )
    return support_request_assign(
        request=request,
        user=user,
        assignee=proposed,
        expected_version=expected_version,
        comment=_("Attribution proposée par les règles, confirmée."),
    )


# ---------------------------------------------------------------------------- the pilot's


def _ensure_pilot(user: User) -> None:
    if not roles.is_pilot(user):
        raise PermissionDenied


@transaction.atomic
def routing_rule_save(
    *,
    user: User,
    rule: RoutingRule | None = None,
    name: str,
    position: int,
    is_active: bool,
    axis: str = "",
    category: Category | None = None,
    programme: Programme | None = None,
    ddi_kind: str = "",
    members: list[User],
) -> RoutingRule:
    """Create (`rule` None) or change a routing rule; the pilot's only."""
    _ensure_pilot(user)
    if category is not None and axis and category.axis != axis:
        raise ValidationError({"category": _("Cette catégorie ne relève pas de l’axe choisi.")})
    if not members:
        raise ValidationError({"members": _("Choisissez au moins un membre de l’équipe.")})
    if any(member.role not in (Role.MEMBER, Role.PILOT) for member in members):
        raise ValidationError({"members": _("Seul un membre de l’équipe peut être désigné.")})
    rule = rule or RoutingRule()
    rule.name = name.strip()
    rule.position = position
    rule.is_active = is_active
    # A category belongs to one axis: choosing it sets the axis too.
    rule.axis = category.axis if category is not None else axis
    rule.category = category
    rule.programme = programme
    rule.ddi_kind = ddi_kind
    rule.save()
    rule.members.set(members)
    return rule


@transaction.atomic
def routing_rule_delete(*, user: User, rule: RoutingRule) -> None:
    _ensure_pilot(user)
    rule.delete()


@transaction.atomic
def team_settings_update(*, user: User, auto_assign: bool) -> TeamSettings:
    _ensure_pilot(user)
    settings = TeamSettings.current()
    settings.auto_assign = auto_assign
    settings.save(update_fields=["auto_assign"])
    return settings

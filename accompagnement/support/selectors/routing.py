"""Reads behind the routing of new requests (`services/routing.py`) and the rules page:
the rules, the referents of a request, who among some members is present and how loaded
they are, and the access helper of a rule (`get_routing_rule_for`)."""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.accounts.models import Role, TeamMember, User
from accompagnement.accounts.selectors import absences_covering
from accompagnement.support.enums import OPEN_STATUSES
from accompagnement.support.models import SupportRequest
from accompagnement.support.team_models import RoutingRule

# A member without a team profile (an account opened by hand) counts as full time.
DEFAULT_TIME_SHARE = 100


@dataclass(frozen=True)
class Candidate:
    """A member present on the day, with what the routing weighs."""

    user: User
    time_share: int
    open_count: int

    @property
    def load(self) -> Fraction:
        """Open requests per percent of time: 3 requests at 50 % weigh 6 at 100 %."""
        return Fraction(self.open_count, self.time_share)

    def sort_key(self) -> tuple:
        # Equal loads: the larger share of time first, then a stable order by name.
        user = self.user
        return (self.load, -self.time_share, user.last_name, user.first_name, user.pk)


def routing_rules() -> QuerySet[RoutingRule]:
    """Every rule, in the order the routing tries them, with what the rules page shows."""
    return (
        RoutingRule.objects.select_related("category", "programme")
        .prefetch_related("members")
        .order_by("position", "pk")
    )


def active_routing_rules() -> list[RoutingRule]:
    return list(routing_rules().filter(is_active=True))


def present_candidates(user_ids, day: date) -> dict[int, Candidate]:
    """Among `user_ids`, the active members and pilot not absent on `day`, by id, with
    their share of time and their open requests, assigned or proposed (one query)."""
    users = (
        User.objects.filter(pk__in=user_ids, is_active=True, role__in=(Role.MEMBER, Role.PILOT))
        .exclude(pk__in=absences_covering(day).values("member__user_id"))
        .select_related("team_profile")
        .annotate(
            assigned=Count(
                "assigned_requests",
                filter=Q(assigned_requests__status__in=OPEN_STATUSES),
                distinct=True,
            ),
            # Proposed and not confirmed yet (automatic assignment off): as good as theirs.
            proposed=Count(
                "proposed_requests",
                filter=Q(
                    proposed_requests__status__in=OPEN_STATUSES,
                    proposed_requests__assignee__isnull=True,
                ),
                distinct=True,
            ),
        )
    )
    candidates = {}
    for user in users:
        profile = getattr(user, "team_profile", None)
        share = profile.time_share if profile is not None else DEFAULT_TIME_SHARE
        candidates[user.pk] = Candidate(
            user=user, time_share=share, open_count=user.assigned + user.proposed
        )
    return candidates


@dataclass(frozen=True)
class Referents:
    """The members who cover a request's programme or ministry, and for which."""

    programme_referents: set[int]
    ministry_referents: set[int]
    programme_code: str = ""
    ministry_code: str = ""

    @property
    def user_ids(self) -> set[int]:
        return self.programme_referents | self.ministry_referents


def referents_of(request: SupportRequest) -> Referents:
    """Referents of the request's programme, of its programme's ministry, or (no
    programme) of its CSP's ministries: the same people the assign list suggests
    (`queue.team_members`).

    The programme's ministry wins over the CSP's: a request on programme 206 through a
    CPCM (a joint agriculture-ecology centre led by the MEDDTL) concerns the MAAPRAT.
    Without a programme, a joint centre's request concerns each of its ministries.
    """
    if request.programme_id:
        programme = request.programme
        ministries = [programme.ministry]
        by_programme = set(
            TeamMember.objects.filter(referent_programmes=programme).values_list(
                "user_id", flat=True
            )
        )
        programme_code = programme.code
    elif request.service_centre_id:
        centre = request.service_centre
        ministries = [centre.ministry, *centre.joint_ministries.order_by("code")]
        by_programme, programme_code = set(), ""
    else:
        return Referents(set(), set())
    by_ministry = set(
        TeamMember.objects.filter(referent_ministry__in=ministries).values_list(
            "user_id", flat=True
        )
    )
    return Referents(
        programme_referents=by_programme,
        ministry_referents=by_ministry,
        programme_code=programme_code,
        ministry_code=_(" ou ").join(ministry.code for ministry in ministries),
    )


# ---------------------------------------------------------------------------- the rules page


def can_edit_routing(user) -> bool:
    """The pilot sets the rules and the switch; members read them."""
    return roles.is_pilot(user)


def get_routing_rule_for(user, pk: int) -> RoutingRule:
    """A rule to edit: 403 for anyone but the pilot, 404 for an unknown one."""
    if not can_edit_routing(user):
        raise PermissionDenied
    rule = routing_rules().filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def routing_members() -> QuerySet[User]:
    """Who a rule may name: the active members and pilot, with their home structure."""
    return (
        User.objects.filter(role__in=(Role.MEMBER, Role.PILOT), is_active=True)
        .select_related("team_profile__structure")
        .order_by("last_name", "first_name", "pk")
    )

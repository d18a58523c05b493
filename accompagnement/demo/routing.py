"""Demonstration routing: two rules of the pilot and an absence under way, so that new
requests filed in the demo are assigned the way the team would (DESIGN.md §4).

Used by `manage.py seed_demo`, after `seed_demo_people`; idempotent (rules are kept by
name and brought back to their demo members; the absence is added only if the member has
none on those days).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from accompagnement.accounts.models import Absence, Role, User
from accompagnement.accounts.services import absence_create
from accompagnement.axes.models import Axis
from accompagnement.demo.dates import working_day_on_or_after, working_day_on_or_before
from accompagnement.demo.people import MissingReferenceData
from accompagnement.support.services.routing import routing_rule_save
from accompagnement.support.team_models import RoutingRule
from ddi.enums import DDIKind


@dataclass(frozen=True)
class DemoRule:
    name: str
    position: int
    members: tuple[str, ...]  # e-mail addresses of demo members
    axis: str = ""
    ddi_kind: str = ""


DEMO_RULES = (
    DemoRule(
        "Fin de gestion : SGG et AIFE",
        10,
        ("membre.sgg@example.org", "membre.aife@example.org"),
        axis=Axis.YEAR_END,
    ),
    DemoRule(
        "Outil Chorus dans les DDTM",
        20,
        ("membre.ecologie@example.org", "membre.sgg@example.org"),
        axis=Axis.TOOL,
        ddi_kind=DDIKind.DDTM,
    ),
)
# The MAAPRAT referent is on leave this week: requests on her programmes go elsewhere.
DEMO_ABSENT = "membre.agriculture@example.org"
DEMO_ABSENCE_REASON = "Congés (démonstration)"


@transaction.atomic
def seed_demo_routing(*, today: date) -> dict[str, int]:
    people = {user.email: user for user in User.objects.filter(email__endswith="@example.org")}
    pilot = User.objects.filter(role=Role.PILOT, email="pilote@example.org").first()
    if pilot is None or DEMO_ABSENT not in people:
        raise MissingReferenceData
    counts = {"rules": 0, "absences": 0}
    for demo in DEMO_RULES:
        routing_rule_save(
            user=pilot,
            rule=RoutingRule.objects.filter(name=demo.name).first(),
            name=demo.name,
            position=demo.position,
            is_active=True,
            axis=demo.axis,
            ddi_kind=demo.ddi_kind,
            members=[people[email] for email in demo.members],
        )
        counts["rules"] += 1

    member = people[DEMO_ABSENT].team_profile
    # From the last working day to a working day four days on (not a Sunday).
    start = working_day_on_or_before(today - timedelta(days=1))
    end = working_day_on_or_after(today + timedelta(days=4))
    if not Absence.objects.filter(member=member, start__lte=end, end__gte=start).exists():
        absence_create(member=member, start=start, end=end, reason=DEMO_ABSENCE_REASON, by=pilot)
        counts["absences"] += 1
    return counts

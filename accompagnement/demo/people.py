"""Demo people: fictional agents of a few DDIs, team members and the pilot, all with
`example.org` addresses and the documented demo password.

Used by `manage.py seed_demo`; idempotent (people are upserted by e-mail).
"""

from dataclasses import dataclass

from django.db import transaction

from accompagnement.accounts.models import Role
from accompagnement.accounts.services import team_member_upsert, user_upsert
from ddi.models import DDI, Ministry, Programme, Structure

DEMO_PASSWORD = "demo-accompagnement-2011"  # noqa: S105 (documented demo password)


@dataclass(frozen=True)
class DemoAgent:
    email: str
    first_name: str
    last_name: str
    ddi_kind: str
    department: str


@dataclass(frozen=True)
class DemoTeamMember:
    email: str
    first_name: str
    last_name: str
    role: Role
    structure: str
    time_share: int
    ministry: str | None = None
    programmes: tuple[str, ...] = ()


# One agent in each of 8 DDIs, every kind of DDI present.
AGENTS = [
    DemoAgent("agent.ddpp13@example.org", "Camille", "Rousseau", "DDPP", "13"),
    DemoAgent("agent.ddtm13@example.org", "Julien", "Mercier", "DDTM", "13"),
    DemoAgent("agent.ddcs13@example.org", "Sophie", "Lambert", "DDCS", "13"),
    DemoAgent("agent.ddt01@example.org", "Thomas", "Garnier", "DDT", "01"),
    DemoAgent("agent.ddcspp05@example.org", "Élodie", "Fabre", "DDCSPP", "05"),
    DemoAgent("agent.ddt21@example.org", "Nicolas", "Chevalier", "DDT", "21"),
    DemoAgent("agent.ddpp69@example.org", "Aurélie", "Perrin", "DDPP", "69"),
    DemoAgent("agent.ddcs35@example.org", "Mathieu", "Roussel", "DDCS", "35"),
]

# Eight members across the team's home structures, and the SGG pilot.
TEAM = [
    DemoTeamMember("pilote@example.org", "Hélène", "Marchand", Role.PILOT, "sgg", 100),
    # Programme 333 (the DDIs' running costs) is the SGG's own: its referent is the SGG member.
    DemoTeamMember(
        "membre.sgg@example.org",
        "Antoine",
        "Leclerc",
        Role.MEMBER,
        "sgg",
        100,
        "PM-SGG",
        ("333",),
    ),
    DemoTeamMember("membre.aife@example.org", "Nadia", "Benali", Role.MEMBER, "aife", 50),
    DemoTeamMember(
        "membre.budget@example.org", "François", "Dumont", Role.MEMBER, "direction-du-budget", 30
    ),
    DemoTeamMember(
        "membre.agriculture@example.org",
        "Isabelle",
        "Carpentier",
        Role.MEMBER,
        "maaprat",
        40,
        "MAAPRAT",
        ("206", "215"),
    ),
    DemoTeamMember(
        "membre.ecologie@example.org",
        "Pierre",
        "Vasseur",
        Role.MEMBER,
        "meddtl",
        40,
        "MEDDTL",
        ("217", "207"),
    ),
    DemoTeamMember(
        "membre.interieur@example.org",
        "Laure",
        "Gauthier",
        Role.MEMBER,
        "miomcti",
        30,
        "MIOMCTI",
        ("307",),
    ),
    DemoTeamMember(
        "membre.social@example.org",
        "Karim",
        "Haddad",
        Role.MEMBER,
        "ministeres-sociaux",
        40,
        "MSOC",
        ("124", "177"),
    ),
    DemoTeamMember(
        "membre.finances@example.org",
        "Anne",
        "Royer",
        Role.MEMBER,
        "ministeres-financiers",
        20,
        "MINEFI",
        ("134",),
    ),
]


class MissingReferenceData(Exception):
    pass


@transaction.atomic
def seed_demo_people(*, progress=None) -> dict[str, int]:
    """Create the demo accounts, or bring existing ones back to their demo state.

    Returns how many were created and how many already existed.
    """
    ddis = {(d.kind, d.department.code): d for d in DDI.objects.select_related("department")}
    structures = {s.code: s for s in Structure.objects.all()}
    ministries = {m.code: m for m in Ministry.objects.all()}
    programmes = {p.code: p for p in Programme.objects.all()}
    if not ddis or not structures:
        raise MissingReferenceData

    counts = {"created": 0, "existing": 0}
    people = [*AGENTS, *TEAM]
    for person in progress(people) if progress else people:
        if isinstance(person, DemoAgent):
            _, created = user_upsert(
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                role=Role.AGENT,
                ddi=ddis[(person.ddi_kind, person.department)],
                password=DEMO_PASSWORD,
            )
        else:
            user, created = user_upsert(
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                role=person.role,
                password=DEMO_PASSWORD,
            )
            team_member_upsert(
                user=user,
                structure=structures[person.structure],
                time_share=person.time_share,
                referent_ministry=ministries.get(person.ministry) if person.ministry else None,
                referent_programmes=[programmes[c] for c in person.programmes if c in programmes],
            )
        counts["created" if created else "existing"] += 1
    return counts

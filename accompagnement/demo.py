"""Demo data: fictional people only, with `example.org` addresses, and a demonstration
campaign whose milestones fall due from today, so that the reminder jobs have work.

Used by `manage.py seed_demo`; idempotent (people are upserted by e-mail, the demo
milestones by code).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from ddi.enums import DDIKind
from ddi.models import DDI, Ministry, Programme, Structure

from .enums import Role
from .models import Acknowledgement, Campaign, CampaignKind, Milestone, ReminderDelivery
from .services import team_member_upsert, user_upsert

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
    DemoTeamMember("membre.sgg@example.org", "Antoine", "Leclerc", Role.MEMBER, "sgg", 100),
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
        ("307", "333"),
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


# ---------------------------------------------------------------------------- campaign


@dataclass(frozen=True)
class DemoMilestone:
    code: str
    days_from_today: int
    title: str
    explanation: str
    ddi_kinds: tuple[str, ...] = ()


DEMO_CAMPAIGN_TITLE = "Fin de gestion {year} (démonstration)"
DEMO_SOURCE = (
    "Jalon fictif créé par « manage.py seed_demo » pour la démonstration du portail : "
    "son échéance est recalculée à partir du jour où la commande est lancée."
)
# Due today, tomorrow, in a week and in a fortnight: with the default reminders (J-15,
# J-7, J-1, day of), each of them has a reminder due today.
DEMO_MILESTONES = [
    DemoMilestone(
        "demonstration-dernieres-da",
        0,
        "Démonstration — dernières demandes d'achat de l'exercice",
        "Jalon de démonstration. Saisissez dans Chorus Formulaires les dernières demandes "
        "d'achat de l'exercice, pour que votre CSP puisse engager les EJ avant la clôture.",
    ),
    DemoMilestone(
        "demonstration-service-fait",
        1,
        "Démonstration — service fait des EJ en cours",
        "Jalon de démonstration. Constatez le service fait des commandes livrées, pour que "
        "le CSP puisse mettre les demandes de paiement en paiement avant la clôture.",
        (DDIKind.DDT, DDIKind.DDTM),
    ),
    DemoMilestone(
        "demonstration-ej-a-basculer",
        7,
        "Démonstration — revue des EJ à basculer sur l'exercice suivant",
        "Jalon de démonstration. Avec votre CSP, listez les EJ non soldés à basculer sur "
        "l'exercice suivant et signalez ceux qui peuvent être clôturés.",
    ),
    DemoMilestone(
        "demonstration-dernieres-dp",
        15,
        "Démonstration — dernières demandes de paiement",
        "Jalon de démonstration. Transmettez à votre CSP les dernières factures à payer sur "
        "l'exercice ; au-delà, elles seront payées sur les crédits de l'exercice suivant.",
        (DDIKind.DDPP, DDIKind.DDCS, DDIKind.DDCSPP),
    ),
]


@transaction.atomic
def seed_demo_campaign(*, today: date) -> dict[str, int]:
    """The current year's demonstration campaign, with milestones due from `today`.

    A rerun on the same day changes nothing. On a later day the demo milestones move to
    their new due dates and start again: their reminders and "done" are cleared (demo
    data only), so that the reminder jobs have something due that day too. A real
    year-end campaign of the same year (another title) is left alone, and no demo is made.
    """
    title = DEMO_CAMPAIGN_TITLE.format(year=today.year)
    campaign, _created = Campaign.objects.get_or_create(
        fiscal_year=today.year, kind=CampaignKind.YEAR_END, defaults={"title": title}
    )
    counts = {"created": 0, "moved": 0, "unchanged": 0, "skipped": 0}
    if campaign.title != title:
        counts["skipped"] = len(DEMO_MILESTONES)
        return counts
    existing = {m.code: m for m in campaign.milestones.all()}
    for demo in DEMO_MILESTONES:
        due_date = today + timedelta(days=demo.days_from_today)
        milestone = existing.get(demo.code)
        if milestone is None:
            Milestone.objects.create(
                campaign=campaign,
                code=demo.code,
                title=demo.title,
                explanation=demo.explanation,
                due_date=due_date,
                ddi_kinds=list(demo.ddi_kinds),
                source=DEMO_SOURCE,
            )
            counts["created"] += 1
        elif milestone.due_date != due_date:
            milestone.due_date = due_date
            milestone.save(update_fields=["due_date"])
            ReminderDelivery.objects.filter(milestone=milestone).delete()
            Acknowledgement.objects.filter(milestone=milestone).delete()
            counts["moved"] += 1
        else:
            counts["unchanged"] += 1
    return counts

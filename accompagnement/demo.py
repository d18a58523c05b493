"""Demo data: fictional people only, with `example.org` addresses, and a demonstration
campaign whose milestones fall due from today, so that the reminder jobs have work.

Used by `manage.py seed_demo`; idempotent (people are upserted by e-mail, the demo
milestones by code, the demonstration articles of `data/demo_articles/` created once by
address and never overwritten, the demonstration sessions created once by title).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ddi.enums import DDIKind
from ddi.models import DDI, Ministry, Programme, Structure

from .enums import Axis, Role
from .models import (
    Acknowledgement,
    Article,
    ArticleKind,
    ArticleStatus,
    Campaign,
    CampaignKind,
    Category,
    Intervention,
    InterventionFormat,
    Milestone,
    ReminderDelivery,
    User,
)
from .services import team_member_upsert, user_upsert
from .services.articles import RESERVED_SLUGS, article_create

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


# ---------------------------------------------------------------------------- articles

DEMO_ARTICLES_DIR = Path(__file__).resolve().parent / "data" / "demo_articles"
DEMO_ARTICLE_AUTHOR = "membre.sgg@example.org"
_FRONT_MATTER_KEYS = {"kind", "axis", "categories", "programmes", "ddi_kinds", "title", "summary"}
_REQUIRED_KEYS = {"kind", "axis", "categories", "title", "summary"}


class InvalidDemoArticle(Exception):
    pass


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    kind: str
    axis: str
    title: str
    summary: str
    body: str
    categories: tuple[str, ...]
    programmes: tuple[str, ...] = ()
    ddi_kinds: tuple[str, ...] = ()


def _parse_demo_article(path: Path) -> DemoArticle:
    """One Markdown file: a `---` block of `key: value` lines, then the article's text.
    The file name (without `.md`) is the article's address (slug)."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.removeprefix("---\n").partition("\n---\n")
    if not text.startswith("---\n") or not sep:
        raise InvalidDemoArticle(f"{path.name} : bloc d'en-tête « --- » manquant")
    fields = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        if not colon or key.strip() not in _FRONT_MATTER_KEYS:
            raise InvalidDemoArticle(f"{path.name} : ligne d'en-tête inattendue « {line} »")
        fields[key.strip()] = value.strip()
    missing = _REQUIRED_KEYS - {key for key, value in fields.items() if value}
    if missing:
        raise InvalidDemoArticle(f"{path.name} : en-tête incomplet ({', '.join(sorted(missing))})")
    if fields["kind"] not in ArticleKind.values:
        raise InvalidDemoArticle(f"{path.name} : nature inconnue « {fields['kind']} »")
    if fields["axis"] not in Axis.values:
        raise InvalidDemoArticle(f"{path.name} : axe inconnu « {fields['axis']} »")
    if len(fields["summary"]) > Article._meta.get_field("summary").max_length:
        raise InvalidDemoArticle(f"{path.name} : résumé trop long")
    slug = path.stem
    if slug != slugify(slug) or slug in RESERVED_SLUGS:
        raise InvalidDemoArticle(f"{path.name} : nom de fichier inutilisable comme adresse")
    return DemoArticle(
        slug=slug,
        kind=fields["kind"],
        axis=fields["axis"],
        title=fields["title"],
        summary=fields["summary"],
        body=body.strip() + "\n",
        categories=tuple(fields["categories"].split()),
        programmes=tuple(fields.get("programmes", "").split()),
        ddi_kinds=tuple(fields.get("ddi_kinds", "").split()),
    )


def load_demo_articles(directory: Path | None = None) -> list[DemoArticle]:
    paths = sorted((directory or DEMO_ARTICLES_DIR).glob("*.md"))
    return [_parse_demo_article(path) for path in paths]


@transaction.atomic
def seed_demo_articles(*, today: date, directory: Path | None = None) -> dict[str, int]:
    """Publish the demonstration articles that are not there yet, keyed by address (slug).

    An article whose address already exists is left as it is, whatever the team did to it
    (edited, archived): the files only seed an empty knowledge base. Written by the demo
    SGG member, so `seed_demo_people` must have run first.
    """
    articles = load_demo_articles(directory)
    categories = {c.code: c for c in Category.objects.all()}
    programmes = {p.code: p for p in Programme.objects.all()}
    for article in articles:
        for code in article.categories:
            if code not in categories or categories[code].axis != article.axis:
                raise InvalidDemoArticle(
                    f"{article.slug}.md : catégorie « {code} » inconnue pour l'axe {article.axis}"
                )
    author = User.objects.filter(email=DEMO_ARTICLE_AUTHOR).first()
    if author is None:
        raise MissingReferenceData

    existing = set(
        Article.objects.filter(slug__in=[a.slug for a in articles]).values_list("slug", flat=True)
    )
    counts = {"created": 0, "existing": 0}
    for demo in articles:
        if demo.slug in existing:
            counts["existing"] += 1
            continue
        article = article_create(
            author=author,
            kind=demo.kind,
            title=demo.title,
            summary=demo.summary,
            body=demo.body,
            axis=demo.axis,
            status=ArticleStatus.PUBLISHED,
            categories=[categories[code] for code in demo.categories],
            programmes=[programmes[code] for code in demo.programmes if code in programmes],
            ddi_kinds=list(demo.ddi_kinds),
            reviewed_on=today,
        )
        if article.slug != demo.slug:
            # The address is the file's name, not the title's: the key of later runs.
            Article.objects.filter(pk=article.pk).update(slug=demo.slug)
        counts["created"] += 1
    return counts


# ---------------------------------------------------------------------------- interventions


@dataclass(frozen=True)
class DemoIntervention:
    title: str
    description: str
    axis: Axis
    format: InterventionFormat
    days_from_today: int
    hour: int
    duration_minutes: int
    capacity: int
    speakers: tuple[str, ...]
    topics: tuple[str, ...]  # category codes
    articles: tuple[str, ...] = ()  # demo article addresses
    registrants: tuple[str, ...] = ()  # demo agents, each registering themselves
    ddi_kinds: tuple[str, ...] = ()
    place: str = ""
    link: str = ""


DEMO_INTERVENTIONS = [
    DemoIntervention(
        title="Webinaire : réussir ses dernières demandes d'achat de l'année",
        description=(
            "Les dates butoirs de la fin de gestion, le circuit d'une demande d'achat dans "
            "Chorus Formulaires et les erreurs qui la bloquent ; questions en fin de séance."
        ),
        axis=Axis.YEAR_END,
        format=InterventionFormat.WEBINAR,
        days_from_today=7,
        hour=10,
        duration_minutes=90,
        capacity=200,
        speakers=("membre.sgg@example.org", "membre.aife@example.org"),
        topics=("calendrier-fin-gestion", "chorus-formulaires"),
        articles=("check-list-fin-de-gestion-2011", "chorus-formulaires-circuit-demande-achat"),
        registrants=("agent.ddpp13@example.org", "agent.ddt01@example.org"),
        link="https://webinaire.example.org/fin-de-gestion",
    ),
    DemoIntervention(
        title="Atelier : lire une restitution INF-BUD pour suivre ses crédits",
        description=(
            "Deux heures sur poste, avec vos propres restitutions : engagements, "
            "consommation des AE et des CP, écarts avec le CSP."
        ),
        axis=Axis.TOOL,
        format=InterventionFormat.VIDEO,
        days_from_today=21,
        hour=14,
        duration_minutes=120,
        capacity=12,
        speakers=("membre.budget@example.org",),
        topics=("restitutions", "credits-bop"),
        articles=("lire-une-restitution-inf-bud",),
        registrants=("agent.ddt21@example.org",),
        ddi_kinds=(DDIKind.DDT, DDIKind.DDTM),
        link="https://visio.example.org/atelier-restitutions",
    ),
]


@transaction.atomic
def seed_demo_interventions(*, today: date) -> dict[str, int]:
    """Two sessions announced and open, a week and three weeks from `today`, with a few
    demo agents registered; created once (by title), never changed afterwards. The
    people and the demonstration articles must be there first."""
    from .services.interventions import (
        intervention_create,
        intervention_open,
        registration_create,
    )

    counts = {"created": 0, "existing": 0}
    existing = set(
        Intervention.objects.filter(title__in=[d.title for d in DEMO_INTERVENTIONS]).values_list(
            "title", flat=True
        )
    )
    emails = {DEMO_ARTICLE_AUTHOR}
    for demo in DEMO_INTERVENTIONS:
        emails.update(demo.speakers, demo.registrants)
    people = {u.email: u for u in User.objects.filter(email__in=emails)}
    author = people.get(DEMO_ARTICLE_AUTHOR)
    if author is None:
        raise MissingReferenceData
    for demo in DEMO_INTERVENTIONS:
        if demo.title in existing:
            counts["existing"] += 1
            continue
        day = today + timedelta(days=demo.days_from_today)
        starts_at = datetime(
            day.year, day.month, day.day, demo.hour, tzinfo=timezone.get_default_timezone()
        )
        intervention = intervention_create(
            user=author,
            data={
                "title": demo.title,
                "description": demo.description,
                "axis": demo.axis,
                "format": demo.format,
                "place": demo.place,
                "link": demo.link,
                "starts_at": starts_at,
                "duration_minutes": demo.duration_minutes,
                "capacity": demo.capacity,
                "ddi_kinds": list(demo.ddi_kinds),
                "registration_closes_at": starts_at - timedelta(days=1),
                "speakers": [people[email] for email in demo.speakers if email in people],
                "topics": list(Category.objects.filter(code__in=demo.topics)),
                "articles": list(Article.objects.filter(slug__in=demo.articles)),
            },
        )
        intervention_open(intervention=intervention, user=author)
        for email in demo.registrants:
            agent = people.get(email)
            if agent is not None:
                registration_create(intervention=intervention, person=agent, user=agent)
        counts["created"] += 1
    return counts

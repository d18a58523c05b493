"""Demonstration training sessions, open for registration, with a few demo agents
registered.

Used by `manage.py seed_demo`; idempotent (each session is created once by title).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accompagnement.accounts.models import User
from accompagnement.axes.models import Axis, Category
from accompagnement.demo.articles import DEMO_ARTICLE_AUTHOR
from accompagnement.demo.dates import working_day_on_or_after, working_day_on_or_before
from accompagnement.demo.people import MissingReferenceData
from accompagnement.interventions.models import Intervention, InterventionFormat
from accompagnement.interventions.services import (
    intervention_create,
    intervention_open,
    registration_create,
)
from accompagnement.knowledge.models import Article
from ddi.enums import DDIKind

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
        # On working days: the session, and the day its registrations close.
        day = working_day_on_or_after(today + timedelta(days=demo.days_from_today))
        starts_at = datetime(
            day.year, day.month, day.day, demo.hour, tzinfo=timezone.get_default_timezone()
        )
        closes = working_day_on_or_before(day - timedelta(days=1))
        closes_at = starts_at.replace(year=closes.year, month=closes.month, day=closes.day)
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
                "registration_closes_at": closes_at,
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

"""Bulk demo requests, for `manage.py seed_demo --requests N` (fictional people only).

Realistic volumes for the benchmarks and the screens: requests from the demo DDIs and,
less often each, from every other DDI, filed since the team was created (9 September
2011) until today, with their messages, internal notes and audit timeline. Old requests
are closed (or redirected); the open ones are recent.

Each run ADDS `count` requests: nothing is deleted or rewritten. References are
`ACC-<year of filing>-<5 digits>`; the numbers are reserved in `ReferenceCounter` before
anything is written, so requests filed afterwards (by the portal, or by another run)
never collide. A year holds at most 99,999 requests: a year that is full is skipped, and
the command refuses when the years together are full.

Only fictional people (`example.org`) file, follow or handle these requests: the demo
accounts, and `AGENTS_PER_DDI` fictional agents created once in every DDI.

Speed (200,000 requests in under 2 minutes on PostgreSQL, 89 to 107 s measured on
two-core machines): the reference data is read once, rows are built in Python as plain
tuples and written in batches of `BATCH_SIZE` (COPY on PostgreSQL, `bulk_create` elsewhere), and on
PostgreSQL the full-text vectors are filled by one set-based UPDATE at the end.
"""

import gc
import random
import time
import unicodedata
from bisect import bisect
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from ddi.models import DDI, Ministry, ServiceCentre, ServiceCentreAttachment

from . import selectors_campaigns
from .demo import AGENTS
from .enums import EscalationTarget, EventKind, MessageKind, Priority, Role, Status
from .models import (
    Acknowledgement,
    Category,
    Event,
    Message,
    ReferenceCounter,
    SupportRequest,
    TeamMember,
    User,
)
from .sla import due_dates, working_days_between_dates

TEAM_CREATED = date(2011, 9, 9)
# The portal's time zone, without `timezone.localtime`'s per-call lookups (millions here).
LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
MAX_PER_YEAR = 99_999
BATCH_SIZE = 5_000
FICTIONAL_DOMAIN = "@example.org"
# Extra fictional agents per DDI, so that every DDI can file requests.
AGENTS_PER_DDI = 3


class NotEnoughReferences(Exception):
    pass


class MissingDemoData(Exception):
    pass


@dataclass
class SeedReport:
    created: int = 0
    messages: int = 0
    events: int = 0
    agents_created: int = 0
    by_year: dict[int, tuple[str, str]] = field(default_factory=dict)  # first, last reference
    acknowledgements: int = 0
    seconds: float = 0.0


# ---------------------------------------------------------------------------- content

FIRST_NAMES = (  # noqa: SIM905 (a list of names reads better as text)
    "Agnès Alain Amandine Anne Arnaud Audrey Bernard Brigitte Céline Christian Christine "
    "Claire Damien David Delphine Didier Dominique Emmanuel Éric Fabienne Florence Franck "
    "Frédéric Gilles Guillaume Hervé Isabelle Jacques Jean-Luc Jérôme Karine Laurence "
    "Laurent Marc Marie Martine Michel Monique Nathalie Olivier Pascal Patricia Philippe "
    "Sandrine Sébastien Stéphane Sylvie Valérie Véronique Xavier Yves"
).split()
LAST_NAMES = (  # noqa: SIM905 (a list of names reads better as text)
    "Arnaud Barbier Bertin Blanchard Bonnet Boyer Brun Caron Clément Colin Collet David "
    "Denis Deschamps Dupuis Durand Fleury Fontaine Fournier Gaillard Gauthier Girard "
    "Guérin Henry Hoarau Jacob Joly Lacroix Lefèvre Legrand Lemoine Leroy Lucas Marchal "
    "Martin Masson Mathieu Meunier Michel Moreau Morin Nicolas Noël Perrot Picard Renard "
    "Richard Robin Roche Roux Schmitt Vidal"
).split()

# Per category code: titles ({p} programme, {csp} CSP, {ej}/{dp}/{tiers} Chorus numbers,
# {y}/{y1} fiscal years) and one line of detail for the description.
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "restitutions": (
        (
            "Restitution INF-BUD-53 incomplète sur le programme {p}",
            "Écart entre la restitution des AE et notre tableau de suivi (P{p})",
            "Impossible d'exporter la restitution des EJ non soldés",
            "Restitution des DP en anomalie vide depuis la mise à jour",
            "Quelle restitution pour suivre la consommation des CP du BOP {p} ?",
        ),
        (
            "Les montants affichés ne correspondent pas à ceux de notre suivi local.",
            "La restitution ne fait pas apparaître les EJ basculés de l'année précédente.",
            "Le fichier exporté est vide alors que la requête renvoie des lignes à l'écran.",
        ),
    ),
    "chorus-formulaires": (
        (
            "Demande d'achat rejetée sans motif dans Chorus Formulaires",
            "Constatation de service fait bloquée au statut « à valider »",
            "Formulaire de DA introuvable après validation",
            "Circuit de validation Chorus Formulaires : valideur absent",
            "Pièce jointe refusée par Chorus Formulaires",
        ),
        (
            "Le formulaire revient rejeté sans commentaire du valideur.",
            "Le formulaire n'apparaît plus dans la corbeille après son envoi au CSP.",
            "Le valideur habituel est absent pour plusieurs semaines.",
        ),
    ),
    "habilitations": (
        (
            "Accès refusé à Chorus Formulaires pour un nouvel agent",
            "Profil valideur à créer pour l'intérim du chef de service",
            "Habilitation à retirer après un départ",
            "Droits insuffisants pour consulter les EJ du programme {p}",
        ),
        (
            "Le message « profil inconnu » s'affiche à la connexion.",
            "La demande d'habilitation a été envoyée il y a trois semaines sans réponse.",
        ),
    ),
    "tiers": (
        (
            "Fiche tiers {tiers} bloquée : RIB à mettre à jour",
            "Création d'un tiers associatif : SIRET non reconnu",
            "Tiers en doublon dans Chorus",
            "Paiement rejeté : coordonnées bancaires du tiers invalides",
        ),
        (
            "Le fournisseur a changé de banque et la fiche tiers n'est pas à jour.",
            "La création du tiers est en attente de validation au CSP.",
        ),
    ),
    "outil-autre": (
        (
            "Lenteurs dans Chorus Formulaires en fin de matinée",
            "Message d'erreur à la connexion à Chorus",
            "Export des données vers le tableur impossible",
        ),
        ("Le problème touche plusieurs agents du service depuis lundi.",),
    ),
    "chaine-depense": (
        (
            "EJ {ej} : service fait impossible à saisir",
            "Engagement juridique à modifier après un avenant",
            "Ordre de la chaîne EJ, SF et DP pour une dépense récurrente",
            "DP {dp} en attente depuis trois semaines",
        ),
        (
            "Le service fait est refusé car l'EJ serait soldé, ce qui n'est pas le cas.",
            "Nous ne savons pas qui, de la DDI ou du CSP, doit saisir la modification.",
        ),
    ),
    "paiement-bloque": (
        (
            "Paiement d'un fournisseur bloqué depuis plus de 30 jours",
            "Facture d'un prestataire en retard de paiement : intérêts moratoires ?",
            "DP {dp} rejetée par le CSP {csp}",
            "Relance d'un fournisseur : paiement non reçu",
        ),
        (
            "Le fournisseur nous relance et menace de suspendre ses prestations.",
            "Le CSP indique un rejet mais nous n'en trouvons pas le motif.",
        ),
    ),
    "roles-prescripteur-csp": (
        (
            "Qui saisit le service fait : la DDI ou le CSP ?",
            "Répartition des tâches avec le CSP {csp} pour les marchés",
            "Le CSP demande des pièces déjà transmises",
        ),
        ("Les consignes reçues du CSP et de notre ministère ne concordent pas.",),
    ),
    "credits-bop": (
        (
            "Crédits de fonctionnement insuffisants sur le programme 333",
            "Mise à disposition des crédits du BOP {p} non reçue",
            "Virement de crédits entre UO : quelle procédure ?",
        ),
        ("Sans ces crédits, nous ne pouvons plus engager les dépenses courantes.",),
    ),
    "notions": (
        (
            "Différence entre AE et CP pour un marché pluriannuel",
            "Choix du domaine fonctionnel pour une subvention",
            "Centre financier à utiliser pour les dépenses mutualisées",
        ),
        ("Nous souhaitons éviter une erreur d'imputation avant la fin de gestion.",),
    ),
    "organisation-csp": (
        (
            "Délais de traitement du CSP {csp} pour les DP",
            "Circuit d'échange des pièces justificatives avec le CSP",
            "Point d'organisation avec le CSP {csp} après sa réorganisation",
        ),
        ("Les délais se sont allongés depuis le changement d'interlocuteur.",),
    ),
    "plusieurs-csp": (
        (
            "Plusieurs CSP selon les programmes : à qui s'adresser ?",
            "Dépense imputée sur deux programmes relevant de CSP différents",
        ),
        ("Chaque CSP nous renvoie vers l'autre.",),
    ),
    "bonnes-pratiques": (
        (
            "Partage d'un tableau de suivi des EJ entre services",
            "Bonne pratique pour anticiper la fin de gestion",
            "Modèle de note de procédure interne pour Chorus",
        ),
        ("D'autres DDI ont-elles mis en place un outil commun ?",),
    ),
    "calendrier-fin-gestion": (
        (
            "Date limite de saisie des EJ pour la fin de gestion {y}",
            "Calendrier de fin de gestion du CSP {csp}",
        ),
        ("Les dates communiquées par le CSP et par le ministère diffèrent.",),
    ),
    "charges-a-payer": (
        (
            "Charges à payer : quels EJ recenser ?",
            "Travaux d'inventaire : service fait non constaté au 31 décembre",
        ),
        ("Nous n'avons pas reçu la liste des EJ à examiner.",),
    ),
    "bascule-ej": (
        (
            "EJ {ej} non basculé sur la gestion {y1}",
            "Bascule des EJ non soldés : liste à vérifier",
        ),
        ("Le reste à payer n'apparaît pas sur la nouvelle gestion.",),
    ),
    "reports-credits": (
        (
            "Demande de report de crédits sur le programme {p}",
            "Reports de crédits non visibles au démarrage de la gestion {y1}",
        ),
        ("Nous avons besoin de ces crédits pour payer des factures de décembre.",),
    ),
    "demarrage-gestion": (
        (
            "Premières mises à disposition de crédits {y1} non reçues",
            "Impossible de saisir un EJ en début de gestion {y1}",
        ),
        ("Les dépenses obligatoires de janvier sont en attente.",),
    ),
}
GENERIC_TOPIC = (
    ("Question sur Chorus (programme {p})", "Difficulté avec le CSP {csp}"),
    ("Nous avons besoin d'un éclairage de l'équipe.",),
)
OPENINGS = (
    "Bonjour,",
    "Bonjour à l'équipe,",
    "Madame, Monsieur,",
    "Bonjour, je me permets de vous solliciter.",
)
ASKS = (
    "Pouvez-vous nous indiquer la marche à suivre ?",
    "Merci de votre aide.",
    "Le sujet devient urgent pour notre service.",
    "Merci de nous dire à qui nous adresser.",
    "Nous restons disponibles pour tout complément.",
)
TEAM_FIRST_REPLIES = (
    "Bonjour,\n\nMerci pour votre demande, que nous étudions avec le CSP concerné.",
    "Bonjour,\n\nNous avons bien pris en compte votre demande. Le cas est connu : voici "
    "comment procéder.\n\n1. Vérifiez le statut de l'EJ.\n2. Relancez le traitement.",
    "Bonjour,\n\nNous interrogeons le référent ministériel et revenons vers vous rapidement.",
    "Bonjour,\n\nVoici un premier élément de réponse : la **restitution** doit être lancée "
    "sur l'exercice en cours, pas sur l'exercice précédent.",
)
TEAM_QUESTIONS = (
    "Pouvez-vous nous transmettre une copie d'écran du message d'erreur ?",
    "Pouvez-vous préciser le numéro de l'EJ concerné ?",
    "Merci de nous indiquer le CSP qui vous a répondu et la date de sa réponse.",
    "Pouvez-vous confirmer que le service fait a bien été saisi ?",
)
AGENT_REPLIES = (
    "Voici la copie d'écran demandée.",
    "Le numéro de l'EJ est indiqué dans la description ; le problème persiste.",
    "Le CSP nous a répondu hier sans solution.",
    "Merci, la manipulation n'a pas suffi : le message d'erreur est toujours le même.",
    "Je vous confirme que le service fait a été saisi la semaine dernière.",
)
AGENT_ADDENDA = (
    "Je complète ma demande : le problème concerne aussi deux autres EJ.",
    "Précision : le fournisseur nous a relancés ce matin.",
    "Pièce jointe : l'extraction de la restitution.",
)
INTERNAL_NOTES = (
    "Cas déjà vu avec une autre DDI : voir la fiche pratique sur ce sujet.",
    "J'ai appelé le CSP, retour attendu demain.",
    "Anomalie connue de l'AIFE, correctif annoncé.",
    "À regrouper avec les demandes similaires de la semaine.",
    "Le référent ministériel est absent cette semaine, je prends le relais.",
)
RESOLUTIONS = (
    "Le CSP a corrigé l'anomalie : le paiement est parti ce matin.",
    "La restitution est désormais disponible ; la procédure est décrite dans la fiche "
    "pratique correspondante.",
    "L'habilitation a été créée, l'agent peut se connecter.",
    "Le tiers a été mis à jour par le CSP, vous pouvez relancer la DP.",
    "Nous vous confirmons la règle applicable : voir la réponse détaillée ci-dessus.",
)
REDIRECT_CONTACTS = (
    "Assistance Chorus du ministère de l'Agriculture : assistance-chorus@example.org",
    "Support Chorus des ministères sociaux : support-chorus-social@example.org",
    "Pôle formation Chorus du ministère de l'Écologie : formation-chorus@example.org",
    "Centre d'assistance de l'AIFE : assistance-aife@example.org",
)

# ---------------------------------------------------------------------------- distributions

# Relative weights of the categories (unknown categories, added later: 2).
CATEGORY_WEIGHTS = {
    "restitutions": 9,
    "chorus-formulaires": 8,
    "habilitations": 6,
    "tiers": 6,
    "outil-autre": 3,
    "chaine-depense": 9,
    "paiement-bloque": 10,
    "roles-prescripteur-csp": 4,
    "credits-bop": 5,
    "notions": 4,
    "organisation-csp": 4,
    "plusieurs-csp": 3,
    "bonnes-pratiques": 2,
}
YEAR_END_MONTHS = {10, 11, 12, 1, 2}
PRIORITIES = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
PRIORITY_WEIGHTS = (15, 60, 20, 5)
PRIORITY_WEIGHTS_YEAR_END = (5, 45, 35, 15)
MONTH_WEIGHTS = {1: 1.4, 2: 1.1, 3: 1.0, 4: 0.9, 5: 0.8, 6: 0.9, 7: 0.7, 8: 0.4}
MONTH_WEIGHTS.update({9: 1.0, 10: 1.2, 11: 1.5, 12: 1.7})
# Requests per day, relative: the first years of Chorus in the DDIs were the hardest.
YEAR_INTENSITY = {2011: 2.5, 2012: 2.0, 2013: 1.4}
DDI_KIND_WEIGHTS = {"DDT": 1.4, "DDTM": 1.5, "DDCS": 0.8, "DDPP": 0.8, "DDCSPP": 1.0}
DEMO_DDI_WEIGHT = 12.0
# Status by age in days (upper bound, (status, weight) …): open requests are recent.
STATUS_BY_AGE = (
    (
        2,
        (
            (Status.NEW, 45),
            (Status.IN_PROGRESS, 40),
            (Status.WAITING_DDI, 10),
            (Status.ESCALATED, 5),
        ),
    ),
    (
        10,
        (
            (Status.NEW, 4),
            (Status.IN_PROGRESS, 34),
            (Status.WAITING_DDI, 20),
            (Status.ESCALATED, 8),
            (Status.RESOLVED, 26),
            (Status.CLOSED, 6),
            (Status.REDIRECTED, 2),
        ),
    ),
    (
        45,
        (
            (Status.IN_PROGRESS, 4),
            (Status.WAITING_DDI, 4),
            (Status.ESCALATED, 4),
            (Status.RESOLVED, 10),
            (Status.CLOSED, 74),
            (Status.REDIRECTED, 4),
        ),
    ),
    (
        180,
        (
            (Status.ESCALATED, 1),
            (Status.CLOSED, 95),
            (Status.REDIRECTED, 4),
        ),
    ),
    (None, ((Status.CLOSED, 96), (Status.REDIRECTED, 4))),
)
# Chorus object and reference by category.
CHORUS_OBJECTS = {
    "chaine-depense": "ej",
    "bascule-ej": "ej",
    "paiement-bloque": "dp",
    "tiers": "tiers",
    "restitutions": "restitution",
    "chorus-formulaires": "formulaire",
    "habilitations": "habilitation",
}


def _cumulative(weights) -> list[float]:
    return list(accumulate(weights))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum() or c == "-")


# ---------------------------------------------------------------------------- the world


@dataclass
class DdiInfo:
    pk: int
    acronym: str
    agents: list[int]
    demo_agent: int | None
    # (programme id, programme code, ministry id, CSP id, CSP name)
    attachments: list[tuple[int, str, int, int, str]]


@dataclass
class TeamInfo:
    pk: int
    name: str
    time_share: int
    ministry_id: int | None
    programme_ids: frozenset[int]


@dataclass
class World:
    ddis: list[DdiInfo]
    ddi_cumulative: list[float]
    categories: list[tuple[int, str, str]]  # pk, axis, code
    team: list[TeamInfo]
    team_cumulative: list[float]
    pilot: TeamInfo
    ministries: dict[int, str]
    service_centre_names: dict[int, str]


def _demo_agents_ensure(ddis: list[DDI]) -> tuple[dict[int, list[int]], int]:
    """Give every DDI `AGENTS_PER_DDI` fictional agents (created once, never signed in)."""
    wanted = {}
    for index, ddi in enumerate(ddis):
        for number in range(1, AGENTS_PER_DDI + 1):
            first = FIRST_NAMES[(index * 7 + number * 13) % len(FIRST_NAMES)]
            last = LAST_NAMES[(index * 11 + number * 17) % len(LAST_NAMES)]
            email = f"agent{number + 1}.{_slug(ddi.kind)}{_slug(ddi.department.code)}@example.org"
            wanted[email] = (first, last, ddi.pk)
    existing = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    unusable = make_password(None)  # they never sign in
    User.objects.bulk_create(
        [
            User(
                email=email,
                first_name=first,
                last_name=last,
                role=Role.AGENT,
                ddi_id=ddi_id,
                password=unusable,
            )
            for email, (first, last, ddi_id) in wanted.items()
            if email not in existing
        ],
        batch_size=BATCH_SIZE,
    )
    agents: dict[int, list[int]] = defaultdict(list)
    fictional = User.objects.filter(
        role=Role.AGENT, is_active=True, email__endswith=FICTIONAL_DOMAIN
    )
    for pk, ddi_id in fictional.values_list("pk", "ddi_id"):
        agents[ddi_id].append(pk)
    return agents, len(wanted) - len(existing)


def _world_load(report: SeedReport) -> World:
    ddis = list(DDI.objects.select_related("department").order_by("pk"))
    if not ddis:
        raise MissingDemoData
    agents, report.agents_created = _demo_agents_ensure(ddis)
    demo_emails = {a.email: (a.ddi_kind, a.department) for a in AGENTS}
    demo_agent_of = {
        demo_emails[email]: pk
        for pk, email in User.objects.filter(email__in=demo_emails).values_list("pk", "email")
    }
    attachments = defaultdict(list)
    for row in ServiceCentreAttachment.objects.values_list(
        "ddi_id",
        "programme_id",
        "programme__code",
        "programme__ministry_id",
        "service_centre_id",
        "service_centre__name",
    ).order_by("pk"):
        attachments[row[0]].append(row[1:])

    infos, weights = [], []
    for ddi in ddis:
        key = (ddi.kind, ddi.department.code)
        demo_agent = demo_agent_of.get(key)
        infos.append(DdiInfo(ddi.pk, ddi.acronym, agents[ddi.pk], demo_agent, attachments[ddi.pk]))
        weight = DDI_KIND_WEIGHTS.get(ddi.kind, 1.0)
        weights.append(DEMO_DDI_WEIGHT if demo_agent else weight)

    categories = list(
        Category.objects.filter(is_active=True).order_by("pk").values_list("pk", "axis", "code")
    )
    members = list(
        TeamMember.objects.filter(
            user__is_active=True,
            user__role__in=[Role.MEMBER, Role.PILOT],
            user__email__endswith=FICTIONAL_DOMAIN,
        )
        .select_related("user")
        .prefetch_related("referent_programmes")
        .order_by("pk")
    )
    if not categories or not members:
        raise MissingDemoData
    team = [
        TeamInfo(
            m.user_id,
            m.user.get_full_name(),
            m.time_share,
            m.referent_ministry_id,
            frozenset(p.pk for p in m.referent_programmes.all()),
        )
        for m in members
    ]
    pilots = [t for t, m in zip(team, members, strict=True) if m.user.role == Role.PILOT]
    return World(
        ddis=infos,
        ddi_cumulative=_cumulative(weights),
        categories=categories,
        team=team,
        team_cumulative=_cumulative(t.time_share for t in team),
        pilot=pilots[0] if pilots else team[0],
        ministries=dict(Ministry.objects.values_list("pk", "code")),
        service_centre_names=dict(ServiceCentre.objects.order_by("pk").values_list("pk", "name")),
    )


# ---------------------------------------------------------------------------- dates


def _filing_times(
    count: int, now: datetime, room: dict[int, int], rng: random.Random
) -> list[datetime]:
    """`count` filing moments since the team was created, sorted, within each year's room."""
    today = now.astimezone(LOCAL_TZ).date()
    days = [TEAM_CREATED + timedelta(n) for n in range((today - TEAM_CREATED).days + 1)]
    day_weights = [
        YEAR_INTENSITY.get(d.year, 1.0)
        * MONTH_WEIGHTS[d.month]
        * (1.0 if d.weekday() < 5 else 0.08)
        for d in days
    ]
    by_year: dict[int, list[int]] = defaultdict(list)
    for index, d in enumerate(days):
        by_year[d.year].append(index)
    # Share the requests among the years by weight, then move what a full year cannot
    # take to the years that still have room.
    wanted = Counter()
    year_weight = {y: sum(day_weights[i] for i in idx) for y, idx in by_year.items()}
    open_years = {y for y in by_year if room.get(y, MAX_PER_YEAR) > 0}
    left = count
    while left:
        if not open_years:
            raise NotEnoughReferences
        total = sum(year_weight[y] for y in open_years)
        shares = {y: int(left * year_weight[y] / total) for y in open_years}
        shares[max(open_years, key=year_weight.get)] += left - sum(shares.values())
        for year, share in shares.items():
            take = min(share, room.get(year, MAX_PER_YEAR) - wanted[year])
            wanted[year] += take
            left -= take
            if wanted[year] >= room.get(year, MAX_PER_YEAR):
                open_years.discard(year)

    now_local = now.astimezone(LOCAL_TZ)
    times = []
    for year, n in wanted.items():
        indexes = by_year[year]
        cumulative = _cumulative(day_weights[i] for i in indexes)
        for d_index in rng.choices(indexes, cum_weights=cumulative, k=n):
            d = days[d_index]
            # Office hours mostly, 8:00 to 18:30.
            minute = int(rng.triangular(8 * 60, 18.5 * 60, 11 * 60))
            moment = datetime(d.year, d.month, d.day, minute // 60, minute % 60, rng.randrange(60))
            if d == today and moment > now_local.replace(tzinfo=None):
                moment = now_local.replace(tzinfo=None) - timedelta(minutes=rng.randrange(1, 120))
            times.append(moment.replace(tzinfo=LOCAL_TZ))
    times.sort()
    return times


def office_hours(moment: datetime) -> datetime:
    """`moment` if in office hours (8:00 to 19:00, Monday to Friday), else the next working
    morning: nobody answers at 3 a.m."""
    local = moment.astimezone(LOCAL_TZ)
    if local.weekday() < 5 and 8 <= local.hour < 19:
        return moment
    day = local.date() + timedelta(days=1 if local.hour >= 19 else 0)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    # Spread over the morning rather than all at 8:00.
    minutes = 8 * 60 + (local.hour * 60 + local.minute) % 150
    morning = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, local.second)
    return morning.replace(tzinfo=LOCAL_TZ)


@lru_cache(maxsize=20_000)
def _due_days(day: date, priority: str) -> tuple[date, date]:
    """SLA due days for a request filed on `day` (same time of day): cached per day."""
    start = timezone.make_aware(datetime(day.year, day.month, day.day, 12))
    first, resolution = due_dates(priority, start)
    return timezone.localtime(first).date(), timezone.localtime(resolution).date()


def _sla(priority: str, created_at: datetime) -> tuple[datetime, datetime]:
    local = created_at.astimezone(LOCAL_TZ)
    first_day, resolution_day = _due_days(local.date(), priority)
    clock = local.timetz()
    return datetime.combine(first_day, clock), datetime.combine(resolution_day, clock)


def _working_days(created_local: datetime, end: datetime | None) -> int | None:
    """`sla.working_days_elapsed`, without its per-call time-zone lookups."""
    if end is None:
        return None
    return working_days_between_dates(created_local.date(), end.astimezone(LOCAL_TZ).date())


# ---------------------------------------------------------------------------- one request


REQUEST_COLUMNS = (
    "reference",
    "ddi_id",
    "requester_id",
    "axis",
    "category_id",
    "programme_id",
    "service_centre_id",
    "chorus_object",
    "chorus_reference",
    "title",
    "body",
    "priority",
    "status",
    "assignee_id",
    "escalation_target",
    "escalation_ministry_id",
    "escalation_service_centre_id",
    "redirect_contact",
    "created_at",
    "first_response_due",
    "resolution_due",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "last_activity_at",
    "reopened_count",
    "first_response_days",
    "resolution_days",
    "version",
)
# What the model would default to (COPY does not know Python defaults).
REQUEST_DEFAULTS = {
    "chorus_object": "",
    "chorus_reference": "",
    "escalation_target": "",
    "redirect_contact": "",
    "reopened_count": 0,
    "version": 1,
}


class RequestRow:
    """The columns of one request, before it is written."""

    __slots__ = REQUEST_COLUMNS

    def __init__(self, **values):
        for name in REQUEST_COLUMNS:
            setattr(self, name, values.get(name, REQUEST_DEFAULTS.get(name)))

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, name) for name in REQUEST_COLUMNS)


# Rows of the children, without their request (known once the requests are written).
MESSAGE_COLUMNS = ("author_id", "kind", "body", "created_at")
EVENT_COLUMNS = (
    "actor_id",
    "kind",
    "field",
    "old_value",
    "new_value",
    "comment",
    "is_public",
    "created_at",
)


@dataclass
class Built:
    request: RequestRow
    messages: list[tuple]  # MESSAGE_COLUMNS
    events: list[tuple]  # EVENT_COLUMNS
    followers: list[int]


class RequestBuilder:
    """Builds one request and its story, consistent with the workflow's transitions."""

    def __init__(self, world: World, rng: random.Random, now: datetime):
        self.world, self.rng, self.now = world, rng, now
        self.category_cumulative_by_season = {
            season: _cumulative(
                self._category_weight(code, season) for _, _, code in world.categories
            )
            for season in (False, True)
        }

    @staticmethod
    def _category_weight(code: str, year_end_season: bool) -> float:
        if code in CATEGORY_WEIGHTS:
            return CATEGORY_WEIGHTS[code]
        if code in {"calendrier-fin-gestion", "charges-a-payer", "bascule-ej", "reports-credits"}:
            return 12 if year_end_season else 0.5
        if code == "demarrage-gestion":
            return 10 if year_end_season else 0.3
        return 2

    def _status(self, age_days: float) -> str:
        for limit, table in STATUS_BY_AGE:
            if limit is None or age_days < limit:
                statuses, weights = zip(*table, strict=True)
                return self.rng.choices(statuses, weights=weights)[0]
        raise AssertionError  # the last row has no limit

    def _assignee(self, ministry_id: int | None, programme_id: int | None) -> TeamInfo:
        rng, team = self.rng, self.world.team
        if programme_id is not None and rng.random() < 0.6:
            referents = [
                t for t in team if programme_id in t.programme_ids or t.ministry_id == ministry_id
            ]
            if referents:
                return rng.choice(referents)
        return rng.choices(team, cum_weights=self.world.team_cumulative)[0]

    def _text(self, code: str, context: dict) -> tuple[str, str]:
        titles, details = TOPICS.get(code, GENERIC_TOPIC)
        rng = self.rng
        title = rng.choice(titles).format(**context)
        body = f"{rng.choice(OPENINGS)}\n\n{rng.choice(details)}\n\n{rng.choice(ASKS)}"
        if context["ref"]:
            body += f"\n\nRéférence Chorus : {context['ref']}."
        return title, body

    def build(self, created_at: datetime, reference: str) -> Built:
        rng, world, now = self.rng, self.world, self.now
        ddi = world.ddis[bisect(world.ddi_cumulative, rng.random() * world.ddi_cumulative[-1])]
        if ddi.demo_agent and rng.random() < 0.7:
            requester = ddi.demo_agent
        else:
            requester = rng.choice(ddi.agents)
        local = created_at.astimezone(LOCAL_TZ)
        season = local.month in YEAR_END_MONTHS
        cumulative = self.category_cumulative_by_season[season]
        category_pk, axis, code = world.categories[
            bisect(cumulative, rng.random() * cumulative[-1])
        ]
        priority = rng.choices(
            PRIORITIES,
            weights=PRIORITY_WEIGHTS_YEAR_END if axis == "year_end" else PRIORITY_WEIGHTS,
        )[0]

        programme = service_centre = ministry_id = None
        programme_code, csp_name = "333", "du département"
        if ddi.attachments and (rng.random() < 0.65 or code == "credits-bop"):
            programme, programme_code, ministry_id, service_centre, csp_name = rng.choice(
                ddi.attachments
            )
        chorus_object = CHORUS_OBJECTS.get(code, "")
        ej, dp, tiers = (f"{rng.randrange(10**9, 10**10)}" for _ in range(3))
        chorus_reference = {"ej": ej, "dp": dp, "tiers": tiers}.get(chorus_object, "")
        if chorus_object == "restitution" and rng.random() < 0.5:
            chorus_reference = "INF-BUD-53"
        title, body = self._text(
            code,
            {
                "p": programme_code,
                "csp": csp_name,
                "ej": ej,
                "dp": dp,
                "tiers": tiers,
                "y": local.year,
                "y1": local.year + 1,
                "ref": chorus_reference,
            },
        )
        first_due, resolution_due = _sla(priority, created_at)
        age_days = (now - created_at).total_seconds() / 86400
        status = self._status(age_days)

        request = RequestRow(
            reference=reference,
            ddi_id=ddi.pk,
            requester_id=requester,
            axis=axis,
            category_id=category_pk,
            programme_id=programme,
            service_centre_id=service_centre,
            chorus_object=chorus_object,
            chorus_reference=chorus_reference,
            title=title[:200],
            body=body,
            priority=priority,
            status=status,
            created_at=created_at,
            first_response_due=first_due,
            resolution_due=resolution_due,
            last_activity_at=created_at,
        )
        story = Story(request, self, requester)
        story.tell(ministry_id)
        request.first_response_days = _working_days(local, request.first_response_at)
        request.resolution_days = _working_days(local, request.resolved_at)
        followers = [requester]
        if len(ddi.agents) > 1 and rng.random() < 0.15:
            other = rng.choice(ddi.agents)
            if other != requester:
                followers.append(other)
        return Built(request, story.messages, story.events, followers)


class Story:
    """The messages and events of one request, in time order, ending in its status."""

    def __init__(self, request: RequestRow, builder: RequestBuilder, requester: int):
        self.request, self.builder, self.rng = request, builder, builder.rng
        self.requester = requester
        self.messages: list[tuple] = []
        self.events: list[tuple] = []

    def _event(self, at, actor, kind, *, field="", old="", new="", comment="", public=True):
        # Plain strings (not enum members): the rows may go straight to COPY.
        self.events.append((actor, str(kind), field, str(old), str(new)[:255], comment, public, at))

    def _status(self, at, actor, old, new, comment=""):
        self._event(at, actor, EventKind.STATUS, field="status", old=old, new=new, comment=comment)

    def _message(self, at, author, body, *, internal=False, event=True):
        kind = MessageKind.INTERNAL if internal else MessageKind.PUBLIC
        self.messages.append((author, str(kind), body, at))
        if event:
            kind = EventKind.NOTE if internal else EventKind.REPLIED
            self._event(at, author, kind, public=not internal)

    def _at(self, moment: datetime) -> datetime:
        """`moment` moved into office hours, never before the previous step nor after now."""
        self.cursor = max(self.cursor, min(office_hours(moment), self.latest))
        return self.cursor

    def _between(self, start: datetime, end: datetime, n: int) -> list[datetime]:
        span = max((end - start).total_seconds(), 1.0)
        return sorted(start + timedelta(seconds=self.rng.uniform(0, span)) for _ in range(n))

    def tell(self, ministry_id: int | None) -> None:
        request, rng, builder = self.request, self.rng, self.builder
        world = builder.world
        created, status = request.created_at, request.status
        self.cursor = created
        self.latest = latest = max(created, builder.now - timedelta(seconds=30))
        self._event(created, self.requester, EventKind.CREATED, new=Status.NEW)

        # The team's first answer: mostly within the SLA, sometimes late.
        window = request.first_response_due - created
        first = created + window * (
            rng.uniform(0.05, 0.9) if rng.random() < 0.85 else rng.uniform(1.0, 2.5)
        )
        first = min(first, created + (latest - created) * rng.uniform(0.3, 0.7))
        assignee = builder._assignee(ministry_id, request.programme_id)
        triage_at = self._at(created + (first - created) * rng.uniform(0.1, 0.6))

        if status == Status.NEW:
            if rng.random() < 0.3:
                request.assignee_id = assignee.pk
                self._event(
                    triage_at,
                    world.pilot.pk,
                    EventKind.ASSIGNED,
                    field="assignee",
                    new=assignee.name,
                )
            if rng.random() < 0.6:
                self._message(triage_at, self.requester, rng.choice(AGENT_ADDENDA))
            else:
                self._message(triage_at, world.pilot.pk, rng.choice(INTERNAL_NOTES), internal=True)
            request.last_activity_at = triage_at
            return

        if status == Status.REDIRECTED and rng.random() < 0.6:
            # Outside the team's remit, seen at triage.
            self._redirect(triage_at, assignee.pk, Status.NEW, rng.choice(REDIRECT_CONTACTS))
            return

        request.assignee_id = assignee.pk
        triager = world.pilot.pk if rng.random() < 0.7 else assignee.pk
        self._event(triage_at, triager, EventKind.ASSIGNED, field="assignee", new=assignee.name)
        first_at = request.first_response_at = self._at(first)
        self._message(first_at, assignee.pk, rng.choice(TEAM_FIRST_REPLIES))
        self._status(first_at, assignee.pk, Status.NEW, Status.IN_PROGRESS)

        # Where the story ends: its resolution (finished requests) or now (open ones).
        if status in (Status.RESOLVED, Status.CLOSED, Status.REDIRECTED):
            target = request.resolution_due - created
            if rng.random() < 0.85:
                end = created + target * rng.uniform(0.3, 1.0)
            else:
                end = request.resolution_due + timedelta(days=rng.expovariate(1 / 5))
            end = min(max(end, first_at + timedelta(hours=1)), first_at + (latest - first_at) * 0.8)
        else:
            end = first_at + (latest - first_at) * rng.uniform(0.3, 1.0)

        # In between: questions and answers, internal notes; 6 messages at most in all.
        last_messages = 1 if status in (Status.WAITING_DDI, Status.RESOLVED, Status.CLOSED) else 0
        room = 6 - 1 - last_messages - (1 if status == Status.REDIRECTED else 0)
        steps = []
        while room > 0 and rng.random() < 0.45:
            if room >= 2 and rng.random() < 0.6:
                steps += ["ask", "answer"]
                room -= 2
            else:
                steps.append("note")
                room -= 1
        for step, moment in zip(steps, self._between(first_at, end, len(steps)), strict=True):
            at = self._at(moment)
            if step == "note":
                author = rng.choice(world.team).pk if rng.random() < 0.4 else assignee.pk
                self._message(at, author, rng.choice(INTERNAL_NOTES), internal=True)
            elif step == "ask":
                self._message(at, assignee.pk, rng.choice(TEAM_QUESTIONS))
                self._status(at, assignee.pk, Status.IN_PROGRESS, Status.WAITING_DDI)
            else:
                self._message(at, self.requester, rng.choice(AGENT_REPLIES))
                self._status(at, self.requester, Status.WAITING_DDI, Status.IN_PROGRESS)
        at = self._at(end)

        if status == Status.WAITING_DDI:
            self._message(at, assignee.pk, rng.choice(TEAM_QUESTIONS))
            self._status(at, assignee.pk, Status.IN_PROGRESS, Status.WAITING_DDI)
        elif status == Status.ESCALATED:
            self._escalate(at, assignee.pk, request, ministry_id)
        elif status == Status.REDIRECTED:
            self._redirect(at, assignee.pk, Status.IN_PROGRESS, rng.choice(REDIRECT_CONTACTS))
        elif status in (Status.RESOLVED, Status.CLOSED):
            self._message(at, assignee.pk, rng.choice(RESOLUTIONS))
            self._status(at, assignee.pk, Status.IN_PROGRESS, Status.RESOLVED)
            request.resolved_at = at
            if status == Status.CLOSED:
                # Closed by the DDI within days, or by the nightly job after two weeks.
                if rng.random() < 0.35:
                    closer, closed_at = (
                        self.requester,
                        self._at(at + timedelta(days=rng.uniform(0.5, 4))),
                    )
                else:
                    closer, closed_at = None, at + timedelta(days=14)
                    nightly = closed_at.astimezone(LOCAL_TZ).replace(hour=3, minute=0)
                    closed_at = min(nightly, latest)
                    closed_at = self.cursor = max(closed_at, at)
                self._status(closed_at, closer, Status.RESOLVED, Status.CLOSED)
                request.closed_at = closed_at
        request.last_activity_at = self.cursor

    def _escalate(self, at, actor, request, ministry_id):
        rng, world = self.rng, self.builder.world
        target = rng.choices(
            (
                EscalationTarget.MINISTRY,
                EscalationTarget.AIFE,
                EscalationTarget.CSP,
                EscalationTarget.BUDGET,
            ),
            weights=(40, 30, 20, 10),
        )[0]
        if target == EscalationTarget.MINISTRY:
            ministry_id = ministry_id or rng.choice(list(world.ministries))
            request.escalation_ministry_id = ministry_id
            label = f"l'équipe Chorus du ministère {world.ministries[ministry_id]}"
        elif target == EscalationTarget.CSP:
            csp_id = request.service_centre_id or rng.choice(list(world.service_centre_names))
            request.escalation_service_centre_id = csp_id
            label = f"le CSP {world.service_centre_names[csp_id]}"
        elif target == EscalationTarget.AIFE:
            label = "l'AIFE"
        else:
            label = "la direction du Budget"
        request.escalation_target = target
        self._status(at, actor, Status.IN_PROGRESS, Status.ESCALATED)
        self._event(at, actor, EventKind.ESCALATED, field="escalation_target", new=label)

    def _redirect(self, at, actor, old_status, contact):
        request = self.request
        request.redirect_contact = contact
        request.closed_at = at
        self._status(at, actor, old_status, Status.REDIRECTED)
        self._event(at, actor, EventKind.REDIRECTED, new=contact)
        self._message(
            at,
            actor,
            "Votre demande ne relève pas de l'équipe interministérielle d'accompagnement. "
            f"Adressez-vous à :\n\n{contact}",
            event=False,
        )
        request.last_activity_at = at


# ---------------------------------------------------------------------------- writing


def _used_by_year() -> dict[int, int]:
    """The last number used each year: the counter, or a reference above it if any."""
    used = dict(ReferenceCounter.objects.values_list("year", "last_number"))
    rows = (
        SupportRequest.objects.annotate(year=Substr("reference", 5, 4))
        .values("year")
        .annotate(last=Max("reference"))
        .order_by()
        .values_list("year", "last")
    )
    for year, last in rows:
        used[int(year)] = max(used.get(int(year), 0), int(last[-5:]))
    return used


@transaction.atomic
def _references_reserve(per_year: Counter) -> dict[int, int]:
    """Reserve the numbers in `ReferenceCounter`; returns the first number of each year."""
    used = _used_by_year()
    first = {}
    for year, count in sorted(per_year.items()):
        ReferenceCounter.objects.get_or_create(year=year)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        last = max(counter.last_number, used.get(year, 0))
        if last + count > MAX_PER_YEAR:
            raise NotEnoughReferences
        counter.last_number = last + count
        counter.save(update_fields=["last_number"])
        first[year] = last + 1
    return first


def _search_vectors_fill(pks: tuple[int, int]) -> None:
    """One UPDATE, same vector as `services.requests.support_request_update_search`."""
    if connection.vendor != "postgresql":
        return
    messages = (
        Message.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(text=StringAgg("body", delimiter=" ", order_by=("created_at", "pk")))
        .values("text")
    )
    SupportRequest.objects.filter(pk__range=pks).update(
        search_vector=SearchVector("reference", weight="A", config="french")
        + SearchVector("title", weight="A", config="french")
        + SearchVector("body", weight="B", config="french")
        + SearchVector(Subquery(messages), weight="C", config="french")
    )


# Share of the targeted DDIs that marked a past milestone done, and how many did it late.
ACKNOWLEDGED_SHARE = 0.85
LATE_SHARE = 0.15


def _past_acknowledgements_seed(world: World, rng: random.Random, now: datetime) -> int:
    """ "Done" marks on milestones already due, by one of each DDI's agents, mostly in the
    three weeks before the due date, some after it; only where none was recorded yet (the
    campaign board and its rate over time have something to show)."""
    today = timezone.localtime(now).date()
    milestones = list(
        selectors_campaigns.milestones_with_audience().filter(
            needs_acknowledgement=True, due_date__lt=today, acknowledgements__isnull=True
        )
    )
    if not milestones:
        return 0
    agents = {ddi.pk: ddi.agents for ddi in world.ddis if ddi.agents}
    targeted = selectors_campaigns.ddis_targeted_by(milestones)
    rows = []
    for milestone in milestones:
        for ddi_id in sorted(targeted[milestone.pk]):
            if ddi_id not in agents or rng.random() > ACKNOWLEDGED_SHARE:
                continue
            if rng.random() < LATE_SHARE:
                day = milestone.due_date + timedelta(days=rng.randint(1, 10))
            else:
                day = milestone.due_date - timedelta(days=rng.randint(0, 20))
            day = min(day, today)
            moment = datetime(day.year, day.month, day.day, rng.randint(8, 17), tzinfo=LOCAL_TZ)
            rows.append((milestone.pk, ddi_id, rng.choice(agents[ddi_id]), moment))
    _rows_write(
        Acknowledgement, ("milestone_id", "ddi_id", "acknowledged_by_id", "acknowledged_at"), rows
    )
    return len(rows)


def _statistics_refresh() -> None:
    """PostgreSQL's planner statistics and visibility map, after the tables grew by a
    large batch (outside the transaction; autovacuum would get there later, the pages
    need them now: the queue counts its rows from an index alone only once the table's
    pages are marked all-visible)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        # The whole database: the reference tables were just loaded too (a second or two).
        cursor.execute("VACUUM (ANALYZE)")


def _rows_write(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain rows: COPY on PostgreSQL, `bulk_create` in batches elsewhere.

    On PostgreSQL, bulk_create took 5 minutes for 200,000 requests and their 2.3 million
    messages and events (Django's per-field preparation and a 130,000-parameter INSERT
    per batch); COPY takes a fraction of that.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = (
            f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            "FROM STDIN"
        )
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH_SIZE
    )


@contextmanager
def _garbage_collector_paused():
    """Millions of small tuples are built here, and no reference cycle: the cyclic
    garbage collector would only rescan them, over and over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _requests_write(rows: list[tuple]) -> list[int]:
    """Insert requests (REQUEST_COLUMNS); returns their ids, in order."""
    if connection.vendor != "postgresql":
        requests = [SupportRequest(**dict(zip(REQUEST_COLUMNS, row, strict=True))) for row in rows]
        SupportRequest.objects.bulk_create(requests, batch_size=BATCH_SIZE)
        return [request.pk for request in requests]
    # Ids taken from the table's sequence, so that COPY can write them.
    table = SupportRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        pks = [pk for (pk,) in cursor.fetchall()]
    _rows_write(
        SupportRequest,
        ("id", *REQUEST_COLUMNS),
        [(pk, *row) for pk, row in zip(pks, rows, strict=True)],
    )
    return pks


def seed_demo_requests(
    *,
    count: int,
    progress: Callable[[int], object] | None = None,
    seed: int | None = None,
    now: datetime | None = None,
) -> SeedReport:
    """Add `count` demo requests (with messages, events, followers); see the module doc."""
    started = time.monotonic()
    report = SeedReport()
    if count <= 0:
        return report
    now = now or timezone.now()
    rng = random.Random(seed)
    world = _world_load(report)

    used = _used_by_year()
    room = {
        year: MAX_PER_YEAR - used.get(year, 0)
        for year in range(TEAM_CREATED.year, timezone.localtime(now).year + 1)
    }
    times = _filing_times(count, now, room, rng)
    years = [t.astimezone(LOCAL_TZ).year for t in times]
    next_number = _references_reserve(Counter(years))
    builder = RequestBuilder(world, rng, now)
    follow = SupportRequest.followers.through
    pks: list[int] = []

    with _garbage_collector_paused(), transaction.atomic():
        for start in range(0, count, BATCH_SIZE):
            built = []
            for created_at, year in zip(
                times[start : start + BATCH_SIZE], years[start : start + BATCH_SIZE], strict=True
            ):
                reference = f"ACC-{year}-{next_number[year]:05d}"
                next_number[year] += 1
                first = report.by_year.get(year, (reference,))[0]
                report.by_year[year] = (first, reference)
                built.append(builder.build(created_at, reference))
            batch_pks = _requests_write([b.request.as_tuple() for b in built])
            pks += batch_pks
            messages, events, follows = [], [], []
            for pk, b in zip(batch_pks, built, strict=True):
                messages += [(pk, *row) for row in b.messages]
                events += [(pk, *row) for row in b.events]
                follows += [(pk, user) for user in b.followers]
            _rows_write(Message, ("request_id", *MESSAGE_COLUMNS), messages)
            _rows_write(Event, ("request_id", *EVENT_COLUMNS), events)
            _rows_write(follow, ("supportrequest_id", "user_id"), follows)
            report.created += len(built)
            report.messages += len(messages)
            report.events += len(events)
            if progress:
                progress(len(built))
        _search_vectors_fill((min(pks), max(pks)))
        report.acknowledgements = _past_acknowledgements_seed(world, rng, now)
    _statistics_refresh()
    report.seconds = time.monotonic() - started
    return report

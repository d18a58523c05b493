"""Demonstration support actions of the ministries' Chorus teams and of the AIFE, and two
follow-up notes of the pilot's.

Used by `manage.py seed_demo`; idempotent (an action is known by its owner and identifier,
a note by its partner and text). Only for the partners the reference data loaded: a
missing partner's actions and notes are left out. Every date falls on a working day.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from accompagnement.accounts.models import Role, User
from accompagnement.axes.models import Axis
from accompagnement.demo.dates import working_day_on_or_after, working_day_on_or_before
from accompagnement.partners.enums import SupportActionKind, SupportActionStatus
from accompagnement.partners.models import FollowUpNote, Partner, SupportAction
from accompagnement.partners.services.actions import support_action_create
from accompagnement.partners.services.follow_ups import follow_up_create
from ddi.enums import DDIKind
from ddi.models import Department, Programme, Region


@dataclass(frozen=True)
class DemoAction:
    owner: str  # partner code
    external_id: str
    title: str
    kind: SupportActionKind
    axis: Axis
    days_from_today: int
    days: int = 1
    status: SupportActionStatus = SupportActionStatus.PLANNED
    ddi_kinds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # INSEE codes
    departments: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    description: str = ""


DEMO_ACTIONS = [
    DemoAction(
        owner="equipe-chorus-maaprat",
        external_id="DEMO-MAAPRAT-01",
        title="Formation Chorus Formulaires pour les services vétérinaires de l'Ouest",
        kind=SupportActionKind.TRAINING,
        axis=Axis.TOOL,
        days_from_today=-40,
        days=2,
        status=SupportActionStatus.DONE,
        ddi_kinds=(DDIKind.DDPP, DDIKind.DDCSPP),
        regions=("53", "52", "25"),
        programmes=("206",),
        description="Deux jours en CPCM : saisie des demandes d'achat et suivi des services faits.",
    ),
    DemoAction(
        owner="equipe-chorus-maaprat",
        external_id="DEMO-MAAPRAT-02",
        title="Note sur les charges à payer du programme 215",
        kind=SupportActionKind.NOTE,
        axis=Axis.YEAR_END,
        days_from_today=10,
        ddi_kinds=(DDIKind.DDT, DDIKind.DDTM),
        programmes=("215",),
    ),
    DemoAction(
        owner="equipe-chorus-meddtl",
        external_id="DEMO-MEDDTL-01",
        title="Webinaire de fin de gestion pour les DDT(M)",
        kind=SupportActionKind.MEETING,
        axis=Axis.YEAR_END,
        days_from_today=14,
        ddi_kinds=(DDIKind.DDT, DDIKind.DDTM),
    ),
    DemoAction(
        owner="equipe-chorus-meddtl",
        external_id="DEMO-MEDDTL-02",
        title="Visite d'accompagnement de la DDTM des Bouches-du-Rhône",
        kind=SupportActionKind.VISIT,
        axis=Axis.PRACTICES,
        days_from_today=-12,
        status=SupportActionStatus.CANCELLED,
        ddi_kinds=(DDIKind.DDTM,),
        departments=("13",),
        description="Reportée à la demande de la DDTM.",
    ),
    DemoAction(
        owner="equipe-chorus-msoc",
        external_id="DEMO-MSOC-01",
        title="Campagne d'accompagnement des DDCS du Sud sur le programme 177",
        kind=SupportActionKind.CAMPAIGN,
        axis=Axis.PROCESS,
        days_from_today=-20,
        days=45,
        ddi_kinds=(DDIKind.DDCS, DDIKind.DDCSPP),
        regions=("93", "91", "73"),
        programmes=("177",),
        description="Appels aux services financiers des DDCS, fiche sur le circuit EJ/SF/DP.",
    ),
    DemoAction(
        owner="equipe-chorus-msoc",
        external_id="DEMO-MSOC-02",
        title="Atelier régional sur les restitutions en Rhône-Alpes",
        kind=SupportActionKind.TRAINING,
        axis=Axis.TOOL,
        days_from_today=21,
        ddi_kinds=(DDIKind.DDCS, DDIKind.DDCSPP),
        regions=("82",),
    ),
    DemoAction(
        owner="aife",
        external_id="DEMO-AIFE-01",
        title="Guide des restitutions INF-BUD pour les DDT(M)",
        kind=SupportActionKind.NOTE,
        axis=Axis.TOOL,
        days_from_today=-60,
        status=SupportActionStatus.DONE,
        ddi_kinds=(DDIKind.DDT, DDIKind.DDTM),
    ),
    DemoAction(
        owner="equipe-chorus-miomcti",
        external_id="DEMO-MIOMCTI-01",
        title="Réunion sur les bonnes pratiques avec les plateformes Chorus (Île-de-France)",
        kind=SupportActionKind.MEETING,
        axis=Axis.PRACTICES,
        days_from_today=5,
        regions=("11",),
    ),
]


@dataclass(frozen=True)
class DemoFollowUp:
    partner: str
    text: str
    days_from_today: int
    axis: Axis | None = None


DEMO_FOLLOW_UPS = [
    DemoFollowUp(
        partner="equipe-chorus-meddtl",
        text="Relancer le MEDDTL sur une formation aux restitutions pour les DDT, "
        "aucune action prévue sur l'outil.",
        days_from_today=-2,
        axis=Axis.TOOL,
    ),
    DemoFollowUp(
        partner="equipe-chorus-msoc",
        text="Demander aux ministères sociaux le bilan de la campagne programme 177.",
        days_from_today=7,
        axis=Axis.PROCESS,
    ),
]


def _working_day(today: date, days: int) -> date:
    """A working day `days` from `today`: a past one stays in the past, a future one in
    the future."""
    day = today + timedelta(days=days)
    return working_day_on_or_before(day) if days < 0 else working_day_on_or_after(day)


@transaction.atomic
def seed_demo_partner_actions(*, today: date) -> dict[str, int]:
    """The demo actions and follow-up notes of the partners that exist; created once,
    never changed afterwards. Returns how many were created, already there, or left out
    (their partner is missing)."""
    counts = {"created": 0, "existing": 0, "skipped": 0, "follow_ups": 0}
    codes = {demo.owner for demo in DEMO_ACTIONS} | {demo.partner for demo in DEMO_FOLLOW_UPS}
    partners = {p.code: p for p in Partner.objects.filter(code__in=codes)}
    author = User.objects.filter(role=Role.PILOT, is_active=True).order_by("pk").first()
    existing = set(
        SupportAction.objects.filter(
            external_id__in=[demo.external_id for demo in DEMO_ACTIONS]
        ).values_list("owner__code", "external_id")
    )
    for demo in DEMO_ACTIONS:
        owner = partners.get(demo.owner)
        if owner is None:
            counts["skipped"] += 1
            continue
        if (demo.owner, demo.external_id) in existing:
            counts["existing"] += 1
            continue
        starts_on = _working_day(today, demo.days_from_today)
        ends_on = None
        if demo.days > 1:
            ends_on = working_day_on_or_after(starts_on + timedelta(days=demo.days - 1))
        support_action_create(
            user=author,
            data={
                "owner": owner,
                "external_id": demo.external_id,
                "title": demo.title,
                "description": demo.description,
                "kind": demo.kind,
                "axis": demo.axis,
                "status": demo.status,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "ddi_kinds": list(demo.ddi_kinds),
                "regions": list(Region.objects.filter(code__in=demo.regions)),
                "departments": list(Department.objects.filter(code__in=demo.departments)),
                "programmes": list(Programme.objects.filter(code__in=demo.programmes)),
            },
        )
        counts["created"] += 1
    for demo in DEMO_FOLLOW_UPS:
        partner = partners.get(demo.partner)
        if partner is None or FollowUpNote.objects.filter(partner=partner, text=demo.text).exists():
            continue
        follow_up_create(
            user=author,
            data={
                "partner": partner,
                "text": demo.text,
                "axis": demo.axis or "",
                "due_on": _working_day(today, demo.days_from_today),
            },
        )
        counts["follow_ups"] += 1
    return counts

"""The partners' side of the demo requests: each escalated request gets its `Escalation`.

Run by `requests.py` once the requests are written. A request escalated by its story
(`stories.py`: to a ministry's team, a CSP, the AIFE or the Direction du Budget) is
matched with the partner of the directory that stands for that target; its timeline's
"escalated" line then names the partner ("Escaladée vers <partner>"), as the portal
writes it. The partners come from `load_reference_data`: without them (the demo seeded
before the reference data), no escalation is made and the requests stay escalated as
they are.

The partner's clock is the portal's: `expected_at` is the partner's commitment in the
team's working hours from the moment the request was escalated. An escalation already
past its due date is shown as the reminder job would have left it (its reminders sent, its
alerts given), so that the first run of the job does not remind every partner at once.
"""

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings

from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.models import Escalation, Partner
from accompagnement.support.enums import EscalationTarget, EventKind, Status
from accompagnement.support.models import Event, SupportRequest
from accompagnement.support.sla import add_working_time

SUMMARIES = (
    "La DDI ne peut pas valider le service fait : l'EJ apparaît soldé dans Chorus alors "
    "que la facture n'est pas payée. Pouvez-vous vérifier l'état de l'EJ ?",
    "Demande de paiement rejetée par le comptable sans motif lisible dans Chorus : "
    "pouvez-vous nous indiquer le motif et la correction attendue ?",
    "La restitution INF-BUD-53 ne montre pas les crédits reportés sur le BOP : "
    "anomalie de paramétrage de votre côté ?",
    "Les habilitations de l'agent n'ont pas été reprises après sa mutation : "
    "pouvez-vous les rétablir sur le centre financier de la DDI ?",
    "Le tiers créé par la DDI reste bloqué en attente de validation depuis dix jours : "
    "pouvez-vous le débloquer ou nous dire ce qui manque ?",
    "Écart entre les AE consommées dans Chorus et le suivi de la DDI sur le programme : "
    "pouvez-vous confirmer le montant des engagements reportés ?",
)
# Share of the escalations whose partner gave their ticket number.
WITH_TICKET = 0.5
# Requests per `IN (…)` of the timeline's update.
CHUNK = 500


class DemoPartner(NamedTuple):
    pk: int
    code: str
    kind: str
    name: str
    hours: int  # its commitment, in the team's working hours
    reminder_max: int
    centre_id: int | None
    # The ministries it serves: a CSP's own first, then by code.
    ministry_ids: tuple[int, ...]


def partners_by_target() -> dict[tuple[str, int | None], DemoPartner]:
    """(target, ministry or CSP id) → the active partner that stands for it."""
    partners = list(
        Partner.objects.filter(active=True)
        .order_by("code")
        .values_list(
            "pk",
            "code",
            "kind",
            "name",
            "response_hours",
            "reminder_max",
            "service_centre_id",
            "service_centre__ministry_id",
        )
    )
    ministries = defaultdict(list)
    for partner_id, ministry_id in Partner.ministries.through.objects.order_by(
        "ministry__code"
    ).values_list("partner_id", "ministry_id"):
        ministries[partner_id].append(ministry_id)
    found: dict[tuple[str, int | None], DemoPartner] = {}
    for pk, code, kind, name, hours, reminders, centre_id, centre_ministry_id in partners:
        own = [centre_ministry_id] if centre_ministry_id else []
        ministry_ids = tuple(dict.fromkeys(own + ministries[pk]))
        value = DemoPartner(pk, code, kind, name, hours, reminders, centre_id, ministry_ids)
        if kind == PartnerKind.MINISTRY:
            for ministry_id in ministries[pk]:
                found.setdefault((EscalationTarget.MINISTRY, ministry_id), value)
        elif kind == PartnerKind.CSP and centre_id is not None:
            found.setdefault((EscalationTarget.CSP, centre_id), value)
        elif kind in (PartnerKind.AIFE, PartnerKind.BUDGET):
            found.setdefault((EscalationTarget(kind), None), value)
    return found


def _key(target: str, ministry_id: int | None, centre_id: int | None):
    if target == EscalationTarget.MINISTRY:
        return (target, ministry_id)
    if target == EscalationTarget.CSP:
        return (target, centre_id)
    return (target, None)


def demo_escalations_seed(pks: tuple[int, int], rng: random.Random, now: datetime) -> int:
    """Give the escalated requests with ids in `pks` (first, last) their escalation;
    returns how many were made."""
    partners = partners_by_target()
    if not partners:
        return 0
    escalated = SupportRequest.objects.filter(
        pk__range=pks, status=Status.ESCALATED, escalations__isnull=True
    ).values_list(
        "pk",
        "escalation_target",
        "escalation_ministry_id",
        "escalation_service_centre_id",
        "assignee_id",
        "sla_paused_at",
        "last_activity_at",
    )
    interval = timedelta(hours=settings.ESCALATION_REMINDER_INTERVAL_HOURS)
    rows, named = [], defaultdict(list)
    for pk, target, ministry_id, centre_id, assignee_id, paused_at, last_at in escalated:
        partner = partners.get(_key(target, ministry_id, centre_id))
        if partner is None:
            continue
        partner_id, name, hours, reminder_max = (
            partner.pk,
            partner.name,
            partner.hours,
            partner.reminder_max,
        )
        sent_at = paused_at or last_at
        expected_at = add_working_time(sent_at, hours * 3600)
        escalation = Escalation(
            request_id=pk,
            partner_id=partner_id,
            created_by_id=assignee_id,
            sent_at=sent_at,
            expected_at=expected_at,
            summary=rng.choice(SUMMARIES),
        )
        if rng.random() < WITH_TICKET:
            escalation.partner_reference = f"INC{rng.randrange(10**6, 10**7)}"
        if expected_at < now:
            # As the reminder job would have left it (partners/services/reminders.py).
            late = now - expected_at
            escalation.reminders_sent = min(reminder_max, 1 + int(late / interval))
            escalation.last_reminder_at = min(
                now, expected_at + interval * (escalation.reminders_sent - 1)
            )
            escalation.approaching_alerted_at = sent_at
            escalation.overdue_alerted_at = expected_at
        rows.append(escalation)
        named[name].append(pk)
    Escalation.objects.bulk_create(rows, batch_size=1000)
    # The timeline names the partner, as `support_request_escalate` writes it.
    for name, request_ids in named.items():
        for start in range(0, len(request_ids), CHUNK):
            Event.objects.filter(
                request_id__in=request_ids[start : start + CHUNK],
                kind=EventKind.ESCALATED,
                field="escalation_target",
            ).update(field="escalated_to", new_value=name[:255])
    return len(rows)

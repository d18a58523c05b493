"""The partners' past answers in the demo: finished requests that went by a partner.

Run by `requests.py` once the requests are written, on the requests of that run only. About
6 % of the finished requests (resolved or closed, not redirected) were escalated along the
way, when their story leaves room for it: the partner that fits the request (`escalations.py`'s
matching: the Chorus team of the programme's ministry, the request's CSP, the AIFE for a
question on the tool, the Direction du Budget) was sent it between the team's first answer
and the resolution, on a working day within the team's hours, and answered before the
resolution. As the portal leaves it (`partners/services/escalations.py`):

- the `Escalation`, answered: `expected_at` the partner's commitment in the team's working
  hours, the reminders the job would have sent while waiting, mostly by e-mail, the
  partner's ticket number on about half of them;
- the request's `escalation_target` (and ministry, CSP), counted by the dashboards;
- its timeline: the public "Escaladée vers <partner>" and the internal note of the answer.

Each partner answers at its own pace (`_pace`: the same from run to run), most of them
within their commitment, one ministry team often late, so that the pilot's page
(`/pilotage/partenaires/`) has partners to compare. The request's own clock and statuses are
left as the story told them (the escalation is not replayed as a pause).

A run never tells it twice: requests that already have an escalation are left out, and the
requests of a run that already has its history are not drawn again. Bulk: a fixed number of
queries (the requests updated per partner target), whatever the number of requests.
"""

import math
import random
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime

from accompagnement.axes.models import Axis
from accompagnement.demo.escalations import (
    CHUNK,
    SUMMARIES,
    WITH_TICKET,
    DemoPartner,
    partners_by_target,
)
from accompagnement.partners.enums import AnswerChannel
from accompagnement.partners.models import Escalation
from accompagnement.support.enums import EscalationTarget, EventKind, MessageKind, Status
from accompagnement.support.models import Event, Message, SupportRequest
from accompagnement.support.sla import (
    add_working_time,
    holiday_subdivision,
    working_seconds_between,
)
from ddi.models import DDI, Programme

# Finished requests drawn; those whose story leaves no room are dropped: about 6 % keep one.
DRAWN_SHARE = 0.09
# A demo request has 6 messages at most (`stories.py`): the answer's note is one more.
MAX_MESSAGES = 6
# The answer comes at least this long (working time) before the resolution.
MARGIN_SECONDS = 1800
# The ministry team that is often late (a fictional pace: the demo needs one to chase).
OFTEN_LATE = "equipe-chorus-msoc"
CHANNELS = (
    (AnswerChannel.EMAIL, 70),
    (AnswerChannel.MAIL_IN, 12),
    (AnswerChannel.PHONE, 10),
    (AnswerChannel.PORTAL, 5),
    (AnswerChannel.MEETING, 3),
)
ANSWERS = (
    "L'EJ a été déverrouillé de notre côté : la DDI peut reprendre le service fait.",
    "Anomalie de paramétrage corrigée ce matin ; la restitution est à relancer.",
    "Le motif du rejet est une erreur de RIB du tiers : la DDI doit le corriger et "
    "redéposer la demande de paiement.",
    "Les habilitations de l'agent sont rétablies sur le centre financier de la DDI.",
    "Le tiers est validé ; il était bloqué faute de pièce justificative, désormais reçue.",
    "Nous confirmons le montant des engagements reportés ; l'écart vient d'un EJ "
    "saisi deux fois, que nous avons soldé.",
    "La correction a été faite par le CSP ; merci de nous signaler si le blocage persiste.",
    "Cas connu, corrigé par la dernière version de Chorus : la DDI peut réessayer.",
)


def _pace(partner: DemoPartner) -> tuple[float, float]:
    """(median, spread) of the partner's answer time, in commitments (lognormal): drawn from
    its code, so that the same partner keeps its pace from one run to the next."""
    if partner.code == OFTEN_LATE:
        return 1.4, 0.5
    draw = random.Random(partner.code)
    return draw.uniform(0.35, 0.8), draw.uniform(0.3, 0.55)


def _partner_for(partners, rng, axis, ministry_id, centre_id) -> DemoPartner | None:
    """The partner a request of this axis, ministry and CSP would have gone to."""
    options = []
    if axis == Axis.TOOL:
        options.append((partners.get((EscalationTarget.AIFE, None)), 3))
    if ministry_id is not None:
        options.append((partners.get((EscalationTarget.MINISTRY, ministry_id)), 4))
    if centre_id is not None:
        options.append((partners.get((EscalationTarget.CSP, centre_id)), 2))
    if axis == Axis.YEAR_END:
        options.append((partners.get((EscalationTarget.BUDGET, None)), 1))
    options = [(partner, weight) for partner, weight in options if partner is not None]
    if not options:
        return None
    return rng.choices([p for p, _ in options], weights=[w for _, w in options])[0]


def _escalation_ministry(partner: DemoPartner, ministry_id: int | None) -> int | None:
    """As `partners.selectors.suggestions.escalation_ministry`: the programme's ministry when
    the partner serves it, else the partner's own (a CSP's first)."""
    if ministry_id in partner.ministry_ids:
        return ministry_id
    return partner.ministry_ids[0] if partner.ministry_ids else None


def _reminders(escalation: Escalation, partner: DemoPartner) -> None:
    """The reminders the job (`partners/services/reminders.py`) sent before the answer:
    n°1 once the commitment is nearly used, then at the due date and every interval."""
    answered_at = escalation.answered_at
    warning_at = add_working_time(
        escalation.sent_at, partner.hours * 3600 * settings.SLA_APPROACHING_RATIO
    )
    moments = []
    if answered_at > warning_at:
        escalation.approaching_alerted_at = warning_at
        moments.append(warning_at)
    if answered_at > escalation.expected_at:
        escalation.overdue_alerted_at = at = escalation.expected_at
        interval = settings.ESCALATION_REMINDER_INTERVAL_HOURS * 3600
        while at < answered_at and len(moments) < partner.reminder_max:
            moments.append(at)
            at = add_working_time(at, interval)
    moments = moments[: partner.reminder_max]
    escalation.reminders_sent = len(moments)
    escalation.last_reminder_at = moments[-1] if moments else None


def _note(partner: DemoPartner, channel: str, answered_at: datetime, answer: str) -> str:
    """The internal note `escalation_answer_record` writes."""
    with translation.override(settings.LANGUAGE_CODE):
        heading = "Réponse de {} ({}, le {}) :".format(
            partner.name,
            AnswerChannel(channel).label.lower(),
            date_format(localtime(answered_at), r"j F Y à H\hi"),
        )
    return f"{heading}\n\n{answer}"


def demo_escalation_history_seed(pks: tuple[int, int], rng: random.Random) -> int:
    """Give some finished requests with ids in `pks` (first, last) an answered escalation
    (see the module's text); returns how many were made."""
    partners = partners_by_target()
    finished = SupportRequest.objects.filter(
        pk__range=pks, status__in=(Status.RESOLVED, Status.CLOSED)
    )
    if not partners or Escalation.objects.filter(request__in=finished).exists():
        return 0
    ministry_of = dict(Programme.objects.values_list("pk", "ministry_id"))
    subdivision_of = {
        pk: holiday_subdivision(code)
        for pk, code in DDI.objects.values_list("pk", "department__code")
    }
    candidates = (
        finished.filter(
            assignee__isnull=False, first_response_at__isnull=False, resolved_at__isnull=False
        )
        .annotate(message_count=Count("messages"))
        .filter(message_count__lt=MAX_MESSAGES)
        .order_by("pk")
        .values_list(
            "pk",
            "ddi_id",
            "axis",
            "programme_id",
            "service_centre_id",
            "assignee_id",
            "first_response_at",
            "resolved_at",
        )
    )
    channels, channel_weights = zip(*CHANNELS, strict=True)
    paces: dict[int, tuple[float, float]] = {}
    escalations, events, messages = [], [], []
    targets = defaultdict(list)
    for pk, ddi_id, axis, programme_id, centre_id, assignee_id, first_at, resolved_at in candidates:
        if rng.random() >= DRAWN_SHARE:
            continue
        ministry_id = ministry_of.get(programme_id)
        partner = _partner_for(partners, rng, axis, ministry_id, centre_id)
        if partner is None:
            continue
        if partner.pk not in paces:
            paces[partner.pk] = _pace(partner)
        median, spread = paces[partner.pk]
        commitment = partner.hours * 3600
        delay = int(
            min(max(commitment * rng.lognormvariate(math.log(median), spread), 900), commitment * 5)
        )
        subdivision = subdivision_of[ddi_id]
        room = working_seconds_between(first_at, resolved_at, subdivision) - delay - MARGIN_SECONDS
        if room <= 0:
            continue  # resolved too soon for this partner's answer
        sent_at = add_working_time(first_at, int(room * rng.uniform(0.05, 0.6)), subdivision)
        answered_at = add_working_time(sent_at, delay, subdivision)
        if answered_at >= resolved_at:
            continue
        channel = rng.choices(channels, weights=channel_weights)[0]
        answer = rng.choice(ANSWERS)
        escalation = Escalation(
            request_id=pk,
            partner_id=partner.pk,
            created_by_id=assignee_id,
            sent_at=sent_at,
            expected_at=add_working_time(sent_at, commitment),
            summary=rng.choice(SUMMARIES),
            answered_at=answered_at,
            answered_via=channel,
            answer=answer,
            answered_by_id=assignee_id,
        )
        if rng.random() < WITH_TICKET:
            escalation.partner_reference = f"INC{rng.randrange(10**6, 10**7)}"
        _reminders(escalation, partner)
        escalations.append(escalation)
        note = _note(partner, channel, answered_at, answer)
        messages.append(
            Message(
                request_id=pk,
                author_id=assignee_id,
                kind=MessageKind.INTERNAL,
                body=note,
                created_at=answered_at,
            )
        )
        events += [
            Event(
                request_id=pk,
                actor_id=assignee_id,
                kind=EventKind.ESCALATED,
                field="escalated_to",
                new_value=partner.name[:255],
                is_public=True,
                created_at=sent_at,
            ),
            Event(
                request_id=pk,
                actor_id=assignee_id,
                kind=EventKind.NOTE,
                is_public=False,
                created_at=answered_at,
            ),
        ]
        target = partner.kind
        targets[(target, _escalation_ministry(partner, ministry_id), partner.centre_id)].append(pk)

    Escalation.objects.bulk_create(escalations, batch_size=1000)
    Message.objects.bulk_create(messages, batch_size=1000)
    Event.objects.bulk_create(events, batch_size=1000)
    # What `support_request_escalate` records on the request, one UPDATE per target.
    for (target, ministry_id, centre_id), request_ids in targets.items():
        for start in range(0, len(request_ids), CHUNK):
            SupportRequest.objects.filter(pk__in=request_ids[start : start + CHUNK]).update(
                escalation_target=target,
                escalation_ministry_id=ministry_id,
                escalation_service_centre_id=centre_id,
            )
    return len(escalations)

"""The partner's clock: reminders of approaching and overdue escalations (DESIGN.md §4-§5).

While a request is escalated the team's clock is paused and the partner's runs, from
`sent_at` to `expected_at` in the team's working hours (`support/sla.py`). Every
quarter of an hour `escalations_remind` looks at each open escalation (neither answered
nor withdrawn) whose request is still escalated:

- approaching (`settings.SLA_APPROACHING_RATIO` of the partner's commitment used, not yet
  due): the assignee is alerted once, and the partner gets reminder n°1 ("échéance
  proche");
- overdue (past `expected_at`): the assignee is alerted once (and the pilot for an urgent
  request), the partner is reminded at once, then again every
  `settings.ESCALATION_REMINDER_INTERVAL_HOURS` working hours, never more than
  `partner.reminder_max` reminders in all.

A reminder is an outbox e-mail to the partner's functional mailbox, keyed
`escalation-reminder:<pk>:<n>`, with the escalation's signed Reply-To
(`reminder_emails.py`), and an internal event on the request's timeline. A partner without
a mailbox cannot be written to: each reminder becomes an alert to the assignee instead,
who chases the partner by phone.

Each step is claimed with a conditional UPDATE on the value the job read (`reminders_sent`,
`approaching_alerted_at`, `overdue_alerted_at`), inside one transaction per escalation:
two workers running at once, or a run repeated, never send or alert twice.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accompagnement.accounts.models import User
from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.services import AlertEvent, alerts_record
from accompagnement.outbox.services import notification_record_to_address
from accompagnement.partners.models import Escalation
from accompagnement.support.alerts import pilots as team_pilots
from accompagnement.support.enums import EventKind, Priority, Status
from accompagnement.support.models import Event
from accompagnement.support.sla import add_working_time, working_seconds_between

# The outbox kind of a reminder (`reminder_emails.py`).
REMINDER_EMAIL = "escalation_reminder"
# The timeline's events of reminders (internal).
REMINDER_EVENT_FIELD = "escalation_reminder"
APPROACHING, OVERDUE = "approaching", "overdue"
TITLE_CHARS = 120


@dataclass(frozen=True)
class PartnerClock:
    """Where an escalation stands on the partner's clock at `now`."""

    commitment_seconds: int  # working time from sent to expected
    warning_at: datetime  # when the approaching ratio is reached
    late_seconds: int  # working time past the expected date (0 if not due)
    stage: str | None  # None, APPROACHING or OVERDUE


def partner_clock(escalation: Escalation, now: datetime) -> PartnerClock:
    """The partner's clock of `escalation` at `now` (the team's working hours)."""
    commitment = working_seconds_between(escalation.sent_at, escalation.expected_at)
    warning_at = add_working_time(escalation.sent_at, commitment * settings.SLA_APPROACHING_RATIO)
    if now >= escalation.expected_at:
        late = working_seconds_between(escalation.expected_at, now)
        return PartnerClock(commitment, warning_at, late, OVERDUE)
    stage = APPROACHING if now >= min(warning_at, escalation.expected_at) else None
    return PartnerClock(commitment, warning_at, 0, stage)


def open_escalations_to_watch():
    """The escalations the job looks at: open, of a request still escalated."""
    return (
        Escalation.objects.open()
        .filter(request__status=Status.ESCALATED)
        # Done with: alerted of the delay, and reminded as often as the partner allows.
        .exclude(
            reminders_sent__gte=F("partner__reminder_max"),
            overdue_alerted_at__gte=F("expected_at"),
        )
        .select_related("partner", "request__assignee")
        .order_by("expected_at", "pk")
    )


def escalations_remind(*, now: datetime | None = None) -> dict[str, int]:
    """Alert and remind for every open escalation as its partner's clock says. Returns
    what was done: `approaching` and `overdue` alerts, `reminders` e-mailed, `unsendable`
    reminders turned into alerts (partner without mailbox)."""
    now = now or timezone.now()
    report: Counter = Counter()
    pilots = cache(team_pilots)  # read once per run, if needed
    for escalation in open_escalations_to_watch():
        clock = partner_clock(escalation, now)
        if clock.stage is not None:
            report.update(
                escalation_remind(escalation=escalation, clock=clock, now=now, pilots=pilots)
            )
    return {key: report[key] for key in ("approaching", "overdue", "reminders", "unsendable")}


# ---------------------------------------------------------------------------- one escalation


def _claim(escalation: Escalation, **changes) -> bool:
    """Apply `changes` only if the escalation's fields still hold what the job read, it is
    still open and its request still escalated (the claim of a step)."""
    seen = {name: getattr(escalation, name) for name in changes}
    updated = (
        Escalation.objects.open()
        .filter(pk=escalation.pk, request__status=Status.ESCALATED, **seen)
        .update(**changes)
    )
    if updated:
        for name, value in changes.items():
            setattr(escalation, name, value)
    return bool(updated)


def _reminder_due(escalation: Escalation, clock: PartnerClock, now: datetime) -> bool:
    if escalation.reminders_sent >= escalation.partner.reminder_max:
        return False
    last = escalation.last_reminder_at
    if clock.stage == APPROACHING:
        return escalation.reminders_sent == 0 and last is None
    # Overdue: at once (nothing sent since the expected date), then every interval.
    if last is None or last < escalation.expected_at:
        return True
    interval = settings.ESCALATION_REMINDER_INTERVAL_HOURS * 3600
    return working_seconds_between(last, now) >= interval


@transaction.atomic
def escalation_remind(
    *,
    escalation: Escalation,
    clock: PartnerClock,
    now: datetime,
    pilots: Callable[[], list[User]] = team_pilots,
) -> Counter:
    """This escalation's alert and reminder due at `now`, each claimed first."""
    done: Counter = Counter()
    alerted = False
    # Once per expected date: a date the team moved later warns again when it nears.
    if clock.stage == APPROACHING:
        stamp_field, threshold = "approaching_alerted_at", clock.warning_at
    else:
        stamp_field, threshold = "overdue_alerted_at", escalation.expected_at
    stamp = getattr(escalation, stamp_field)
    if (stamp is None or stamp < threshold) and _claim(escalation, **{stamp_field: now}):
        alerted = True
        done[clock.stage] += 1
    number = None
    if _reminder_due(escalation, clock, now) and _claim(
        escalation, reminders_sent=escalation.reminders_sent + 1, last_reminder_at=now
    ):
        number = escalation.reminders_sent
        if escalation.partner.mailbox:
            _reminder_email(escalation, clock, number, now)
            done["reminders"] += 1
        else:
            done["unsendable"] += 1
        _reminder_event(escalation, clock, number, now)
    if alerted or (number is not None and not escalation.partner.mailbox):
        _alert(escalation, clock, number, alerted, pilots)
    return done


# ---------------------------------------------------------------------------- e-mail, event


def _moment(value: datetime) -> str:
    return date_format(timezone.localtime(value), r"l j F Y à H\hi")


def hours_label(seconds: int) -> str:
    """Working hours as the texts write them: 3, 2,5, 27."""
    hours = seconds / 3600
    return (
        f"{hours:.0f}" if hours >= 10 or hours == int(hours) else f"{hours:.1f}".replace(".", ",")
    )


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _reminder_email(escalation: Escalation, clock: PartnerClock, number: int, now: datetime):
    notification_record_to_address(
        kind=REMINDER_EMAIL,
        address=escalation.partner.mailbox,
        key=f"escalation-reminder:{escalation.pk}:{number}",
        request=escalation.request,
        context={
            "escalation": escalation.pk,
            "number": number,
            "stage": clock.stage,
            "late_seconds": clock.late_seconds,
            "recorded_at": _iso(now),
        },
    )


def _reminder_event(escalation: Escalation, clock: PartnerClock, number: int, now: datetime):
    partner = escalation.partner
    values = {
        "number": number,
        "partner": partner.name,
        "mailbox": partner.mailbox,
        "expected": _moment(escalation.expected_at),
        "late": hours_label(clock.late_seconds),
    }
    if not partner.mailbox:
        comment = _(
            "Relance n°%(number)s de %(partner)s à faire par l'équipe : le partenaire n'a "
            "pas de boîte fonctionnelle. Réponse attendue le %(expected)s."
        )
    elif clock.stage == APPROACHING:
        comment = _(
            "Relance n°%(number)s envoyée à %(partner)s (%(mailbox)s) : échéance proche, "
            "réponse attendue le %(expected)s."
        )
    elif clock.late_seconds:
        comment = _(
            "Relance n°%(number)s envoyée à %(partner)s (%(mailbox)s) : réponse attendue le "
            "%(expected)s, en retard de %(late)s h ouvrées."
        )
    else:
        comment = _(
            "Relance n°%(number)s envoyée à %(partner)s (%(mailbox)s) : réponse attendue le "
            "%(expected)s, échéance passée."
        )
    comment %= values
    if escalation.partner_reference:
        comment += " " + _("Ticket du partenaire : %(ticket)s.") % {
            "ticket": escalation.partner_reference
        }
    Event.objects.create(
        request=escalation.request,
        actor=None,
        kind=EventKind.PARTNER_REMINDED,
        field=REMINDER_EVENT_FIELD,
        comment=comment,
        is_public=False,
        created_at=now,
    )


# ---------------------------------------------------------------------------- alerts


def _named(escalation: Escalation) -> str:
    request = escalation.request
    return _("%(reference)s « %(title)s »") % {
        "reference": request.reference,
        "title": Truncator(request.title).chars(TITLE_CHARS),
    }


def _alert_text(escalation: Escalation, clock: PartnerClock, number: int | None) -> str:
    values = {
        "request": _named(escalation),
        "partner": escalation.partner.name,
        "expected": _moment(escalation.expected_at),
        "late": hours_label(clock.late_seconds),
        "number": number,
    }
    if clock.stage == APPROACHING:
        text = _(
            "Escalade de %(request)s : la réponse de %(partner)s est attendue avant le "
            "%(expected)s."
        )
    elif clock.late_seconds:
        text = _(
            "Escalade de %(request)s : %(partner)s n'a pas répondu, réponse attendue le "
            "%(expected)s (%(late)s h ouvrées de retard)."
        )
    else:
        text = _(
            "Escalade de %(request)s : %(partner)s n'a pas répondu, réponse attendue le "
            "%(expected)s."
        )
    if number is not None and escalation.partner.mailbox:
        text += " " + _("Relance n°%(number)s envoyée au partenaire.")
    elif number is not None:
        text += " " + _(
            "Relance n°%(number)s à faire vous-même : le partenaire n'a pas de boîte fonctionnelle."
        )
    return text % values


def _alert(
    escalation: Escalation,
    clock: PartnerClock,
    number: int | None,
    stage_alert: bool,
    pilots: Callable[[], list[User]],
) -> None:
    request = escalation.request
    holder = request.assignee if request.assignee_id else None
    people = [holder] if holder is not None and holder.is_active else []
    # The pilot too for an urgent request overdue; the pilot alone for a request nobody holds.
    if not people or (clock.stage == OVERDUE and request.priority == Priority.URGENT):
        people += pilots()
    expected = escalation.expected_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    if stage_alert:
        key = f"escalation-{clock.stage}:{escalation.pk}:{expected}"
    else:
        key = f"escalation-reminder:{escalation.pk}:{number}"
    kind = (
        AlertKind.ESCALATION_APPROACHING
        if clock.stage == APPROACHING
        else AlertKind.ESCALATION_OVERDUE
    )
    alerts_record(
        [
            AlertEvent(
                kind=kind,
                recipients=people,
                text=_alert_text(escalation, clock, number),
                key=key,
                request=request,
            )
        ]
    )

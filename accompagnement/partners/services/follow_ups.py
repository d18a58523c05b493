"""Writes of the pilot's follow-up notes ("relancer le MEDDTL sur…"): write one, mark it
done, and remind the pilots of the notes that are due.

The reminder is claimed note by note with a conditional UPDATE (`reminded_at` still
empty): a job that runs twice, or two workers at once, remind of a note once. The alert
itself is keyed by the note (`alerts_record`), a second guard.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accompagnement.accounts.models import Role, User
from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.services import AlertEvent, alerts_record
from accompagnement.partners.models import FollowUpNote


@transaction.atomic
def follow_up_create(*, user: User, data: dict) -> FollowUpNote:
    """A note of the pilot's (`data`: the form's cleaned data)."""
    return FollowUpNote.objects.create(
        partner=data["partner"],
        text=data["text"].strip(),
        axis=data.get("axis") or "",
        due_on=data["due_on"],
        created_by=user,
    )


@transaction.atomic
def follow_up_mark_done(*, note: FollowUpNote, user: User, now: datetime | None = None) -> bool:
    """Mark the note done. False if it already was (nothing changes)."""
    now = now or timezone.now()
    done = FollowUpNote.objects.filter(pk=note.pk, done_at__isnull=True).update(done_at=now)
    if done:
        note.done_at = now
    return bool(done)


def follow_up_alert_text(note: FollowUpNote) -> str:
    return _("Relance à faire — %(partner)s, prévue le %(day)s : %(text)s") % {
        "partner": note.partner.name,
        "day": formats.date_format(note.due_on, "j F Y"),
        "text": note.text,
    }


@transaction.atomic
def follow_up_reminders_record(*, today: date | None = None, now: datetime | None = None) -> int:
    """Alert every pilot of each open note due today or earlier not yet reminded of;
    stamp `reminded_at`, never twice. Returns how many notes were reminded of."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    due = list(
        FollowUpNote.objects.filter(
            done_at__isnull=True, reminded_at__isnull=True, due_on__lte=today
        )
        .select_related("partner")
        .order_by("due_on", "pk")
    )
    if not due:
        return 0
    pilots = list(User.objects.filter(role=Role.PILOT, is_active=True).order_by("pk"))
    events = []
    for note in due:
        # Claimed here: a second run, or another worker, finds it stamped and skips it.
        claimed = FollowUpNote.objects.filter(pk=note.pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if claimed:
            events.append(
                AlertEvent(
                    kind=AlertKind.FOLLOW_UP_DUE,
                    recipients=pilots,
                    text=follow_up_alert_text(note),
                    key=f"follow_up_due:{note.pk}",
                )
            )
    alerts_record(events, now=now)
    return len(events)

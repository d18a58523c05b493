"""Interventions: announcing a session, registering, the waiting list, reminders, attendance,
feedback, and the e-mails (with their iCalendar invitation) that go with them.

Capacity: `registration_create` and `registration_cancel` lock the session's row
(`select_for_update`) before counting its places, so two agents registering at the same
moment for the last place are served one after the other: no over-booking, and the
waiting list keeps its order.

Every e-mail goes through the outbox (`Notification`) under a unique key, recorded in the
same transaction as the change, so that it is never sent twice nor lost:

- registration: `intervention:<id>:registered:<registration>` (confirmed or waiting);
- promotion from the waiting list: `intervention:<id>:promoted:<registration>`;
- reminder: `intervention:<id>:<start date>:J-<offset>:<person>` (7 and 1 days before,
  to confirmed registrants; a new date is a new reminder);
- speakers: `intervention:<id>:<start date>:speakers:J-1:<speaker>`;
- change of date or place: `intervention:<id>:changed:v<version>:<person>`;
- cancellation: `intervention:<id>:cancelled:<person>`;
- after the session: `intervention:<id>:feedback:<person>` to attendees (the satisfaction
  form), `intervention:<id>:material:<person>` to confirmed registrants who did not come.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as IcalEvent

from accompagnement.accounts import roles
from accompagnement.accounts.models import User
from accompagnement.interventions import selectors
from accompagnement.interventions.models import (
    Feedback,
    Intervention,
    InterventionStatus,
    Registration,
)
from accompagnement.interventions.selectors import intervention_targets_ddi
from accompagnement.outbox.services import notification_record

logger = logging.getLogger(__name__)

REMINDER_OFFSETS = (7, 1)
SPEAKER_REMINDER_OFFSET = 1
# The fields whose change registrants must hear about.
SCHEDULE_FIELDS = ("starts_at", "duration_minutes", "format", "place", "link", "department_id")
ICAL_PRODID = "-//SGG//Accompagnement Chorus des DDI//FR"
ICAL_UID_DOMAIN = "accompagnement-chorus"
# Many-to-many fields of a session, set after its row is saved.
_RELATIONS = ("topics", "speakers", "regions", "programmes", "articles")


def intervention_url(intervention_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("interventions:detail", args=[intervention_id])


def _record(kind: str, recipients, key: str, intervention: Intervention, **extra) -> None:
    notification_record(
        kind=kind,
        recipients=recipients,
        key=key,
        context={"intervention_id": intervention.pk, **extra},
    )


# ---------------------------------------------------------------------------- sessions


def _require_team(user: User) -> None:
    if not selectors.can_manage_interventions(user):
        raise PermissionDenied


@transaction.atomic
def intervention_create(*, user: User, data: dict) -> Intervention:
    """A new session, as a draft: nobody sees it until it is opened."""
    _require_team(user)
    relations = {name: data.pop(name, []) for name in _RELATIONS}
    intervention = Intervention(**data, created_by=user, status=InterventionStatus.DRAFT)
    intervention.full_clean(exclude=list(_RELATIONS))
    intervention.save()
    for name, values in relations.items():
        getattr(intervention, name).set(values)
    return intervention


def _schedule(intervention: Intervention) -> tuple:
    return tuple(getattr(intervention, name) for name in SCHEDULE_FIELDS)


@transaction.atomic
def intervention_update(*, intervention: Intervention, user: User, data: dict) -> bool:
    """Save the team's changes; a change of date, duration, format or place bumps the
    schedule version and informs every registrant once. Returns whether they were told."""
    _require_team(user)
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if locked.status in (InterventionStatus.HELD, InterventionStatus.CANCELLED):
        raise ValidationError(_("Une session tenue ou annulée ne se modifie plus."))
    relations = {name: data.pop(name) for name in _RELATIONS if name in data}
    before = _schedule(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    changed = _schedule(locked) != before
    if changed:
        locked.schedule_version += 1
    locked.full_clean(exclude=list(_RELATIONS))
    locked.save()
    for name, values in relations.items():
        getattr(locked, name).set(values)
    # More places: the waiting list moves up.
    _promote_waiting(locked)
    if changed and locked.status == InterventionStatus.OPEN:
        people = [r.person for r in locked.registrations.active().select_related("person")]
        _record(
            "intervention_changed",
            people,
            f"intervention:{locked.pk}:changed:v{locked.schedule_version}",
            locked,
            version=locked.schedule_version,
        )
    intervention.refresh_from_db()
    return changed and locked.status == InterventionStatus.OPEN


@transaction.atomic
def intervention_open(*, intervention: Intervention, user: User) -> bool:
    """Open a draft for registration. Returns False when it was not a draft."""
    _require_team(user)
    updated = Intervention.objects.filter(
        pk=intervention.pk, status=InterventionStatus.DRAFT
    ).update(status=InterventionStatus.OPEN)
    intervention.refresh_from_db(fields=["status"])
    return bool(updated)


@transaction.atomic
def intervention_cancel(*, intervention: Intervention, user: User) -> int:
    """Cancel a session and tell every registrant (confirmed or waiting) once.

    Returns how many people were told (0 when it was already cancelled or held)."""
    _require_team(user)
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if locked.status in (InterventionStatus.CANCELLED, InterventionStatus.HELD):
        return 0
    locked.status = InterventionStatus.CANCELLED
    locked.save(update_fields=["status"])
    intervention.refresh_from_db(fields=["status"])
    people = [r.person for r in locked.registrations.active().select_related("person")]
    _record("intervention_cancelled", people, f"intervention:{locked.pk}:cancelled", locked)
    return len(people)


# ---------------------------------------------------------------------------- registrations


def _free_places(intervention: Intervention) -> int:
    return intervention.capacity - intervention.registrations.confirmed().count()


def _promote_waiting(intervention: Intervention) -> list[Registration]:
    """Give the free places to the waiting list, first ranks first, each with an e-mail.
    The caller holds the session's row lock."""
    if intervention.status != InterventionStatus.OPEN or intervention.starts_at <= timezone.now():
        return []
    free = _free_places(intervention)
    if free <= 0:
        return []
    promoted = list(
        intervention.registrations.waiting()
        .select_related("person")
        .order_by("waiting_rank")[:free]
    )
    for registration in promoted:
        registration.waiting_rank = None
        registration.save(update_fields=["waiting_rank"])
        _record(
            "intervention_promoted",
            [registration.person],
            f"intervention:{intervention.pk}:promoted:{registration.pk}",
            intervention,
            registration_id=registration.pk,
        )
    return promoted


@transaction.atomic
def registration_create(*, intervention: Intervention, person: User, user: User) -> Registration:
    """Register `person` (the agent themselves or a colleague of their DDI) for a session:
    a confirmed place while there is one, the waiting list after."""
    if not selectors.can_register_for_interventions(user):
        raise PermissionDenied
    if not (roles.is_agent(person) and person.ddi_id == user.ddi_id):
        # Never someone of another DDI, whatever the form said.
        raise PermissionDenied
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if not locked.registration_is_open():
        raise ValidationError(_("Les inscriptions à cette session sont closes."))
    if not intervention_targets_ddi(locked, person.ddi_id):
        raise PermissionDenied
    if locked.registrations.active().filter(person=person).exists():
        raise ValidationError(
            _("%(name)s est déjà inscrit(e) à cette session.") % {"name": person.get_full_name()}
        )
    rank = None
    if _free_places(locked) <= 0:
        last = locked.registrations.waiting().aggregate(last=Max("waiting_rank"))["last"]
        rank = (last or 0) + 1
    registration = Registration.objects.create(
        intervention=locked,
        person=person,
        ddi_id=person.ddi_id,
        registered_by=user,
        waiting_rank=rank,
    )
    _record(
        "intervention_registered",
        [person],
        f"intervention:{locked.pk}:registered:{registration.pk}",
        locked,
        registration_id=registration.pk,
    )
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, user: User) -> list[Registration]:
    """Free a place (or leave the waiting list); the first waiting person takes the place.
    Returns the people promoted."""
    if not selectors.can_cancel_registration(user, registration):
        raise PermissionDenied
    locked_session = Intervention.objects.select_for_update().get(pk=registration.intervention_id)
    if locked_session.status in (InterventionStatus.HELD, InterventionStatus.CANCELLED):
        raise ValidationError(_("Cette session est terminée : l'inscription ne change plus."))
    updated = Registration.objects.filter(pk=registration.pk, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
    registration.refresh_from_db(fields=["cancelled_at"])
    if not updated:
        return []
    return _promote_waiting(locked_session)


# ---------------------------------------------------------------------------- after


@dataclass(frozen=True)
class AttendanceOutcome:
    attended: int
    absent: int


@transaction.atomic
def intervention_record_attendance(
    *, intervention: Intervention, user: User, attended_ids: set[int]
) -> AttendanceOutcome:
    """Record who came among the confirmed registrants; the session becomes held.

    Attendees get the satisfaction form, the others the material; once each, however
    often attendance is corrected.
    """
    _require_team(user)
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if locked.status in (InterventionStatus.DRAFT, InterventionStatus.CANCELLED):
        raise ValidationError(_("Seule une session ouverte ou tenue a des présences."))
    if locked.starts_at > timezone.now():
        raise ValidationError(_("La session n'a pas encore commencé."))
    confirmed = list(locked.registrations.confirmed().select_related("person"))
    present = [r for r in confirmed if r.pk in attended_ids]
    absent = [r for r in confirmed if r.pk not in attended_ids]
    Registration.objects.filter(pk__in=[r.pk for r in present]).update(attended=True)
    Registration.objects.filter(pk__in=[r.pk for r in absent]).update(attended=False)
    if locked.status != InterventionStatus.HELD:
        locked.status = InterventionStatus.HELD
        locked.save(update_fields=["status"])
    intervention.refresh_from_db(fields=["status"])
    _record(
        "intervention_feedback",
        [r.person for r in present],
        f"intervention:{locked.pk}:feedback",
        locked,
    )
    if locked.articles.exists():
        _record(
            "intervention_material",
            [r.person for r in absent],
            f"intervention:{locked.pk}:material",
            locked,
        )
    return AttendanceOutcome(attended=len(present), absent=len(absent))


@transaction.atomic
def feedback_submit(*, registration: Registration, user: User, score: int, comment: str) -> bool:
    """An attendee's satisfaction, once. Returns False when it was already given."""
    if not selectors.can_give_feedback(user, registration):
        raise PermissionDenied
    if not 1 <= score <= 5:
        raise ValidationError(_("La note va de 1 à 5."))
    _feedback, created = Feedback.objects.get_or_create(
        registration=registration, defaults={"score": score, "comment": comment.strip()}
    )
    return created


# ---------------------------------------------------------------------------- reminders


def intervention_reminder_key(intervention: Intervention, offset: int) -> str:
    return f"intervention:{intervention.pk}:{timezone.localdate(intervention.starts_at)}:J-{offset}"


def intervention_reminders_record(*, now: datetime | None = None) -> int:
    """The periodic job: J-7 and J-1 to confirmed registrants, J-1 to speakers.

    A reminder is due from its moment until the next one (a job that did not run at J-7
    still reminds at J-6); only people registered before that moment get it (who
    registered two days before has just had the invitation). Idempotent: the outbox keys
    make a second run record nothing. Returns how many e-mails were recorded or found.
    """
    now = now or timezone.now()
    horizon = now + timedelta(days=max(REMINDER_OFFSETS))
    sessions = Intervention.objects.filter(
        status=InterventionStatus.OPEN, starts_at__gt=now, starts_at__lte=horizon
    ).prefetch_related("speakers")
    count = 0
    for intervention in sessions:
        offsets = sorted(REMINDER_OFFSETS)
        # The smallest offset whose moment has passed: J-1 supersedes J-7.
        due = next((o for o in offsets if intervention.starts_at - timedelta(days=o) <= now), None)
        if due is None:
            continue
        moment = intervention.starts_at - timedelta(days=due)
        with transaction.atomic():
            people = [
                r.person
                for r in intervention.registrations.confirmed()
                .filter(created_at__lte=moment)
                .select_related("person")
            ]
            key = intervention_reminder_key(intervention, due)
            _record("intervention_reminder", people, key, intervention, offset_days=due)
            count += len(people)
            if due == SPEAKER_REMINDER_OFFSET:
                speakers = list(intervention.speakers.all())
                speaker_key = (
                    f"intervention:{intervention.pk}:"
                    f"{timezone.localdate(intervention.starts_at)}:speakers:J-{due}"
                )
                _record("intervention_speaker_reminder", speakers, speaker_key, intervention)
                count += len(speakers)
    return count


# ---------------------------------------------------------------------------- iCalendar


def intervention_ical_event(intervention: Intervention, *, cancelled: bool = False) -> IcalEvent:
    """The session as an iCalendar event; its UID stays the same across versions, so that
    an invitation and the feed update the same entry in the person's agenda."""
    url = intervention_url(intervention.pk)
    event = IcalEvent()
    event.add("uid", f"intervention-{intervention.pk}@{ICAL_UID_DOMAIN}")
    event.add("dtstamp", timezone.now())
    event.add("sequence", intervention.schedule_version + (1 if cancelled else 0))
    event.add("dtstart", intervention.starts_at)
    event.add("dtend", intervention.ends_at)
    event.add("summary", intervention.title)
    event.add("description", "\n\n".join(p for p in (intervention.description, url) if p))
    if intervention.location:
        event.add("location", vText(intervention.location))
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # A cal-address is a URI: the bare address of DEFAULT_FROM_EMAIL ("Name <address>").
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = vText(settings.SITE_TITLE)
    event.add("organizer", organizer)
    return event


def intervention_invitation(intervention: Intervention, attendee: User, *, cancel: bool) -> bytes:
    """An invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL) for one person."""
    calendar = Calendar()
    calendar.add("prodid", ICAL_PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = intervention_ical_event(intervention, cancelled=cancel)
    address = vCalAddress(f"mailto:{attendee.email}")
    address.params["cn"] = vText(attendee.get_full_name())
    address.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", address)
    calendar.add_component(event)
    return calendar.to_ical()

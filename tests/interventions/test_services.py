"""Interventions: capacity and waiting list, audience, reminders and notices once each,
attendance, feedback, and the e-mails with their iCalendar invitation."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from icalendar import Calendar

from accompagnement.interventions.models import Feedback, InterventionStatus, Registration
from accompagnement.interventions.services import (
    feedback_submit,
    intervention_cancel,
    intervention_record_attendance,
    intervention_reminders_record,
    intervention_update,
    registration_cancel,
    registration_create,
)
from accompagnement.outbox.models import Notification
from accompagnement.outbox.sending import notification_send
from ddi.enums import DDIKind
from tests.accounts.factories import UserFactory
from tests.ddi.factories import (
    AttachmentFactory,
    DDIFactory,
    DepartmentFactory,
    ProgrammeFactory,
    RegionFactory,
)
from tests.interventions.factories import InterventionFactory, RegistrationFactory
from tests.knowledge.factories import ArticleFactory


def keys(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("key", flat=True))


@pytest.fixture
def ddi(db):
    return DDIFactory()


@pytest.fixture
def agents(ddi):
    return [UserFactory(ddi=ddi) for _ in range(4)]


# ---------------------------------------------------------------------------- capacity


def test_beyond_capacity_people_go_to_the_waiting_list_in_order(agents):
    session = InterventionFactory(capacity=2)
    me = agents[0]
    registrations = [registration_create(intervention=session, person=p, user=me) for p in agents]
    assert [r.waiting_rank for r in registrations] == [None, None, 1, 2]
    # Each got one e-mail: an invitation, or word of the waiting list.
    assert len(keys("intervention_registered")) == 4


def test_a_freed_place_goes_to_the_first_waiting_person_with_an_email(agents):
    session = InterventionFactory(capacity=2)
    first, second, third, fourth = (
        registration_create(intervention=session, person=p, user=agents[0]) for p in agents
    )
    promoted = registration_cancel(registration=second, user=agents[1])
    assert [r.pk for r in promoted] == [third.pk]
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.waiting_rank is None
    assert fourth.waiting_rank == 2
    assert session.registrations.confirmed().count() == 2
    assert keys("intervention_promoted") == [
        f"intervention:{session.pk}:promoted:{third.pk}:{third.person_id}"
    ]
    # Cancelling again changes nothing and tells nobody.
    assert registration_cancel(registration=second, user=agents[1]) == []
    assert len(keys("intervention_promoted")) == 1


def test_more_places_move_the_waiting_list_up(agents, member):
    session = InterventionFactory(capacity=1)
    for person in agents[:3]:
        registration_create(intervention=session, person=person, user=agents[0])
    intervention_update(intervention=session, user=member, data={"capacity": 3})
    assert session.registrations.confirmed().count() == 3
    assert len(keys("intervention_promoted")) == 2


def test_the_same_person_cannot_register_twice(agents):
    session = InterventionFactory()
    registration_create(intervention=session, person=agents[0], user=agents[0])
    with pytest.raises(ValidationError):
        registration_create(intervention=session, person=agents[0], user=agents[1])


def test_registration_closes_at_the_date_the_team_set(agents):
    session = InterventionFactory(registration_closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="closes"):
        registration_create(intervention=session, person=agents[0], user=agents[0])


def test_a_draft_takes_no_registration(agents):
    with pytest.raises(ValidationError):
        registration_create(
            intervention=InterventionFactory(draft=True), person=agents[0], user=agents[0]
        )


@pytest.mark.django_db(transaction=True)
def test_no_over_booking_under_concurrent_registrations():
    """Eight agents of four DDIs register at once for three places: three get a place,
    the others the waiting list with distinct ranks 1 to 5."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write: the race needs PostgreSQL's row locks.")
    session = InterventionFactory(capacity=3)
    people = [UserFactory(ddi=ddi) for ddi in (DDIFactory() for _ in range(4)) for _ in range(2)]
    barrier = threading.Barrier(len(people))
    errors = []

    def worker(person):
        try:
            barrier.wait()
            registration_create(intervention=session, person=person, user=person)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert session.registrations.confirmed().count() == 3
    ranks = sorted(session.registrations.waiting().values_list("waiting_rank", flat=True))
    assert ranks == [1, 2, 3, 4, 5]


# ---------------------------------------------------------------------------- who may


def test_an_agent_cannot_register_someone_of_another_ddi(agents):
    session = InterventionFactory()
    stranger = UserFactory(ddi=DDIFactory())
    with pytest.raises(PermissionDenied):
        registration_create(intervention=session, person=stranger, user=agents[0])
    assert not Registration.objects.exists()


def test_the_team_does_not_register_people(agents, member):
    with pytest.raises(PermissionDenied):
        registration_create(intervention=InterventionFactory(), person=agents[0], user=member)


def test_an_agent_of_another_ddi_cannot_cancel_a_registration(agents):
    registration = registration_create(
        intervention=InterventionFactory(), person=agents[0], user=agents[0]
    )
    with pytest.raises(PermissionDenied):
        registration_cancel(registration=registration, user=UserFactory(ddi=DDIFactory()))


@pytest.mark.parametrize(
    ("criteria", "allowed"),
    [
        ({}, True),
        ({"ddi_kinds": [DDIKind.DDT]}, True),
        ({"ddi_kinds": [DDIKind.DDPP]}, False),
        ({"regions": "own"}, True),
        ({"regions": "other"}, False),
        ({"programmes": "attached"}, True),
        ({"programmes": "other"}, False),
        ({"ddi_kinds": [DDIKind.DDT], "regions": "other"}, False),
    ],
)
def test_audience_rules(db, criteria, allowed):
    region = RegionFactory()
    ddi = DDIFactory(kind=DDIKind.DDT, department=DepartmentFactory(region=region))
    attached = AttachmentFactory(ddi=ddi).programme
    agent = UserFactory(ddi=ddi)
    values = {
        "regions": {"own": [region], "other": [RegionFactory()]},
        "programmes": {"attached": [attached], "other": [ProgrammeFactory()]},
    }
    kwargs = {
        name: values[name][value] if name in values else value for name, value in criteria.items()
    }
    session = InterventionFactory(**kwargs)
    if allowed:
        assert registration_create(intervention=session, person=agent, user=agent).is_confirmed
    else:
        with pytest.raises(PermissionDenied):
            registration_create(intervention=session, person=agent, user=agent)


# ---------------------------------------------------------------------------- reminders


def test_reminders_go_once_each_at_j7_and_j1_and_to_speakers_at_j1(agents, member):
    start = timezone.now() + timedelta(days=20)
    session = InterventionFactory(
        starts_at=start, registration_closes_at=start - timedelta(hours=2), speakers=[member]
    )
    registered = [
        registration_create(intervention=session, person=p, user=agents[0]) for p in agents[:3]
    ]
    assert [r.waiting_rank for r in registered] == [None, None, 1]

    assert intervention_reminders_record(now=start - timedelta(days=10)) == 0
    at_j7 = start - timedelta(days=7) + timedelta(minutes=5)
    intervention_reminders_record(now=at_j7)
    intervention_reminders_record(now=at_j7 + timedelta(minutes=10))  # the job runs again
    assert len(keys("intervention_reminder")) == 2  # the confirmed two, not the waiting one
    assert keys("intervention_speaker_reminder") == []

    at_j1 = start - timedelta(days=1) + timedelta(minutes=5)
    intervention_reminders_record(now=at_j1)
    intervention_reminders_record(now=at_j1 + timedelta(hours=3))
    reminders = keys("intervention_reminder")
    assert len(reminders) == 4
    assert sum(":J-1:" in key for key in reminders) == 2
    assert keys("intervention_speaker_reminder") == [
        f"intervention:{session.pk}:{timezone.localdate(start)}:speakers:J-1:{member.pk}"
    ]


def test_someone_registered_after_the_reminder_moment_gets_no_j7(agents):
    start = timezone.now() + timedelta(days=3)
    session = InterventionFactory(starts_at=start, registration_closes_at=start)
    registration_create(intervention=session, person=agents[0], user=agents[0])
    intervention_reminders_record(now=timezone.now())
    assert keys("intervention_reminder") == []


def test_the_speaker_reminder_lists_the_attending_ddis(agents, member):
    start = timezone.now() + timedelta(hours=20)
    session = InterventionFactory(starts_at=start, registration_closes_at=start, speakers=[member])
    RegistrationFactory(
        intervention=session, person=agents[0], created_at=start - timedelta(days=3)
    )
    intervention_reminders_record(now=timezone.now())
    notification = Notification.objects.get(kind="intervention_speaker_reminder")
    assert notification_send(notification_id=notification.pk) == "sent"
    assert agents[0].ddi.name in mail.outbox[0].body
    assert "Vous intervenez demain" in mail.outbox[0].subject


# ---------------------------------------------------------------------------- notices


def test_a_change_of_date_informs_every_registrant_once(agents, member):
    session = InterventionFactory(capacity=1)
    for person in agents[:2]:
        registration_create(intervention=session, person=person, user=agents[0])
    new_start = session.starts_at + timedelta(days=2)
    assert intervention_update(intervention=session, user=member, data={"starts_at": new_start})
    # Saving the same date again is no change.
    assert not intervention_update(intervention=session, user=member, data={"starts_at": new_start})
    # A new title is no change of date or place either.
    assert not intervention_update(intervention=session, user=member, data={"title": "Autre"})
    changed = keys("intervention_changed")
    assert len(changed) == 2  # the confirmed one and the waiting one
    assert all(":changed:v2:" in key for key in changed)


def test_a_cancellation_informs_every_registrant_once(agents, member):
    session = InterventionFactory()
    for person in agents[:2]:
        registration_create(intervention=session, person=person, user=agents[0])
    assert intervention_cancel(intervention=session, user=member) == 2
    assert intervention_cancel(intervention=session, user=member) == 0
    assert len(keys("intervention_cancelled")) == 2
    session.refresh_from_db()
    assert session.status == InterventionStatus.CANCELLED
    notification = Notification.objects.filter(kind="intervention_cancelled").first()
    notification_send(notification_id=notification.pk)
    (attachment,) = mail.outbox[0].attachments
    assert Calendar.from_ical(attachment[1]).get("method") == "CANCEL"


def test_the_registration_email_carries_an_icalendar_invitation(agents):
    session = InterventionFactory(title="Atelier Chorus Formulaires")
    registration_create(intervention=session, person=agents[1], user=agents[0])
    notification = Notification.objects.get(kind="intervention_registered")
    assert notification_send(notification_id=notification.pk) == "sent"
    email = mail.outbox[0]
    assert email.to == [agents[1].email]
    assert "Inscription confirmée : Atelier Chorus Formulaires" in email.subject
    (name, content, mimetype) = email.attachments[0]
    assert mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    assert calendar.get("method") == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event.get("summary")) == "Atelier Chorus Formulaires"
    assert event.decoded("dtstart") == session.starts_at.replace(microsecond=0)
    assert agents[1].email in str(event.get("attendee"))


def test_the_invitation_organizer_is_a_valid_mailto_address(agents, settings):
    settings.DEFAULT_FROM_EMAIL = "Accompagnement Chorus <ne-pas-repondre@example.org>"
    registration_create(intervention=InterventionFactory(), person=agents[1], user=agents[0])
    notification_send(notification_id=Notification.objects.get(kind="intervention_registered").pk)
    (_name, content, _mimetype) = mail.outbox[0].attachments[0]
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    organizer = event.get("organizer")
    # RFC 5545: a cal-address is a URI; `mailto:Name <address>` is not one.
    assert str(organizer) == "mailto:ne-pas-repondre@example.org"
    assert organizer.params["CN"] == "Accompagnement Chorus des DDI"


def test_the_waiting_list_email_has_no_invitation(agents):
    session = InterventionFactory(capacity=1)
    registration_create(intervention=session, person=agents[0], user=agents[0])
    registration_create(intervention=session, person=agents[1], user=agents[0])
    waiting = Notification.objects.get(kind="intervention_registered", recipient=agents[1])
    notification_send(notification_id=waiting.pk)
    assert "Liste d'attente" in mail.outbox[0].subject
    assert mail.outbox[0].attachments == []


# ---------------------------------------------------------------------------- after


def test_attendance_sends_the_form_to_attendees_and_the_material_to_the_others(agents, member):
    session = InterventionFactory(past=True, capacity=3, articles=[ArticleFactory()])
    came, missed = (
        RegistrationFactory(intervention=session, person=person) for person in agents[:2]
    )
    for _ in range(2):  # corrected twice: still one e-mail each
        outcome = intervention_record_attendance(
            intervention=session, user=member, attended_ids={came.pk}
        )
    assert (outcome.attended, outcome.absent) == (1, 1)
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.attended, missed.attended) == (True, False)
    assert keys("intervention_feedback") == [f"intervention:{session.pk}:feedback:{came.person_id}"]
    assert keys("intervention_material") == [
        f"intervention:{session.pk}:material:{missed.person_id}"
    ]
    session.refresh_from_db()
    assert session.status == InterventionStatus.HELD


def test_attendance_waits_for_the_session_to_start(agents, member):
    session = InterventionFactory()
    with pytest.raises(ValidationError):
        intervention_record_attendance(intervention=session, user=member, attended_ids=set())


def test_feedback_once_and_only_by_an_attendee(agents, member):
    session = InterventionFactory(past=True)
    came = RegistrationFactory(intervention=session, person=agents[0])
    intervention_record_attendance(intervention=session, user=member, attended_ids={came.pk})
    came.refresh_from_db()
    with pytest.raises(PermissionDenied):
        feedback_submit(registration=came, user=agents[1], score=5, comment="")
    assert feedback_submit(registration=came, user=agents[0], score=4, comment=" Utile ")
    assert not feedback_submit(registration=came, user=agents[0], score=1, comment="Bof")
    assert Feedback.objects.get().score == 4


def test_material_is_not_sent_without_material(agents, member):
    session = InterventionFactory(past=True)
    RegistrationFactory(intervention=session, person=agents[0])
    intervention_record_attendance(intervention=session, user=member, attended_ids=set())
    assert keys("intervention_material") == []

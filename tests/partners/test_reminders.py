"""The partner's clock (services/reminders.py): the assignee alerted once when the
partner's answer nears and once when it is late, the partner reminded by e-mail at most
`reminder_max` times, spaced in working hours; never twice, even by two workers at once.

December 2011, no public holiday: Monday 5, Thursday 8, Friday 9 and Monday 12 are
working days; the team works 9:00-18:00 (9 hours a day).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.models import Alert
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.outbox.sending import notification_send
from accompagnement.partners.addresses import escalation_reply_address
from accompagnement.partners.models import Escalation
from accompagnement.partners.services.reminders import (
    escalation_remind,
    escalations_remind,
    partner_clock,
)
from accompagnement.partners.tasks import remind_escalations
from accompagnement.support.enums import EventKind, Priority, Status
from accompagnement.support.models import Event
from accompagnement.support.sla import add_working_time
from tests.accounts.factories import UserFactory
from tests.partners.factories import EscalationFactory, PartnerFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(day, hour, minute=0):
    return datetime(2011, 12, day, hour, minute, tzinfo=PARIS)


def escalate(sent_at, *, hours=18, partner=None, priority=Priority.NORMAL, **fields):
    """An escalation sent at `sent_at` to a partner promising an answer in `hours` working
    hours, on a request held by a member."""
    partner = partner or PartnerFactory(response_hours=hours, reminder_max=3)
    request = SupportRequestFactory(
        assigned=True, status=Status.ESCALATED, priority=priority, created_at=sent_at
    )
    return EscalationFactory(
        request=request,
        partner=partner,
        sent_at=sent_at,
        expected_at=add_working_time(sent_at, hours * 3600),
        **fields,
    )


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return escalations_remind()


def reminders(escalation=None):
    notifications = Notification.objects.filter(kind="escalation_reminder")
    if escalation is not None:
        notifications = notifications.filter(context__escalation=escalation.pk)
    return list(notifications.order_by("pk"))


def alerts(kind=None):
    found = Alert.objects.all()
    if kind is not None:
        found = found.filter(kind=kind)
    return list(found.order_by("pk"))


# ---------------------------------------------------------------------------- the clock


def test_the_partner_clock_counts_working_hours():
    # Sent Monday 10:00, 18 working hours: Monday 8 h, Tuesday 9 h, Wednesday 10:00.
    escalation = escalate(at(5, 10))
    assert escalation.expected_at == at(7, 10)
    clock = partner_clock(escalation, at(6, 14))
    # 75 % of 18 hours is 13 h 30: Monday 8 h, Tuesday 5 h 30 → Tuesday 14:30.
    assert clock.warning_at == at(6, 14, 30)
    assert clock.stage is None
    assert partner_clock(escalation, at(6, 14, 30)).stage == "approaching"
    late = partner_clock(escalation, at(8, 11))
    assert (late.stage, late.late_seconds) == ("overdue", (8 + 2) * 3600)


# ---------------------------------------------------------------------------- approaching


def test_approaching_alerts_the_assignee_once_and_reminds_the_partner_once():
    escalation = escalate(at(5, 10), partner_reference="INC-0042")

    assert run_at(at(6, 14)) == {"approaching": 0, "overdue": 0, "reminders": 0, "unsendable": 0}
    assert reminders() == [] and alerts() == []

    assert run_at(at(6, 14, 45))["reminders"] == 1
    [alert] = alerts()
    assert alert.kind == AlertKind.ESCALATION_APPROACHING
    assert alert.recipient == escalation.request.assignee
    assert escalation.partner.name in alert.text
    assert "Relance n°1 envoyée" in alert.text
    [reminder] = reminders()
    assert reminder.to_address == escalation.partner.mailbox
    assert reminder.key == f"escalation-reminder:{escalation.pk}:1"
    assert reminder.request == escalation.request
    escalation.refresh_from_db()
    assert escalation.reminders_sent == 1
    assert escalation.last_reminder_at == at(6, 14, 45)
    assert escalation.approaching_alerted_at == at(6, 14, 45)
    [event] = Event.objects.filter(request=escalation.request, kind=EventKind.PARTNER_REMINDED)
    assert not event.is_public
    assert "Relance n°1 envoyée" in event.comment and "INC-0042" in event.comment

    # Run again, a little later: nothing new.
    assert run_at(at(6, 15)) == {"approaching": 0, "overdue": 0, "reminders": 0, "unsendable": 0}
    assert len(reminders()) == 1 and len(alerts()) == 1


def test_the_reminder_email_reaches_the_partner_with_the_reply_address(settings):
    settings.SUPPORT_MAILBOX = "support@chorus.example.org"
    escalation = escalate(at(5, 10), partner_reference="INC-0042")
    run_at(at(8, 11))  # overdue by 10 working hours: reminder n°1

    [reminder] = reminders()
    assert notification_send(notification_id=reminder.pk) == "sent"

    [email] = mail.outbox
    assert email.to == [escalation.partner.mailbox]
    assert email.reply_to == [escalation_reply_address(escalation.pk)]
    assert email.subject.startswith(f"[{escalation.request.reference}] Relance n°1")
    assert "INC-0042" in email.subject
    assert escalation.request.title in email.body
    assert "mercredi 7 décembre 2011 à 10h00" in email.body  # expected
    assert "lundi 5 décembre 2011 à 10h00" in email.body  # sent
    assert "retard de 10 h ouvrées" in email.body
    assert escalation.summary in email.body
    html = email.alternatives[0][0]
    assert "INC-0042" in html and "Bonjour," in html


def test_a_reminder_answered_before_it_leaves_is_not_sent():
    escalation = escalate(at(5, 10))
    run_at(at(8, 11))
    Escalation.objects.filter(pk=escalation.pk).update(answered_at=at(8, 11, 5))

    [reminder] = reminders()
    assert notification_send(notification_id=reminder.pk) == "refused"
    reminder.refresh_from_db()
    assert reminder.status == NotificationStatus.FAILED
    assert "réponse reçue" in reminder.last_error
    assert mail.outbox == []


# ---------------------------------------------------------------------------- overdue


def test_overdue_reminds_up_to_the_max_spaced_by_working_hours():
    # Sent Thursday 10:00: expected Monday 12 at 10:00 (Thursday 8 h, Friday 9 h, Monday 1 h).
    escalation = escalate(at(8, 10))
    assert escalation.expected_at == at(12, 10)

    run_at(at(9, 15))  # Friday, 75 % used: reminder n°1
    run_at(at(12, 10, 15))  # Monday, due: overdue alert and reminder n°2 at once
    assert [r.context["number"] for r in reminders()] == [1, 2]
    assert [a.kind for a in alerts()] == [
        AlertKind.ESCALATION_APPROACHING,
        AlertKind.ESCALATION_OVERDUE,
    ]
    # 9 working hours later, not before: Monday 7 h 45 + Tuesday 1 h 15 → Tuesday 10:15.
    run_at(at(12, 17, 59))
    run_at(at(13, 10, 14))
    assert len(reminders()) == 2
    run_at(at(13, 10, 15))
    assert [r.context["number"] for r in reminders()] == [1, 2, 3]
    # The partner's maximum reached: no more, however late.
    run_at(at(14, 12))
    run_at(at(20, 12))
    assert len(reminders()) == 3
    assert len(alerts()) == 2
    escalation.refresh_from_db()
    assert escalation.reminders_sent == 3
    assert (
        Event.objects.filter(request=escalation.request, kind=EventKind.PARTNER_REMINDED).count()
        == 3
    )


def test_a_weekend_does_not_count_between_two_reminders():
    escalation = escalate(at(7, 10))  # expected Friday 9 at 10:00
    run_at(at(9, 10, 30))  # first seen overdue: reminder n°1 (no approaching any more)
    assert [a.kind for a in alerts()] == [AlertKind.ESCALATION_OVERDUE]
    run_at(at(10, 12))  # Saturday
    run_at(at(11, 12))  # Sunday
    # Friday 7 h 30 + Monday 1 h 29: 8 h 59 of working time.
    run_at(at(12, 10, 29))
    assert len(reminders(escalation)) == 1
    run_at(at(12, 10, 31))
    assert [r.context["number"] for r in reminders(escalation)] == [1, 2]
    assert reminders(escalation)[1].context["stage"] == "overdue"


def test_an_urgent_request_overdue_alerts_the_pilot_too():
    pilot = UserFactory(pilot=True)
    escalation = escalate(at(5, 10), priority=Priority.URGENT)
    run_at(at(8, 11))
    told = {alert.recipient_id for alert in alerts(AlertKind.ESCALATION_OVERDUE)}
    assert told == {escalation.request.assignee_id, pilot.pk}


def test_a_normal_request_overdue_alerts_only_its_assignee():
    UserFactory(pilot=True)
    escalation = escalate(at(5, 10))
    run_at(at(8, 11))
    assert {a.recipient_id for a in alerts()} == {escalation.request.assignee_id}


def test_a_request_nobody_holds_alerts_the_pilot():
    pilot = UserFactory(pilot=True)
    escalation = escalate(at(5, 10))
    escalation.request.assignee.is_active = False
    escalation.request.assignee.save(update_fields=["is_active"])
    run_at(at(6, 15))
    assert {a.recipient_id for a in alerts()} == {pilot.pk}


def test_the_reminders_stop_at_a_partner_max_of_zero():
    escalation = escalate(at(5, 10), partner=PartnerFactory(reminder_max=0))
    run_at(at(6, 15))
    run_at(at(8, 11))
    assert reminders() == []
    assert [a.kind for a in alerts()] == [
        AlertKind.ESCALATION_APPROACHING,
        AlertKind.ESCALATION_OVERDUE,
    ]
    escalation.refresh_from_db()
    assert escalation.reminders_sent == 0


# ---------------------------------------------------------------------------- nothing to do


@pytest.mark.parametrize(
    "change",
    [
        {"answered_at": at(6, 9)},
        {"withdrawn_at": at(6, 9)},
    ],
    ids=["answered", "withdrawn"],
)
def test_an_answered_or_withdrawn_escalation_is_left_alone(change):
    escalate(at(5, 10), **change)
    run_at(at(6, 15))
    run_at(at(9, 12))
    assert reminders() == [] and alerts() == []


def test_a_request_taken_out_of_escalated_is_left_alone():
    escalation = escalate(at(5, 10))
    escalation.request.status = Status.IN_PROGRESS
    escalation.request.save(update_fields=["status"])
    run_at(at(6, 15))
    run_at(at(9, 12))
    assert reminders() == [] and alerts() == []


# ---------------------------------------------------------------------------- no mailbox


def test_a_partner_without_mailbox_turns_each_reminder_into_an_alert():
    escalation = escalate(at(5, 10), partner=PartnerFactory(mailbox="", reminder_max=2))
    assert run_at(at(6, 15))["unsendable"] == 1
    [alert] = alerts()
    assert alert.recipient == escalation.request.assignee
    assert "Relance n°1 à faire vous-même" in alert.text
    assert reminders() == []

    run_at(at(7, 10, 15))  # overdue: the overdue alert says reminder n°2 is to be made
    run_at(at(7, 12))
    assert [a.kind for a in alerts()] == [
        AlertKind.ESCALATION_APPROACHING,
        AlertKind.ESCALATION_OVERDUE,
    ]
    assert "Relance n°2 à faire vous-même" in alerts()[1].text
    assert reminders() == []


def test_a_partner_without_mailbox_later_reminders_alert_the_assignee_each_time():
    escalation = escalate(at(5, 10), partner=PartnerFactory(mailbox="", reminder_max=3))
    run_at(at(7, 10, 15))  # overdue: n°1 with the overdue alert
    run_at(at(8, 10, 15))  # 9 working hours later: n°2, its own alert
    texts = [alert.text for alert in alerts()]
    assert len(texts) == 2
    assert "Relance n°2 à faire vous-même" in texts[1]
    assert {a.recipient_id for a in alerts()} == {escalation.request.assignee_id}


# ---------------------------------------------------------------------------- never twice


def test_two_workers_with_the_same_view_send_each_reminder_once():
    escalation = escalate(at(5, 10))
    now = at(8, 11)
    # Both read the escalation before either wrote.
    first, second = (
        Escalation.objects.select_related("partner", "request").get(pk=escalation.pk)
        for _ in range(2)
    )
    clock = partner_clock(first, now)
    escalation_remind(escalation=first, clock=clock, now=now)
    assert escalation_remind(escalation=second, clock=clock, now=now) == {}
    assert len(reminders()) == 1
    assert len(alerts()) == 1
    escalation.refresh_from_db()
    assert escalation.reminders_sent == 1


def test_the_task_runs_the_service():
    escalate(at(5, 10))
    with time_machine.travel(at(8, 11), tick=False):
        result = remind_escalations.apply().get()
    assert result["reminders"] == 1 and result["overdue"] == 1

"""Sending a batch of reminders: one connection to the mail server for the whole batch,
the rows read once, and still each e-mail claimed and finished on its own."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accompagnement.campaigns.services import milestone_reminders_record
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.outbox.services import notifications_send_in_turn
from tests.accounts.factories import UserFactory
from tests.campaigns.factories import MilestoneFactory

pytestmark = pytest.mark.django_db

BACKEND = f"{__name__}.CountingBackend"


class CountingBackend(EmailBackend):
    """The in-memory backend, remembering the connections opened and closed, as the mail
    server would see them; `fail_on` makes the n-th e-mail sent fail once."""

    opened: list["CountingBackend"] = []
    closed: list["CountingBackend"] = []
    sent = 0
    fail_on: int | None = None

    def open(self):
        if self not in CountingBackend.opened:
            CountingBackend.opened.append(self)
        return True

    def close(self):
        CountingBackend.closed.append(self)

    def send_messages(self, messages):
        CountingBackend.sent += 1
        if CountingBackend.sent == CountingBackend.fail_on:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def counting_backend(settings):
    settings.EMAIL_BACKEND = BACKEND
    CountingBackend.opened, CountingBackend.closed = [], []
    CountingBackend.sent, CountingBackend.fail_on = 0, None
    yield CountingBackend


def recorded(count: int) -> list[int]:
    """`count` milestone reminders recorded (not sent), their ids in order."""
    milestone = MilestoneFactory(reminder_offsets=[7])
    agents = [UserFactory() for _ in range(count)]
    milestone_reminders_record(
        milestone_id=milestone.pk, offset_days=7, recipient_ids=[a.pk for a in agents]
    )
    return list(Notification.objects.order_by("pk").values_list("pk", flat=True))


def test_a_batch_goes_through_one_mail_connection_closed_at_the_end():
    ids = recorded(6)

    assert notifications_send_in_turn(notification_ids=ids) == []

    assert len(mail.outbox) == 6
    assert len({email.to[0] for email in mail.outbox}) == 6
    assert len(CountingBackend.opened) == 1
    assert CountingBackend.closed == CountingBackend.opened


def test_each_email_costs_its_claim_and_its_outcome_and_nothing_more():
    few, many = recorded(3), None
    with CaptureQueriesContext(connection) as three:
        notifications_send_in_turn(notification_ids=few)
    many = recorded(9)[3:]
    with CaptureQueriesContext(connection) as nine:
        notifications_send_in_turn(notification_ids=many)

    # Two queries per e-mail (the claim, committed before sending; the outcome, after);
    # the rows and their milestone are read once per batch.
    assert len(nine) - len(three) == 2 * (9 - 3)
    assert len(three) == 2 + 2 * 3
    claims = [q for q in nine.captured_queries if "'sending'" in q["sql"] and "UPDATE" in q["sql"]]
    assert len(claims) == 9


def test_after_a_failure_the_connection_is_closed_and_the_rest_left_to_send():
    ids = recorded(4)
    CountingBackend.fail_on = 3

    remaining = notifications_send_in_turn(notification_ids=ids)

    assert remaining == ids[2:]
    assert CountingBackend.closed == CountingBackend.opened
    statuses = list(Notification.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [NotificationStatus.SENT] * 2 + [NotificationStatus.PENDING] * 2
    # The retry sends the rest through a new connection, and nothing twice.
    assert notifications_send_in_turn(notification_ids=remaining) == []
    assert len(CountingBackend.opened) == 2
    assert sorted(e.to[0] for e in mail.outbox) == sorted(
        Notification.objects.values_list("recipient__email", flat=True)
    )


def test_a_reminder_whose_milestone_was_deleted_meanwhile_is_not_sent():
    ids = recorded(2)
    Notification.objects.get(pk=ids[0]).reminder_deliveries.get().milestone.delete()

    notifications_send_in_turn(notification_ids=ids)

    assert mail.outbox == []
    refused = Notification.objects.filter(pk__in=ids, status=NotificationStatus.FAILED)
    assert refused.count() == Notification.objects.filter(pk__in=ids).count()
    assert {n.last_error for n in refused} == {"Le jalon de ce rappel n'existe plus."}


def test_a_row_sent_by_another_worker_meanwhile_is_skipped():
    ids = recorded(3)
    Notification.objects.filter(pk=ids[1]).update(status=NotificationStatus.SENT)

    notifications_send_in_turn(notification_ids=ids)

    sent_to = {e.to[0] for e in mail.outbox}
    expected = set(
        Notification.objects.filter(pk__in=[ids[0], ids[2]]).values_list(
            "recipient__email", flat=True
        )
    )
    assert sent_to == expected

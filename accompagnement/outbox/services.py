"""Recording e-mails in the outbox: with the change they report, sent by Celery after commit.

A notification row is written in the same transaction as the change it reports, under a
unique key; its sending is queued with `transaction.on_commit`. A job that runs twice, two
beats by mistake or a redelivered task meets the keys already taken and records nothing
new. If the broker is down the row stays pending and the periodic sweep sends it later
(`sending.py`): nothing is lost, nothing is sent twice.

`notification_record` records one e-mail for some people and queues a task per e-mail;
`_outbox_record` records many rows at once (reminders, the weekly digest) and queues one
`send_notifications` task per batch, which runs `notifications_send_in_turn`.
"""

import logging
from collections.abc import Iterable

from django.db import models, transaction

from accompagnement.accounts.models import User
from accompagnement.core.queueing import queue_task
from accompagnement.outbox import registry
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.outbox.sending import (
    SEND_NOTIFICATION,
    SEND_NOTIFICATIONS,
    TRANSIENT_ERRORS,
    mail_connection,
    notification_send,
    notifications_for_sending,
)

logger = logging.getLogger(__name__)


def notification_record(
    *,
    kind: str,
    recipients: Iterable[User],
    request: models.Model | None = None,
    message: models.Model | None = None,
    key: str,
    context: dict | None = None,
) -> list[Notification]:
    """Record one notification per recipient (once per key) and queue their sending.

    `request` and `message` are the support request and message the e-mail is about, if
    any. Raises `ValueError` for a kind no package registered (`registry.py`)."""
    _require_registered({kind})
    rows = [
        Notification(
            key=f"{key}:{recipient.pk}",
            kind=kind,
            recipient=recipient,
            request=request,
            message=message,
            context=context or {},
        )
        for recipient in {r.pk: r for r in recipients if r is not None and r.is_active}.values()
    ]
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(key__in=[r.key for r in rows]).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: notifications_enqueue(created))
    return rows


def notification_record_to_address(
    *,
    kind: str,
    address: str,
    request: models.Model | None = None,
    message: models.Model | None = None,
    key: str,
    context: dict | None = None,
) -> Notification | None:
    """Record one e-mail to an outside address (a partner's mailbox), once per key, and
    queue its sending. None when the key was taken already (nothing new recorded)."""
    _require_registered({kind})
    if not address:
        raise ValueError("An outside notification needs an address.")
    row, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "to_address": address,
            "request": request,
            "message": message,
            "context": context or {},
        },
    )
    if not created:
        return None
    transaction.on_commit(lambda: notifications_enqueue([row.pk]))
    return row


def notifications_enqueue(notification_ids: list[int]) -> None:
    """Hand the notifications to Celery; a broker outage leaves them for the sweep."""

    for position, notification_id in enumerate(notification_ids):
        try:
            queue_task(SEND_NOTIFICATION, notification_id)
        except Exception:  # broker down: the periodic sweep will send them
            # Stop at the first failure: the page must not wait once per recipient.
            logger.warning(
                "Broker unavailable, %d notification(s) left pending for the sweep",
                len(notification_ids) - position,
            )
            return


# People per reminder fan-out task (campaigns), e-mails per sending task: a short
# transaction each, and a killed worker loses little.
REMINDER_BATCH_SIZE = 500
# Rows per INSERT / `key IN (…)` when recording many notifications at once.
OUTBOX_CHUNK = 500


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _queue_sending(notification_ids: list[int]) -> None:
    """After commit, one task sends the e-mails of a batch, one after the other: a task
    per e-mail would cost more in broker round trips than the sending itself."""

    def enqueue():
        for batch in _chunks(notification_ids, REMINDER_BATCH_SIZE):
            try:
                queue_task(SEND_NOTIFICATIONS, batch)
            except Exception:  # broker down: the periodic sweep will send them
                logger.warning("Broker unavailable, e-mails left pending for the sweep")
                return

    if notification_ids:
        transaction.on_commit(enqueue)


def notifications_send_in_turn(*, notification_ids: list[int]) -> list[int]:
    """Send outbox rows one after the other, each claimed on its own by `notification_send`
    (a redelivered batch skips what was sent). At the first transient failure (mail
    server down) stop, and return the ids left to send, that one included.

    The rows are read once for the whole batch, and its e-mails go through one mail
    connection, closed at the end; what stays per e-mail is the claim, committed before
    the sending, and the outcome, committed after it."""
    notifications = notifications_for_sending(notification_ids)
    connection = mail_connection()
    try:
        for position, notification_id in enumerate(notification_ids):
            try:
                notification_send(
                    notification_id=notification_id,
                    connection=connection,
                    notification=notifications.get(notification_id),
                )
            except TRANSIENT_ERRORS:
                return list(notification_ids[position:])
    finally:
        try:
            connection.close()
        except TRANSIENT_ERRORS as exc:  # a broken connection: nothing more to send on it
            logger.warning("Mail connection closed with an error: %s", exc)
    return []


def _require_registered(kinds: Iterable[str]) -> None:
    for kind in sorted(set(kinds)):
        if not registry.is_registered(kind):
            raise ValueError(registry.unknown_kind_message(kind))


def _outbox_record(rows: list[Notification]) -> list[int]:
    """Record `rows` in the outbox, leaving alone the keys already taken, and queue after
    commit those still to send. Returns their ids. To be called inside a transaction."""
    _require_registered(row.kind for row in rows)
    to_send = []
    for chunk in _chunks(rows, OUTBOX_CHUNK):
        Notification.objects.bulk_create(chunk, ignore_conflicts=True)
        to_send += (
            Notification.objects.filter(
                key__in=[row.key for row in chunk], status=NotificationStatus.PENDING
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    _queue_sending(to_send)
    return to_send

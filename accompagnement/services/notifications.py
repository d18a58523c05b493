"""Notifications: recorded in the outbox with the change, sent by Celery after commit.

A notification row is written in the same transaction as the change it reports, under a
unique key; the task is queued with `transaction.on_commit`. If the broker is down the
row stays pending and the periodic sweep sends it later: nothing is lost, nothing is
sent twice.
"""

import logging
from collections.abc import Iterable

from django.db import transaction

from ..models import Message, Notification, SupportRequest, User

logger = logging.getLogger(__name__)


def notification_record(
    *,
    kind: str,
    recipients: Iterable[User],
    request: SupportRequest | None = None,
    message: Message | None = None,
    key: str,
    context: dict | None = None,
) -> list[Notification]:
    """Record one notification per recipient (once per key) and queue their sending."""
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


def notifications_enqueue(notification_ids: list[int]) -> None:
    """Hand the notifications to Celery; a broker outage leaves them for the sweep."""
    from ..tasks import send_notification

    for position, notification_id in enumerate(notification_ids):
        try:
            send_notification.delay(notification_id)
        except Exception:  # broker down: the periodic sweep will send them
            # Stop at the first failure: the page must not wait once per recipient.
            logger.warning(
                "Broker unavailable, %d notification(s) left pending for the sweep",
                len(notification_ids) - position,
            )
            return

"""The outbox's Celery tasks: sending one e-mail, a batch in turn, and the periodic sweep.

Thin: they take ids and call `sending.py` or `services.py`; they own their retries.
"""

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from accompagnement.outbox import sending
from accompagnement.outbox.sending import TRANSIENT_ERRORS, notification_send, notifications_requeue
from accompagnement.outbox.services import notifications_send_in_turn

logger = logging.getLogger(__name__)


@shared_task(
    name=sending.SEND_NOTIFICATION,
    autoretry_for=TRANSIENT_ERRORS,
    # Waits of at most 1, 2, 4 … 512 s (full jitter), 600 s at most: about 17 minutes
    # over 10 retries; after that the row stays pending for the periodic sweep.
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
)
def send_notification(notification_id: int, retry: bool = True) -> str:
    """Send one e-mail of the outbox; `retry=False` for the sweep's single attempts."""

    try:
        return notification_send(notification_id=notification_id)
    except TRANSIENT_ERRORS as exc:
        if retry:
            raise
        logger.warning("Notification %s left pending: %s", notification_id, exc)
        return "released"


@shared_task(name=sending.SEND_PENDING_NOTIFICATIONS, ignore_result=True)
def send_pending_notifications() -> dict[str, int]:
    """Periodic sweep: re-queue the notifications left behind (accompagnement/tasks.py)."""

    return notifications_requeue()


@shared_task(
    bind=True,
    name=sending.SEND_NOTIFICATIONS,
    max_retries=10,
    ignore_result=True,
)
def send_notifications(self, notification_ids: list[int]) -> None:
    """Send a batch of e-mails of the outbox in turn; when the mail server fails, retry
    the rest with backoff (as `send_notification` does); after that the sweep has them."""

    remaining = notifications_send_in_turn(notification_ids=notification_ids)
    if remaining and self.request.retries >= self.max_retries:
        logger.warning("%s e-mail(s) left pending for the sweep", len(remaining))
    elif remaining:
        countdown = get_exponential_backoff_interval(
            factor=1, retries=self.request.retries, maximum=600, full_jitter=True
        )
        logger.warning("%s e-mail(s) left to send, retry in %s s", len(remaining), countdown)
        raise self.retry(args=(remaining,), countdown=countdown)

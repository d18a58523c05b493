"""Celery tasks: thin, they take ids and call services; they own their retries."""

import logging

from celery import shared_task

from .services.mailing import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


@shared_task(
    name="accompagnement.send_notification",
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
    from .services.mailing import notification_send

    try:
        return notification_send(notification_id=notification_id)
    except TRANSIENT_ERRORS as exc:
        if retry:
            raise
        logger.warning("Notification %s left pending: %s", notification_id, exc)
        return "released"


@shared_task(name="accompagnement.send_pending_notifications", ignore_result=True)
def send_pending_notifications() -> dict[str, int]:
    """Periodic sweep: re-queue the notifications left behind (see schedules.py)."""
    from .services.mailing import notifications_requeue

    return notifications_requeue()

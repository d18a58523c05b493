"""Celery tasks: thin, they take ids and call services; they own their retries."""

import logging

from celery import shared_task
from django.db import OperationalError

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


# ---------------------------------------------------------------------------- reminders
# Each job is idempotent (see services/reminders.py): a second run, a second beat or a
# redelivered message records nothing new. Late acknowledgement (settings) redelivers a
# task cut by a lost worker.


@shared_task(name="accompagnement.milestone_reminders", ignore_result=True)
def milestone_reminders() -> dict[str, int]:
    """The daily milestone reminders: queue one fan-out batch per group of recipients."""
    from .services.reminders import milestone_reminders_dispatch

    return milestone_reminders_dispatch()


@shared_task(
    name="accompagnement.reminders_fanout_batch",
    ignore_result=True,
    # A batch is idempotent: a database busy with another batch (SQLite's lock under
    # `make run`) is worth another try at once rather than at the job's next run.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def reminders_fanout_batch(milestone_id: int, offset: int, recipient_ids: list[int]) -> int:
    """Record one batch of milestone reminders (their e-mails are queued after commit)."""
    from .services.reminders import milestone_reminders_record

    return milestone_reminders_record(
        milestone_id=milestone_id, offset_days=offset, recipient_ids=recipient_ids
    )


@shared_task(
    bind=True,
    name="accompagnement.send_notifications",
    max_retries=10,
    ignore_result=True,
)
def send_notifications(self, notification_ids: list[int]) -> None:
    """Send a batch of e-mails of the outbox in turn; when the mail server fails, retry
    the rest with backoff (as `send_notification` does); after that the sweep has them."""
    from celery.utils.time import get_exponential_backoff_interval

    from .services.reminders import notifications_send_in_turn

    remaining = notifications_send_in_turn(notification_ids=notification_ids)
    if remaining and self.request.retries >= self.max_retries:
        logger.warning("%s e-mail(s) left pending for the sweep", len(remaining))
    elif remaining:
        countdown = get_exponential_backoff_interval(
            factor=1, retries=self.request.retries, maximum=600, full_jitter=True
        )
        logger.warning("%s e-mail(s) left to send, retry in %s s", len(remaining), countdown)
        raise self.retry(args=(remaining,), countdown=countdown)


@shared_task(name="accompagnement.sla_reminders", ignore_result=True)
def sla_reminders() -> int:
    """Remind assignees of their overdue requests (once per request and day)."""
    from .services.reminders import sla_reminders_record

    return sla_reminders_record()


@shared_task(name="accompagnement.waiting_requests_follow_up", ignore_result=True)
def waiting_requests_follow_up() -> dict[str, int]:
    """Nudge the DDIs on requests waiting for them; close those left waiting too long."""
    from .services.reminders import waiting_requests_follow_up as follow_up

    return follow_up()


@shared_task(name="accompagnement.weekly_digest", ignore_result=True)
def weekly_digest() -> int:
    """The pilot's weekly digest."""
    from .services.reminders import weekly_digest_record

    return weekly_digest_record()


@shared_task(name="accompagnement.intervention_reminders", ignore_result=True)
def intervention_reminders() -> int:
    """J-7 and J-1 reminders of the training sessions (once each, see the service)."""
    from .services.interventions import intervention_reminders_record

    return intervention_reminders_record()


@shared_task(name="accompagnement.personal_data_anonymise", ignore_result=True)
def personal_data_anonymise() -> int:
    """Anonymise the closed requests past the retention delay (idempotent, in batches)."""
    from django.conf import settings

    from .services.privacy import support_requests_anonymise_due

    done = support_requests_anonymise_due(batch_size=settings.PERSONAL_DATA_ANONYMISE_BATCH)
    logger.info("personal_data_anonymise: %s request(s) anonymised", done)
    return done

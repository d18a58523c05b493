"""Celery tasks: thin, they take ids and call services; they own their retries."""

import logging

from celery import shared_task
from django.db import OperationalError

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- reminders
# Each job is idempotent (see services/reminders.py): a second run, a second beat or a
# redelivered message records nothing new. Late acknowledgement (settings) redelivers a
# task cut by a lost worker.


@shared_task(name="accompagnement.milestone_reminders", ignore_result=True)
def milestone_reminders() -> dict[str, int]:
    """The daily milestone reminders: queue one fan-out batch per group of recipients."""
    from accompagnement.campaigns.services import milestone_reminders_dispatch

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
    from accompagnement.campaigns.services import milestone_reminders_record

    return milestone_reminders_record(
        milestone_id=milestone_id, offset_days=offset, recipient_ids=recipient_ids
    )

"""The campaigns' Celery tasks: the milestone reminders, fanned out in batches.

Thin: they take ids and call services; they own their retries. Their schedules are in
`accompagnement/tasks.py`.
"""

import logging

from celery import shared_task
from django.db import OperationalError

from accompagnement.campaigns import services
from accompagnement.campaigns.services import (
    milestone_reminders_dispatch,
    milestone_reminders_record,
)

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- reminders
# Each job is idempotent (see services.py): a second run, a second beat or a redelivered
# message records nothing new. Late acknowledgement (settings) redelivers a task cut by a
# lost worker.


@shared_task(name=services.MILESTONE_REMINDERS, ignore_result=True)
def milestone_reminders() -> dict[str, int]:
    """The daily milestone reminders: queue one fan-out batch per group of recipients."""

    return milestone_reminders_dispatch()


@shared_task(
    name=services.REMINDERS_FANOUT_BATCH,
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

    return milestone_reminders_record(
        milestone_id=milestone_id, offset_days=offset, recipient_ids=recipient_ids
    )

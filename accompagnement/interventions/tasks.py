"""The interventions' Celery task: the sessions' reminders.

Thin: it calls a service and owns its retries. Its schedule is in `accompagnement/tasks.py`.
"""

import logging

from celery import shared_task

from accompagnement.interventions.services import intervention_reminders_record

logger = logging.getLogger(__name__)


@shared_task(name="accompagnement.intervention_reminders", ignore_result=True)
def intervention_reminders() -> int:
    """J-7 and J-1 reminders of the training sessions (once each, see the service)."""

    return intervention_reminders_record()

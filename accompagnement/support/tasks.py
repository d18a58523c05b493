"""Celery tasks: thin, they take ids and call services; they own their retries."""

import logging

from celery import shared_task

from accompagnement.support.services.reminders import sla_reminders_record
from accompagnement.support.services.reminders import waiting_requests_follow_up as follow_up

logger = logging.getLogger(__name__)


@shared_task(name="accompagnement.sla_reminders", ignore_result=True)
def sla_reminders() -> int:
    """Remind assignees of their overdue requests (once per request and day)."""

    return sla_reminders_record()


@shared_task(name="accompagnement.waiting_requests_follow_up", ignore_result=True)
def waiting_requests_follow_up() -> dict[str, int]:
    """Nudge the DDIs on requests waiting for them; close those left waiting too long."""

    return follow_up()

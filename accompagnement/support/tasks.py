"""Support's Celery tasks: SLA reminders and alerts, nudges and automatic closing of waiting
requests.

Thin: they call services and own their retries. Their schedules are in
`accompagnement/tasks.py`.
"""

import logging

from celery import shared_task

from accompagnement.support.alerts import sla_alerts_record
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


@shared_task(name="accompagnement.sla_alerts", ignore_result=True)
def sla_alerts() -> int:
    """Alert assignees (and the pilot for breaches) of approaching and breached due dates
    (once per request, target and due date)."""

    return sla_alerts_record()

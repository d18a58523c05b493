"""The partners' Celery tasks: reminders of escalations on the partner's clock.

Thin: they call services, which claim each step with a conditional UPDATE (a task run
twice, or by two workers at once, sends nothing twice). Their schedules are in
`accompagnement/tasks.py`.
"""

from celery import shared_task

from accompagnement.partners.services.reminders import escalations_remind


@shared_task(name="accompagnement.remind_escalations", ignore_result=True)
def remind_escalations() -> dict[str, int]:
    """Alert the assignees of approaching and overdue escalations, and remind the
    partners (at most `partner.reminder_max` times, spaced in working hours)."""

    return escalations_remind()

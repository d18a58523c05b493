"""The pilot's follow-up notes: the daily reminder of the notes that are due.

Thin: the service claims each note with a conditional UPDATE (a task run twice, or by two
workers at once, reminds of a note once). Its schedule is in `accompagnement/tasks.py`.
"""

from celery import shared_task

from accompagnement.partners.services.follow_ups import follow_up_reminders_record


@shared_task(name="accompagnement.follow_up_reminders", ignore_result=True)
def follow_up_reminders() -> int:
    """Alert the pilots of the follow-up notes due today or earlier (once per note)."""

    return follow_up_reminders_record()

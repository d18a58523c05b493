"""The alerts' Celery task: the grouped e-mail of each person's pending alerts.

Thin: it calls the service. Its schedule is in `accompagnement/tasks.py`.
"""

from celery import shared_task

from accompagnement.alerts.services import alert_digests_record


@shared_task(name="accompagnement.alert_digests", ignore_result=True)
def alert_digests() -> int:
    """E-mail each person their alerts of the last minutes, grouped (never twice)."""

    return alert_digests_record()

"""The steering Celery task: the pilot's weekly digest.

Thin: it calls a service and owns its retries. Its schedule is in `accompagnement/tasks.py`.
"""

import logging

from celery import shared_task

from accompagnement.steering.services import weekly_digest_record

logger = logging.getLogger(__name__)


@shared_task(name="accompagnement.weekly_digest", ignore_result=True)
def weekly_digest() -> int:
    """The pilot's weekly digest."""

    return weekly_digest_record()

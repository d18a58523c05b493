"""The privacy Celery task: anonymising the closed requests past the retention delay.

Thin: it calls a service and owns its retries. Its schedule is in `accompagnement/tasks.py`.
"""

import logging

from celery import shared_task
from django.conf import settings

from accompagnement.privacy.services import support_requests_anonymise_due

logger = logging.getLogger(__name__)


@shared_task(name="accompagnement.personal_data_anonymise", ignore_result=True)
def personal_data_anonymise() -> int:
    """Anonymise the closed requests past the retention delay (idempotent, in batches)."""

    done = support_requests_anonymise_due(batch_size=settings.PERSONAL_DATA_ANONYMISE_BATCH)
    logger.info("personal_data_anonymise: %s request(s) anonymised", done)
    return done

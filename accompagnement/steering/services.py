"""The pilot's weekly digest, recorded in the outbox once per ISO week and pilot.

Its key, `digest:<ISO week>:<pilot>`, makes a second run in the same week, a second beat or
a redelivered task record nothing new; the e-mail is sent after commit
(`outbox/services.py`). What the digest says is read by `selectors.weekly_digest`.
"""

import logging
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from accompagnement.outbox.models import Notification
from accompagnement.outbox.services import _outbox_record
from accompagnement.steering.selectors import digest_recipients, weekly_digest

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- digest


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@transaction.atomic
def weekly_digest_record(*, now: datetime | None = None) -> int:
    """The pilot's weekly digest, once per ISO week and pilot."""
    now = now or timezone.now()
    pilots = list(digest_recipients())
    if not pilots:
        return 0
    week = iso_week(timezone.localdate(now))
    context = {**weekly_digest(now), "iso_week": week}
    rows = [
        Notification(
            key=f"digest:{week}:{pilot.pk}", kind="weekly_digest", recipient=pilot, context=context
        )
        for pilot in pilots
    ]
    return len(_outbox_record(rows))

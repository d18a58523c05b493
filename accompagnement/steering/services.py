"""Reminders: milestone reminders fanned out in batches, SLA reminders to assignees, nudges
and automatic closing of requests waiting for their DDI, the pilot's weekly digest.

Never twice, never lost. Every e-mail is first recorded in the outbox (`Notification`)
under a unique key, in the same transaction as what it reports, then queued after commit;
`notification_send` claims each row before sending it, and the periodic sweep sends what
was left behind (broker down, worker killed, mail server failing). The keys:

- milestone reminder: a `ReminderDelivery` (milestone × recipient × offset, unique) and
  its e-mail `milestone:<milestone>:<due date>:<offset>:<recipient>` (the due date in the
  key: should a delivery be cleared, as the demo does when it moves its milestones, the
  reminder of the new date is a new e-mail, not the old one already sent);
- SLA reminder: `sla:<request>:<local date>:<assignee>` (once a day at most);
- nudge: `nudge:<request>:<start of the waiting>:<recipient>` (once per waiting period);
- weekly digest: `digest:<ISO week>:<pilot>`.

A job that runs twice, two beats by mistake or a redelivered task meets the keys already
taken and records nothing new.

The daily milestone job (`milestone_reminders_dispatch`) only reads: it works out the
(milestone, offset) pairs due today and the people not yet reminded, and queues one
`reminders_fanout_batch` task per `REMINDER_BATCH_SIZE` of them; each batch records its
rows in its own short transaction (`milestone_reminders_record`) and, after commit,
queues one `send_notifications` task that sends its e-mails in turn, each row claimed on
its own (a task per e-mail would spend more on the broker than on the sending). A batch
lost with a killed worker is found again by the next run of the job (every 10 minutes),
since its people still have no delivery; e-mails left behind are the sweep's.
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

"""Campaigns and milestones: loading them from `accompagnement/data/`, a DDI's "done" on a
milestone, the secret of a person's calendar feed, and the milestone reminders.

Who owns what once a milestone exists: the file owns what the milestone *is* (title,
explanation, source) and a rerun brings them back to it; the pilot owns *when and for whom*
(due date with its confidence and note, audience, reminders, whether it needs a "done"),
which the file only sets when it creates the milestone, since the seeded dates are defaults
the pilot confirms or corrects in the admin. Nothing is ever deleted.
"""

import logging
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accompagnement.accounts import roles
from accompagnement.accounts.models import User
from accompagnement.campaigns import selectors
from accompagnement.campaigns.loaders import (
    CAMPAIGNS_FILE,
    MILESTONES_FILE,
    CampaignData,
)
from accompagnement.campaigns.models import (
    Acknowledgement,
    CalendarToken,
    Campaign,
    Milestone,
    ReminderDelivery,
    new_calendar_token,
)
from accompagnement.campaigns.selectors import (
    ddis_targeted_by,
    milestones_with_audience,
    reminder_recipients,
    reminders_due_on,
)
from accompagnement.core.queueing import queue_task
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.outbox.services import (
    REMINDER_BATCH_SIZE,
    _chunks,
    _queue_sending,
)
from ddi.models import Programme, ServiceCentre
from ddi.services import LoadReport

logger = logging.getLogger(__name__)

# The campaigns' Celery tasks (tasks.py), queued by name (core/queueing.py).
MILESTONE_REMINDERS = "accompagnement.milestone_reminders"
REMINDERS_FANOUT_BATCH = "accompagnement.reminders_fanout_batch"

# Milestone fields that a rerun of the loader brings back to the file (attnames).
MILESTONE_FILE_FIELDS = ("title", "explanation", "source")


# ---------------------------------------------------------------------------- loading


@transaction.atomic
def campaign_data_load(data: CampaignData) -> list[LoadReport]:
    """Upsert the campaigns by (fiscal year, kind) and the milestones by (campaign, code)."""
    campaigns_report = LoadReport(CAMPAIGNS_FILE)
    campaigns = {(c.fiscal_year, c.kind): c for c in Campaign.objects.all()}
    for record in data.campaigns:
        campaign = campaigns.get(record.key)
        if campaign is None:
            campaigns[record.key] = Campaign.objects.create(
                fiscal_year=record.fiscal_year, kind=record.kind, title=record.title
            )
            campaigns_report.created += 1
        elif campaign.title != record.title:
            campaign.title = record.title
            campaign.save(update_fields=["title"])
            campaigns_report.updated += 1
        else:
            campaigns_report.unchanged += 1

    milestones_report = LoadReport(MILESTONES_FILE)
    existing = {(m.campaign_id, m.code): m for m in Milestone.objects.all()}
    to_create, to_update = [], []
    for record in data.milestones:
        campaign_id = campaigns[record.campaign_key].pk
        values = {
            "title": record.title,
            "explanation": record.explanation,
            "source": record.source,
        }
        milestone = existing.get((campaign_id, record.code))
        if milestone is None:
            to_create.append(
                Milestone(
                    campaign_id=campaign_id,
                    code=record.code,
                    due_date=record.due_date,
                    date_note=record.date_note,
                    ddi_kinds=list(record.ddi_kinds),
                    reminder_offsets=list(record.reminder_offsets),
                    needs_acknowledgement=record.needs_acknowledgement,
                    confidence=record.confidence,
                    **values,
                )
            )
        elif any(getattr(milestone, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(milestone, name, value)
            to_update.append(milestone)
        else:
            milestones_report.unchanged += 1
    Milestone.objects.bulk_create(to_create)
    Milestone.objects.bulk_update(to_update, MILESTONE_FILE_FIELDS)
    _milestone_audience_set(data, campaigns, created={(m.campaign_id, m.code) for m in to_create})
    milestones_report.created, milestones_report.updated = len(to_create), len(to_update)
    return [campaigns_report, milestones_report]


def _milestone_audience_set(data: CampaignData, campaigns: dict, created: set) -> None:
    """The programmes and CSPs of the milestones just created (the pilot's afterwards)."""
    records = [r for r in data.milestones if (campaigns[r.campaign_key].pk, r.code) in created]
    if not records:
        return
    # Re-read the ids: not every database returns them from a bulk insert.
    ids = {
        (campaign_id, code): pk
        for pk, campaign_id, code in Milestone.objects.filter(
            campaign_id__in={campaign_id for campaign_id, _ in created}
        ).values_list("pk", "campaign_id", "code")
    }
    programme_ids = dict(Programme.objects.values_list("code", "pk"))
    centre_ids = dict(ServiceCentre.objects.values_list("code", "pk"))
    programme_links, centre_links = [], []
    for record in records:
        milestone_id = ids[campaigns[record.campaign_key].pk, record.code]
        programme_links += [
            Milestone.programmes.through(milestone_id=milestone_id, programme_id=programme_ids[c])
            for c in record.programme_codes
        ]
        centre_links += [
            Milestone.service_centres.through(
                milestone_id=milestone_id, servicecentre_id=centre_ids[c]
            )
            for c in record.service_centre_codes
        ]
    Milestone.programmes.through.objects.bulk_create(programme_links)
    Milestone.service_centres.through.objects.bulk_create(centre_links)


# ---------------------------------------------------------------------------- acknowledging


@transaction.atomic
def milestone_acknowledge(*, milestone: Milestone, user: User) -> tuple[Acknowledgement, bool]:
    """Mark `milestone` done for the DDI of `user`, an agent of a targeted DDI.

    Idempotent: the first "done" stays (who and when); a second one returns it unchanged.
    The team never acknowledges on behalf of a DDI.
    """
    if not selectors.can_acknowledge_milestone(user, milestone):
        raise PermissionDenied
    acknowledgement, created = Acknowledgement.objects.get_or_create(
        milestone=milestone, ddi_id=user.ddi_id, defaults={"acknowledged_by": user}
    )
    if created:
        logger.info(
            "Milestone %s acknowledged for DDI %s by user %s",
            milestone.pk,
            user.ddi_id,
            user.pk,
        )
    return acknowledgement, created


# ---------------------------------------------------------------------------- calendar feed


@transaction.atomic
def calendar_token_renew(*, user: User) -> CalendarToken:
    """Give `user` a new feed secret (creating the first one): the old URL stops working."""
    token, _ = CalendarToken.objects.update_or_create(
        user=user, defaults={"token": new_calendar_token(), "created_at": timezone.now()}
    )
    return token


# ---------------------------------------------------------------------------- milestones

# Never twice, never lost: a `ReminderDelivery` (milestone × recipient × offset, unique) and
# its e-mail in the outbox, `milestone:<milestone>:<due date>:<offset>:<recipient>` (the due
# date in the key: should a delivery be cleared, as the demo does when it moves its
# milestones, the reminder of the new date is a new e-mail, not the old one already sent).
#
# The milestone job (`milestone_reminders_dispatch`) only reads: it works out the
# (milestone, offset) pairs due today and the people not yet reminded, and queues one
# `reminders_fanout_batch` task per `REMINDER_BATCH_SIZE` of them; each batch records its
# rows in its own short transaction (`milestone_reminders_record`) and, after commit,
# queues one `send_notifications` task that sends its e-mails in turn, each row claimed on
# its own (a task per e-mail would spend more on the broker than on the sending). A batch
# lost with a killed worker is found again by the next run of the job (every 10 minutes),
# since its people still have no delivery; e-mails left behind are the outbox's sweep's.


def milestone_reminder_key(milestone: Milestone, offset_days: int, recipient_id: int) -> str:
    return f"milestone:{milestone.pk}:{milestone.due_date.isoformat()}:{offset_days}:{recipient_id}"


def milestone_reminders_dispatch(
    *, day: date | None = None, batch_size: int = REMINDER_BATCH_SIZE
) -> dict[str, int]:
    """The daily job: queue one fan-out task per batch of people to remind `day`.

    Reads only; idempotent (people already reminded at an offset are not queued again),
    so it runs every few minutes and a reminder due today goes out soon after start.
    """

    day = day or timezone.localdate()
    due = reminders_due_on(day)
    report = {"due": len(due), "recipients": 0, "batches": 0}
    if not due:
        return report
    targeted = ddis_targeted_by({reminder.milestone for reminder in due})
    for reminder in due:
        milestone, offset = reminder.milestone, reminder.offset_days
        people = list(
            reminder_recipients(
                milestone, offset, targeted_ddi_ids=targeted[milestone.pk]
            ).values_list("pk", flat=True)
        )
        for batch in _chunks(people, batch_size):
            queue_task(REMINDERS_FANOUT_BATCH, milestone.pk, offset, batch)
            report["batches"] += 1
        report["recipients"] += len(people)
    if report["recipients"]:
        logger.info(
            "Milestone reminders of %s: %s people in %s batches",
            day,
            report["recipients"],
            report["batches"],
        )
    return report


def milestone_reminders_record(
    *, milestone_id: int, offset_days: int, recipient_ids: Iterable[int]
) -> int:
    """One fan-out batch: record a `ReminderDelivery` and its e-mail for each of
    `recipient_ids` still to remind, and queue the e-mails after commit.

    The people are checked again (the DDI may have marked the milestone done, the agent
    left, another batch reminded them since the job ran). Returns how many were recorded.
    """
    milestone = milestones_with_audience().filter(pk=milestone_id).first()
    if milestone is None:
        return 0
    people = list(
        reminder_recipients(milestone, offset_days)
        .filter(pk__in=list(recipient_ids))
        .values_list("pk", flat=True)
    )
    if not people:
        return 0
    keys = {pk: milestone_reminder_key(milestone, offset_days, pk) for pk in people}
    context = {"milestone_id": milestone.pk, "offset_days": offset_days}
    # The checks above read outside the transaction, so that it begins with a write: on
    # SQLite (`make run`) it then waits for the write lock instead of failing to upgrade
    # a read lock while the worker's other process is writing. A batch racing this one
    # meets the unique keys.
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    key=keys[pk], kind="milestone_reminder", recipient_id=pk, context=context
                )
                for pk in people
            ],
            ignore_conflicts=True,
        )
        notification_ids = dict(
            Notification.objects.filter(key__in=keys.values()).values_list("key", "pk")
        )
        ReminderDelivery.objects.bulk_create(
            [
                ReminderDelivery(
                    milestone=milestone,
                    recipient_id=pk,
                    offset_days=offset_days,
                    notification_id=notification_ids[keys[pk]],
                )
                for pk in people
            ],
            ignore_conflicts=True,
        )
        _queue_sending(
            list(
                Notification.objects.filter(
                    pk__in=notification_ids.values(), status=NotificationStatus.PENDING
                )
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        )
    return len(people)


@transaction.atomic
def milestone_reminders_resend_failed(*, milestone: Milestone, user: User) -> int:
    """Put the failed reminders of `milestone` back to « À envoyer » and queue them.

    Only failed ones, with a conditional UPDATE: a sent reminder is never sent again.
    """
    if not roles.is_pilot(user):
        raise PermissionDenied
    failed = Notification.objects.filter(
        reminder_deliveries__milestone=milestone, status=NotificationStatus.FAILED
    )
    ids = list(failed.values_list("pk", flat=True))
    count = Notification.objects.filter(pk__in=ids, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.PENDING, sent_at=None
    )
    _queue_sending(ids)
    if ids:
        logger.info(
            "%s failed reminder(s) of milestone %s queued again by user %s",
            count,
            milestone.pk,
            user.pk,
        )
    return count

"""Campaigns and milestones: loading them from `accompagnement/data/`, a DDI's "done" on a
milestone, and the secret of a person's calendar feed.

Who owns what once a milestone exists: the file owns what the milestone *is* (title,
explanation, source) and a rerun brings them back to it; the pilot owns *when and for whom*
(due date with its confidence and note, audience, reminders, whether it needs a "done"),
which the file only sets when it creates the milestone, since the seeded dates are defaults
the pilot confirms or corrects in the admin. Nothing is ever deleted.
"""

import logging
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ddi.loaders import DATA_DIR as DDI_DATA_DIR
from ddi.loaders import read_reference_data
from ddi.models import Programme, ServiceCentre
from ddi.services import LoadReport, reference_data_load

from .. import permissions
from ..loaders import CAMPAIGNS_FILE, DATA_DIR, MILESTONES_FILE, CampaignData, read_campaign_data
from ..models import (
    Acknowledgement,
    CalendarToken,
    Campaign,
    Milestone,
    User,
)
from ..models.campaigns import new_calendar_token

logger = logging.getLogger(__name__)

# Milestone fields that a rerun of the loader brings back to the file (attnames).
MILESTONE_FILE_FIELDS = ("title", "explanation", "source")


# ---------------------------------------------------------------------------- loading


@transaction.atomic
def reference_and_campaign_data_load(
    *,
    data_dir: Path = DDI_DATA_DIR,
    campaign_data_dir: Path = DATA_DIR,
    show_progress: bool = False,
) -> list[LoadReport]:
    """The organisations (`ddi/data/`), then the campaigns (`accompagnement/data/`).

    Every file of both folders is read and checked before the first write, and everything
    is written in one transaction: one bad row anywhere and nothing is loaded.
    """
    organisations = read_reference_data(data_dir)
    # A milestone may target what the files define or what an administrator added.
    programme_codes = {p.code for p in organisations.programmes}
    programme_codes.update(Programme.objects.values_list("code", flat=True))
    centre_codes = {c.code for c in organisations.service_centres}
    centre_codes.update(ServiceCentre.objects.values_list("code", flat=True))
    campaigns = read_campaign_data(
        campaign_data_dir, programme_codes=programme_codes, service_centre_codes=centre_codes
    )
    reports = reference_data_load(data_dir=data_dir, show_progress=show_progress)
    return [*reports, *campaign_data_load(campaigns)]


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
    if not permissions.can_acknowledge_milestone(user, milestone):
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

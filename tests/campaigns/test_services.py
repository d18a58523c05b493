"""Campaigns and milestones: constraints, who a milestone targets, a DDI's "done", the share
of targeted DDIs done, and the calendar feed's secret."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accompagnement.audience import ddi_profile
from accompagnement.campaigns.models import (
    Acknowledgement,
    CalendarToken,
    Campaign,
    CampaignKind,
    Milestone,
    ReminderDelivery,
)
from accompagnement.campaigns.selectors import (
    MilestoneState,
    audience_description,
    calendar_for_ddi,
    calendar_with_shares,
    ddis_targeted_by,
    milestone_targets,
    milestones_for_user,
    milestones_with_audience,
)
from accompagnement.campaigns.services import calendar_token_renew, milestone_acknowledge
from accompagnement.outbox.models import Notification
from ddi.enums import DDIKind
from tests.accounts.factories import TeamMemberFactory, UserFactory
from tests.campaigns.factories import AcknowledgementFactory, CampaignFactory, MilestoneFactory
from tests.ddi.factories import (
    AttachmentFactory,
    DDIFactory,
    ProgrammeFactory,
    ServiceCentreFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2011, 11, 20)


def _with_audience(milestone: Milestone) -> Milestone:
    return milestones_with_audience().get(pk=milestone.pk)


# ---------------------------------------------------------------------------- constraints


def test_one_campaign_per_year_and_kind():
    Campaign.objects.create(fiscal_year=2011, kind=CampaignKind.YEAR_END, title="Fin 2011")
    Campaign.objects.create(fiscal_year=2011, kind=CampaignKind.START_UP, title="Démarrage 2011")
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(fiscal_year=2011, kind=CampaignKind.YEAR_END, title="Doublon")


def test_a_milestone_code_is_unique_within_its_campaign_only():
    milestone = MilestoneFactory(code="date-limite-da")
    MilestoneFactory(code="date-limite-da", campaign=CampaignFactory(fiscal_year=2012))
    with pytest.raises(IntegrityError), transaction.atomic():
        MilestoneFactory(code="date-limite-da", campaign=milestone.campaign)


def test_a_ddi_acknowledges_a_milestone_once():
    acknowledgement = AcknowledgementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AcknowledgementFactory(milestone=acknowledgement.milestone, ddi=acknowledgement.ddi)


def test_a_reminder_is_recorded_once_per_milestone_recipient_and_offset():
    milestone, agent = MilestoneFactory(), UserFactory()
    notification = Notification.objects.create(key="rappel-1", kind="milestone", recipient=agent)
    ReminderDelivery.objects.create(
        milestone=milestone, recipient=agent, offset_days=7, notification=notification
    )
    ReminderDelivery.objects.create(milestone=milestone, recipient=agent, offset_days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderDelivery.objects.create(milestone=milestone, recipient=agent, offset_days=7)
    # Purging the outbox keeps the record that the reminder went out.
    notification.delete()
    assert ReminderDelivery.objects.filter(offset_days=7, notification=None).exists()


def test_reminder_offsets_default_to_15_7_1_0():
    assert Milestone(title="x").reminder_offsets == [15, 7, 1, 0]
    assert Milestone(title="x").reminder_offsets is not Milestone(title="y").reminder_offsets


@pytest.mark.parametrize(
    ("confidence", "indicative"),
    [("high", False), ("medium", False), ("low", True), ("inferred", True)],
)
def test_low_and_inferred_dates_are_indicative(confidence, indicative):
    assert Milestone(confidence=confidence).is_date_indicative is indicative


# ---------------------------------------------------------------------------- audience


@pytest.fixture
def ddpp():
    """A DDPP attached for programme 206 to one CSP."""
    ddi = DDIFactory(kind=DDIKind.DDPP)
    AttachmentFactory(ddi=ddi, programme=ProgrammeFactory(code="206"))
    return ddi


def _targets(milestone, ddi) -> bool:
    return milestone_targets(_with_audience(milestone), ddi_profile(ddi.pk))


def test_a_milestone_without_audience_targets_every_ddi(ddpp):
    bare = DDIFactory(kind=DDIKind.DDT)  # not even attached to a CSP
    milestone = MilestoneFactory()
    assert _targets(milestone, ddpp)
    assert _targets(milestone, bare)
    assert audience_description(_with_audience(milestone)) == "Toutes les DDI"


def test_audience_by_kind(ddpp):
    milestone = MilestoneFactory(ddi_kinds=["DDT", "DDTM"])
    assert not _targets(milestone, ddpp)
    assert _targets(milestone, DDIFactory(kind=DDIKind.DDTM))


def test_audience_by_programme(ddpp):
    assert _targets(MilestoneFactory(programmes=[ProgrammeFactory(code="206")]), ddpp)
    assert not _targets(MilestoneFactory(programmes=[ProgrammeFactory(code="207")]), ddpp)


def test_audience_by_service_centre(ddpp):
    centre = ddpp.attachments.get().service_centre
    assert _targets(MilestoneFactory(service_centres=[centre]), ddpp)
    assert not _targets(MilestoneFactory(service_centres=[ServiceCentreFactory()]), ddpp)


def test_every_criterion_filled_in_must_hold(ddpp):
    p206 = ProgrammeFactory(code="206")
    assert _targets(MilestoneFactory(ddi_kinds=["DDPP", "DDCSPP"], programmes=[p206]), ddpp)
    assert not _targets(MilestoneFactory(ddi_kinds=["DDT"], programmes=[p206]), ddpp)
    other_centre = ServiceCentreFactory()
    assert not _targets(MilestoneFactory(programmes=[p206], service_centres=[other_centre]), ddpp)


def test_audience_description():
    milestone = MilestoneFactory(
        ddi_kinds=["DDT", "DDTM"],
        programmes=[ProgrammeFactory(code="207")],
        service_centres=[ServiceCentreFactory(name="CPCM Bretagne")],
    )
    assert audience_description(_with_audience(milestone)) == (
        "DDT, DDTM · programme 207 · servies par CPCM Bretagne"
    )


def test_ddis_targeted_by_each_milestone(ddpp):
    ddt = DDIFactory(kind=DDIKind.DDT)
    everyone = MilestoneFactory()
    ddt_only = MilestoneFactory(ddi_kinds=["DDT"])
    targeted = ddis_targeted_by(milestones_with_audience())
    assert targeted == {everyone.pk: {ddpp.pk, ddt.pk}, ddt_only.pk: {ddt.pk}}


def test_an_agent_sees_their_ddis_milestones_and_the_team_sees_all(ddpp, member):
    mine = MilestoneFactory(ddi_kinds=["DDPP"])
    MilestoneFactory(ddi_kinds=["DDT"])
    agent = UserFactory(ddi=ddpp)
    assert milestones_for_user(agent) == [mine]
    assert len(milestones_for_user(member)) == 2


# ---------------------------------------------------------------------------- acknowledging


def test_an_agent_of_a_targeted_ddi_acknowledges_once(ddpp):
    milestone = _with_audience(MilestoneFactory(ddi_kinds=["DDPP"]))
    first_agent, colleague = UserFactory(ddi=ddpp), UserFactory(ddi=ddpp)

    acknowledgement, created = milestone_acknowledge(milestone=milestone, user=first_agent)
    again, created_again = milestone_acknowledge(milestone=milestone, user=colleague)

    assert created and not created_again
    assert again == acknowledgement
    acknowledgement.refresh_from_db()
    # Who did it first stays: the colleague's click changes nothing.
    assert acknowledgement.acknowledged_by == first_agent
    assert acknowledgement.ddi == ddpp
    assert timezone.now() - acknowledgement.acknowledged_at < timedelta(minutes=1)
    assert Acknowledgement.objects.count() == 1


def test_an_agent_of_a_ddi_not_targeted_cannot_acknowledge(ddpp):
    milestone = _with_audience(MilestoneFactory(ddi_kinds=["DDT"]))
    with pytest.raises(PermissionDenied):
        milestone_acknowledge(milestone=milestone, user=UserFactory(ddi=ddpp))
    assert not Acknowledgement.objects.exists()


@pytest.mark.parametrize("role", ["member", "pilot"])
def test_the_team_never_acknowledges_on_behalf_of_a_ddi(users_by_role, role):
    milestone = _with_audience(MilestoneFactory())
    with pytest.raises(PermissionDenied):
        milestone_acknowledge(milestone=milestone, user=users_by_role[role])
    assert not Acknowledgement.objects.exists()


def test_an_informational_milestone_is_not_acknowledged(agent):
    milestone = _with_audience(MilestoneFactory(informational=True))
    with pytest.raises(PermissionDenied):
        milestone_acknowledge(milestone=milestone, user=agent)


# ---------------------------------------------------------------------------- states


def test_a_ddis_calendar_gives_each_milestone_its_state(agent):
    ddi_id = agent.ddi_id
    late = MilestoneFactory(due_date=TODAY - timedelta(days=1), title="A")
    due_today = MilestoneFactory(due_date=TODAY, title="B")
    done = MilestoneFactory(due_date=TODAY - timedelta(days=3), title="C")
    info = MilestoneFactory(due_date=TODAY - timedelta(days=10), informational=True, title="D")
    AcknowledgementFactory(milestone=done, ddi=agent.ddi, acknowledged_by=agent)
    MilestoneFactory(ddi_kinds=["DDT"])  # not for a DDPP

    [campaign] = calendar_for_ddi(ddi_id=ddi_id, today=TODAY)

    states = {entry.milestone.pk: entry.state for entry in campaign.entries}
    assert states == {
        late.pk: MilestoneState.LATE,
        due_today.pk: MilestoneState.TO_DO,
        done.pk: MilestoneState.DONE,
        info.pk: MilestoneState.INFO,
    }
    assert [e.milestone.pk for e in campaign.entries] == [info.pk, done.pk, late.pk, due_today.pk]
    done_entry = next(e for e in campaign.entries if e.state == MilestoneState.DONE)
    assert done_entry.acknowledgement.acknowledged_by == agent
    assert done_entry.state_label == "Fait"


def test_calendars_are_grouped_by_campaign_in_order(agent):
    start_up = CampaignFactory(fiscal_year=2012, kind=CampaignKind.START_UP)
    closing = CampaignFactory(fiscal_year=2011, kind=CampaignKind.YEAR_END)
    MilestoneFactory(campaign=start_up, due_date=date(2011, 12, 28))
    MilestoneFactory(campaign=closing, due_date=date(2012, 1, 13))
    MilestoneFactory(campaign=closing, due_date=date(2011, 11, 18))

    groups = calendar_for_ddi(ddi_id=agent.ddi_id, today=TODAY)

    assert [g.campaign for g in groups] == [closing, start_up]
    assert [m.milestone.due_date for m in groups[0].entries] == [
        date(2011, 11, 18),
        date(2012, 1, 13),
    ]
    only_start_up = calendar_for_ddi(ddi_id=agent.ddi_id, today=TODAY, campaign_id=start_up.pk)
    assert [g.campaign for g in only_start_up] == [start_up]


# ---------------------------------------------------------------------------- shares


def test_the_share_counts_targeted_ddis_that_acknowledged():
    ddts = DDIFactory.create_batch(4, kind=DDIKind.DDT)
    ddpp = DDIFactory(kind=DDIKind.DDPP)
    for_ddts = MilestoneFactory(ddi_kinds=["DDT"], due_date=TODAY - timedelta(days=1))
    for_all = MilestoneFactory(due_date=TODAY + timedelta(days=5))
    for ddi in ddts[:3]:
        AcknowledgementFactory(milestone=for_ddts, ddi=ddi)
    AcknowledgementFactory(milestone=for_all, ddi=ddpp)

    [campaign] = calendar_with_shares(today=TODAY)

    shares = {entry.milestone.pk: entry for entry in campaign.entries}
    assert (shares[for_ddts.pk].acknowledged, shares[for_ddts.pk].targeted) == (3, 4)
    assert shares[for_ddts.pk].percent == 75
    assert shares[for_ddts.pk].is_past_due
    assert (shares[for_all.pk].acknowledged, shares[for_all.pk].targeted) == (1, 5)
    assert shares[for_all.pk].percent == 20
    assert not shares[for_all.pk].is_past_due


def test_the_share_ignores_a_ddi_that_left_the_audience_and_rounds_down():
    ddts = DDIFactory.create_batch(3, kind=DDIKind.DDT)
    milestone = MilestoneFactory(ddi_kinds=["DDT", "DDPP"])
    ddpp = DDIFactory(kind=DDIKind.DDPP)
    AcknowledgementFactory(milestone=milestone, ddi=ddpp)
    for ddi in ddts[:2]:
        AcknowledgementFactory(milestone=milestone, ddi=ddi)
    # The pilot narrows the audience after the DDPP's "done".
    Milestone.objects.filter(pk=milestone.pk).update(ddi_kinds=["DDT"])

    [campaign] = calendar_with_shares(today=TODAY)

    [share] = campaign.entries
    assert (share.acknowledged, share.targeted, share.percent) == (2, 3, 66)


def test_a_milestone_that_targets_no_ddi_has_no_percentage():
    MilestoneFactory(ddi_kinds=["DDCS"])
    [campaign] = calendar_with_shares(today=TODAY)
    assert campaign.entries[0].targeted == 0
    assert campaign.entries[0].percent is None


def test_the_share_takes_a_fixed_number_of_queries(django_assert_num_queries):
    def build(n):
        for ddi in DDIFactory.create_batch(n):
            AttachmentFactory(ddi=ddi)
        for milestone in MilestoneFactory.create_batch(n, programmes=[ProgrammeFactory()]):
            AcknowledgementFactory(milestone=milestone, ddi=DDIFactory())

    build(2)
    # Milestones with campaigns, their programmes, their CSPs, DDI profiles, acknowledgements.
    with django_assert_num_queries(5):
        calendar_with_shares(today=TODAY)
    build(10)
    with django_assert_num_queries(5):
        calendar_with_shares(today=TODAY)


# ---------------------------------------------------------------------------- feed secret


def test_renewing_the_calendar_token_replaces_it():
    user = TeamMemberFactory().user
    first = calendar_token_renew(user=user)
    second = calendar_token_renew(user=user)

    assert first.token != second.token
    assert len(second.token) >= 43  # secrets.token_urlsafe(32)
    assert CalendarToken.objects.get(user=user).token == second.token
    assert not CalendarToken.objects.filter(token=first.token).exists()

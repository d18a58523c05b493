"""The demo's dates fall on working days: requests filed, replies, notes, status changes,
closings, "done" marks, milestones due, sessions, absences (`accompagnement/demo/dates.py`,
on `support.sla`'s calendar of French holidays, Alsace-Moselle's included); and the demo
team's referents: programme 333 is the SGG's, not the MIOMCTI's."""

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from accompagnement.accounts.models import Absence, TeamMember
from accompagnement.campaigns.models import Acknowledgement, Milestone
from accompagnement.demo.campaign import seed_demo_campaign
from accompagnement.demo.dates import (
    is_working_day_everywhere,
    working_day_on_or_after,
    working_day_on_or_before,
)
from accompagnement.demo.interventions import seed_demo_interventions
from accompagnement.demo.people import seed_demo_people
from accompagnement.demo.requests import seed_demo_requests
from accompagnement.demo.routing import seed_demo_routing
from accompagnement.demo.stories import office_hours
from accompagnement.interventions.models import Intervention
from accompagnement.support.models import Event, Message, SupportRequest
from accompagnement.support.sla import holiday_subdivision, is_working_day

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# A Sunday evening, the day after Christmas falls on the Monday in Alsace-Moselle only.
SUNDAY = datetime(2011, 12, 25, 20, 0, tzinfo=PARIS)


@pytest.fixture
def demo():
    call_command("load_reference_data", "--no-progress", verbosity=0)
    seed_demo_people()


def local_day(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


@pytest.mark.parametrize(
    ("day", "subdivision", "after", "before"),
    [
        (date(2011, 12, 23), None, date(2011, 12, 23), date(2011, 12, 23)),  # a Friday
        (date(2011, 12, 24), None, date(2011, 12, 26), date(2011, 12, 23)),
        (date(2011, 12, 24), "57", date(2011, 12, 27), date(2011, 12, 23)),  # 26/12 off
        (date(2011, 7, 14), None, date(2011, 7, 15), date(2011, 7, 13)),
        (date(2012, 4, 6), "6AE", date(2012, 4, 10), date(2012, 4, 5)),  # Good Friday, Easter
    ],
)
def test_a_day_moves_to_the_nearest_working_day(day, subdivision, after, before):
    assert working_day_on_or_after(day, subdivision) == after
    assert working_day_on_or_before(day, subdivision) == before


def test_a_late_answer_waits_for_the_next_working_morning():
    friday_night = datetime(2011, 11, 10, 20, 15, tzinfo=PARIS)  # 11 November: a holiday

    moved = office_hours(friday_night).astimezone(PARIS)

    assert moved.date() == date(2011, 11, 14)
    assert 8 <= moved.hour < 11


def test_every_date_of_the_demo_requests_is_a_working_day(demo):
    report = seed_demo_requests(count=400, seed=11, now=SUNDAY)

    assert report.created == 400
    requests = SupportRequest.objects.select_related("ddi__department")
    subdivisions = {r.pk: holiday_subdivision(r.ddi.department.code) for r in requests}
    for request in requests:
        assert is_working_day_everywhere(local_day(request.created_at)), request.reference
        for moment in (request.first_response_at, request.resolved_at, request.closed_at):
            if moment is not None:
                assert is_working_day(local_day(moment), subdivisions[request.pk]), (
                    request.reference,
                    moment,
                )
    for request_id, moment in Message.objects.values_list("request_id", "created_at"):
        assert is_working_day(local_day(moment), subdivisions[request_id]), moment
    for request_id, moment in Event.objects.values_list("request_id", "created_at"):
        assert is_working_day(local_day(moment), subdivisions[request_id]), moment
    # Filed from the team's first day, 1 September 2011, to Friday 23 December.
    first = SupportRequest.objects.order_by("created_at").first().created_at
    assert local_day(first) >= date(2011, 9, 1)
    last = SupportRequest.objects.order_by("-created_at").first().created_at
    assert local_day(last) <= date(2011, 12, 23)


def test_done_marks_are_on_working_days(demo):
    report = seed_demo_requests(count=50, seed=3, now=datetime(2012, 2, 5, 12, tzinfo=UTC))

    assert report.acknowledgements > 0
    for mark in Acknowledgement.objects.select_related("ddi__department"):
        day = local_day(mark.acknowledged_at)
        assert is_working_day(day, holiday_subdivision(mark.ddi.department.code)), day
        assert day <= date(2012, 2, 5)


def test_the_demo_milestones_and_absence_fall_on_working_days(demo):
    saturday = date(2026, 11, 28)

    seed_demo_campaign(today=saturday)
    seed_demo_routing(today=saturday)

    demo_milestones = Milestone.objects.filter(campaign__title__endswith="(démonstration)")
    assert sorted(demo_milestones.values_list("due_date", flat=True)) == [
        date(2026, 11, 30),  # J+0 and J+1: Monday
        date(2026, 11, 30),
        date(2026, 12, 7),  # J+7: a Saturday, moved to the Monday
        date(2026, 12, 14),  # J+15: a Sunday, moved to the Monday
    ]
    # Each still has a reminder due today (at its actual distance).
    for milestone in demo_milestones:
        assert (milestone.due_date - saturday).days in milestone.reminder_offsets
    absence = Absence.objects.get(reason="Congés (démonstration)")
    assert (absence.start, absence.end) == (date(2026, 11, 27), date(2026, 12, 2))


def test_programme_333_has_the_sgg_member_for_referent(demo):
    referents = TeamMember.objects.filter(referent_programmes__code="333").select_related(
        "user", "referent_ministry", "structure"
    )

    assert [m.user.email for m in referents] == ["membre.sgg@example.org"]
    [sgg] = referents
    assert (sgg.structure.code, sgg.referent_ministry.code) == ("sgg", "PM-SGG")
    interior = TeamMember.objects.get(referent_ministry__code="MIOMCTI")
    assert "333" not in set(interior.referent_programmes.values_list("code", flat=True))


def test_the_demo_sessions_fall_on_working_days(demo):
    # Seeded on the coming Saturday (registrations must still be open): J+7 and J+21 are
    # Saturdays too, the sessions move to the next working day.
    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    call_command("seed_demo", "--no-progress", stdout=io.StringIO())  # the demo articles
    Intervention.objects.all().delete()

    assert seed_demo_interventions(today=saturday)["created"] == 2

    for session in Intervention.objects.all():
        day = local_day(session.starts_at)
        assert is_working_day(day), session.starts_at
        assert day > saturday
        closes = local_day(session.registration_closes_at)
        assert is_working_day(closes) and closes < day

"""The team's clock (accompagnement/support/sla.py): French working days for the figures,
and SLA targets in working hours (Monday to Friday, 9:00 to 18:00 in Paris, public
holidays off, with the local ones of Alsace-Moselle for the DDIs there)."""

import random
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accompagnement.support.enums import Priority, Status
from accompagnement.support.sla import (
    SlaState,
    add_working_days,
    add_working_time,
    clock_start,
    due_dates,
    holiday_subdivision,
    is_opening_day,
    is_working_day,
    sla_schedule,
    sla_state,
    working_days_between,
    working_seconds_between,
)

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
MOSELLE, BAS_RHIN = holiday_subdivision("57"), holiday_subdivision("67")


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def local(moment: datetime) -> datetime:
    """`moment` in Paris, naive: what a member reads on the page."""
    return timezone.localtime(moment, PARIS).replace(tzinfo=None)


# ---------------------------------------------------------------------------- working days


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ((2011, 12, 23), True),  # Friday
        ((2011, 12, 24), False),  # Saturday
        ((2011, 12, 26), True),  # Monday after Christmas (not a holiday in metropolitan France)
        ((2011, 12, 25), False),
        ((2012, 1, 1), False),
        ((2011, 11, 11), False),  # Armistice, a Friday
        ((2012, 5, 1), False),
    ],
)
def test_french_working_days(day, expected):
    assert is_working_day(date(*day)) is expected


def test_counting_skips_a_holiday_and_the_weekend():
    # Thursday 10 November 2011, 10:00 + 2 working days: Friday 11 is Armistice,
    # then the weekend, so Monday 14 then Tuesday 15.
    due = add_working_days(paris(2011, 11, 10, 10, 0), 2)
    assert local(due) == datetime(2011, 11, 15, 10, 0)


def test_counting_over_christmas_and_new_year():
    start = paris(2011, 12, 23, 9, 30)  # Friday
    # 26, 27, 28, 29, 30 December 2011 are working days.
    assert local(add_working_days(start, 5)).date() == date(2011, 12, 30)
    assert local(add_working_days(start, 6)).date() == date(2012, 1, 2)  # 1 Jan a Sunday


def test_working_days_between():
    assert working_days_between(paris(2011, 11, 10, 9), paris(2011, 11, 15, 9)) == 2
    assert working_days_between(paris(2011, 11, 10, 9), paris(2011, 11, 10, 18)) == 0


# ---------------------------------------------------------------------------- working hours


def test_local_holidays_of_alsace_moselle():
    assert (holiday_subdivision("57"), holiday_subdivision("67"), holiday_subdivision("68")) == (
        "57",
        "6AE",
        "6AE",
    )
    assert holiday_subdivision("75") is None and holiday_subdivision(None) is None
    good_friday, st_stephen = date(2026, 4, 3), date(2025, 12, 26)
    for day in (good_friday, st_stephen):
        assert is_opening_day(day)  # Paris
        assert not is_opening_day(day, MOSELLE)
        assert not is_opening_day(day, BAS_RHIN)


@pytest.mark.parametrize(
    ("filed", "starts"),
    [
        # Sunday 06:04: counting starts on Monday at 9:00, not on Sunday at 06:04.
        ((2026, 3, 1, 6, 4), (2026, 3, 2, 9, 0)),
        ((2026, 3, 3, 7, 59), (2026, 3, 3, 9, 0)),  # Tuesday, before opening
        ((2026, 3, 3, 10, 15), (2026, 3, 3, 10, 15)),  # at work: at once
        ((2026, 3, 3, 18, 0), (2026, 3, 4, 9, 0)),  # closing time: the next morning
        ((2026, 3, 6, 21, 30), (2026, 3, 9, 9, 0)),  # Friday night: Monday
        ((2026, 5, 13, 19, 0), (2026, 5, 15, 9, 0)),  # eve of Ascension Day (Thursday 14)
    ],
)
def test_the_clock_starts_at_the_next_opening(filed, starts):
    assert local(clock_start(paris(*filed))) == datetime(*starts)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ((2026, 3, 3, 16, 0), 4, (2026, 3, 4, 11, 0)),  # over a night
        ((2026, 3, 6, 16, 0), 4, (2026, 3, 9, 11, 0)),  # over a weekend
        ((2026, 7, 13, 16, 0), 4, (2026, 7, 15, 11, 0)),  # over 14 July (a Tuesday)
        ((2026, 3, 3, 14, 0), 4, (2026, 3, 3, 18, 0)),  # ends at closing time: that day
        ((2026, 3, 2, 9, 0), 18, (2026, 3, 3, 18, 0)),  # two whole days
        ((2026, 3, 2, 9, 0), 45, (2026, 3, 6, 18, 0)),  # a working week
        ((2026, 12, 24, 10, 0), 18, (2026, 12, 29, 10, 0)),  # Christmas, then the weekend
        ((2026, 3, 2, 10, 0), 0, (2026, 3, 2, 10, 0)),
    ],
)
def test_adding_working_hours(start, hours, due):
    assert local(add_working_time(paris(*start), hours * HOUR)) == datetime(*due)


def test_good_friday_and_26_december_are_off_in_moselle_and_alsace_not_in_paris():
    # Thursday 2 April 2026, 16:00 + 4 working hours. Easter Monday (6 April) is off
    # everywhere.
    thursday = paris(2026, 4, 2, 16, 0)
    assert local(add_working_time(thursday, 4 * HOUR)) == datetime(2026, 4, 3, 11, 0)
    for subdivision in (MOSELLE, BAS_RHIN):
        due = add_working_time(thursday, 4 * HOUR, subdivision)
        assert local(due) == datetime(2026, 4, 7, 11, 0)
    # Wednesday 24 December 2025, 16:00: Christmas off everywhere, 26 December (a
    # Friday) only there.
    eve = paris(2025, 12, 24, 16, 0)
    assert local(add_working_time(eve, 4 * HOUR)) == datetime(2025, 12, 26, 11, 0)
    assert local(add_working_time(eve, 4 * HOUR, MOSELLE)) == datetime(2025, 12, 29, 11, 0)


def test_working_seconds_between():
    friday, monday = paris(2026, 3, 6, 17, 0), paris(2026, 3, 9, 10, 0)
    assert working_seconds_between(friday, monday) == 2 * HOUR
    assert working_seconds_between(monday, friday) == 0
    # A night and a day: Monday 11:00 → Wednesday 14:00 is 7 + 9 + 5 hours.
    assert working_seconds_between(paris(2026, 3, 9, 11), paris(2026, 3, 11, 14)) == 21 * HOUR
    # Over Good Friday: Thursday 16:00 → Tuesday 10:00.
    thursday, tuesday = paris(2026, 4, 2, 16, 0), paris(2026, 4, 7, 10, 0)
    assert working_seconds_between(thursday, tuesday) == 12 * HOUR
    assert working_seconds_between(thursday, tuesday, MOSELLE) == 3 * HOUR
    # At night and on a weekend, nothing.
    assert working_seconds_between(paris(2026, 3, 7, 8), paris(2026, 3, 8, 20)) == 0


def _add_working_time_walking(start: datetime, seconds: float, subdivision=None) -> datetime:
    """The definition, one calendar day at a time (what the calendar index must match)."""
    opens, closes = time(9), time(18)
    moment = timezone.localtime(start, PARIS)
    day, at = moment.date(), moment.time().replace(tzinfo=None)
    remaining = timedelta(seconds=seconds)
    while True:
        if is_opening_day(day, subdivision) and at < closes:
            begin = max(at, opens)
            available = datetime.combine(day, closes) - datetime.combine(day, begin)
            if remaining < available or (remaining == available and remaining):
                return datetime.combine(day, begin, tzinfo=PARIS) + remaining
            remaining -= available
        day, at = day + timedelta(days=1), time.min


def test_adding_and_counting_working_time_agree_with_the_calendar_over_years():
    rng = random.Random(2011)
    for _ in range(3000):
        start = paris(2011, 9, 9) + timedelta(minutes=rng.randrange(15 * 365 * 24 * 60))
        subdivision = rng.choice([None, MOSELLE, BAS_RHIN])
        seconds = rng.choice([0, 3 * HOUR, 4 * HOUR, 18 * HOUR, 180 * HOUR, rng.randrange(10**6)])
        due = add_working_time(start, seconds, subdivision)
        assert due == _add_working_time_walking(start, seconds, subdivision), (start, seconds)
        assert working_seconds_between(clock_start(start, subdivision), due, subdivision) == (
            seconds
        )


# ---------------------------------------------------------------------------- schedules


def test_a_request_filed_on_sunday_morning_counts_from_monday_9_00():
    schedule = sla_schedule(Priority.URGENT, paris(2026, 3, 1, 6, 4))
    assert {name: local(value) for name, value in vars(schedule).items()} == {
        "started_at": datetime(2026, 3, 2, 9, 0),
        "first_response_due": datetime(2026, 3, 2, 13, 0),  # 4 working hours
        "first_response_warning_at": datetime(2026, 3, 2, 12, 0),  # 75 % of them
        "resolution_due": datetime(2026, 3, 3, 18, 0),  # 18 working hours
        "resolution_warning_at": datetime(2026, 3, 3, 13, 30),
    }


def test_due_dates_depend_on_priority():
    start = paris(2011, 12, 1, 9, 0)  # Thursday
    dates = {priority: due_dates(priority, start) for priority in Priority.values}
    assert {priority: local(first) for priority, (first, _) in dates.items()} == {
        Priority.URGENT: datetime(2011, 12, 1, 13, 0),  # 4 working hours
        Priority.HIGH: datetime(2011, 12, 1, 18, 0),  # 9: a working day
        Priority.NORMAL: datetime(2011, 12, 2, 18, 0),  # 18
        Priority.LOW: datetime(2011, 12, 7, 18, 0),  # 45: a working week
    }
    resolutions = [dates[p][1] for p in (Priority.URGENT, Priority.HIGH, Priority.NORMAL)]
    assert resolutions == sorted(resolutions) and resolutions[-1] < dates[Priority.LOW][1]


def test_a_pause_pushes_every_date_back_by_the_working_time_paused():
    filed = paris(2026, 3, 2, 9, 0)
    before = sla_schedule(Priority.NORMAL, filed)
    after = sla_schedule(Priority.NORMAL, filed, paused_seconds=21 * HOUR)
    assert after.started_at == before.started_at
    for name in ("first_response_due", "resolution_due", "resolution_warning_at"):
        assert working_seconds_between(getattr(before, name), getattr(after, name)) == 21 * HOUR
    assert local(after.first_response_due) == datetime(2026, 3, 6, 12, 0)  # 18 + 21 hours


def test_working_hours_and_the_approaching_share_are_settings(settings):
    settings.SUPPORT_WORKING_HOURS = {"opens": "08:00", "closes": "12:00", "weekdays": [0, 1, 2]}
    settings.SLA_APPROACHING_RATIO = 0.5
    schedule = sla_schedule(Priority.URGENT, paris(2026, 3, 5, 10, 0))  # a Thursday
    assert local(schedule.started_at) == datetime(2026, 3, 9, 8, 0)  # Monday 8:00
    assert local(schedule.first_response_warning_at) == datetime(2026, 3, 9, 10, 0)
    assert local(schedule.first_response_due) == datetime(2026, 3, 9, 12, 0)
    # 18 hours: Monday, Tuesday, Wednesday, then Monday 16 and two hours on Tuesday 17.
    assert local(schedule.resolution_due) == datetime(2026, 3, 17, 10, 0)


# ---------------------------------------------------------------------------- states


def request_at(status=Status.IN_PROGRESS, *, answered=False, paused_at=None):
    """A request filed Monday 2 March 2026 at 9:00, urgent (first answer due at 13:00,
    approaching from 12:00; resolution due Tuesday at 18:00, approaching from 13:30)."""
    schedule = sla_schedule(Priority.URGENT, paris(2026, 3, 2, 9, 0))
    return SimpleNamespace(
        status=status,
        first_response_at=paris(2026, 3, 2, 10) if answered else None,
        sla_paused_at=paused_at,
        **{name: value for name, value in vars(schedule).items() if name != "started_at"},
    )


@pytest.mark.parametrize(
    ("now", "answered", "expected"),
    [
        ((2026, 3, 2, 11, 59), False, SlaState.ON_TIME),
        ((2026, 3, 2, 12, 0), False, SlaState.APPROACHING),
        ((2026, 3, 2, 13, 0), False, SlaState.BREACHED),
        ((2026, 3, 2, 13, 0), True, SlaState.ON_TIME),  # answered: the resolution counts
        ((2026, 3, 3, 13, 30), True, SlaState.APPROACHING),
        ((2026, 3, 3, 18, 0), True, SlaState.BREACHED),
    ],
)
def test_states_of_a_running_clock(now, answered, expected):
    assert sla_state(request_at(answered=answered), paris(*now)) == expected


def test_states_of_a_paused_or_finished_clock():
    later = paris(2026, 3, 20, 9)
    # Paused before the first answer fell due: paused, however late it is now.
    assert sla_state(request_at(paused_at=paris(2026, 3, 2, 12, 30)), later) == SlaState.PAUSED
    # Paused once already late: breached.
    assert sla_state(request_at(paused_at=paris(2026, 3, 2, 14)), later) == SlaState.BREACHED
    assert sla_state(request_at(Status.RESOLVED), later) is None

from datetime import datetime

import pytest
from django.utils import timezone

from accompagnement.support.enums import Priority
from accompagnement.support.sla import (
    add_working_days,
    due_dates,
    is_working_day,
    working_days_between,
)


def paris(*args):
    return timezone.make_aware(datetime(*args), timezone.get_fixed_timezone(60))


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
    assert is_working_day(datetime(*day).date()) is expected


def test_counting_skips_a_holiday_and_the_weekend():
    # Thursday 10 November 2011, 10:00 + 2 working days: Friday 11 is Armistice,
    # then the weekend, so Monday 14 then Tuesday 15.
    start = paris(2011, 11, 10, 10, 0)
    due = add_working_days(start, 2)
    local = timezone.localtime(due)
    assert (local.year, local.month, local.day, local.hour) == (2011, 11, 15, 10)


def test_counting_over_christmas_and_new_year():
    start = paris(2011, 12, 23, 9, 30)  # Friday
    due = timezone.localtime(add_working_days(start, 5))
    # 26, 27, 28, 29, 30 December 2011 are working days.
    assert due.date() == datetime(2011, 12, 30).date()
    due = timezone.localtime(add_working_days(start, 6))
    assert due.date() == datetime(2012, 1, 2).date()  # 31 Dec weekend, 1 Jan Sunday


def test_request_filed_on_a_saturday_starts_counting_on_monday():
    due = timezone.localtime(add_working_days(paris(2011, 12, 3, 11, 0), 1))
    assert due.date() == datetime(2011, 12, 5).date()


def test_working_days_between():
    assert working_days_between(paris(2011, 11, 10, 9), paris(2011, 11, 15, 9)) == 2
    assert working_days_between(paris(2011, 11, 10, 9), paris(2011, 11, 10, 18)) == 0


def test_due_dates_depend_on_priority():
    start = paris(2011, 12, 1, 9, 0)  # Thursday
    urgent_first, urgent_resolution = due_dates(Priority.URGENT, start)
    low_first, low_resolution = due_dates(Priority.LOW, start)
    assert urgent_first < low_first
    assert urgent_resolution < low_resolution
    assert timezone.localtime(urgent_first).date() == datetime(2011, 12, 2).date()

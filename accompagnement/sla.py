"""Service-level targets, counted in French working days (weekends and public holidays off)."""

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

from .enums import Priority

# (first response, resolution) in working days, per priority.
SLA_TARGETS: dict[str, tuple[int, int]] = {
    Priority.URGENT: (1, 2),
    Priority.HIGH: (1, 5),
    Priority.NORMAL: (2, 10),
    Priority.LOW: (5, 20),
}


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    # National holidays of metropolitan France (the team works from Paris).
    return frozenset(holidays.France(years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days after `start`, at the same local time.

    A request filed on a weekend or a holiday starts counting on the next working day.
    """
    local = timezone.localtime(start)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    naive = datetime.combine(day, local.time().replace(tzinfo=None))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days from `start` to `end` (0 on the same day)."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    if last <= first:
        return 0
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def due_dates(priority: str, start: datetime) -> tuple[datetime, datetime]:
    first_response, resolution = SLA_TARGETS[priority]
    return add_working_days(start, first_response), add_working_days(start, resolution)

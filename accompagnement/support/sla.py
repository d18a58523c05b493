"""Service-level targets, counted in French working days (weekends and public holidays off)."""

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

from accompagnement.support.enums import Priority

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


@lru_cache(maxsize=64)
def _working_days_to(year: int) -> tuple[int, ...]:
    """Per day of `year` (0 = 1 January): working days from 1 January to that day included."""
    counts, count, day = [], 0, date(year, 1, 1)
    while day.year == year:
        count += is_working_day(day)
        counts.append(count)
        day += timedelta(days=1)
    return tuple(counts)


def _working_days_through(day: date) -> int:
    return _working_days_to(day.year)[day.timetuple().tm_yday - 1]


def working_days_between_dates(first: date, last: date) -> int:
    """Working days after `first` up to `last` included (0 when `last` is not later).

    Read from yearly running totals: the demo seeder and the durations' backfill count
    hundreds of thousands of spans.
    """
    if last <= first:
        return 0
    count = _working_days_through(last) - _working_days_through(first)
    for year in range(first.year, last.year):
        count += _working_days_to(year)[-1]
    return count


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days from `start` to `end` (0 on the same day), on local dates."""
    return working_days_between_dates(
        timezone.localtime(start).date(), timezone.localtime(end).date()
    )


def working_days_elapsed(start: datetime | None, end: datetime | None) -> int | None:
    """`working_days_between`, or None while `end` (a response, a resolution) is unknown."""
    if start is None or end is None:
        return None
    return working_days_between(start, end)


def working_day_back(day: date, n: int) -> date:
    """The `n`-th working day counting back from `day` included (n >= 1).

    A request filed on that day or later is at most `n - 1` working days old on `day`.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    remaining = n
    while True:
        if is_working_day(day):
            remaining -= 1
            if remaining == 0:
                return day
        day -= timedelta(days=1)


def due_dates(priority: str, start: datetime) -> tuple[datetime, datetime]:
    first_response, resolution = SLA_TARGETS[priority]
    return add_working_days(start, first_response), add_working_days(start, resolution)

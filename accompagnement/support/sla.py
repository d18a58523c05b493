"""The team's clock: SLA targets in working hours, and French working days.

Targets count in the team's working hours (`settings.SUPPORT_WORKING_HOURS`, by default
Monday to Friday, 9:00 to 18:00, Europe/Paris), French public holidays off; for a DDI of
Bas-Rhin, Haut-Rhin or Moselle the local holidays of Alsace-Moselle are off too. A request
filed at night or on a weekend starts counting at the next opening. The clock pauses while
the request waits for the DDI or a partner (`services/clock.py` shifts the due dates by
the working time paused). The durations the dashboards aggregate stay in working days.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.support.enums import OPEN_STATUSES, Priority

# (first response, resolution) in working hours of the team, per priority: a working
# day is 9 hours, so "normal" is 2 days for a first answer and 10 days to resolve.
SLA_TARGETS: dict[str, tuple[int, int]] = {
    Priority.URGENT: (4, 18),
    Priority.HIGH: (9, 45),
    Priority.NORMAL: (18, 90),
    Priority.LOW: (45, 180),
}

# Departments with local public holidays (Good Friday, 26 December) and the `holidays`
# library's subdivision for them.
LOCAL_HOLIDAY_SUBDIVISIONS = {"57": "57", "67": "6AE", "68": "6AE"}


class SlaState(models.TextChoices):
    ON_TIME = "on_time", _("Dans les délais")
    APPROACHING = "approaching", _("Échéance proche")
    BREACHED = "breached", _("Échéance dépassée")
    PAUSED = "paused", _("Horloge suspendue")


def holiday_subdivision(department_code: str | None) -> str | None:
    """The `holidays` subdivision whose local holidays a DDI of this department keeps."""
    return LOCAL_HOLIDAY_SUBDIVISIONS.get(department_code or "")


@dataclass(frozen=True)
class WorkingHours:
    opens: time
    closes: time
    weekdays: frozenset[int]
    # The team's time zone, whatever the one activated for the reader.
    zone: ZoneInfo
    # How long the team works on an opening day.
    length: timedelta

    @property
    def day_seconds(self) -> int:
        return int(self.length.total_seconds())


def _parse_time(value) -> time:
    if isinstance(value, time):
        return value
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


def working_hours() -> WorkingHours:
    config = settings.SUPPORT_WORKING_HOURS
    return _working_hours(
        str(config["opens"]), str(config["closes"]), tuple(config["weekdays"]), settings.TIME_ZONE
    )


@lru_cache(maxsize=8)
def _working_hours(opens: str, closes: str, weekdays: tuple[int, ...], zone: str) -> WorkingHours:
    opens_at, closes_at = _parse_time(opens), _parse_time(closes)
    if closes_at <= opens_at or not weekdays:
        raise ValueError("SUPPORT_WORKING_HOURS: the team must work some hours of some days")
    length = datetime.combine(date.min, closes_at) - datetime.combine(date.min, opens_at)
    return WorkingHours(opens_at, closes_at, frozenset(weekdays), ZoneInfo(zone), length)


@lru_cache(maxsize=256)
def _public_holidays(year: int, subdivision: str | None = None) -> frozenset[date]:
    # National holidays of metropolitan France, plus a subdivision's local ones.
    return frozenset(holidays.France(years=year, subdiv=subdivision).keys())


def is_working_day(day: date, subdivision: str | None = None) -> bool:
    """Monday to Friday and not a public holiday (working days of the figures)."""
    return day.weekday() < 5 and day not in _public_holidays(day.year, subdivision)


def is_opening_day(day: date, subdivision: str | None = None) -> bool:
    """A day of the team's working hours (configured weekdays, not a public holiday)."""
    return _is_open(working_hours(), day, subdivision)


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


# ---------------------------------------------------------------------------- working hours


def _aware(hours: WorkingHours, day: date, moment: time) -> datetime:
    # Without `timezone.make_aware`'s per-call lookups (a tenth of a millisecond each).
    return datetime.combine(day, moment, tzinfo=hours.zone)


def _is_open(hours: WorkingHours, day: date, subdivision: str | None) -> bool:
    return day.weekday() in hours.weekdays and day not in _public_holidays(day.year, subdivision)


@lru_cache(maxsize=256)
def _opening_days(hours: WorkingHours, year: int, subdivision: str | None) -> tuple[date, ...]:
    """The team's opening days of `year`, in order: the clock counts days by bisecting
    these rather than by walking the calendar (the demo seeder and the migration count
    hundreds of thousands of due dates)."""
    off = _public_holidays(year, subdivision)
    day, days = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() in hours.weekdays and day not in off:
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def _opening_day_after(hours: WorkingHours, day: date, n: int, subdivision: str | None) -> date:
    """The `n`-th opening day after `day` (n >= 1)."""
    year = day.year
    days = _opening_days(hours, year, subdivision)
    index = bisect_right(days, day) + n - 1
    for _year_count in range(11):  # ten years: a target is hours, a pause months at most
        if index < len(days):
            return days[index]
        index -= len(days)
        year += 1
        days = _opening_days(hours, year, subdivision)
    raise ValueError("add_working_time: no working hours within ten years")


def _opening_days_strictly_between(
    hours: WorkingHours, first: date, last: date, subdivision: str | None
) -> int:
    count = 0
    for year in range(first.year, last.year + 1):
        days = _opening_days(hours, year, subdivision)
        low = bisect_right(days, first) if year == first.year else 0
        high = bisect_left(days, last) if year == last.year else len(days)
        count += max(high - low, 0)
    return count


def clock_start(moment: datetime, subdivision: str | None = None) -> datetime:
    """`moment` if the team is at work then, else its next opening."""
    hours = working_hours()
    day, begin = _clock_position(hours, moment, subdivision)
    return _aware(hours, day, begin)


def add_working_time(start: datetime, seconds: float, subdivision: str | None = None) -> datetime:
    """The moment `seconds` of working time after `start` (its next opening if 0).

    A target that ends exactly at closing time falls due at closing time, not at the
    next opening.
    """
    hours = working_hours()
    day, begin = _clock_position(hours, start, subdivision)
    return _advance(hours, day, begin, timedelta(seconds=max(seconds, 0)), subdivision)


def _clock_position(
    hours: WorkingHours, moment: datetime, subdivision: str | None
) -> tuple[date, time]:
    """The opening day and the local time at which the clock runs from `moment`."""
    local = moment.astimezone(hours.zone)
    day, at = local.date(), local.time()
    if not (_is_open(hours, day, subdivision) and at < hours.closes):
        return _opening_day_after(hours, day, 1, subdivision), hours.opens
    return day, max(at, hours.opens)


def _advance(
    hours: WorkingHours, day: date, begin: time, span: timedelta, subdivision: str | None
) -> datetime:
    """`span` of working time after `begin` on the opening day `day`."""
    available = datetime.combine(day, hours.closes) - datetime.combine(day, begin)
    if span <= available:
        return _aware(hours, day, begin) + span
    days, rest = divmod(span - available, hours.length)
    if not rest:  # exactly a number of whole days: closing time of the last one
        days, rest = days - 1, hours.length
    return _aware(hours, _opening_day_after(hours, day, days + 1, subdivision), hours.opens) + rest


def working_seconds_between(start: datetime, end: datetime, subdivision: str | None = None) -> int:
    """Seconds of the team's working hours from `start` to `end` (0 if not later)."""
    if end <= start:
        return 0
    hours = working_hours()
    first, last = start.astimezone(hours.zone), end.astimezone(hours.zone)

    def within(day: date, frm: time, to: time) -> int:
        if not _is_open(hours, day, subdivision):
            return 0
        begin, finish = max(frm, hours.opens), min(to, hours.closes)
        if finish <= begin:
            return 0
        return (datetime.combine(day, finish) - datetime.combine(day, begin)).seconds

    first_time, last_time = first.time(), last.time()
    if first.date() == last.date():
        return within(first.date(), first_time, last_time)
    total = within(first.date(), first_time, time.max) + within(last.date(), time.min, last_time)
    between = _opening_days_strictly_between(hours, first.date(), last.date(), subdivision)
    return total + between * hours.day_seconds


@dataclass(frozen=True)
class Schedule:
    """When a request's clock starts, when each target falls due and becomes approaching."""

    started_at: datetime
    first_response_due: datetime
    first_response_warning_at: datetime
    resolution_due: datetime
    resolution_warning_at: datetime


def sla_schedule(
    priority: str,
    filed_at: datetime,
    subdivision: str | None = None,
    *,
    paused_seconds: int = 0,
    started_at: datetime | None = None,
) -> Schedule:
    """The targets of `priority` counted from the first opening after `filed_at` (or from
    `started_at`), pushed back by `paused_seconds` of working time already paused."""
    hours = working_hours()
    day, begin = _clock_position(hours, started_at or filed_at, subdivision)
    paused = timedelta(seconds=paused_seconds)
    first_response, first_warning, resolution, resolution_warning = (
        _advance(hours, day, begin, span + paused, subdivision)
        for span in _target_spans(priority, settings.SLA_APPROACHING_RATIO)
    )
    return Schedule(
        started_at=started_at or _aware(hours, day, begin),
        first_response_due=first_response,
        first_response_warning_at=first_warning,
        resolution_due=resolution,
        resolution_warning_at=resolution_warning,
    )


@lru_cache(maxsize=32)
def _target_spans(priority: str, ratio: float) -> tuple[timedelta, ...]:
    """First response, its warning, resolution, its warning: as working time."""
    first_response, resolution = SLA_TARGETS[priority]
    return tuple(
        timedelta(seconds=hours * 3600)
        for hours in (first_response, first_response * ratio, resolution, resolution * ratio)
    )


def schedule_fields(schedule: Schedule) -> dict[str, datetime]:
    """The request's fields for `schedule`."""
    return {
        "sla_started_at": schedule.started_at,
        "first_response_due": schedule.first_response_due,
        "first_response_warning_at": schedule.first_response_warning_at,
        "resolution_due": schedule.resolution_due,
        "resolution_warning_at": schedule.resolution_warning_at,
    }


def due_dates(
    priority: str, start: datetime, subdivision: str | None = None
) -> tuple[datetime, datetime]:
    """First-response and resolution due dates for a request filed at `start`."""
    schedule = sla_schedule(priority, start, subdivision)
    return schedule.first_response_due, schedule.resolution_due


def request_subdivision(request) -> str | None:
    """The local-holiday subdivision of the request's DDI (reads its department)."""
    return holiday_subdivision(request.ddi.department.code)


def sla_state(request, now: datetime | None = None) -> SlaState | None:
    """On time, approaching or breached — paused while it waits; None once finished."""
    if request.status not in OPEN_STATUSES or request.first_response_due is None:
        return None
    now = now or timezone.now()
    clock = request.sla_paused_at or now
    targets = []
    if request.first_response_at is None:
        targets.append((request.first_response_warning_at, request.first_response_due))
    targets.append((request.resolution_warning_at, request.resolution_due))
    if any(due is not None and due <= clock for _warning, due in targets):
        return SlaState.BREACHED
    if request.sla_paused_at is not None:
        return SlaState.PAUSED
    if any(warning is not None and warning <= clock for warning, _due in targets):
        return SlaState.APPROACHING
    return SlaState.ON_TIME

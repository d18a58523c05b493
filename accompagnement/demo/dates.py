"""Working days for the demo: every date the demo makes up (a request filed, a reply, a
milestone due, a session, a "done" mark…) falls on a working day, Monday to Friday and not a
public holiday (`support.sla`'s calendar: French holidays, and Alsace-Moselle's own ones for
a DDI of Bas-Rhin, Haut-Rhin or Moselle)."""

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

from accompagnement.support.sla import LOCAL_HOLIDAY_SUBDIVISIONS, is_working_day

# The portal's time zone, without `timezone.localtime`'s per-call lookups (millions here).
LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)

# Long enough to cross any run of days off (a weekend next to a holiday).
_MAX_DAYS_OFF = 10


def working_day_on_or_after(day: date, subdivision: str | None = None) -> date:
    """`day` if it is a working day, else the next one."""
    for offset in range(_MAX_DAYS_OFF):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate, subdivision):
            return candidate
    raise AssertionError(f"no working day within {_MAX_DAYS_OFF} days of {day}")


def working_day_on_or_before(day: date, subdivision: str | None = None) -> date:
    """`day` if it is a working day, else the last one before it."""
    for offset in range(_MAX_DAYS_OFF):
        candidate = day - timedelta(days=offset)
        if is_working_day(candidate, subdivision):
            return candidate
    raise AssertionError(f"no working day within {_MAX_DAYS_OFF} days before {day}")


def working_day_up_to(day: date, last: date, subdivision: str | None = None) -> date:
    """The working day on or after `day`, but never after `last` (then the working day on or
    before `last`): a "done" mark moved off a weekend does not land in the future."""
    moved = working_day_on_or_after(day, subdivision)
    return moved if moved <= last else working_day_on_or_before(last, subdivision)


@lru_cache(maxsize=4096)
def is_working_day_everywhere(day: date) -> bool:
    """A working day for every DDI, whatever its department's local holidays (the day a
    demo request is filed is drawn before its DDI)."""
    return is_working_day(day) and all(
        is_working_day(day, subdivision) for subdivision in set(LOCAL_HOLIDAY_SUBDIVISIONS.values())
    )


def office_hours(moment: datetime, subdivision: str | None = None) -> datetime:
    """`moment` if in office hours (8:00 to 19:00 of a working day: Monday to Friday, not a
    public holiday of the DDI's department), else the next working morning: nobody answers
    at 3 a.m., nor on a Sunday or on 14 July."""
    local = moment.astimezone(LOCAL_TZ)
    if 8 <= local.hour < 19 and is_working_day(local.date(), subdivision):
        return moment
    day = local.date() + timedelta(days=1 if local.hour >= 19 else 0)
    day = working_day_on_or_after(day, subdivision)
    # Spread over the morning rather than all at 8:00.
    minutes = 8 * 60 + (local.hour * 60 + local.minute) % 150
    morning = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, local.second)
    return morning.replace(tzinfo=LOCAL_TZ)


def last_working_moment(moment: datetime, subdivision: str | None = None) -> datetime:
    """`moment` if it falls on a working day, else the end of the working day before."""
    local = moment.astimezone(LOCAL_TZ)
    if is_working_day(local.date(), subdivision):
        return moment
    day = working_day_on_or_before(local.date(), subdivision)
    return datetime(day.year, day.month, day.day, 18, 59, 59, tzinfo=LOCAL_TZ)

"""The portal's local days: the team works in Europe/Paris (settings.TIME_ZONE)."""

from datetime import date, datetime, time

from django.utils import timezone

# The days the forms accept: any real date, and far enough from the calendar's ends that
# adding a day (9999-12-31) or moving to UTC (0001-01-01 in Paris) never overflows.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def local_midnight(day: date) -> datetime:
    """The aware moment a local day starts (Europe/Paris)."""
    return timezone.make_aware(datetime.combine(day, time.min))

"""The portal's local days: the team works in Europe/Paris (settings.TIME_ZONE)."""

from datetime import date, datetime, time

from django.utils import timezone


def local_midnight(day: date) -> datetime:
    """The aware moment a local day starts (Europe/Paris)."""
    return timezone.make_aware(datetime.combine(day, time.min))

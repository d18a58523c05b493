"""The partners' response times, for the pilot (`/pilotage/partenaires/` and its export).

Per partner: the escalations sent in the period, those open now and overdue now (past
their expected date), the median and 90th percentile of the response time and the share
answered late (the escalations of the period that were answered), and the trend month by
month. A response time is counted in the team's working hours from `sent_at` to
`answered_at` (`support/sla.py`), so it is computed in Python over the answered
escalations of the period, read in one query; percentiles are continuous (linear
interpolation, PostgreSQL's `percentile_cont`, as the dashboards' durations).

Three queries whatever the number of escalations: the partners, the escalations of the
period, the open ones counted per partner.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import ceil, floor

from django.db.models import Count, Q
from django.utils import timezone

from accompagnement.core.dates import local_midnight
from accompagnement.partners.models import Escalation, Partner
from accompagnement.support.sla import working_seconds_between

# The default period: the current month and the eleven before it.
DEFAULT_MONTHS = 12


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class StatsPeriod:
    """Local days, both inclusive."""

    start: date
    end: date

    @classmethod
    def default(cls, today: date) -> "StatsPeriod":
        return cls(_add_months(_month_start(today), 1 - DEFAULT_MONTHS), today)

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return local_midnight(self.end + timedelta(days=1))

    def months(self) -> list[date]:
        """The first day of each month the period touches, in order."""
        months, month = [], _month_start(self.start)
        while month <= self.end:
            months.append(month)
            month = _add_months(month, 1)
        return months


def percentile(values: list[float], fraction: float) -> float | None:
    """Continuous percentile of `values` (sorted or not): linear interpolation between
    the closest ranks; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = ordered[floor(position)], ordered[ceil(position)]
    return low + (high - low) * (position - floor(position))


@dataclass
class MonthFigures:
    month: date
    sent: int = 0
    hours: list[float] = field(default_factory=list)
    # Length of its bar, in % of the busiest month of any partner (set by `partner_stats`).
    bar: int = 0

    @property
    def median_hours(self) -> float | None:
        return percentile(self.hours, 0.5)


@dataclass
class PartnerFigures:
    """One partner's figures over the period (and now, for the open escalations)."""

    partner: Partner | None  # None for the total of every partner
    sent: int = 0
    open_now: int = 0
    overdue_now: int = 0
    answered_late: int = 0
    hours: list[float] = field(default_factory=list)  # response times, working hours
    months: list[MonthFigures] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return len(self.hours)

    @property
    def median_hours(self) -> float | None:
        return percentile(self.hours, 0.5)

    @property
    def p90_hours(self) -> float | None:
        return percentile(self.hours, 0.9)

    @property
    def late_share(self) -> float | None:
        """Answered after the expected date, among the answered ones (0 to 1)."""
        return self.answered_late / self.answered if self.hours else None

    @property
    def late_percent(self) -> float | None:
        share = self.late_share
        return None if share is None else share * 100

    @property
    def has_activity(self) -> bool:
        return bool(self.sent or self.open_now)


@dataclass
class PartnerStats:
    period: StatsPeriod
    now: datetime
    # Partners with escalations sent in the period or open now.
    rows: list[PartnerFigures]
    # Active partners with nothing in the period and nothing open.
    idle: list[Partner]
    # Every partner together (its `partner` is None).
    total: PartnerFigures


def _response_hours(sent_at: datetime, answered_at: datetime) -> float:
    return working_seconds_between(sent_at, answered_at) / 3600


def partner_stats(*, period: StatsPeriod, now: datetime | None = None) -> PartnerStats:
    """Every partner's figures for `period` (3 queries)."""
    now = now or timezone.now()
    partners = list(Partner.objects.only("code", "name", "kind", "response_hours", "active"))
    months = period.months()
    figures = {
        partner.pk: PartnerFigures(partner, months=[MonthFigures(month) for month in months])
        for partner in partners
    }
    total = PartnerFigures(None, months=[MonthFigures(month) for month in months])
    month_index = {month: index for index, month in enumerate(months)}

    sent = Escalation.objects.filter(sent_at__gte=period.start_at, sent_at__lt=period.end_at)
    for partner_id, sent_at, expected_at, answered_at in sent.values_list(
        "partner_id", "sent_at", "expected_at", "answered_at"
    ).order_by():
        month = month_index[_month_start(timezone.localtime(sent_at).date())]
        hours = _response_hours(sent_at, answered_at) if answered_at is not None else None
        for row in (figures[partner_id], total):
            row.sent += 1
            row.months[month].sent += 1
            if hours is not None:
                row.hours.append(hours)
                row.months[month].hours.append(hours)
                row.answered_late += int(answered_at > expected_at)

    open_counts = (
        Escalation.objects.open()
        .values("partner_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(expected_at__lt=now)))
        .order_by()
    )
    for counts in open_counts:
        for row in (figures[counts["partner_id"]], total):
            row.open_now += counts["open"]
            row.overdue_now += counts["overdue"]

    rows = [row for row in figures.values() if row.has_activity]
    rows.sort(key=lambda row: (-row.overdue_now, -row.sent, row.partner.name))
    busiest = max((month.sent for row in rows for month in row.months), default=0)
    for row in rows:
        for month in row.months:
            month.bar = round(100 * month.sent / busiest) if busiest else 0
    idle = [row.partner for row in figures.values() if not row.has_activity and row.partner.active]
    return PartnerStats(period=period, now=now, rows=rows, idle=idle, total=total)

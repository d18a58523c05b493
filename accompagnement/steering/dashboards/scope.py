"""The filters every dashboard view shares, read from the URL so that a view can be
bookmarked and sent, and the links that drill down from a number to the queue."""

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from functools import cache
from urllib.parse import urlencode

from django.db.models import Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accompagnement.campaigns.models import CampaignKind, Milestone
from accompagnement.core.dates import local_midnight
from accompagnement.support.models import SupportRequest

# The team exists from 1 September 2011 (the SGG note announcing it is dated 9 September):
# "since the start" begins there.
TEAM_CREATED = date(2011, 9, 1)
# The closing campaign the presets name (DESIGN.md: the 2011 year-end closing).
CLOSING_CAMPAIGN_YEAR = 2011


class Period:
    WEEK = "semaine"
    MONTH = "mois"
    CAMPAIGN = "campagne-2011"
    ALL = "debut"
    CUSTOM = "dates"

    CHOICES = [
        (WEEK, _("Cette semaine")),
        (MONTH, _("Ce mois-ci")),
        (CAMPAIGN, _("Campagne de fin de gestion 2011")),
        (ALL, _("Depuis le début")),
        (CUSTOM, _("Dates choisies")),
    ]
    DEFAULT = MONTH


@cache
def queue_path() -> str:
    """The queue's path, resolved once (a dashboard page holds hundreds of links)."""
    return reverse("support:queue")


@dataclass(frozen=True)
class Scope:
    """One set of dashboard filters. Dates are local days, both inclusive."""

    today: date
    start: date
    end: date
    period: str = Period.DEFAULT
    ddi_kind: str = ""
    region: int | None = None
    department: int | None = None
    axis: str = ""
    csp: int | None = None
    programme: int | None = None

    # ------------------------------------------------------------------ the period

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return local_midnight(self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def period_q(self, field: str = "created_at") -> Q:
        return Q(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_at})

    # ------------------------------------------------------------------ other filters

    def ddi_q(self, prefix: str = "") -> Q:
        """DDI kind, region and department, on a DDI reached through `prefix`."""
        q = Q()
        if self.ddi_kind:
            q &= Q(**{f"{prefix}kind": self.ddi_kind})
        if self.region:
            q &= Q(**{f"{prefix}department__region_id": self.region})
        if self.department:
            q &= Q(**{f"{prefix}department_id": self.department})
        return q

    def request_q(self, prefix: str = "") -> Q:
        """Every filter but the period, on a request reached through `prefix`."""
        q = self.ddi_q(f"{prefix}ddi__")
        if self.axis:
            q &= Q(**{f"{prefix}axis": self.axis})
        if self.csp:
            q &= Q(**{f"{prefix}service_centre_id": self.csp})
        if self.programme:
            q &= Q(**{f"{prefix}programme_id": self.programme})
        return q

    def requests(self) -> QuerySet[SupportRequest]:
        """Requests matching every filter but the period."""
        return SupportRequest.objects.filter(self.request_q())

    def created_in_period(self) -> QuerySet[SupportRequest]:
        return self.requests().filter(self.period_q())

    # ------------------------------------------------------------------ URLs

    def params(self) -> dict[str, str]:
        """The dashboard's own GET parameters (links between views, exports)."""
        params = {"period": self.period}
        if self.period == Period.CUSTOM:
            params.update(start=self.start.isoformat(), end=self.end.isoformat())
        params.update(self._shared_params())
        return params

    def querystring(self) -> str:
        return urlencode(self.params())

    def _shared_params(self) -> dict[str, str]:
        # Same names in the dashboard and in the queue.
        params = {}
        for name in ("ddi_kind", "region", "department", "axis", "csp", "programme"):
            value = getattr(self, name)
            if value:
                params[name] = str(value)
        return params

    def queue_url(self, *, period: bool = True, status: str = "all", **extra) -> str:
        """The shared queue with the same filters, plus `extra` queue parameters.

        `period=True` limits to requests created in the period; pass `period=False` and
        other dates (`resolved_from`, `open_on`…) for other populations. The queue shows
        open requests by default: drill-downs say `status` explicitly.
        """
        params = {"status": status, **self._shared_params()}
        if period:
            params.update(created_from=self.start.isoformat(), created_to=self.end.isoformat())
        for name, value in extra.items():
            if value is None or value == "":
                continue
            params[name] = value.isoformat() if isinstance(value, date) else str(value)
        return queue_path() + "?" + urlencode(params)

    def with_changes(self, **changes) -> "Scope":
        return replace(self, **changes)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def closing_campaign_bounds() -> tuple[date, date] | None:
    """First and last milestone of the 2011 year-end campaign, if it is loaded."""
    bounds = Milestone.objects.filter(
        campaign__fiscal_year=CLOSING_CAMPAIGN_YEAR, campaign__kind=CampaignKind.YEAR_END
    ).aggregate(first=Min("due_date"), last=Max("due_date"))
    if bounds["first"] is None:
        return None
    return bounds["first"], bounds["last"]


def period_bounds(period: str, today: date, start=None, end=None) -> tuple[date, date]:
    if period == Period.WEEK:
        return today - timedelta(days=today.weekday()), today
    if period == Period.MONTH:
        return today.replace(day=1), today
    if period == Period.ALL:
        return TEAM_CREATED, today
    if period == Period.CAMPAIGN:
        bounds = closing_campaign_bounds()
        return bounds if bounds else (date(2011, 9, 1), date(2012, 1, 31))
    return start, end

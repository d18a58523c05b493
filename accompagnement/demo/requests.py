"""Bulk demo requests, for `manage.py seed_demo --requests N` (fictional people only).

Realistic volumes for the benchmarks and the screens: requests from the demo DDIs and,
less often each, from every other DDI, filed since the team was created (1 September
2011) until today, with their messages, internal notes and audit timeline. Old requests
are closed (or redirected); the open ones are recent.

Each run ADDS `count` requests: nothing is deleted or rewritten. References are
`ACC-<year of filing>-<5 digits>`; the numbers are reserved in `ReferenceCounter` before
anything is written, so requests filed afterwards (by the portal, or by another run)
never collide. A year holds at most 99,999 requests: a year that is full is skipped, and
the command refuses when the years together are full.

Only fictional people (`example.org`) file, follow or handle these requests: the demo
accounts, and `AGENTS_PER_DDI` fictional agents created once in every DDI.

Speed (200,000 requests in under 2 minutes on PostgreSQL, 89 to 107 s measured on
two-core machines): the reference data is read once, rows are built in Python as plain
tuples and written in batches of `BATCH_SIZE` (COPY on PostgreSQL, `bulk_create` elsewhere), and on
PostgreSQL the full-text vectors are filled by one set-based UPDATE at the end.
"""

import random
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from accompagnement.accounts.models import Role, TeamMember, User
from accompagnement.axes.models import Category
from accompagnement.core.search import SEARCH_VECTOR_MAX_CHARS, searchable_prefix
from accompagnement.demo.bulk import (
    BATCH_SIZE,
    garbage_collector_paused,
    rows_write,
    statistics_refresh,
)
from accompagnement.demo.campaign import past_acknowledgements_seed
from accompagnement.demo.dates import is_working_day_everywhere
from accompagnement.demo.escalation_history import demo_escalation_history_seed
from accompagnement.demo.escalations import demo_escalations_seed
from accompagnement.demo.people import AGENTS
from accompagnement.demo.stories import (
    EVENT_COLUMNS,
    LOCAL_TZ,
    MESSAGE_COLUMNS,
    REQUEST_COLUMNS,
    RequestBuilder,
)
from accompagnement.demo.texts import (
    DDI_KIND_WEIGHTS,
    DEMO_DDI_WEIGHT,
    FIRST_NAMES,
    LAST_NAMES,
    MONTH_WEIGHTS,
    YEAR_INTENSITY,
)
from accompagnement.demo.world import DdiInfo, TeamInfo, World, _cumulative
from accompagnement.support.models import Event, Message, ReferenceCounter, SupportRequest
from accompagnement.support.sla import holiday_subdivision
from ddi.models import DDI, Ministry, ServiceCentre, ServiceCentreAttachment

# The team exists from 1 September 2011 (the SGG note announcing it is dated 9 September).
TEAM_CREATED = date(2011, 9, 1)
MAX_PER_YEAR = 99_999
FICTIONAL_DOMAIN = "@example.org"
# Extra fictional agents per DDI, so that every DDI can file requests.
AGENTS_PER_DDI = 3


class NotEnoughReferences(Exception):
    pass


class MissingDemoData(Exception):
    pass


@dataclass
class SeedReport:
    created: int = 0
    messages: int = 0
    events: int = 0
    agents_created: int = 0
    by_year: dict[int, tuple[str, str]] = field(default_factory=dict)  # first, last reference
    acknowledgements: int = 0
    escalations: int = 0
    past_escalations: int = 0
    seconds: float = 0.0


MONTH_WEIGHTS.update({9: 1.0, 10: 1.2, 11: 1.5, 12: 1.7})


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum() or c == "-")


def _demo_agents_ensure(ddis: list[DDI]) -> tuple[dict[int, list[int]], int]:
    """Give every DDI `AGENTS_PER_DDI` fictional agents (created once, never signed in)."""
    wanted = {}
    for index, ddi in enumerate(ddis):
        for number in range(1, AGENTS_PER_DDI + 1):
            first = FIRST_NAMES[(index * 7 + number * 13) % len(FIRST_NAMES)]
            last = LAST_NAMES[(index * 11 + number * 17) % len(LAST_NAMES)]
            email = f"agent{number + 1}.{_slug(ddi.kind)}{_slug(ddi.department.code)}@example.org"
            wanted[email] = (first, last, ddi.pk)
    existing = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    unusable = make_password(None)  # they never sign in
    User.objects.bulk_create(
        [
            User(
                email=email,
                first_name=first,
                last_name=last,
                role=Role.AGENT,
                ddi_id=ddi_id,
                password=unusable,
            )
            for email, (first, last, ddi_id) in wanted.items()
            if email not in existing
        ],
        batch_size=BATCH_SIZE,
    )
    agents: dict[int, list[int]] = defaultdict(list)
    fictional = User.objects.filter(
        role=Role.AGENT, is_active=True, email__endswith=FICTIONAL_DOMAIN
    )
    for pk, ddi_id in fictional.values_list("pk", "ddi_id"):
        agents[ddi_id].append(pk)
    return agents, len(wanted) - len(existing)


def _world_load(report: SeedReport) -> World:
    ddis = list(DDI.objects.select_related("department").order_by("pk"))
    if not ddis:
        raise MissingDemoData
    agents, report.agents_created = _demo_agents_ensure(ddis)
    demo_emails = {a.email: (a.ddi_kind, a.department) for a in AGENTS}
    demo_agent_of = {
        demo_emails[email]: pk
        for pk, email in User.objects.filter(email__in=demo_emails).values_list("pk", "email")
    }
    attachments = defaultdict(list)
    for row in ServiceCentreAttachment.objects.values_list(
        "ddi_id",
        "programme_id",
        "programme__code",
        "programme__ministry_id",
        "service_centre_id",
        "service_centre__name",
    ).order_by("pk"):
        attachments[row[0]].append(row[1:])

    infos, weights = [], []
    for ddi in ddis:
        key = (ddi.kind, ddi.department.code)
        demo_agent = demo_agent_of.get(key)
        infos.append(
            DdiInfo(
                ddi.pk,
                ddi.acronym,
                agents[ddi.pk],
                demo_agent,
                attachments[ddi.pk],
                holiday_subdivision(ddi.department.code),
            )
        )
        weight = DDI_KIND_WEIGHTS.get(ddi.kind, 1.0)
        weights.append(DEMO_DDI_WEIGHT if demo_agent else weight)

    categories = list(
        Category.objects.filter(is_active=True).order_by("pk").values_list("pk", "axis", "code")
    )
    members = list(
        TeamMember.objects.filter(
            user__is_active=True,
            user__role__in=[Role.MEMBER, Role.PILOT],
            user__email__endswith=FICTIONAL_DOMAIN,
        )
        .select_related("user")
        .prefetch_related("referent_programmes")
        .order_by("pk")
    )
    if not categories or not members:
        raise MissingDemoData
    team = [
        TeamInfo(
            m.user_id,
            m.user.get_full_name(),
            m.time_share,
            m.referent_ministry_id,
            frozenset(p.pk for p in m.referent_programmes.all()),
        )
        for m in members
    ]
    pilots = [t for t, m in zip(team, members, strict=True) if m.user.role == Role.PILOT]
    return World(
        ddis=infos,
        ddi_cumulative=_cumulative(weights),
        categories=categories,
        team=team,
        team_cumulative=_cumulative(t.time_share for t in team),
        pilot=pilots[0] if pilots else team[0],
        ministries=dict(Ministry.objects.values_list("pk", "code")),
        service_centre_names=dict(ServiceCentre.objects.order_by("pk").values_list("pk", "name")),
    )


# ---------------------------------------------------------------------------- dates


def _filing_times(
    count: int, now: datetime, room: dict[int, int], rng: random.Random
) -> list[datetime]:
    """`count` filing moments since the team was created, sorted, within each year's room;
    on working days only (for every DDI: the DDI is drawn afterwards)."""
    today = now.astimezone(LOCAL_TZ).date()
    days = [
        day
        for day in (TEAM_CREATED + timedelta(n) for n in range((today - TEAM_CREATED).days + 1))
        if is_working_day_everywhere(day)
    ]
    day_weights = [YEAR_INTENSITY.get(d.year, 1.0) * MONTH_WEIGHTS[d.month] for d in days]
    by_year: dict[int, list[int]] = defaultdict(list)
    for index, d in enumerate(days):
        by_year[d.year].append(index)
    # Share the requests among the years by weight, then move what a full year cannot
    # take to the years that still have room.
    wanted = Counter()
    year_weight = {y: sum(day_weights[i] for i in idx) for y, idx in by_year.items()}
    open_years = {y for y in by_year if room.get(y, MAX_PER_YEAR) > 0}
    left = count
    while left:
        if not open_years:
            raise NotEnoughReferences
        total = sum(year_weight[y] for y in open_years)
        shares = {y: int(left * year_weight[y] / total) for y in open_years}
        shares[max(open_years, key=year_weight.get)] += left - sum(shares.values())
        for year, share in shares.items():
            take = min(share, room.get(year, MAX_PER_YEAR) - wanted[year])
            wanted[year] += take
            left -= take
            if wanted[year] >= room.get(year, MAX_PER_YEAR):
                open_years.discard(year)

    now_local = now.astimezone(LOCAL_TZ)
    times = []
    for year, n in wanted.items():
        indexes = by_year[year]
        cumulative = _cumulative(day_weights[i] for i in indexes)
        for d_index in rng.choices(indexes, cum_weights=cumulative, k=n):
            d = days[d_index]
            # Office hours mostly, 8:00 to 18:30.
            minute = int(rng.triangular(8 * 60, 18.5 * 60, 11 * 60))
            moment = datetime(d.year, d.month, d.day, minute // 60, minute % 60, rng.randrange(60))
            if d == today and moment > now_local.replace(tzinfo=None):
                # Earlier today, never the day before (which may be a day off).
                moment = max(
                    now_local.replace(tzinfo=None) - timedelta(minutes=rng.randrange(1, 120)),
                    datetime(d.year, d.month, d.day),
                )
            times.append(moment.replace(tzinfo=LOCAL_TZ))
    times.sort()
    return times


# ---------------------------------------------------------------------------- writing


def _used_by_year() -> dict[int, int]:
    """The last number used each year: the counter, or a reference above it if any."""
    used = dict(ReferenceCounter.objects.values_list("year", "last_number"))
    rows = (
        SupportRequest.objects.annotate(year=Substr("reference", 5, 4))
        .values("year")
        .annotate(last=Max("reference"))
        .order_by()
        .values_list("year", "last")
    )
    for year, last in rows:
        used[int(year)] = max(used.get(int(year), 0), int(last[-5:]))
    return used


@transaction.atomic
def _references_reserve(per_year: Counter) -> dict[int, int]:
    """Reserve the numbers in `ReferenceCounter`; returns the first number of each year."""
    used = _used_by_year()
    first = {}
    for year, count in sorted(per_year.items()):
        ReferenceCounter.objects.get_or_create(year=year)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        last = max(counter.last_number, used.get(year, 0))
        if last + count > MAX_PER_YEAR:
            raise NotEnoughReferences
        counter.last_number = last + count
        counter.save(update_fields=["last_number"])
        first[year] = last + 1
    return first


def _search_vectors_fill(pks: tuple[int, int]) -> None:
    """One UPDATE, same vector as `support.services.requests.support_request_update_search`."""
    if connection.vendor != "postgresql":
        return
    messages = (
        Message.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(text=StringAgg("body", delimiter=" ", order_by=("created_at", "pk")))
        .values("text")
    )
    half = SEARCH_VECTOR_MAX_CHARS // 2
    SupportRequest.objects.filter(pk__range=pks).update(
        search_vector=SearchVector("reference", weight="A", config="french")
        + SearchVector("title", weight="A", config="french")
        + SearchVector(searchable_prefix("body", half), weight="B", config="french")
        + SearchVector(searchable_prefix(Subquery(messages), half), weight="C", config="french")
    )


def _requests_write(rows: list[tuple]) -> list[int]:
    """Insert requests (REQUEST_COLUMNS); returns their ids, in order."""
    if connection.vendor != "postgresql":
        requests = [SupportRequest(**dict(zip(REQUEST_COLUMNS, row, strict=True))) for row in rows]
        SupportRequest.objects.bulk_create(requests, batch_size=BATCH_SIZE)
        return [request.pk for request in requests]
    # Ids taken from the table's sequence, so that COPY can write them.
    table = SupportRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        pks = [pk for (pk,) in cursor.fetchall()]
    rows_write(
        SupportRequest,
        ("id", *REQUEST_COLUMNS),
        [(pk, *row) for pk, row in zip(pks, rows, strict=True)],
    )
    return pks


def seed_demo_requests(
    *,
    count: int,
    progress: Callable[[int], object] | None = None,
    seed: int | None = None,
    now: datetime | None = None,
) -> SeedReport:
    """Add `count` demo requests (with messages, events, followers); see the module doc."""
    started = time.monotonic()
    report = SeedReport()
    if count <= 0:
        return report
    now = now or timezone.now()
    rng = random.Random(seed)
    world = _world_load(report)

    used = _used_by_year()
    room = {
        year: MAX_PER_YEAR - used.get(year, 0)
        for year in range(TEAM_CREATED.year, timezone.localtime(now).year + 1)
    }
    times = _filing_times(count, now, room, rng)
    years = [t.astimezone(LOCAL_TZ).year for t in times]
    next_number = _references_reserve(Counter(years))
    builder = RequestBuilder(world, rng, now)
    follow = SupportRequest.followers.through
    pks: list[int] = []

    with garbage_collector_paused(), transaction.atomic():
        for start in range(0, count, BATCH_SIZE):
            built = []
            for created_at, year in zip(
                times[start : start + BATCH_SIZE], years[start : start + BATCH_SIZE], strict=True
            ):
                reference = f"ACC-{year}-{next_number[year]:05d}"
                next_number[year] += 1
                first = report.by_year.get(year, (reference,))[0]
                report.by_year[year] = (first, reference)
                built.append(builder.build(created_at, reference))
            batch_pks = _requests_write([b.request.as_tuple() for b in built])
            pks += batch_pks
            messages, events, follows = [], [], []
            for pk, b in zip(batch_pks, built, strict=True):
                messages += [(pk, *row) for row in b.messages]
                events += [(pk, *row) for row in b.events]
                follows += [(pk, user) for user in b.followers]
            rows_write(Message, ("request_id", *MESSAGE_COLUMNS), messages)
            rows_write(Event, ("request_id", *EVENT_COLUMNS), events)
            rows_write(follow, ("supportrequest_id", "user_id"), follows)
            report.created += len(built)
            report.messages += len(messages)
            report.events += len(events)
            if progress:
                progress(len(built))
        bounds = (min(pks), max(pks))
        # Before the search vectors: the answers' notes are searchable, as the portal's.
        report.past_escalations = demo_escalation_history_seed(bounds, rng)
        _search_vectors_fill(bounds)
        report.escalations = demo_escalations_seed(bounds, rng, now)
        report.acknowledgements = past_acknowledgements_seed(world, rng, now)
    statistics_refresh()
    report.seconds = time.monotonic() - started
    return report

"""Reads behind the team's screens: the shared queue, its choice lists, the team roster, a
member's saved filters, and what the team's actions read.

The queue page has a fixed query budget (DESIGN §7: at most 10 whatever the data size), so
every list it renders is loaded here in one query, and the reference data behind the
filter dropdowns (238 DDI, 88 CSP…) is cached: it only changes when the reference files
are reloaded.
"""

import logging
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.accounts.models import Role, User
from accompagnement.accounts.selectors import absences_covering
from accompagnement.axes.models import Axis, Category
from accompagnement.core.converters import is_reference
from accompagnement.support.models import Event, Message, SupportRequest
from accompagnement.support.selectors import requests as request_selectors
from accompagnement.support.team_models import SavedFilter
from ddi.models import DDI, Ministry, Programme, ServiceCentre

# Reference data changes with `load_reference_data` or in the admin; a stale dropdown
# for a few minutes is harmless (filtering by id keeps working).
CHOICES_CACHE_SECONDS = 15 * 60
CHOICES_CACHE_PREFIX = "support:choices:v1:"

QUEUE_PAGE_SIZE = 50
# The queue counts its matching rows up to this number (and says "more than" beyond):
# counting all 200,000 requests cost 7 to 17 ms a page, whatever page was asked for.
QUEUE_COUNT_CAP = 10_000
SEARCH_MAX_TERMS = 6

# The sort keys of the queue (URL parameter `tri`) → ORDER BY, always ending on `pk`
# so that pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "-created": ("-created_at", "-pk"),
    "created": ("created_at", "pk"),
    "-priority": ("-priority_rank", "created_at", "pk"),
    "priority": ("priority_rank", "-created_at", "-pk"),
    "due": ("resolution_due", "pk"),
    "-due": ("-resolution_due", "-pk"),
    "-activity": ("-last_activity_at", "-pk"),
    "activity": ("last_activity_at", "pk"),
}
DEFAULT_SORT = "-created"


# ---------------------------------------------------------------------------- the queue

logger = logging.getLogger(__name__)


class CappedPaginator(Paginator):
    """Django's paginator over the first `cap` rows: the count reads at most `cap` + 1
    rows (a bounded cost whatever the table's size), and `is_capped` says there are more.
    Beyond the cap, rows are reached by filtering or sorting, not by paging."""

    def __init__(self, object_list, per_page, *, cap: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _bounded_count(self) -> int:
        # Any `cap` + 1 rows will do: no ORDER BY, which could sort the whole table.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._bounded_count > self.cap


def queue_requests() -> QuerySet[SupportRequest]:
    """Every request, with what a queue row shows (one query per page, no per-row read).

    Only the tables a row reads are joined, and the description and the search vector,
    the widest columns, stay in the database: a row shows neither.
    """
    return SupportRequest.objects.select_related("ddi__department", "category", "assignee").defer(
        "body", "search_vector"
    )


def queue_sort(queryset: QuerySet[SupportRequest], sort: str) -> QuerySet[SupportRequest]:
    return queryset.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def queue_search(queryset: QuerySet[SupportRequest], text: str) -> QuerySet[SupportRequest]:
    """Full-text search over reference, title, body and messages.

    PostgreSQL: the French `search_vector` kept up to date by the services (stemming:
    "restitutions" finds "restitution"), or the exact reference. Elsewhere (SQLite in
    development): every word must appear in the reference, title, body or a message.
    """
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config="french", search_type="websearch")
        return queryset.filter(Q(search_vector=query) | Q(reference__iexact=text))
    condition = Q(reference__iexact=text)
    words = Q()
    for word in text.split()[:SEARCH_MAX_TERMS]:
        in_messages = Message.objects.filter(request=OuterRef("pk"), body__icontains=word)
        words &= (
            Q(reference__icontains=word)
            | Q(title__icontains=word)
            | Q(body__icontains=word)
            | Exists(in_messages)
        )
    return queryset.filter(condition | words)


# ---------------------------------------------------------------------------- choice lists


def _load_places() -> dict[str, list]:
    # One query for three dropdowns: every department and region that has a DDI
    # (all of them do) comes with the DDI list.
    ddis = DDI.objects.select_related("department__region").order_by("department__code", "kind")
    regions, departments, ddi_choices = {}, {}, []
    for ddi in ddis:
        department = ddi.department
        regions[department.region_id] = department.region.name
        departments[department.pk] = (department.code, f"{department.code} — {department.name}")
        ddi_choices.append((ddi.pk, f"{ddi.acronym} — {department.name}"))
    return {
        "regions": sorted(regions.items(), key=lambda item: item[1]),
        "departments": [
            (pk, label) for pk, (_code, label) in sorted(departments.items(), key=lambda i: i[1][0])
        ],
        "ddis": ddi_choices,
    }


def _load_categories() -> dict[str, list]:
    # Grouped by axis (<optgroup>), in the order the DDIs see them; the active ones apart
    # (what a member may set when correcting a request).
    groups: dict[str, list] = {axis: [] for axis in Axis.values}
    active: dict[str, list] = {axis: [] for axis in Axis.values}
    for pk, axis, name, is_active in Category.objects.order_by(
        "axis", "position", "name"
    ).values_list("pk", "axis", "name", "is_active"):
        groups.setdefault(axis, []).append((pk, name))
        if is_active:
            active.setdefault(axis, []).append((pk, name))
    return {
        "categories": [(str(Axis(axis).label), items) for axis, items in groups.items() if items],
        "active_categories": [
            (str(Axis(axis).label), items) for axis, items in active.items() if items
        ],
    }


def _load_service_centres() -> dict[str, list]:
    return {
        "service_centres": list(ServiceCentre.objects.order_by("name").values_list("pk", "name"))
    }


def _load_programmes() -> dict[str, list]:
    return {
        "programmes": [
            (pk, f"P{code} — {label}")
            for pk, code, label in Programme.objects.order_by("code").values_list(
                "pk", "code", "label"
            )
        ]
    }


def _load_ministries() -> dict[str, list]:
    return {
        "ministries": [
            (pk, f"{code} — {name}")
            for pk, code, name in Ministry.objects.order_by("code").values_list(
                "pk", "code", "name"
            )
        ]
    }


_LOADERS = {
    "places": _load_places,
    "categories": _load_categories,
    "service_centres": _load_service_centres,
    "programmes": _load_programmes,
    "ministries": _load_ministries,
}
# Which loader provides each list.
_LIST_SOURCES = {
    "regions": "places",
    "departments": "places",
    "ddis": "places",
    "categories": "categories",
    "active_categories": "categories",
    "service_centres": "service_centres",
    "programmes": "programmes",
    "ministries": "ministries",
}


def reference_choices(*names: str) -> dict[str, list]:
    """Choice lists of reference data, `(id, label)`, cached; one query per missing loader."""
    sources = {_LIST_SOURCES[name] for name in names}
    keys = {source: CHOICES_CACHE_PREFIX + source for source in sources}
    try:
        found = cache.get_many(keys.values())
    except Exception:  # the cache is down: read the lists from the database
        logger.warning("Cache injoignable, listes de référence lues en base", exc_info=True)
        found = {}
    loaded: dict[str, list] = {}
    for source, key in keys.items():
        # A list cached before its loader gave it counts as missing.
        wanted = {name for name in names if _LIST_SOURCES[name] == source}
        if key in found and wanted <= set(found[key]):
            loaded.update(found[key])
            continue
        lists = _LOADERS[source]()
        loaded.update(lists)
        try:
            cache.set(key, lists, CHOICES_CACHE_SECONDS)
        except Exception:
            logger.warning("Cache injoignable, listes de référence non conservées", exc_info=True)
    return {name: loaded[name] for name in names}


def reference_choices_forget() -> None:
    """Drop the cached lists (after reloading reference data, and in tests)."""
    cache.delete_many([CHOICES_CACHE_PREFIX + source for source in _LOADERS])


# ---------------------------------------------------------------------------- the team


def team_members(*, support_request: SupportRequest | None = None) -> list[User]:
    """Active members and pilot, with their home structure, in one query.

    With a request, each carries `is_suggested`: referent for the ministry of the
    request's programme (or, without one, of its CSP: any ministry of a joint centre), or
    for the programme itself. Each carries
    `absent_until`: the last day of the absence under way, or None.
    """
    today = timezone.localdate()
    # The last day of an absence under way, shown beside the name (same query).
    away = absences_covering(today).filter(member__user=OuterRef("pk")).order_by("-end")
    members = (
        User.objects.filter(role__in=(Role.MEMBER, Role.PILOT), is_active=True)
        .select_related("team_profile__structure")
        .annotate(absent_until=Subquery(away.values("end")[:1]))
        .order_by("last_name", "first_name", "pk")
    )
    suggested = Q()
    if support_request is not None and support_request.programme_id:
        programme_id = support_request.programme_id
        suggested = Q(team_profile__referent_programmes=programme_id) | Q(
            team_profile__referent_ministry__programmes=programme_id
        )
    elif support_request is not None and support_request.service_centre_id:
        # A joint centre (an agriculture-ecology CPCM) concerns each of its ministries.
        centre_id = support_request.service_centre_id
        suggested = Q(team_profile__referent_ministry__service_centres=centre_id) | Q(
            team_profile__referent_ministry__joint_service_centres=centre_id
        )
    if suggested:
        members = members.annotate(
            is_suggested=Case(
                When(pk__in=User.objects.filter(suggested).values("pk"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    else:
        members = members.annotate(is_suggested=Value(False, output_field=BooleanField()))
    return list(members)


def member_label(user: User) -> str:
    profile = getattr(user, "team_profile", None)
    label = user.get_full_name()
    if profile is not None:
        label = f"{label} ({profile.structure.name})"
    until = getattr(user, "absent_until", None)
    if until is not None:
        label = _("%(label)s — absent jusqu’au %(day)s") % {
            "label": label,
            "day": date_format(until, "j F"),
        }
    return label


def member_structures(members: list[User]) -> list[tuple[int, str]]:
    """The home structures of `members` (already loaded with them), for a filter."""
    structures = {}
    for user in members:
        profile = getattr(user, "team_profile", None)
        if profile is not None:
            structures[profile.structure_id] = profile.structure.name
    return sorted(structures.items(), key=lambda item: item[1])


# ---------------------------------------------------------------------------- saved filters


def saved_filters_of(user: User) -> QuerySet[SavedFilter]:
    """Only the member's own saved filters: another member's are never reachable."""
    if not roles.is_team(user):
        return SavedFilter.objects.none()
    return SavedFilter.objects.filter(owner=user).order_by("name", "pk")


# ---------------------------------------------------------------------------- actions


def requests_for_bulk(user: User, ids: Iterable[int]) -> QuerySet[SupportRequest]:
    """The selected requests the user may act on, with what the services read."""
    return (
        request_selectors.requests_visible_to(user)
        .filter(pk__in=list(ids))
        .select_related("assignee", "requester")
        .order_by("reference")
    )


def request_by_reference(user: User, reference: str) -> SupportRequest | None:
    """Another request named in a form (duplicate of, related to), if the user sees it.
    Anything but a reference (a NUL byte, which PostgreSQL refuses) finds nothing."""
    reference = reference.strip().upper()
    if not is_reference(reference):
        return None
    return request_selectors.requests_visible_to(user).filter(reference=reference).first()


def last_editor(support_request: SupportRequest) -> User | None:
    """Who made the latest recorded change (for the concurrent-update message)."""
    event = (
        Event.objects.filter(request=support_request)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.actor if event else None


def related_requests(support_request: SupportRequest) -> list[SupportRequest]:
    return list(support_request.related.select_related("ddi__department").order_by("reference"))

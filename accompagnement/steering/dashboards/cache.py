"""Cached dashboard tables, right after every change of a request.

Aggregating 200,000 requests over years takes longer than a page should. The tables of
the request-based views are kept in the cache under a key made of the view, the filters,
the day, and a fingerprint of the requests table: the latest `last_activity_at` (every
write of a request through the services moves it), the highest id (a new request) and a
generation number kept in the cache itself, moved when a request is deleted. Any change
gives a new key, so a cached table is never stale; the fingerprint costs one query that
two indexes answer. When the cache is unreachable the tables are computed as if nothing
was cached.
"""

import hashlib
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import Count, Max, Q

from accompagnement.accounts.models import Role, User
from accompagnement.steering.dashboards.scope import Scope
from accompagnement.support.models import SupportRequest
from ddi.models import DDI

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 6 * 3600
KEY_PREFIX = "dashboard:v1"


GENERATION_KEY = f"{KEY_PREFIX}:generation"


def generation() -> int:
    try:
        return cache.get_or_set(GENERATION_KEY, 0, None)
    except Exception:
        return -1


def generation_move() -> None:
    """After a request is deleted (`post_delete`), so that no cached table counts it."""
    try:
        cache.set(GENERATION_KEY, generation() + 1, None)
    except Exception:
        logger.warning("Cache injoignable, génération des tableaux non avancée", exc_info=True)


def requests_fingerprint() -> str:
    state = SupportRequest.objects.aggregate(last=Max("last_activity_at"), top=Max("pk"))
    last = state["last"].isoformat() if state["last"] else "-"
    return f"{last}|{state['top']}|{generation()}"


def people_fingerprint() -> str:
    """Active DDI agents and DDIs: the map's denominators."""
    state = User.objects.aggregate(
        agents=Count("pk", filter=Q(role=Role.AGENT, is_active=True)), top=Max("pk")
    )
    return f"{state['agents']}|{state['top']}|{DDI.objects.count()}"


def cache_key(view: str, scope: Scope, options: dict, fingerprint: str) -> str:
    parts = [view, scope.today.isoformat(), scope.querystring(), repr(sorted(options.items()))]
    digest = hashlib.sha256("\n".join([*parts, fingerprint]).encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{view}:{digest}"


def cached(
    view: str,
    scope: Scope,
    options: dict,
    compute: Callable[[], object],
    *,
    with_people: bool = False,
):
    """`compute()`, or its cached result for the same view, filters and data (the
    requests, and the agents and DDIs too `with_people`)."""
    fingerprint = requests_fingerprint()
    if with_people:
        fingerprint += "|" + people_fingerprint()
    key = cache_key(view, scope, options, fingerprint)
    try:
        found = cache.get(key)
    except Exception:  # the cache is down: the page still answers
        logger.warning("Cache injoignable, tableaux de bord calculés sans cache", exc_info=True)
        return compute()
    if found is not None:
        return found
    result = compute()
    try:
        cache.set(key, result, TIMEOUT_SECONDS)
    except Exception:
        logger.warning("Cache injoignable, tableaux de bord non conservés", exc_info=True)
    return result


def on_request_deleted(sender, **kwargs) -> None:
    generation_move()

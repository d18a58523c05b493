"""`/sante/`: health checks of the services the portal depends on (database, cache, broker,
Celery worker and beat), for the monitoring and the load balancer's probe.

The public (and agents) get `{"status": "ok"}` or a 503 with `{"status": "error"}`: what a
probe needs, and nothing about the services behind the portal, their errors nor the age
of the worker's heartbeat. The details are for the team and Django's staff
(`roles.sees_diagnostics`).
"""

import logging
import time
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accompagnement.accounts import roles
from accompagnement.web.celery_signals import BEAT_LAST_RUN_KEY, WORKER_HEARTBEAT_KEY
from config.celery import app as celery_app

# A worker beats every 30 s: 5 minutes without a beat, it is gone or stuck.
WORKER_STALE_AFTER_SECONDS = 5 * 60
# Beat sends the outbox sweep every 5 minutes: twice that without a run, it is down.
BEAT_STALE_AFTER_SECONDS = 10 * 60

logger = logging.getLogger(__name__)


def _result(ok: bool, detail: str = "") -> dict:
    return {"ok": ok, "detail": detail} if detail else {"ok": ok}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        logger.warning("Health check: database down: %s", exc)
        return _result(False, type(exc).__name__)
    return _result(True)


def check_cache() -> dict:
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:
        logger.warning("Health check: cache down: %s", exc)
        return _result(False, type(exc).__name__)
    return _result(ok, "" if ok else "read-back failed")


def check_broker() -> dict:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:
        logger.warning("Health check: broker down: %s", exc)
        return _result(False, type(exc).__name__)
    return _result(True)


def _check_recent(key: str, stale_after: int, missing: str) -> dict:
    """Fresh when the timestamp under `key` is at most `stale_after` seconds old."""
    try:
        recorded = cache.get(key)
    except Exception as exc:
        return _result(False, type(exc).__name__)
    if not recorded:
        return _result(False, missing)
    age = max(0, round(time.time() - recorded["at"]))
    result = _result(age <= stale_after, "" if age <= stale_after else "stale")
    result["age_seconds"] = age
    return result


def check_worker() -> dict:
    """The last heartbeat of a Celery worker (written by the worker, web/celery_signals.py)."""
    return _check_recent(WORKER_HEARTBEAT_KEY, WORKER_STALE_AFTER_SECONDS, "no heartbeat")


def check_beat() -> dict:
    """The last periodic task sent by Celery beat."""
    return _check_recent(BEAT_LAST_RUN_KEY, BEAT_STALE_AFTER_SECONDS, "no run recorded")


def check_all(*, web_only: bool = False) -> dict:
    """Every check; `web_only`: what a web process needs (the load balancer's probe must
    not take the web processes out because the worker stopped)."""
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    # Off where no worker runs beside the web process (the test suite, a benchmark).
    if getattr(settings, "HEALTH_CHECK_CELERY", True) and not web_only:
        checks["worker"] = check_worker()
        checks["beat"] = check_beat()
    return checks


@login_not_required
@never_cache
@require_GET
def health(request):
    """Public: database, cache, broker, worker heartbeat and beat's last run; 200 when
    all are fine, 503 otherwise. `?perimetre=web`: the first three only (for the load
    balancer's probe of the web processes). Each check's result for the team only."""
    checks = check_all(web_only=request.GET.get("perimetre") == "web")
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "error"}
    if roles.sees_diagnostics(request.user):
        body["checks"] = checks
    return JsonResponse(
        body,
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )

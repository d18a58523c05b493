"""Health checks of the services the portal depends on."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection

from config.celery import app as celery_app

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


def check_all() -> dict:
    return {"database": check_database(), "cache": check_cache(), "broker": check_broker()}

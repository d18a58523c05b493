"""What the Celery processes tell the logs and `/sante/`.

- Every task run logs one line: its name, its key arguments (ids and counts, never a
  text), its outcome (success, retry, failure) and its duration; the lines the task writes
  meanwhile carry its name and id (`log_context`).
- A worker writes a heartbeat in the cache every `WORKER_HEARTBEAT_SECONDS`, from the
  moment it is ready until it stops.
- Beat records in the cache each periodic task it sends (and its own start).

`/sante/` reads the last two (health.py). Connected by config/celery.py.
"""

import contextlib
import logging
import threading
import time

from celery import signals
from django.core.cache import cache

from accompagnement.web.logging import log_context

logger = logging.getLogger("accompagnement.tasks")

WORKER_HEARTBEAT_KEY = "health:worker-heartbeat"
BEAT_LAST_RUN_KEY = "health:beat-last-run"
WORKER_HEARTBEAT_SECONDS = 30

_started: dict[str, tuple[float, object]] = {}
_heartbeat_stop = threading.Event()


def key_arguments(args, kwargs) -> dict:
    """Ids, numbers and flags as they are; lists as their length; texts left out."""

    def reduce(value):
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, list | tuple):
            return {"count": len(value)}
        return None

    named = {f"arg{position}": reduce(value) for position, value in enumerate(args or ())}
    named.update({name: reduce(value) for name, value in (kwargs or {}).items()})
    return {name: value for name, value in named.items() if value is not None}


@signals.task_prerun.connect(weak=False, dispatch_uid="acc_task_prerun")
def task_started(task_id=None, task=None, **_):
    token = log_context.set({"task": task.name, "task_id": task_id})
    _started[task_id] = (time.monotonic(), token)


@signals.task_postrun.connect(weak=False, dispatch_uid="acc_task_postrun")
def task_finished(task_id=None, task=None, args=None, kwargs=None, state=None, **_):
    started, token = _started.pop(task_id, (None, None))
    outcome = (state or "unknown").lower()
    level = {"success": logging.INFO, "retry": logging.WARNING}.get(outcome, logging.ERROR)
    duration_ms = round((time.monotonic() - started) * 1000) if started else None
    logger.log(
        level,
        "Task %s: %s in %s ms",
        task.name,
        outcome,
        duration_ms,
        extra={
            "task_name": task.name,
            "arguments": key_arguments(args, kwargs),
            "outcome": outcome,
            "duration_ms": duration_ms,
            "retries": getattr(task.request, "retries", 0),
        },
    )
    if token is not None:
        # Set in another context (a pool's thread): nothing to undo.
        with contextlib.suppress(ValueError):
            log_context.reset(token)


@signals.task_failure.connect(weak=False, dispatch_uid="acc_task_failure")
def task_failed(task_id=None, exception=None, sender=None, **_):
    # The exception's type only: its message may quote data.
    logger.error(
        "Task %s failed: %s",
        getattr(sender, "name", "?"),
        type(exception).__name__,
        extra={"task_name": getattr(sender, "name", "?"), "error": type(exception).__name__},
    )


# ---------------------------------------------------------------------------- heartbeats


def record_worker_heartbeat(hostname: str = "") -> None:

    try:
        cache.set(WORKER_HEARTBEAT_KEY, {"at": time.time(), "hostname": hostname}, timeout=None)
    except Exception as exc:  # the cache is down: /sante/ says so on its own
        logger.warning("Worker heartbeat not recorded: %s", type(exc).__name__)


def _heartbeat_loop(hostname: str) -> None:
    while not _heartbeat_stop.wait(WORKER_HEARTBEAT_SECONDS):
        record_worker_heartbeat(hostname)


@signals.worker_ready.connect(weak=False, dispatch_uid="acc_worker_ready")
def worker_ready(sender=None, **_):
    hostname = getattr(sender, "hostname", "") or ""
    record_worker_heartbeat(hostname)
    _heartbeat_stop.clear()
    threading.Thread(
        target=_heartbeat_loop, args=(hostname,), name="heartbeat", daemon=True
    ).start()


@signals.worker_shutdown.connect(weak=False, dispatch_uid="acc_worker_shutdown")
def worker_shutdown(**_):
    _heartbeat_stop.set()


def record_beat_run(task_name: str) -> None:

    try:
        cache.set(BEAT_LAST_RUN_KEY, {"at": time.time(), "task": task_name}, timeout=None)
    except Exception as exc:
        logger.warning("Beat run not recorded: %s", type(exc).__name__)


def _beat_sent(sender=None, headers=None, **_):
    task_name = (headers or {}).get("task") or str(sender or "")
    record_beat_run(task_name)


@signals.beat_init.connect(weak=False, dispatch_uid="acc_beat_init")
def beat_started(**_):
    record_beat_run("")
    # Only in the beat process: every task it publishes is a periodic run.
    signals.before_task_publish.connect(_beat_sent, weak=False, dispatch_uid="acc_beat_sent")

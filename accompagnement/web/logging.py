"""Structured logs: who asked what, on every line, and never a secret nor a user's text.

`RequestIdMiddleware` (middleware.py) and the Celery signal handlers (celery_signals.py)
put the context of the work in hand in `log_context`; `ContextFilter` copies it onto each
record (request id, user id and role, or the task and its id), and `JsonFormatter` writes
one JSON object a line (production), or `TEXT_FORMAT` in development.

Sensitive values are masked whatever their source: extra fields and dictionaries passed
as arguments whose key names a password, a token, a secret or a text typed by a user
(`body`, `comment`…), and `password=…`-like pairs inside the message itself.
"""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

# request_id, and the request (its user is read when a line is written, once known) for
# a web request; task and task_id for a Celery task.
log_context: ContextVar[dict | None] = ContextVar("log_context", default=None)

MASK = "[masqué]"
SENSITIVE_KEY = re.compile(
    r"pass|pwd|secret|token|csrf|session|cookie|authori[sz]ation|api_?key|dsn"
    r"|(?:^|_)(?:body|comment|content|text|answer|note)(?:$|_)",
    re.IGNORECASE,
)
SENSITIVE_PAIR = re.compile(
    r"(?P<key>\b[\w-]*(?:password|passwd|secret|token|csrfmiddlewaretoken|sessionid)[\w-]*)"
    r"(?P<sep>['\"]?\s*[=:]\s*['\"]?)(?P<value>[^\s&'\",;}]+)",
    re.IGNORECASE,
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user_id)s] %(message)s"
# Attributes of every LogRecord: the rest of a record's __dict__ came as `extra=`.
STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "user_id",
    "role",
    "task",
    "task_id",
}


def mask_text(text: str) -> str:
    """`password=hunter2` → `password=[masqué]`, in any message or traceback."""
    return SENSITIVE_PAIR.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", text)


def mask(value, depth: int = 0):
    """A copy of `value` fit for a log: sensitive keys masked, objects reduced to text."""
    if depth > 4:
        return "…"
    if isinstance(value, dict):
        return {
            str(key): MASK if SENSITIVE_KEY.search(str(key)) else mask(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [mask(item, depth + 1) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "method") and hasattr(value, "path"):  # an HttpRequest: never its data
        return f"{value.method} {value.path}"
    return mask_text(str(value))


def _user_of(request) -> tuple[int | None, str]:
    # Only a user the request has already loaded: a log line never costs a query.
    user = getattr(request, "_cached_user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return user.pk, getattr(user, "role", "") or ""


class ContextFilter(logging.Filter):
    """Adds request_id, user_id, role (web) or task, task_id (Celery) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = log_context.get() or {}
        record.request_id = context.get("request_id", "-")
        user_id, record.role = _user_of(context.get("request"))
        record.user_id = "-" if user_id is None else user_id
        record.task = context.get("task", "")
        record.task_id = context.get("task_id", "")
        return True


class SensitiveDataFilter(logging.Filter):
    """Masks sensitive keys of dictionaries given as the message's arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = mask(record.args)
        elif isinstance(record.args, tuple):
            record.args = tuple(
                mask(arg) if isinstance(arg, dict | list | tuple) else arg for arg in record.args
            )
        return True


class DowngradeToWarning(logging.Filter):
    """Writes an error as a warning, without its traceback: for `DisallowedHost`, which
    Django logs as an error whenever a scanner sends a Host header the portal does not
    serve. Nothing is wrong with the portal, nobody should be woken up (Sentry reports
    errors), and the message says all (the header refused)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, context, then extras."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
        }
        for name in ("request_id", "user_id", "role", "task", "task_id"):
            value = getattr(record, name, None)
            if value not in (None, "", "-"):
                payload[name] = value
        for key, value in record.__dict__.items():
            if key in STANDARD_ATTRIBUTES or key.startswith("_"):
                continue
            payload[key] = MASK if SENSITIVE_KEY.search(key) else mask(value)
        if record.exc_info:
            payload["exception"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The development format, masked like the JSON one."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: `json` (production) or `text` (development) on stderr."""
    formatter = "json" if log_format == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "accompagnement.web.logging.ContextFilter"},
            "sensitive": {"()": "accompagnement.web.logging.SensitiveDataFilter"},
            "warning": {"()": "accompagnement.web.logging.DowngradeToWarning"},
        },
        "formatters": {
            "json": {"()": "accompagnement.web.logging.JsonFormatter"},
            "text": {"()": "accompagnement.web.logging.TextFormatter", "format": TEXT_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["context", "sensitive"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "axes": {"level": "WARNING"},
            # A filter of the logger, not of a handler: applied before any handler (the
            # console, Django's mail to the admins, Sentry's) sees the record.
            "django.security.DisallowedHost": {"filters": ["warning"]},
        },
    }

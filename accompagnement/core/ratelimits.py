"""Rate limits on the forms that cost the most when repeated: sign-in, password reset,
filing a request and uploading files.

Counts live in the cache (Redis in production) through django-ratelimit; the rates are
settings (`RATELIMIT_*`, see config/settings/base.py). A limit reached answers 429 and
changes nothing. A cache that cannot be reached lets the request through: an outage of
Redis must not stop the agents from filing requests.
"""

import functools
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

LOGIN = "login"
RESET_IP = "reset-by-ip"
RESET_EMAIL = "reset-by-email"
REQUEST_CREATE = "request-create"
UPLOADS = "uploads"


def _rate(group: str) -> str:
    return {
        LOGIN: settings.RATELIMIT_LOGIN,
        RESET_IP: settings.RATELIMIT_PASSWORD_RESET,
        RESET_EMAIL: settings.RATELIMIT_PASSWORD_RESET,
        REQUEST_CREATE: settings.RATELIMIT_REQUEST_CREATE,
        UPLOADS: settings.RATELIMIT_UPLOADS,
    }[group]


def _posted_email(group, request) -> str:
    return request.POST.get("email", "").strip().lower()


def _user(group, request) -> str:
    return str(request.user.pk)


_KEYS = {
    LOGIN: "ip",
    RESET_IP: "ip",
    RESET_EMAIL: _posted_email,
    REQUEST_CREATE: _user,
    UPLOADS: _user,
}


@dataclass(frozen=True)
class Limited:
    """A limit reached: how long until it lifts."""

    seconds_left: int

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil(self.seconds_left / 60))

    @property
    def message(self) -> str:
        minutes = self.minutes_left
        return ngettext(
            "Trop de tentatives en peu de temps. Par sécurité, réessayez dans %(minutes)d minute.",
            "Trop de tentatives en peu de temps. Par sécurité, réessayez dans %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


def _usage(request, group: str, *, increment: bool) -> dict | None:
    try:
        return get_usage(
            request, group=group, key=_KEYS[group], rate=_rate(group), increment=increment
        )
    except Exception:  # noqa: BLE001 - an unreachable cache must not block the form
        logger.warning("Rate limit %s not checked: cache unavailable", group, exc_info=True)
        return None


def hit(request, *groups: str) -> Limited | None:
    """Count one attempt in each group; the first group over its limit, or None."""
    for group in groups:
        usage = _usage(request, group, increment=True)
        if usage is not None and usage["should_limit"]:
            logger.info("Rate limit %s reached", group)
            return Limited(seconds_left=max(usage["time_left"], 0))
    return None


def take(request, group: str, amount: int) -> Limited | None:
    """Count `amount` units (files) at once, only if they all fit under the limit."""
    if amount <= 0:
        return None
    usage = _usage(request, group, increment=False)
    if usage is None:
        return None
    if usage["count"] + amount > usage["limit"]:
        logger.info("Rate limit %s reached", group)
        return Limited(seconds_left=max(usage["time_left"], 0))
    for _unit in range(amount):
        _usage(request, group, increment=True)
    return None


def too_many_attempts(request, limited: Limited):
    """The French 429 page."""
    return render(
        request,
        "429.html",
        {"rate_limit_message": limited.message, "minutes_left": limited.minutes_left},
        status=429,
    )


def limit_posts(*groups: str):
    """View decorator: each POST counts in `groups`; over a limit, the 429 page."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                limited = hit(request, *groups)
                if limited is not None:
                    return too_many_attempts(request, limited)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

"""The portal's middlewares: request ids and timings, methods, security headers, caches,
session expiry.

- Every request gets an id: the proxy's `X-Request-ID` when it sends a sane one, a new one
  otherwise. It is on every log line of the request and in the response's header, so that
  a user's complaint, the proxy's access log and the portal's log meet.
- A response to the team or to Django's staff (`roles.sees_diagnostics`), or to anyone in
  development (DEBUG) or when `SERVER_TIMING_FOR_EVERYONE` is on (`make bench`, which
  measures agents' pages too), says how long the portal took to build it (`Server-Timing`,
  shown by the browsers' developer tools): the time spent in Django, from the first
  middleware to the response, without the network nor the web server's queue. For a
  streamed export, the rows written afterwards are not counted. Not for everyone: the
  time a page took tells what it did (whether an address has an account, for one).
- The portal serves GET, HEAD and POST only: any other method (TRACE, PUT, OPTIONS…) is
  refused with a 405 before any work.
- Nothing sent to a signed-in person (pages, attachments, exports) is kept by a cache, the
  browser's included (`Cache-Control: private, no-store`): the back button of a shared
  computer, or a proxy, must not show it to the next person.
- The Content Security Policy (django-csp) also lets forms reach ProConnect when it is
  configured: the logout form posts to the portal, which redirects to the provider's
  end-session endpoint, and browsers check `form-action` on that redirect too.
- `Permissions-Policy` turns off the browser features the portal never uses.
- Sessions end after `SESSION_COOKIE_AGE` seconds without activity. Saving the session on
  every request (SESSION_SAVE_EVERY_REQUEST) would write to the database on every page;
  the expiry is pushed back only when the last push is older than
  `SESSION_REFRESH_INTERVAL` seconds, and login stamps the session so that the first
  pages after it write nothing.
"""

import re
import time
import uuid
from time import perf_counter

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.signals import request_finished
from django.http import HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

from accompagnement.accounts import proconnect, roles
from accompagnement.web.logging import log_context

REQUEST_ID_HEADER = "X-Request-ID"
SERVER_TIMING_HEADER = "Server-Timing"
# Anything else (too long, spaces, line breaks) could forge log lines: replaced.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def request_id_for(request) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def is_signed_in(request) -> bool:
    """A signed-in session, read from the session key: no query for the user."""
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


def shows_server_timing(request) -> bool:
    if settings.DEBUG or getattr(settings, "SERVER_TIMING_FOR_EVERYONE", False):
        return True
    # The user is read for signed-in sessions only, and the pages they see load it anyway.
    return is_signed_in(request) and roles.sees_diagnostics(getattr(request, "user", None))


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = perf_counter()
        request.request_id = request_id_for(request)
        # Kept until the response is closed: Django logs the 4xx and 5xx responses after
        # the middlewares have returned.
        log_context.set({"request_id": request.request_id, "request": request})
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        if shows_server_timing(request):
            response[SERVER_TIMING_HEADER] = f"app;dur={(perf_counter() - started) * 1000:.1f}"
        return response


# What the portal's pages and forms use; HEAD is a GET without the body.
ALLOWED_METHODS = ("GET", "HEAD", "POST")


class AllowedMethodsMiddleware:
    """405 for any method the portal never uses (TRACE, PUT, DELETE, OPTIONS…)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)


def _forget_the_request(**_):
    log_context.set(None)


request_finished.connect(_forget_the_request, dispatch_uid="acc_log_context_request_finished")

# Set on the session at login, then when the expiry is pushed back (seconds since epoch).
SESSION_REFRESHED_AT = "activity_refreshed_at"

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
    )
)


def proconnect_origin() -> str:
    """`https://<PROCONNECT_DOMAIN>` (or the scheme given with it, for a local test
    provider)."""
    return proconnect.discovery_url().removesuffix(proconnect.DISCOVERY_PATH)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with ProConnect's origin allowed in `form-action` when
    ProConnect is on (read at each response: the tests switch it on and off)."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and proconnect.is_enabled():
            form_action = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
            parts.update = {
                **(parts.update or {}),
                "form-action": [*form_action, proconnect_origin()],
            }
        return parts


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in session, added
    to what the view said (a stricter `no-cache, must-revalidate, max-age=0` is kept; a
    `public` is dropped). Listed after SessionMiddleware, whose session it reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


class SessionActivityMiddleware:
    """Push the session's expiry back while the person is active (see the module's
    docstring). Listed after SessionMiddleware, which saves what this one changes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Signed-in sessions only; reading the session key, not request.user, adds no query.
        if session is not None and SESSION_KEY in session:
            now = int(time.time())
            refreshed_at = session.get(SESSION_REFRESHED_AT, 0)
            if now - refreshed_at >= settings.SESSION_REFRESH_INTERVAL:
                # Marks the session modified: SessionMiddleware saves it with a new expiry
                # (SESSION_COOKIE_AGE from now) and sends the cookie again.
                session[SESSION_REFRESHED_AT] = now
        return response


def stamp_session_on_login(sender, request, user, **kwargs):
    """user_logged_in receiver: the session was just written with a fresh expiry."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_REFRESHED_AT] = int(time.time())

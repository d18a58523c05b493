"""Security headers and session expiry that Django does not provide by itself.

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

import time

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import SESSION_KEY

from . import proconnect

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

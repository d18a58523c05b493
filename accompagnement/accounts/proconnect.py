"""Sign in with ProConnect, the State's OpenID Connect federation for civil servants.

mozilla-django-oidc runs the code flow (state, nonce, token exchange, signature checks,
userinfo sent as a signed `application/jwt`). This module adds what is ours:

- the provider's endpoints, read once from its discovery document and kept in memory;
- the backend: a person is known by their e-mail address (ProConnect's `sub` differs from
  one service to the next), an unknown address is recorded for the pilot and not let in,
  a deactivated account is refused;
- the URL that ends the ProConnect session on logout.

Everything is off while `PROCONNECT_DOMAIN`, `PROCONNECT_CLIENT_ID` and
`PROCONNECT_CLIENT_SECRET` are not all set.
"""

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accompagnement.accounts.services import pending_sign_in_record

logger = logging.getLogger(__name__)

DISCOVERY_PATH = "/api/v2/.well-known/openid-configuration"
DISCOVERY_TTL_SECONDS = 3600

# Why a sign-in was refused, as the callback tells the refusal page.
REFUSED_PENDING = "compte-a-ouvrir"
REFUSED_INACTIVE = "compte-desactive"
REFUSED_FAILED = "echec"
REFUSAL_REASONS = (REFUSED_PENDING, REFUSED_INACTIVE, REFUSED_FAILED)

# Session keys.
# Written by mozilla-django-oidc (OIDC_STORE_ID_TOKEN).
SESSION_ID_TOKEN = "oidc_id_token"  # noqa: S105 (a session key, not a secret)
SESSION_PENDING_EMAIL = "proconnect_pending_email"
SESSION_LOGOUT_STATE = "proconnect_logout_state"


def is_enabled() -> bool:
    return bool(
        settings.PROCONNECT_DOMAIN
        and settings.PROCONNECT_CLIENT_ID
        and settings.PROCONNECT_CLIENT_SECRET
    )


def discovery_url() -> str:
    """`https://<domain>/api/v2/.well-known/openid-configuration`. A domain given with its
    scheme (`http://127.0.0.1:8001`) is taken as is: a local test provider has no TLS."""
    domain = settings.PROCONNECT_DOMAIN.rstrip("/")
    if not domain.startswith(("https://", "http://")):
        domain = f"https://{domain}"
    return domain + DISCOVERY_PATH


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str
    end_session: str


_discovery_lock = threading.Lock()
_discovery_cache: dict[str, tuple[float, Endpoints]] = {}


def endpoints() -> Endpoints:
    """The provider's endpoints, from its discovery document (fetched at the first sign-in
    of each process, then kept for an hour)."""
    url = discovery_url()
    with _discovery_lock:
        cached = _discovery_cache.get(url)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    found = Endpoints(
        issuer=document["issuer"],
        authorization=document["authorization_endpoint"],
        token=document["token_endpoint"],
        userinfo=document["userinfo_endpoint"],
        jwks=document["jwks_uri"],
        end_session=document["end_session_endpoint"],
    )
    with _discovery_lock:
        _discovery_cache[url] = (time.monotonic() + DISCOVERY_TTL_SECONDS, found)
    return found


def discovery_cache_clear() -> None:
    with _discovery_lock:
        _discovery_cache.clear()


@dataclass(frozen=True)
class Claims:
    """What ProConnect tells about a person (only `sub` and `email` are sure to come)."""

    sub: str
    email: str
    given_name: str = ""
    usual_name: str = ""
    uid: str = ""
    siret: str = ""
    organizational_unit: str = ""
    idp_id: str = ""

    @classmethod
    def from_userinfo(cls, userinfo: dict) -> "Claims":
        def text(key: str) -> str:
            value = userinfo.get(key)
            return "" if value is None else str(value).strip()

        return cls(
            sub=text("sub"),
            email=get_user_model().objects.normalize_email(text("email")).lower(),
            given_name=text("given_name"),
            usual_name=text("usual_name"),
            uid=text("uid"),
            siret=text("siret"),
            organizational_unit=text("organizational_unit"),
            idp_id=text("idp_id"),
        )


class ProConnectBackend(OIDCAuthenticationBackend):
    """Signs in the holder of an existing, active account with the same e-mail address.

    It never creates an account: an unknown address becomes a pending sign-in that the
    pilot may turn into an account. Why a sign-in was refused is left on the request
    (`request.proconnect_refusal`) for the callback view to show the right page.
    """

    def __init__(self, *args, **kwargs):
        # mozilla-django-oidc reads every endpoint from the settings here; ours come from
        # the discovery document, read lazily: this backend is built on every request of a
        # signed-in person (`get_user`), which must not reach the provider.
        self.OIDC_RP_CLIENT_ID = settings.PROCONNECT_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.PROCONNECT_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802 (the name mozilla-django-oidc reads)
        return endpoints().token

    @property
    def OIDC_OP_USER_ENDPOINT(self):  # noqa: N802
        return endpoints().userinfo

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return endpoints().jwks

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password login never reaches the
        # provider, whatever its URL holds.
        if not is_enabled() or "nonce" not in kwargs or "password" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc checks the signature, the expiry and the nonce; the ID token
        # must also be meant for this portal and come from this provider.
        if "nonce" in kwargs:
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("ID token audience is not this client.")
            if payload.get("iss") != endpoints().issuer:
                raise SuspiciousOperation("ID token issuer is not the provider.")
        return payload

    def _verify_jws(self, payload, key):
        try:
            return super()._verify_jws(payload, key)
        except jwt.PyJWTError as error:  # expired, not yet valid, malformed…
            raise SuspiciousOperation(f"Invalid token: {error}") from error

    def get_or_create_user(self, access_token, id_token, payload):

        claims = Claims.from_userinfo(self.get_userinfo(access_token, id_token, payload))
        if not claims.email:
            raise SuspiciousOperation("ProConnect sent no e-mail address.")
        user = self.UserModel.objects.filter(email__iexact=claims.email).first()
        if user is None:
            pending_sign_in_record(claims=claims)
            self.request.proconnect_refusal = REFUSED_PENDING
            self.request.session[SESSION_PENDING_EMAIL] = claims.email
            return None
        if not user.is_active:
            self.request.proconnect_refusal = REFUSED_INACTIVE
            return None
        return user


def logout_url(*, id_token: str, post_logout_redirect_uri: str) -> tuple[str, str]:
    """The provider's end-session URL and the `state` it will send back."""
    state = get_random_string(settings.OIDC_STATE_SIZE)
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": state,
            "post_logout_redirect_uri": post_logout_redirect_uri,
        }
    )
    return f"{endpoints().end_session}?{query}", state

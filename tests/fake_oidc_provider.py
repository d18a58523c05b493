"""A stand-in for ProConnect, for the tests: the tokens it signs, and a small provider
served on localhost that a browser really goes through.

It signs with HS256 and the client secret (the test settings' algorithm); ProConnect
itself signs with RS256. It keeps the ProConnect shape: discovery under
`/api/v2/.well-known/openid-configuration`, a userinfo answered as a signed
`application/jwt`, an end-session endpoint that sends the browser back with the `state`.
"""

import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt

CLIENT_ID = "portail-accompagnement-chorus"
CLIENT_SECRET = "secret-du-client-de-test-0123456789abcdef-0123456789"  # noqa: S105
API = "/api/v2"


def discovery_document(base_url: str) -> dict:
    issuer = base_url + API
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "end_session_endpoint": f"{issuer}/session/end",
        "id_token_signing_alg_values_supported": ["RS256", "HS256"],
    }


def sign(claims: dict, secret: str = CLIENT_SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def id_token(*, issuer: str, nonce: str, sub: str, lifetime: int = 60, **extra) -> str:
    now = int(time.time())
    return sign(
        {
            "iss": issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "nonce": nonce,
            "iat": now,
            "exp": now + lifetime,
            "acr": "eidas1",
            **extra,
        }
    )


def userinfo(*, issuer: str, email: str, sub: str, **claims) -> str:
    """The userinfo answer: a JWT, as ProConnect sends it."""
    now = int(time.time())
    return sign(
        {
            "iss": issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "email": email,
            "given_name": "Claude",
            "usual_name": "Martin",
            "uid": "uid-1",
            "siret": "13000001200011",
            "idp_id": "fia1v2",
            "organizational_unit": "Service budget",
            "iat": now,
            "exp": now + 60,
            **claims,
        }
    )


@dataclass
class Identity:
    email: str
    given_name: str = "Claude"
    usual_name: str = "Martin"
    organizational_unit: str = "Service budget"


@dataclass
class FakeProvider:
    """The provider's state: who signs in, the codes and tokens it handed out, the
    logouts it saw."""

    identity: Identity
    base_url: str = ""
    codes: dict = field(default_factory=dict)
    access_tokens: dict = field(default_factory=dict)
    ended_sessions: list = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return self.base_url + API

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        routes = {
            f"{API}/.well-known/openid-configuration": self.discovery,
            f"{API}/authorize": self.authorize,
            f"{API}/authorize/confirm": self.confirm,
            f"{API}/token": self.token,
            f"{API}/userinfo": self.userinfo,
            f"{API}/jwks": self.jwks,
            f"{API}/session/end": self.session_end,
        }
        handler = routes.get(path)
        if handler is None:
            return self._respond(start_response, "404 Not Found", "text/plain", "not found")
        return handler(environ, query, start_response)

    @staticmethod
    def _respond(start_response, status, content_type, body, headers=()):
        data = body.encode()
        start_response(
            status,
            [("Content-Type", content_type), ("Content-Length", str(len(data))), *headers],
        )
        return [data]

    def _redirect(self, start_response, location):
        return self._respond(
            start_response, "302 Found", "text/plain", "", [("Location", location)]
        )

    def discovery(self, environ, query, start_response):
        body = json.dumps(discovery_document(self.base_url))
        return self._respond(start_response, "200 OK", "application/json", body)

    def jwks(self, environ, query, start_response):
        return self._respond(start_response, "200 OK", "application/json", '{"keys": []}')

    def authorize(self, environ, query, start_response):
        """The provider's sign-in page: one button, for the identity under test."""
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(query.get(name, ""))}">'
            for name in ("state", "nonce", "redirect_uri", "acr_values", "scope")
        )
        page = (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            "<title>ProConnect de test</title></head><body>"
            "<h1>ProConnect de test</h1>"
            f"<p>Identité : {html.escape(self.identity.email)}</p>"
            f'<form method="get" action="{API}/authorize/confirm">{hidden}'
            '<button type="submit">Continuer</button></form></body></html>'
        )
        return self._respond(start_response, "200 OK", "text/html; charset=utf-8", page)

    def confirm(self, environ, query, start_response):
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"nonce": query["nonce"], "acr_values": query.get("acr_values")}
        target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        return self._redirect(start_response, target)

    def token(self, environ, query, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        grant = self.codes.pop(form.get("code"), None)  # a code serves once
        if grant is None or form.get("client_secret") != CLIENT_SECRET:
            body = json.dumps({"error": "invalid_grant"})
            return self._respond(start_response, "400 Bad Request", "application/json", body)
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = self.identity
        token = id_token(issuer=self.issuer, nonce=grant["nonce"], sub="sub-fake")
        body = json.dumps({"access_token": access_token, "id_token": token, "token_type": "Bearer"})
        return self._respond(start_response, "200 OK", "application/json", body)

    def userinfo(self, environ, query, start_response):
        bearer = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        person = self.access_tokens.get(bearer)
        if person is None:
            return self._respond(start_response, "401 Unauthorized", "text/plain", "")
        body = userinfo(
            issuer=self.issuer,
            email=person.email,
            sub="sub-fake",
            given_name=person.given_name,
            usual_name=person.usual_name,
            organizational_unit=person.organizational_unit,
        )
        return self._respond(start_response, "200 OK", "application/jwt", body)

    def session_end(self, environ, query, start_response):
        self.ended_sessions.append(query)
        target = query["post_logout_redirect_uri"] + "?" + urlencode({"state": query["state"]})
        return self._redirect(start_response, target)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        pass


class _ThreadedServer(WSGIServer):
    daemon_threads = True


def serve(identity: Identity):
    """Start the provider on a free localhost port; returns (provider, server). Stop it
    with `server.shutdown(); server.server_close()`."""
    provider = FakeProvider(identity=identity)
    server = make_server(
        "127.0.0.1", 0, provider, server_class=_ThreadedServer, handler_class=_QuietHandler
    )
    provider.base_url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider, server

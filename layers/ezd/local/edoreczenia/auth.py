"""OAuth2 of the simulated service: the client-credentials token endpoint and bearer checks.

The contract only names the scopes (``securitySchemes.oAuthUserAgent``); the token
endpoint itself is the authorization server's, outside the User Agent API. It follows
RFC 6749 §4.4 (``grant_type=client_credentials``, the client authenticated by HTTP Basic
or by ``client_id``/``client_secret`` in the form, §2.3.1) and answers errors as §5.2
says. Production EZD-class systems authenticate with mutual TLS instead of a secret; only
the way the client proves itself differs, the token is used the same way.

Bearer tokens are opaque random strings with an expiry read from the project's clock,
so a test can let one expire by moving the clock. Refusals follow RFC 6750 §3.1.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from ezd.clock import now_utc

SCOPES = ("read_messages", "write_messages", "read_settings", "write_settings")
TOKEN_PATH = "/oauth2/token"
DEFAULT_LIFETIME = timedelta(hours=1)


@dataclass
class _Client:
    client_id: str
    secret_sha256: bytes
    addresses: frozenset[str] | None  # None: every address of the simulator
    scopes: frozenset[str]


@dataclass(frozen=True)
class Grant:
    client_id: str
    scopes: frozenset[str]
    expires_at: datetime
    addresses: frozenset[str] | None


@dataclass(frozen=True)
class Refusal:
    status: int
    error: str
    description: str

    @property
    def www_authenticate(self) -> str:
        return f'Bearer realm="uaapi", error="{self.error}", error_description="{self.description}"'


class Authority:
    def __init__(self, *, lifetime: timedelta = DEFAULT_LIFETIME, clock: Callable[[], datetime] = now_utc) -> None:
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}
        self._tokens: dict[str, Grant] = {}
        self.lifetime = lifetime
        self._clock = clock
        self.issued = 0

    def register_client(self, client_id: str, secret: str, addresses: list[str] | None = None,
                        scopes: tuple[str, ...] | list[str] = SCOPES) -> None:
        unknown = set(scopes) - set(SCOPES)
        if unknown:
            raise ValueError(f"unknown scopes {sorted(unknown)}")
        with self._lock:
            self._clients[client_id] = _Client(
                client_id, hashlib.sha256(secret.encode()).digest(),
                frozenset(addresses) if addresses is not None else None, frozenset(scopes))

    def allow_address(self, client_id: str, address: str) -> None:
        with self._lock:
            client = self._clients[client_id]
            if client.addresses is not None:
                client.addresses = client.addresses | {address}

    def expire_all(self) -> None:
        with self._lock:
            self._tokens.clear()

    # ------------------------------------------------------------------ token endpoint

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, object]]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
                client_id, _, secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                return 401, {"error": "invalid_client", "error_description": "malformed Basic credentials"}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type", "error_description": "only client_credentials"}
        with self._lock:
            client = self._clients.get(client_id or "")
            ok = client is not None and hmac.compare_digest(
                client.secret_sha256, hashlib.sha256((secret or "").encode()).digest())
            if not ok or client is None:
                return 401, {"error": "invalid_client", "error_description": "unknown client or wrong secret"}
            requested = frozenset((form.get("scope") or "").split()) or client.scopes
            if not requested <= client.scopes:
                return 400, {"error": "invalid_scope",
                             "error_description": f"not granted: {' '.join(sorted(requested - client.scopes))}"}
            token = secrets.token_urlsafe(32)
            now = self._clock()
            self._tokens = {t: g for t, g in self._tokens.items() if g.expires_at > now}  # forget expired ones
            self._tokens[token] = Grant(client.client_id, requested, now + self.lifetime, client.addresses)
            self.issued += 1
        return 200, {"access_token": token, "token_type": "Bearer",
                     "expires_in": int(self.lifetime.total_seconds()), "scope": " ".join(sorted(requested))}

    # ------------------------------------------------------------------ bearer check

    def check(self, authorization: str | None, scopes: list[str], address: str | None) -> Grant | Refusal:
        if not authorization or not authorization.lower().startswith("bearer "):
            return Refusal(401, "invalid_request", "no bearer token")
        token = authorization[7:].strip()
        with self._lock:
            grant = self._tokens.get(token)
        if grant is None:
            return Refusal(401, "invalid_token", "unknown token")
        if grant.expires_at <= self._clock():
            return Refusal(401, "invalid_token", "token expired")
        missing = [s for s in scopes if s not in grant.scopes]
        if scopes and missing:
            return Refusal(403, "insufficient_scope", f"needs {' '.join(missing)}")
        if address is not None and grant.addresses is not None and address not in grant.addresses:
            return Refusal(403, "insufficient_scope", "the token does not cover this address")
        return grant

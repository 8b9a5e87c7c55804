"""What API Gateway's Cognito user pool authorizer does in front of the API, emulated for
the local stack's Cognito login mode (ezd/local/cognito_stage.py).

API Gateway reads the ID token from the ``Authorization`` header (as the template's
``CognitoAuthorizer`` says: ``Identity: {Header: Authorization}``), checks its RS256
signature against the user pool's published keys (JWKS), its issuer (the pool), its
audience (an app client of the pool), that it is an ID token and that it has not expired;
then the function gets the token's claims as ``requestContext.authorizer.claims`` and
anything else is answered 401 ``{"message": "Unauthorized"}`` without calling it. Routes
whose event says ``Auth: {Authorizer: NONE}`` are passed through untouched.

moto signs every token for an hour, whatever the app client's ``IdTokenValidity``;
Cognito would write that validity into ``exp``, so the age limit is applied here to
``iat`` as well (the only liberty taken).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class TokenRefused(Exception):
    """The token is not a valid ID token of this pool and client (API Gateway: 401)."""


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_key(jwk: dict[str, Any]) -> rsa.RSAPublicKey:
    numbers = rsa.RSAPublicNumbers(int.from_bytes(_unb64(jwk["e"]), "big"), int.from_bytes(_unb64(jwk["n"]), "big"))
    return numbers.public_key()


def fetch_jwks(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the local moto's URL
        return json.loads(answer.read())


@dataclass
class IdTokenVerifier:
    """Verifies ID tokens of one user pool for the given app clients."""

    issuer: str  # https://cognito-idp.<region>.amazonaws.com/<pool id>
    audiences: set[str]
    jwks_url: str  # where the pool's keys are published (locally: moto's)
    max_age_seconds: Callable[[str], int | None] = lambda client_id: None  # the client's IdTokenValidity
    clock: Callable[[], float] = time.time
    _keys: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _key(self, kid: str) -> rsa.RSAPublicKey:
        with self._lock:
            if kid not in self._keys:  # a key not seen yet: the pool may have published it since
                for jwk in fetch_jwks(self.jwks_url).get("keys", []):
                    if jwk.get("kty") == "RSA" and jwk.get("kid"):
                        self._keys[jwk["kid"]] = _public_key(jwk)
            if kid not in self._keys:
                raise TokenRefused(f"no key {kid!r} in the pool's JWKS")
            return self._keys[kid]

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or TokenRefused."""
        try:
            head, body, signature = token.split(".")
            header = json.loads(_unb64(head))
            claims = json.loads(_unb64(body))
            signed = _unb64(signature)
        except (ValueError, UnicodeDecodeError) as exc:
            raise TokenRefused("not a JWT") from exc
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise TokenRefused("not a JWT")
        if header.get("alg") != "RS256":  # never "none", never a MAC with the public key
            raise TokenRefused(f"algorithm {header.get('alg')!r} is not the pool's")
        try:
            self._key(str(header.get("kid"))).verify(signed, f"{head}.{body}".encode("ascii"),
                                                      padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, UnicodeEncodeError) as exc:
            raise TokenRefused("bad signature") from exc
        if claims.get("iss") != self.issuer:
            raise TokenRefused("issued by another pool")
        if claims.get("token_use") != "id":
            raise TokenRefused("not an ID token")
        if claims.get("aud") not in self.audiences:
            raise TokenRefused("issued to another app client")
        now = self.clock()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int) or not isinstance(iat, int) or now >= exp:
            raise TokenRefused("expired")
        limit = self.max_age_seconds(claims["aud"])
        if limit is not None and now >= iat + limit:
            raise TokenRefused("expired (the app client's IdTokenValidity)")
        if not isinstance(claims.get("cognito:username"), str):
            raise TokenRefused("no cognito:username")
        return claims


def gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """The claims as a REST API's Cognito authorizer hands them to the function: strings
    (a list such as cognito:groups is written out, as API Gateway does)."""
    out = {}
    for name, value in claims.items():
        if isinstance(value, list):
            out[name] = ",".join(str(v) for v in value)
        else:
            out[name] = value if isinstance(value, str) else json.dumps(value)
    return out


def _route_pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}/]+\}", "[^/]+", path) + "$")


class GatewayAuthorizer:
    """Stands where chalice.local's LocalGatewayAuthorizer stands (``authorize(path, event,
    context)``): the routes the template leaves open pass, every other one needs an ID
    token the verifier accepts."""

    UNAUTHORIZED = b'{"message":"Unauthorized"}'

    def __init__(self, verifier: IdTokenVerifier, public: list[tuple[str, str]]) -> None:
        self.verifier = verifier
        self.public = [(method.upper(), _route_pattern(path)) for method, path in public]
        self.refused: list[str] = []  # why tokens were refused (for tests and operators)

    def is_public(self, method: str, path: str) -> bool:
        return any(m in (method, "ANY") and p.match(path) for m, p in self.public)

    def authorize(self, raw_path: str, event: dict[str, Any], context: Any) -> tuple[dict[str, Any], Any]:
        from chalice.local import NotAuthorizedError

        request = event["requestContext"]
        if self.is_public(request["httpMethod"], request["path"]):
            return event, context
        header = (event.get("headers") or {}).get("authorization", "").strip()
        token = header[7:].strip() if header.lower().startswith("bearer ") else header
        try:
            claims = self.verifier.verify(token)
        except TokenRefused as exc:
            self.refused.append(str(exc))
            raise NotAuthorizedError({"x-amzn-ErrorType": "UnauthorizedException",
                                      "Content-Type": "application/json"}, self.UNAUTHORIZED) from None
        request["authorizer"] = {"claims": gateway_claims(claims)}
        return event, context


def public_routes(template: Any, function_id: str = "ApiFunction") -> list[tuple[str, str]]:
    """(method, path) of the function's Api events with ``Auth: {Authorizer: NONE}``."""
    events = template.resources[function_id].properties.get("Events") or {}
    return [(str(e["Properties"]["Method"]), str(e["Properties"]["Path"])) for e in events.values()
            if e.get("Type") == "Api" and ((e["Properties"].get("Auth") or {}).get("Authorizer") == "NONE")]

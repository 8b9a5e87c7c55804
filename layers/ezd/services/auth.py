"""Who is calling, and what they may do.

In AWS the API sits behind a Cognito authorizer: the caller is the `cognito:username` of
the verified ID token, and no other credential is accepted. Locally (stage `local` only)
the stack signs its own short-lived tokens with a key made for this installation; users
get one by logging in with their password (POST /auth/login), scripts with `ezd token`.
Either way the user's unit and roles come from the directory, never from the caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from pydantic import BaseModel

from ezd import clock
from ezd.adapters import directory_store
from ezd.errors import AccessDenied, EzdError
from ezd.models.directory import Role

# An hour: long enough for a morning at the registry desk between two logins, short
# enough that a token copied out of a browser is soon worthless.
TOKEN_LIFETIME_SECONDS = 3600
TOKEN_ISSUER = "ezd-local"
TOKEN_AUDIENCE = "ezd-portal"
LOCAL_STAGE = "local"


class Unauthenticated(EzdError):
    code = "UNAUTHENTICATED"


class Principal(BaseModel):
    login: str
    full_name: str
    position: str
    unit: str
    roles: list[Role]
    cell: str | None = None

    def require_unit(self, unit: str) -> None:
        # A school never sees another school's documents.
        if unit != self.unit:
            raise AccessDenied(f"{self.login} has no access to unit {unit}")

    def require_role(self, unit: str, *roles: Role) -> None:
        self.require_unit(unit)
        if not set(roles) & set(self.roles):
            raise AccessDenied(f"{self.login} lacks one of the roles {', '.join(roles)}")

    def has_role(self, *roles: Role) -> bool:
        return bool(set(roles) & set(self.roles))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def issue_token(login: str, key: bytes | str, lifetime: int = TOKEN_LIFETIME_SECONDS, now: float | None = None) -> str:
    """A local token: claims and an HMAC-SHA256 over them with the installation's key."""
    issued = int(clock.timestamp() if now is None else now)
    claims = {"iss": TOKEN_ISSUER, "aud": TOKEN_AUDIENCE, "sub": login, "iat": issued, "exp": issued + lifetime,
              "jti": secrets.token_hex(8)}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{body}.{_mac(_key_bytes(key), body)}"


def _key_bytes(key: bytes | str) -> bytes:
    return key if isinstance(key, bytes) else key.encode()


def verify_token(token: str, key: bytes | str, now: float | None = None) -> str:
    """Returns the login of a valid token; anything else is Unauthenticated."""
    try:
        body, signature = token.split(".", 1)
        # Compared as bytes: compare_digest raises TypeError (a 500) on non-ASCII str.
        if not hmac.compare_digest(_mac(_key_bytes(key), body).encode(), signature.encode("utf-8", "replace")):
            raise Unauthenticated("bad token signature")
        claims = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unauthenticated("malformed token") from exc
    if not isinstance(claims, dict) or claims.get("iss") != TOKEN_ISSUER or claims.get("aud") != TOKEN_AUDIENCE:
        raise Unauthenticated("the token was not issued for this portal")
    moment = clock.timestamp() if now is None else now
    if not isinstance(claims.get("exp"), int) or claims["exp"] < moment:
        raise Unauthenticated("token expired")
    if not isinstance(claims.get("sub"), str):
        raise Unauthenticated("malformed token")
    return claims["sub"]


def principal_for(login: str, unit_claim: str | None = None) -> Principal:
    """The directory's view of ``login``. ``unit_claim`` is the unit an identity provider
    asserts (Cognito's custom:unit): it must agree with the directory."""
    user = directory_store.get_user(login)
    if user is None or not user.active:
        raise Unauthenticated(f"unknown user {login}")
    if unit_claim is not None and unit_claim != user.unit:
        raise Unauthenticated(f"{login}'s identity names another unit than the directory")
    return Principal(login=user.login, full_name=user.full_name, position=user.position, unit=user.unit,
                     roles=user.roles, cell=user.cell)

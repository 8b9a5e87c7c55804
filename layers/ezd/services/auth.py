"""Who is calling, and what they may do.

Production sits behind a Cognito authorizer whose claims carry the user's login; locally
the portal accepts development tokens signed with the stack's secret for the demo users.
Either way the user's unit and roles come from the directory, never from the caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from pydantic import BaseModel

from ezd import clock
from ezd.adapters import directory_store
from ezd.errors import AccessDenied, EzdError
from ezd.models.directory import Role

TOKEN_LIFETIME_SECONDS = 12 * 3600


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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(login: str, secret: str, lifetime: int = TOKEN_LIFETIME_SECONDS, now: float | None = None) -> str:
    claims = {"sub": login, "exp": int((now or clock.timestamp()) + lifetime)}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def verify_token(token: str, secret: str, now: float | None = None) -> str:
    """Returns the login of a valid token."""
    try:
        body, signature = token.split(".", 1)
        expected = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
        # Compared as bytes: compare_digest raises TypeError (a 500) on non-ASCII str.
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise Unauthenticated("bad token signature")
        claims = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unauthenticated("malformed token") from exc
    if claims.get("exp", 0) < (now or clock.timestamp()):
        raise Unauthenticated("token expired")
    return str(claims["sub"])


def principal_for(login: str) -> Principal:
    user = directory_store.get_user(login)
    if user is None:
        raise Unauthenticated(f"unknown user {login}")
    return Principal(login=user.login, full_name=user.full_name, position=user.position, unit=user.unit, roles=user.roles,
                     cell=user.cell)

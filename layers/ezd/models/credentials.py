"""A local user's password record (the embedded stack's user store)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class PasswordHash(BaseModel):
    """scrypt (RFC 7914) of the password with a random salt; the parameters are kept with
    the hash so they can be raised later without breaking old records."""

    algorithm: str = "scrypt"
    n: int
    r: int
    p: int
    salt: str  # hex
    hash: str  # hex


class Credential(BaseModel):
    login: str
    password: PasswordHash
    changed_at: datetime
    failed_attempts: int = 0
    locked_until: datetime | None = None
    # Set by a unit administrator (a new user, a reset): the password is temporary and
    # must be replaced before it opens the portal (Cognito's FORCE_CHANGE_PASSWORD).
    must_change: bool = False
    disabled: bool = False  # the user was deactivated: no password of theirs opens anything

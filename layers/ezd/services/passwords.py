"""Passwords of the local user store: hashing, login, lock-out after repeated failures.

Used by the embedded stack only (POST /auth/login); in AWS Cognito keeps the passwords
and runs the hosted login, and this module is never reached.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from ezd import clock
from ezd.adapters import credential_store
from ezd.errors import EzdError
from ezd.models.credentials import Credential, PasswordHash
from ezd.services.auth import Principal, Unauthenticated, principal_for

# scrypt with n=2^14, r=8 (16 MiB, ~50 ms): the interactive-login parameters of RFC 7914.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MAX_FAILED_ATTEMPTS = 5
LOCK_OUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10


class AccountLocked(EzdError):
    code = "ACCOUNT_LOCKED"


class WeakPassword(EzdError):
    code = "VALIDATION_FAILED"


def hash_password(password: str, salt: bytes | None = None) -> PasswordHash:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=64 * 1024 * 1024)
    return PasswordHash(n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, salt=salt.hex(), hash=digest.hex())


def _matches(password: str, record: PasswordHash) -> bool:
    digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(record.salt), n=record.n, r=record.r,
                            p=record.p, maxmem=64 * 1024 * 1024)
    return hmac.compare_digest(digest.hex(), record.hash)


# A hash to compare against when the login does not exist, so that a wrong login costs
# as long as a wrong password and the timing tells nothing.
_DUMMY = hash_password("no such user", salt=b"\x00" * 16)


def set_password(login: str, password: str) -> Credential:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    credential = Credential(login=login, password=hash_password(password), changed_at=clock.now_utc())
    credential_store.put(credential)
    return credential


def log_in(login: str, password: str) -> Principal:
    """The user, if the password is right. Wrong logins and wrong passwords get the same
    answer; after MAX_FAILED_ATTEMPTS failures the account waits LOCK_OUT."""
    credential = credential_store.get(login)
    if credential is None:
        _matches(password, _DUMMY)
        raise Unauthenticated("wrong login or password")
    now = clock.now_utc()
    if credential.locked_until and credential.locked_until > now:
        raise AccountLocked(f"too many failed attempts; try again after {credential.locked_until.isoformat()}")
    if not _matches(password, credential.password):
        failures = credential.failed_attempts + 1
        locked = now + LOCK_OUT if failures >= MAX_FAILED_ATTEMPTS else None
        credential_store.put(credential.model_copy(update={
            "failed_attempts": 0 if locked else failures, "locked_until": locked}))
        raise Unauthenticated("wrong login or password")
    if credential.failed_attempts or credential.locked_until:
        credential_store.put(credential.model_copy(update={"failed_attempts": 0, "locked_until": None}))
    return principal_for(login)

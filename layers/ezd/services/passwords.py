"""Passwords of the local user store: login, lock-out after repeated failures, and the
change of a temporary password.

Used by the embedded stack only (POST /auth/login, POST /auth/password); in AWS Cognito
keeps the passwords and runs the hosted login, and this module is never reached.
"""

from __future__ import annotations

from datetime import timedelta

from ezd import clock
from ezd.adapters import credential_store
from ezd.errors import EzdError
from ezd.models.credentials import Credential
from ezd.password_hash import hash_password, matches, policy_problem
from ezd.services.auth import Principal, Unauthenticated, principal_for

MAX_FAILED_ATTEMPTS = 5
LOCK_OUT = timedelta(minutes=15)
WRONG = "wrong login or password"

__all__ = ["AccountLocked", "PasswordChangeRequired", "WeakPassword", "change_password", "hash_password", "log_in",
           "set_password"]


class AccountLocked(EzdError):
    code = "ACCOUNT_LOCKED"


class WeakPassword(EzdError):
    code = "VALIDATION_FAILED"


class PasswordChangeRequired(EzdError):
    """The password is right but temporary (a new user, a reset): change it first."""

    code = "PASSWORD_CHANGE_REQUIRED"


# A hash to compare against when the login does not exist, so that a wrong login costs
# as long as a wrong password and the timing tells nothing.
_DUMMY = hash_password("no such user", salt=b"\x00" * 16)


def check_policy(password: str) -> None:
    problem = policy_problem(password)
    if problem:
        raise WeakPassword(problem)


def set_password(login: str, password: str) -> Credential:
    check_policy(password)
    credential = Credential(login=login, password=hash_password(password), changed_at=clock.now_utc())
    credential_store.put(credential)
    return credential


def _checked(login: str, password: str) -> Credential:
    """The credential, if ``password`` is its password. Wrong logins, wrong passwords and
    deactivated users get the same answer; after MAX_FAILED_ATTEMPTS failures the
    account waits LOCK_OUT."""
    credential = credential_store.get(login)
    if credential is None:
        matches(password, _DUMMY)
        raise Unauthenticated(WRONG)
    now = clock.now_utc()
    if credential.locked_until and credential.locked_until > now:
        raise AccountLocked(f"too many failed attempts; try again after {credential.locked_until.isoformat()}")
    if not matches(password, credential.password):
        failures = credential.failed_attempts + 1
        locked = now + LOCK_OUT if failures >= MAX_FAILED_ATTEMPTS else None
        credential_store.put(credential.model_copy(update={
            "failed_attempts": 0 if locked else failures, "locked_until": locked}))
        raise Unauthenticated(WRONG)
    if credential.disabled:
        raise Unauthenticated(WRONG)
    if credential.failed_attempts or credential.locked_until:
        credential = credential.model_copy(update={"failed_attempts": 0, "locked_until": None})
        credential_store.put(credential)
    return credential


def _principal(login: str) -> Principal:
    try:
        return principal_for(login)
    except Unauthenticated as exc:  # deactivated in the directory: no hint that the password was right
        raise Unauthenticated(WRONG) from exc


def log_in(login: str, password: str) -> Principal:
    """The user, if the password is right and not temporary."""
    credential = _checked(login, password)
    principal = _principal(login)
    if credential.must_change:
        raise PasswordChangeRequired("the password is temporary: choose a new one (POST /auth/password)")
    return principal


def change_password(login: str, password: str, new_password: str) -> Principal:
    """Replaces the user's password (a temporary one, or their own) with a new one of
    theirs, which must meet the policy and differ from the old one."""
    credential = _checked(login, password)
    principal = _principal(login)
    check_policy(new_password)
    if new_password == password:
        raise WeakPassword("the new password must differ from the old one")
    credential_store.put(credential.model_copy(update={
        "password": hash_password(new_password), "changed_at": clock.now_utc(), "must_change": False}))
    return principal

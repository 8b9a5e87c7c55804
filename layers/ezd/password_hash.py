"""scrypt (RFC 7914) hashes of local passwords: pure computation, no storage.

Shared by the password service (login, change) and the local identity adapter (a new
user's or a reset's temporary password), so that neither imports the other.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from ezd.models.credentials import PasswordHash

# scrypt with n=2^14, r=8 (16 MiB, ~50 ms): the interactive-login parameters of RFC 7914.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024


def hash_password(password: str, salt: bytes | None = None) -> PasswordHash:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=_MAXMEM)
    return PasswordHash(n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, salt=salt.hex(), hash=digest.hex())


def matches(password: str, record: PasswordHash) -> bool:
    digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(record.salt), n=record.n, r=record.r,
                            p=record.p, maxmem=_MAXMEM)
    return hmac.compare_digest(digest.hex(), record.hash)


# The user pool's policy (infra/template.yaml, UserPool.Policies.PasswordPolicy), applied
# to local passwords as well, so that a password good locally is good in AWS.
MIN_LENGTH = 12


def policy_problem(password: str) -> str | None:
    """What the password lacks, in words, or None when it meets the policy."""
    if len(password) < MIN_LENGTH:
        return f"a password has at least {MIN_LENGTH} characters"
    if not any(c.islower() for c in password):
        return "a password needs a lower-case letter"
    if not any(c.isupper() for c in password):
        return "a password needs an upper-case letter"
    if not any(c.isdigit() for c in password):
        return "a password needs a digit"
    return None


# Without look-alikes (0/O, 1/l/I), since an administrator reads it out or writes it down.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"


_SYMBOLS = "-+!?#%"


def temporary_password(length: int = 16) -> str:
    """A random password that meets the policy, and a stricter one that also wants a symbol
    (Cognito's default): one of each class, the rest from letters and digits."""
    alphabet = _LOWER + _UPPER + _DIGITS
    chosen = [secrets.choice(_LOWER), secrets.choice(_UPPER), secrets.choice(_DIGITS), secrets.choice(_SYMBOLS)]
    chosen += [secrets.choice(alphabet) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)

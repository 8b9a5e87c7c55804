"""Secrets Manager: key material the functions need (the registry's seal, the local
stack's token key). Read once per warm Lambda and kept in memory, never logged."""

from __future__ import annotations

import threading

from ezd.adapters import aws

_cache: dict[tuple[str | None, str], str] = {}
_lock = threading.Lock()


def secret_string(arn: str) -> str:
    key = (aws.caller(), arn)
    with _lock:
        if key not in _cache:
            # A rotation writes a new version under a new ARN (or a restart), so caching
            # for the life of the process is safe.
            _cache[key] = aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
        return _cache[key]


def forget() -> None:
    """Drop cached secrets (the local stack was restarted under new ARNs)."""
    with _lock:
        _cache.clear()

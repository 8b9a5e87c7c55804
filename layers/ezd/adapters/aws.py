"""boto3 clients for the adapters. AWS_ENDPOINT_URL points them at moto locally."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

_lock = threading.Lock()
_clients: dict[str, Any] = {}

# Short timeouts: a stuck call should fail fast and be retried by the workflow's Retry.
_CONFIG = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})


def client(service: str) -> Any:
    with _lock:
        if service not in _clients:
            _clients[service] = boto3.session.Session().client(service, config=_CONFIG)
        return _clients[service]


def caller() -> str | None:
    """Who is calling, where one process serves several functions (the local stack sets
    this to the function running); caches of what a role may read are kept per caller,
    as each Lambda keeps its own. Always None in Lambda itself."""
    return None


def reset_clients() -> None:
    """Forget cached clients (the endpoint or credentials changed)."""
    with _lock:
        _clients.clear()

"""boto3 clients for the adapters. AWS_ENDPOINT_URL points them at moto locally."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_session: boto3.session.Session | None = None  # one botocore session: its loader reads each model once

# Short timeouts: a stuck call should fail fast and be retried by the workflow's Retry.
_CONFIG = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})


def client(service: str) -> Any:
    """The process's client of a service, made once under a lock (boto3 clients are
    thread-safe; making one loads the service's model, which no thread should repeat)."""
    global _session
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:
            if _session is None:
                _session = boto3.session.Session()
            _clients[service] = _session.client(service, config=_CONFIG)
        return _clients[service]


def caller() -> str | None:
    """Who is calling, where one process serves several functions (the local stack sets
    this to the function running); caches of what a role may read are kept per caller,
    as each Lambda keeps its own. Always None in Lambda itself."""
    return None


def reset_clients() -> None:
    """Forget cached clients (the endpoint or credentials changed)."""
    from ezd.adapters import records_table  # its pynamodb connections hold clients too

    global _session
    with _lock:
        _clients.clear()
        _session = None
    records_table.reset_connections()

"""Transient faults on demand: the next N matching calls fail as the network or a proxy would.

Modes: ``503`` (answered before anything is done), ``429`` (too many requests: refused
before anything is done, with ``Retry-After``), ``reset`` (the connection is reset
before anything is done) and ``reset_after`` (the call is carried out, then the
connection is reset: the caller cannot know whether it happened — the case a send must
survive without sending twice).
"""

from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass
from typing import Any

MODES = ("503", "429", "reset", "reset_after")


@dataclass
class _Rule:
    mode: str
    remaining: int
    method: str | None
    path_contains: str | None


class FaultPlan:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self.injected = 0

    def add(self, count: int, mode: str = "503", method: str | None = None, path_contains: str | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._rules.append(_Rule(mode, count, method.upper() if method else None, path_contains))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str) -> str | None:
        with self._lock:
            for rule in self._rules:
                if rule.method and rule.method != method:
                    continue
                if rule.path_contains and rule.path_contains not in path:
                    continue
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
                self.injected += 1
                return rule.mode
        return None


def reset_connection(environ: dict[str, Any]) -> None:
    """Abort the TCP connection (RST) under the request being served."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        raise RuntimeError("the server does not expose its socket; cannot reset")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()

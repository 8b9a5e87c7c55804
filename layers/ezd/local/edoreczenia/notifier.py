"""Subscription callbacks (onMessage, onEvidence): POSTed from a worker thread, retried, never repeated.

Each notification has a key (mailbox, callback, object id); a key is queued once, so the
same message or evidence is never announced twice however often the state is swept. A
delivery counts when the subscriber answers 2xx; otherwise it is retried with doubling
delays up to ``max_attempts`` and then given up (recorded in ``log``). The payloads are
checked against the contract's callback schema before they leave.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger(__name__)


@dataclass(order=True)
class _Pending:
    due: float
    seq: int
    key: tuple[str, str, str] = field(compare=False)
    url: str = field(compare=False)
    payload: dict[str, Any] = field(compare=False)
    attempts: int = field(default=0, compare=False)


class Notifier:
    def __init__(self, *, check: Callable[[str, dict[str, Any]], list[str]] | None = None,
                 max_attempts: int = 6, first_delay: float = 0.2, timeout: float = 5.0) -> None:
        self._cond = threading.Condition()
        self._heap: list[_Pending] = []
        self._seen: set[tuple[str, str, str]] = set()
        self._seq = itertools.count()
        self._check = check
        self.max_attempts = max_attempts
        self.first_delay = first_delay
        self.timeout = timeout
        self.log: list[dict[str, Any]] = []  # one entry per attempt
        self.violations: list[str] = []
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._busy = False

    def start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="edoreczenia-callbacks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def enqueue(self, callback: str, url: str, payload: dict[str, Any], object_id: str) -> bool:
        key = (payload.get("eDeliveryAddress", ""), callback, object_id)
        if self._check is not None:
            errors = self._check(callback, payload)
            if errors:
                self.violations += errors
                log.error("callback %s breaks the contract: %s", callback, errors)
        with self._cond:
            if key in self._seen:
                return False
            self._seen.add(key)
            heapq.heappush(self._heap, _Pending(time.monotonic(), next(self._seq), key, url, payload))
            self._cond.notify_all()
        return True

    def idle(self) -> bool:
        with self._cond:
            return not self._heap and not self._busy

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._heap or self._heap[0].due > time.monotonic()):
                    wait = self._heap[0].due - time.monotonic() if self._heap else None
                    self._cond.wait(timeout=wait)
                if self._stopping:
                    return
                item = heapq.heappop(self._heap)
                self._busy = True
            ok, detail = self._post(item)
            with self._cond:
                item.attempts += 1
                self.log.append({"callback": item.key[1], "object_id": item.key[2], "url": item.url,
                                 "attempt": item.attempts, "ok": ok, "detail": detail})
                if not ok and item.attempts < self.max_attempts:
                    item.due = time.monotonic() + self.first_delay * 2 ** (item.attempts - 1)
                    heapq.heappush(self._heap, item)
                elif not ok:
                    log.warning("callback %s to %s given up after %d attempts", item.key, item.url, item.attempts)
                self._busy = False

    def _post(self, item: _Pending) -> tuple[bool, str]:
        request = urllib.request.Request(item.url, data=json.dumps(item.payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - subscriber's URL
                return 200 <= response.status < 300, f"HTTP {response.status}"
        except urllib.error.HTTPError as err:
            return False, f"HTTP {err.code}"
        except (OSError, ValueError) as err:
            return False, type(err).__name__

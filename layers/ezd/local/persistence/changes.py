"""What the requests into moto touched since the last commit.

moto's models are patched (dynamodb_state, s3_state) to report every item key and every
object key they change; the moto server commits after each request, imaging the touched
keys' resulting state into the journal. Only keys are collected here, not values: a key
touched twice in one request is journaled once, with its final state, and a request that
fails half-way (a transaction put back by moto_patches) journals what is really there.

Requests into moto are serialised by the server, so one set serves them all; the lock
only guards against a change made outside a request (it is then journaled with the next
commit rather than lost).
"""

from __future__ import annotations

import threading
from typing import Any

# (table object, hash key, range key) — moto's DynamoType values, hashable.
ItemKey = tuple[Any, Any, Any]
# (bucket name, object key): bucket names are one namespace across moto's accounts
ObjectKey = tuple[str, str]


class Pending:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: set[ItemKey] = set()
        self._objects: set[ObjectKey] = set()

    def item(self, key: ItemKey) -> None:
        with self._lock:
            self._items.add(key)

    def object(self, key: ObjectKey) -> None:
        with self._lock:
            self._objects.add(key)

    def take(self) -> tuple[set[ItemKey], set[ObjectKey]]:
        with self._lock:
            items, self._items = self._items, set()
            objects, self._objects = self._objects, set()
        return items, objects


_active: Pending | None = None


def activate(pending: Pending | None) -> None:
    """The set the patched models report to (None: nothing is recorded, e.g. while the
    saved state is being loaded, or once the stack has stopped)."""
    global _active
    _active = pending


def deactivate(pending: Pending) -> None:
    """Stops recording into ``pending`` (and only into it: another stack's set stays)."""
    global _active
    if _active is pending:
        _active = None


def touched_item(table: Any, hash_key: Any, range_key: Any) -> None:
    if _active is not None:
        _active.item((table, hash_key, range_key))


def touched_object(bucket: str, key: str) -> None:
    if _active is not None:
        _active.object((bucket, key))

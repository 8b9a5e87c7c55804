"""The ePUAP simulator's boxes and the letters waiting in them.

The simulator stands for the real ePUAP, which keeps a letter until its receiver
confirms it: a restart of the local stack must not lose a letter the public "sent". Its
state is small (the boxes and what waits in them), so each box whose state changed is
journaled whole after every request to the simulator, before the response leaves —
a `nadaj` is acknowledged only once its letter is durable.

This module reads the simulator's private state (``_boxes``, ``_ids``, ``_lock``): both
are local-stack code, and the simulator is kept free of persistence concerns.

Records: ``("epuap", box address, box image or None)`` and ``("epuap-ids", next id)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

KIND = "epuap"
IDS = "epuap-ids"
Record = tuple[Any, ...]
Append = Callable[[list[Record]], int]


def _next_id(simulator: Any) -> int:
    # itertools.count cannot be read without consuming it: take one, put a fresh one back.
    value = next(simulator._ids)
    simulator._ids = itertools.count(value)
    return value


def _document(doc: Any) -> dict[str, Any]:
    fields = doc.model_dump()  # the content is excluded from dumps on purpose; add it here
    fields["delivered_at"] = doc.delivered_at.isoformat()
    fields["content"] = doc.content
    return fields


def _box_image(box: Any) -> dict[str, Any]:
    return {
        "podmiot": box.podmiot, "box_name": box.box_name, "box_address": box.box_address,
        "confirmed": box.confirmed, "pushed": box.pushed, "push_failures": box.push_failures,
        "push_url": box.push_url,
        "queue": [{"document_id": w.document_id, "doc": _document(w.doc)} for w in box.queue],
    }


def _fingerprint(box: Any) -> tuple[Any, ...]:
    return (box.podmiot, box.box_name, box.confirmed, box.pushed, box.push_failures, box.push_url,
            tuple(w.document_id for w in box.queue))


class EpuapState:
    def __init__(self, simulator: Any) -> None:
        self.simulator = simulator
        self._seen: dict[str, tuple[Any, ...]] = {}
        self._seen_id: int | None = None

    def apply(self, record: Record) -> None:
        from ezd.local.epuap_simulator import _Box, _Waiting
        from ezd.models.epuap import PulledDocument

        if record[0] == IDS:
            self.simulator._ids = itertools.count(record[1])
            return
        _, address, image = record
        if image is None:
            self.simulator._boxes.pop(address, None)
            return
        box = _Box(podmiot=image["podmiot"], box_name=image["box_name"], box_address=image["box_address"],
                   confirmed=image["confirmed"], pushed=image["pushed"], push_failures=image["push_failures"],
                   push_url=image["push_url"])
        box.queue = [_Waiting(document_id=w["document_id"], doc=PulledDocument.model_validate(w["doc"]))
                     for w in image["queue"]]
        self.simulator._boxes[address] = box

    def changed_records(self, everything: bool = False, append: Append | None = None) -> tuple[list[Record], int]:
        """Records of the boxes that changed since last asked (all of them if asked).

        ``append`` journals them while the simulator's lock is still held, so two
        requests changing one box are journaled in the order they changed it."""
        simulator = self.simulator
        records: list[Record] = []
        lsn = 0
        with simulator._lock:
            for address, box in simulator._boxes.items():
                mark = _fingerprint(box)
                if everything or self._seen.get(address) != mark:
                    self._seen[address] = mark
                    records.append((KIND, address, _box_image(box)))
            for address in [a for a in self._seen if a not in simulator._boxes]:
                del self._seen[address]
                records.append((KIND, address, None))
            next_id = _next_id(simulator)
            if everything or next_id != self._seen_id:
                self._seen_id = next_id
                records.append((IDS, next_id))
            if records and append is not None:
                lsn = append(records)
        return records, lsn

    def waiting(self) -> int:
        with self.simulator._lock:
            return sum(len(box.queue) for box in self.simulator._boxes.values())

    def attach(self, append: Append, wait: Callable[[int], None]) -> None:
        """After every request to the simulator, what changed is journaled and durable
        before the response is sent."""
        self.changed_records()  # what was loaded is saved already
        inner = self.simulator.wsgi_app

        def wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            try:
                return inner(environ, start_response)
            finally:
                _, lsn = self.changed_records(append=append)
                if lsn:
                    wait(lsn)

        self.simulator.wsgi_app = wsgi_app

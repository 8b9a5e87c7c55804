"""The ePUAP simulator's boxes and the letters waiting in them.

The simulator stands for the real ePUAP, which keeps a letter until its receiver
confirms it: a restart of the local stack must not lose a letter the public "sent". After
every request to the simulator, what changed is journaled before the response leaves — a
`nadaj` is acknowledged only once its letter is durable.

What changed, not whole boxes: a letter is journaled once when it arrives and once (its
id only) when it is confirmed, and a box's counters when they move. Journaling each
changed box whole made every `nadaj` cost as much as the whole queue (quadratic in the
letters waiting: 50 letters of 300 KB in a box wrote 380 MB of journal).

This module reads the simulator's private state (``_boxes``, ``_ids``, ``_lock``): both
are local-stack code, and the simulator is kept free of persistence concerns.

Records: ``("epuap-box", address, box fields or None)``, ``("epuap-letter", address,
document id, letter or None)`` and ``("epuap-ids", next id)``. ``("epuap", address, box
image or None)``, a whole box with its queue, was written before and is still read.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

WHOLE_BOX = "epuap"  # read only: state directories written before the records below
BOX = "epuap-box"
LETTER = "epuap-letter"
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


def _box_fields(box: Any) -> dict[str, Any]:
    return {"podmiot": box.podmiot, "box_name": box.box_name, "box_address": box.box_address,
            "confirmed": box.confirmed, "pushed": box.pushed, "push_failures": box.push_failures,
            "push_url": box.push_url}


class EpuapState:
    def __init__(self, simulator: Any) -> None:
        self.simulator = simulator
        # What the journal holds of each box: its fields, and the ids of its letters.
        self._seen: dict[str, tuple[dict[str, Any], set[str]]] = {}
        self._seen_id: int | None = None

    # ------------------------------------------------------------------ replay

    def apply(self, record: Record) -> None:
        kind = record[0]
        if kind == IDS:
            self.simulator._ids = itertools.count(record[1])
        elif kind == BOX:
            self._apply_box(record[1], record[2])
        elif kind == LETTER:
            self._apply_letter(*record[1:])
        elif kind == WHOLE_BOX:
            _, address, image = record
            self._apply_box(address, None if image is None else {k: v for k, v in image.items() if k != "queue"})
            for waiting in (image or {}).get("queue", []):
                self._apply_letter(address, waiting["document_id"], waiting["doc"])

    def _apply_box(self, address: str, fields: dict[str, Any] | None) -> None:
        from ezd.local.epuap_simulator import _Box

        boxes = self.simulator._boxes
        if fields is None:
            boxes.pop(address, None)
            return
        box = boxes.get(address)
        if box is None or fields.get("podmiot") != box.podmiot or fields.get("box_name") != box.box_name:
            boxes[address] = box = _Box(podmiot=fields["podmiot"], box_name=fields["box_name"],
                                        box_address=fields["box_address"])
        for name in ("confirmed", "pushed", "push_failures", "push_url"):
            setattr(box, name, fields[name])

    def _apply_letter(self, address: str, document_id: str, doc: dict[str, Any] | None) -> None:
        from ezd.local.epuap_simulator import _Waiting
        from ezd.models.epuap import PulledDocument

        queue = self.simulator._boxes[address].queue
        queue[:] = [w for w in queue if w.document_id != document_id]
        if doc is not None:
            queue.append(_Waiting(document_id=document_id, doc=PulledDocument.model_validate(doc)))

    # ------------------------------------------------------------------ journal

    def changed_records(self, everything: bool = False, append: Append | None = None) -> tuple[list[Record], int]:
        """Records of what changed since last asked (everything, if asked).

        ``append`` journals them while the simulator's lock is still held, so two
        requests changing one box are journaled in the order they changed it."""
        simulator = self.simulator
        records: list[Record] = []
        lsn = 0
        with simulator._lock:
            if everything:
                self._seen.clear()
            for address, box in simulator._boxes.items():
                fields = _box_fields(box)
                seen_fields, seen_ids = self._seen.get(address) or (None, set())
                if fields != seen_fields:
                    records.append((BOX, address, fields))
                ids = {w.document_id for w in box.queue}
                records.extend((LETTER, address, document_id, None) for document_id in seen_ids - ids)
                records.extend((LETTER, address, w.document_id, _document(w.doc))
                               for w in box.queue if w.document_id not in seen_ids)
                self._seen[address] = (fields, ids)
            for address in [a for a in self._seen if a not in simulator._boxes]:
                del self._seen[address]
                records.append((BOX, address, None))
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

"""Snapshots: the whole saved state in one file, so the journal can be truncated.

A checkpoint starts a new journal segment first and then images the state a chunk at a
time, each chunk under the moto server's lock, so requests continue meanwhile. Such a
snapshot is fuzzy — it may show some keys as they were after the segment began — and
that is correct because every record is an idempotent image of a key's state: replaying
the new segment over the snapshot ends, for every key, in its last journaled state.

The file is a sequence of frames (see framing.py) of the same records the journal holds:
a ``("snapshot", {...})`` header first, an ``("end", {counts})`` frame last. It is written
under a temporary name, fsync'd, renamed, and only then named in the manifest; older
snapshots and segments are deleted after that, so a crash at any point leaves either
the old or the new snapshot usable with its segments.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ezd.clock import now_utc
from ezd.local.persistence import framing
from ezd.local.persistence.journal import fsync_directory

Record = tuple[Any, ...]


class SnapshotWriter:
    def __init__(self, final: Path, segment: int) -> None:
        self.final = final
        self._temporary = final.with_suffix(".tmp")
        self._handle = open(self._temporary, "wb")  # noqa: SIM115 - closed in finish/abort
        self.records = 0
        self.write([("snapshot", {"segment": segment, "written_at": now_utc().isoformat()})])

    def write(self, records: list[Record]) -> None:
        if records:
            self._handle.write(framing.encode(records))
            self.records += len(records)

    def write_all(self, chunks: Iterable[list[Record]]) -> None:
        for chunk in chunks:
            self.write(chunk)

    def finish(self, counts: dict[str, Any]) -> None:
        self.write([("end", counts)])
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._temporary, self.final)
        fsync_directory(self.final.parent)

    def abort(self) -> None:
        self._handle.close()
        self._temporary.unlink(missing_ok=True)


def read(path: Path) -> Iterator[list[Record]]:
    """The chunks of a snapshot; refuses one without its end frame (it is never installed
    unfinished, so that would be damage)."""
    finished = False
    for records, _ in framing.read_frames(path):
        if records and records[0][0] in ("snapshot", "end"):
            finished = finished or records[0][0] == "end"
            continue
        yield records
    if not finished:
        raise framing.CorruptStateFile(f"{path}: the snapshot has no end frame")

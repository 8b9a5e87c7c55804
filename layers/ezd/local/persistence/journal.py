"""The redo journal: frames appended in the order the changes happened, made durable by
group commit.

A request appends its frame while it still holds the moto server's lock (so the order of
frames is the order of changes), then waits *outside* the lock until the frame is on
disk, and only then is its response sent. Whoever waits first writes and fsyncs
everything appended so far; requests that arrived meanwhile find their frames already
durable, or are covered by the next single fsync. So a mutating request costs one fsync
at most, and under load many requests share one.

A frame may carry work that must be durable *before* it (the bytes of an S3 object
version it refers to) and work to do once it is (let moto read those bytes from disk
instead of memory). The flusher runs both, so neither happens under the server's lock.

The journal is split into numbered segments (``journal-00000007.log``); a checkpoint
starts a new segment, writes a snapshot, and then deletes the segments before it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ezd.local.persistence import framing

log = logging.getLogger(__name__)

Action = Callable[[], None]


def segment_name(number: int) -> str:
    return f"journal-{number:08d}.log"


def segment_number(path: Path) -> int:
    return int(path.name.removeprefix("journal-").removesuffix(".log"))


def fsync_directory(directory: Path) -> None:
    """A created or renamed file survives a crash only once its directory is synced."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class JournalFailed(RuntimeError):
    """The journal could not be written: what moto holds is ahead of what is on disk."""


@dataclass
class _Batch:
    data: bytearray = field(default_factory=bytearray)
    before: list[Action] = field(default_factory=list)
    after: list[Action] = field(default_factory=list)


class Journal:
    def __init__(self, directory: Path, segment: int, lsn: int = 0) -> None:
        self.directory = directory
        self.segment = segment
        self._fd = self._open(segment)
        self._lock = threading.Lock()  # the pending batch and the counters
        self._flush_lock = threading.Lock()  # one writer at a time
        self._pending = _Batch()
        self._appended = lsn  # frames appended (log sequence number of the last one)
        self._durable = lsn  # frames on disk
        self._bytes_in_segment = 0
        self._error: BaseException | None = None
        self._closed = False

    def _open(self, segment: int) -> int:
        path = self.directory / segment_name(segment)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        fsync_directory(self.directory)
        return fd

    @property
    def bytes_in_segment(self) -> int:
        return self._bytes_in_segment

    @property
    def appended(self) -> int:
        return self._appended

    def append(self, records: list[Any], *, before: list[Action] | None = None,
               after: list[Action] | None = None) -> int:
        """Queues one frame; returns its sequence number for ``wait``."""
        frame = framing.encode(records)
        with self._lock:
            if self._closed:
                raise JournalFailed("the journal is closed")
            self._pending.data += frame
            if before:
                self._pending.before.extend(before)
            if after:
                self._pending.after.extend(after)
            self._appended += 1
            self._bytes_in_segment += len(frame)
            return self._appended

    def wait(self, lsn: int) -> None:
        """Returns once frame ``lsn`` (and every frame before it) is on disk."""
        if self._durable >= lsn:
            return
        with self._flush_lock:
            if self._durable >= lsn:  # someone else's fsync covered it
                return
            self._flush_locked()

    def flush(self) -> None:
        """Makes everything appended so far durable."""
        self.wait(self._appended)

    def _flush_locked(self) -> None:
        if self._error is not None:
            raise JournalFailed("an earlier journal write failed") from self._error
        with self._lock:
            batch, self._pending = self._pending, _Batch()
            upto = self._appended
        try:
            for action in batch.before:
                action()
            view = memoryview(batch.data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fdatasync(self._fd)
        except BaseException as exc:
            self._error = exc
            log.critical("the local stack's journal could not be written: %s", exc)
            raise JournalFailed(f"journal write failed: {exc}") from exc
        self._durable = upto
        for action in batch.after:
            try:
                action()
            except Exception:  # an optimisation (freeing memory) must not fail the request
                log.exception("post-commit action failed")

    def rotate(self) -> int:
        """Flushes, and continues in a new segment; returns the new segment's number.

        Every frame appended after this call is in the new segment or a later one."""
        with self._flush_lock:
            self._flush_locked()
            with self._lock:
                old_fd = self._fd
                self.segment += 1
                self._fd = self._open(self.segment)
                self._bytes_in_segment = 0
            os.close(old_fd)
            return self.segment

    def close(self) -> None:
        with self._flush_lock:
            if self._closed:
                return
            try:
                if self._error is None:
                    self._flush_locked()
            finally:
                with self._lock:
                    self._closed = True
                os.close(self._fd)

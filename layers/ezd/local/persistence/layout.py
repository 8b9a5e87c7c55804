"""Where the saved state lives under the stack's state directory, and who may use it.

    <state>/keys/, <state>/trust/   key material and trust store (never removed here)
    <state>/stack.json              how to reach the running stack
    <state>/data/                   the saved state: removed by --fresh and `ezd reset`
        LOCK                        held (flock) by the stack using this state
        manifest.json               which snapshot, which journal segments, initialised?
        snapshot-NNNNNNNN.bin       the state as of the start of segment NNNNNNNN
        journal-NNNNNNNN.log        changes since, one frame per request
        blobs/ab/abcdef…            S3 object bytes by SHA-256

One stack at a time: two processes appending to one journal would interleave changes to
the same keys, so the stack holds an exclusive lock on ``data/LOCK`` while it runs, and
`ezd reset` refuses while it is held.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ezd.local.persistence.journal import fsync_directory

FORMAT = 2  # 2: DynamoDB items as flat (kinds, names, values) records


class StateBusy(RuntimeError):
    """Another stack is running on this state directory."""


@dataclass(frozen=True)
class StateLayout:
    state_dir: Path

    @property
    def data(self) -> Path:
        return self.state_dir / "data"

    @property
    def lock_file(self) -> Path:
        return self.data / "LOCK"

    @property
    def manifest(self) -> Path:
        return self.data / "manifest.json"

    @property
    def blobs(self) -> Path:
        return self.data / "blobs"

    def snapshot(self, segment: int) -> Path:
        return self.data / f"snapshot-{segment:08d}.bin"


class StateLock:
    """An exclusive flock on ``data/LOCK``; the file names the holder's pid."""

    def __init__(self, layout: StateLayout) -> None:
        layout.data.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(layout.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(self._fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(self._fd)
            raise StateBusy(f"a stack (pid {holder}) is running on {layout.state_dir}; stop it first") from None
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode("ascii"))

    def release(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1


def read_manifest(layout: StateLayout) -> dict[str, Any] | None:
    try:
        manifest = json.loads(layout.manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if manifest.get("format") != FORMAT:
        raise RuntimeError(f"{layout.manifest}: saved state of format {manifest.get('format')}, this code reads "
                           f"{FORMAT}: start with --fresh (or run `ezd reset`) to begin empty")
    return manifest


def write_manifest(layout: StateLayout, manifest: dict[str, Any]) -> None:
    """Atomically: the manifest is either the old one or the new one after a crash."""
    temporary = layout.manifest.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump({**manifest, "format": FORMAT}, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, layout.manifest)
    fsync_directory(layout.data)


def wipe(layout: StateLayout) -> list[str]:
    """Removes the saved state but the lock file (the caller holds the lock)."""
    removed = []
    if not layout.data.exists():
        return removed
    for entry in sorted(layout.data.iterdir()):
        if entry == layout.lock_file:
            continue
        removed.append(entry.name)
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    fsync_directory(layout.data)
    return removed


def reset(state_dir: Path) -> list[str]:
    """`ezd reset`: forget the saved data of a stopped stack (keys and trust stay).
    Raises StateBusy while a stack runs on ``state_dir``."""
    layout = StateLayout(state_dir)
    if not layout.data.exists():
        return []
    lock = StateLock(layout)
    try:
        removed = wipe(layout)
        # Still holding the lock, so no stack can start on half-removed state.
        layout.lock_file.unlink(missing_ok=True)
        layout.data.rmdir()
    finally:
        lock.release()
    return removed

"""The bytes of S3 object versions, kept once each on disk by their SHA-256.

Content addressing stores what the system keeps twice only once (a letter's staged
delivery and its archived original are the same bytes) and makes a re-written object a
no-op. A version's bytes are durable *before* the journal frame that names them.

``BlobBuffer`` stands in for the SpooledTemporaryFile in which moto keeps a key's
bytes: it reads them from the blob file when asked, so moto holds the metadata of every
version in memory but not the documents themselves.
"""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

from ezd.local.persistence.journal import fsync_directory

log = logging.getLogger(__name__)


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._incoming = root / ".incoming"
        self._incoming.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> str:
        return os.path.join(self.root, sha256[:2], sha256)

    def has(self, sha256: str) -> bool:
        return os.path.exists(self.path(sha256))

    def write_many(self, blobs: Iterable[tuple[str, bytes]]) -> None:
        """Writes each (sha256, bytes) not yet stored, durably; an existing one is only
        touched (a blob in use since the last start is never collected, see
        ``collect_garbage``)."""
        directories: set[str] = set()
        seen: set[str] = set()
        for sha256, data in blobs:
            if sha256 in seen:
                continue
            seen.add(sha256)
            final = self.path(sha256)
            if os.path.exists(final):
                os.utime(final)
                continue
            directory = os.path.dirname(final)
            if not os.path.isdir(directory):
                os.makedirs(directory, exist_ok=True)
                fsync_directory(self.root)
            temporary = os.path.join(self._incoming, f"{sha256}.{os.getpid()}.{time.monotonic_ns()}")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, final)
            directories.add(directory)
        for directory in directories:
            fsync_directory(Path(directory))

    def collect_garbage(self, keep: set[str], started_before: float) -> int:
        """Removes blobs no object version refers to. ``keep`` is what the restored state
        refers to; a blob written or touched since ``started_before`` may belong to a
        version created since, so it stays. Returns how many were removed."""
        removed = 0
        for entry in os.scandir(self._incoming):
            os.unlink(entry.path)  # left by a crash between write and rename
        for directory in os.scandir(self.root):
            if not directory.is_dir() or directory.name.startswith("."):
                continue
            for entry in os.scandir(directory.path):
                if entry.name in keep:
                    continue
                try:
                    if entry.stat().st_mtime < started_before:
                        os.unlink(entry.path)
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed


class BlobBuffer:
    """The file-like object moto's FakeKey reads its value from, backed by a blob file.

    FakeKey only seeks, reads, truncates, writes and closes its buffer. Reads open the
    file each time (hundreds of thousands of versions must not hold file descriptors);
    a write, which moto does only when it builds a key, switches to memory.
    """

    __slots__ = ("_path", "_position", "_memory", "closed")

    def __init__(self, path: str) -> None:
        self._path = path
        self._position = 0
        self._memory: io.BytesIO | None = None
        self.closed = False

    def _check(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check()
        if self._memory is not None:
            return self._memory.seek(offset, whence)
        if whence == io.SEEK_SET:
            self._position = offset
        elif whence == io.SEEK_CUR:
            self._position += offset
        else:
            self._position = os.path.getsize(self._path) + offset
        return self._position

    def tell(self) -> int:
        self._check()
        return self._memory.tell() if self._memory is not None else self._position

    def read(self, size: int | None = -1) -> bytes:
        self._check()
        if self._memory is not None:
            return self._memory.read(size)
        with open(self._path, "rb") as handle:
            handle.seek(self._position)
            data = handle.read() if size is None or size < 0 else handle.read(size)
        self._position += len(data)
        return data

    def _to_memory(self) -> io.BytesIO:
        if self._memory is None:
            with open(self._path, "rb") as handle:
                self._memory = io.BytesIO(handle.read())
            self._memory.seek(self._position)
        return self._memory

    def truncate(self, size: int | None = None) -> int:
        self._check()
        memory = self._to_memory()
        return memory.truncate(memory.tell() if size is None else size)

    def write(self, data: bytes) -> int:
        self._check()
        return self._to_memory().write(data)

    def close(self) -> None:
        self.closed = True
        if self._memory is not None:
            self._memory.close()

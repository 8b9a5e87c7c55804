"""How records are put into files: plain data, pickled, framed with a length and a CRC.

Both the journal and the snapshot are sequences of frames; a frame holds a list of
records (tuples of plain data: str, int, float, bool, None, bytes, list, tuple, dict).
One frame is one unit of atomicity: a request's records share a frame, so after a crash
a request is replayed entirely or not at all.

Why pickle and not JSON: loading a snapshot of a year of registers is the restart time,
and CPython unpickles plain data about ten times faster than it parses JSON. Why only
plain data: a state file must never execute anything when it is read (the reader refuses
every class), and must not depend on moto's classes, which change between versions (the
writer refuses every object that is not plain data, so a record that could not be read
back is refused when it is written, not discovered at the next start).
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_HEADER = struct.Struct("<II")  # payload length, CRC-32 of the payload
HEADER_SIZE = _HEADER.size
_PROTOCOL = 5


class CorruptStateFile(Exception):
    """A frame in the middle of a state file is damaged: refuse to start rather than
    silently lose what follows it."""


class _PlainPickler(pickle.Pickler):
    # Called for every object the C pickler has no fast path for, i.e. everything that
    # is not plain data.
    def reducer_override(self, obj: Any) -> Any:
        raise TypeError(f"state records hold plain data only, not {type(obj).__module__}.{type(obj).__qualname__}")


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"state files hold plain data only, not {module}.{name}")


def encode(records: list[Any]) -> bytes:
    """One frame holding ``records``."""
    buffer = io.BytesIO()
    _PlainPickler(buffer, protocol=_PROTOCOL).dump(records)
    payload = buffer.getvalue()
    return _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def decode(payload: bytes) -> list[Any]:
    return _PlainUnpickler(io.BytesIO(payload)).load()


def read_frames(path: Path) -> Iterator[tuple[list[Any], int]]:
    """The frames of ``path`` with the offset just after each.

    Stops quietly at a torn tail (the last frame cut short or half-written by a crash:
    its request was never acknowledged); raises CorruptStateFile for damage that is
    followed by more data.
    """
    with open(path, "rb") as handle:
        size = handle.seek(0, io.SEEK_END)
        handle.seek(0)
        offset = 0
        while offset < size:
            header = handle.read(HEADER_SIZE)
            if len(header) < HEADER_SIZE:
                return  # torn: the header itself was cut
            length, crc = _HEADER.unpack(header)
            end = offset + HEADER_SIZE + length
            if end > size:
                return  # torn: the payload was cut
            payload = handle.read(length)
            if zlib.crc32(payload) != crc:
                if end == size:
                    return  # torn: the last frame was only partly on disk
                raise CorruptStateFile(f"{path}: damaged frame at offset {offset} with {size - end} bytes after it")
            try:
                records = decode(payload)
            except Exception as exc:  # a valid CRC over an unreadable payload is not a torn write
                raise CorruptStateFile(f"{path}: unreadable frame at offset {offset}: {exc}") from exc
            offset = end
            yield records, offset

"""The files of the embedded stack's saved state: frames, journal, blobs, lock and reset."""

from __future__ import annotations

import os
import threading
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ezd.local.persistence import framing
from ezd.local.persistence.blobs import BlobBuffer, BlobStore
from ezd.local.persistence.journal import Journal, segment_name
from ezd.local.persistence.layout import StateBusy, StateLayout, StateLock, reset


def _frames(path: Path) -> list[list]:
    return [records for records, _ in framing.read_frames(path)]


def test_frames_hold_plain_data_and_refuse_anything_else(tmp_path: Path) -> None:
    records = [("ddb", "t", {"S": "é"}, None, [1, 2.5, True], b"\x00bytes", {"k": (1, 2)})]
    path = tmp_path / "f"
    path.write_bytes(framing.encode(records))
    assert _frames(path) == [records]
    for value in (Decimal("1"), datetime(2026, 1, 1), object(), Path("/x")):
        with pytest.raises(TypeError):
            framing.encode([("x", value)])


def test_a_torn_last_frame_is_dropped_and_damage_before_the_end_is_refused(tmp_path: Path) -> None:
    frames = [framing.encode([("n", n)]) for n in range(3)]
    path = tmp_path / "journal"
    path.write_bytes(b"".join(frames)[:-5])  # the last frame half-written by a crash
    assert _frames(path) == [[("n", 0)], [("n", 1)]]
    damaged = bytearray(b"".join(frames))
    damaged[len(frames[0]) + framing.HEADER_SIZE + 2] ^= 0xFF  # a bit flip in the second frame
    path.write_bytes(bytes(damaged))
    with pytest.raises(framing.CorruptStateFile):
        _frames(path)


def test_group_commit_keeps_the_order_and_runs_actions_around_the_write(tmp_path: Path) -> None:
    journal = Journal(tmp_path, 1)
    events: list[str] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        for i in range(50):
            with lock:  # the moto server's lock: appends in the order of the changes
                lsn = journal.append([("w", n, i)], before=[lambda: events.append("blob")],
                                     after=[lambda: events.append("moved")])
            journal.wait(lsn)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    journal.close()
    written = [records[0] for records in _frames(tmp_path / segment_name(1))]
    assert len(written) == 200
    for n in range(4):
        assert [i for _, who, i in written if who == n] == list(range(50))
    assert events.count("blob") == events.count("moved") == 200


def test_rotation_continues_in_the_next_segment(tmp_path: Path) -> None:
    journal = Journal(tmp_path, 4)
    journal.wait(journal.append([("a",)]))
    assert journal.rotate() == 5
    journal.wait(journal.append([("b",)]))
    journal.close()
    assert _frames(tmp_path / segment_name(4)) == [[("a",)]]
    assert _frames(tmp_path / segment_name(5)) == [[("b",)]]


def test_blobs_are_stored_once_and_read_lazily(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    store.write_many([("ab" + "0" * 62, b"hello world"), ("ab" + "0" * 62, b"hello world")])
    path = store.path("ab" + "0" * 62)
    buffer = BlobBuffer(path)
    assert buffer.read(5) == b"hello" and buffer.read() == b" world"
    buffer.seek(0)
    assert buffer.read() == b"hello world"
    buffer.seek(0)
    buffer.truncate()
    buffer.write(b"changed in memory")
    buffer.seek(0)
    assert buffer.read() == b"changed in memory"
    assert Path(path).read_bytes() == b"hello world"
    buffer.close()
    with pytest.raises(ValueError):
        buffer.read()


def test_garbage_collection_keeps_what_is_referenced_or_new(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    kept, unused, recent = "aa" + "1" * 62, "bb" + "2" * 62, "cc" + "3" * 62
    store.write_many([(kept, b"1"), (unused, b"2")])
    for sha in (kept, unused):
        os.utime(store.path(sha), (1_000_000, 1_000_000))
    store.write_many([(recent, b"3")])
    assert store.collect_garbage({kept}, started_before=2_000_000) == 1
    assert store.has(kept) and store.has(recent) and not store.has(unused)


def test_one_stack_per_state_directory_and_reset_keeps_keys_and_trust(tmp_path: Path) -> None:
    layout = StateLayout(tmp_path)
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "seal.pem").write_text("key")
    (tmp_path / "trust").mkdir()
    lock = StateLock(layout)
    (layout.data / "journal-00000001.log").write_bytes(b"")
    with pytest.raises(StateBusy):
        StateLock(layout)
    with pytest.raises(StateBusy):
        reset(tmp_path)
    lock.release()
    assert reset(tmp_path) == ["journal-00000001.log"]
    assert not layout.data.exists()
    assert (tmp_path / "keys" / "seal.pem").read_text() == "key" and (tmp_path / "trust").is_dir()
    assert reset(tmp_path) == []


def test_fresh_and_an_unfinished_first_start_begin_empty(tmp_path: Path) -> None:
    import json

    from ezd.local.persistence import Persistence

    layout = StateLayout(tmp_path)
    layout.data.mkdir(parents=True)
    (layout.data / "journal-00000001.log").write_bytes(b"demo data half written")
    layout.manifest.write_text(json.dumps({"format": 2, "snapshot": None, "replay_from": 1, "initialized": False}))
    first = Persistence.open(tmp_path)  # the first start never finished: nothing to resume
    assert first._discarded == ["journal-00000001.log", "manifest.json"]  # noqa: SLF001
    first.close()

    (layout.data / "journal-00000001.log").write_bytes(b"a user's work")
    layout.manifest.write_text(json.dumps({"format": 2, "snapshot": None, "replay_from": 1, "initialized": True}))
    kept = Persistence.open(tmp_path)
    assert kept._discarded == [] and (layout.data / "journal-00000001.log").exists()  # noqa: SLF001
    with pytest.raises(StateBusy):
        Persistence.open(tmp_path)
    kept.close()

    fresh = Persistence.open(tmp_path, fresh=True)
    assert not (layout.data / "journal-00000001.log").exists()
    assert json.loads(layout.manifest.read_text())["initialized"] is False
    fresh.close()

"""The ePUAP simulator's journal: what it writes per request, and what a replay rebuilds.

Through the simulator's own SOAP endpoints (WS-Skrytka ``nadaj``, WS-Pull) over HTTP, with
the journal of the local stack's persistence (``EpuapState``) collecting what each request
writes, the way ``Persistence`` attaches it.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from ezd.adapters.epuap_client import EpuapPullClient, EpuapSkrytkaClient
from ezd.local.epuap_simulator import EpuapSimulator
from ezd.local.persistence.epuap_state import EpuapState, _document

PODMIOT, BOX_NAME, BOX = "sp90journal", "SkrytkaESP", "/sp90journal/SkrytkaESP"


class Journal:
    def __init__(self) -> None:
        self.frames: list[list[Any]] = []

    def append(self, records: list[Any]) -> int:
        self.frames.append(records)
        return len(self.frames)

    def size(self, frame: list[Any]) -> int:
        return len(pickle.dumps(frame, protocol=5))


@pytest.fixture
def journaled() -> Iterator[tuple[EpuapSimulator, EpuapState, Journal]]:
    sim = EpuapSimulator(push_timeout=2)
    state, journal = EpuapState(sim), Journal()
    state.attach(journal.append, lambda lsn: None)
    sim.register_box(PODMIOT, BOX_NAME, BOX)
    state.changed_records(append=journal.append)  # a box registered directly, as Persistence journals it
    sim.start("127.0.0.1", 0)
    try:
        yield sim, state, journal
    finally:
        sim.stop()


def _letter(n: int) -> bytes:
    return f"<Dokument><Tresc>pismo {n}</Tresc></Dokument>".encode() + os.urandom(20_000)


def _replayed(frames: list[list[Any]]) -> EpuapSimulator:
    fresh = EpuapSimulator()
    state = EpuapState(fresh)
    for frame in frames:
        for record in frame:
            state.apply(record)
    return fresh


def test_each_nadaj_journals_its_own_letter_not_the_whole_queue(journaled: Any) -> None:
    sim, _, journal = journaled
    sender = EpuapSkrytkaClient(sim.skrytka_url, "jkowalski")
    sizes = []
    for n in range(30):
        before = len(journal.frames)
        sender.nadaj(BOX, _letter(n), f"pismo{n}.xml")
        sizes.append(sum(journal.size(f) for f in journal.frames[before:]))
    assert len(sim.waiting(BOX)) == 30
    # The 30th letter waits behind 29 others; its journal is the size of one letter.
    assert sizes[-1] < 1.5 * sizes[0], sizes


def test_a_replay_of_the_journal_rebuilds_the_boxes_after_arrivals_and_confirmations(journaled: Any) -> None:
    sim, state, journal = journaled
    sender = EpuapSkrytkaClient(sim.skrytka_url, "jkowalski")
    for n in range(5):
        sender.nadaj(BOX, _letter(n), f"pismo{n}.xml")
    reader = EpuapPullClient(sim.pull_url, PODMIOT, BOX_NAME, BOX)
    for _ in range(2):
        reader.confirm(reader.fetch_next().skrot)
    sim.set_push(BOX, "http://127.0.0.1:9/push")
    state.changed_records(append=journal.append)  # a direct change, as Persistence journals it

    fresh = _replayed(journal.frames)
    assert fresh.box_stats(BOX) == sim.box_stats(BOX)
    assert fresh.box_stats(BOX)["confirmed"] == 2 and fresh.box_stats(BOX)["waiting"] == 3
    assert [d.model_dump() | {"content": d.content} for d in fresh.waiting(BOX)] == \
        [d.model_dump() | {"content": d.content} for d in sim.waiting(BOX)]
    assert next(fresh._ids) == next(sim._ids) == 6  # the next id continues where the simulator stood


def test_a_snapshot_holds_everything_and_a_journal_after_it_continues_from_it(journaled: Any) -> None:
    sim, state, journal = journaled
    sender = EpuapSkrytkaClient(sim.skrytka_url, "jkowalski")
    for n in range(3):
        sender.nadaj(BOX, _letter(n), f"pismo{n}.xml")
    snapshot = [state.changed_records(everything=True)[0]]
    after = len(journal.frames)
    reader = EpuapPullClient(sim.pull_url, PODMIOT, BOX_NAME, BOX)
    reader.confirm(reader.fetch_next().skrot)
    sender.nadaj(BOX, _letter(3), "pismo3.xml")

    fresh = _replayed(snapshot + journal.frames[after:])
    assert fresh.box_stats(BOX) == sim.box_stats(BOX)
    assert [d.skrot for d in fresh.waiting(BOX)] == [d.skrot for d in sim.waiting(BOX)]


def test_whole_box_records_of_older_state_directories_are_still_read(journaled: Any) -> None:
    sim, _, _ = journaled
    EpuapSkrytkaClient(sim.skrytka_url, "jkowalski").nadaj(BOX, _letter(1), "pismo1.xml")
    [waiting] = sim.waiting(BOX)
    old_image = {"podmiot": PODMIOT, "box_name": BOX_NAME, "box_address": BOX, "confirmed": 4, "pushed": 1,
                 "push_failures": 0, "push_url": None,
                 "queue": [{"document_id": "SIM-DOC-00000011", "doc": _document(waiting)}]}
    fresh = _replayed([[("epuap", BOX, old_image), ("epuap-ids", 12)]])
    assert fresh.box_stats(BOX)["confirmed"] == 4 and fresh.box_stats(BOX)["waiting"] == 1
    assert fresh.waiting(BOX)[0].content == waiting.content
    assert next(fresh._ids) == 12

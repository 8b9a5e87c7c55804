"""The embedded stack's saved state: opened before moto serves, restored into moto's
backends after the template's resources are provisioned, committed after every request,
checkpointed when the journal grows and when the stack stops.

Durability: a request's changes are journaled while the moto server still holds its
lock and are on disk (fsync'd, with any object bytes they name) before its response
leaves the server — every response waits until everything journaled before it is
durable, so even a read never shows what a crash could take back. After ``kill -9`` at
most the requests in flight are lost, and none of them was acknowledged.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ezd.local.persistence import changes, dynamodb_state, executions, framing, s3_state, snapshot
from ezd.local.persistence.blobs import BlobStore
from ezd.local.persistence.epuap_state import EpuapState
from ezd.local.persistence.journal import Journal, JournalFailed, segment_name, segment_number
from ezd.local.persistence.layout import StateLayout, StateLock, read_manifest, wipe, write_manifest

log = logging.getLogger(__name__)

# A checkpoint once this much journal has accumulated (a restart replays at most this).
DEFAULT_CHECKPOINT_BYTES = int(float(os.environ.get("EZD_CHECKPOINT_MB", "256")) * 1024 * 1024)


@dataclass
class RestoreReport:
    resumed: bool  # there was saved state
    items: dict[str, int] = field(default_factory=dict)  # table -> items
    object_versions: dict[str, int] = field(default_factory=dict)  # bucket -> versions
    executions: int = 0  # to be continued
    epuap_waiting: int = 0
    snapshot_records: int = 0
    journal_records: int = 0
    torn_tail: bool = False
    seconds: float = 0.0
    discarded: list[str] = field(default_factory=list)  # an interrupted first start, --fresh
    unknown: list[str] = field(default_factory=list)  # tables/buckets no longer in the template

    def summary(self) -> str:
        if not self.resumed:
            return "started fresh" + (" (the saved state was removed)" if self.discarded else "")
        items = sum(self.items.values())
        versions = sum(self.object_versions.values())
        text = (f"resumed: {items:,} items, {versions:,} object versions, {self.executions} workflows to continue, "
                f"{self.epuap_waiting} ePUAP letters waiting ({self.snapshot_records:,} snapshot + "
                f"{self.journal_records:,} journal records in {self.seconds:.1f} s)")
        if self.torn_tail:
            text += "; the last, unacknowledged request before a crash was dropped"
        return text


class Persistence:
    def __init__(self, layout: StateLayout, lock: StateLock, manifest: dict[str, Any], discarded: list[str],
                 checkpoint_bytes: int) -> None:
        self.layout = layout
        self._state_lock = lock
        self._manifest = manifest
        self._discarded = discarded
        self._checkpoint_bytes = checkpoint_bytes
        self._blobs = BlobStore(layout.blobs)
        self._imager = s3_state.Imager(self._blobs)
        self._pending = changes.Pending()
        self._tracker = executions.ExecutionTracker()
        self._journal: Journal | None = None
        self._server_lock: Any = None
        self._epuap: EpuapState | None = None
        self._checkpoint_lock = threading.Lock()
        self._checkpointer: threading.Thread | None = None
        self._checkpointed_at = 0  # journal lsn covered by the last snapshot
        self._replayed_bytes = 0
        self._resumer: executions.Resumer | None = None
        self._restore_started = 0.0
        self.failed = False
        self.report: RestoreReport | None = None

    @classmethod
    def open(cls, state_dir: Path, *, fresh: bool = False, checkpoint_bytes: int | None = None) -> "Persistence":
        """Takes the state directory (StateBusy if a stack runs on it). ``fresh`` removes
        the saved state; so does finding the state of a first start that never finished
        (its demo data would be half there)."""
        layout = StateLayout(state_dir)
        lock = StateLock(layout)
        try:
            manifest = read_manifest(layout)
            discarded: list[str] = []
            if fresh or manifest is None or not manifest.get("initialized"):
                discarded = wipe(layout)
                manifest = {"snapshot": None, "replay_from": 1, "initialized": False}
                write_manifest(layout, manifest)
            layout.blobs.mkdir(exist_ok=True)
        except BaseException:
            lock.release()
            raise
        return cls(layout, lock, manifest, discarded, checkpoint_bytes or DEFAULT_CHECKPOINT_BYTES)

    # ------------------------------------------------------------------ restore

    def _segments(self) -> list[Path]:
        first = int(self._manifest["replay_from"])
        found = [p for p in self.layout.data.glob("journal-*.log") if segment_number(p) >= first]
        return sorted(found, key=segment_number)

    def restore(self, server_lock: Any, simulator: Any | None) -> RestoreReport:
        """Loads the snapshot and replays the journal into moto's backends (whose tables
        and buckets the template has just created, empty), then starts recording."""
        self._server_lock = server_lock
        self._restore_started = time.time()
        began = time.monotonic()
        report = RestoreReport(resumed=bool(self._manifest.get("initialized")), discarded=self._discarded)
        ddb = dynamodb_state.Loader()
        s3 = s3_state.Loader(self._blobs)
        self._epuap = EpuapState(simulator) if simulator is not None else None

        def apply(records: list[Any]) -> None:
            for record in records:
                kind = record[0]
                if kind == dynamodb_state.KIND:
                    ddb.apply(record)
                elif kind == s3_state.KIND:
                    s3.apply(record)
                elif kind == executions.KIND:
                    self._tracker.apply(record)
                elif self._epuap is not None and kind.startswith("epuap"):
                    self._epuap.apply(record)

        segments = self._segments()
        # Millions of long-lived objects are built here: the cyclic collector would scan
        # them again and again while they are made, and at every full collection after.
        gc.disable()
        with server_lock:
            changes.activate(None)
            if self._manifest.get("snapshot"):
                for chunk in snapshot.read(self.layout.data / self._manifest["snapshot"]):
                    apply(chunk)
                    report.snapshot_records += len(chunk)
            for path in segments:
                good = 0
                for records, offset in framing.read_frames(path):
                    apply(records)
                    report.journal_records += len(records)
                    good = offset
                size = path.stat().st_size
                self._replayed_bytes += good
                if good < size:  # a torn tail: the request being written when it crashed
                    report.torn_tail = True
                    os.truncate(path, good)
            ddb.finish()
            dynamodb_state.install_hooks()
            s3_state.install_hooks()
            executions.install_hooks(self._tracker)
            changes.activate(self._pending)
            last = max((segment_number(p) for p in segments), default=int(self._manifest["replay_from"]) - 1)
            self._journal = Journal(self.layout.data, max(last + 1, int(self._manifest["replay_from"])))
        gc.freeze()  # the restored state lives as long as the stack: never scan it again
        gc.enable()
        self._tracker.attach(self._append)
        if self._epuap is not None:
            self._epuap.attach(self._append, self.wait)
        report.items = dynamodb_state.item_counts()
        report.object_versions = s3_state.version_counts()
        report.executions = len(self._tracker.unfinished())
        report.epuap_waiting = self._epuap.waiting() if self._epuap is not None else 0
        report.unknown = sorted(ddb.unknown_tables | s3.unknown_buckets)
        report.seconds = time.monotonic() - began
        self.report = report
        return report

    def initialized(self) -> None:
        """The first start is complete (demo data written): from now on a start resumes."""
        if self._epuap is not None:
            self._epuap.changed_records(append=self._append)  # boxes registered directly
        assert self._journal is not None
        self._journal.flush()
        if not self._manifest.get("initialized"):
            self._manifest["initialized"] = True
            write_manifest(self.layout, self._manifest)

    # ------------------------------------------------------------------ recording

    def _append(self, records: list[Any]) -> int:
        assert self._journal is not None
        return self._journal.append(records)

    def commit(self) -> int:
        """After a request, with the server's lock held: journal what it changed. Returns
        the sequence number the response must wait for (see ``wait``)."""
        journal = self._journal
        if journal is None:
            return 0
        items, objects = self._pending.take()
        if not items and not objects:
            return journal.appended  # a read waits for whatever it may have seen
        try:
            return self._journal_changes(journal, items, objects)
        except Exception:
            # The change is in moto but cannot be saved: refuse everything from now on
            # rather than let memory and disk drift apart.
            self.failed = True
            log.critical("a change could not be journaled; the stack answers 503 until restarted", exc_info=True)
            raise

    def _journal_changes(self, journal: Journal, items: set[Any], objects: set[Any]) -> int:
        records = dynamodb_state.images(items) if items else []
        before = after = None
        if objects:
            imaged = self._imager.images(objects)
            records.extend(imaged.records)
            if imaged.blobs:
                blobs = imaged.blobs
                before = [lambda: self._blobs.write_many(blobs)]
            if imaged.fresh:
                after = [self._imager.move_to_disk(imaged.fresh)]
        lsn = journal.append(records, before=before, after=after)
        if journal.bytes_in_segment > self._checkpoint_bytes:
            self._checkpoint_in_background()
        return lsn

    def wait(self, lsn: int) -> None:
        """Outside the server's lock: returns once frame ``lsn`` is durable."""
        if lsn and self._journal is not None:
            try:
                self._journal.wait(lsn)
            except JournalFailed:
                self.failed = True
                raise

    # ------------------------------------------------------------------ background work

    def start_background(self, moto_url: str) -> None:
        """After the stack is up: continue the unfinished workflows, collect unreferenced
        blobs, and checkpoint if a long journal was replayed (e.g. after kill -9)."""
        import boto3

        from ezd.local.template import REGION

        client = boto3.client("stepfunctions", endpoint_url=moto_url, region_name=REGION,
                              aws_access_key_id="local", aws_secret_access_key="local")
        self._resumer = executions.Resumer(client, self._tracker.unfinished())
        self._resumer.start()
        threading.Thread(target=self._collect_garbage, name="blob-gc", daemon=True).start()
        if self._replayed_bytes > self._checkpoint_bytes:
            self._checkpoint_in_background()

    def wait_resumed(self, timeout: float | None = None) -> bool:
        """True once every unfinished workflow was started again and settled."""
        return self._resumer is not None and self._resumer.done.wait(timeout)

    def _collect_garbage(self) -> None:
        try:
            with self._server_lock:
                keep = s3_state.referenced_blobs()
            removed = self._blobs.collect_garbage(keep, started_before=self._restore_started - 2)
            if removed:
                log.info("removed %d object blobs no version refers to", removed)
        except Exception:
            log.exception("collecting unreferenced blobs failed")

    def _checkpoint_in_background(self) -> None:
        if self._checkpointer is not None and self._checkpointer.is_alive():
            return
        self._checkpointer = threading.Thread(target=self._checkpoint_quietly, name="checkpoint", daemon=True)
        self._checkpointer.start()

    def _checkpoint_quietly(self) -> None:
        try:
            self.checkpoint()
        except Exception:
            log.exception("checkpoint failed; the journal is kept")

    # ------------------------------------------------------------------ checkpoint

    def checkpoint(self) -> int:
        """Writes a snapshot and drops the journal it covers; returns its record count."""
        journal = self._journal
        assert journal is not None and self._server_lock is not None
        with self._checkpoint_lock:
            segment = journal.rotate()
            writer = snapshot.SnapshotWriter(self.layout.snapshot(segment), segment)
            try:
                writer.write_all(dynamodb_state.snapshot_records(self._server_lock))
                for imaged in s3_state.snapshot_images(self._server_lock, self._imager, self._blobs):
                    writer.write(imaged.records)
                writer.write(self._tracker.snapshot_records())
                if self._epuap is not None:
                    writer.write(self._epuap.changed_records(everything=True)[0])
                # Everything the snapshot saw was journaled before it saw it; once that is
                # durable (object bytes included), the snapshot may name it.
                journal.flush()
                writer.finish({"records": writer.records})
            except BaseException:
                writer.abort()
                raise
            previous = self._manifest.get("snapshot")
            self._manifest.update(snapshot=writer.final.name, replay_from=segment)
            write_manifest(self.layout, self._manifest)
            self._checkpointed_at = journal.appended
            if previous and previous != writer.final.name:
                (self.layout.data / previous).unlink(missing_ok=True)
            for path in self.layout.data.glob("journal-*.log"):
                if segment_number(path) < segment:
                    path.unlink()
            self._replayed_bytes = 0
            log.info("checkpoint: %d records in %s; journal continues in %s", writer.records, writer.final.name,
                     segment_name(segment))
            return writer.records

    # ------------------------------------------------------------------ stop

    def freeze(self) -> None:
        """The stack begins to stop: what fails from now on because moto goes away is not
        a real end of a workflow."""
        self._tracker.freeze()
        if self._resumer is not None:
            self._resumer.stop()

    def close(self) -> None:
        """After the servers stopped: a final snapshot (when anything changed), then the
        state directory is free for the next start."""
        self.freeze()
        try:
            if self._checkpointer is not None:
                self._checkpointer.join()
            journal = self._journal
            if journal is not None and not self.failed:
                if journal.appended > self._checkpointed_at or self._replayed_bytes:
                    self.checkpoint()
                journal.close()
        finally:
            changes.deactivate(self._pending)
            self._journal = None
            self._state_lock.release()

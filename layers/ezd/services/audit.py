"""Recording and verifying the audit chains: the metryka sprawy and document audit.

    record(case_object("DYR.410.3.2026"), actor, AuditAction.DECREED,
           summary="Dekretacja do załatwienia: Jan Nowak", details={"to": "jnowak"})
    verify(case_object("DYR.410.3.2026"))  -> VerificationResult(ok=True, ...)

Entry n of an object's chain holds sha256 over the canonical JSON of all its fields but
`hash` (sorted keys, no spaces, UTF-8, times in UTC with microseconds), including
`prev_hash` = the hash of entry n-1 (64 zeros for the first). The head item keeps the seq
and hash of the last entry written, so a cut tail or an extra entry slipped in at the end
is visible as well.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from datetime import datetime
from typing import Any, Iterable

from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from ezd.adapters import audit_store
from ezd.clock import now_utc
from ezd.adapters.audit_store import ChainConflict
from ezd.models.audit import (
    ACTION_LABELS_PL,
    ZERO_HASH,
    Actor,
    AuditAction,
    AuditEntry,
    VerificationResult,
)

CASE_PREFIX = "CASE#"
DOCUMENT_PREFIX = "DOC#"
USERS_PREFIX = "USERS#"
MAX_ATTEMPTS = 100


def case_object(case_ref: str) -> str:
    """The audit object id of a case: `CASE#<znak sprawy>`."""
    return f"{CASE_PREFIX}{case_ref}"


def document_object(document_id: str) -> str:
    """The audit object id of a document: `DOC#<document_id>`."""
    return f"{DOCUMENT_PREFIX}{document_id}"


def users_object(unit: str) -> str:
    """The audit object id of the administration of a unit's users: `USERS#<unit>`."""
    return f"{USERS_PREFIX}{unit}"


def canonical_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def compute_hash(entry: AuditEntry) -> str:
    """sha256 (hex) over the canonical JSON of every field except `hash`."""
    return hashlib.sha256(canonical_json(entry.hashed_content())).hexdigest()


def _jsonable(details: dict[str, Any] | None) -> dict[str, Any]:
    """Details as they will read back from the table (dates as ISO strings, tuples as lists),
    so that the hash computed now is the hash recomputed later."""
    if not details:
        return {}
    return json.loads(json.dumps(to_jsonable_python(details), ensure_ascii=False, allow_nan=False))


def _backoff(attempt: int) -> float:
    """Full jitter, growing with the attempts: the writers that lost spread out."""
    return random.uniform(0, min(1.0, 0.02 * 2 ** min(attempt, 10)))


def record(
    object_id: str,
    actor: Actor,
    action: AuditAction | str,
    *,
    document_id: str | None = None,
    case_ref: str | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
    alongside: list[audit_store.Alongside] | None = None,
) -> AuditEntry:
    """Appends one entry to the object's chain and returns it.

    ``alongside`` items (with their conditions) are written in the entry's own
    transaction: the change and its record land together or not at all (a failed
    condition of theirs raises audit_store.AlongsideConditionFailed).

    Concurrent writers are serialized by the head's compare-and-set: the loser reads the
    head again and retries (bounded), so every entry lands, once, in one chain. With no
    `at`, the time is taken at each attempt (so a retried entry is not older than the
    entry it follows). A case object fills `case_ref`, a document object `document_id`,
    when not given; an empty summary becomes the action's Polish label.
    """
    action = AuditAction(action)
    if case_ref is None and object_id.startswith(CASE_PREFIX):
        case_ref = object_id[len(CASE_PREFIX):]
    if document_id is None and object_id.startswith(DOCUMENT_PREFIX):
        document_id = object_id[len(DOCUMENT_PREFIX):]
    clean_details = _jsonable(details)
    text = summary or ACTION_LABELS_PL[action]
    if at is not None and at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    last_error: ChainConflict | None = None
    for attempt in range(MAX_ATTEMPTS):
        head = audit_store.head(object_id)
        entry = AuditEntry(
            object_id=object_id,
            seq=(head.seq + 1) if head else 1,
            at=at or now_utc(),
            actor=actor,
            action=action,
            document_id=document_id,
            case_ref=case_ref,
            summary=text,
            details=clean_details,
            prev_hash=head.hash if head else ZERO_HASH,
            hash="",
        )
        entry = entry.model_copy(update={"hash": compute_hash(entry)})
        try:
            audit_store.append(entry, alongside)
            return entry
        except ChainConflict as exc:
            last_error = exc
            time.sleep(_backoff(attempt))
    raise RuntimeError(f"could not append to the audit chain of {object_id} after {MAX_ATTEMPTS} attempts") \
        from last_error


def opening_entries(object_id: str, lines: list[tuple[Actor, AuditAction | str, str, dict[str, Any]]], *,
                    document_id: str | None = None, case_ref: str | None = None) -> list[AuditEntry]:
    """The first entries of a new object's chain (actor, action, summary, details), hashed
    and linked, for the caller to write in the same transaction as the object itself."""
    chained: list[AuditEntry] = []
    moment = now_utc()
    for seq, (actor, action, summary, details) in enumerate(lines, start=1):
        action = AuditAction(action)
        entry = AuditEntry(object_id=object_id, seq=seq, at=moment, actor=actor, action=action,
                           document_id=document_id, case_ref=case_ref, summary=summary or ACTION_LABELS_PL[action],
                           details=_jsonable(details), prev_hash=chained[-1].hash if chained else ZERO_HASH, hash="")
        chained.append(entry.model_copy(update={"hash": compute_hash(entry)}))
    return chained


def record_for_case_document(
    case_ref: str,
    document_id: str,
    actor: Actor,
    action: AuditAction | str,
    *,
    summary: str = "",
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> tuple[AuditEntry, AuditEntry]:
    """One event that concerns both a case and one of its documents (attaching, signing a
    document of the case...): written to both chains with the same time, so that
    `metryka_entries` shows it once."""
    moment = at or now_utc()
    on_case = record(case_object(case_ref), actor, action, document_id=document_id, case_ref=case_ref,
                     summary=summary, details=details, at=moment)
    on_document = record(document_object(document_id), actor, action, document_id=document_id,
                         case_ref=case_ref, summary=summary, details=details, at=moment)
    return on_case, on_document


def entries(object_id: str) -> list[AuditEntry]:
    return audit_store.entries(object_id)


def _same_event(entry: AuditEntry) -> tuple[Any, ...]:
    return (entry.at, entry.actor.login, entry.action.value, entry.document_id)


def metryka_entries(case_ref: str, document_ids: Iterable[str] = ()) -> list[AuditEntry]:
    """The case's own chain merged, by time, with the chains of its documents: the legal
    metryka shows what happened to the case's documents too. An event written to both the
    case and a document chain (same time, person, action and document) appears once, as
    the case's entry."""
    case_id = case_object(case_ref)
    chains = audit_store.entries_for_objects([case_id, *(document_object(d) for d in document_ids)])
    case_entries = chains.pop(case_id, [])
    seen = {_same_event(e) for e in case_entries}
    merged = list(case_entries)
    for chain in chains.values():
        merged.extend(e for e in chain if _same_event(e) not in seen)
    order = {object_id: i for i, object_id in enumerate([case_id, *chains])}
    return sorted(merged, key=lambda e: (e.at, order.get(e.object_id, 0), e.seq))


def document_ids_of_case(case_entries: Iterable[AuditEntry]) -> list[str]:
    """Documents named in a case's chain (attached at any time), in order of first mention."""
    return list(dict.fromkeys(e.document_id for e in case_entries if e.document_id))


def _seqs(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def verify(object_id: str) -> VerificationResult:
    """Recomputes the chain. The first entry that fails is named in `first_broken_seq`:

    - an entry whose content does not match its hash: it was edited;
    - a gap in the seqs: entries were deleted (`missing_seqs`), the entry after the gap is named;
    - an entry whose prev_hash is not the hash of the entry before it: entries were
      reordered or relinked, or the previous entry was rewritten with a recomputed hash;
    - an entry stored under a key other than its seq, or belonging to another object;
    - the last entry not matching the head (seq and hash): a cut tail (the first missing
      seq is named) or entries forged at the end (the first one beyond the head is named).
    """
    chain = audit_store.raw_chain(object_id)
    count = len(chain.entries)
    head_hash = chain.head.get("hash") if chain.head else None

    def broken(seq: int | None, reason: str, missing: list[int] | None = None) -> VerificationResult:
        return VerificationResult(object_id=object_id, ok=False, entries=count, first_broken_seq=seq,
                                  reason=reason, head_hash=head_hash, missing_seqs=missing or [])

    expected_seq = 1
    expected_prev = ZERO_HASH
    for raw in chain.entries:
        if raw.key_seq is None:
            return broken(expected_seq, f"an item with key {raw.sk!r} is not an audit entry of this chain")
        if raw.key_seq > expected_seq:
            missing = list(range(expected_seq, raw.key_seq))
            return broken(raw.key_seq,
                          f"entry {_seqs(missing[0], missing[-1])} missing (deleted): entry {raw.key_seq} "
                          f"follows entry {expected_seq - 1}" if expected_seq > 1 else
                          f"entry {_seqs(missing[0], missing[-1])} missing (deleted): the chain starts at "
                          f"entry {raw.key_seq}", missing)
        if raw.key_seq < expected_seq:  # only seq 0 can get here
            return broken(raw.key_seq, f"entry {raw.key_seq} is out of sequence (seqs start at 1)")
        seq = raw.key_seq
        if raw.data is None:
            return broken(seq, f"entry {seq} is unreadable: {raw.error}")
        try:
            entry = AuditEntry.model_validate(raw.data)
        except ValidationError as exc:
            return broken(seq, f"entry {seq} is not a valid audit entry: {exc.errors()[0]['msg']}")
        if entry.seq != seq:
            return broken(seq, f"entry stored as {seq} claims to be entry {entry.seq} (moved or reordered)")
        if entry.object_id != object_id:
            return broken(seq, f"entry {seq} belongs to another object ({entry.object_id})")
        if compute_hash(entry) != entry.hash or entry.to_item_data() != raw.data:
            return broken(seq, f"entry {seq} was altered: its content does not match its hash")
        if entry.prev_hash != expected_prev:
            if seq == 1:
                return broken(seq, "entry 1 does not start the chain (prev_hash is not zero)")
            return broken(seq, f"entry {seq} does not link to entry {seq - 1} (prev_hash mismatch): "
                               f"the entries were reordered or relinked, or entry {seq - 1} was "
                               f"rewritten with a recomputed hash")
        expected_prev = entry.hash
        expected_seq = seq + 1

    last_seq = expected_seq - 1
    if chain.head is None:
        if count == 0:
            return VerificationResult(object_id=object_id, ok=True, entries=0, head_hash=None)
        return broken(None, f"the chain has {count} entries but no head record (the head was deleted)")
    if chain.head_error:
        return broken(None, f"the head record is unreadable: {chain.head_error}")
    try:
        head_seq = int(chain.head.get("seq"))
    except (TypeError, ValueError):
        return broken(None, "the head record has no valid seq")
    if head_seq > last_seq:
        missing = list(range(last_seq + 1, head_seq + 1))
        return broken(last_seq + 1, f"entry {_seqs(missing[0], missing[-1])} missing (deleted): the head "
                                    f"records {head_seq} entries, the table ends at entry {last_seq}",
                      missing)
    if head_seq < last_seq:
        return broken(head_seq + 1, f"entry {_seqs(head_seq + 1, last_seq)} not recorded in the head "
                                    f"(the head ends at entry {head_seq}): added outside the audit service")
    if head_hash != expected_prev:
        return broken(last_seq, f"entry {last_seq} does not match the head's hash: it was rewritten "
                                f"with a recomputed hash")
    return VerificationResult(object_id=object_id, ok=True, entries=count, head_hash=head_hash)


def verify_many(object_ids: Iterable[str]) -> list[VerificationResult]:
    return [verify(object_id) for object_id in dict.fromkeys(object_ids)]

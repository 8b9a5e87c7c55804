"""DynamoDB access for the audit chains (metryka sprawy, document audit).

Items (see docs/data-model.md):

| item | PK | SK |
|---|---|---|
| audit entry | `AUDIT#<object_id>` | `<seq:09d>` (kind `audit_entry`, the entry as JSON in `data`) |
| chain head | `AUDIT#<object_id>` | `HEAD` (kind `audit_head`, `value` = seq, `data` = {seq, hash}) |

An append writes the entry (it must not exist) and moves the head (it must still be at
seq-1, or absent for the first entry) in one transaction, so two writers cannot both
extend the chain from the same entry: the loser gets `ChainConflict`, reads the head again
and retries. Reads are Queries on the chain's partition, never a Scan.

Reads go through the low-level client rather than the pynamodb model so that an item whose
`data` was edited by hand into something unreadable is reported by the verification
instead of breaking the query.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ezd.adapters.aws import client
from ezd.adapters.records_table import RecordItem, bind_table, transaction_connection
from ezd.config import settings
from ezd.models.audit import AuditEntry, AuditHead

HEAD_SK = "HEAD"


class ChainConflict(Exception):
    """Another writer extended the chain first (or took this seq); read the head again."""


class AlongsideConditionFailed(Exception):
    """The condition of an item written with the entry failed (``args[0]``: its index)."""


# An item written in the entry's transaction and the condition it is put under.
Alongside = tuple[RecordItem, Any]


@dataclass
class RawEntry:
    """One stored entry as found, before any trust is placed in it."""

    sk: str
    key_seq: int | None  # the seq from the sort key (None if the key is not a number)
    data: dict[str, Any] | None  # None when `data` is missing or not a JSON object
    error: str | None = None


@dataclass
class RawChain:
    object_id: str
    entries: list[RawEntry] = field(default_factory=list)
    head: dict[str, Any] | None = None  # {"seq": int, "hash": str} or None if absent
    head_error: str | None = None


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def partition(object_id: str) -> str:
    return f"AUDIT#{object_id}"


def entry_sk(seq: int) -> str:
    return f"{seq:09d}"


def unit_of(object_id: str) -> str | None:
    """The unit an audited object belongs to: `CASE#<unit>#<ref>`, `DOC#<unit>-<id>`,
    `USERS#<unit>` (the administration of the unit's users)."""
    kind, _, rest = object_id.partition("#")
    if kind == "USERS" and rest:
        return rest
    if kind == "CASE" and "#" in rest:
        return rest.split("#", 1)[0]
    if kind == "DOC" and "-" in rest:
        return rest.split("-", 1)[0]
    return None


def _head_item(object_id: str, seq: int, hash_: str) -> RecordItem:
    # Every head is listed under its unit (GSI1), so the unit's chains can be anchored
    # without a scan.
    unit = unit_of(object_id)
    return RecordItem(partition(object_id), HEAD_SK, kind="audit_head", value=seq,
                      gsi1pk=f"AUDITHEADS#{unit}" if unit else None, gsi1sk=object_id if unit else None,
                      data={"seq": seq, "hash": hash_})


def add_to_transaction(tx: TransactWrite, entries: list[AuditEntry]) -> None:
    """Puts consecutive entries of one chain (and its moved head) into a caller's
    transaction: the action and its metryka lines are written together or not at all."""
    first = entries[0]
    for entry in entries:
        tx.save(RecordItem(partition(entry.object_id), entry_sk(entry.seq), kind="audit_entry",
                           data=entry.to_item_data()), condition=RecordItem.pk.does_not_exist())
    last = entries[-1]
    head = _head_item(last.object_id, last.seq, last.hash)
    if first.seq == 1:
        tx.save(head, condition=RecordItem.pk.does_not_exist())
    else:
        tx.save(head, condition=RecordItem.value == first.seq - 1)


def append(entry: AuditEntry, alongside: list[Alongside] | None = None) -> None:
    """Writes the entry and moves the head to it, atomically, with the ``alongside`` items
    (the change the entry records). Raises ChainConflict when the head is no longer at
    entry.seq - 1 (someone else appended) or the seq is taken, AlongsideConditionFailed
    when an alongside item's condition failed."""
    _bound()
    alongside = alongside or []
    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            for item, condition in alongside:  # puts keep their order: reasons line up
                tx.save(item, condition=condition)
            add_to_transaction(tx, [entry])
    except TransactWriteError as exc:
        reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]
        for index, code in enumerate(reasons[:len(alongside)]):
            if code == "ConditionalCheckFailed":
                raise AlongsideConditionFailed(index) from exc
        if "TransactionConflict" in reasons[:len(alongside)]:
            raise ChainConflict(f"{entry.object_id} seq {entry.seq}: {reasons}") from exc  # try again
        reasons = reasons[len(alongside):] if reasons else reasons
        if not reasons or any(code in ("ConditionalCheckFailed", "TransactionConflict") for code in reasons):
            raise ChainConflict(f"{entry.object_id} seq {entry.seq}: {reasons or exc}") from exc
        raise


def _query_items(object_id: str, *, entries_only: bool = False,
                 page_size: int | None = None) -> Iterable[dict[str, Any]]:
    s = settings()
    params: dict[str, Any] = {
        "TableName": s.table,
        "ConsistentRead": True,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": partition(object_id)}},
    }
    if entries_only:
        # Entry keys are zero-padded digits; "HEAD" sorts after them.
        params["KeyConditionExpression"] = "PK = :pk AND SK < :head"
        params["ExpressionAttributeValues"][":head"] = {"S": HEAD_SK}
    if page_size:
        params["Limit"] = page_size
    for page in client("dynamodb").get_paginator("query").paginate(**params):
        yield from page.get("Items", [])


def _parse_data(item: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    raw = item.get("data", {}).get("S")
    if raw is None:
        return None, "no data"
    try:
        value = json.loads(raw)
    except ValueError as exc:
        return None, f"data is not JSON ({exc})"
    if not isinstance(value, dict):
        return None, "data is not a JSON object"
    return value, None


def raw_chain(object_id: str, *, page_size: int | None = None) -> RawChain:
    """The chain's items as stored, in key order, for verification."""
    chain = RawChain(object_id=object_id)
    for item in _query_items(object_id, page_size=page_size):
        sk = item["SK"]["S"]
        data, error = _parse_data(item)
        if sk == HEAD_SK:
            chain.head, chain.head_error = data, error
            continue
        key_seq = int(sk) if sk.isdigit() else None
        chain.entries.append(RawEntry(sk=sk, key_seq=key_seq, data=data, error=error))
    return chain


def entries(object_id: str, *, page_size: int | None = None) -> list[AuditEntry]:
    """The chain's entries in order (all pages; `page_size` only sets the Query's Limit).
    Raises if an entry is unreadable; use services.audit.verify to find out which one."""
    result = []
    for item in _query_items(object_id, entries_only=True, page_size=page_size):
        data, error = _parse_data(item)
        if data is None:
            raise ValueError(f"audit entry {object_id}/{item['SK']['S']} is unreadable: {error}")
        result.append(AuditEntry.model_validate(data))
    return result


def entries_for_objects(object_ids: Iterable[str]) -> dict[str, list[AuditEntry]]:
    """The chains of several objects (one Query each), keyed by object id."""
    return {object_id: entries(object_id) for object_id in dict.fromkeys(object_ids)}


def heads_of_unit(unit: str) -> list[AuditHead]:
    """The head of every audit chain of ``unit`` (one index query, paged)."""
    _bound()
    return [AuditHead(object_id=item.gsi1sk, seq=int(item.value if item.value is not None else item.data["seq"]),
                      hash=str((item.data or {}).get("hash", "")))
            for item in RecordItem.gsi1.query(f"AUDITHEADS#{unit}")]


def head(object_id: str) -> AuditHead | None:
    _bound()
    try:
        item = RecordItem.get(partition(object_id), HEAD_SK, consistent_read=True)
    except RecordItem.DoesNotExist:
        return None
    data = item.data or {}
    return AuditHead(object_id=object_id, seq=int(item.value if item.value is not None else data["seq"]),
                     hash=str(data.get("hash", "")))

"""DynamoDB access for the incoming register, documents, deliveries and quarantine."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ezd.adapters import audit_store
from ezd.adapters import stats_store
from ezd.adapters.records_table import RecordItem, bind_table, transaction_connection
from ezd.config import settings
from ezd.search_text import fold
from ezd.models.audit import AuditEntry
from ezd.models.intake import IntakeOutcome, StoredBlob
from ezd.models.registry import DocumentRecord, Notification, QuarantineRecord, RegistryEntry
from ezd.models.statistics import registration_counts


class CounterConflict(Exception):
    """Another registration took the number we expected. ``current`` is the counter that
    took it, as the failed transaction returned it (None when DynamoDB did not say, e.g.
    a TransactionConflict: then read it again)."""

    def __init__(self, message: str, current: int | None = None) -> None:
        super().__init__(message)
        self.current = current


class AlreadyRegistered(Exception):
    def __init__(self, first: dict[str, Any]) -> None:
        super().__init__("already registered")
        self.first = first


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _counter_key(unit: str, year: int) -> tuple[str, str]:
    return f"COUNTER#{unit}#RPW#{year}", "COUNTER"


def _dedupe_key(unit: str, sha256: str) -> tuple[str, str]:
    return f"DEDUP#{unit}#{sha256}", "DEDUP"


def entry_key(unit: str, year: int, number: int) -> tuple[str, str]:
    return f"RPW#{unit}#{year}", f"{number:09d}"


def current_counter(unit: str, year: int, consistent: bool = False) -> int:
    """The last number given. An eventual read is enough for a first guess: the
    transaction's condition on the counter decides, and a conflict returns the real one."""
    _bound()
    pk, sk = _counter_key(unit, year)
    try:
        return int(RecordItem.get(pk, sk, consistent_read=consistent).value or 0)
    except RecordItem.DoesNotExist:
        return 0


def find_first_registration(unit: str, sha256: str, consistent: bool = False) -> dict[str, Any] | None:
    """The first registration of these bytes. Eventual by default: a miss is caught by
    the dedupe marker's condition in the registering transaction, which then reads this
    consistently."""
    _bound()
    pk, sk = _dedupe_key(unit, sha256)
    try:
        return RecordItem.get(pk, sk, consistent_read=consistent).data
    except RecordItem.DoesNotExist:
        return None


def commit_registration(document: DocumentRecord, expected_counter: int, outcome: IntakeOutcome,
                        claim_content: bool = True, audit_entries: list[AuditEntry] | None = None) -> None:
    """Writes the counter, the register line, the document, the dedupe marker (unless
    ``claim_content`` is off: a scan registered anyway beside an earlier item with the same
    bytes) and the delivery outcome in one transaction: the number exists exactly when
    the entry does."""
    _bound()
    entry = document.entry
    counter_pk, counter_sk = _counter_key(entry.unit, entry.year)
    dedupe_pk, dedupe_sk = _dedupe_key(entry.unit, document.sha256)
    entry_pk, entry_sk = entry_key(entry.unit, entry.year, entry.number)
    first = {
        "document_id": document.document_id,
        "registry_number": entry.registry_number,
        "number": entry.number,
        "year": entry.year,
        "received_at": entry.received_at.isoformat(),
        "signature": entry.signature,
        "certificate": entry.certificate,
    }
    counter = RecordItem(counter_pk, counter_sk, kind="counter", value=entry.number)
    line = RecordItem(
        entry_pk,
        entry_sk,
        kind="registry_entry",
        gsi1pk=f"RPWDAY#{entry.unit}#{entry.received_date.isoformat()}",
        gsi1sk=f"{entry.number:09d}",
        gsi2pk=f"RPWRECV#{entry.unit}#{entry.year}",
        gsi2sk=f"{entry.received_at.isoformat()}#{entry.number:09d}",
        channel=entry.channel,
        sender_search=fold(entry.sender.name),
        title_search=fold(entry.title),
        line_status="unclassified",
        data=entry.model_dump(mode="json"),
    )
    doc = RecordItem(
        f"DOC#{document.document_id}",
        "META",
        kind="document",
        data=document.model_dump(mode="json"),
    )
    dedupe = RecordItem(dedupe_pk, dedupe_sk, kind="dedupe", data=first)
    connection = transaction_connection()
    try:
        with TransactWrite(connection=connection) as tx:
            # ALL_OLD: a failed condition returns the counter that won, so the next attempt
            # needs no read of its own.
            if expected_counter == 0:
                tx.save(counter, condition=RecordItem.pk.does_not_exist(), return_values="ALL_OLD")
            else:
                tx.save(counter, condition=RecordItem.value == expected_counter, return_values="ALL_OLD")
            tx.save(line, condition=RecordItem.pk.does_not_exist())
            tx.save(doc, condition=RecordItem.pk.does_not_exist())
            if claim_content:
                tx.save(dedupe, condition=RecordItem.pk.does_not_exist())
            tx.save(_outcome_item(outcome))
            if audit_entries:
                audit_store.add_to_transaction(tx, audit_entries)
            stats_store.add_to_transaction(tx, registration_counts(entry))
    except TransactWriteError as exc:
        reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]
        if claim_content and len(reasons) > 3 and reasons[3] == "ConditionalCheckFailed":
            existing = find_first_registration(entry.unit, document.sha256, consistent=True)
            if existing:
                raise AlreadyRegistered(existing) from exc
        if any(code in ("ConditionalCheckFailed", "TransactionConflict") for code in reasons) or not reasons:
            raise CounterConflict(str(exc), _counter_returned(exc)) from exc
        raise


def _counter_returned(exc: TransactWriteError) -> int | None:
    """The counter's value from a transaction cancelled on its condition (ALL_OLD)."""
    reasons = exc.cancellation_reasons or []
    first = reasons[0] if reasons else None
    if first is None or first.code != "ConditionalCheckFailed" or not first.raw_item:
        return None
    value = first.raw_item.get("value", {}).get("N")
    return int(value) if value is not None else None


def _outcome_item(outcome: IntakeOutcome) -> RecordItem:
    return RecordItem(
        f"OUTCOME#{outcome.unit}#{outcome.sha256}",
        f"{outcome.processed_at.isoformat()}#{outcome.intake_id}",
        kind="intake_outcome",
        gsi1pk=f"INTAKE#{outcome.intake_id}",
        gsi1sk="OUTCOME",
        data=outcome.model_dump(mode="json"),
    )


def save_outcome(outcome: IntakeOutcome) -> None:
    _bound()
    _outcome_item(outcome).save()


def outcomes_for_content(unit: str, sha256: str, since: datetime | None = None) -> list[IntakeOutcome]:
    _bound()
    condition = RecordItem.sk >= since.isoformat() if since else None
    items = RecordItem.query(f"OUTCOME#{unit}#{sha256}", condition, consistent_read=True)
    return [IntakeOutcome.model_validate(item.data) for item in items]


def outcome_of_intake(intake_id: str) -> IntakeOutcome | None:
    _bound()
    for item in RecordItem.gsi1.query(f"INTAKE#{intake_id}", RecordItem.gsi1sk == "OUTCOME", limit=1):
        return IntakeOutcome.model_validate(item.data)
    return None


def record_intake_started(intake_id: str, unit: str, started_at: datetime) -> None:
    """An intake whose workflow has started. Express executions cannot be looked up in
    the service afterwards: this item tells "still processing" from "no such intake"
    until the outcome is written. DynamoDB's TTL removes it after a year."""
    _bound()
    RecordItem(f"INTAKE#{intake_id}", "STARTED", kind="intake_started",
               expires_at=int(started_at.timestamp()) + 366 * 86400,
               data={"intake_id": intake_id, "unit": unit, "started_at": started_at.isoformat()}).save()


def intake_started(intake_id: str) -> dict[str, Any] | None:
    _bound()
    try:
        return RecordItem.get(f"INTAKE#{intake_id}", "STARTED").data
    except RecordItem.DoesNotExist:
        return None


def get_document(document_id: str, consistent: bool = False) -> DocumentRecord | None:
    """``consistent`` where a decision depends on the answer (has this intake committed?).

    One query reads the document and its receipt, kept as an item of its own (``META`` <
    ``RECEIPT`` < the routing's and the case's keys), so that issuing the receipt writes
    half a kilobyte instead of rewriting the whole document."""
    _bound()
    items = {item.sk: item for item in RecordItem.query(
        f"DOC#{document_id}", RecordItem.sk.between("META", _RECEIPT_SK), consistent_read=consistent)}
    if "META" not in items:
        return None
    document = DocumentRecord.model_validate(items["META"].data)
    if _RECEIPT_SK in items:
        document = document.model_copy(update={"receipt": StoredBlob.model_validate(items[_RECEIPT_SK].data)})
    return document


class DocumentChanged(Exception):
    """The document was corrected by someone else since it was read."""


def save_correction(document: DocumentRecord) -> None:
    """The corrected document and its register line together, if nobody else corrected
    it since (``document.version`` is already the new version)."""
    _bound()
    entry = document.entry
    entry_pk, entry_sk = entry_key(entry.unit, entry.year, entry.number)
    expected = document.version - 1
    unchanged = RecordItem.value == expected
    if expected == 1:
        unchanged = unchanged | RecordItem.value.does_not_exist()  # registered before versions were counted
    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            tx.save(RecordItem(f"DOC#{document.document_id}", "META", kind="document", value=document.version,
                               data=document.model_dump(mode="json")), condition=unchanged)
            tx.update(RecordItem(entry_pk, entry_sk), actions=[
                RecordItem.data.set(entry.model_dump(mode="json")),
                RecordItem.sender_search.set(fold(entry.sender.name)),
                RecordItem.title_search.set(fold(entry.title)),
            ], condition=RecordItem.pk.exists())
    except TransactWriteError as exc:
        raise DocumentChanged(str(exc)) from exc


_RECEIPT_SK = "RECEIPT"


def get_receipt(document_id: str) -> StoredBlob | None:
    _bound()
    try:
        return StoredBlob.model_validate(RecordItem.get(f"DOC#{document_id}", _RECEIPT_SK).data)
    except RecordItem.DoesNotExist:
        return None


def set_receipt(document_id: str, receipt: StoredBlob) -> StoredBlob:
    """Attaches the UPP to the document, once: the receipt already attached if a retried
    step raced the first (a conditional put, no read before it)."""
    _bound()
    try:
        RecordItem(f"DOC#{document_id}", _RECEIPT_SK, kind="receipt", data=receipt.model_dump(mode="json")).save(
            condition=RecordItem.pk.does_not_exist())
    except PutError as exc:
        if not _condition_failed(exc):
            raise
        first = get_receipt(document_id)
        if first is None:
            raise
        return first
    return receipt


def _condition_failed(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


def entry_of(item: RecordItem) -> RegistryEntry:
    entry = RegistryEntry.model_validate(item.data)
    status = "in_case" if item.case_ref else item.line_status
    return entry.model_copy(update={"case_ref": item.case_ref, "status": status, "jrwa_symbol": item.jrwa_symbol})


def entries_received_on(unit: str, day: date) -> list[RegistryEntry]:
    _bound()
    items = RecordItem.gsi1.query(f"RPWDAY#{unit}#{day.isoformat()}")
    return [entry_of(item) for item in items]


def save_quarantine(record: QuarantineRecord) -> None:
    _bound()
    RecordItem(
        f"QUAR#{record.unit}",
        f"{record.quarantined_at.isoformat()}#{record.intake_id}",
        kind="quarantine",
        data=record.model_dump(mode="json"),
    ).save()


def list_quarantine(unit: str, limit: int = 100) -> list[QuarantineRecord]:
    _bound()
    items = RecordItem.query(f"QUAR#{unit}", scan_index_forward=False, limit=limit)
    return [QuarantineRecord.model_validate(item.data) for item in items]


def save_notification(note: Notification) -> None:
    _bound()
    RecordItem(
        f"NOTIFY#{note.unit}#{note.audience}",
        f"{note.created_at.isoformat()}#{note.document_id or note.case_ref}",
        kind="notification",
        data=note.model_dump(mode="json"),
    ).save()


def list_notifications(unit: str, audience: str, limit: int = 50) -> list[Notification]:
    _bound()
    items = RecordItem.query(f"NOTIFY#{unit}#{audience}", scan_index_forward=False, limit=limit)
    return [Notification.model_validate(item.data) for item in items]

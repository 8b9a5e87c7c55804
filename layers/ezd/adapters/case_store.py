"""DynamoDB access for cases, their spis spraw and their documents.

A case lives in its spis spraw (PK per unit, komórka, class and year; SK = the case
number), so the spis is one key query; the case is found by reference through GSI1 and
open cases by deadline through GSI2.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from ezd.adapters import registry_store
from ezd.adapters import stats_store
from ezd.adapters.records_table import RecordItem, bind_table, transaction_connection
from ezd.config import settings
from ezd.models.cases import Case, CaseDocument
from ezd.models.registry import RegistryEntry
from ezd.models.statistics import case_change_counts, case_opened_counts


class CaseNumberTaken(Exception):
    """Another case took the number we expected; read the counter again."""


class DocumentAlreadyInCase(Exception):
    pass


class CaseChanged(Exception):
    """The case changed since it was read."""


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _spis_key(unit: str, cell: str, jrwa: str, year: int) -> str:
    return f"SPIS#{unit}#{cell}#{jrwa}#{year}"


def _counter_key(unit: str, cell: str, jrwa: str, year: int) -> str:
    return f"COUNTER#{unit}#CASE#{cell}#{jrwa}#{year}"


def _case_item(case: Case) -> RecordItem:
    due = case.status == "open" and case.deadline is not None
    return RecordItem(
        _spis_key(case.unit, case.cell, case.jrwa_symbol, case.year),
        f"{case.number:06d}",
        kind="case",
        value=case.version,
        gsi1pk=f"CASEREF#{case.unit}#{case.ref}",
        gsi1sk="CASE",
        gsi2pk=f"DUE#{case.unit}" if due else None,
        gsi2sk=f"{case.deadline.isoformat()}#{case.ref}" if due else None,
        data=case.model_dump(mode="json"),
    )


def current_counter(unit: str, cell: str, jrwa: str, year: int) -> int:
    _bound()
    try:
        return int(RecordItem.get(_counter_key(unit, cell, jrwa, year), "COUNTER", consistent_read=True).value or 0)
    except DoesNotExist:
        return 0


def create_case(case: Case, expected_counter: int) -> None:
    """The case and its number in one transaction: numbers are consecutive and unique."""
    _bound()
    counter = RecordItem(_counter_key(case.unit, case.cell, case.jrwa_symbol, case.year), "COUNTER",
                         kind="counter", value=case.number)
    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            if expected_counter == 0:
                tx.save(counter, condition=RecordItem.pk.does_not_exist())
            else:
                tx.save(counter, condition=RecordItem.value == expected_counter)
            tx.save(_case_item(case), condition=RecordItem.pk.does_not_exist())
            stats_store.add_to_transaction(tx, case_opened_counts(case))
    except TransactWriteError as exc:
        raise CaseNumberTaken(str(exc)) from exc


def save_case(case: Case, previous: Case | None = None) -> None:
    """Writes a changed case (``case.version`` already incremented) if nobody else did;
    a close or reopen against ``previous`` is counted in the same transaction."""
    _bound()
    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            tx.save(_case_item(case), condition=RecordItem.value == case.version - 1)
            if previous is not None:
                stats_store.add_to_transaction(tx, case_change_counts(previous, case))
    except TransactWriteError as exc:
        raise CaseChanged(str(exc)) from exc


def get_case(unit: str, ref: str) -> Case | None:
    _bound()
    for item in RecordItem.gsi1.query(f"CASEREF#{unit}#{ref}", RecordItem.gsi1sk == "CASE", limit=1):
        # The index is eventually consistent: read the item itself for the latest state.
        fresh = RecordItem.get(item.pk, item.sk, consistent_read=True)
        return Case.model_validate(fresh.data)
    return None


def spis(unit: str, cell: str, jrwa: str, year: int, *, after: int = 0, limit: int | None = None) -> list[Case]:
    """The spis in its order (by number), all of it or ``limit`` cases after number ``after``:
    one Query that reads only the page it returns."""
    _bound()
    items = RecordItem.query(_spis_key(unit, cell, jrwa, year), RecordItem.sk > f"{after:06d}", limit=limit)
    return [Case.model_validate(i.data) for i in items]


def open_cases_due_by(unit: str, last_day: str) -> list[Case]:
    _bound()
    items = RecordItem.gsi2.query(f"DUE#{unit}", RecordItem.gsi2sk <= f"{last_day}#~")
    return [Case.model_validate(i.data) for i in items]


def attach(case: Case, link: CaseDocument, entry: RegistryEntry) -> None:
    """Links a document to the case (a document belongs to at most one case) and writes
    the case on the document's register line, in one transaction."""
    _bound()
    marker = RecordItem(f"DOC#{link.document_id}", "CASE", kind="document_case", data=link.model_dump(mode="json"))
    listing = RecordItem(f"CASEDOCS#{case.unit}#{case.ref}", f"{link.attached_at.isoformat()}#{link.document_id}",
                         kind="case_document", data=link.model_dump(mode="json"))
    line_pk, line_sk = registry_store.entry_key(entry.unit, entry.year, entry.number)
    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            tx.save(marker, condition=RecordItem.pk.does_not_exist())
            tx.save(listing)
            tx.save(_case_item(case), condition=RecordItem.value == case.version - 1)
            tx.update(RecordItem(line_pk, line_sk), actions=[RecordItem.case_ref.set(case.ref)],
                      condition=RecordItem.pk.exists())
    except TransactWriteError as exc:
        reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise DocumentAlreadyInCase(link.document_id) from exc
        raise CaseChanged(str(exc)) from exc


def case_of_document(document_id: str) -> CaseDocument | None:
    _bound()
    try:
        return CaseDocument.model_validate(RecordItem.get(f"DOC#{document_id}", "CASE", consistent_read=True).data)
    except DoesNotExist:
        return None


def documents(unit: str, ref: str) -> list[CaseDocument]:
    _bound()
    return [CaseDocument.model_validate(i.data) for i in RecordItem.query(f"CASEDOCS#{unit}#{ref}")]

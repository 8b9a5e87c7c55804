"""DynamoDB access for outgoing documents and the units' approval paths.

An outgoing document is one item (`OUTDOC#<id>` / `META`, its revision in `value`),
listed under its case by GSI1 and, while a step of its approval waits for someone, under
that approver by GSI2. Every change is written in the transaction of its metryka entry
(``write`` gives the item and its condition to services.audit.record), so the document
and its case's history never disagree.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist

from ezd.adapters.records_table import RecordItem, bind_table
from ezd.config import settings
from ezd.models.outgoing import ApprovalPathRule, ApproverTarget, OutgoingDocument


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def approver_key(unit: str, target: ApproverTarget) -> str:
    who = target.login if target.login else f"ROLE:{target.role}"
    return f"APPROVE#{unit}#{who}"


def _item(document: OutgoingDocument) -> RecordItem:
    waiting = document.current_round.current if document.status == "in_approval" and document.current_round else None
    return RecordItem(
        f"OUTDOC#{document.outgoing_id}",
        "META",
        kind="outgoing_document",
        value=document.revision,
        gsi1pk=f"CASEOUT#{document.unit}#{document.case_ref}",
        gsi1sk=f"{document.created_at.isoformat()}#{document.outgoing_id}",
        gsi2pk=approver_key(document.unit, waiting.target) if waiting else None,
        gsi2sk=f"{document.updated_at.isoformat()}#{document.outgoing_id}" if waiting else None,
        data=document.model_dump(mode="json"),
    )


def write(document: OutgoingDocument) -> tuple[RecordItem, Any]:
    """The document's item and its condition, for the transaction of its audit entry: a
    new document must not exist; a change must find the revision it was made from."""
    _bound()
    if document.revision == 1:
        return _item(document), RecordItem.pk.does_not_exist()
    return _item(document), RecordItem.value == document.revision - 1


def get(outgoing_id: str) -> OutgoingDocument | None:
    _bound()
    try:
        return OutgoingDocument.model_validate(RecordItem.get(f"OUTDOC#{outgoing_id}", "META", consistent_read=True).data)
    except DoesNotExist:
        return None


def of_case(unit: str, case_ref: str) -> list[OutgoingDocument]:
    _bound()
    return [OutgoingDocument.model_validate(i.data) for i in RecordItem.gsi1.query(f"CASEOUT#{unit}#{case_ref}")]


def awaiting(unit: str, target: ApproverTarget, limit: int = 100) -> list[OutgoingDocument]:
    """Documents whose current approval step waits for this person (or role), oldest first."""
    _bound()
    items = RecordItem.gsi2.query(approver_key(unit, target), limit=limit)
    return [OutgoingDocument.model_validate(i.data) for i in items]


def list_paths(unit: str) -> list[ApprovalPathRule]:
    _bound()
    return [ApprovalPathRule.model_validate(i.data) for i in RecordItem.query(f"APPROVALPATH#{unit}")]


def replace_paths(unit: str, rules: list[ApprovalPathRule]) -> None:
    """The unit's whole set of paths at once (the administrator edits them as one list)."""
    _bound()
    wanted = {rule.jrwa_prefix or "*": rule for rule in rules}
    with RecordItem.batch_write() as batch:
        for item in RecordItem.query(f"APPROVALPATH#{unit}"):
            if item.sk not in wanted:
                batch.delete(item)
        for key, rule in wanted.items():
            batch.save(RecordItem(f"APPROVALPATH#{unit}", key, kind="approval_path", data=rule.model_dump(mode="json")))

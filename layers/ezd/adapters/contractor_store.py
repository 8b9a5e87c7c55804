"""DynamoDB access for a unit's address book.

| item | PK | SK |
|---|---|---|
| a contractor | `CONTRACTORS#<unit>` | `<contractor_id>` (`value` = version, `sender_search` = the name folded) |
"""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError

from ezd.adapters.records_table import RecordItem, bind_table
from ezd.config import settings
from ezd.models.contractors import Contractor
from ezd.search_text import fold


class ContractorWriteConflict(Exception):
    """The contractor exists already (a new one) or changed since it was read."""


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _item(contractor: Contractor) -> RecordItem:
    return RecordItem(f"CONTRACTORS#{contractor.owner}", contractor.contractor_id, kind="contractor",
                      value=contractor.version, sender_search=fold(contractor.name_display),
                      data=contractor.model_dump(mode="json"))


def put(contractor: Contractor) -> None:
    """Writes a new contractor (version 1) or the next version of one read at version - 1."""
    _bound()
    condition = (RecordItem.pk.does_not_exist() if contractor.version == 1
                 else RecordItem.value == contractor.version - 1)
    try:
        _item(contractor).save(condition=condition)
    except PutError as exc:
        raise ContractorWriteConflict(str(exc)) from exc


def get(unit: str, contractor_id: str) -> Contractor | None:
    _bound()
    try:
        return Contractor.model_validate(RecordItem.get(f"CONTRACTORS#{unit}", contractor_id, consistent_read=True).data)
    except RecordItem.DoesNotExist:
        return None


def list_book(unit: str, folded_query: str | None = None) -> list[Contractor]:
    """The unit's contractors; with a query, those whose folded name contains it."""
    _bound()
    condition = RecordItem.sender_search.contains(folded_query) if folded_query else None
    return [Contractor.model_validate(i.data) for i in RecordItem.query(f"CONTRACTORS#{unit}", filter_condition=condition)]


def delete(unit: str, contractor_id: str, version: int) -> None:
    _bound()
    try:
        RecordItem(f"CONTRACTORS#{unit}", contractor_id).delete(condition=RecordItem.value == version)
    except DeleteError as exc:
        raise ContractorWriteConflict(str(exc)) from exc

"""The incoming register as lists: the register's pages with their filters, and where each
line's document stands (its status and class, written by the routing's transactions)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from pynamodb.exceptions import QueryError
from pynamodb.transactions import TransactWrite

from ezd.adapters import registry_store
from ezd.adapters.records_table import RecordItem, bind_table, transaction_connection
from ezd.config import settings
from ezd.models.registry import RegisterPage, RegistryEntry, number_and_year
from ezd.search_text import fold


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _encode_token(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


class InvalidPageToken(ValueError):
    pass


def _decode_token(token: str | None, partition: str) -> dict[str, Any] | None:
    """A page token is the key where the same listing stopped: string attributes, one of
    them the listing's partition. Anything else would fail inside DynamoDB."""
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, binascii.Error) as exc:
        raise InvalidPageToken("invalid page token") from exc
    if not isinstance(key, dict) or not key or not all(
        isinstance(value, dict) and list(value) == ["S"] and isinstance(value["S"], str) for value in key.values()
    ):
        raise InvalidPageToken("invalid page token")
    values = {value["S"] for value in key.values()}
    if partition not in values or (partition.startswith("RPW#") and any(v.startswith("RPWRECV#") for v in values)):
        raise InvalidPageToken("the page token belongs to another listing")
    return key


def mark_line_in_transaction(tx: TransactWrite, unit: str, registry_number: str, status: str,
                             jrwa_symbol: str | None) -> None:
    """Writes where a document stands, and its class, on its register line, inside the
    caller's transaction (the routing's): the register filters on them. A line that is
    not there fails the transaction rather than being created half."""
    number, year = number_and_year(registry_number)
    pk, sk = registry_store.entry_key(unit, year, number)
    actions = [RecordItem.line_status.set(status),
               RecordItem.jrwa_symbol.set(jrwa_symbol) if jrwa_symbol else RecordItem.jrwa_symbol.remove()]
    tx.update(RecordItem(pk, sk), actions=actions, condition=RecordItem.pk.exists())


def mark_line(unit: str, registry_number: str, status: str, jrwa_symbol: str | None) -> None:
    """The same outside a transaction: the register's reindexing of older lines."""
    _bound()
    with TransactWrite(connection=transaction_connection()) as tx:
        mark_line_in_transaction(tx, unit, registry_number, status, jrwa_symbol)


def register_lines(unit: str, year: int) -> list[tuple[RegistryEntry, str | None, str | None]]:
    """Every line of a unit's year with the status and class it carries (for reindexing)."""
    _bound()
    return [(registry_store.entry_of(item), item.line_status, item.jrwa_symbol)
            for item in RecordItem.query(f"RPW#{unit}#{year}", RecordItem.sk.startswith("0"))]


def _status_condition(status: str):
    # A case's document keeps the routing status "accepted" with the case on its line.
    if status == "in_case":
        return RecordItem.case_ref.exists()
    return (RecordItem.line_status == status) & RecordItem.case_ref.does_not_exist()


def list_register(
    unit: str,
    year: int,
    *,
    limit: int = 50,
    page_token: str | None = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    channel: str | None = None,
    sender: str | None = None,
    title: str | None = None,
    status: str | None = None,
    jrwa_prefix: str | None = None,
) -> RegisterPage:
    """Newest first. Date bounds use the received-time index; channel, sender, title,
    status and JRWA class filter within the queried key range (never a scan), sender and
    title ignoring case and diacritics, the class by its prefix (a group and its classes)."""
    _bound()
    conditions = []
    if status:
        conditions.append(_status_condition(status))
    if jrwa_prefix:
        conditions.append(RecordItem.jrwa_symbol.startswith(jrwa_prefix))
    if channel:
        conditions.append(RecordItem.channel == channel)
    if sender:
        # Lines registered before the folding kept only the lower-cased name.
        conditions.append(RecordItem.sender_search.contains(fold(sender))
                          | RecordItem.sender_search.contains(sender.casefold()))
    if title:
        conditions.append(RecordItem.title_search.contains(fold(title)))
    filter_condition = None
    for condition in conditions:
        filter_condition = condition if filter_condition is None else filter_condition & condition
    by_date = bool(received_from or received_to)
    partition = f"RPWRECV#{unit}#{year}" if by_date else f"RPW#{unit}#{year}"
    start_key = _decode_token(page_token, partition)
    if by_date:
        # Both bounds are needed (an empty lower key is refused). The partition is the
        # register's year already, whose first letters may carry the previous UTC year.
        low = received_from.isoformat() if received_from else "0"
        high = (received_to.isoformat() if received_to else "9999") + "#~"
        results = RecordItem.gsi2.query(
            partition,
            RecordItem.gsi2sk.between(low, high),
            filter_condition=filter_condition,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start_key,
        )
    else:
        results = RecordItem.query(
            partition,
            filter_condition=filter_condition,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=start_key,
        )
    try:
        items = [registry_store.entry_of(item) for item in results]
    except QueryError as exc:
        if page_token and exc.cause_response_code == "ValidationException":
            raise InvalidPageToken("invalid page token") from exc
        raise
    return RegisterPage(items=items, next_token=_encode_token(results.last_evaluated_key))

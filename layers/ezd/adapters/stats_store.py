"""DynamoDB access for the statistics' counters.

| item | PK | SK |
|---|---|---|
| a unit's count of one metric in a month | `STATS#<YYYY-MM>` | `<unit>#<metric>` (`value`) |

One partition per month holds every unit's counters, so the city's year is twelve
queries of small items and a unit's year twelve queries of a prefix. Counters are ADDed
inside the caller's transaction (the registration, the decretation, the case), so a count
exists exactly when the thing it counts does. Both writers of one counter are of the same
unit, and a unit's registrations already pass one at a time through its register counter.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Iterator

from pynamodb.transactions import TransactWrite

from ezd.adapters.records_table import RecordItem, bind_table
from ezd.config import settings
from ezd.models.statistics import Count


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _key(unit: str, month: str, metric: str) -> tuple[str, str]:
    return f"STATS#{month}", f"{unit}#{metric}"


def add_to_transaction(tx: TransactWrite, counts: Iterable[Count]) -> None:
    """ADDs each count in the caller's transaction (an ADD creates a missing counter)."""
    merged: dict[tuple[str, str], int] = {}
    for count in counts:
        key = _key(count.unit, count.month, count.metric)
        merged[key] = merged.get(key, 0) + count.by
    for (pk, sk), by in merged.items():
        if not by:
            continue
        tx.update(RecordItem(pk, sk), actions=[RecordItem.kind.set("stat"), RecordItem.value.add(by)])


def set_snapshot(unit: str, month: str, metric: str, value: int, as_of: date) -> None:
    """A state measured on ``as_of`` (the overdue cases): the month keeps its latest."""
    _bound()
    pk, sk = _key(unit, month, metric)
    RecordItem(pk, sk).update(actions=[
        RecordItem.kind.set("stat"), RecordItem.value.set(value), RecordItem.data.set({"as_of": as_of.isoformat()}),
    ])


class StoredCount:
    __slots__ = ("unit", "metric", "value", "as_of")

    def __init__(self, unit: str, metric: str, value: int, as_of: str | None) -> None:
        self.unit, self.metric, self.value, self.as_of = unit, metric, value, as_of


def month_counts(month: str, unit: str | None = None) -> list[StoredCount]:
    """Every counter of the month (the city's), or one unit's."""
    _bound()
    condition = RecordItem.sk.startswith(f"{unit}#") if unit else None
    rows = []
    for item in RecordItem.query(f"STATS#{month}", condition):
        owner, _, metric = item.sk.partition("#")
        rows.append(StoredCount(owner, metric, int(item.value or 0), (item.data or {}).get("as_of")))
    return rows


# --- the recount: every counted record and every counter, for `ezd statistics recount` ----

COUNTED_KINDS = ("registry_entry", "decretation", "case")


def counted_records() -> Iterator[tuple[str, dict]]:
    """(kind, data) of every register line, decretation and case: a Scan of the whole table,
    for an operator's recount (run when the system is quiet), never for a page."""
    _bound()
    for item in RecordItem.scan(RecordItem.kind.is_in(*COUNTED_KINDS)):
        yield item.kind, item.data or {}


def stored_counts() -> Iterator[tuple[str, str, str, int]]:
    """(unit, month, metric, value) of every counter."""
    _bound()
    for item in RecordItem.scan(RecordItem.kind == "stat"):
        unit, _, metric = item.sk.partition("#")
        yield unit, item.pk.removeprefix("STATS#"), metric, int(item.value or 0)


def set_count(unit: str, month: str, metric: str, value: int) -> None:
    _bound()
    pk, sk = _key(unit, month, metric)
    RecordItem(pk, sk).update(actions=[RecordItem.kind.set("stat"), RecordItem.value.set(value)])

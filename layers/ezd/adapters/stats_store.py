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
from typing import Iterable

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

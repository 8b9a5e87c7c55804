"""The statistics recounted from the records themselves: what every register line,
decretation and case counts as it stands, against the counters kept at write time.

For an installation that had documents before the counters existed, and as a check that
the running counts are right (they must add up to the recount exactly). It reads the
whole table: an operator runs it when the system is quiet (`ezd statistics recount`).
The overdue snapshots are a state of their own day and are not recounted.
"""

from __future__ import annotations

from pydantic import BaseModel

from ezd.adapters import stats_store
from ezd.models import statistics as m
from ezd.models.cases import Case
from ezd.models.registry import RegistryEntry
from ezd.models.routing import Decretation


class Difference(BaseModel):
    unit: str
    month: str
    metric: str
    stored: int
    counted: int


class RecountReport(BaseModel):
    records: int
    differences: list[Difference]
    applied: bool


def _counts_of(kind: str, data: dict) -> list[m.Count]:
    if kind == "registry_entry":
        return m.registration_counts(RegistryEntry.model_validate(data))
    if kind == "decretation":
        return m.decretation_state_counts(Decretation.model_validate(data))
    return m.case_counts(Case.model_validate(data))


def recount(unit: str | None = None, *, apply: bool = False) -> RecountReport:
    """The differences between the counters and the records (of one unit, or all); with
    ``apply`` the counters are set to what the records say."""
    records = 0
    counted: list[m.Count] = []
    for kind, data in stats_store.counted_records():
        if unit and data.get("unit") != unit:
            continue
        records += 1
        counted += _counts_of(kind, data)
    expected = m.totals(counted)
    stored = {(u, month, metric): value for u, month, metric, value in stats_store.stored_counts()
              if metric != m.CASES_OVERDUE and (not unit or u == unit)}
    differences = [Difference(unit=k[0], month=k[1], metric=k[2], stored=stored.get(k, 0), counted=expected.get(k, 0))
                   for k in sorted(set(expected) | set(stored)) if stored.get(k, 0) != expected.get(k, 0)]
    if apply:
        for d in differences:
            stats_store.set_count(d.unit, d.month, d.metric, d.counted)
    return RecountReport(records=records, differences=differences, applied=apply)

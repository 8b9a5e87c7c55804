"""The figures of the statistics for the education department and the units' directors.

Counted when the thing happens, in the transaction that writes it (a registration, a
decretation, a case opened or closed), so the figures never disagree with the records;
the number of overdue cases is a state, not an event: the daily deadline run writes it.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from ezd.clock import local_date

# Metric names as stored (see ezd.adapters.stats_store); the portal names them in Polish.
DOCUMENTS = "doc."          # + channel: doc.epuap, doc.post, ...
SIGNATURES = "sig."         # + valid_trusted / valid_untrusted / valid_revoked / invalid / absent
DECRETED = "decr.do_zalatwienia"
DECRETED_INFO = "decr.do_wiadomosci"
DECRETATION_RETURNED = "decr.returned"
CASE_OPENED = "case.opened"
CASE_CLOSED = "case.closed"
CASE_CLOSED_LATE = "case.closed_late"
CASE_REOPENED = "case.reopened"
CASES_OVERDUE = "case.overdue"  # a snapshot (set, not added) by the deadline run


class Count(BaseModel):
    """One event to count: ``by`` more of ``metric`` in ``unit`` in the month ``month``."""

    unit: str
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    metric: str
    by: int = 1


class Figures(BaseModel):
    documents: dict[str, int] = {}
    documents_total: int = 0
    signatures: dict[str, int] = {}
    decretations: int = 0
    decretations_info: int = 0
    decretations_returned: int = 0
    cases_opened: int = 0
    cases_closed: int = 0
    cases_closed_late: int = 0
    cases_reopened: int = 0
    cases_overdue: int | None = None  # as the last deadline run of the period found them
    overdue_as_of: date | None = None


class MonthFigures(Figures):
    month: str


class UnitFigures(Figures):
    unit: str
    name: str
    kind: str


class Statistics(BaseModel):
    """A year of one unit or of the whole city: by month, by unit, and in total."""

    year: int
    scope: str  # "city" or the unit's symbol
    scope_name: str
    months: list[MonthFigures]
    units: list[UnitFigures]
    totals: Figures
    channels: list[str]
    signature_results: list[str]


# --- what each write counts (pure: the adapters add these to their transactions) -----------


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _local_month(moment) -> str:
    return month_of(local_date(moment))


def signature_result(signature: str, certificate: str) -> str:
    """valid_trusted, valid_untrusted, valid_revoked, valid_none, invalid or absent."""
    return f"valid_{certificate}" if signature == "valid" else signature


def registration_counts(entry) -> list[Count]:
    """A registered item: its channel and the result of its signature check."""
    month = month_of(entry.received_date)
    return [Count(unit=entry.unit, month=month, metric=DOCUMENTS + entry.channel),
            Count(unit=entry.unit, month=month, metric=SIGNATURES + signature_result(entry.signature, entry.certificate))]


def decretation_counts(decretations) -> list[Count]:
    """Decretations as the routing transaction writes them: a new one is written once as
    pending ("do załatwienia") or info ("do wiadomości"); a returned one once, when returned."""
    counts = []
    for d in decretations:
        if d.status == "pending":
            counts.append(Count(unit=d.unit, month=_local_month(d.at), metric=DECRETED))
        elif d.status == "info":
            counts.append(Count(unit=d.unit, month=_local_month(d.at), metric=DECRETED_INFO))
        elif d.status == "returned" and d.decided_at is not None:
            counts.append(Count(unit=d.unit, month=_local_month(d.decided_at), metric=DECRETATION_RETURNED))
    return counts


def decretation_state_counts(d) -> list[Count]:
    """What a stored decretation counts as it stands (a recount): made "do załatwienia" or
    "do wiadomości", and returned if it was; the running counts add up to the same."""
    counts = [Count(unit=d.unit, month=_local_month(d.at), metric=DECRETED if d.kind == "do_zalatwienia" else DECRETED_INFO)]
    if d.status == "returned" and d.decided_at is not None:
        counts.append(Count(unit=d.unit, month=_local_month(d.decided_at), metric=DECRETATION_RETURNED))
    return counts


def case_counts(case) -> list[Count]:
    """What a case counts as it stands: opened (and reopened, when it continues a case of an
    earlier year), each reopening in its own year, and — while it is closed — closed (late
    when after its deadline) in the month it was closed. A case reopened and closed again
    counts once as closed, in the month of its last closing, as the spis spraw shows it."""
    month = _local_month(case.opened_at)
    counts = [Count(unit=case.unit, month=month, metric=CASE_OPENED)]
    if case.continues:
        counts.append(Count(unit=case.unit, month=month, metric=CASE_REOPENED))
    counts += [Count(unit=case.unit, month=_local_month(moment), metric=CASE_REOPENED) for moment in case.reopened]
    if case.status == "closed" and case.closed_at is not None:
        closed_on = local_date(case.closed_at)
        counts.append(Count(unit=case.unit, month=month_of(closed_on), metric=CASE_CLOSED))
        if case.deadline is not None and closed_on > case.deadline:
            counts.append(Count(unit=case.unit, month=month_of(closed_on), metric=CASE_CLOSED_LATE))
    return counts


def case_opened_counts(case) -> list[Count]:
    """A new entry of the spis spraw."""
    return case_counts(case)


def case_change_counts(previous, case) -> list[Count]:
    """What a change of a case moves: its counts as it is now less those as it was (a close
    adds one closed; a reopening takes the closing back and adds one reopened)."""
    return difference(case_counts(case), case_counts(previous))


def totals(counts) -> dict[tuple[str, str, str], int]:
    """Counts summed per (unit, month, metric)."""
    summed: dict[tuple[str, str, str], int] = {}
    for c in counts:
        key = (c.unit, c.month, c.metric)
        summed[key] = summed.get(key, 0) + c.by
    return summed


def difference(after, before) -> list[Count]:
    a, b = totals(after), totals(before)
    return [Count(unit=unit, month=month, metric=metric, by=a.get(key, 0) - b.get(key, 0))
            for key in sorted(set(a) | set(b)) for unit, month, metric in [key] if a.get(key, 0) != b.get(key, 0)]

"""The spis spraw: the running list of a komórka's cases in one JRWA class and year, in the
columns of the instrukcja kancelaryjna — whole (CSV, the command line) or a page at a time."""

from __future__ import annotations

from ezd.adapters import case_store
from ezd.clock import local_date
from ezd.errors import ValidationFailed
from ezd.models.cases import Case, SpisLine, SpisPage
from ezd.services.auth import Principal
from ezd.services.csv_export import write_csv

SPIS_PAGE = 100
SPIS_PAGE_MAX = 500


def spis_spraw(unit: str, cell: str, jrwa_symbol: str, year: int, principal: Principal) -> list[SpisLine]:
    """The whole spis (the CSV, the command line)."""
    principal.require_unit(unit)
    return [_spis_line(case) for case in case_store.spis(unit, cell, jrwa_symbol, year)]


def spis_page(unit: str, cell: str, jrwa_symbol: str, year: int, principal: Principal, *,
              after: int = 0, limit: int = SPIS_PAGE) -> SpisPage:
    """``limit`` lines of the spis after number ``after``. Numbers are gapless (each is
    taken with its case in one transaction), so the counter is the number of cases."""
    principal.require_unit(unit)
    if not 1 <= limit <= SPIS_PAGE_MAX:
        raise ValidationFailed(f"limit must be between 1 and {SPIS_PAGE_MAX}")
    if after < 0:
        raise ValidationFailed("after must not be negative")
    lines = [_spis_line(case) for case in case_store.spis(unit, cell, jrwa_symbol, year, after=after, limit=limit)]
    total = case_store.current_counter(unit, cell, jrwa_symbol, year)
    more = bool(lines) and lines[-1].lp < total
    return SpisPage(lines=lines, total=total, next_after=lines[-1].lp if more else None)


def _spis_line(case: Case) -> SpisLine:
    origin = case.origin
    remarks = [case.settlement or ""]
    if case.continues:
        remarks.append(f"kontynuacja sprawy {case.continues}")
    if case.continued_as:
        remarks.append(f"wznowiona jako {case.continued_as}")
    return SpisLine(
        lp=case.number,
        znak_sprawy=case.ref,
        sprawa=case.title,
        od_kogo_wplynela=origin.sender if origin else "sprawa z inicjatywy własnej",
        znak_pisma=(origin.sender_reference or "") if origin else "",
        z_dnia=(origin.letter_date or "") if origin else "",
        data_wszczecia=case.initiated_on.isoformat(),
        data_ostatecznego_zalatwienia=local_date(case.closed_at).isoformat() if case.closed_at else "",
        uwagi="; ".join(r for r in remarks if r),
    )


def spis_csv(lines: list[SpisLine]) -> str:
    return write_csv(list(SpisLine.model_fields), (line.model_dump() for line in lines))

"""The register lines' status and class set from the routing they show.

The routing writes both on the line in its own transactions; lines registered before the
register filtered on them carry neither, and this puts them right (and checks that the
running writes agree with the routing: after it, nothing differs). An operator runs it
per unit and year (`ezd register-lines reindex`); it reads one register, not the table.
"""

from __future__ import annotations

from pydantic import BaseModel

from ezd.adapters import register_lines, routing_store


class LineDifference(BaseModel):
    registry_number: str
    document_id: str
    stored_status: str | None
    status: str
    stored_jrwa: str | None
    jrwa_symbol: str | None


class ReindexReport(BaseModel):
    unit: str
    year: int
    lines: int
    differences: list[LineDifference]
    applied: bool


def reindex(unit: str, year: int, *, apply: bool = False) -> ReindexReport:
    lines = register_lines.register_lines(unit, year)
    differences = []
    for entry, stored_status, stored_jrwa in lines:
        routing = routing_store.get_routing(entry.document_id)
        # No routing yet: the workflow's Classify step has not run, as at registration.
        status = routing.status if routing else "unclassified"
        symbol = routing.classification.jrwa_symbol if routing and routing.classification else None
        if (stored_status, stored_jrwa) != (status, symbol):
            differences.append(LineDifference(
                registry_number=entry.registry_number, document_id=entry.document_id,
                stored_status=stored_status, status=status, stored_jrwa=stored_jrwa, jrwa_symbol=symbol))
    if apply:
        for d in differences:
            register_lines.mark_line(unit, d.registry_number, d.status, d.jrwa_symbol)
    return ReindexReport(unit=unit, year=year, lines=len(lines), differences=differences, applied=apply)

"""The metryka sprawy of a case: its own audit chain with those of its documents,
rendered as the legal form or exported, and verified on request."""

from __future__ import annotations

from typing import Any

from ezd.adapters import case_store
from ezd.errors import NotFound, ValidationFailed
from ezd.models.cases import Case, case_audit_key
from ezd.config import settings
from ezd.services import audit, audit_anchor
from ezd.services import metryka as metryka_form
from ezd.services.auth import Principal


def audit_id(case: Case) -> str:
    return case_audit_key(case.unit, case.ref)


def _case(unit: str, ref: str, principal: Principal) -> Case:
    principal.require_unit(unit)
    case = case_store.get_case(unit, ref)
    if case is None:
        raise NotFound(f"no case {ref} in unit {unit}")
    return case


def _document_ids(case: Case) -> list[str]:
    return [d.document_id for d in case_store.documents(case.unit, case.ref)]


def metryka(unit: str, ref: str, principal: Principal, fmt: str = "json") -> tuple[Any, str]:
    case = _case(unit, ref, principal)
    entries = audit.metryka_entries(audit_id(case), _document_ids(case))
    if fmt == "html":
        header = metryka_form.CaseHeader(case_ref=case.ref, title=case.title, unit=f"{case.unit} / {case.cell}",
                                    opened_at=case.opened_at, officer=case.officer_name)
        verification = audit.verify_many([audit.case_object(audit_id(case)),
                                          *(audit.document_object(d) for d in _document_ids(case))])
        return metryka_form.render_html(header, entries, verification=verification), "text/html; charset=utf-8"
    if fmt == "csv":
        return metryka_form.export_csv(entries), "text/csv; charset=utf-8"
    if fmt == "json":
        return {"case_ref": case.ref, "unit": unit, "entries": [e.model_dump(mode="json") for e in entries]}, "application/json"
    raise ValidationFailed("format is one of json, csv, html")


def verify(unit: str, ref: str, principal: Principal) -> dict[str, Any]:
    """The case's chains, each checked by itself and against the unit's latest anchor."""
    case = _case(unit, ref, principal)
    results = audit_anchor.verify_anchored([audit.case_object(audit_id(case)),
                                            *(audit.document_object(d) for d in _document_ids(case))], settings())
    return {"case_ref": ref, "ok": all(r.ok for r in results), "chains": [r.model_dump(mode="json") for r in results]}

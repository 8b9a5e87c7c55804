"""Routes of cases (sprawy), the spis spraw, the metryka and the deadline watch."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalice import Response
from pydantic import BaseModel, Field

from ezd.api.openapi import formats, responds
from ezd.api.common import Blueprint, csv_response, date_param, handled, int_param, json_body, principal_in, query
from ezd.errors import ValidationFailed
from ezd.models.audit import AuditEntry, VerificationResult
from ezd.models.cases import Case, CaseDocument, DeadlinePresetName, SpisPage
from ezd.services import case_log, cases, deadline_watch, spis
from ezd import clock

blueprint = Blueprint(__name__)


def _principal_in(unit: str):
    return principal_in(blueprint.current_request, unit)


class OpenCaseBody(BaseModel):
    jrwa_symbol: str = Field(pattern=r"^\d{1,4}$")
    title: str = Field(min_length=1, max_length=500)
    cell: str | None = None
    officer: str | None = None
    deadline_preset: DeadlinePresetName = "none"
    document_id: str | None = None


class AttachBody(BaseModel):
    document_id: str


class CloseBody(BaseModel):
    settlement: str = Field(min_length=1, max_length=2000)
    settled_by: str | None = Field(default=None, max_length=40)  # RPWy/N/YYYY: the item sent that settled it


class ReasonBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class SuspendBody(BaseModel):
    start: date
    reason: str = Field(min_length=1, max_length=2000)


class ResumeBody(BaseModel):
    end: date


class CaseDocumentsAnswer(BaseModel):
    """The documents of a case, in the order they were attached."""

    items: list[CaseDocument]


class SpisAnswer(SpisPage):
    """A page of the spis spraw of one komórka, JRWA class and year: one line per case, by
    its number (?limit=, default 100, at most 500; ?after=<lp> for the next page); the CSV
    has all of it."""

    unit: str
    cell: str
    jrwa: str
    year: int


class MetrykaAnswer(BaseModel):
    """The metryka sprawy as JSON: the case's entries with those of its documents, by time."""

    case_ref: str
    unit: str
    entries: list[AuditEntry]


class MetrykaVerification(BaseModel):
    """Whether the case's chains (its own and its documents') are intact and anchored."""

    case_ref: str
    ok: bool
    chains: list[VerificationResult]


@blueprint.route("/units/{unit}/cases", methods=["POST"])
@responds(Case, status=201)
@handled
def open_case(unit: str) -> Response:
    principal = _principal_in(unit)
    body = OpenCaseBody.model_validate(json_body(blueprint.current_request))
    case = cases.open_case(unit, principal, **body.model_dump())
    return Response(body=case.model_dump(mode="json"), status_code=201)


class CaseChangesBody(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    officer: str | None = None


@blueprint.route("/units/{unit}/cases/{ref}", methods=["GET", "PATCH"])
@responds(Case)
@handled
def get_case(unit: str, ref: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    if blueprint.current_request.method == "PATCH":
        body = CaseChangesBody.model_validate(json_body(blueprint.current_request))
        return cases.update_case(unit, ref, principal, title=body.title, officer=body.officer).model_dump(mode="json")
    return cases.get_case(unit, ref, principal).model_dump(mode="json")


@blueprint.route("/units/{unit}/cases/{ref}/documents", methods=["GET"])
@responds(CaseDocumentsAnswer)
@handled
def case_documents(unit: str, ref: str) -> Any:
    """The documents of the case, in the order they were attached."""
    principal = _principal_in(unit)
    return {"items": [d.model_dump(mode="json") for d in cases.case_documents(unit, ref, principal)]}


@blueprint.route("/units/{unit}/cases/{ref}/documents", methods=["POST"])
@responds(Case)
@handled
def attach_to_case(unit: str, ref: str) -> Any:
    """The case officer attaches a document decreed to them; the case as it is now."""
    principal = _principal_in(unit)
    body = AttachBody.model_validate(json_body(blueprint.current_request))
    return cases.attach_document(unit, ref, body.document_id, principal).model_dump(mode="json")


@blueprint.route("/units/{unit}/cases/{ref}/close", methods=["POST"])
@responds(Case)
@handled
def close_case(unit: str, ref: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    body = CloseBody.model_validate(json_body(blueprint.current_request))
    return cases.close_case(unit, ref, principal, body.settlement, body.settled_by).model_dump(mode="json")


@blueprint.route("/units/{unit}/cases/{ref}/reopen", methods=["POST"])
@responds(Case)
@handled
def reopen_case(unit: str, ref: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    body = ReasonBody.model_validate(json_body(blueprint.current_request))
    return cases.reopen_case(unit, ref, principal, body.reason).model_dump(mode="json")


@blueprint.route("/units/{unit}/cases/{ref}/suspend", methods=["POST"])
@responds(Case)
@handled
def suspend_case(unit: str, ref: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    body = SuspendBody.model_validate(json_body(blueprint.current_request))
    return cases.suspend(unit, ref, principal, body.start, body.reason).model_dump(mode="json")


@blueprint.route("/units/{unit}/cases/{ref}/resume", methods=["POST"])
@responds(Case)
@handled
def resume_case(unit: str, ref: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    body = ResumeBody.model_validate(json_body(blueprint.current_request))
    return cases.resume(unit, ref, principal, body.end).model_dump(mode="json")


@blueprint.route("/units/{unit}/spis")
@responds(SpisAnswer)
@formats(csv="text/csv")
@handled
def spis_spraw(unit: str) -> Any:
    """Spis spraw of a komórka, class and year (?cell=&jrwa=&year=[&format=csv])."""
    principal = _principal_in(unit)
    q = query(blueprint.current_request)
    if not q.get("cell") or not q.get("jrwa"):
        raise ValidationFailed("cell and jrwa are required")
    year = int_param(q.get("year"), "year", clock.today().year)
    if q.get("format") == "csv":
        lines = spis.spis_spraw(unit, q["cell"], q["jrwa"], year, principal)
        return csv_response(spis.spis_csv(lines), f"spis-spraw-{unit}-{q['cell']}-{q['jrwa']}-{year}.csv")
    page = spis.spis_page(unit, q["cell"], q["jrwa"], year, principal, after=int_param(q.get("after"), "after", 0),
                          limit=int_param(q.get("limit"), "limit", spis.SPIS_PAGE))
    return {"unit": unit, "cell": q["cell"], "jrwa": q["jrwa"], "year": year, **page.model_dump()}


@blueprint.route("/units/{unit}/cases/{ref}/metryka")
@responds(MetrykaAnswer)
@formats(html="text/html", csv="text/csv")
@handled
def metryka(unit: str, ref: str) -> Any:
    principal = _principal_in(unit)
    fmt = query(blueprint.current_request).get("format", "json")
    body, content_type = case_log.metryka(unit, ref, principal, fmt)
    if content_type == "application/json":
        return body
    return Response(body=body, headers={"Content-Type": content_type}, status_code=200)


@blueprint.route("/units/{unit}/cases/{ref}/metryka/verify")
@responds(MetrykaVerification)
@handled
def verify_metryka(unit: str, ref: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    return case_log.verify(unit, ref, principal)


@blueprint.route("/units/{unit}/overdue")
@responds(deadline_watch.DueReport)
@handled
def overdue(unit: str) -> dict[str, Any]:
    """The unit's open cases past their deadline, and those due within `days` (7)."""
    principal = _principal_in(unit)
    principal.require_role(unit, "manager", "case_officer")
    q = query(blueprint.current_request)
    today = date_param(q.get("today"), "today") or clock.today()
    return deadline_watch.due_report(unit, today, int_param(q.get("days"), "days", 7)).model_dump(mode="json")

"""Routes of the registry desk: the incoming register, items, the daily report, paper
letters, intake outcomes, notifications, quarantine, and the ePUAP push endpoint."""

from __future__ import annotations

from typing import Any

from chalice import Response
from pydantic import BaseModel, Field

from ezd.adapters import directory_store, registry_store
from ezd.adapters.epuap_soap import EpuapFault, build_push_response, parse_push_request
from ezd.adapters.wssecurity import NotSignedByEpuap
from ezd.api.common import Blueprint, csv_response, date_param, handled, int_param, principal_of, query
from ezd.api.openapi import answers_in, formats, responds
from ezd.config import settings
from ezd.errors import EzdError
from ezd.models.epuap import EpuapStatus
from ezd.models.registry import MetadataCorrection, QuarantineRecord, RegisterPage, RegistryEntry
from ezd.services import access, corrections, push_authentication, quarantine_quota, registry_queries
from ezd.services.corrections import MetadataChanges
from ezd.services.delivery import accept_epuap_document
from ezd.services.quarantine import quarantine_raw
from ezd.services.registry_queries import RegistryItemView
from ezd.clock import today

blueprint = Blueprint(__name__)
SOAP_TYPES = ["text/xml", "application/soap+xml", "application/xml"]


@blueprint.route("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@blueprint.route("/units/{unit}/registry")
@responds(RegisterPage)
@handled
def list_register(unit: str) -> dict[str, Any]:
    """The unit's incoming register for a year: newest first, paged, filterable."""
    principal_of(blueprint.current_request).require_role(unit, *access.REGISTER_READERS)
    q = query(blueprint.current_request)
    page = registry_queries.list_register(
        unit,
        int_param(q.get("year"), "year", today().year),
        limit=int_param(q.get("limit"), "limit", 50),
        page_token=q.get("page_token"),
        date_from=date_param(q.get("date_from"), "date_from"),
        date_to=date_param(q.get("date_to"), "date_to"),
        channel=q.get("channel"),
        sender=q.get("sender"),
        title=q.get("title"),
        status=q.get("status"),
        jrwa=q.get("jrwa"),
    )
    return page.model_dump(mode="json")


@blueprint.route("/units/{unit}/documents/{document_id}")
@responds(RegistryItemView)
@handled
def open_item(unit: str, document_id: str) -> dict[str, Any]:
    """One registered item: metadata, signature report, short-lived download links."""
    principal = principal_of(blueprint.current_request)
    principal.require_unit(unit)
    return registry_queries.open_item(unit, document_id, settings(), principal).model_dump(mode="json")


class CorrectionBody(BaseModel):
    changes: MetadataChanges
    reason: str = Field(min_length=1, max_length=2000)


class CorrectedMetadata(BaseModel):
    """The item's metadata after the correction, its version and every correction so far."""

    entry: RegistryEntry
    version: int
    corrections: list[MetadataCorrection]


@blueprint.route("/units/{unit}/documents/{document_id}/metadata", methods=["PATCH"])
@responds(CorrectedMetadata)
@handled
def correct_metadata(unit: str, document_id: str) -> dict[str, Any]:
    """A correction of the item's metadata: a new version keeping the old values."""
    principal = principal_of(blueprint.current_request)
    principal.require_unit(unit)
    body = CorrectionBody.model_validate(blueprint.current_request.json_body or {})
    corrected = corrections.correct_metadata(unit, document_id, principal, body.changes, body.reason)
    return {"entry": corrected.entry.model_dump(mode="json"), "version": corrected.version,
            "corrections": [c.model_dump(mode="json") for c in corrected.corrections]}


@blueprint.route("/units/{unit}/reports/intake")
@responds(registry_queries.IntakeReport)
@formats(csv="text/csv")
@handled
def intake_report(unit: str) -> Any:
    """The raport podawczy of a day, as JSON or (format=csv) CSV."""
    principal_of(blueprint.current_request).require_role(unit, *access.REGISTER_READERS)
    q = query(blueprint.current_request)
    day = date_param(q.get("date"), "date") or today()
    report = registry_queries.intake_report(unit, day)
    if q.get("format") == "csv":
        return csv_response(registry_queries.report_csv(report), f"raport-podawczy-{unit}-{day}.csv")
    return report.model_dump(mode="json")


@blueprint.route("/units/{unit}/intakes/{intake_id}")
@handled
def intake_status(unit: str, intake_id: str) -> Any:
    principal_of(blueprint.current_request).require_role(unit, *access.REGISTER_READERS)
    outcome = registry_queries.intake_state(unit, intake_id, settings())
    if outcome is None:
        return Response(body={"intake_id": intake_id, "status": "processing"}, status_code=202)
    return outcome.model_dump(mode="json")


@blueprint.route("/units/{unit}/notifications")
@handled
def notifications(unit: str) -> dict[str, Any]:
    principal_of(blueprint.current_request).require_role(unit, *access.REGISTER_READERS)
    items = registry_store.list_notifications(unit, "registry", int_param(query(blueprint.current_request).get("limit"), "limit", 50))
    return {"items": [n.model_dump(mode="json") for n in items]}


class QuarantineAnswer(BaseModel):
    """What the intake refused for the unit, newest first, with the reasons."""

    items: list[QuarantineRecord]


@blueprint.route("/units/{unit}/quarantine")
@responds(QuarantineAnswer)
@handled
def quarantine(unit: str) -> dict[str, Any]:
    """The unit's quarantine: refused deliveries, kept with the reason."""
    principal_of(blueprint.current_request).require_role(unit, "registry_clerk", "unit_admin", "archivist")
    return {"items": [r.model_dump(mode="json") for r in registry_store.list_quarantine(unit)]}


@blueprint.route("/epuap/push/{unit}", methods=["POST"], content_types=SOAP_TYPES)
@answers_in("text/xml")
def epuap_push(unit: str) -> Response:
    """ePUAP push delivery (the unit's intake endpoint): accepted only when ePUAP signed
    it (WS-Security), answered OK only once stored."""
    raw = blueprint.current_request.raw_body or b""
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if directory_store.get_unit(unit) is None:
        # Before anything is stored: an unauthenticated caller must not create quarantine
        # records (and S3 objects) under unit names that do not exist.
        body = build_push_response(EpuapStatus(kod=404, komunikat=f"UNKNOWN_RECIPIENT: no unit {unit}"), None)
        return Response(body=body, headers=headers, status_code=404)
    try:
        push_authentication.verify_push(raw, settings())
    except NotSignedByEpuap as exc:
        # Nothing of an unauthenticated message is kept: not even in the quarantine.
        body = build_push_response(EpuapStatus(kod=401, komunikat=str(exc)[:300]), None)
        return Response(body=body, headers=headers, status_code=401)
    source = quarantine_quota.source_of("epuap", unit, mode="push")
    try:
        quarantine_quota.check(source, settings())
    except quarantine_quota.QuotaExceeded as exc:
        body = build_push_response(EpuapStatus(kod=429, komunikat=str(exc)[:300]), None)
        return Response(body=body, headers=headers, status_code=429)
    try:
        document = parse_push_request(raw)
    except (EpuapFault, ValueError) as exc:
        quarantine_raw(unit, raw, "push-envelope.xml", "epuap", "MALFORMED_PUSH", str(exc), settings(), source)
        body = build_push_response(EpuapStatus(kod=400, komunikat=f"MALFORMED_PUSH: {exc}"), None)
        return Response(body=body, headers=headers, status_code=400)
    owner = directory_store.unit_by_box(document.box_address)
    if owner is None or owner.symbol != unit:
        body = build_push_response(EpuapStatus(kod=404, komunikat="UNKNOWN_RECIPIENT: box is not this unit's"), None)
        return Response(body=body, headers=headers, status_code=404)
    try:
        request = accept_epuap_document(document, "push", settings())
    except quarantine_quota.QuotaExceeded as exc:
        body = build_push_response(EpuapStatus(kod=429, komunikat=str(exc)[:300]), None)
        return Response(body=body, headers=headers, status_code=429)
    except EzdError as exc:
        body = build_push_response(EpuapStatus(kod=503, komunikat=str(exc)), None)
        return Response(body=body, headers=headers, status_code=503)
    body = build_push_response(EpuapStatus(kod=1, komunikat="OK"), request.intake_id)
    return Response(body=body, headers=headers, status_code=200)

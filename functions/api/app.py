"""The portal's REST API (Chalice, behind API Gateway): thin routes over the services."""

from __future__ import annotations

import base64
import binascii
import time
from datetime import date, datetime
from typing import Any, Callable

from chalice import Chalice, Response
from pydantic import BaseModel, Field, ValidationError

from ezd.adapters import directory_store, registry_store
from ezd.adapters.epuap_soap import EpuapFault, build_push_response, parse_push_request
from ezd.config import settings
from ezd.errors import AccessDenied, EzdError, IntakeRejected, NotFound, ValidationFailed
from ezd.models.epuap import EpuapStatus
from ezd.models.intake import PAPER_CHANNELS, Channel, PaperLetterForm
from ezd.observability import tools
from ezd.services import auth, registry_queries
from ezd.services.delivery import accept_epuap_document, accept_paper_letter
from ezd.services.quarantine import quarantine_raw
from ezd.services.timezone import now_utc

app = Chalice(app_name="ezd-api")


def _register_blueprints() -> None:
    """Route groups of later capabilities live in their own modules of the layer."""
    import importlib

    for module_name in ("ezd.api.jrwa_routes", "ezd.api.routing_routes", "ezd.api.case_routes"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        app.register_blueprint(module.blueprint)


_register_blueprints()
logger, tracer, metrics = tools("api")

_STATUS = {
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "UNAUTHENTICATED": 401,
    "VALIDATION_FAILED": 400,
}
SOAP_TYPES = ["text/xml", "application/soap+xml", "application/xml"]


def _error(code: str, message: str, status: int) -> Response:
    return Response(body={"error_code": code, "message": message}, status_code=status)


def _handled(route: Callable[..., Any]) -> Callable[..., Any]:
    """Maps the services' errors to HTTP answers with stable codes."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return route(*args, **kwargs)
        except EzdError as exc:
            status = _STATUS.get(exc.code, 400 if isinstance(exc, IntakeRejected) else 500)
            return _error(exc.code, exc.message, status)
        except ValidationError as exc:
            return _error("VALIDATION_FAILED", exc.errors(include_url=False).__repr__(), 400)

    wrapper.__name__ = route.__name__
    wrapper.__doc__ = route.__doc__
    return wrapper


def _principal() -> auth.Principal:
    request = app.current_request
    context = (request.context or {}).get("authorizer") or {}
    claims = context.get("claims") or {}
    if claims.get("cognito:username"):  # behind the Cognito authorizer in AWS
        return auth.principal_for(claims["cognito:username"])
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise auth.Unauthenticated("missing bearer token")
    secret = settings().auth_secret
    if not secret:
        raise auth.Unauthenticated("development tokens are not enabled")
    return auth.principal_for(auth.verify_token(header[7:].strip(), secret))


def _query() -> dict[str, str]:
    return app.current_request.query_params or {}


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(f"{name} must be YYYY-MM-DD") from exc


def _int(value: str | None, name: str, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ValidationFailed(f"{name} must be a number") from exc


@app.route("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.route("/me")
@_handled
def me() -> dict[str, Any]:
    return _principal().model_dump()


@app.route("/units/{unit}/registry")
@_handled
def list_register(unit: str) -> dict[str, Any]:
    """The unit's incoming register for a year: newest first, paged, filterable."""
    _principal().require_unit(unit)
    q = _query()
    page = registry_queries.list_register(
        unit,
        _int(q.get("year"), "year", now_utc().year),
        limit=_int(q.get("limit"), "limit", 50),
        page_token=q.get("page_token"),
        date_from=_date(q.get("date_from"), "date_from"),
        date_to=_date(q.get("date_to"), "date_to"),
        channel=q.get("channel"),
        sender=q.get("sender"),
    )
    return page.model_dump(mode="json")


@app.route("/units/{unit}/documents/{document_id}")
@_handled
def open_item(unit: str, document_id: str) -> dict[str, Any]:
    """One registered item: metadata, signature report, short-lived download links."""
    principal = _principal()
    principal.require_unit(unit)
    owner = registry_queries.document_unit(document_id)
    if owner is not None and owner != principal.unit:
        raise AccessDenied(f"document {document_id} belongs to another unit")
    return registry_queries.open_item(unit, document_id, settings(), principal).model_dump(mode="json")


@app.route("/units/{unit}/reports/intake")
@_handled
def intake_report(unit: str) -> Any:
    """The raport podawczy of a day, as JSON or (format=csv) CSV."""
    _principal().require_unit(unit)
    q = _query()
    day = _date(q.get("date"), "date") or now_utc().date()
    report = registry_queries.intake_report(unit, day)
    if q.get("format") == "csv":
        return Response(
            body=registry_queries.report_csv(report),
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": f'attachment; filename="raport-podawczy-{unit}-{day}.csv"',
            },
            status_code=200,
        )
    return report.model_dump(mode="json")


class PaperLetterUpload(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    content_base64: str
    channel: Channel = "post"
    received_at: datetime | None = None
    metadata: PaperLetterForm


@app.route("/units/{unit}/paper-letters", methods=["POST"])
@_handled
def register_paper_letter(unit: str) -> Response:
    """The registry desk registers a scanned paper letter through the intake workflow."""
    principal = _principal()
    principal.require_role(unit, "registry_clerk")
    upload = PaperLetterUpload.model_validate(app.current_request.json_body or {})
    if upload.channel not in PAPER_CHANNELS:
        raise ValidationFailed(f"the registry desk registers paper letters: channel is one of {', '.join(PAPER_CHANNELS)}")
    try:
        scan = base64.b64decode(upload.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed("content_base64 is not valid base64") from exc
    request = accept_paper_letter(
        unit, upload.metadata, scan, upload.filename, upload.channel, principal.login, settings(), upload.received_at,
        correlation_id=app.current_request.headers.get("x-correlation-id"),
    )
    wait = min(_int(_query().get("wait"), "wait", 0), 25)
    outcome = _await_outcome(request.intake_id, wait)
    body = {"intake_id": request.intake_id, "status_url": f"/units/{unit}/intakes/{request.intake_id}"}
    if outcome is None:
        return Response(body={**body, "status": "processing"}, status_code=202)
    status = {"registered": 201, "duplicate": 200}.get(outcome.status, 422)
    return Response(body={**body, **outcome.model_dump(mode="json")}, status_code=status)


def _await_outcome(intake_id: str, seconds: int) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        outcome = registry_store.outcome_of_intake(intake_id)
        if outcome is not None or time.monotonic() >= deadline:
            return outcome
        time.sleep(0.1)


@app.route("/units/{unit}/intakes/{intake_id}")
@_handled
def intake_status(unit: str, intake_id: str) -> Any:
    _principal().require_unit(unit)
    outcome = registry_queries.intake_state(unit, intake_id, settings())
    if outcome is None:
        return Response(body={"intake_id": intake_id, "status": "processing"}, status_code=202)
    return outcome.model_dump(mode="json")


@app.route("/units/{unit}/notifications")
@_handled
def notifications(unit: str) -> dict[str, Any]:
    _principal().require_unit(unit)
    items = registry_store.list_notifications(unit, "registry", _int(_query().get("limit"), "limit", 50))
    return {"items": [n.model_dump(mode="json") for n in items]}


@app.route("/units/{unit}/quarantine")
@_handled
def quarantine(unit: str) -> dict[str, Any]:
    _principal().require_role(unit, "registry_clerk", "unit_admin", "archivist")
    return {"items": [r.model_dump(mode="json") for r in registry_store.list_quarantine(unit)]}


@app.route("/epuap/push/{unit}", methods=["POST"], content_types=SOAP_TYPES)
def epuap_push(unit: str) -> Response:
    """ePUAP push delivery (the unit's intake endpoint): answered OK only once stored."""
    raw = app.current_request.raw_body or b""
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if directory_store.get_unit(unit) is None:
        # Before anything is stored: an unauthenticated caller must not create quarantine
        # records (and S3 objects) under unit names that do not exist.
        body = build_push_response(EpuapStatus(kod=404, komunikat=f"UNKNOWN_RECIPIENT: no unit {unit}"), None)
        return Response(body=body, headers=headers, status_code=404)
    try:
        document = parse_push_request(raw)
    except (EpuapFault, ValueError) as exc:
        quarantine_raw(unit, raw, "push-envelope.xml", "epuap", "MALFORMED_PUSH", str(exc), settings())
        body = build_push_response(EpuapStatus(kod=400, komunikat=f"MALFORMED_PUSH: {exc}"), None)
        return Response(body=body, headers=headers, status_code=400)
    owner = directory_store.unit_by_box(document.box_address)
    if owner is None or owner.symbol != unit:
        body = build_push_response(EpuapStatus(kod=404, komunikat="UNKNOWN_RECIPIENT: box is not this unit's"), None)
        return Response(body=body, headers=headers, status_code=404)
    try:
        request = accept_epuap_document(document, "push", settings())
    except EzdError as exc:
        body = build_push_response(EpuapStatus(kod=503, komunikat=str(exc)), None)
        return Response(body=body, headers=headers, status_code=503)
    body = build_push_response(EpuapStatus(kod=1, komunikat="OK"), request.intake_id)
    return Response(body=body, headers=headers, status_code=200)

"""The unit's file plan (JRWA): read by anyone of the unit, changed by its administrator.

    GET  /units/{unit}/jrwa                 current plan (?version=N[&owner=X] an older one, ?format=csv)
    GET  /units/{unit}/jrwa/versions        the unit's version history
    GET  /units/{unit}/jrwa/{symbol}        one class (?version=N[&owner=X])
    POST /units/{unit}/jrwa/changes         {"changes": [{op, symbol, heading, category, notes}], "note",
                                             "expected_version"} -> the new version (201)
    PUT  /units/{unit}/jrwa                 a CSV body (symbol,heading,category,notes) replaces the plan
                                            as a new version (?note=...&expected_version=N) (201)
    POST /units/{unit}/jrwa/preview         the body of either of the two above: what publishing it would
                                            change, and the version it would become; nothing is written
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ezd.api.common import Blueprint, Response, csv_response, handled, int_param, json_body, principal_of, query
from ezd.api.openapi import formats, responds
from ezd.errors import ValidationFailed
from ezd.models.jrwa import JrwaChange, JrwaPlan, JrwaPreview, JrwaVersionInfo
from ezd.services import jrwa, jrwa_preview

blueprint = Blueprint(__name__)

CSV_TYPES = ["text/csv", "text/plain", "application/csv", "application/octet-stream"]


def _plan_for(unit: str, version: str | None, owner: str | None) -> JrwaPlan:
    if version:
        return jrwa.unit_plan_version(unit, int_param(version, "version", 0), owner or None)
    if owner:
        raise ValidationFailed("owner is given only together with version")
    return jrwa.current_plan(unit)


def _optional_int(value: str | None, name: str) -> int | None:
    return int_param(value, name, 0) if value else None


class UnitPlan(JrwaPlan):
    """A version of the unit's file plan (its own, or the city's it inherits)."""

    unit: str


class UnitVersions(BaseModel):
    """The unit's plan history, oldest first (the inherited city version, then its own)."""

    unit: str
    items: list[JrwaVersionInfo]


class JrwaChangesBody(BaseModel):
    """Changes of the plan, as POST /units/{unit}/jrwa/changes takes them."""

    changes: list[JrwaChange] = Field(min_length=1)
    note: str | None = None
    expected_version: int | None = None


@blueprint.route("/units/{unit}/jrwa", methods=["GET"])
@responds(UnitPlan)
@formats(csv="text/csv")
@handled
def get_plan(unit: str) -> Any:
    principal_of(blueprint.current_request).require_unit(unit)
    q = query(blueprint.current_request)
    # Read here, not in _plan_for, so that the OpenAPI document lists them.
    plan = _plan_for(unit, q.get("version"), q.get("owner"))
    if q.get("format") == "csv":
        return csv_response(jrwa.export_csv(plan), f"jrwa-{unit}-{plan.owner}-v{plan.version}.csv")
    if q.get("format") not in (None, "", "json"):
        raise ValidationFailed("format must be json or csv")
    return {"unit": unit, **plan.model_dump(mode="json")}


@blueprint.route("/units/{unit}/jrwa/versions", methods=["GET"])
@responds(UnitVersions)
@handled
def list_versions(unit: str) -> Any:
    principal_of(blueprint.current_request).require_unit(unit)
    return {"unit": unit, "items": [v.model_dump(mode="json") for v in jrwa.versions(unit)]}


@blueprint.route("/units/{unit}/jrwa/{symbol}", methods=["GET"])
@handled
def get_class(unit: str, symbol: str) -> Any:
    principal_of(blueprint.current_request).require_unit(unit)
    q = query(blueprint.current_request)
    plan = _plan_for(unit, q.get("version"), q.get("owner"))
    return jrwa.class_in(plan, symbol).model_dump(mode="json")


@blueprint.route("/units/{unit}/jrwa/changes", methods=["POST"])
@responds(UnitPlan, 201)
@handled
def change_plan(unit: str) -> Any:
    principal = principal_of(blueprint.current_request)
    principal.require_role(unit, "unit_admin")
    body = json_body(blueprint.current_request)
    changes = body.get("changes")
    if not isinstance(changes, list) or not changes:
        raise ValidationFailed("changes must be a non-empty list of {op, symbol, heading, category, notes}")
    parsed = [JrwaChange.model_validate(c) for c in changes]
    expected = body.get("expected_version")
    if expected is not None and not isinstance(expected, int):
        raise ValidationFailed("expected_version must be a number")
    note = body.get("note")
    if note is not None and not isinstance(note, str):
        raise ValidationFailed("note must be text")
    plan = jrwa.change_plan(unit, parsed, principal.login, note, expected_version=expected)
    return Response(body={"unit": unit, **plan.model_dump(mode="json")}, status_code=201)


@blueprint.route("/units/{unit}/jrwa", methods=["PUT"], content_types=CSV_TYPES)
@responds(UnitPlan, 201)
@handled
def import_plan(unit: str) -> Any:
    principal = principal_of(blueprint.current_request)
    principal.require_role(unit, "unit_admin")
    q = query(blueprint.current_request)
    raw = blueprint.current_request.raw_body or b""
    plan = jrwa.import_csv(unit, raw, principal.login, q.get("note"),
                           expected_version=_optional_int(q.get("expected_version"), "expected_version"))
    return Response(body={"unit": unit, **plan.model_dump(mode="json")}, status_code=201)


@blueprint.route("/units/{unit}/jrwa/preview", methods=["POST"], content_types=["application/json", *CSV_TYPES])
@responds(JrwaPreview)
@handled
def preview_plan(unit: str) -> Any:
    """What publishing a change or a CSV would do, without publishing anything.

    The body is that of POST /units/{unit}/jrwa/changes (JSON) or of PUT /units/{unit}/jrwa
    (a CSV, with ?expected_version=N). The answer is the version the plan would become, the
    classes added, changed and removed, or (``valid`` false) every problem with its code
    and its CSV line or change number. A version other than ``expected_version`` is 409
    JRWA_VERSION_CONFLICT, as the publication would answer."""
    request = blueprint.current_request
    principal = principal_of(request)
    principal.require_role(unit, "unit_admin")
    content_type = (request.headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    if content_type == "application/json":
        body = JrwaChangesBody.model_validate(json_body(request))
        preview = jrwa_preview.preview_changes(unit, body.changes, principal.login, body.expected_version)
    else:
        q = query(request)
        preview = jrwa_preview.preview_csv(unit, request.raw_body or b"", principal.login,
                                           _optional_int(q.get("expected_version"), "expected_version"))
    return preview.model_dump(mode="json")

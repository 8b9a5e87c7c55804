"""The address book (services/dispatch/address_book.py).

    GET    /units/{unit}/contractors?q=...         the unit's contractors and the city's units
    POST   /units/{unit}/contractors               a new contractor (201)
    GET    /units/{unit}/contractors/{id}          one (a city unit's id is unit-<symbol>)
    PUT    /units/{unit}/contractors/{id}          {details, expected_version} -> the next version
    DELETE /units/{unit}/contractors/{id}?expected_version=N

Everyone of the unit reads; the registry desk, officers, managers and the unit's
administrator keep the book; the city's units are read-only.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ezd.api.common import Blueprint, Response, handled, int_param, json_body, principal_in, query
from ezd.api.openapi import responds
from ezd.models.contractors import Contractor, ContractorDetails, ContractorList
from ezd.services.dispatch import address_book

blueprint = Blueprint(__name__)


class ContractorChange(BaseModel):
    details: ContractorDetails
    expected_version: int = Field(ge=1)


def _caller(unit: str) -> Any:
    return principal_in(blueprint.current_request, unit)


@blueprint.route("/units/{unit}/contractors", methods=["GET"])
@responds(ContractorList)
@handled
def list_contractors(unit: str) -> dict[str, Any]:
    """The unit's contractors and the city's units, by name (?q= in the name or an address)."""
    q = query(blueprint.current_request)
    return address_book.list_contractors(_caller(unit), unit, q.get("q")).model_dump(mode="json")


@blueprint.route("/units/{unit}/contractors", methods=["POST"])
@responds(Contractor, status=201)
@handled
def add_contractor(unit: str) -> Response:
    caller = _caller(unit)  # who asks before what they sent: a stranger learns nothing from a 400
    details = ContractorDetails.model_validate(json_body(blueprint.current_request))
    added = address_book.add_contractor(caller, unit, details)
    return Response(body=added.model_dump(mode="json"), status_code=201)


@blueprint.route("/units/{unit}/contractors/{contractor_id}", methods=["GET"])
@responds(Contractor)
@handled
def get_contractor(unit: str, contractor_id: str) -> dict[str, Any]:
    return address_book.get_contractor(_caller(unit), unit, contractor_id).model_dump(mode="json")


@blueprint.route("/units/{unit}/contractors/{contractor_id}", methods=["PUT"])
@responds(Contractor)
@handled
def change_contractor(unit: str, contractor_id: str) -> dict[str, Any]:
    caller = _caller(unit)
    body = ContractorChange.model_validate(json_body(blueprint.current_request))
    return address_book.change_contractor(caller, unit, contractor_id, body.details,
                                          body.expected_version).model_dump(mode="json")


@blueprint.route("/units/{unit}/contractors/{contractor_id}", methods=["DELETE"])
@handled
def remove_contractor(unit: str, contractor_id: str) -> Response:
    caller = _caller(unit)
    q = query(blueprint.current_request)
    version = int_param(q.get("expected_version"), "expected_version", 0)
    address_book.remove_contractor(caller, unit, contractor_id, version)
    return Response(body="", status_code=204)

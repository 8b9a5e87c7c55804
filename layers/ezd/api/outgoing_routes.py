"""Outgoing documents: drafts in a case and their approval (services/dispatch/).

    GET  /units/{unit}/cases/{ref}/outgoing              the case's outgoing documents (those the caller may see)
    POST /units/{unit}/cases/{ref}/outgoing              a draft {title, upload_id | template_id, addressees?, signer?, note?} (201)
    GET  /units/{unit}/outgoing/{id}                     one, with links to its versions
    POST /units/{unit}/outgoing/{id}/versions            a new version {upload_id, note?}
    PUT  /units/{unit}/outgoing/{id}/addressees          {addressees: [{contractor_id} | {document_id}]}
    POST /units/{unit}/outgoing/{id}/attachments         a załącznik from an upload {upload_id}
    DELETE /units/{unit}/outgoing/{id}/attachments/{sha256}  off the draft
    POST /units/{unit}/outgoing/{id}/submit              along the unit's approval path
    POST /units/{unit}/outgoing/{id}/decision            {decision: approved | returned, remark?}
    POST /units/{unit}/outgoing/{id}/seal                the approved version sealed with the unit's seal
    POST /units/{unit}/outgoing/{id}/signature           signed outside: {upload_id, signature_upload_id?}
    GET  /units/{unit}/approvals                         what waits for the caller's decision
    GET  /units/{unit}/approval-paths                    the unit's paths by JRWA prefix
    PUT  /units/{unit}/approval-paths                    {paths: [...]}: the administrator replaces them
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ezd.api.common import Blueprint, Response, handled, json_body, principal_in
from ezd.api.openapi import responds
from ezd.config import settings
from ezd.models.outgoing import ApprovalPathRule
from ezd.services.dispatch import approval, drafts, signing
from ezd.services.dispatch.drafts import AddresseeChoice
from ezd.services.dispatch.outgoing_views import OutgoingList, OutgoingView, view

blueprint = Blueprint(__name__)


class DraftBody(BaseModel):
    """A draft from a file uploaded (``upload_id``) or from a template of the unit
    (``template_id``: filled from the case, the first addressee and the signer)."""

    title: str = Field(min_length=1, max_length=500)
    upload_id: str | None = Field(default=None, min_length=1, max_length=100)
    template_id: str | None = Field(default=None, min_length=1, max_length=100)
    addressees: list[AddresseeChoice] | None = Field(default=None, max_length=50)
    signer: str | None = Field(default=None, max_length=64)  # a login of the unit; the case's officer by default
    note: str | None = Field(default=None, max_length=2000)


class VersionBody(BaseModel):
    upload_id: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=2000)


class AddresseesBody(BaseModel):
    addressees: list[AddresseeChoice] = Field(min_length=1, max_length=50)


class DecisionBody(BaseModel):
    decision: Literal["approved", "returned"]
    remark: str | None = Field(default=None, max_length=2000)


class ExternalSignatureBody(BaseModel):
    upload_id: str = Field(min_length=1, max_length=100)  # the signed file (or the approved file itself)
    signature_upload_id: str | None = Field(default=None, max_length=100)  # its detached .xades


class ApprovalPaths(BaseModel):
    paths: list[ApprovalPathRule]


def _caller(unit: str) -> Any:
    return principal_in(blueprint.current_request, unit)


def _shown(document: Any, caller: Any) -> dict[str, Any]:
    return view(document, caller, settings()).model_dump(mode="json")


@blueprint.route("/units/{unit}/cases/{ref}/outgoing", methods=["GET"])
@responds(OutgoingList)
@handled
def list_of_case(unit: str, ref: str) -> dict[str, Any]:
    caller = _caller(unit)
    return {"items": [_shown(d, caller) for d in drafts.of_case(unit, ref, caller)]}


@blueprint.route("/units/{unit}/cases/{ref}/outgoing", methods=["POST"])
@responds(OutgoingView, status=201)
@handled
def create_draft(unit: str, ref: str) -> Response:
    """A draft answer in the case: its first version the file uploaded (purpose "draft"),
    or a template of the unit rendered to PDF."""
    caller = _caller(unit)
    body = DraftBody.model_validate(json_body(blueprint.current_request))
    created = drafts.create_draft(unit, ref, caller, title=body.title, upload_id=body.upload_id,
                                  template_id=body.template_id, addressees=body.addressees, signer=body.signer,
                                  note=body.note, settings=settings())
    return Response(body=_shown(created, caller), status_code=201)


@blueprint.route("/units/{unit}/outgoing/{outgoing_id}", methods=["GET"])
@responds(OutgoingView)
@handled
def get_outgoing(unit: str, outgoing_id: str) -> dict[str, Any]:
    caller = _caller(unit)
    return _shown(drafts.get(unit, outgoing_id, caller), caller)


@blueprint.route("/units/{unit}/outgoing/{outgoing_id}/versions", methods=["POST"])
@responds(OutgoingView)
@handled
def add_version(unit: str, outgoing_id: str) -> dict[str, Any]:
    caller = _caller(unit)
    body = VersionBody.model_validate(json_body(blueprint.current_request))
    return _shown(drafts.add_version(unit, outgoing_id, caller, upload_id=body.upload_id, note=body.note,
                                     settings=settings()), caller)


@blueprint.route("/units/{unit}/outgoing/{outgoing_id}/addressees", methods=["PUT"])
@responds(OutgoingView)
@handled
def set_addressees(unit: str, outgoing_id: str) -> dict[str, Any]:
    caller = _caller(unit)
    body = AddresseesBody.model_validate(json_body(blueprint.current_request))
    return _shown(drafts.set_addressees(unit, outgoing_id, caller, body.addressees), caller)


@blueprint.route("/units/{unit}/outgoing/{outgoing_id}/attachments", methods=["POST"])
@responds(OutgoingView)
@handled
def add_attachment(unit: str, outgoing_id: str) -> dict[str, Any]:
    caller = _caller(unit)
    body = VersionBody.model_validate(json_body(blueprint.current_request))
    return _shown(drafts.add_attachment(unit, outgoing_id, caller, upload_id=body.upload_id, settings=settings()),
                  caller)


@blueprint.route("/units/{unit}/outgoing/{outgoing_id}/attachments/{sha256}", methods=["DELETE"])
@responds(OutgoingView)
@handled
def remove_attachment(unit: str, outgoing_id: str, sha256: str) -> dict[str, Any]:
    caller = _caller(unit)
    return _shown(drafts.remove_attachment(unit, outgoing_id, caller, sha256), caller)


@blueprint.route("/units/{unit}/outgoing/{outgoing_id}/submit", methods=["POST"])
@responds(OutgoingView)
@handled
def submit(unit: str, outgoing_id: str) -> dict[str, Any]:
    caller = _caller(unit)
    return _shown(approval.submit(unit, outgoing_id, caller), caller)


@blueprint.route("/units/{unit}/outgoing/{outgoing_id}/decision", methods=["POST"])
@responds(OutgoingView)
@handled
def decide(unit: str, outgoing_id: str) -> dict[str, Any]:
    caller = _caller(unit)
    body = DecisionBody.model_validate(json_body(blueprint.current_request))
    return _shown(approval.decide(unit, outgoing_id, caller, body.decision, body.remark), caller)


@blueprint.route("/units/{unit}/outgoing/{outgoing_id}/seal", methods=["POST"])
@responds(OutgoingView)
@handled
def seal(unit: str, outgoing_id: str) -> dict[str, Any]:
    """The approved version sealed with the unit's electronic seal (XAdES-BES)."""
    caller = _caller(unit)
    return _shown(signing.seal(unit, outgoing_id, caller, settings()), caller)


@blueprint.route("/units/{unit}/outgoing/{outgoing_id}/signature", methods=["POST"])
@responds(OutgoingView)
@handled
def external_signature(unit: str, outgoing_id: str) -> dict[str, Any]:
    """A signature made outside (qualified, Profil Zaufany), verified and recorded."""
    caller = _caller(unit)
    body = ExternalSignatureBody.model_validate(json_body(blueprint.current_request))
    return _shown(signing.record_external(unit, outgoing_id, caller, upload_id=body.upload_id,
                                          signature_upload_id=body.signature_upload_id, settings=settings()), caller)


@blueprint.route("/units/{unit}/approvals", methods=["GET"])
@responds(OutgoingList)
@handled
def waiting(unit: str) -> dict[str, Any]:
    caller = _caller(unit)
    return {"items": [_shown(d, caller) for d in approval.waiting_for(unit, caller)]}


@blueprint.route("/units/{unit}/approval-paths", methods=["GET"])
@responds(ApprovalPaths)
@handled
def list_paths(unit: str) -> dict[str, Any]:
    paths = approval.list_paths(unit, _caller(unit))
    return {"paths": [p.model_dump(mode="json") for p in paths]}


@blueprint.route("/units/{unit}/approval-paths", methods=["PUT"])
@responds(ApprovalPaths)
@handled
def replace_paths(unit: str) -> dict[str, Any]:
    caller = _caller(unit)
    body = ApprovalPaths.model_validate(json_body(blueprint.current_request))
    return {"paths": [p.model_dump(mode="json") for p in approval.replace_paths(unit, caller, body.paths)]}

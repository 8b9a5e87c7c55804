"""Letter templates and the letterhead (services/dispatch/letter_templates.py, letter_render.py).

    GET    /letter-templates/placeholders                        the placeholder vocabulary
    GET    /units/{unit}/letter-templates                        the unit's templates (administrators: archived too)
    POST   /units/{unit}/letter-templates                        a new template (201)
    GET    /units/{unit}/letter-templates/{template_id}          one
    PUT    /units/{unit}/letter-templates/{template_id}          {content, expected_version} -> the next version
    POST   /units/{unit}/letter-templates/{template_id}/archive  {expected_version}
    POST   /units/{unit}/letter-templates/{template_id}/restore  {expected_version}
    GET    /units/{unit}/letter-templates/{template_id}/versions every version, newest first
    POST   /units/{unit}/letter-templates/{template_id}/preview  {case_ref?, contractor_id?, signer?} -> a link to the PDF
    GET    /units/{unit}/letterhead                              the unit's letterhead
    PUT    /units/{unit}/letterhead                              {details, expected_version}

The unit administrator keeps them; the unit's case officers and managers read the active
templates and preview letters. A template that cannot be saved is answered 400 with the
first problem's code and ``problems``: each with its field, code, value and suggestion.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ezd.api.common import Blueprint, Response, handled, json_body, principal_in, principal_of
from ezd.api.openapi import responds
from ezd.config import settings
from ezd.models.letter_templates import (
    Letterhead, LetterheadDetails, LetterTemplate, LetterTemplateList, TemplateContent, TemplateVersionList,
    Vocabulary,
)
from ezd.services.dispatch import letter_render, letter_templates

blueprint = Blueprint(__name__)


class TemplateChangeRequest(BaseModel):
    content: TemplateContent
    expected_version: int = Field(ge=1)


class VersionRequest(BaseModel):
    expected_version: int = Field(ge=1)


class LetterheadChange(BaseModel):
    details: LetterheadDetails
    expected_version: int = Field(ge=0)


def _caller(unit: str) -> Any:
    return principal_in(blueprint.current_request, unit)


def _problems(exc: letter_templates.LetterTemplateInvalid) -> dict[str, Any]:
    """The error body of a template that cannot be saved: the common two fields, and its problems."""
    return {"error_code": exc.code, "message": exc.message[:500],
            "problems": [p.model_dump(mode="json") for p in exc.problems]}


@blueprint.route("/letter-templates/placeholders", methods=["GET"])
@responds(Vocabulary)
@handled
def letter_template_placeholders() -> dict[str, Any]:
    """The placeholders a template may use ({{ name }}), with their Polish labels and examples."""
    principal_of(blueprint.current_request)
    return letter_templates.vocabulary().model_dump(mode="json")


@blueprint.route("/units/{unit}/letter-templates", methods=["GET"])
@responds(LetterTemplateList)
@handled
def list_letter_templates(unit: str) -> dict[str, Any]:
    """The unit's templates: the city's starters and its own (administrators see the archived too)."""
    return letter_templates.list_templates(_caller(unit), unit).model_dump(mode="json")


@blueprint.route("/units/{unit}/letter-templates", methods=["POST"])
@responds(LetterTemplate, status=201)
@handled
def create_letter_template(unit: str) -> Response:
    caller = _caller(unit)
    content = TemplateContent.model_validate(json_body(blueprint.current_request))
    try:
        created = letter_templates.create_template(caller, unit, content)
    except letter_templates.LetterTemplateInvalid as exc:
        return Response(body=_problems(exc), status_code=400)
    return Response(body=created.model_dump(mode="json"), status_code=201)


@blueprint.route("/units/{unit}/letter-templates/{template_id}", methods=["GET"])
@responds(LetterTemplate)
@handled
def get_letter_template(unit: str, template_id: str) -> dict[str, Any]:
    return letter_templates.get_template(_caller(unit), unit, template_id).model_dump(mode="json")


@blueprint.route("/units/{unit}/letter-templates/{template_id}", methods=["PUT"])
@responds(LetterTemplate)
@handled
def change_letter_template(unit: str, template_id: str) -> Any:
    caller = _caller(unit)
    body = TemplateChangeRequest.model_validate(json_body(blueprint.current_request))
    try:
        changed = letter_templates.change_template(caller, unit, template_id, body.content, body.expected_version)
    except letter_templates.LetterTemplateInvalid as exc:
        return Response(body=_problems(exc), status_code=400)
    return changed.model_dump(mode="json")


@blueprint.route("/units/{unit}/letter-templates/{template_id}/archive", methods=["POST"])
@responds(LetterTemplate)
@handled
def archive_letter_template(unit: str, template_id: str) -> dict[str, Any]:
    """No longer offered for new letters (kept, with its versions; restore brings it back)."""
    caller = _caller(unit)
    body = VersionRequest.model_validate(json_body(blueprint.current_request))
    return letter_templates.archive_template(caller, unit, template_id, body.expected_version).model_dump(mode="json")


@blueprint.route("/units/{unit}/letter-templates/{template_id}/restore", methods=["POST"])
@responds(LetterTemplate)
@handled
def restore_letter_template(unit: str, template_id: str) -> Any:
    caller = _caller(unit)
    body = VersionRequest.model_validate(json_body(blueprint.current_request))
    try:
        restored = letter_templates.restore_template(caller, unit, template_id, body.expected_version)
    except letter_templates.LetterTemplateInvalid as exc:
        return Response(body=_problems(exc), status_code=400)
    return restored.model_dump(mode="json")


@blueprint.route("/units/{unit}/letter-templates/{template_id}/versions", methods=["GET"])
@responds(TemplateVersionList)
@handled
def letter_template_versions(unit: str, template_id: str) -> dict[str, Any]:
    return letter_templates.versions(_caller(unit), unit, template_id).model_dump(mode="json")


@blueprint.route("/units/{unit}/letter-templates/{template_id}/preview", methods=["POST"])
@responds(letter_render.LetterPreview)
@handled
def preview_letter(unit: str, template_id: str) -> dict[str, Any]:
    """The template as a PDF letter for a case and a contractor of the unit (made-up ones when
    none is named): a short-lived link to it (file.url downloads, file.preview_url shows it)."""
    caller = _caller(unit)
    body = letter_render.PreviewRequest.model_validate(json_body(blueprint.current_request))
    return letter_render.preview(caller, unit, template_id, body, settings()).model_dump(mode="json")


@blueprint.route("/units/{unit}/letterhead", methods=["GET"])
@responds(Letterhead)
@handled
def get_letterhead(unit: str) -> dict[str, Any]:
    """The unit's letterhead (version 0: never set, the unit's name alone)."""
    return letter_templates.get_letterhead(_caller(unit), unit).model_dump(mode="json")


@blueprint.route("/units/{unit}/letterhead", methods=["PUT"])
@responds(Letterhead)
@handled
def change_letterhead(unit: str) -> dict[str, Any]:
    caller = _caller(unit)
    body = LetterheadChange.model_validate(json_body(blueprint.current_request))
    return letter_templates.change_letterhead(caller, unit, body.details, body.expected_version).model_dump(mode="json")

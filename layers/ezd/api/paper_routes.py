"""Routes of the registry desk's paper letters: upload a scan straight to S3, have a manager
confirm a date of receipt long past, register the uploaded scan."""

from __future__ import annotations

import time
from datetime import date
from typing import Any, Literal

from chalice import Response
from pydantic import BaseModel, Field, create_model

from ezd.adapters import registry_store
from ezd.api.common import Blueprint, handled, int_param, json_body, principal_in, query
from ezd.api.openapi import responds
from ezd.config import settings
from ezd.models.intake import IntakeOutcome
from ezd.models.uploads import UploadPurpose, UploadTicket
from ezd.services import paper_desk

blueprint = Blueprint(__name__)

# A conflict (the scan is an earlier item's, with other metadata) is the clerk's to decide.
_STATUS_OF_OUTCOME = {"registered": 201, "duplicate": 200, "conflict": 409}


class UploadRequest(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=0)
    purpose: UploadPurpose = "paper"  # "draft": the content of an outgoing document


# The registration's answer: `processing` (202) while the workflow works, then its
# outcome — registered (201), the same scan and data already registered (200, that item's
# number), a conflict with an earlier item of the same scan (409: the clerk may register it
# anyway with a `duplicate_reason`), or rejected (422, with the code). The outcome's
# fields, optional (a `processing` answer has none of them yet), and where to ask again.
PaperLetterAnswer = create_model(
    "PaperLetterAnswer",
    __doc__="A paper letter's registration: processing, or its outcome.",
    upload_id=(str, ...),
    status_url=(str, ...),
    status=(Literal["processing", "registered", "duplicate", "conflict", "test", "rejected", "failed"], ...),
    **{name: (field.annotation | None, None) for name, field in IntakeOutcome.model_fields.items()
       if name not in ("intake_id", "status")},
    intake_id=(str, ...),
)


class BackdatingBody(BaseModel):
    received_on: date
    reason: str = Field(min_length=1, max_length=2000)


@blueprint.route("/units/{unit}/uploads", methods=["POST"])
@responds(UploadTicket, 201)
@handled
def open_upload(unit: str) -> Response:
    """Where to send a scan (or a draft's file): a pre-signed S3 POST, valid 15 minutes,
    for at most the limit."""
    principal = principal_in(blueprint.current_request, unit)
    body = UploadRequest.model_validate(json_body(blueprint.current_request))
    ticket = paper_desk.open_upload(unit, principal, body.filename, body.size, settings(), body.purpose)
    return Response(body=ticket.model_dump(mode="json"), status_code=201)


@blueprint.route("/units/{unit}/uploads/{upload_id}/backdating", methods=["POST"])
@handled
def confirm_backdating(unit: str, upload_id: str) -> dict[str, Any]:
    """A manager confirms the date of receipt of the scanned letter, with a reason."""
    principal = principal_in(blueprint.current_request, unit)
    body = BackdatingBody.model_validate(json_body(blueprint.current_request))
    upload = paper_desk.confirm_backdating(unit, upload_id, principal, body.received_on, body.reason)
    return {"upload_id": upload.upload_id, "backdating": upload.backdating.model_dump(mode="json")}


@blueprint.route("/units/{unit}/paper-letters", methods=["POST"])
@responds(PaperLetterAnswer, 201)
@responds(PaperLetterAnswer, 200)
@responds(PaperLetterAnswer, 202)
@responds(PaperLetterAnswer, 409)
@responds(PaperLetterAnswer, 422)
@handled
def register_paper_letter(unit: str) -> Response:
    """The registry desk registers an uploaded scan through the intake workflow
    (?wait=N: wait up to N seconds, at most 25, for the outcome)."""
    principal = principal_in(blueprint.current_request, unit)
    form = paper_desk.PaperRegistration.model_validate(json_body(blueprint.current_request))
    started = paper_desk.register(unit, principal, form, settings(),
                                  correlation_id=blueprint.current_request.headers.get("x-correlation-id"))
    wait = min(int_param(query(blueprint.current_request).get("wait"), "wait", 0), 25)
    outcome = started.outcome or _await_outcome(started.intake_id, wait)
    body = {"intake_id": started.intake_id, "upload_id": form.upload_id,
            "status_url": f"/units/{unit}/intakes/{started.intake_id}"}
    if outcome is None:
        return Response(body={**body, "status": "processing"}, status_code=202)
    return Response(body={**body, **outcome.model_dump(mode="json")},
                    status_code=_STATUS_OF_OUTCOME.get(outcome.status, 422))


def _await_outcome(intake_id: str, seconds: int) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        outcome = registry_store.outcome_of_intake(intake_id)
        if outcome is not None or time.monotonic() >= deadline:
            return outcome
        time.sleep(0.1)

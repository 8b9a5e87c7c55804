"""Corrections of a registered item's metadata (the brief: never overwritten; a mistake is
corrected by a new version or an annotation). Each correction keeps the old values and
the reason, and is an entry of the document's metryka."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ezd.adapters import registry_store
from ezd.errors import AccessDenied, NotFound, ValidationFailed
from ezd.models.audit import Actor
from ezd.models.intake import Access
from ezd.models.letters import Sender
from ezd.models.registry import DocumentRecord, MetadataCorrection
from ezd.services import access, audit
from ezd.services.auth import Principal
from ezd.clock import now_utc

MAX_ATTEMPTS = 10


class MetadataChanges(BaseModel):
    """The fields the registry desk may correct; what is absent stays as it is."""

    title: str | None = Field(default=None, min_length=1, max_length=1000)
    sender: Sender | None = None
    letter_date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    sender_reference: str | None = Field(default=None, max_length=200)
    kind: str | None = Field(default=None, max_length=100)
    access: Access | None = None
    remarks: str | None = Field(default=None, max_length=2000)


def _diff(document: DocumentRecord, changes: MetadataChanges) -> dict[str, dict[str, Any]]:
    current = document.entry.model_dump(mode="json")
    wanted = changes.model_dump(mode="json", exclude_none=True)
    return {field: {"old": current.get(field), "new": value} for field, value in wanted.items()
            if current.get(field) != value}


def correct_metadata(unit: str, document_id: str, principal: Principal, changes: MetadataChanges,
                     reason: str) -> DocumentRecord:
    access.open_document(unit, document_id, principal)  # a stranger learns nothing, not even a 403
    principal.require_role(unit, "registry_clerk", "manager")
    if not reason.strip():
        raise ValidationFailed("say why the metadata are corrected")
    for _ in range(MAX_ATTEMPTS):
        document = registry_store.get_document(document_id)
        if document is None:
            raise NotFound(f"no document {document_id} in unit {unit}")
        if document.unit != unit:
            raise AccessDenied(f"document {document_id} belongs to another unit")
        diff = _diff(document, changes)
        if not diff:
            raise ValidationFailed("nothing to correct: the values are the same")
        version = document.version + 1
        # The changed values as they are (a Sender stays a Sender): a dump would put a
        # plain dict where the register's entry holds a model.
        entry = document.entry.model_copy(update={
            field: getattr(changes, field) for field in type(changes).model_fields if getattr(changes, field) is not None})
        correction = MetadataCorrection(version=version, at=now_utc(), by=principal.login, reason=reason, changes=diff)
        corrected = document.model_copy(update={"entry": entry, "version": version,
                                                "corrections": [*document.corrections, correction]})
        try:
            registry_store.save_correction(corrected)
        except registry_store.DocumentChanged:
            continue
        audit.record(audit.document_object(document_id),
                     Actor(login=principal.login, full_name=principal.full_name, position=principal.position),
                     "metadata_changed", document_id=document_id,
                     summary=f"Korekta metadanych ({', '.join(diff)}): {reason}",
                     details={"changes": diff, "version": version})
        return corrected
    raise ValidationFailed("the document keeps changing; try again")

"""The incoming register (rejestr przesyłek wpływających) and registered documents."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from ezd.models.intake import AttachmentInfo, StoredBlob
from ezd.models.letters import Sender


def registry_number(number: int, year: int, prefix: str = "RPW") -> str:
    return f"{prefix}/{number}/{year}"


def number_and_year(text: str) -> tuple[int, int]:
    """The register line a number names: "RPW/12/2026" -> (12, 2026)."""
    match = re.fullmatch(r"[A-Z]+/(\d+)/(\d{4})", text)
    if not match:
        raise ValueError(f"not a registry number: {text!r}")
    return int(match.group(1)), int(match.group(2))


# Where a registered letter stands, as the register shows and filters it: the routing's
# status (models.routing.RoutingStatus) until a case takes the document in.
LineStatus = Literal["unclassified", "awaiting_decretation", "awaiting_acceptance", "accepted", "in_case"]
LINE_STATUSES: tuple[str, ...] = LineStatus.__args__


class RegistryEntry(BaseModel):
    """One line of a unit's incoming register, with the metadata the brief requires."""

    unit: str
    year: int
    number: int
    registry_number: str
    document_id: str
    received_at: datetime  # data wpływu
    received_date: date  # the day in Polish time, for the daily report
    registered_at: datetime  # automatic
    channel: str
    sender: Sender
    title: str
    letter_date: str | None = None
    sender_reference: str | None = None
    kind: str | None = None
    access: str
    format: str
    dcmi_type: str = "Text"
    attachments_count: int = 0
    signature: str
    certificate: str
    remarks: str | None = None
    registered_by: str | None = None
    case_ref: str | None = None  # the case the document joined (kept on the register line)
    status: LineStatus | None = None  # kept on the register line; None on lines from before it was
    jrwa_symbol: str | None = None  # the class the document was given, kept on the register line


class MetadataCorrection(BaseModel):
    """A correction of a registered item's metadata: nothing is overwritten silently;
    each correction keeps the values it replaced, who made it, when and why."""

    version: int  # the version this correction created
    at: datetime
    by: str
    reason: str
    changes: dict[str, dict[str, object]]  # field -> {"old": ..., "new": ...}


class DocumentRecord(BaseModel):
    """A registered document: the entry's metadata plus where its bytes are."""

    document_id: str
    unit: str
    entry: RegistryEntry
    original: StoredBlob
    attachments: list[StoredBlob] = []
    attachment_infos: list[AttachmentInfo] = []
    signature_report: dict = {}
    form_namespace: str | None = None
    form_name: str | None = None
    receipt: StoredBlob | None = None
    intake_id: str
    sha256: str
    version: int = 1
    corrections: list[MetadataCorrection] = []


class RegisterPage(BaseModel):
    items: list[RegistryEntry]
    next_token: str | None = None


class QuarantineRecord(BaseModel):
    intake_id: str
    unit: str
    channel: str
    filename: str
    sha256: str
    size: int
    error_code: str
    reason: str
    outcome: str  # rejected | failed
    bucket: str
    key: str
    quarantined_at: datetime


class Notification(BaseModel):
    unit: str
    audience: str  # "registry" (the desk) or "USER#<login>"
    created_at: datetime
    document_id: str | None = None
    registry_number: str | None = None
    case_ref: str | None = None
    message: str

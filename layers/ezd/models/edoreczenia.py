"""Wire-neutral models of what the project exchanges with e-Doręczenia (User Agent API 3.0.8).

The adapter (``ezd.adapters.edoreczenia_client``) maps these to and from the contract's
JSON. The pre-checks here (file names, recipients, sizes) are the project's own reading of
the service's rules, applied before anything is sent so that a refusal has a clear code.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

ADE_PATTERN = re.compile(r"^AE:PL-\d{5}-\d{5}-[A-Z]{5}-\d{2}$")
MAX_FILENAME_CHARS = 128
FORBIDDEN_FILENAME_CHARS = '~"#%&*:<>?!/\\{|}'
MAX_RECIPIENTS = 15
MAX_INLINE_ATTACHMENT_BYTES = 15 * 1024 * 1024  # above: the binary upload endpoint
SCOPES = ("read_messages", "write_messages", "read_settings", "write_settings")
# Where the client's own reference of a message travels (MessageMetadata.additionalData).
REFERENCE_KEY = "ezdReference"

# MessageControlData.status values that end a sent message's journey.
FINAL_STATUSES = frozenset({"Odrzucona", "Doręczona", "Uznana za doręczoną", "Niedoręczona"})


def filename_problem(name: str) -> str | None:
    """Why e-Doręczenia would refuse this attachment name, or None."""
    if not name:
        return "empty file name"
    if len(name) > MAX_FILENAME_CHARS:
        return f"longer than {MAX_FILENAME_CHARS} characters"
    if any(ch.isspace() for ch in name):
        return "contains a space"
    bad = sorted(set(name) & set(FORBIDDEN_FILENAME_CHARS))
    if bad:
        return f"contains {''.join(bad)}"
    if any(ord(ch) < 32 for ch in name):
        return "contains control characters"
    return None


class OutgoingAttachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"
    description: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class OutgoingMessage(BaseModel):
    """One message to send from ``sender`` (an address of ours) to up to 15 addressees."""

    model_config = ConfigDict(frozen=True)

    recipients: list[str] = Field(min_length=1)
    subject: str = Field(min_length=1)
    text_body: str | None = Field(default=None, max_length=5000)
    attachments: list[OutgoingAttachment] = Field(default_factory=list)
    reference: str = Field(min_length=1, max_length=200)  # the client's own id: found again after a lost answer
    thread_id: str | None = None  # a reply keeps the source message's threadId
    ref_to_message_id: str | None = None
    case_id: str | None = None


class SendReceipt(BaseModel):
    """What the service said about a send: its task and, once done, one message per addressee."""

    task_id: str | None
    message_ids: dict[str, str] = Field(default_factory=dict)  # addressee ADE -> sent message id
    statuses: dict[str, str] = Field(default_factory=dict)  # addressee ADE -> MessageControlData.status
    resolved_by_lookup: bool = False  # the answer to the send was lost; found by the reference


class EvidenceInfo(BaseModel):
    evidence_id: str
    message_id: str
    type: str
    event_date: datetime | None = None
    created: datetime | None = None
    reason: list[str] = Field(default_factory=list)


class EvidenceDocument(BaseModel):
    info: EvidenceInfo
    content: bytes  # the evidence file as the service gives it (XML)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class AttachmentInfo(BaseModel):
    attachment_id: str
    filename: str | None = None
    content_type: str | None = None
    size: int | None = None
    content: bytes | None = None  # inline (base64 in the answer) when the service includes it


class MessageSummary(BaseModel):
    message_id: str
    status: str | None = None
    opened: bool | None = None
    labels: list[str] = Field(default_factory=list)
    sender: str | None = None
    recipients: list[str] = Field(default_factory=list)
    subject: str | None = None
    thread_id: str | None = None
    submission_date: datetime | None = None
    event_date: datetime | None = None
    receipt_date: datetime | None = None
    task_id: str | None = None
    additional_data: dict[str, str] = Field(default_factory=dict)
    text_body: str | None = None
    attachments: list[AttachmentInfo] = Field(default_factory=list)
    evidences: list[EvidenceInfo] = Field(default_factory=list)

    @property
    def reference(self) -> str | None:
        return self.additional_data.get(REFERENCE_KEY)

"""What flows through the intake workflow: small typed messages, never document bytes.

Step Functions caps a state's payload at 256 KiB, so the states carry identifiers and
metadata; the bytes stay in S3.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from ezd.models.letters import Sender
from ezd.models.signatures import SignatureReport
from ezd.models.uploads import Backdating

# Delivery channels the brief lists for an incoming item.
Channel = Literal["epuap", "edoreczenia", "email", "post", "courier", "in_person"]
PAPER_CHANNELS = ("post", "courier", "in_person")

Access = Literal["publiczny – dostępny w całości", "publiczny – dostępny częściowo", "niepubliczny"]
DEFAULT_ACCESS: Access = "niepubliczny"


class StagedObject(BaseModel):
    bucket: str
    key: str
    sha256: str
    size: int
    version_id: str | None = None


class EpuapDelivery(BaseModel):
    """The envelope ePUAP gives with a letter (pull or push)."""

    mode: Literal["pull", "push"]
    delivered_at: datetime
    box_address: str
    box_name: str | None = None
    filename: str
    content_type: str | None = None
    sender_id: str | None = None
    sender_type: str | None = None
    sender_first_name: str | None = None
    sender_name: str | None = None
    reply_address: str | None = None
    is_test: bool = False
    skrot: str


class EdoreczeniaDelivery(BaseModel):
    """A message received at a unit's e-delivery address, as the service described it; the
    message itself (metadata, files and evidences) is the staged envelope."""

    address: str  # the unit's AE:PL-… address
    message_id: str
    sender_address: str | None = None
    # The sender as the directory knows its address (a unit of the city), else its address.
    sender_name: str | None = None
    sender_town: str | None = None
    subject: str | None = None
    submitted_at: datetime | None = None
    evidence_id: str  # the dowód otrzymania (or the evidence of receipt) the date comes from
    evidence_type: str
    evidence_time: datetime


class PaperLetterForm(BaseModel):
    """What a registry clerk types in for a scanned paper letter."""

    title: str = Field(min_length=1, max_length=1000)
    sender: Sender
    letter_date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    sender_reference: str | None = Field(default=None, max_length=200)
    kind: str | None = Field(default=None, max_length=100)
    access: Access = DEFAULT_ACCESS
    remarks: str | None = Field(default=None, max_length=2000)
    attachments_count: int | None = Field(default=None, ge=0, le=10000)
    sent_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class IntakeRequest(BaseModel):
    """The input of one intake execution."""

    intake_id: str
    correlation_id: str
    unit: str
    channel: Channel
    # data wpływu: the UPP time for ePUAP, the dowód otrzymania's time for e-Doręczenia,
    # the desk's date for paper
    received_at: datetime
    staged: StagedObject
    filename: str
    epuap: EpuapDelivery | None = None
    edoreczenia: EdoreczeniaDelivery | None = None
    paper: PaperLetterForm | None = None
    registered_by: str | None = None
    source: str | None = None  # whose quarantine allowance a rejection is charged to
    upload_id: str | None = None  # the scan upload a paper letter was registered from
    backdating: Backdating | None = None  # a manager's confirmation of an old date of receipt
    # Set when the clerk registers a scan whose bytes match an earlier item anyway: why.
    duplicate_reason: str | None = Field(default=None, max_length=2000)

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("received_at must carry a time zone")
        return value


class AttachmentInfo(BaseModel):
    filename: str
    size: int
    sha256: str
    mime: str | None = None


class LetterSummary(BaseModel):
    """The parse step's result: the metadata the register needs."""

    title: str
    sender: Sender
    letter_date: str | None = None
    sender_reference: str | None = None
    kind: str | None = None
    access: Access = DEFAULT_ACCESS
    format: str
    dcmi_type: str = "Text"
    form_namespace: str | None = None
    form_name: str | None = None
    remarks: str | None = None
    attachments: list[AttachmentInfo] = []
    attachments_count: int = 0
    sha256: str
    size: int
    is_test: bool = False  # ePUAP's czyTestowe: checked, but never registered
    sha1_b64: str | None = None  # the UPP's second digest (ePUAP's skrot is SHA-1)


class StoredBlob(BaseModel):
    bucket: str
    key: str
    sha256: str
    size: int
    filename: str | None = None
    mime: str | None = None


class StoreResult(BaseModel):
    original: StoredBlob
    attachments: list[StoredBlob] = []


class AcceptedDelivery(BaseModel):
    """The first intake step's answer: the letter's metadata, its signature report, and
    where it is archived (None for an ePUAP test delivery, which is never archived)."""

    letter: LetterSummary
    signatures: SignatureReport
    stored: StoreResult | None = None


# registered / duplicate (the same delivery again: the first number) / conflict (a paper
# scan whose bytes match an earlier item with other metadata: not registered, the clerk
# decides) / test (ePUAP's test delivery: no number) / rejected / failed
IntakeStatus = Literal["registered", "duplicate", "conflict", "test", "rejected", "failed"]


class RegistrationResult(BaseModel):
    status: Literal["registered", "duplicate", "conflict", "test"]
    unit: str
    document_id: str | None = None  # for a duplicate or a conflict: the earlier item
    registry_number: str | None = None
    number: int | None = None
    year: int | None = None
    received_at: datetime | None = None
    registered_at: datetime | None = None  # of a registration: the moment its entry was written
    signature: str | None = None
    certificate: str | None = None


class IntakeOutcome(BaseModel):
    """One delivery's final answer, as `ezd intake` prints it."""

    intake_id: str
    unit: str
    sha256: str
    filename: str
    channel: str
    status: IntakeStatus
    registry_number: str | None = None
    document_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    signature: str | None = None
    certificate: str | None = None
    processed_at: datetime

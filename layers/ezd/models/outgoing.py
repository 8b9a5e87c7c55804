"""Outgoing documents (pisma wychodzące): a draft in a case, its versions, its addressees
and its way through approval (akceptacja) to signing and dispatch."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ezd.models.contractors import Channel
from ezd.models.letters import SenderKind
from ezd.models.signatures import SignatureReport

# draft: the officer works on it; in_approval: a superior decides on one version;
# approved: every step of the path approved the current version, ready to be signed.
OutgoingStatus = Literal["draft", "in_approval", "approved", "signed", "dispatched"]
VersionSource = Literal["upload", "template"]


class DraftVersion(BaseModel):
    """One version of the draft's content, kept when a newer one comes (never replaced)."""

    version: int
    filename: str
    mime: str | None = None
    size: int
    sha256: str
    bucket: str
    key: str
    source: VersionSource
    template_id: str | None = None
    template_version: int | None = None
    note: str | None = None  # what changed, in the officer's words
    created_by: str
    created_at: datetime


class DraftAttachment(BaseModel):
    """A file that goes with the document (załącznik), archived when it is added."""

    name: str
    mime: str | None = None
    size: int
    sha256: str
    bucket: str
    key: str
    added_by: str
    added_at: datetime


class Addressee(BaseModel):
    """Whom the document goes to, as the address book or the case's letter gave it: a
    copy, so a later change in the book does not change what was sent."""

    name: str = Field(min_length=1, max_length=1000)
    kind: SenderKind
    street: str | None = None
    postal_code: str | None = None
    town: str | None = None
    country: str = "PL"
    esp_address: str | None = None
    ade: str | None = None
    channels: list[Channel]  # what the addresses allow, in the order dispatch prefers them
    contractor_id: str | None = None  # from the unit's address book
    from_document: str | None = None  # the sender of this document of the case


class ApproverTarget(BaseModel):
    """Who decides one step: a person, or any manager (kierownik) of the unit."""

    login: str | None = None
    role: Literal["manager"] | None = None


class ApprovalStep(BaseModel):
    step: int  # 1.. along the path
    target: ApproverTarget
    decision: Literal["approved", "returned"] | None = None  # None: not decided yet
    decided_by: str | None = None
    decided_by_name: str | None = None
    remark: str | None = None
    version: int | None = None  # the draft version decided on
    decided_at: datetime | None = None


class ApprovalRound(BaseModel):
    """One submission of the draft along the path: it ends approved, or returned."""

    round: int
    version: int  # the draft version submitted
    submitted_by: str
    submitted_at: datetime
    steps: list[ApprovalStep]
    path_rule: str | None = None  # the JRWA prefix of the unit's path that chose the steps

    @property
    def current(self) -> ApprovalStep | None:
        return next((s for s in self.steps if s.decision is None), None)


class SignedFile(BaseModel):
    """A file of the signed document as archived (content-addressed, under Object Lock)."""

    name: str
    mime: str | None = None
    size: int
    sha256: str
    bucket: str
    key: str


class Signing(BaseModel):
    """How the approved version was signed: the unit's seal here, or a signature made
    outside (qualified, Profil Zaufany) on a file uploaded and verified like a letter."""

    method: Literal["unit_seal", "external"]
    version: int  # the approved draft version that was signed
    files: list[SignedFile]  # the document (and its detached .xades, if any)
    report: SignatureReport
    seal_subject: str | None = None
    signed_by: str
    signed_at: datetime


class OutgoingDocument(BaseModel):
    outgoing_id: str
    unit: str
    case_ref: str
    jrwa_symbol: str
    title: str = Field(min_length=1, max_length=500)  # Dotyczy
    status: OutgoingStatus = "draft"
    responsible: str  # who is responsible for it (the brief: name and position)
    responsible_name: str
    responsible_position: str
    versions: list[DraftVersion] = []
    attachments: list[DraftAttachment] = []  # they go with every version; sealed and sent beside it
    addressees: list[Addressee] = []
    rounds: list[ApprovalRound] = []
    signing: Signing | None = None
    dispatched_as: list[str] = []  # its lines of the outgoing register (RPWy/N/YYYY), one per addressee
    created_by: str
    created_at: datetime
    updated_at: datetime
    revision: int = 1  # optimistic lock: every change writes revision + 1

    @property
    def current_version(self) -> DraftVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def current_round(self) -> ApprovalRound | None:
        return self.rounds[-1] if self.rounds else None


class ApprovalPathRule(BaseModel):
    """A unit's approval path for documents of a JRWA class (prefix), like the decretation
    model: the longest matching prefix wins; "" matches every class."""

    unit: str
    jrwa_prefix: str = Field(pattern=r"^\d{0,4}$")
    steps: list[ApproverTarget] = Field(min_length=1, max_length=5)

"""Classification under JRWA and decretation (dekretacja) of registered documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

RuleKind = Literal["sender", "form_namespace", "title_words"]


class ClassificationRule(BaseModel):
    """Proposes a JRWA class for a document. Rules of the unit come before the city's."""

    rule_id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    owner: str  # a unit symbol, or CITY for the common rules
    kind: RuleKind
    pattern: str = Field(min_length=1)
    jrwa_symbol: str = Field(pattern=r"^\d{1,4}$")
    priority: int = 100  # lower first
    description: str | None = None


class Classification(BaseModel):
    """The JRWA class a document is kept under (per document, not per envelope)."""

    jrwa_symbol: str
    jrwa_heading: str
    category: str | None
    plan_owner: str
    plan_version: int
    rule_id: str | None = None  # the rule that proposed it; None when chosen by hand
    confirmed_by: str | None = None
    at: datetime


DecretationKind = Literal["do_zalatwienia", "do_wiadomosci"]
DecretationStatus = Literal["pending", "accepted", "returned", "superseded", "info"]


class Target(BaseModel):
    """Whom a document is decreed to: one person, or a komórka whose members may take it."""

    login: str | None = None
    cell: str | None = None

    @model_validator(mode="after")
    def _one(self) -> "Target":
        if bool(self.login) == bool(self.cell):
            raise ValueError("a decretation goes to exactly one person or one komórka")
        return self

    @property
    def inbox_key(self) -> str:
        return f"USER#{self.login}" if self.login else f"CELL#{self.cell}"


class Decretation(BaseModel):
    decretation_id: str
    document_id: str
    unit: str
    seq: int
    kind: DecretationKind
    target: Target
    note: str | None = None
    deadline: date | None = None
    by: str  # login of the manager, or "system" for a decretation model
    by_model: str | None = None  # the model rule that routed it automatically
    at: datetime
    status: DecretationStatus
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


RoutingStatus = Literal["unclassified", "awaiting_decretation", "awaiting_acceptance", "accepted"]


class RoutingState(BaseModel):
    """Where a registered document stands on its way to the person who handles it."""

    document_id: str
    unit: str
    registry_number: str
    title: str
    status: RoutingStatus
    classification: Classification | None = None
    responsible: str | None = None  # login of the person who accepted "do załatwienia"
    current_decretation: str | None = None
    pending_token: str | None = None  # the workflow's task token waiting for a person
    waiting_for: str | None = None  # which decision the token waits for
    case_ref: str | None = None
    updated_at: datetime
    version: int = 1  # optimistic lock: every change writes version + 1


class DecretationModelRule(BaseModel):
    """A unit's automatic routing: documents of a JRWA class (prefix) go to a target."""

    unit: str
    jrwa_prefix: str = Field(pattern=r"^\d{0,4}$")  # "" matches any class
    target: Target
    kind: DecretationKind = "do_zalatwienia"
    note: str | None = None


InboxKind = Literal["decretation", "information", "case", "classification", "redecretation"]


class InboxItem(BaseModel):
    """One thing waiting for a person (or for anyone of a komórka)."""

    owner: str  # USER#login or CELL#symbol
    unit: str
    item_id: str
    kind: InboxKind
    document_id: str | None = None
    case_ref: str | None = None
    registry_number: str | None = None
    title: str
    from_login: str | None = None
    note: str | None = None
    deadline: date | None = None
    created_at: datetime

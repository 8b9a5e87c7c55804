"""The address book (kontrahenci): institutions and persons a unit writes to, with the
addresses the dispatch channels need — postal, ePUAP ESP box, e-delivery (ADE)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from ezd.models.letters import SenderKind

# e-Doręczenia addresses as the national registry writes them: AE:PL-12345-67890-ABCDE-12.
ADE_PATTERN = r"^AE:PL-\d{5}-\d{5}-[A-Z]{5}-\d{2}$"
# An ePUAP box: /<podmiot>/<skrytka>, e.g. /sp1lublin/SkrytkaESP.
ESP_PATTERN = r"^/[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$"
POSTAL_CODE_PATTERN = r"^\d{2}-\d{3}$"


class ContractorDetails(BaseModel):
    """What a user types for a contractor."""

    kind: SenderKind
    institution: str | None = Field(default=None, max_length=1000)
    first_names: str | None = Field(default=None, max_length=500)
    surname: str | None = Field(default=None, max_length=500)
    street: str | None = Field(default=None, max_length=500)
    postal_code: str | None = Field(default=None, pattern=POSTAL_CODE_PATTERN)
    town: str | None = Field(default=None, max_length=200)
    country: str = Field(default="PL", min_length=2, max_length=100)
    esp_address: str | None = Field(default=None, pattern=ESP_PATTERN)
    ade: str | None = Field(default=None, pattern=ADE_PATTERN)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)
    notes: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _named_and_reachable(self) -> ContractorDetails:
        if self.kind == "institution" and not (self.institution or "").strip():
            raise ValueError("an institution needs its name")
        if self.kind == "person" and not (self.surname or "").strip():
            raise ValueError("a person needs a surname")
        postal = bool(self.town and self.town.strip())
        if not (postal or self.esp_address or self.ade):
            raise ValueError("give at least one address: a town (post), an ePUAP box or an e-delivery address")
        return self

    @property
    def name(self) -> str:
        if self.kind == "institution":
            return (self.institution or "").strip()
        return " ".join(p for p in (self.surname, self.first_names) if p).strip()


Channel = Literal["edoreczenia", "epuap", "post"]


class Contractor(ContractorDetails):
    contractor_id: str
    owner: str  # the unit whose book it is in, or "CITY" for the city's own units
    name_display: str
    channels: list[Channel]  # what the addresses allow, in the order dispatch prefers them
    version: int = 1
    updated_at: datetime | None = None
    updated_by: str | None = None


def channels_of(details: ContractorDetails) -> list[Channel]:
    """e-Doręczenia first (the primary channel since 2026), then ePUAP, then the post."""
    found: list[Channel] = []
    if details.ade:
        found.append("edoreczenia")
    if details.esp_address:
        found.append("epuap")
    if details.town and details.town.strip():
        found.append("post")
    return found


class ContractorList(BaseModel):
    unit: str
    count: int
    items: list[Contractor]

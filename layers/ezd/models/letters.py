"""An incoming letter as the intake understands it, and the policy that bounds what it accepts.

These are the parser's output (``ezd.services.epuap_document``) and the file-type policy's
input (``ezd.services.file_policy``). The document bytes themselves never travel in these
models' dumps: Step Functions payloads are small, the bytes stay in S3.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SenderKind = Literal["person", "institution"]


class Sender(BaseModel):
    """Sender metadata the register requires: a name, a town and a country (see the brief)."""

    kind: SenderKind
    # Display name: the institution's name, or "Surname First names" for a person.
    # Filled in from the parts when omitted, so a clerk's form need not repeat itself.
    name: str = Field(default="", max_length=1000)
    first_names: str | None = Field(default=None, max_length=500)
    surname: str | None = Field(default=None, max_length=500)
    institution: str | None = Field(default=None, max_length=1000)
    town: str = Field(min_length=1, max_length=200)
    # A country code ("PL") or a country name as written on the letter; both occur.
    country: str = Field(min_length=1, max_length=100)
    street: str | None = Field(default=None, max_length=500)
    postal_code: str | None = Field(default=None, max_length=20)
    esp_address: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=320)

    @model_validator(mode="after")
    def _display_name(self) -> Sender:
        if not self.name:
            if self.kind == "institution" and self.institution:
                self.name = self.institution
            else:
                self.name = " ".join(p for p in (self.surname, self.first_names) if p)
        if not self.name:
            raise ValueError("a sender needs an institution name or a surname")
        return self


class Attachment(BaseModel):
    filename: str
    declared_format: str | None = None  # MIME as the sender declared it; not trusted
    detected_mime: str | None = None  # MIME as sniffed from the content
    # Bytes stay out of dumps and reprs: dumps go into workflow payloads and logs.
    content: bytes = Field(exclude=True, repr=False)
    size: int
    sha256: str


class ParsedLetter(BaseModel):
    # The form's namespace identifies the ePUAP form (wzór); classification keys on it.
    root_namespace: str
    form_name: str | None = None
    title: str
    sender: Sender
    recipient_name: str | None = None
    letter_date: str | None = None  # "2026", "2026-09" or "2026-09-08"
    sender_reference: str | None = None  # znak pisma nadawcy
    body_text: str | None = None
    kind: str | None = None  # pismo, wniosek, skarga...
    attachments: list[Attachment] = []
    size: int
    sha256: str
    sha1_b64: str  # ePUAP's "skrot": Base64 of the SHA-1 of the raw bytes


DEFAULT_FORBIDDEN_EXTENSIONS: frozenset[str] = frozenset(
    {
        "exe", "dll", "com", "bat", "cmd", "scr", "js", "jse", "vbs", "vbe", "msi", "ps1",
        "jar", "sh", "cpl", "hta", "lnk", "pif", "wsf", "apk", "elf", "so", "dylib",
    }
)  # fmt: skip


def _normalise_extensions(values: frozenset[str]) -> frozenset[str]:
    # Compared against lower-cased extensions without the dot, so store them the same way.
    return frozenset(v.strip().lower().lstrip(".") for v in values if v.strip().lstrip("."))


class IntakePolicy(BaseModel):
    """Limits of what the intake accepts, shared by ePUAP letters and paper-scan uploads."""

    model_config = ConfigDict(frozen=True)

    max_document_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    forbidden_extensions: frozenset[str] = DEFAULT_FORBIDDEN_EXTENSIONS
    allowed_extensions: frozenset[str] | None = None  # None: anything not forbidden
    max_attachments: int = Field(default=100, ge=0)

    @field_validator("forbidden_extensions", "allowed_extensions", mode="after")
    @classmethod
    def _normalise(cls, value: frozenset[str] | None) -> frozenset[str] | None:
        return None if value is None else _normalise_extensions(value)

    @classmethod
    def from_env(cls) -> IntakePolicy:
        """Defaults, overridden by EZD_MAX_DOCUMENT_BYTES and EZD_FORBIDDEN_EXTENSIONS when set."""
        overrides: dict[str, object] = {}
        max_bytes = os.environ.get("EZD_MAX_DOCUMENT_BYTES", "").strip()
        if max_bytes:
            overrides["max_document_bytes"] = int(max_bytes)
        forbidden = os.environ.get("EZD_FORBIDDEN_EXTENSIONS", "").strip()
        if forbidden:
            overrides["forbidden_extensions"] = frozenset(forbidden.split(","))
        return cls.model_validate(overrides)

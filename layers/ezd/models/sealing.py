"""What sealing an outgoing document produces: the files to store and the verified result."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ezd.models.signatures import SignatureReport

SealMethod = Literal["enveloped", "detached"]


class SealedFile(BaseModel):
    """One file to store byte for byte (content-addressed by ``sha256``).

    In JSON the content is base64 (URL-safe alphabet, both ways). Store the files before handing the
    document on: a workflow's states carry the names and digests, never the bytes.
    """

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")

    name: str
    mime: str
    sha256: str  # hex of ``content``
    size: int
    content: bytes = Field(repr=False)  # never in a repr or a log line


class SealedDocument(BaseModel):
    """An outgoing document sealed with its unit's seal.

    ``files`` are what to store: for XML the one signed document (``document`` = the same
    file name, new bytes, the seal inside); for any other file the original bytes
    unchanged, then its detached ``<name>.xades`` (``signature_file``). ``report`` is the
    verification of exactly these bytes with the trust store in force, so it says what a
    recipient's verifier should find. ``seal_subject`` is the seal certificate's subject.
    """

    unit: str
    method: SealMethod
    document: str  # the signed file's name (the original name in both methods)
    signature_file: str | None = None  # the detached .xades, None when enveloped
    files: list[SealedFile]
    report: SignatureReport
    seal_subject: str
    seal_serial_hex: str
    sealed_at: str  # ISO 8601 UTC: xades:SigningTime as written into the signature

    def file(self, name: str) -> SealedFile:
        return next(f for f in self.files if f.name == name)

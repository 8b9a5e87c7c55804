"""The result of verifying the XAdES signatures of a received document.

Two separate questions are answered: is each signature cryptographically intact
(``valid``), and does its certificate chain to a CA the unit trusts (``certificate``).
A bad answer to either is recorded with the document; it never stops registration.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

CertificateStatus = Literal["trusted", "untrusted", "none"]
SignatureStatus = Literal["valid", "invalid", "absent"]


class SignatureDetail(BaseModel):
    signer_subject: str | None = None  # RFC 4514 distinguished name
    signer_common_name: str | None = None
    issuer: str | None = None
    serial_hex: str | None = None
    not_before: str | None = None  # ISO 8601, UTC
    not_after: str | None = None
    signing_time: str | None = None  # xades:SigningTime as claimed by the signer; not a timestamp
    valid: bool
    error: str | None = None
    certificate: CertificateStatus = "none"
    trust_reason: str | None = None


class SignatureReport(BaseModel):
    signature: SignatureStatus
    certificate: CertificateStatus
    signatures: list[SignatureDetail] = []
    checked_at: str

    @classmethod
    def from_details(cls, details: list[SignatureDetail], checked_at: str) -> SignatureReport:
        """Aggregate per-signature results into the document's verdict.

        One broken signature makes the document's signature invalid. The certificate is
        trusted only when every intact signature's certificate is; a broken signature's
        certificate proves nothing, so it is ignored unless no signature is intact.
        """
        if not details:
            return cls(signature="absent", certificate="none", signatures=[], checked_at=checked_at)
        signature: SignatureStatus = "valid" if all(d.valid for d in details) else "invalid"
        intact = [d for d in details if d.valid]
        certificate: CertificateStatus
        if intact:
            certificate = "trusted" if all(d.certificate == "trusted" for d in intact) else "untrusted"
        elif any(d.certificate != "none" for d in details):
            certificate = "untrusted"
        else:
            certificate = "none"
        return cls(signature=signature, certificate=certificate, signatures=details, checked_at=checked_at)

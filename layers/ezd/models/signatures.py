"""The result of verifying the XAdES signatures of a received document.

Two separate questions are answered: is each signature cryptographically intact
(``valid``), and does its certificate chain to a CA the unit trusts without being
revoked (``certificate``: "trusted", "untrusted", "revoked", or "none" when there is no
certificate to judge). A bad answer to either is recorded with the document; it never
stops registration.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

CertificateStatus = Literal["trusted", "untrusted", "revoked", "none"]
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
    # What this check did not cover, in plain words (e.g. a PDF's embedded PAdES signature,
    # which is not verified); None when the report says all there is to say.
    note: str | None = None

    @classmethod
    def from_details(cls, details: list[SignatureDetail], checked_at: str, note: str | None = None) -> SignatureReport:
        """Aggregate per-signature results into the document's verdict.

        One broken signature makes the document's signature invalid. Among the intact
        signatures, one revoked certificate makes the document's certificate "revoked"
        (the strongest finding: the CA itself withdrew it, which the clerk must see first),
        else the certificate is trusted only when every intact signature's certificate is.
        A broken signature's certificate proves nothing, so it is ignored unless no
        signature is intact, and then it can only make the document "untrusted".
        """
        if not details:
            return cls(signature="absent", certificate="none", signatures=[], checked_at=checked_at, note=note)
        signature: SignatureStatus = "valid" if all(d.valid for d in details) else "invalid"
        intact = [d for d in details if d.valid]
        certificate: CertificateStatus
        if any(d.certificate == "revoked" for d in intact):
            certificate = "revoked"
        elif intact:
            certificate = "trusted" if all(d.certificate == "trusted" for d in intact) else "untrusted"
        elif any(d.certificate != "none" for d in details):
            certificate = "untrusted"
        else:
            certificate = "none"
        return cls(signature=signature, certificate=certificate, signatures=details, checked_at=checked_at, note=note)

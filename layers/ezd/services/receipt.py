"""Step 5 of the intake: the receipt, in the form of ePUAP's UPP.

Urzędowe Poświadczenie Przedłożenia states who submitted what to whom and when: the
recipient, the sender, the time of receipt (the legal data wpływu), the digest of the
submitted document and the registry number. It is sealed and archived like a record.
"""

from __future__ import annotations

from lxml import etree

from ezd.adapters import archive, directory_store, registry_store, seal
from ezd.config import Settings
from ezd.errors import EzdError
from ezd.services.auth import LOCAL_STAGE
from ezd.models.intake import IntakeRequest, RegistrationResult, StoredBlob
from ezd.clock import now_utc

UPP_NS = "urn:ezd-edu:upp:1"
NSMAP = {"upp": UPP_NS}


def _el(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{UPP_NS}}}{name}", **attrs)
    if text is not None:
        element.text = text
    return element


def build_upp(request: IntakeRequest, registration: RegistrationResult, original_sha1_b64: str) -> etree._Element:
    unit = directory_store.get_unit(request.unit)
    root = etree.Element(f"{{{UPP_NS}}}UrzedowePoswiadczeniePrzedlozenia", nsmap=NSMAP)
    _el(root, "IdentyfikatorPoswiadczenia", f"UPP-{registration.document_id}")
    recipient = _el(root, "Adresat")
    _el(recipient, "Nazwa", unit.name if unit else request.unit)
    _el(recipient, "AdresSkrytki", unit.esp_address if unit else "")
    sender = _el(root, "Nadawca")
    if request.epuap is not None:
        _el(sender, "Identyfikator", request.epuap.sender_id or "")
        name = " ".join(p for p in (request.epuap.sender_first_name, request.epuap.sender_name) if p)
        _el(sender, "Nazwa", name)
    _el(root, "Kanal", request.channel)
    _el(root, "DataDoreczenia", request.received_at.isoformat())
    _el(root, "DataWystawienia", now_utc().isoformat())
    document = _el(root, "Dokument")
    _el(document, "NazwaPliku", request.filename)
    _el(document, "IdentyfikatorDokumentu", registration.document_id)
    _el(document, "NumerRejestru", registration.registry_number)
    _el(document, "Skrot", request.staged.sha256, algorytm="SHA-256")
    _el(document, "Skrot", original_sha1_b64, algorytm="SHA-1")
    return root


class SealMissing(EzdError):
    """A deployed stage issues sealed receipts only: an unsealed UPP proves nothing."""

    code = "RECEIPT_SEAL_MISSING"


def issue_receipt(request: IntakeRequest, registration: RegistrationResult, settings: Settings,
                  sha1_b64: str) -> StoredBlob:
    """``sha1_b64``: the original's SHA-1 as the first intake step took it (the staged
    original is not read again)."""
    signed = seal.seal_available()
    if not signed and settings.stage != LOCAL_STAGE:
        raise SealMissing(f"stage {settings.stage} has no receipt seal (ReceiptSealSecretArn): no receipt is issued")
    existing = registry_store.get_receipt(registration.document_id)
    if existing is not None:
        return existing  # a retried step issues nothing twice
    upp = build_upp(request, registration, sha1_b64)
    if signed:
        upp = seal.seal(upp)
    body = etree.tostring(upp, xml_declaration=True, encoding="UTF-8")
    key, digest = archive.put_locked_once(
        settings.archive_bucket,
        body,
        retention_days=settings.archive_retention_days,
        content_type="application/xml",
        metadata={"unit": request.unit, "document-id": registration.document_id, "kind": "upp", "sealed": str(signed).lower()},
    )
    blob = StoredBlob(bucket=settings.archive_bucket, key=key, sha256=digest, size=len(body),
                      filename=f"UPP-{registration.document_id}.xml", mime="application/xml")
    # A retry that raced the first attempt's write keeps the first receipt.
    return registry_store.set_receipt(registration.document_id, blob)

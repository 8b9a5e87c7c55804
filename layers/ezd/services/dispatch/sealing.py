"""Sealing an approved outgoing document with its unit's electronic seal (XAdES-BES).

``seal_outgoing`` is the one entry point (handlers, the API and the CLI call it the same
way; it knows nothing of events or HTTP):

* an XML document (``.xml``, or a MIME type ``application/xml``, ``text/xml``,
  ``…+xml``) gets an enveloped XAdES-BES signature over the whole document; the signed
  file keeps its name (new bytes: the seal is inside). This is what ePUAP's
  WS-Doręczyciel demands of an official delivery;
* any other file (PDF, DOCX, …) keeps its bytes exactly and gets a detached
  ``<name>.xades`` beside it, which names the file and carries the SHA-256 of its bytes.

The result is verified before it is returned — by the same verifiers and trust store that
judge incoming letters — so ``SealedDocument.report`` is a real verification of the bytes
to be stored and sent, not a claim. Storing the files, the outgoing register and the
audit entry are the caller's (the dispatch workflow's) steps.

Errors (ezd.errors, stable codes): SEAL_NOT_CONFIGURED (the unit has no seal),
SEAL_MATERIAL_INVALID (its secret is unusable or its certificate expired),
TRANSIENT_FAULT (Secrets Manager throttled: retry), SEALING_REFUSED with the intake's
codes for the file itself (DOCUMENT_EMPTY, UNSAFE_ATTACHMENT_NAME, NOT_XML,
INVALID_ENCODING, XML_DTD_FORBIDDEN, XML_ENTITY_FORBIDDEN).
"""

from __future__ import annotations

import hashlib
import mimetypes

from ezd.adapters import unit_seal, xades_seal
from ezd.adapters.safe_xml import parse_untrusted_xml
from ezd.adapters.trust_store import TrustStore
from ezd.adapters.xades import verify_xades
from ezd.adapters.xades_detached import verify_detached_xades
from ezd.errors import EzdError, RejectCode, SealingRefused, SealMaterialInvalid
from ezd.models.sealing import SealedDocument, SealedFile
from ezd.services.file_policy import MAX_FILENAME_CHARS, check_filename, file_extension, sniffed_type

XML_MIMES = frozenset({"application/xml", "text/xml"})
SIGNATURE_SUFFIX = ".xades"
SIGNATURE_MIME = "application/xml"  # a detached XAdES file is plain XML (ds:Signature root)


def is_xml(filename: str, mime: str | None) -> bool:
    """Whether the file is sealed enveloped: an ``.xml`` name or an XML MIME type."""
    kind = (mime or "").split(";")[0].strip().lower()
    return file_extension(filename) == "xml" or kind in XML_MIMES or kind.endswith("+xml")


def _sealed_file(name: str, mime: str, content: bytes) -> SealedFile:
    return SealedFile(name=name, mime=mime, sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                      content=content)


def _check_input(filename: str, content: bytes) -> None:
    if not content:
        raise SealingRefused(f"{filename!r} is empty: there is nothing to seal", code=RejectCode.EMPTY)
    try:
        check_filename(filename)
    except EzdError as exc:
        raise SealingRefused(exc.message, code=exc.code) from None
    if len(filename) + len(SIGNATURE_SUFFIX) > MAX_FILENAME_CHARS:
        raise SealingRefused(f"the file name is too long for its {SIGNATURE_SUFFIX} beside it",
                             code=RejectCode.UNSAFE_FILENAME)


def _mime_of(filename: str, mime: str | None, content: bytes) -> str:
    return mime or sniffed_type(content) or mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _own_seal_checked(document: SealedDocument) -> SealedDocument:
    """Our seal (the last signature) must verify; a seal that does not is never handed out."""
    seal = document.report.signatures[-1] if document.report.signatures else None
    if seal is None or not seal.valid:
        reason = seal.error if seal is not None else "no signature found"
        raise SealMaterialInvalid(f"the seal of {document.unit} made a signature that does not verify: {reason}")
    return document


def seal_outgoing(unit: str, filename: str, mime: str | None, content: bytes,
                  *, trust_store: TrustStore | None = None) -> SealedDocument:
    """Seal ``content`` (named ``filename``) with ``unit``'s seal; see the module docstring.

    ``mime`` None: sniffed from the content (then guessed from the name). ``trust_store``
    None: the trust store in force (EZD_TRUST_STORE), the one incoming letters meet.
    """
    _check_input(filename, content)
    store = trust_store if trust_store is not None else TrustStore.from_env()
    if is_xml(filename, mime):
        try:
            root = parse_untrusted_xml(content)
        except EzdError as exc:
            raise SealingRefused(exc.message, code=exc.code) from None
        material = unit_seal.unit_seal(unit)
        signed = xades_seal.seal_enveloped(root, material.key, list(material.certificates))
        files = [_sealed_file(filename, mime or "application/xml", signed)]
        report = verify_xades(signed, store)
        method, signature_file = "enveloped", None
    else:
        material = unit_seal.unit_seal(unit)
        kind = _mime_of(filename, mime, content)
        signature_file = f"{filename}{SIGNATURE_SUFFIX}"
        xades = xades_seal.seal_detached(content, filename, kind, material.key, list(material.certificates))
        files = [_sealed_file(filename, kind, content), _sealed_file(signature_file, SIGNATURE_MIME, xades)]
        report = verify_detached_xades(xades, content, filename, store)
        method = "detached"
    cert = material.certificate
    return _own_seal_checked(SealedDocument(
        unit=unit, method=method, document=filename, signature_file=signature_file, files=files, report=report,
        seal_subject=cert.subject.rfc4514_string(), seal_serial_hex=format(cert.serial_number, "x"),
        sealed_at=(report.signatures[-1].signing_time if report.signatures else None) or "",
    ))

"""An outgoing document signed outside the system (a qualified signature, Profil Zaufany,
podpis osobisty) and uploaded: its signature is verified and recorded like an incoming one.

``verify_uploaded_signed`` decides which check applies and returns the same
SignatureReport the intake records:

* a ``.xades`` given with the file: the detached check over the file's exact bytes
  (``xades_detached.verify_detached_xades``), whatever the file is;
* an XML file (``.xml``) without one: its enveloped signatures (``xades.verify_xades``, the intake's
  own verifier); an XML file that is not acceptable XML raises IntakeRejected with the
  intake's codes (NOT_XML, INVALID_ENCODING, XML_DTD_FORBIDDEN, XML_ENTITY_FORBIDDEN);
* any other file without one: ``signature: absent``.

Out of scope, and said so in ``report.note`` rather than left unsaid: signatures embedded
in PDF files (PAdES) — and in office documents — are not verified. A PDF that looks
PAdES-signed (it has a signature dictionary's /ByteRange) is reported ``absent`` with a
note saying an embedded signature is present but was not verified; the caller decides
whether such a document may go out (a detached .xades, or an XML document, can be
verified).
"""

from __future__ import annotations

from ezd.adapters.trust_store import TrustStore
from ezd.adapters.xades import verify_xades
from ezd.adapters.xades_detached import verify_detached_xades
from ezd.clock import now_utc
from ezd.models.signatures import SignatureReport
from ezd.services.dispatch.sealing import is_xml
from ezd.services.file_policy import file_extension

PADES_NOT_VERIFIED = ("The PDF appears to carry an embedded signature (PAdES); embedded PDF signatures are not "
                      "verified by this system (PAdES is out of scope), so it counts as unverified.")
NO_DETACHED_SIGNATURE = ("No detached .xades signature was given with the file; signatures embedded in PDF or "
                         "office files (PAdES and the like) are not verified by this system.")
DETACHED_ONLY = "Only the detached .xades was verified; a signature embedded in the PDF (PAdES) was not."


def _is_pdf(filename: str, content: bytes) -> bool:
    return file_extension(filename) == "pdf" or b"%PDF-" in content[:1024]


def _looks_pades_signed(content: bytes) -> bool:
    # Every PDF signature dictionary has a /ByteRange (ISO 32000-1, 12.8.1); nothing else does.
    return b"/ByteRange" in content


def verify_uploaded_signed(filename: str, content: bytes, detached: bytes | None = None,
                           *, trust_store: TrustStore | None = None) -> SignatureReport:
    """The signature report of a file signed outside, with its detached ``.xades`` if any.

    ``trust_store`` None means the one in force (EZD_TRUST_STORE), as for incoming letters.
    """
    store = trust_store if trust_store is not None else TrustStore.from_env()
    pades = _is_pdf(filename, content) and _looks_pades_signed(content)
    if detached is not None:
        report = verify_detached_xades(detached, content, filename, store)
        return report.model_copy(update={"note": DETACHED_ONLY}) if pades else report
    if is_xml(filename, None):
        return verify_xades(content, store)
    note = PADES_NOT_VERIFIED if pades else NO_DETACHED_SIGNATURE
    return SignatureReport.from_details([], checked_at=now_utc().isoformat(), note=note)

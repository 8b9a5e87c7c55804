"""Verify every enveloped XAdES/XMLDSig signature of a received document.

signxml checks cryptographic integrity against the certificate embedded in each
signature; whether that certificate deserves trust is the TrustStore's separate
judgement. A broken signature is a finding recorded in the report, never an exception:
the brief requires the letter to be registered anyway.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.exceptions import InvalidDigest
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from ezd.clock import now_utc
from ezd.adapters.safe_xml import hardened_parser, parse_untrusted_xml
from ezd.adapters.trust_store import TrustStore
from ezd.models.signatures import CertificateStatus, SignatureDetail, SignatureReport

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
_NS = {"ds": DS, "xades": XADES}
_SIGNATURE = f"{{{DS}}}Signature"
# Digest URIs that can appear in xades:CertDigest, mapped to hashlib names.
_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmldsig-more#sha224": "sha224",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}


def top_level_signatures(root: etree._Element) -> list[etree._Element]:
    """The document's own signatures, in document order.

    A ds:Signature inside another one (a XAdES counter-signature) signs that signature,
    not the document, so it is not one of them.
    """
    return [s for s in root.iter(_SIGNATURE) if not any(a.tag == _SIGNATURE for a in s.iterancestors())]


class _PinnedSignature:
    """Make signxml verify the signature at a given position instead of the first one it finds.

    signxml locates "the" signature with ``_get_signature`` both when verifying SignedInfo
    and when applying the enveloped transform, on copies of the tree; choosing by position
    among top-level signatures gives the same element in every copy.
    """

    def __init__(self, target: int) -> None:
        super().__init__()
        self._target = target

    def _get_signature(self, root: etree._Element) -> etree._Element:
        return top_level_signatures(root)[self._target]


class _PinnedXMLVerifier(_PinnedSignature, XMLVerifier):
    pass


class _PinnedXAdESVerifier(_PinnedSignature, XAdESVerifier):
    pass


def _embedded_certificates(signature: etree._Element) -> list[x509.Certificate]:
    certs = []
    for element in signature.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", _NS):
        der = base64.b64decode("".join((element.text or "").split()), validate=True)
        certs.append(x509.load_der_x509_certificate(der))
    return certs


def _b64_digest(cert: x509.Certificate, algorithm: str) -> str:
    return base64.b64encode(hashlib.new(algorithm, cert.public_bytes(Encoding.DER)).digest()).decode("ascii")


def _signing_certificate(signature: etree._Element, certs: list[x509.Certificate]) -> x509.Certificate:
    """The signer's certificate among those embedded.

    XAdES names it by digest in SigningCertificate(V2); without that, it is the one that
    issued none of the others (the leaf), and failing that the first.
    """
    # Only the first xades:Cert names the signer; the others, if any, are its issuers.
    cert_digest = signature.find(".//xades:SignedSignatureProperties/*/xades:Cert/xades:CertDigest", _NS)
    if cert_digest is not None:
        method = cert_digest.find("ds:DigestMethod", _NS)
        algorithm = _DIGESTS.get(method.get("Algorithm", "") if method is not None else "")
        value = "".join(cert_digest.findtext("ds:DigestValue", default="", namespaces=_NS).split())
        for cert in certs:
            if algorithm and _b64_digest(cert, algorithm) == value:
                return cert
    issuers = {c.issuer for c in certs}
    leaves = [c for c in certs if c.subject not in issuers or c.subject == c.issuer]
    return (leaves or certs)[0]


def _covers_whole_document(signature: etree._Element) -> bool:
    # URI="" is the whole document (minus this signature, by the enveloped transform).
    # A signature over one element says nothing about the rest of the letter.
    return any(ref.get("URI") == "" for ref in signature.findall("ds:SignedInfo/ds:Reference", _NS))


def _run_signxml(root: etree._Element, index: int, signature: etree._Element, signer: x509.Certificate) -> None:
    """Raise if signature ``index`` of ``root`` is not intact. Trust is not checked here."""
    # signxml also refuses a certificate outside its validity period. Validity is a trust
    # question (the TrustStore answers it), so integrity is checked at a moment the
    # certificate was certainly valid.
    when = signer.not_valid_before_utc
    verifier: XMLVerifier
    config: SignatureConfiguration
    if signature.find("ds:Object/xades:QualifyingProperties", _NS) is not None:
        verifier = _PinnedXAdESVerifier(index)
        config = XAdESSignatureConfiguration(expect_references=True, verification_time=when)
    else:
        verifier = _PinnedXMLVerifier(index)
        config = SignatureConfiguration(expect_references=True, verification_time=when)
    verifier.verify(root, x509_cert=signer, parser=hardened_parser(), expect_config=config)


def _detach(element: etree._Element) -> None:
    """Remove an element but keep the text after it, as the enveloped transform does."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _check_integrity(
    root: etree._Element, index: int, signature: etree._Element, signer: x509.Certificate
) -> str | None:
    """None when signature ``index`` is intact, else why not."""
    try:
        try:
            _run_signxml(root, index, signature, signer)
        except InvalidDigest:
            # A later signer may have appended their signature after this one was made;
            # this one then signed the document without it. Retry without later signatures
            # (each of them is verified on its own).
            later = len(top_level_signatures(root)) - index - 1
            if later == 0:
                raise
            trimmed = copy.deepcopy(root)
            for extra in top_level_signatures(trimmed)[index + 1 :]:
                _detach(extra)
            _run_signxml(trimmed, index, signature, signer)
    # Anything that goes wrong while reading untrusted signature content is a verdict on
    # that signature, not a reason to lose the letter, hence the broad catch.
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    if not _covers_whole_document(signature):
        return 'the signature does not cover the whole document (no Reference with URI="")'
    return None


def _describe(cert: x509.Certificate) -> dict[str, str | None]:
    common_names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return {
        "signer_subject": cert.subject.rfc4514_string(),
        "signer_common_name": str(common_names[0].value) if common_names else None,
        "issuer": cert.issuer.rfc4514_string(),
        "serial_hex": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
    }


def _check_signature(
    root: etree._Element, index: int, signature: etree._Element, trust_store: TrustStore, at: datetime
) -> SignatureDetail:
    signing_time = signature.findtext(".//xades:SigningTime", namespaces=_NS)
    signing_time = signing_time.strip() if signing_time else None
    try:
        certs = _embedded_certificates(signature)
    except ValueError as exc:
        error = f"the embedded certificate cannot be read: {exc}"
        return SignatureDetail(valid=False, error=error, signing_time=signing_time)
    if not certs:
        return SignatureDetail(valid=False, error="no certificate", signing_time=signing_time)

    signer = _signing_certificate(signature, certs)
    chain = [signer, *(c for c in certs if c is not signer)]
    status: CertificateStatus
    status, reason = trust_store.judge(chain, at)
    error = _check_integrity(root, index, signature, signer)
    return SignatureDetail(
        **_describe(signer),
        signing_time=signing_time,
        valid=error is None,
        error=error,
        certificate=status,
        trust_reason=reason,
    )


def _guarded_check(
    root: etree._Element, index: int, signature: etree._Element, trust_store: TrustStore, at: datetime
) -> SignatureDetail:
    # A malformed certificate or signature must become a finding, never an exception that
    # would stop the letter from being registered.
    try:
        return _check_signature(root, index, signature, trust_store, at)
    except Exception as exc:  # noqa: BLE001
        return SignatureDetail(valid=False, error=f"the signature cannot be checked: {type(exc).__name__}: {exc}")


def verify_xades(raw: bytes, trust_store: TrustStore | None = None, *, at: datetime | None = None) -> SignatureReport:
    """Verify every top-level ds:Signature of ``raw``; trust is judged at ``at`` (default: now).

    Certificate validity and revocation are judged at ``at``, the verification time, and
    never at the signature's xades:SigningTime: that is the signer's own claim, not a
    trusted timestamp, and a holder of a revoked key could simply backdate it.

    ``trust_store`` None means ``TrustStore.from_env()``. Raises IntakeRejected only when
    ``raw`` is not acceptable XML at all (same rules as the letter parser).
    """
    root = parse_untrusted_xml(raw)
    store = trust_store if trust_store is not None else TrustStore.from_env()
    now = now_utc()
    details = [
        _guarded_check(root, index, signature, store, at or now)
        for index, signature in enumerate(top_level_signatures(root))
    ]
    return SignatureReport.from_details(details, checked_at=now.isoformat())

"""Verify a detached XAdES (or plain XML-DSig) signature — a ``.xades`` file — over a given file.

The same two questions as for an enveloped signature (``xades.verify_xades``), answered
in the same SignatureReport: is the signature intact over *this* file (``valid``), and
does its certificate chain to a trusted CA, unrevoked, now (``certificate``). Explicit
expectations, never "any signature is fine":

* the signature must reference the given file by name (the Reference URI, percent-decoded,
  equal to the file name or ending in ``/<name>`` as signing tools that write a path do)
  and its digest must be that of the file's exact bytes (or, when the Reference
  canonicalises XML, of that canonical form of the file, parsed safely);
* every other Reference must point inside the signature (its SignedProperties, KeyInfo):
  a signature that also covers files not given here cannot be vouched for, so it is
  reported as not intact, with the reason;
* a ``.xades`` that is not XML, or holds no ds:Signature, is an invalid signature, not an
  exception: the file it came with is kept and the finding recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote

from cryptography import x509
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from ezd.adapters.safe_xml import hardened_parser, parse_untrusted_xml
from ezd.adapters.trust_store import TrustStore
from ezd.adapters.xades import (
    _NS,
    _PinnedSignature,
    _describe,
    _embedded_certificates,
    _signing_certificate,
    top_level_signatures,
)
from ezd.clock import now_utc
from ezd.errors import EzdError
from ezd.models.signatures import CertificateStatus, SignatureDetail, SignatureReport


class _PinnedXMLVerifier(_PinnedSignature, XMLVerifier):
    pass


class _PinnedXAdESVerifier(_PinnedSignature, XAdESVerifier):
    pass


def names_file(uri: str, filename: str) -> bool:
    """Whether a Reference URI names ``filename``: the name itself, or a path or file: URL ending in it."""
    decoded = unquote(uri.strip()).replace("\\", "/")
    if decoded.startswith("#") or not decoded:
        return False
    return decoded == filename or decoded.endswith(f"/{filename}") or decoded == f"file:{filename}"


def _external_references(signature: etree._Element) -> list[etree._Element]:
    return [r for r in signature.findall("ds:SignedInfo/ds:Reference", _NS) if not (r.get("URI") or "").startswith("#")]


def _resolver(signature: etree._Element, content: bytes, filename: str) -> Any:
    """signxml's uri_resolver: the file's bytes (or its parsed tree, for a Reference that
    canonicalises it) for the file's own name, nothing for any other."""
    reference = next((r for r in _external_references(signature) if names_file(r.get("URI") or "", filename)), None)
    transforms = [] if reference is None else reference.findall("ds:Transforms/ds:Transform", _NS)
    payload: Any = content
    if transforms:
        payload = parse_untrusted_xml(content)  # a detached signature over XML, canonicalised

    def resolve(uri: str) -> Any:
        return payload if names_file(uri, filename) else None

    return resolve


def _integrity(root: etree._Element, index: int, signature: etree._Element, signer: x509.Certificate,
               content: bytes, filename: str) -> str | None:
    """None when signature ``index`` is intact over the file, else why not."""
    external = _external_references(signature)
    if not any(names_file(r.get("URI") or "", filename) for r in external):
        named = ", ".join(repr(r.get("URI")) for r in external) or "none"
        return f"the signature does not reference the file {filename!r} (it references: {named})"
    others = [r.get("URI") for r in external if not names_file(r.get("URI") or "", filename)]
    if others:
        return f"the signature also covers other files, which were not given: {', '.join(map(repr, others))}"
    verifier: XMLVerifier
    config: SignatureConfiguration
    when = signer.not_valid_before_utc  # validity is the trust store's question, as in xades.py
    if signature.find("ds:Object/xades:QualifyingProperties", _NS) is not None:
        verifier = _PinnedXAdESVerifier(index)
        config = XAdESSignatureConfiguration(expect_references=True, verification_time=when)
    else:
        verifier = _PinnedXMLVerifier(index)
        config = SignatureConfiguration(expect_references=True, verification_time=when)
    try:
        verifier.verify(root, x509_cert=signer, parser=hardened_parser(), expect_config=config,
                        uri_resolver=_resolver(signature, content, filename))
    # Whatever goes wrong while reading an untrusted signature is a verdict on it.
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return None


def _check(root: etree._Element, index: int, signature: etree._Element, content: bytes, filename: str,
           trust_store: TrustStore, at: datetime) -> SignatureDetail:
    signing_time = (signature.findtext(".//xades:SigningTime", namespaces=_NS) or "").strip() or None
    try:
        certs = _embedded_certificates(signature)
        if not certs:
            return SignatureDetail(valid=False, error="no certificate", signing_time=signing_time)
        signer = _signing_certificate(signature, certs)
        status: CertificateStatus
        status, reason = trust_store.judge([signer, *(c for c in certs if c is not signer)], at)
        error = _integrity(root, index, signature, signer, content, filename)
        return SignatureDetail(**_describe(signer), signing_time=signing_time, valid=error is None, error=error,
                               certificate=status, trust_reason=reason)
    except Exception as exc:  # noqa: BLE001 - a malformed certificate is a finding too
        return SignatureDetail(valid=False, error=f"the signature cannot be checked: {type(exc).__name__}: {exc}",
                               signing_time=signing_time)


def verify_detached_xades(signature_xml: bytes, content: bytes, filename: str,
                          trust_store: TrustStore | None = None, *, at: datetime | None = None) -> SignatureReport:
    """Verify every top-level ds:Signature of a ``.xades`` file over ``content`` named ``filename``.

    Trust is judged at ``at`` (default: now), as in ``verify_xades``; ``trust_store`` None
    means ``TrustStore.from_env()``. Never raises for bad input: a ``.xades`` that cannot
    be read, or holds no signature, gives ``signature: invalid`` with the reason.
    """
    now = now_utc()
    store = trust_store if trust_store is not None else TrustStore.from_env()
    try:
        root = parse_untrusted_xml(signature_xml)
    except EzdError as exc:
        detail = SignatureDetail(valid=False, error=f"the signature file is not acceptable XML: {exc}")
        return SignatureReport.from_details([detail], checked_at=now.isoformat())
    signatures = top_level_signatures(root)
    if not signatures:
        detail = SignatureDetail(valid=False, error="the signature file holds no ds:Signature")
        return SignatureReport.from_details([detail], checked_at=now.isoformat())
    details = [_check(root, i, s, content, filename, store, at or now) for i, s in enumerate(signatures)]
    return SignatureReport.from_details(details, checked_at=now.isoformat())

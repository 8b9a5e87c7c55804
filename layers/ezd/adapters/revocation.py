"""Revocation of signing certificates, judged against the CRLs kept in the trust store.

The trust store's CRLs are files put there by the operator (or refreshed by a job); no
CRL distribution point named in a certificate is fetched here, because the intake must
not depend on a remote server being up, and an address inside a letter's certificate is
chosen by whoever made that certificate.

Rules, and why:

* A CRL counts only if its signature verifies with the public key of the certificate
  that issued the certificate being checked (an anchor or a certificate on the built
  path), its issuer name is that certificate's subject, and that certificate may sign
  CRLs (keyUsage cRLSign, when keyUsage is present). Anyone can drop a file into a
  letter or a directory; only the CA can say which of its certificates are revoked, so a
  forged CRL can neither revoke nor un-revoke anything.
* Of several CRLs of one issuer, the newest complete one (latest thisUpdate) decides:
  CRLs are cumulative, and a newer one may have released a certificateHold. Delta CRLs
  are not used (they say nothing about what they do not list), nor a CRL whose issuing
  distribution point scopes it away from the certificate (only CA or only user
  certificates, or only attribute certificates).
* A certificate is revoked at the judgement time when its serial is listed with a
  revocation date at or before that time. An entry dated later is reported but does not
  count: at that moment the certificate was still good.
* A CRL whose nextUpdate has passed at the judgement time no longer vouches for the
  certificates it does not list; what follows from that is the trust store's decision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.x509.oid import NameOID

Cert = x509.Certificate
Crl = x509.CertificateRevocationList
RevocationStatus = Literal["good", "revoked", "unknown"]

_PEM_CRL = re.compile(rb"-----BEGIN X509 CRL-----.+?-----END X509 CRL-----", re.DOTALL)


def load_crls(data: bytes) -> list[Crl]:
    """Every CRL in ``data``: the X509 CRL blocks of a PEM text, or one DER CRL.

    A PEM text without CRL blocks (e.g. a bundle of only certificates) has none. Raises
    ValueError for a block or a DER file that is not a CRL: the trust store is the
    operator's configuration, and a broken one must be seen, not silently skipped.
    """
    if b"-----BEGIN" in data:
        return [x509.load_pem_x509_crl(block) for block in _PEM_CRL.findall(data)]
    return [x509.load_der_x509_crl(data)] if data.strip() else []


def _label(cert: Cert) -> str:
    """A short name for a certificate in a reason: its CN, else the whole subject."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _may_sign_crls(issuer: Cert) -> bool:
    try:
        usage = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True  # no keyUsage restricts nothing (RFC 5280 4.2.1.3)
    return usage.crl_sign


def _is_ca(cert: Cert) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _covers(crl: Crl, cert: Cert) -> bool:
    """Whether ``crl`` is a complete CRL whose scope includes ``cert``."""
    extensions = crl.extensions
    try:
        extensions.get_extension_for_class(x509.DeltaCRLIndicator)
        return False
    except x509.ExtensionNotFound:
        pass
    try:
        point = extensions.get_extension_for_class(x509.IssuingDistributionPoint).value
    except x509.ExtensionNotFound:
        return True
    if point.only_contains_attribute_certs:
        return False
    if point.only_contains_ca_certs and not _is_ca(cert):
        return False
    return not (point.only_contains_user_certs and _is_ca(cert))


def _signed_by(crl: Crl, issuer: Cert) -> bool:
    """The CRL's issuer is ``issuer`` and ``issuer``'s key signed it."""
    if crl.issuer != issuer.subject or not _may_sign_crls(issuer):
        return False
    try:
        return crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except (TypeError, ValueError):  # a key type or algorithm the CRL cannot be checked with
        return False


def issuer_crl(crls: Sequence[Crl], cert: Cert, issuer: Cert) -> Crl | None:
    """The newest complete CRL by which ``issuer`` speaks about ``cert``, or None."""
    usable = [crl for crl in crls if _signed_by(crl, issuer) and _covers(crl, cert)]
    return max(usable, key=lambda crl: crl.last_update_utc, default=None)


def _entry_reason(entry: x509.RevokedCertificate) -> str | None:
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.value
    except x509.ExtensionNotFound:
        return None


@dataclass(frozen=True)
class RevocationCheck:
    """What the CRLs say about the certificates of one path.

    ``status`` is "revoked" when some certificate is revoked at the judgement time,
    "unknown" when none is listed but some issuer's newest CRL is past its nextUpdate,
    else "good". ``findings`` are sentences for the trust reason, leaf first.
    """

    status: RevocationStatus
    findings: tuple[str, ...] = field(default=())


def _check_one(cert: Cert, issuer: Cert, crls: Sequence[Crl], at: datetime, *, leaf: bool) -> RevocationCheck:
    who = "certificate" if leaf else f"intermediate CA certificate {_label(cert)}"
    issuer_name = issuer.subject.rfc4514_string()
    crl = issuer_crl(crls, cert, issuer)
    if crl is None:
        return RevocationCheck("good", (f"revocation not checked: no CRL for {issuer_name}",))
    entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    serial = format(cert.serial_number, "x")
    notes: list[str] = []
    if entry is not None and _entry_reason(entry) != x509.ReasonFlags.remove_from_crl.value:
        reason = _entry_reason(entry)
        listed = f"{who} serial {serial} revoked on {entry.revocation_date_utc.isoformat()}"
        listed += f" (reason: {reason})" if reason else ""
        if entry.revocation_date_utc <= at:
            return RevocationCheck("revoked", (f"{listed} by the CRL of {issuer_name}",))
        notes.append(f"{listed} by the CRL of {issuer_name}, which is after the judgement time")
    next_update = crl.next_update_utc
    if next_update is not None and next_update < at:
        stale = (
            f"revocation status of {who} serial {serial} unknown: the CRL of {issuer_name} "
            f"expired on {next_update.isoformat()} (nextUpdate)"
        )
        return RevocationCheck("unknown", (stale, *notes))
    fresh = f"not revoked per the CRL of {issuer_name} of {crl.last_update_utc.isoformat()}"
    return RevocationCheck("good", tuple(notes) or (fresh,))


def check_path(path: Sequence[Cert], crls: Sequence[Crl], at: datetime) -> RevocationCheck:
    """Check every certificate of ``path`` (leaf first, anchor last) except the anchor.

    Each one is checked against its issuer's CRL — the next certificate of the path. A
    revocation anywhere makes the path revoked (an intermediate's revocation takes every
    certificate it issued with it); otherwise a stale CRL anywhere makes it unknown.
    """
    results = [
        _check_one(cert, issuer, crls, at, leaf=index == 0)
        for index, (cert, issuer) in enumerate(zip(path, path[1:]))
    ]
    for status in ("revoked", "unknown"):
        decisive = [result for result in results if result.status == status]
        if decisive:
            # The sentences that decided come first: the reason is read from its start.
            first = tuple(finding for result in decisive for finding in result.findings)
            rest = tuple(finding for result in results if result.status != status for finding in result.findings)
            return RevocationCheck(status, first + rest)
    return RevocationCheck("good", tuple(finding for result in results for finding in result.findings))

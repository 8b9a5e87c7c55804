"""The CA certificates a unit trusts for signatures, their CRLs, and the judgement of a signer.

The judgement: does the signer chain to a trusted CA, and is any certificate on that
chain revoked (see ``revocation`` for how a CRL is chosen and when it counts).

Signing certificates are not TLS certificates: they carry nonRepudiation rather than a
serverAuth/clientAuth extended key usage. cryptography's verifier (45+) takes custom
extension policies, so it is used with policies suited to signing. Older cryptography
(42-44) would insist on TLS key usages, so there the chain is walked by hand.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509 import verification

from ezd.adapters.revocation import Crl, check_path, load_crls

TrustStatus = Literal["trusted", "untrusted", "revoked"]
Cert = x509.Certificate

_CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
_CRL_SUFFIX = ".crl"
_MAX_CHAIN_DEPTH = 8
# cryptography < 45 has no ExtensionPolicy; see the module docstring.
_LIBRARY_VERIFIER = hasattr(verification, "ExtensionPolicy")
_T = TypeVar("_T")


def _load_certificates(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)] if data.strip() else []


def _read(loader: Callable[[bytes], list[_T]], file: Path, data: bytes) -> list[_T]:
    """``loader(data)``, with the file named when it cannot be read (a broken store must be found)."""
    try:
        return loader(data)
    except ValueError as exc:
        raise ValueError(f"trust store file {file.name}: {exc}") from exc


def _same(a: x509.Certificate, b: x509.Certificate) -> bool:
    return a == b  # cryptography compares certificates by their DER encoding


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _signing_key_usage(_policy: Any, _cert: x509.Certificate, usage: x509.KeyUsage | None) -> None:
    # Qualified signing certificates often carry only nonRepudiation (contentCommitment).
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise ValueError("the certificate's key usage does not allow signing")


def _ca_key_usage(_policy: Any, _cert: x509.Certificate, usage: x509.KeyUsage | None) -> None:
    if usage is not None and not usage.key_cert_sign:
        raise ValueError("an issuing certificate's key usage does not allow certificate signing")


class TrustStore:
    """Trust anchors for signature certificates and the CRLs of their CAs.

    An empty store trusts nobody. ``len()`` counts the anchors; CRLs are not anchors.
    """

    def __init__(self, anchors: Iterable[x509.Certificate] = (), crls: Iterable[Crl] = ()) -> None:
        self._anchors = tuple(anchors)
        self._crls = tuple(crls)

    @property
    def anchors(self) -> tuple[x509.Certificate, ...]:
        return self._anchors

    @property
    def crls(self) -> tuple[Crl, ...]:
        """Every CRL loaded, verified or not: a CRL is checked against its issuer when used."""
        return self._crls

    def __len__(self) -> int:
        return len(self._anchors)

    @classmethod
    def from_pem_bundle(cls, data: bytes) -> TrustStore:
        """The certificates and the X509 CRL blocks of one PEM text."""
        return cls(_load_certificates(data), load_crls(data) if b"-----BEGIN" in data else [])

    @classmethod
    def from_directory(cls, path: str | Path) -> TrustStore:
        """Every certificate file (.pem, .crt, .cer, .der) and CRL file (.crl) directly in ``path``.

        Files may be PEM or DER; the CRL blocks of a PEM certificate file count too, as
        they do in a bundle. A .crl file's certificates are not anchors: trust is given by
        placing a certificate file, never as a side effect of publishing a CRL.
        """
        anchors: list[x509.Certificate] = []
        crls: list[Crl] = []
        for file in sorted(Path(path).iterdir()):
            suffix = file.suffix.lower()
            if not file.is_file() or suffix not in (*_CERT_SUFFIXES, _CRL_SUFFIX):
                continue
            data = file.read_bytes()
            if suffix == _CRL_SUFFIX:
                crls.extend(_read(load_crls, file, data))
                continue
            anchors.extend(_read(_load_certificates, file, data))
            if b"-----BEGIN X509 CRL-----" in data:
                crls.extend(_read(load_crls, file, data))
        return cls(anchors, crls)

    @classmethod
    def from_env(cls) -> TrustStore:
        """From EZD_TRUST_STORE (a directory or a PEM bundle); empty when unset."""
        location = os.environ.get("EZD_TRUST_STORE", "").strip()
        if not location:
            return cls()
        path = Path(location)
        return cls.from_directory(path) if path.is_dir() else cls.from_pem_bundle(path.read_bytes())

    def judge(self, cert_chain: list[x509.Certificate], at: datetime) -> tuple[TrustStatus, str]:
        """Whether ``cert_chain[0]`` (the signer) chains to an anchor at time ``at``, unrevoked.

        The rest of ``cert_chain`` are candidate intermediates, e.g. those embedded in the
        signature's KeyInfo; they are used for path building but never trusted themselves.

        Every certificate of the built path except the anchor is checked against its
        issuer's CRL (an anchor is trusted by configuration; to stop trusting it, remove
        it). The verdicts:

        * "revoked": a certificate on the path, the signer's or an intermediate's, is
          listed with a revocation date at or before ``at``; the reason names it, its
          serial, the date and the CRL reason code.
        * "untrusted" when the issuer's newest CRL is past its nextUpdate at ``at`` and
          does not list the certificate: its revocation status is unknown. "trusted" is
          what a registry clerk acts on without reading further, so it must mean that
          every check the store is set up to make has passed; ETSI EN 319 102-1 likewise
          calls a validation with out-of-date revocation data indeterminate, never
          passed. It is not "revoked" either: nothing says it is. The reason says the
          CRL is stale; once a fresh CRL is in the store, the same letter verifies again.
        * No CRL at all for an issuer keeps the verdict of the chain: the operator has
          not set up revocation checking for that CA (one that has no CRLs, or is checked
          elsewhere), and the reason says "revocation not checked: no CRL for <issuer>",
          so nobody mistakes it for a checked one.

        ``at`` is the verification time verify_xades passes, not the xades:SigningTime
        in the signature: that is a claim the signer's own software writes, not a trusted
        timestamp, and whoever holds a compromised, revoked key can write any date there.
        Until a signature timestamp proves when the signature existed, the verification
        time is the one moment the report can vouch for.
        """
        if not cert_chain:
            return "untrusted", "no certificate"
        at = at.astimezone(timezone.utc) if at.tzinfo else at.replace(tzinfo=timezone.utc)
        leaf, intermediates = cert_chain[0], [c for c in cert_chain[1:] if not _same(c, cert_chain[0])]
        if at > leaf.not_valid_after_utc:
            return "untrusted", f"certificate expired on {leaf.not_valid_after_utc.isoformat()}"
        if at < leaf.not_valid_before_utc:
            return "untrusted", f"certificate not valid before {leaf.not_valid_before_utc.isoformat()}"
        if any(_same(leaf, anchor) for anchor in self._anchors):
            return "trusted", "the certificate itself is in the trust store"
        if _self_signed(leaf):
            return "untrusted", "self-signed"
        if not self._anchors:
            return "untrusted", "the trust store is empty"
        try:
            path = self._path_to_anchor(leaf, intermediates, at)
        except (verification.VerificationError, ValueError) as exc:
            return "untrusted", f"does not chain to a trusted CA: {exc}"
        return self._revocation_verdict(path, at)

    def _revocation_verdict(self, path: list[Cert], at: datetime) -> tuple[TrustStatus, str]:
        """The verdict on a path that reaches an anchor, from the CRLs (see ``judge``)."""
        chains = f"chains to {path[-1].subject.rfc4514_string()}"
        check = check_path(path, self._crls, at)
        if check.status == "revoked":
            return "revoked", "; ".join((*check.findings, chains))
        if check.status == "unknown":
            return "untrusted", "; ".join((*check.findings, chains))
        return "trusted", "; ".join((chains, *check.findings))

    def _path_to_anchor(self, leaf: Cert, intermediates: list[Cert], at: datetime) -> list[Cert]:
        """The certification path, leaf first and anchor last; raises if there is none."""
        if _LIBRARY_VERIFIER:
            return self._library_path(leaf, intermediates, at)
        return self._manual_path(leaf, intermediates, at)

    def _library_path(self, leaf: Cert, intermediates: list[Cert], at: datetime) -> list[Cert]:
        policy, agnostic = verification.ExtensionPolicy, verification.Criticality.AGNOSTIC
        ee_policy = policy.permit_all().may_be_present(x509.KeyUsage, agnostic, _signing_key_usage)
        # cryptography demands that a CA policy require basicConstraints; it then checks cA itself.
        ca_policy = (
            policy.permit_all()
            .require_present(x509.BasicConstraints, agnostic, None)
            .may_be_present(x509.KeyUsage, agnostic, _ca_key_usage)
        )
        verifier = (
            verification.PolicyBuilder()
            .store(verification.Store(list(self._anchors)))
            .time(at)
            .max_chain_depth(_MAX_CHAIN_DEPTH)
            .extension_policies(ee_policy=ee_policy, ca_policy=ca_policy)
            .build_client_verifier()  # the client verifier checks no host name, which a signer lacks
        )
        return list(verifier.verify(leaf, intermediates).chain)  # leaf first, the anchor last

    def _manual_path(self, leaf: Cert, intermediates: list[Cert], at: datetime) -> list[Cert]:
        """Walk issuer links: name match, issuer signature, validity period, CA basic constraints."""
        path = [leaf]
        for _ in range(_MAX_CHAIN_DEPTH):
            issuer = self._issuer_of(path[-1], intermediates, at)
            path.append(issuer)
            if any(_same(issuer, anchor) for anchor in self._anchors):
                return path
        raise ValueError("the chain is longer than allowed")

    def _issuer_of(self, cert: Cert, intermediates: list[Cert], at: datetime) -> Cert:
        # Anchors first: a path that reaches an anchor sooner is the one to take.
        for candidate in (*self._anchors, *intermediates):
            if candidate.subject != cert.issuer or _same(candidate, cert):
                continue
            if not candidate.not_valid_before_utc <= at <= candidate.not_valid_after_utc:
                continue
            try:
                constraints = candidate.extensions.get_extension_for_class(x509.BasicConstraints).value
                cert.verify_directly_issued_by(candidate)
            except (x509.ExtensionNotFound, ValueError, TypeError, InvalidSignature):  # not this issuer
                continue
            if constraints.ca:
                return candidate
        raise ValueError(f"no valid CA certificate found for issuer {cert.issuer.rfc4514_string()}")

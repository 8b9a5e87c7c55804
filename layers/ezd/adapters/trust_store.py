"""The CA certificates a unit trusts for signatures, and the judgement whether a signer chains to one.

Signing certificates are not TLS certificates: they carry nonRepudiation rather than a
serverAuth/clientAuth extended key usage. cryptography's verifier (45+) takes custom
extension policies, so it is used with policies suited to signing. Older cryptography
(42-44) would insist on TLS key usages, so there the chain is walked by hand.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509 import verification

TrustStatus = Literal["trusted", "untrusted"]
Cert = x509.Certificate

_CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
_MAX_CHAIN_DEPTH = 8
# cryptography < 45 has no ExtensionPolicy; see the module docstring.
_LIBRARY_VERIFIER = hasattr(verification, "ExtensionPolicy")


def _load_certificates(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)] if data.strip() else []


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
    """Trust anchors for signature certificates. An empty store trusts nobody."""

    def __init__(self, anchors: Iterable[x509.Certificate] = ()) -> None:
        self._anchors = tuple(anchors)

    @property
    def anchors(self) -> tuple[x509.Certificate, ...]:
        return self._anchors

    def __len__(self) -> int:
        return len(self._anchors)

    @classmethod
    def from_pem_bundle(cls, data: bytes) -> TrustStore:
        return cls(_load_certificates(data))

    @classmethod
    def from_directory(cls, path: str | Path) -> TrustStore:
        """Every PEM or DER certificate file (.pem, .crt, .cer, .der) directly in ``path``."""
        anchors: list[x509.Certificate] = []
        for file in sorted(Path(path).iterdir()):
            if file.is_file() and file.suffix.lower() in _CERT_SUFFIXES:
                anchors.extend(_load_certificates(file.read_bytes()))
        return cls(anchors)

    @classmethod
    def from_env(cls) -> TrustStore:
        """From EZD_TRUST_STORE (a directory or a PEM bundle); empty when unset."""
        location = os.environ.get("EZD_TRUST_STORE", "").strip()
        if not location:
            return cls()
        path = Path(location)
        return cls.from_directory(path) if path.is_dir() else cls.from_pem_bundle(path.read_bytes())

    def judge(self, cert_chain: list[x509.Certificate], at: datetime) -> tuple[TrustStatus, str]:
        """Whether ``cert_chain[0]`` (the signer) chains to an anchor at time ``at``.

        The rest of ``cert_chain`` are candidate intermediates, e.g. those embedded in the
        signature's KeyInfo; they are used for path building but never trusted themselves.
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
            anchor = self._path_to_anchor(leaf, intermediates, at)
        except (verification.VerificationError, ValueError) as exc:
            return "untrusted", f"does not chain to a trusted CA: {exc}"
        return "trusted", f"chains to {anchor.subject.rfc4514_string()}"

    def _path_to_anchor(self, leaf: Cert, intermediates: list[Cert], at: datetime) -> Cert:
        if _LIBRARY_VERIFIER:
            return self._library_path(leaf, intermediates, at)
        return self._manual_path(leaf, intermediates, at)

    def _library_path(self, leaf: Cert, intermediates: list[Cert], at: datetime) -> Cert:
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
        return verifier.verify(leaf, intermediates).chain[-1]

    def _manual_path(self, leaf: Cert, intermediates: list[Cert], at: datetime) -> Cert:
        """Walk issuer links: name match, issuer signature, validity period, CA basic constraints."""
        current = leaf
        for _ in range(_MAX_CHAIN_DEPTH):
            issuer = self._issuer_of(current, intermediates, at)
            if any(_same(issuer, anchor) for anchor in self._anchors):
                return issuer
            current = issuer
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

"""Key material of the local stack: the registry's seal and a demo certification authority.

Generated on first start into the stack's state directory, so receipts are really sealed
and demo letters are really signed; nothing here is used outside the local stack.

Every file holding a private key is written with mode 0600 (and put back to 0600 when
found otherwise, see ``secret_files``): the state directory lives in a developer's
checkout, which other users of the machine may be able to read.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ezd.clock import now_utc
from ezd.local.secret_files import ensure_private_mode, write_private

if TYPE_CHECKING:
    from ezd.samples.letters import SigningIdentity

DEMO_CA_NAME = "EZD Demo Qualified CA"
# A fixed demo signer whose certificate the demo CA's CRL lists, kept across restarts.
REVOKED_DEMO_SIGNER_NAME = "Jan Odwołany"
# The demo CRL is re-issued on every start; this is how long one stays fresh.
DEMO_CRL_VALIDITY = dt.timedelta(days=30)
_PUBLIC_MODE = 0o644


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "EZD local stack"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _publish(path: Path, data: bytes) -> None:
    """Write a trust-store file (certificate, CRL) atomically, readable by all (0644).

    A temporary file, named so that no trust-store suffix matches it, is renamed over the
    target: a verifier reading the trust directory meanwhile (the CLI re-issues the CRL
    while the stack runs) sees the old file or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, _PUBLIC_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_private(path: Path) -> bytes:
    """A private key file's bytes, its mode first tightened to 0600 if an older version left it wider."""
    ensure_private_mode(path)
    return path.read_bytes()


def _key_and_cert_pem(key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> bytes:
    encryption = serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption) + (
        cert.public_bytes(serialization.Encoding.PEM)
    )


def _load_identity(path: Path, name: str) -> SigningIdentity:
    from ezd.samples.letters import SigningIdentity

    pem = _read_private(path)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} does not hold an EC private key")
    cert = x509.load_pem_x509_certificate(pem[pem.index(b"-----BEGIN CERTIFICATE-----"):])
    return SigningIdentity(name=name, key=key, cert=cert)


def identity_pems(identity: SigningIdentity) -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM) of an identity, for signers that take PEMs."""
    encryption = serialization.NoEncryption()
    return (identity.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption),
            identity.cert.public_bytes(serialization.Encoding.PEM))


def ensure_seal(path: Path) -> Path:
    """A self-signed EC seal (key + certificate in one PEM) for sealing receipts locally."""
    if path.exists():
        _read_private(path)
        return path
    key = ec.generate_private_key(ec.SECP256R1())
    now = now_utc()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("EZD local registry seal"))
        .issuer_name(_name("EZD local registry seal"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    write_private(path, _key_and_cert_pem(key, cert))
    return path


EPUAP_SIMULATOR_NAME = "ePUAP (symulator lokalny)"


def ensure_epuap_simulator_identity(state_dir: Path) -> SigningIdentity:
    """The local ePUAP's signing identity (``keys/epuap-simulator.pem``, 0600), and its
    certificate published in ``trust-epuap/``: the only signer the local push endpoint
    trusts, as a deployment trusts only ePUAP's own certificate."""
    from ezd.samples.letters import make_signer

    key_path = state_dir / "keys" / "epuap-simulator.pem"
    if key_path.exists():
        identity = _load_identity(key_path, EPUAP_SIMULATOR_NAME)
    else:
        identity = make_signer(EPUAP_SIMULATOR_NAME)
        write_private(key_path, _key_and_cert_pem(identity.key, identity.cert))
    cert_pem = identity.cert.public_bytes(serialization.Encoding.PEM)
    trust_path = state_dir / "trust-epuap" / "epuap-simulator.pem"
    if not trust_path.exists() or trust_path.read_bytes() != cert_pem:
        _publish(trust_path, cert_pem)
    return identity


def _ensure_ca(state_dir: Path) -> SigningIdentity:
    """The demo CA from ``keys/demo-ca.pem`` (made on first use), its certificate in ``trust/``."""
    from ezd.samples.letters import make_ca

    key_path = state_dir / "keys" / "demo-ca.pem"
    trust_path = state_dir / "trust" / "demo-ca.pem"
    if key_path.exists():
        ca = _load_identity(key_path, DEMO_CA_NAME)
    else:
        ca = make_ca(DEMO_CA_NAME)
        write_private(key_path, _key_and_cert_pem(ca.key, ca.cert))
    cert_pem = ca.cert.public_bytes(serialization.Encoding.PEM)
    if not trust_path.exists() or trust_path.read_bytes() != cert_pem:
        _publish(trust_path, cert_pem)
    return ca


def _usable_signer(signer: SigningIdentity, ca: SigningIdentity, now: dt.datetime) -> bool:
    """Issued by this CA (the CA may have been made anew) and inside its validity at ``now``."""
    try:
        signer.cert.verify_directly_issued_by(ca.cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return signer.cert.not_valid_before_utc <= now < signer.cert.not_valid_after_utc


def _ensure_revoked_signer(state_dir: Path, ca: SigningIdentity) -> SigningIdentity:
    """The revoked demo signer from ``keys/demo-revoked-signer.pem``, made anew when unusable.

    Its key is persisted like the CA's, so a letter signed with it before a restart is
    still the certificate the re-issued CRL lists after it.
    """
    from ezd.samples.letters import SigningIdentity, make_signer

    path = state_dir / "keys" / "demo-revoked-signer.pem"
    if path.exists():
        signer = _load_identity(path, REVOKED_DEMO_SIGNER_NAME)
        if _usable_signer(signer, ca, now_utc()):
            return SigningIdentity(name=signer.name, key=signer.key, cert=signer.cert, chain=(ca.cert,))
    signer = make_signer(REVOKED_DEMO_SIGNER_NAME, ca, revoked=True)
    write_private(path, _key_and_cert_pem(signer.key, signer.cert))
    return signer


def _publish_crl(state_dir: Path, ca: SigningIdentity, revoked: SigningIdentity) -> Path:
    """Issue the demo CA's CRL anew into ``trust/demo-ca.crl``, fresh for DEMO_CRL_VALIDITY.

    The revoked signer's entry is dated an hour into its validity: the same date on every
    issue (a revocation does not move), and before any moment it could be judged at.
    """
    from ezd.samples.crls import Revocation, make_crl

    now = now_utc()
    entry = Revocation(
        serial=revoked.cert.serial_number,
        revoked_at=revoked.cert.not_valid_before_utc + dt.timedelta(hours=1),
        reason=x509.ReasonFlags.key_compromise,
    )
    crl = make_crl(ca, [entry], this_update=now, next_update=now + DEMO_CRL_VALIDITY)
    path = state_dir / "trust" / "demo-ca.crl"
    _publish(path, crl.public_bytes(serialization.Encoding.PEM))
    return path


def _demo_identities(state_dir: Path) -> tuple[SigningIdentity, SigningIdentity]:
    ca = _ensure_ca(state_dir)
    revoked = _ensure_revoked_signer(state_dir, ca)
    _publish_crl(state_dir, ca, revoked)
    return ca, revoked


def ensure_demo_ca(state_dir: Path) -> SigningIdentity:
    """The demo certification authority, trusted by the local stack's trust store.

    Demo letters signed by a signer it issued verify as `trusted`; self-signed ones as
    `untrusted`, exactly as with a real qualified CA in production. Every call also
    re-issues the CA's CRL (``trust/demo-ca.crl``, listing the revoked demo signer), so a
    started stack always has a fresh one.
    """
    return _demo_identities(state_dir)[0]


def revoked_demo_signer(state_dir: Path) -> SigningIdentity:
    """A signer of the demo CA that the demo CA's CRL lists as revoked (keyCompromise).

    Letters it signs verify as `revoked`. It is the same signer across restarts.
    """
    return _demo_identities(state_dir)[1]

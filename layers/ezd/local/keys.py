"""Key material of the local stack: the registry's seal and a demo certification authority.

Generated on first start into the stack's state directory, so receipts are really sealed
and demo letters are really signed; nothing here is used outside the local stack.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ezd.clock import now_utc


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "EZD local stack"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def ensure_seal(path: Path) -> Path:
    """A self-signed EC seal (key + certificate in one PEM) for sealing receipts locally."""
    if path.exists():
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    return path


def ensure_demo_ca(state_dir: Path):  # -> SigningIdentity
    """The demo certification authority, trusted by the local stack's trust store.

    Demo letters signed by a signer it issued verify as `trusted`; self-signed ones as
    `untrusted`, exactly as with a real qualified CA in production.
    """
    from ezd.samples.letters import SigningIdentity, make_ca

    key_path = state_dir / "keys" / "demo-ca.pem"
    trust_path = state_dir / "trust" / "demo-ca.pem"
    if key_path.exists():
        pem = key_path.read_bytes()
        key = serialization.load_pem_private_key(pem, password=None)
        cert = x509.load_pem_x509_certificate(pem[pem.index(b"-----BEGIN CERTIFICATE-----"):])
        return SigningIdentity(name="EZD Demo Qualified CA", key=key, cert=cert)
    ca = make_ca("EZD Demo Qualified CA")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    trust_path.parent.mkdir(parents=True, exist_ok=True)
    cert_pem = ca.cert.public_bytes(serialization.Encoding.PEM)
    key_path.write_bytes(
        ca.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + cert_pem
    )
    trust_path.write_bytes(cert_pem)
    return ca

"""The system's electronic seal: signs the receipts (UPP) the registry issues.

The key and its certificate live in Secrets Manager (EZD_SEAL_SECRET_ARN: a PKCS#8
private key PEM followed by the certificate PEM); locally the stack puts its generated
seal into moto's Secrets Manager, so both take the same path. Without a secret, receipts
are issued unsigned and say so; nothing pretends to have signed.
"""

from __future__ import annotations

import os

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree
from signxml import methods
from signxml.xades import XAdESSigner

from ezd.adapters.secrets import secret_string

_END_KEY = b"-----END PRIVATE KEY-----"


def split_seal_pem(pem: bytes) -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM) from the secret's text."""
    end = pem.index(_END_KEY) + len(_END_KEY)
    return pem[:end], pem[end:].strip()


def _seal_material() -> tuple[bytes, bytes] | None:
    arn = os.environ.get("EZD_SEAL_SECRET_ARN")
    if not arn:
        return None
    return split_seal_pem(secret_string(arn).encode())


def seal_available() -> bool:
    return _seal_material() is not None


def sign_bytes(data: bytes) -> tuple[bytes, bytes]:
    """(ECDSA-SHA256 signature, certificate PEM) of ``data`` by the system seal."""
    material = _seal_material()
    if material is None:
        raise RuntimeError("no seal configured (EZD_SEAL_SECRET_ARN)")
    key_pem, cert_pem = material
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise RuntimeError("the seal's key is not an EC key")
    return key.sign(data, ec.ECDSA(hashes.SHA256())), cert_pem


def verify_bytes(data: bytes, signature: bytes, cert_pem: bytes) -> bool:
    public_key = x509.load_pem_x509_certificate(cert_pem).public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        return False
    try:
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def seal_certificate() -> bytes | None:
    material = _seal_material()
    return material[1] if material else None


def seal(document: etree._Element) -> etree._Element:
    """Enveloped XAdES-BES signature of ``document`` with the system seal."""
    material = _seal_material()
    if material is None:
        raise RuntimeError("no seal configured (EZD_SEAL_SECRET_ARN)")
    key, cert = material
    signer = XAdESSigner(method=methods.enveloped, signature_algorithm="ecdsa-sha256", digest_algorithm="sha256")
    return signer.sign(document, key=key, cert=cert)

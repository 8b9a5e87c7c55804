"""Each unit's electronic seal (pieczęć elektroniczna): its private key and certificate.

The only code that reads a unit's seal. Each seal is one Secrets Manager secret named
``<prefix>/<UNIT>`` (e.g. ``ezd/prod/unit-seal/SP19``) holding a PKCS#8 private key PEM
followed by the seal's certificate PEM and, optionally, its issuers' certificates (nearest
first). The template gives the sealing function EZD_UNIT_SEAL_SECRET_ARN_PREFIX, the
secrets' ARN up to the unit symbol, and ``secretsmanager:GetSecretValue`` on exactly
``<that prefix>*``; the secret is asked for by that partial ARN, which Secrets Manager
resolves and IAM judges against the secret's full ARN. Locally the embedded stack
generates a seal per demo unit (``ezd.local.unit_seals``) and puts it into moto's
Secrets Manager under the same name, so both places take this one path.

The material is read once per process and unit (per caller where one process serves
several functions) and kept in memory only: never written to the table, a file or a log.
Nothing here logs; the exceptions name the unit and the secret, never its content; and
botocore's own DEBUG lines that would carry a secret's value are filtered out.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass, field

from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ezd.adapters import aws
from ezd.clock import now_utc
from ezd.errors import SealMaterialInvalid, SealNotConfigured, TransientFault

ENV_PREFIX = "EZD_UNIT_SEAL_SECRET_ARN_PREFIX"
# The directory's unit symbols (models.directory.Unit): nothing that could leave the prefix.
_SYMBOL = re.compile(r"^[A-Za-z0-9_]{1,20}$")
_BEGIN_CERT = b"-----BEGIN CERTIFICATE-----"
_MISSING = {"ResourceNotFoundException"}
_DENIED = {"AccessDeniedException", "AccessDenied"}
_TRANSIENT = {"ThrottlingException", "InternalServiceError", "ServiceUnavailable", "RequestTimeout"}

SealKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class _NoSecretValues(logging.Filter):
    """botocore logs every request's parameters and every response's body at DEBUG, a
    secret's value included; a record carrying one never reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is not ours to judge
            return True
        return "SecretString" not in message and "PRIVATE KEY" not in message


# Filters act only on records of the logger they are attached to (not on its children's),
# hence the loggers that print requests and responses, by name. They only run at DEBUG.
for _name in ("botocore.parsers", "botocore.endpoint", "botocore.awsrequest", "botocore.hooks"):
    logging.getLogger(_name).addFilter(_NoSecretValues())


@dataclass(frozen=True, eq=False)
class UnitSealMaterial:
    """A unit's seal as loaded: the key (never printed) and the certificates for KeyInfo."""

    unit: str
    secret_id: str
    key: SealKey = field(repr=False)
    certificates: tuple[x509.Certificate, ...]  # the seal's own first, then its issuers

    @property
    def certificate(self) -> x509.Certificate:
        return self.certificates[0]


_cache: dict[tuple[str | None, str], UnitSealMaterial] = {}
_lock = threading.Lock()


def secret_id(unit: str) -> str:
    """The (partial) ARN of ``unit``'s seal secret; SealNotConfigured when no prefix is set."""
    if not _SYMBOL.match(unit or ""):
        raise SealNotConfigured(f"{unit!r} is not a unit symbol")
    prefix = os.environ.get(ENV_PREFIX, "").strip()
    if not prefix:
        raise SealNotConfigured(f"no unit seals are configured here ({ENV_PREFIX} is empty)")
    return f"{prefix}{unit}"


def seal_secret_text(key: SealKey, certificates: list[x509.Certificate]) -> str:
    """The secret's text for a key and its certificates (what a unit's seal secret holds)."""
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return (pem + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)).decode("ascii")


def parse_seal_secret(unit: str, secret: str, text: str) -> UnitSealMaterial:
    """Key and certificates from a secret's text; SealMaterialInvalid when they are unusable."""
    data = text.encode("utf-8")
    start = data.find(_BEGIN_CERT)
    if start < 0:
        raise SealMaterialInvalid(f"the seal secret of {unit} holds no certificate")
    try:
        key = serialization.load_pem_private_key(data[:start], password=None)
        certificates = tuple(x509.load_pem_x509_certificates(data[start:]))
    except (ValueError, TypeError) as exc:
        # The library's message says what is wrong with the PEM, never what is in it.
        raise SealMaterialInvalid(f"the seal secret of {unit} cannot be read: {type(exc).__name__}") from None
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        raise SealMaterialInvalid(f"the seal key of {unit} is neither an EC nor an RSA key")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != certificates[0].public_key().public_bytes(
            serialization.Encoding.DER, public):
        raise SealMaterialInvalid(f"the seal key of {unit} does not match the first certificate in its secret")
    return UnitSealMaterial(unit=unit, secret_id=secret, key=key, certificates=certificates)


def _check_validity(material: UnitSealMaterial) -> None:
    cert, now = material.certificate, now_utc()
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise SealMaterialInvalid(
            f"the seal certificate of {material.unit} is valid only from {cert.not_valid_before_utc.isoformat()} "
            f"to {cert.not_valid_after_utc.isoformat()}")


def _fetch(unit: str, secret: str) -> UnitSealMaterial:
    try:
        text = aws.client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _MISSING:
            raise SealNotConfigured(f"unit {unit} has no seal (no secret {secret})") from None
        if code in _DENIED:  # the function calling is not the one the template lets seal
            raise SealNotConfigured(f"this function may not read the seal of {unit} ({code})") from None
        if code in _TRANSIENT:
            raise TransientFault(f"the seal of {unit} could not be read now: {code}") from None
        raise
    return parse_seal_secret(unit, secret, text)


def unit_seal(unit: str) -> UnitSealMaterial:
    """``unit``'s seal, read once per process (and caller) and kept in memory.

    SealNotConfigured: no prefix, no secret for the unit, or a caller whose role may not
    read it (nothing is cached then: a seal provisioned later is found). SealMaterialInvalid: the secret is unusable, or the
    certificate is outside its validity now (checked on every call, cached or not).
    """
    secret = secret_id(unit)
    key = (aws.caller(), secret)
    with _lock:
        material = _cache.get(key)
        if material is None:
            material = _cache[key] = _fetch(unit, secret)
    _check_validity(material)
    return material


def forget() -> None:
    """Drop cached seals (a seal was replaced, or the local stack restarted)."""
    with _lock:
        _cache.clear()

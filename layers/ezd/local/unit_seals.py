"""Local stack: an electronic seal for every demo unit, issued by the demo CA.

Each unit's seal is an EC P-256 key with a certificate whose subject names the unit
(``CN=<name>, OU=<symbol>, O=<name>, C=PL``; a name over 64 characters is
shortened in CN only), issued by the demo CA
(``keys.ensure_demo_ca``), whose certificate is in the trust store the stack's
verifiers use: locally a sealed document verifies as ``trusted``, as one sealed with a
qualified seal does against the national trust list in production.

All of them are made at the first start (a key and a certificate take well under a
millisecond; writing 165 files is most of the cost) into ``keys/unit-seals/<UNIT>.pem``
(key + certificate, mode 0600), kept across restarts, and made anew when unusable (the
CA was made anew, the unit renamed, or the certificate near its end). On every start
they are put into moto's Secrets Manager as ``<prefix>/<UNIT>`` (the template's
UnitSealSecretPrefix), where the adapter (``ezd.adapters.unit_seal``) reads them exactly
as it does in AWS. Nothing here logs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ezd.adapters import unit_seal
from ezd.clock import now_utc
from ezd.local.secret_files import ensure_private_mode, write_private
from ezd.models.directory import Unit

if TYPE_CHECKING:
    from ezd.samples.letters import SigningIdentity

STAGE_PREFIX = "ezd/local/unit-seal"  # UnitSealSecretPrefix of the local stage
SEAL_VALIDITY = dt.timedelta(days=3 * 365)
RENEW_BEFORE = dt.timedelta(days=30)  # a seal this close to its end is made anew
_KEY_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
    key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
)


_CN_LIMIT = 64  # RFC 5280's ub-common-name


def common_name(name: str) -> str:
    """The unit's name as a certificate's CN: whole when it fits in 64 characters, else
    cut at a word and marked with "…" (the full name is in O)."""
    if len(name) <= _CN_LIMIT:
        return name
    return name[: _CN_LIMIT - 1].rsplit(" ", 1)[0] + "…"


def seal_subject(unit: Unit) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit.name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit.symbol),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name(unit.name)),
    ])


def seal_path(state_dir: Path, symbol: str) -> Path:
    return state_dir / "keys" / "unit-seals" / f"{symbol}.pem"


def _issue(unit: Unit, ca: SigningIdentity) -> unit_seal.UnitSealMaterial:
    key = ec.generate_private_key(ec.SECP256R1())
    now = now_utc()
    cert = (
        x509.CertificateBuilder()
        .subject_name(seal_subject(unit))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(min(now + SEAL_VALIDITY, ca.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return unit_seal.UnitSealMaterial(unit=unit.symbol, secret_id="", key=key, certificates=(cert,))


def _usable(material: unit_seal.UnitSealMaterial, unit: Unit, ca: SigningIdentity) -> bool:
    cert = material.certificate
    try:
        cert.verify_directly_issued_by(ca.cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    now = now_utc()
    return cert.subject == seal_subject(unit) and cert.not_valid_before_utc <= now < (
        cert.not_valid_after_utc - RENEW_BEFORE)


def ensure_unit_seal(state_dir: Path, unit: Unit, ca: SigningIdentity) -> str:
    """The unit's seal secret text (key + certificate PEM), from its 0600 file or made anew."""
    path = seal_path(state_dir, unit.symbol)
    if path.exists():
        ensure_private_mode(path)
        text = path.read_text(encoding="ascii")
        try:
            if _usable(unit_seal.parse_seal_secret(unit.symbol, "", text), unit, ca):
                return text
        except unit_seal.SealMaterialInvalid:
            pass  # a damaged file: made anew below
    material = _issue(unit, ca)
    text = unit_seal.seal_secret_text(material.key, list(material.certificates))
    write_private(path, text.encode("ascii"))
    return text


def provision_unit_seals(state_dir: Path, units: Iterable[Unit], ca: SigningIdentity, secrets_client: Any,
                         prefix: str = STAGE_PREFIX) -> dict[str, str]:
    """Every unit's seal into Secrets Manager as ``<prefix>/<UNIT>``; {unit: secret ARN}."""
    arns: dict[str, str] = {}
    for unit in units:
        text = ensure_unit_seal(state_dir, unit, ca)
        name = f"{prefix}/{unit.symbol}"
        try:
            arns[unit.symbol] = secrets_client.create_secret(
                Name=name, SecretString=text, Description=f"Electronic seal of {unit.symbol} (local stack)")["ARN"]
        except secrets_client.exceptions.ResourceExistsException:
            arns[unit.symbol] = secrets_client.put_secret_value(SecretId=name, SecretString=text)["ARN"]
    unit_seal.forget()
    return arns

"""Certificate revocation lists for the sample CAs: revoked signers for tests and the demo.

A CRL is issued by a ``SigningIdentity`` of a CA (``ezd.samples.letters.make_ca``) and
signed with its key; an identity carrying the CA's certificate but another key makes
the forged CRL that the verifier must ignore.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from ezd.clock import now_utc
from ezd.samples.letters import SigningIdentity, make_signer

# How long a sample CRL stays fresh: the demo stack re-issues its CRL on every start.
DEFAULT_VALIDITY = dt.timedelta(days=30)


@dataclass(frozen=True)
class Revocation:
    """One CRL entry: which serial, since when, and why (None: no reason code in the entry)."""

    serial: int
    revoked_at: dt.datetime
    reason: x509.ReasonFlags | None = x509.ReasonFlags.key_compromise


def _entry(item: Revocation | x509.Certificate | int, default_time: dt.datetime) -> Revocation:
    if isinstance(item, Revocation):
        return item
    serial = item.serial_number if isinstance(item, x509.Certificate) else item
    return Revocation(serial=serial, revoked_at=default_time)


def _revoked_certificate(entry: Revocation) -> x509.RevokedCertificate:
    builder = x509.RevokedCertificateBuilder().serial_number(entry.serial).revocation_date(entry.revoked_at)
    if entry.reason is not None:
        builder = builder.add_extension(x509.CRLReason(entry.reason), critical=False)
    return builder.build()


def make_crl(
    ca: SigningIdentity,
    revoked: Iterable[Revocation | x509.Certificate | int] = (),
    *,
    this_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
    number: int | None = None,
) -> x509.CertificateRevocationList:
    """A complete CRL of ``ca`` listing ``revoked``, signed with ``ca.key``.

    A certificate or a bare serial in ``revoked`` is revoked a minute before
    ``this_update`` (default now) for keyCompromise; a ``Revocation`` says its own date
    and reason. ``next_update`` defaults to ``DEFAULT_VALIDITY`` after ``this_update``;
    one in the past makes a stale CRL. ``number`` (the CRLNumber) defaults to the
    issue time in seconds, so a later CRL of the same CA has a larger number.
    """
    issued = this_update or now_utc()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(issued)
        .next_update(next_update or issued + DEFAULT_VALIDITY)
        .add_extension(x509.CRLNumber(number if number is not None else int(issued.timestamp())), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
    )
    for item in revoked:
        builder = builder.add_revoked_certificate(_revoked_certificate(_entry(item, issued - dt.timedelta(minutes=1))))
    return builder.sign(ca.key, hashes.SHA256())


def revoked_signer(
    name: str,
    ca: SigningIdentity,
    *,
    revoked_at: dt.datetime | None = None,
    this_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
) -> tuple[SigningIdentity, x509.CertificateRevocationList]:
    """A signer of ``ca`` (its own, see ``make_signer(revoked=True)``) and a CRL of ``ca`` listing it.

    ``revoked_at`` defaults to a minute before the CRL's issue; the CRL's dates are as in ``make_crl``.
    """
    signer = make_signer(name, ca, revoked=True)
    entry: Revocation | x509.Certificate = signer.cert
    if revoked_at is not None:
        entry = Revocation(serial=signer.cert.serial_number, revoked_at=revoked_at)
    return signer, make_crl(ca, [entry], this_update=this_update, next_update=next_update)

"""Part of the intake's first step: check every XAdES signature and judge its certificate.

A bad signature is recorded, never a reason to lose the letter: this step only reports.
"""

from __future__ import annotations

from ezd.adapters.trust_store import TrustStore
from ezd.adapters.xades import verify_xades
from ezd.models.intake import IntakeRequest
from ezd.models.signatures import SignatureReport
from ezd.clock import now_utc


def verify_signatures(request: IntakeRequest, raw: bytes, trust_store: TrustStore) -> SignatureReport:
    if request.channel != "epuap":
        # A scan carries no verifiable electronic signature of the paper original.
        return SignatureReport(signature="absent", certificate="none", signatures=[], checked_at=now_utc().isoformat())
    return verify_xades(raw, trust_store)

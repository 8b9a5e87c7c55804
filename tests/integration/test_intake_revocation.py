"""Revocation through the real intake workflow: the stack's trust store holds the demo CA's CRL.

The unit (ZS7) is this module's alone, so its register is what the test asserts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ezd.adapters import registry_store
from ezd.adapters.trust_store import TrustStore
from ezd.local.keys import ensure_demo_ca, revoked_demo_signer
from ezd.samples.letters import make_signer, sign_letter

pytestmark = pytest.mark.dates  # the CRL's freshness depends on the clock the stack started at

UNIT = "ZS7"


def test_a_letter_signed_with_a_revoked_certificate_is_registered_as_revoked(stack, deliverer, unique_letter):
    state = Path(stack.info.state_dir)
    trust = TrustStore.from_directory(state / "trust")
    assert (state / "trust" / "demo-ca.crl").is_file() and trust.crls  # published by the stack's start
    revoked = revoked_demo_signer(state)
    trusted = make_signer("Anna Zaufana", ensure_demo_ca(state))

    bad = deliverer.deliver(UNIT, sign_letter(unique_letter(), revoked))
    good = deliverer.deliver(UNIT, sign_letter(unique_letter(), trusted))

    # A bad certificate never stops registration: the letter gets its number.
    assert (bad.status, bad.signature, bad.certificate) == ("registered", "valid", "revoked")
    assert bad.registry_number and bad.registry_number.startswith("RPW/")
    document = registry_store.get_document(bad.document_id)
    assert (document.entry.signature, document.entry.certificate) == ("valid", "revoked")
    report = document.signature_report
    assert report["certificate"] == "revoked"
    (detail,) = report["signatures"]
    assert detail["certificate"] == "revoked"
    assert format(revoked.cert.serial_number, "x") in detail["trust_reason"]
    assert "keyCompromise" in detail["trust_reason"]
    # The same CA's other signers are unaffected by its CRL.
    assert (good.status, good.signature, good.certificate) == ("registered", "valid", "trusted")
    assert "not revoked per the CRL" in registry_store.get_document(good.document_id).signature_report[
        "signatures"
    ][0]["trust_reason"]

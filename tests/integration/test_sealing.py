"""The units' seals in the embedded stack: made at its start for every demo unit (0600
files, issued by the demo CA), put into moto's Secrets Manager as
ezd/local/unit-seal/<UNIT>, readable by the function the template lets seal and by no
other, and trusted by the stack's own trust store.

SP48 is this file's unit (sealing writes nothing to the table).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ezd.samples.letters import make_letter, sample_pdf

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT = "SP48"


def test_every_demo_unit_has_a_0600_seal_in_secrets_manager(stack):
    from ezd.adapters.aws import client
    from ezd.local.demo_data import demo_units
    from ezd.local.unit_seals import seal_path

    state = Path(stack.state_dir)
    units = demo_units()
    assert len(units) > 150
    for unit in units:
        assert stat.S_IMODE(seal_path(state, unit.symbol).stat().st_mode) == 0o600, unit.symbol
    secrets = client("secretsmanager")
    value = secrets.get_secret_value(SecretId=f"ezd/local/unit-seal/{UNIT}")["SecretString"]
    assert value == seal_path(state, UNIT).read_text(encoding="ascii")
    # The key is in the 0600 file and the secret only: not in the stack's description.
    assert "PRIVATE KEY" not in (state / "stack.json").read_text(encoding="utf-8")


def test_the_sealing_function_seals_and_the_stacks_trust_store_trusts_it(stack):
    from ezd.adapters import unit_seal
    from ezd.local.iam_enforcement import acting_as
    from ezd.services.dispatch.sealing import seal_outgoing

    unit_seal.forget()
    with acting_as(stack.provisioned.name("ApiFunction")):
        pdf = seal_outgoing(UNIT, "zaswiadczenie.pdf", None, sample_pdf(3000, seed=7))
        xml = seal_outgoing(UNIT, "odpowiedz.xml", None, make_letter(title="Odpowiedź", recipient="Jan Kowalski"))
    for sealed in (pdf, xml):
        assert (sealed.report.signature, sealed.report.certificate) == ("valid", "trusted"), sealed.report
        detail = sealed.report.signatures[-1]
        assert detail.signer_common_name == "Szkoła Podstawowa nr 48 w Lublinie" and "OU=SP48" in detail.signer_subject
        assert "CN=EZD Demo Qualified CA" in detail.issuer
    assert [f.name for f in pdf.files] == ["zaswiadczenie.pdf", "zaswiadczenie.pdf.xades"]


def test_no_other_function_may_read_a_units_seal(stack):
    from ezd.adapters import unit_seal
    from ezd.errors import SealNotConfigured
    from ezd.local.iam_enforcement import acting_as

    unit_seal.forget()
    receipts = stack.provisioned.name("IssueReceiptFunction")
    before = len(stack.enforcer.denied())
    with acting_as(receipts):
        with pytest.raises(SealNotConfigured, match="may not read the seal"):
            unit_seal.unit_seal(UNIT)
    (function, permission), = stack.enforcer.denied()[before:]
    assert function == receipts and permission.action == "secretsmanager:GetSecretValue"
    assert permission.resource.endswith(f":secret:ezd/local/unit-seal/{UNIT}")

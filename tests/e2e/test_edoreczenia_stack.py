"""The embedded stack starts the e-Doręczenia simulator with the demo units' addresses and
records where it is and how to log in (the secret in a 0600 file, never in stack.json)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from ezd.adapters.edoreczenia_client import EdoreczeniaAuthFailed, EdoreczeniaClient
from ezd.local.demo_data import demo_units
from ezd.local.stack import StackInfo
from ezd.models.edoreczenia import OutgoingAttachment, OutgoingMessage

pytestmark = pytest.mark.stack


def _client(info: StackInfo, address: str, secret: str | None = None) -> EdoreczeniaClient:
    secret = secret if secret is not None else Path(info.edoreczenia_secret_file).read_text(encoding="ascii").strip()
    return EdoreczeniaClient(info.edoreczenia_url, info.edoreczenia_token_url, info.edoreczenia_client_id, secret,
                             address)


def test_the_stack_serves_e_doreczenia_for_the_demo_units(stack) -> None:
    info = StackInfo.load(Path(stack.info.state_dir) / "stack.json")
    assert info.edoreczenia_url.endswith("/api/v1") and info.edoreczenia_token_url.endswith("/oauth2/token")
    secret_file = Path(info.edoreczenia_secret_file)
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text(encoding="ascii").strip()
    assert secret not in json.dumps(info.__dict__)

    units = {u.symbol: u.ade for u in demo_units()}
    # Every unit with an e-delivery address has its mailbox (other tests of the session may
    # add mailboxes of outside addressees).
    assert stack.edoreczenia.stats()["mailboxes"] >= sum(1 for a in units.values() if a)
    assert all(address in stack.edoreczenia.store.mailboxes for address in units.values() if address)
    sp19, woiw = _client(info, units["SP19"]), _client(info, units["WOIW"])
    receipt = sp19.send(OutgoingMessage(
        recipients=[units["WOIW"]], subject="Arkusz organizacji 2026/2027", reference="SP19/stack-test/1",
        attachments=[OutgoingAttachment(filename="arkusz.pdf", content=b"%PDF-1.7 arkusz")]))
    assert [e.type for e in sp19.evidences(receipt.message_ids[units["WOIW"]])] == ["A.1", "BP.WX", "D.1"]
    assert [m.subject for m in woiw.list_messages(label="INBOX")] == ["Arkusz organizacji 2026/2027"]
    assert not stack.edoreczenia.violations

    with pytest.raises(EdoreczeniaAuthFailed):
        _client(info, units["SP19"], secret="not-the-secret").list_messages()

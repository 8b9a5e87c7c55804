"""The production e-Doręczenia adapter against the simulator over real HTTP.

The adapter is configured exactly as for the real service (API URL, token URL, client id
and secret); the simulator checks everything it is sent against the contract. Sleeps of
the back-off are recorded instead of slept, so the delays can be asserted and the tests
stay fast; the clock is the project's injectable one, pinned.
"""

from __future__ import annotations

import base64
import threading
from datetime import datetime

import pytest

from edoreczenia_kit import CLIENT_ID, FIRM, REFUSER, SECRET, SP1, SP2, Sim, start_simulator, stop_simulator
from ezd.adapters import edoreczenia_client as ed
from ezd.adapters.edoreczenia_client import (
    EdoreczeniaAuthFailed,
    EdoreczeniaClient,
    EdoreczeniaInvalidMessage,
    EdoreczeniaSendNotAccepted,
    EdoreczeniaUnavailable,
)
from ezd.clock import WARSAW
from ezd.errors import TransientFault
from ezd.models.edoreczenia import OutgoingAttachment, OutgoingMessage

START = datetime(2026, 9, 14, 10, 0, tzinfo=WARSAW)


@pytest.fixture
def s():
    ed.TOKENS.clear()
    sim = start_simulator(START)
    try:
        yield sim
    finally:
        stop_simulator(sim)
        ed.TOKENS.clear()


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(s: Sim, address: str = SP1, secret: str = SECRET, sleeps: Sleeps | None = None) -> EdoreczeniaClient:
    return EdoreczeniaClient(s.sim.api_url, s.sim.token_url, CLIENT_ID, secret, address, timeout=10,
                             sleep=sleeps if sleeps is not None else Sleeps())


def message(to: list[str], reference: str = "SP1/OUT/1/2026", attachments: list[OutgoingAttachment] | None = None):
    return OutgoingMessage(
        recipients=to, subject="Odpowiedź w sprawie DYR.050.1.2026", text_body="W załączeniu odpowiedź.",
        reference=reference,
        attachments=attachments if attachments is not None else [
            OutgoingAttachment(filename="odpowiedz.pdf", content=b"%PDF-1.7 odpowiedz", content_type="application/pdf"),
            OutgoingAttachment(filename="odpowiedz.pdf.xades", content=b"<xades/>", content_type="application/xml"),
        ])


def test_send_with_attachments_then_evidences(s: Sim) -> None:
    big = bytes(range(256)) * (64 * 1024 + 1)  # just over 16 MB: goes through the binary upload
    msg = message([SP2], attachments=[
        OutgoingAttachment(filename="odpowiedz.pdf", content=b"%PDF-1.7", content_type="application/pdf"),
        OutgoingAttachment(filename="skany.zip", content=big, content_type="application/zip")])
    sleeps = Sleeps()
    c = client(s, sleeps=sleeps)
    receipt = c.send(msg)
    assert not receipt.resolved_by_lookup and receipt.task_id
    assert list(receipt.message_ids) == [SP2] and receipt.statuses[SP2] == "Czeka na doręczenie"
    assert sleeps == [0.1]  # the task answered PENDING once; polled again after a short delay
    sent_id = receipt.message_ids[SP2]
    evidences = c.evidences(sent_id)
    assert [e.type for e in evidences] == ["A.1", "BP.WX", "D.1"]
    documents = [c.evidence_document(e) for e in evidences]
    assert all(d.content.startswith(b"<?xml") and sent_id.encode() in d.content for d in documents)
    assert len({d.sha256 for d in documents}) == 3

    # The addressee (a unit here, served by the same client) reads it in full: collected.
    sp2 = client(s, SP2)
    (inbox,) = sp2.list_messages(label="INBOX")
    assert inbox.opened is False and inbox.subject == msg.subject
    full = sp2.read_message(inbox.message_id)
    assert [a.filename for a in full.attachments] == ["odpowiedz.pdf", "skany.zip"]
    big_id = full.attachments[1].attachment_id
    assert sp2.download_attachment(inbox.message_id, big_id) == big
    assert [e.type for e in c.evidences(sent_id)] == ["A.1", "BP.WX", "D.1", "E.1", "BP.OX"]
    assert c.read_message(sent_id, "metadata").status == "Doręczona"


def test_rejected_by_the_addressee_side_gives_a2(s: Sim) -> None:
    c = client(s)
    receipt = c.send(message([REFUSER]))
    assert receipt.statuses[REFUSER] == "Odrzucona"
    (a2,) = c.evidences(receipt.message_ids[REFUSER])
    assert a2.type == "A.2" and a2.reason


def test_the_token_is_fetched_once_per_process_and_refreshed(s: Sim) -> None:
    clients = [client(s) for _ in range(4)]
    errors: list[BaseException] = []

    def work(c: EdoreczeniaClient) -> None:
        try:
            for _ in range(5):
                c.list_messages()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and s.sim.authority.issued == 1
    s.clock.advance(minutes=59, seconds=30)  # within a minute of expiry: refreshed before use
    clients[0].list_messages()
    assert s.sim.authority.issued == 2
    s.sim.authority.expire_all()  # revoked early: the 401 brings one fresh token
    clients[1].list_messages()
    assert s.sim.authority.issued == 3


def test_wrong_credentials_and_bad_messages_are_refused_with_codes(s: Sim) -> None:
    client(s).list_messages()  # a good token is cached: it must not serve the wrong secret
    with pytest.raises(EdoreczeniaAuthFailed) as refused:
        client(s, secret="wrong").list_messages()
    assert refused.value.code == "EDORECZENIA_AUTH_FAILED"
    c = client(s)
    before = s.sim.requests
    cases = [
        (message([SP2], attachments=[OutgoingAttachment(filename="z spacja.pdf", content=b"x")]),
         "EDORECZENIA_ATTACHMENT_NAME"),
        (message([SP2], attachments=[OutgoingAttachment(filename="a?.pdf", content=b"x")]), "EDORECZENIA_ATTACHMENT_NAME"),
        (message([SP2], attachments=[OutgoingAttachment(filename="x" * 129, content=b"x")]), "EDORECZENIA_ATTACHMENT_NAME"),
        (message([SP2], attachments=[OutgoingAttachment(filename="a.pdf", content=b"x")] * 2),
         "EDORECZENIA_ATTACHMENT_NAME"),
        (message([f"AE:PL-{i:05d}-00000-ABCDE-00" for i in range(16)]), "EDORECZENIA_TOO_MANY_RECIPIENTS"),
        (message(["AE:PL-1234"]), "EDORECZENIA_ADDRESS_INVALID"),
    ]
    for bad, code in cases:
        with pytest.raises(EdoreczeniaInvalidMessage) as caught:
            c.send(bad)
        assert caught.value.code == code
    assert s.sim.requests == before  # nothing reached the service


def test_reads_are_retried_with_back_off(s: Sim) -> None:
    sleeps = Sleeps()
    c = client(s, sleeps=sleeps)
    c.list_messages()
    s.control("POST", "faults", {"count": 2, "mode": "503", "method": "GET"})
    s.control("POST", "faults", {"count": 1, "mode": "reset", "method": "GET"})
    assert c.list_messages() == []
    assert sleeps == [0.2, 0.4, 0.8]
    # The token endpoint is retried too: asking for a token twice sends nothing.
    ed.TOKENS.clear()
    s.control("POST", "faults", {"count": 1, "mode": "reset", "path_contains": "/oauth2/token"})
    assert c.list_messages() == [] and sleeps[-1] == 0.2
    s.control("POST", "faults", {"count": 10, "mode": "503", "method": "GET"})
    with pytest.raises(EdoreczeniaUnavailable) as gave_up:
        c.list_messages()
    assert isinstance(gave_up.value, TransientFault)
    s.control("DELETE", "faults")


def test_writes_are_not_retried(s: Sim) -> None:
    c = client(s)
    c.list_messages()  # the token first
    s.control("POST", "faults", {"count": 1, "mode": "503", "method": "POST", "path_contains": "/drafts"})
    with pytest.raises(EdoreczeniaUnavailable):
        c.create_draft(message([SP2]))
    assert s.sim.faults.injected == 1 and not s.sim.store.drafts
    assert c.create_draft(message([SP2]))  # the next attempt (the workflow's retry) works


def test_a_send_whose_answer_is_lost_is_found_not_sent_again(s: Sim) -> None:
    c = client(s)
    msg = message([SP2, FIRM], reference="SP1/OUT/7/2026")
    draft_id = c.create_draft(msg)
    # Accepted and carried out by the service, but the connection dies before the answer.
    s.control("POST", "faults", {"count": 1, "mode": "reset_after", "path_contains": "/drafts/send"})
    receipt = c.send_draft(draft_id, msg)
    assert receipt.resolved_by_lookup and receipt.task_id
    sent = s.sent_messages(SP1)
    assert len(sent) == 2 and {m.recipient for m in sent} == {SP2, FIRM}  # exactly one message per addressee
    assert receipt.message_ids == {m.recipient: m.message_id for m in sent}
    assert s.sim.stats()["received"] == 1  # SP2's box holds it once
    # Even a second attempt of the step cannot send twice: the draft is gone.
    with pytest.raises(ed.EdoreczeniaRefused):
        c.send_draft(draft_id, msg)
    assert len(s.sent_messages(SP1)) == 2


def test_a_send_lost_before_the_service_saw_it_is_reported_as_not_sent(s: Sim) -> None:
    c = client(s)
    msg = message([SP2], reference="SP1/OUT/8/2026")
    draft_id = c.create_draft(msg)
    s.control("POST", "faults", {"count": 1, "mode": "reset", "path_contains": "/drafts/send"})
    with pytest.raises(EdoreczeniaSendNotAccepted) as not_sent:
        c.send_draft(draft_id, msg)
    assert not_sent.value.code == "EDORECZENIA_SEND_NOT_ACCEPTED" and not s.sent_messages(SP1)
    receipt = c.send_draft(draft_id, msg)  # the retried step sends it: once
    assert receipt.task_id and not receipt.resolved_by_lookup
    assert len(s.sent_messages(SP1)) == 1


def test_another_reference_is_not_taken_for_ours(s: Sim) -> None:
    c = client(s)
    c.send(message([SP2], reference="SP1/OUT/1/2026"))
    assert c.find_sent("SP1/OUT/2/2026") == []
    (found,) = c.find_sent("SP1/OUT/1/2026")
    assert found.recipients == [SP2]


def test_incoming_message_with_its_attachment(s: Sim) -> None:
    status, out = s.control("POST", "deliver", {
        "to": SP1, "from": FIRM, "subject": "Wniosek",
        "attachments": [{"filename": "wniosek.pdf", "contentType": "application/pdf",
                         "content": base64.b64encode(b"%PDF wniosek").decode()}]})
    assert status == 201
    c = client(s)
    (waiting,) = c.list_messages(label="INBOX", opened=False)
    full = c.read_message(waiting.message_id, "fullExtended")
    assert full.sender == FIRM and full.attachments[0].content == b"%PDF wniosek"
    assert c.list_messages(label="INBOX", opened=False) == []
    assert "BP.OX" in [e.type for e in s.sim.store.messages[out["sentMessageId"]].evidences]


def test_subscribing_through_the_adapter(s: Sim) -> None:
    c = client(s)
    subscription = c.subscribe(on_message="http://127.0.0.1:9/m", on_evidence="http://127.0.0.1:9/e")
    assert subscription
    names = {x["name"] for x in s.sim.mailbox_stats(SP1)["subscriptions"]}
    assert names == {"onMessage", "onEvidence"}


def test_concurrent_sends_each_go_once(s: Sim) -> None:
    c = client(s)
    receipts: list = []
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            receipts.append(c.send(message([SP2], reference=f"SP1/OUT/{100 + i}/2026")))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ids = [r.message_ids[SP2] for r in receipts]
    assert len(set(ids)) == 8 == len(s.sent_messages(SP1))
    assert sorted(m.reference for m in client(s, SP2).read_messages(
        [m.message_id for m in client(s, SP2).list_messages(label="INBOX")])) == sorted(
        f"SP1/OUT/{100 + i}/2026" for i in range(8))

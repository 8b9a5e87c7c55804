"""The e-Doręczenia simulator against the published User Agent API (uaapi_3.0.8.1.yaml), over HTTP.

Every answer of every test is checked against the contract by the simulator itself (strict
mode: a violation becomes a 500 and is listed); the fixture fails the test if any was.
The clock is the project's injectable one, pinned per test: nothing depends on today.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from lxml import etree

from edoreczenia_kit import FIRM, REFUSER, SP1, SP2, Sim, Subscriber, serve, start_simulator, stop_simulator
from ezd.clock import WARSAW, local_date
from ezd.local.edoreczenia import api as sim_api
from ezd.local.edoreczenia.contract import Contract, spec_text
from ezd.local.edoreczenia.evidences import deemed_delivery_date

SHARED = Path(__file__).resolve().parents[3] / "shared" / "standards" / "edoreczenia" / "uaapi_3.0.8.1.yaml"
START = datetime(2026, 3, 2, 9, 0, tzinfo=WARSAW)  # a Monday


@pytest.fixture
def s():
    sim = start_simulator(START)
    try:
        yield sim
    finally:
        stop_simulator(sim)


def draft(s: Sim, to: list[str], token: str | None = None, subject: str = "Odpowiedź na wniosek",
          files: list[tuple[str, bytes]] = ()) -> str:
    status, body = s.call("POST", SP1, "/drafts", {
        "messageMetadata": {"shippingService": "electronic", "subject": subject,
                            "to": [{"eDeliveryAddress": a} for a in to]},
        "textBody": "W odpowiedzi na pismo…"}, token=token)
    assert status == 200, body
    for i, (name, content) in enumerate(files):
        status, out = attach(s, body["messageId"], name, content, token)
        assert status == 200, out
    return body["messageId"]


def attach(s: Sim, draft_id: str, name: str, content: bytes, token: str | None = None):
    return s.call("POST", SP1, f"/drafts/{draft_id}/attachments", {
        "fileMetadata": {"fileId": f"file-{name[:20]}", "filename": name, "contentType": "application/pdf"},
        "file": base64.b64encode(content).decode()}, token=token)


def send(s: Sim, to: list[str], files=(("pismo.pdf", b"%PDF-1.7 odpowiedz"),)) -> list[dict]:
    token = s.token()
    draft_id = draft(s, to, token, files=list(files))
    status, out = s.call("POST", SP1, "/drafts/send", {"messageId": draft_id}, token=token)
    assert status == 202, out
    task = out["messageTaskId"]
    statuses = [s.call("GET", SP1, f"/messages/tasks/{task}/status", token=token)[1]["messageTaskStatus"]
                for _ in range(2)]
    assert statuses == ["PENDING", "FINISHED"]
    status, entries = s.call("GET", SP1, f"/messages/tasks/{task}", token=token)
    assert status == 200 and len(entries) == len(to)
    return entries


def evidence_types(s: Sim, message_id: str) -> list[str]:
    status, out = s.call("GET", SP1, f"/messages/{message_id}/evidences", query={"sortDirection": "asc"})
    assert status == 200
    return [e["type"] for e in out["evidences"]]


# ------------------------------------------------------------------ the contract itself

def test_the_packaged_contract_is_the_published_one_and_valid_openapi() -> None:
    from openapi_spec_validator import validate

    import yaml

    if SHARED.is_file():
        assert spec_text().encode() == SHARED.read_bytes()
    # The document writes status codes unquoted (200:), which YAML reads as integers;
    # OpenAPI wants strings. As JSON (keys become strings) it validates.
    validate(json.loads(json.dumps(yaml.safe_load(spec_text()), default=str)))
    contract = Contract()
    assert len(contract.operations) > 40
    assert set(o.template for o in contract.operations) >= {t for _, t in sim_api.HANDLERS}


def test_a_broken_answer_is_caught_not_served(s: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sim_api.HANDLERS, ("GET", "/{eDeliveryAddress}/drafts"),
                        lambda ctx: (200, {"messages": "not a list", "total": 1}))
    status, body = s.call("GET", SP1, "/drafts")
    assert status == 500 and "contract_violation" in body
    assert any("messages" in v for v in s.sim.violations)
    s.sim.violations.clear()  # seen: the fixture holds the rest of the test to the contract


# ------------------------------------------------------------------ OAuth2

def test_token_flow_and_refusals(s: Sim) -> None:
    from edoreczenia_kit import http

    status, _, body = http("POST", s.base + "/oauth2/token",
                           form={"grant_type": "client_credentials", "client_id": "ezd-test", "client_secret": "wrong"})
    assert status == 401 and b"invalid_client" in body
    status, _, body = http("POST", s.base + "/oauth2/token",
                           form={"grant_type": "password", "client_id": "ezd-test", "client_secret": "test-secret-1"})
    assert status == 400 and b"unsupported_grant_type" in body
    status, _, body = http("POST", s.base + "/oauth2/token", form={
        "grant_type": "client_credentials", "client_id": "ezd-test", "client_secret": "test-secret-1",
        "scope": "read_messages admin"})
    assert status == 400 and b"invalid_scope" in body

    assert s.call("GET", SP1, "/messages", token="")[0] == 401
    status, headers_body = s.call("GET", SP1, "/messages", token="forged")
    assert status == 401 and headers_body[0]["error"] == "invalid_token"
    token = s.token()
    assert s.call("GET", SP1, "/messages", token=token)[0] == 200
    s.clock.advance(minutes=61)  # past its hour
    status, body = s.call("GET", SP1, "/messages", token=token)
    assert status == 401 and body[0]["error_description"] == "token expired"

    reader = s.token(scope="read_messages")
    assert s.call("GET", SP1, "/messages", token=reader)[0] == 200
    status, body = s.call("POST", SP1, "/drafts", {"messageMetadata": {"shippingService": "electronic"}}, token=reader)
    assert status == 403 and body[0]["error"] == "insufficient_scope"
    assert s.call("GET", SP1, "/message_subscriptions", token=reader)[0] == 403  # read_settings not granted
    # The client serves SP1 and SP2 only.
    assert s.call("GET", FIRM, "/messages")[0] == 403


# ------------------------------------------------------------------ request validation

def test_requests_are_held_to_the_contract(s: Sim) -> None:
    status, body = s.call("POST", SP1, "/drafts", {"messageMetadata": {"shippingService": "pigeon"}, "textBody": 5})
    assert status == 400 and body[0]["error"] == "INVALID_REQUEST"
    assert "pigeon" in body[0]["error_description"] and "textBody" in body[0]["error_description"]
    status, body = s.call("GET", SP1, "/messages", query={"limit": 0})
    assert status == 400 and "limit" in body[0]["error_description"]
    status, body = s.call("GET", SP1, "/messages", query={"limit": "many"})
    assert status == 400
    status, body = s.call("POST", SP1, "/drafts/send", {})
    assert status == 400 and "messageId" in body[0]["error_description"]
    status, body = s.call("GET", SP1, "/messages/M1,M2", query={"format": "everything"})
    assert status == 400 and "format" in body[0]["error_description"]


# ------------------------------------------------------------------ limits

@pytest.mark.parametrize("name", ["z spacja.pdf", "a#b.pdf", "a%b.pdf", "a:b.pdf", "a?b.pdf", "a!b.pdf",
                                  "a\\b.pdf", "a{b}.pdf", "a|b.pdf", "a~b.pdf", "a*b.pdf", "a<b>.pdf",
                                  'a"b.pdf', "a&b.pdf", "a/b.pdf", "x" * 125 + ".pdf"])
def test_refused_file_names(s: Sim, name: str) -> None:
    draft_id = draft(s, [SP2])
    status, body = attach(s, draft_id, name, b"x")
    assert status == 400 and body[0]["error"] == "INVALID_FILE_NAME", body


def test_file_name_limits_boundary_and_uniqueness(s: Sim) -> None:
    draft_id = draft(s, [SP2])
    assert attach(s, draft_id, "x" * 124 + ".pdf", b"x")[0] == 200  # exactly 128
    assert attach(s, draft_id, "zal-1_ok.pdf", b"x")[0] == 200
    status, body = attach(s, draft_id, "zal-1_ok.pdf", b"y")
    assert status == 400 and "already" in body[0]["error_description"]


def test_too_many_recipients_are_refused(s: Sim) -> None:
    many = [f"AE:PL-{i:05d}-00000-ABCDE-00" for i in range(16)]
    status, body = s.call("POST", SP1, "/drafts/send", {"messageId": draft(s, many)})
    assert status == 400 and body[0]["error"] == "INVALID_RECIPIENTS" and "15" in body[0]["error_description"]
    assert not s.sent_messages(SP1)
    for a in many[:15]:
        s.sim.register_address(a, a, public=False, external=True)
    status, body = s.call("POST", SP1, "/drafts/send", {"messageId": draft(s, many[:15])})
    assert status == 202 and len(s.sent_messages(SP1)) == 15


def test_inline_attachments_stop_at_15_mb_and_the_binary_upload_takes_more(s: Sim) -> None:
    draft_id = draft(s, [SP2])
    big = b"\x00" * (15 * 1024 * 1024 + 1)
    status, body = attach(s, draft_id, "duzy.bin", big)
    assert status == 400 and body[0]["error"] == "FILE_TOO_LARGE"
    boundary = "xyz"
    form = (f'--{boundary}\r\nContent-Disposition: form-data; name="filename"\r\n\r\nduzy.bin\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="contentType"\r\n\r\napplication/octet-stream\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="duzy.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + big + f"\r\n--{boundary}--\r\n".encode()
    status, _, raw = _post_raw(s, f"/{draft_id}/attachments/upload", form, f"multipart/form-data; boundary={boundary}")
    assert status == 200, raw
    status, out = s.call("POST", SP1, "/drafts/send", {"messageId": draft_id})
    assert status == 202
    sent = s.sent_messages(SP1)[0]
    inbox_id = sent.peer
    status, message = s.call("GET", SP2, f"/messages/{inbox_id}", query={"format": "full"})
    attachment_id = message[0]["attachments"][0]["attachmentId"]
    status, content = s.call("POST", SP2, "/attachments/download", {"messageId": inbox_id, "attachmentId": attachment_id})
    assert status == 200 and content == big


def _post_raw(s: Sim, path: str, data: bytes, content_type: str):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{s.api}/{SP1}{path}", data=data, method="POST",
                                     headers={"Content-Type": content_type, "Authorization": f"Bearer {s.token()}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, {}, r.read()
    except urllib.error.HTTPError as err:
        return err.code, {}, err.read()


# ------------------------------------------------------------------ sending and evidences

def test_send_to_a_unit_arrives_and_reading_it_collects(s: Sim) -> None:
    entries = send(s, [SP2])
    sent_id = entries[0]["messageId"]
    assert evidence_types(s, sent_id) == ["A.1", "BP.WX", "D.1"]
    status, listing = s.call("GET", SP2, "/messages", query={"label": "INBOX", "format": "metadata"})
    assert listing["total"] == 1
    inbox = listing["messages"][0]
    assert inbox["messageControlData"]["opened"] is False and inbox["messageMetadata"]["from"]["eDeliveryAddress"] == SP1
    s.clock.advance(hours=3)
    status, full = s.call("GET", SP2, f"/messages/{inbox['messageMetadata']['messageId']}")  # full by default
    assert status == 200 and full[0]["messageControlData"]["opened"] is True
    assert full[0]["attachments"][0]["file"]["fileMetadata"]["filename"] == "pismo.pdf"
    assert evidence_types(s, sent_id) == ["A.1", "BP.WX", "D.1", "E.1", "BP.OX"]
    status, sent = s.call("GET", SP1, f"/messages/{sent_id}", query={"format": "metadata"})
    assert sent[0]["messageControlData"]["status"] == "Doręczona"
    assert sent[0]["messageMetadata"]["receiptDate"].startswith("2026-03-02T11:00")


def test_collect_on_demand_gives_the_dowod_otrzymania(s: Sim) -> None:
    sent_id = send(s, [FIRM])[0]["messageId"]
    assert evidence_types(s, sent_id) == ["A.1", "BP.WX", "D.1"]
    assert s.control("POST", f"messages/{sent_id}/collect")[0] == 200
    assert evidence_types(s, sent_id) == ["A.1", "BP.WX", "D.1", "E.1", "BP.OX"]
    assert s.control("POST", f"messages/{sent_id}/collect")[0] == 200  # once only
    assert evidence_types(s, sent_id).count("BP.OX") == 1


def test_policy_collect_delivers_at_once_and_reject_gives_a2(s: Sim) -> None:
    s.sim.set_policy(FIRM, "collect")
    sent_id = send(s, [FIRM])[0]["messageId"]
    assert evidence_types(s, sent_id) == ["A.1", "BP.WX", "E.1", "BP.OX"]

    entries = send(s, [REFUSER])
    assert entries[0]["status"] == "Odrzucona"
    rejected = entries[0]["messageId"]
    status, out = s.call("GET", SP1, f"/messages/{rejected}/evidences")
    assert [e["type"] for e in out["evidences"]] == ["A.2"]
    assert out["evidences"][0]["reasonDetails"]
    status, message = s.call("GET", SP1, f"/messages/{rejected}", query={"format": "metadata"})
    assert message[0]["messageControlData"]["statusDescription"]


def test_evidence_documents_name_the_message_and_its_digest(s: Sim) -> None:
    sent_id = send(s, [SP2])[0]["messageId"]
    status, out = s.call("GET", SP1, f"/messages/{sent_id}/evidences", query={"type": "BP.WX"})
    (evidence,) = out["evidences"]
    assert evidence["downloaded"] is False
    status, xml = s.call("GET", SP1, f"/evidences/purde/{evidence['evidenceId']}")
    assert status == 200
    doc = etree.fromstring(xml)
    ns = {"r": "http://uri.etsi.org/19522/v1#"}
    assert doc.findtext("r:SubmissionIdentifier", namespaces=ns) == sent_id
    assert doc.findtext("r:EventCode", namespaces=ns) == "BP.WX"
    expected = hashlib.sha256()
    for part in ("Odpowiedź na wniosek", "W odpowiedzi na pismo…"):
        expected.update(part.encode() + b"\x00")
    expected.update(b"pismo.pdf\x00" + hashlib.sha256(b"%PDF-1.7 odpowiedz").digest())
    assert doc.findtext("r:MessageDigest", namespaces=ns) == expected.hexdigest()
    status, again = s.call("GET", SP1, f"/messages/evidences/{evidence['evidenceId']}")
    assert again[0]["downloaded"] is True


# ------------------------------------------------------------------ deemed delivery

@pytest.mark.parametrize("d1, expected", [
    (datetime(2026, 3, 7, 10, 0, tzinfo=WARSAW), date(2026, 3, 23)),  # +14 = Saturday 21 March → Monday
    (datetime(2026, 10, 28, 10, 0, tzinfo=WARSAW), date(2026, 11, 12)),  # +14 = 11 November → Thursday
    (datetime(2026, 12, 10, 10, 0, tzinfo=WARSAW), date(2026, 12, 28)),  # +14 = Wigilia, then Christmas, weekend
    (datetime(2026, 3, 5, 23, 30, tzinfo=WARSAW), date(2026, 3, 19)),  # late evening: the Warsaw date counts
])
def test_deemed_delivery_date(d1: datetime, expected: date) -> None:
    assert deemed_delivery_date(d1.astimezone(timezone.utc)) == expected


@pytest.mark.parametrize("d1, expected", [
    (datetime(2026, 3, 7, 10, 0, tzinfo=WARSAW), date(2026, 3, 23)),
    (datetime(2026, 10, 28, 10, 0, tzinfo=WARSAW), date(2026, 11, 12)),
])
def test_an_ignored_message_is_deemed_delivered_when_the_clock_passes(s: Sim, d1: datetime, expected: date) -> None:
    s.clock.set(d1)
    sent_id = send(s, [FIRM])[0]["messageId"]
    assert s.control("POST", f"messages/{sent_id}/ignore")[0] == 200
    s.clock.set(datetime(expected.year, expected.month, expected.day, 12, 0, tzinfo=WARSAW))
    assert evidence_types(s, sent_id) == ["A.1", "BP.WX", "D.1"]  # the day has not passed yet
    status, metadata = s.call("GET", SP1, f"/messages/{sent_id}", query={"format": "metadata"})
    assert metadata[0]["messageControlData"]["status"] == "Czeka na doręczenie"
    assert metadata[0]["messageControlData"]["daysToReceive"] == 0
    s.clock.set(datetime(expected.year, expected.month, expected.day, 23, 59, 59, tzinfo=WARSAW))
    assert evidence_types(s, sent_id) == ["A.1", "BP.WX", "D.1", "BP.OX"]
    status, metadata = s.call("GET", SP1, f"/messages/{sent_id}", query={"format": "metadata"})
    control, meta = metadata[0]["messageControlData"], metadata[0]["messageMetadata"]
    assert control["status"] == "Uznana za doręczoną"
    assert local_date(datetime.fromisoformat(meta["receiptDate"].replace("Z", "+00:00"))) == expected
    s.clock.advance(days=30)
    assert evidence_types(s, sent_id).count("BP.OX") == 1


def test_a_public_body_addressee_is_never_deemed_to_have_collected(s: Sim) -> None:
    sent_id = send(s, [SP2])[0]["messageId"]
    assert s.control("POST", f"messages/{sent_id}/ignore")[0] == 409
    s.clock.advance(days=60)
    assert evidence_types(s, sent_id) == ["A.1", "BP.WX", "D.1"]


# ------------------------------------------------------------------ subscriptions

def test_callbacks_are_delivered_once_and_retried_after_a_failing_subscriber(s: Sim) -> None:
    subscriber = Subscriber(fail_first=2)
    url, stop = serve(subscriber)
    try:
        status, out = s.call("PUT", SP1, "/message_subscriptions",
                             {"evidenceCallbackUrl": f"{url}/evidence"})
        assert status == 200 and out["subscriptionId"]
        status, out = s.call("PUT", SP2, "/message_subscriptions", {"messageCallbackUrl": f"{url}/message"})
        status, subs = s.call("GET", SP2, "/message_subscriptions")
        assert [x["name"] for x in subs] == ["onMessage"] and subs[0]["status"] is True
        sent_id = send(s, [SP2])[0]["messageId"]
        for _ in range(5):  # sweeping again and again must not announce anything twice
            s.control("POST", "tick")
        deadline = time.monotonic() + 10
        while len(subscriber.received) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        kinds = sorted((p["notificationType"], p["notification"][0].get("type", "")) for p in subscriber.received)
        assert kinds == [("NewEvidence", "A.1"), ("NewEvidence", "BP.WX"), ("NewEvidence", "D.1"), ("NewMessage", "")]
        assert subscriber.attempts == 6  # two failures, then each one once
        assert all(p["eDeliveryAddress"] in (SP1, SP2) for p in subscriber.received)
        assert any(p["notification"][0]["id"] == s.sim.store.messages[sent_id].peer for p in subscriber.received)
        failed = [a for a in s.sim.notifier.log if not a["ok"]]
        assert len(failed) == 2 and all(a["attempt"] == 1 for a in failed)
    finally:
        stop()


def test_a_subscriber_that_never_answers_is_given_up(s: Sim) -> None:
    s.sim.notifier.max_attempts = 3
    subscriber = Subscriber(fail_first=10**6)
    url, stop = serve(subscriber)
    try:
        s.call("PUT", SP2, "/message_subscriptions", {"messageCallbackUrl": url})
        send(s, [SP2])
        deadline = time.monotonic() + 10
        while subscriber.attempts < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        assert subscriber.attempts == 3 and not subscriber.received
    finally:
        stop()


# ------------------------------------------------------------------ test control

def test_incoming_delivery_to_a_unit(s: Sim) -> None:
    status, out = s.control("POST", "deliver", {
        "to": SP1, "from": FIRM, "subject": "Wniosek o duplikat",
        "attachments": [{"filename": "wniosek.pdf", "contentType": "application/pdf",
                         "content": base64.b64encode(b"%PDF wniosek").decode()}]})
    assert status == 201, out
    status, listing = s.call("GET", SP1, "/messages", query={"label": "INBOX", "format": "metadata", "opened": "false"})
    assert [m["messageMetadata"]["messageId"] for m in listing["messages"]] == [out["messageId"]]
    status, full = s.call("GET", SP1, f"/messages/{out['messageId']}", query={"format": "fullExtended"})
    assert base64.b64decode(full[0]["attachments"][0]["file"]["file"]) == b"%PDF wniosek"
    status, listing = s.call("GET", SP1, "/messages", query={"label": "INBOX", "opened": "false"})
    assert listing["total"] == 0


def test_transient_faults_on_demand(s: Sim) -> None:
    import urllib.error

    s.control("POST", "faults", {"count": 1, "mode": "503", "method": "GET"})
    status, body = s.call("GET", SP1, "/messages")
    assert status == 503
    assert s.call("GET", SP1, "/messages")[0] == 200
    s.control("POST", "faults", {"count": 1, "mode": "reset", "path_contains": "/messages"})
    with pytest.raises((ConnectionError, urllib.error.URLError, OSError)):
        s.call("GET", SP1, "/messages")
    assert s.call("GET", SP1, "/messages")[0] == 200


# ------------------------------------------------------------------ drafts and direct sending

def test_draft_lifecycle(s: Sim) -> None:
    draft_id = draft(s, [SP2], files=[("a.pdf", b"A"), ("b.pdf", b"B")])
    status, full = s.call("GET", SP1, f"/drafts/{draft_id}")
    assert status == 200 and [a["file"]["fileMetadata"]["filename"] for a in full["attachments"]] == ["a.pdf", "b.pdf"]
    assert full["attachments"][0]["file"]["fileMetadata"]["hash"] == hashlib.sha3_256(b"A").hexdigest()
    status, minimal = s.call("GET", SP1, f"/drafts/{draft_id}", query={"format": "minimal"})
    assert "subject" not in minimal["messageMetadata"] and "attachments" not in minimal
    status, out = s.call("PUT", SP1, f"/drafts/{draft_id}", {
        "messageMetadata": {"shippingService": "electronic", "subject": "Nowy temat", "to": [{"eDeliveryAddress": SP2}]}})
    assert status == 200 and out["messageId"] == draft_id
    status, listing = s.call("GET", SP1, "/drafts")
    assert [m["messageMetadata"]["subject"] for m in listing["messages"]] == ["Nowy temat"]
    attachment_id = full["attachments"][0]["attachmentId"]
    status, one = s.call("GET", SP1, f"/drafts/{draft_id}/attachments/{attachment_id}")
    assert base64.b64decode(one["file"]["file"]) == b"A"
    status, removed = s.call("DELETE", SP1, f"/drafts/{draft_id}/attachments/{attachment_id}")
    assert status == 200 and removed["filename"] == "a.pdf"
    assert attach(s, draft_id, "a.pdf", b"A2")[0] == 200  # the name is free again
    status, removed = s.call("DELETE", SP1, f"/drafts/{draft_id}/attachments")
    assert sorted(f["filename"] for f in removed) == ["a.pdf", "b.pdf"]
    status, deleted = s.call("DELETE", SP1, f"/drafts/{draft_id}")
    assert deleted == [{"messageId": draft_id}]
    status, body = s.call("GET", SP1, f"/drafts/{draft_id}")
    assert status == 400 and body[0]["error"] == "DRAFT_NOT_FOUND"
    status, body = s.call("POST", SP1, "/drafts/send", {"messageId": draft_id})
    assert status == 400 and not s.sent_messages(SP1)
    status, body = s.call("GET", SP2, f"/drafts/{draft(s, [SP2])}")  # another mailbox's draft
    assert status == 400


def test_posting_a_whole_message_sends_it_with_its_inline_attachments(s: Sim) -> None:
    status, out = s.call("POST", SP1, "/messages", {
        "messageMetadata": {"shippingService": "electronic", "subject": "Od razu", "to": [{"eDeliveryAddress": SP2}]},
        "attachments": [{"file": {"fileMetadata": {"fileId": "f", "filename": "x.pdf"},
                                  "file": base64.b64encode(b"X").decode()}}]})
    assert status == 202 and out["messageTaskId"]
    (sent,) = s.sent_messages(SP1)
    assert [f.data for f in sent.attachments] == [b"X"]
    status, body = s.call("POST", SP1, "/messages", {
        "messageMetadata": {"shippingService": "electronic", "subject": "Zła nazwa", "to": [{"eDeliveryAddress": SP2}]},
        "attachments": [{"file": {"fileMetadata": {"fileId": "f", "filename": "z spacją.pdf"}, "file": "WA=="}}]})
    assert status == 400 and body[0]["error"] == "INVALID_FILE_NAME" and len(s.sent_messages(SP1)) == 1

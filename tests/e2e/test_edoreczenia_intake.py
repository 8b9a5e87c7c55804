"""e-Doręczenia incoming, on the local stack: a message sent into the simulator to a unit's
e-delivery address reaches the unit's register — by the subscription callback, or by the
scheduled poll when no callback came — with channel e-Doręczenia, the date of receipt of
its dowód otrzymania, and the evidence downloadable among the document's files. The poll
backs off on 503/429 and asks nothing inside its back-off window (the simulator's request
log shows it).

Units used here and nowhere else: P41 (callback), P42 (poll, evidence older than the
collection), P43 (back-off), P44 (a callback whose collection fails).
"""

from __future__ import annotations

import base64
import json
import urllib.request
from datetime import datetime, timedelta

import pytest

from edoreczenia_kit import MovableClock
from ezd import clock
from ezd.samples.letters import sample_pdf
from testkit import wait_for

pytestmark = [pytest.mark.stack, pytest.mark.dates]

SENDER = "AE:PL-06026-77354-UMVTB-68"  # SP1, a unit of the city: a public body


def _ade(unit: str) -> str:
    from ezd.adapters import directory_store

    return directory_store.get_unit(unit).ade


def _invoke_poller(stack, unit: str) -> dict:
    from ezd.adapters.aws import client

    response = client("lambda").invoke(FunctionName=stack.provisioned.functions["EdoreczeniaPollerFunction"],
                                       Payload=json.dumps({"unit": unit}).encode())
    body = json.loads(response["Payload"].read())
    assert not response.get("FunctionError"), body
    (mailbox,) = body["mailboxes"]
    return mailbox


def _deliver(stack, unit: str, subject: str, pdf: bytes) -> str:
    sim = stack.edoreczenia
    body = {"to": _ade(unit), "from": SENDER, "public_sender": True, "subject": subject, "textBody": "W załączeniu.",
            "attachments": [{"filename": "pismo.pdf", "contentType": "application/pdf",
                             "content": base64.b64encode(pdf).decode()}]}
    request = urllib.request.Request(f"{sim.base_url}/_sim/deliver", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["messageId"]


def _receipt(stack, message_id: str):
    with stack.edoreczenia.store.lock:
        return next(e for e in stack.edoreczenia.store.messages[message_id].evidences if e.type == "BP.OX")


def _published(moment: datetime) -> datetime:
    """A time as the service publishes it (eventDate: milliseconds)."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _register(api, unit: str, year: int) -> list[dict]:
    response = api.call("GET", f"/units/{unit}/registry?year={year}", user=f"{unit.lower()}.sekretariat")
    assert response.status == 200, response.body
    return response.body["items"]


def _mailbox_requests(stack, unit: str, since: int = 0) -> list[dict]:
    ade = _ade(unit)
    return [r for r in stack.edoreczenia.request_log[since:] if ade in r["path"]]


def _reads_in_full(stack, unit: str, message_id: str) -> int:
    return sum(1 for r in _mailbox_requests(stack, unit)
               if r["path"].endswith(f"/messages/{message_id}") and "fullExtended" in r["query"])


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def moving_clock():
    moving = MovableClock(clock.now_utc())
    clock.set_source(moving)
    yield moving
    clock.set_source(None)


def test_a_message_arrives_by_the_callback_once_with_its_dowod_otrzymania(stack, api):
    unit, ade = "P41", _ade("P41")
    first = _invoke_poller(stack, unit)  # the scheduled run subscribes the mailbox; nothing waits yet
    assert first["subscribed"] and first["collected"] == 0 and first["error"] is None
    (subscription,) = stack.edoreczenia.mailbox_stats(ade)["subscriptions"]
    url = subscription["url"]
    assert subscription["name"] == "onMessage" and f"{stack.info.api_url}/edoreczenia/{unit}/on-message/" in url

    pdf = sample_pdf(2000, seed=41)
    message_id = _deliver(stack, unit, "Wniosek o opinię w sprawie arkusza", pdf)
    year = clock.local_year(clock.now_utc())
    (item,) = wait_for(lambda: _register(api, unit, year), "the callback's registration", timeout=60)
    receipt = _receipt(stack, message_id)
    assert item["channel"] == "edoreczenia" and item["title"] == "Wniosek o opinię w sprawie arkusza"
    assert _when(item["received_at"]) == _published(receipt.event_date)
    assert item["sender"]["name"] == "Szkoła Podstawowa nr 1 w Lublinie"
    callbacks = [a for a in stack.edoreczenia.notifier.log if a["object_id"] == message_id]
    assert [a["ok"] for a in callbacks] == [True]

    # The evidence is one of the document's files, beside the message's own attachment.
    view = api.call("GET", f"/units/{unit}/documents/{item['document_id']}", user=f"{unit.lower()}.sekretariat")
    assert view.status == 200, view.body
    files = {a["filename"]: a for a in view.body["attachments"]}
    names = {"D.1": "potwierdzenie-udostepnienia", "E.1": "potwierdzenie-odbioru", "BP.OX": "dowod-otrzymania"}
    assert set(files) == {"pismo.pdf"} | {f"{names[e.type]}-{e.type}-{e.evidence_id}.xml"
                                          for e in _evidences(stack, message_id)}
    with urllib.request.urlopen(files[f"dowod-otrzymania-BP.OX-{receipt.evidence_id}.xml"]["url"], timeout=30) as r:
        assert r.read() == receipt.xml
    with urllib.request.urlopen(files["pismo.pdf"]["url"], timeout=30) as r:
        assert r.read() == pdf
    assert view.body["original"]["mime"] == "application/json"

    # The same notification again (the service may repeat one): registered once, not read again.
    statement = {"eDeliveryAddress": ade, "notificationType": "NewMessage", "notification": [{"id": message_id}]}
    for _ in range(2):
        again = api.call("POST", url[len(stack.info.api_url):], json_body=statement)
        assert again.status == 200 and again.body == {"status": "OK", "eDeliveryAddress": ade}
    later = _invoke_poller(stack, unit)  # the poll lists it, finds it collected, does not read it
    assert later["collected"] == 0 and later["error"] is None
    _collect_finished(stack, unit, message_id)
    assert len(_register(api, unit, year)) == 1
    assert _reads_in_full(stack, unit, message_id) == 1

    # Anyone else is refused, and nothing is started: a wrong key, another unit's key.
    key = url.rsplit("/", 1)[1]
    for path in (f"/edoreczenia/{unit}/on-message/{'A' * len(key)}", f"/edoreczenia/P42/on-message/{key}"):
        refused = api.call("POST", path, json_body=statement)
        assert refused.status == 401 and refused.body["error_code"] == "EDORECZENIA_CALLBACK_KEY_INVALID"
    garbage = api.call("POST", f"/edoreczenia/{unit}/on-message/{'A' * len(key)}", raw=b"{not json",
                       content_type="application/json")
    assert garbage.status == 401  # the key is checked before the body is read
    wrong_box = api.call("POST", url[len(stack.info.api_url):], json_body={**statement, "eDeliveryAddress": SENDER})
    assert wrong_box.status == 400


def _evidences(stack, message_id: str) -> list:
    with stack.edoreczenia.store.lock:
        return list(stack.edoreczenia.store.messages[message_id].evidences)


def _collect_finished(stack, unit: str, message_id: str) -> None:
    from ezd.adapters import workflows
    from ezd.services.edoreczenia_callback import execution_name

    arn = stack.provisioned.state_machines["EdoreczeniaCollectStateMachine"].replace(":stateMachine:", ":execution:")
    wait_for(lambda: workflows.describe(f"{arn}:{execution_name(unit, message_id)}")["status"] == "SUCCEEDED",
             "the collect workflow", timeout=30)


def test_without_a_callback_the_poll_collects_and_the_date_is_the_evidences(stack, api, moving_clock):
    unit, ade = "P42", _ade("P42")
    assert stack.edoreczenia.mailbox_stats(ade)["subscriptions"] == []  # nobody is called back
    message_id = _deliver(stack, unit, "Zawiadomienie o kontroli", sample_pdf(2000, seed=42))
    delivered = clock.now_utc()
    # The school's staff collected it in the national web mailbox: the dowód otrzymania is
    # issued now; the EZD's scheduled poll comes three hours later.
    request = urllib.request.Request(f"{stack.edoreczenia.base_url}/_sim/messages/{message_id}/collect", data=b"{}",
                                     method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).close()
    receipt = _receipt(stack, message_id)
    moving_clock.advance(hours=3)

    result = _invoke_poller(stack, unit)
    assert result["collected"] == 1 and result["error"] is None and result["subscribed"]
    year = clock.local_year(receipt.event_date)
    (item,) = wait_for(lambda: _register(api, unit, year), "the poll's registration", timeout=60)
    assert item["channel"] == "edoreczenia"
    assert _when(item["received_at"]) == _published(receipt.event_date) and receipt.event_date - delivered < timedelta(minutes=1)
    assert _when(item["registered_at"]) - _when(item["received_at"]) >= timedelta(hours=3)

    again = _invoke_poller(stack, unit)  # the cursor and the marker: nothing is read again
    assert again["collected"] == 0 and _reads_in_full(stack, unit, message_id) == 1
    assert len(_register(api, unit, year)) == 1


def test_the_poll_backs_off_on_503_and_429_and_asks_nothing_inside_the_window(stack, api, moving_clock):
    from ezd.config import settings

    unit, ade = "P43", _ade("P43")
    first_delay = settings().edoreczenia_backoff_first_seconds
    message_id = _deliver(stack, unit, "Pismo w czasie awarii", sample_pdf(2000, seed=43))
    sim, mark = stack.edoreczenia, len(stack.edoreczenia.request_log)

    def plan(mode: str) -> None:
        body = json.dumps({"count": 1, "mode": mode, "path_contains": ade}).encode()
        urllib.request.urlopen(urllib.request.Request(f"{sim.base_url}/_sim/faults", data=body, method="POST",
                                                      headers={"Content-Type": "application/json"}), timeout=30).close()

    plan("503")
    failed = _invoke_poller(stack, unit)
    assert failed["error"].startswith("EdoreczeniaUnavailable") and failed["collected"] == 0
    assert _when(failed["deferred_until"]) == clock.now_utc() + timedelta(seconds=first_delay)
    assert len(_mailbox_requests(stack, unit, mark)) == 1  # one request, no retry in a loop

    for step in (0, first_delay // 2, first_delay - first_delay // 2 - 1):  # scheduled runs inside the window
        moving_clock.advance(seconds=step)
        inside = _invoke_poller(stack, unit)
        assert inside["deferred_until"] == failed["deferred_until"] and inside["error"] is None
        assert len(_mailbox_requests(stack, unit, mark)) == 1  # nothing was asked of the service

    moving_clock.set(_when(failed["deferred_until"]) + timedelta(seconds=1))
    plan("429")
    limited = _invoke_poller(stack, unit)
    assert limited["error"].startswith("EdoreczeniaRateLimited")
    # The second failure doubles the wait (and honours Retry-After, 30 s here, the smaller).
    assert _when(limited["deferred_until"]) == clock.now_utc() + timedelta(seconds=2 * first_delay)
    assert len(_mailbox_requests(stack, unit, mark)) == 2
    moving_clock.advance(seconds=2 * first_delay - 1)
    assert _invoke_poller(stack, unit)["deferred_until"] == limited["deferred_until"]
    assert len(_mailbox_requests(stack, unit, mark)) == 2

    moving_clock.advance(seconds=2)
    recovered = _invoke_poller(stack, unit)
    assert recovered["collected"] == 1 and recovered["error"] is None and recovered["deferred_until"] is None
    statuses = [r["status"] for r in _mailbox_requests(stack, unit, mark)]
    assert statuses[:2] == [503, 429] and all(s == 200 for s in statuses[2:])
    attempts = [_when(r["at"]) for r in _mailbox_requests(stack, unit, mark)]
    assert attempts[1] - attempts[0] > timedelta(seconds=first_delay) and attempts[2] - attempts[1] > timedelta(
        seconds=2 * first_delay)
    receipt = _receipt(stack, message_id)
    (item,) = wait_for(lambda: _register(api, unit, clock.local_year(receipt.event_date)), "the registration",
                       timeout=60)
    assert _when(item["received_at"]) == _published(receipt.event_date)


def test_a_callback_whose_collection_fails_is_left_to_the_poll(stack, api):
    from ezd.adapters import workflows
    from ezd.services.edoreczenia_callback import execution_name

    unit = "P44"
    assert _invoke_poller(stack, unit)["subscribed"]
    # The collect workflow's step fails with an error no Retry covers: the workflow gives up.
    stack.runtime.inject_fault(stack.provisioned.functions["EdoreczeniaPollerFunction"], RuntimeError, times=1)
    message_id = _deliver(stack, unit, "Pismo, którego callback zawiódł", sample_pdf(2000, seed=44))
    arn = stack.provisioned.state_machines["EdoreczeniaCollectStateMachine"].replace(":stateMachine:", ":execution:")
    name = f"{arn}:{execution_name(unit, message_id)}"
    wait_for(lambda: _status(workflows, name) == "FAILED", "the collect workflow to give up", timeout=30)
    year = clock.local_year(clock.now_utc())
    assert _register(api, unit, year) == [] and _reads_in_full(stack, unit, message_id) == 0

    result = _invoke_poller(stack, unit)
    assert result["collected"] == 1 and result["error"] is None
    (item,) = wait_for(lambda: _register(api, unit, year), "the poll's registration", timeout=60)
    assert item["channel"] == "edoreczenia" and _when(item["received_at"]) == _published(
        _receipt(stack, message_id).event_date)


def _status(workflows, arn: str) -> str | None:
    from botocore.exceptions import ClientError

    try:
        return workflows.describe(arn)["status"]
    except ClientError:
        return None

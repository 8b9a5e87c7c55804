"""Every function's role allows what its code calls, and nothing more.

The local stack checks each function's requests against the statements its role gets
from infra/template.yaml (ezd/local/iam_enforcement.py), so the whole suite runs as it
would under real roles: a call a role lacks fails its test. This file shows the other
half: after a run through every function's work, every action of every statement, on
every resource it names, was used by that function.

SP25 and SP26 are this file's units.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from ezd import clock
from ezd.samples.letters import executable_scan, make_letter
from testkit import wait_for as _wait

pytestmark = pytest.mark.stack

UNIT, OTHER = "SP25", "SP26"
# Grants used by a browser with the function's signature rather than by the function:
# the pre-signed POST of a scan and the pre-signed download links of archived files.
SIGNED_FOR_BROWSERS = {
    ("ApiFunction", "s3:PutObject", "uploads/*"),
    ("ApiFunction", "s3:GetObject", "sha256/*"),
    ("ApiFunction", "s3:GetObject", "letter-previews/*"),
}


def _invoke(stack, logical_id: str, payload: dict) -> dict:
    from ezd.adapters.aws import client

    response = client("lambda").invoke(FunctionName=stack.provisioned.functions[logical_id],
                                       Payload=json.dumps(payload).encode())
    body = json.loads(response["Payload"].read())
    assert not response.get("FunctionError"), body
    return body


def _every_function_at_work(stack, api, deliverer, paper_desk, epuap_sign) -> None:
    from ezd.adapters import routing_store
    from ezd.adapters.epuap_soap import build_push_request
    from ezd.models.epuap import PulledDocument
    from ezd.adapters import directory_store

    clerk, director, officer = (f"{UNIT.lower()}.{s}" for s in ("sekretariat", "dyrektor", "kadry"))

    def by_pull(raw: bytes):
        """Sent to the unit's box; collected by the poller Lambda, as the schedule runs it."""
        deliverer.send(UNIT, raw)
        _invoke(stack, "EpuapPollerFunction", {"unit": UNIT})
        (outcome,) = deliverer.outcomes(UNIT, raw)
        return outcome

    # ePUAP by pull: poller, parse, verify, store, register, receipt, notify, classify, await.
    letter = by_pull(make_letter(title=f"Prośba o spotkanie {time.time_ns()}"))
    doc = letter.document_id
    _wait(lambda: (s := routing_store.get_routing(doc)) and s.waiting_for == "classification", "the desk's queue")
    # A copy for the officer, who opens a case from it: the routing is released at once.
    copy = api.call("POST", f"/units/{UNIT}/documents/{doc}/decretations", user=director,
                    json_body={"login": officer, "kind": "do_wiadomosci"}).body
    case = api.call("POST", f"/units/{UNIT}/cases", user=officer, json_body={
        "jrwa_symbol": "110", "title": "Spotkanie", "deadline_preset": "immediate", "document_id": doc}).body
    assert api.call("POST", f"/units/{UNIT}/documents/{doc}/decretations/{copy['decretation_id']}/acknowledge",
                    user=officer).status == 200
    # A letter decreed by the model and accepted: a decision handed to the waiting step.
    complaint = by_pull(make_letter(title=f"Skarga na hałas {time.time_ns()}"))
    from ezd.samples.letters import hostile_samples

    assert by_pull(hostile_samples()["missing_title"][0]).status == "rejected"
    _wait(lambda: (s := routing_store.get_routing(complaint.document_id)) and s.waiting_for == "decision", "the model")
    assert api.call("POST", f"/units/{UNIT}/documents/{complaint.document_id}/accept", user=director).status == 200
    # An answer drafted in the case: its file archived by the API.
    from ezd.samples.letters import sample_pdf
    from testkit import post_form

    content = sample_pdf(900, seed=time.time_ns())
    draft_ticket = api.call("POST", f"/units/{UNIT}/uploads", user=officer,
                            json_body={"filename": "odpowiedz.pdf", "size": len(content), "purpose": "draft"}).body
    assert post_form(draft_ticket["url"], draft_ticket["fields"], content, "odpowiedz.pdf") in (200, 201, 204)
    drafted = api.call("POST", f"/units/{UNIT}/cases/{case['ref']}/outgoing", user=officer, json_body={
        "title": "Odpowiedź", "upload_id": draft_ticket["upload_id"]}).body
    outgoing = f"/units/{UNIT}/outgoing/{drafted['document']['outgoing_id']}"
    # …approved and sealed with the unit's seal (the API reads its secret).
    assert api.call("PUT", f"{outgoing}/addressees", user=officer,
                    json_body={"addressees": [{"contractor_id": f"unit-{OTHER}"}]}).status == 200
    assert api.call("POST", f"{outgoing}/submit", user=officer).status == 200
    assert api.call("POST", f"{outgoing}/decision", user=director, json_body={"decision": "approved"}).status == 200
    preview = api.call("POST", f"/units/{UNIT}/letter-templates/std-odpowiedz-na-wniosek/preview", user=officer,
                       json_body={"case_ref": case["ref"]})
    assert preview.status == 200, preview.body
    sealed = api.call("POST", f"{outgoing}/seal", user=officer)
    assert sealed.status == 200 and sealed.body["document"]["signing"]["report"]["signature"] == "valid", sealed.body
    # …and dispatched by e-Doręczenia: the API starts the dispatch workflow, whose function
    # sends it, archives its evidences and marks it delivered; then the scheduled check.
    _electronic_dispatch_at_work(stack, api, outgoing, officer, clerk)
    # Paper: an upload registered (its intake followed), one missing, one rejected.
    registered = paper_desk.register(UNIT, title=f"Pismo papierowe {time.time_ns()}")
    assert registered.status == 201, registered.body
    assert api.call("GET", f"/units/{UNIT}/intakes/{registered.body['intake_id']}", user=clerk).status == 200
    assert api.call("GET", f"/units/{UNIT}/intakes/{'0' * 32}", user=clerk).status == 404  # asked of Step Functions
    ticket = api.call("POST", f"/units/{UNIT}/uploads", user=clerk, json_body={"filename": "a.pdf", "size": 10}).body
    missing = api.call("POST", f"/units/{UNIT}/paper-letters", user=clerk, json_body={
        "upload_id": ticket["upload_id"], "channel": "post", "metadata": {"title": "x", "sender": {
            "kind": "person", "first_names": "Jan", "surname": "Kowalski", "town": "Lublin", "country": "PL"}}})
    assert missing.status == 409
    assert paper_desk.register(UNIT, title="Program", scan=executable_scan(time.time_ns())).status == 422
    # ePUAP by push, and a signed but malformed push kept in the quarantine.
    box = directory_store.get_unit(OTHER)
    pushed = epuap_sign(build_push_request(PulledDocument(
        sender_id="x", sender_type="F", delivered_at=clock.now_utc(), box_name=box.box_name,
        box_address=box.esp_address, filename="p.xml", content=make_letter(title=f"Push {time.time_ns()}"))))
    assert api.call("POST", f"/epuap/push/{OTHER}", raw=pushed, content_type="text/xml").status == 200
    broken = epuap_sign(b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
                        b"<s:Header/><s:Body><x>" + str(time.time_ns()).encode() + b"</x></s:Body></s:Envelope>")
    assert api.call("POST", f"/epuap/push/{OTHER}", raw=broken, content_type="text/xml").status == 400
    # Configuration, the register by date, the deadline watch, the anchor and the metryka.
    rule = {"rule_id": "proba", "owner": UNIT, "kind": "title_words", "pattern": "próba uprawnień", "jrwa_symbol": "051"}
    assert api.call("PUT", f"/units/{UNIT}/classification-rules", user=f"{UNIT.lower()}.admin",
                    json_body={"rules": [rule]}).status == 200
    today = clock.today().isoformat()
    assert api.call("GET", f"/units/{UNIT}/registry?date_from={today}", user=clerk).status == 200
    _invoke(stack, "EpuapPollerFunction", {"source": "schedule"})  # every unit's box
    # e-Doręczenia: a message the poll collects (and subscribes the mailbox), then one the callback announces.
    _edoreczenia_at_work(stack, api, clerk)
    _invoke(stack, "DeadlineWatchFunction", {"unit": UNIT, "today": (clock.today() + timedelta(days=400)).isoformat()})
    _invoke(stack, "AuditAnchorFunction", {"unit": UNIT, "force": True})
    _invoke(stack, "AuditAnchorFunction", {"unit": UNIT, "force": True})
    assert api.call("GET", f"/units/{UNIT}/cases/{case['ref']}/metryka/verify", user=officer).body["ok"] is True


def _edoreczenia_at_work(stack, api, clerk: str) -> None:
    import base64
    import urllib.request

    from ezd.adapters import directory_store
    from ezd.samples.letters import sample_pdf

    ade = directory_store.get_unit(UNIT).ade

    def deliver(subject: str) -> None:
        body = {"to": ade, "from": "AE:PL-06026-77354-UMVTB-68", "public_sender": True, "subject": subject,
                "attachments": [{"filename": "a.pdf", "contentType": "application/pdf",
                                 "content": base64.b64encode(sample_pdf(1000, seed=time.time_ns() % 10**6)).decode()}]}
        request = urllib.request.Request(f"{stack.edoreczenia.base_url}/_sim/deliver", data=json.dumps(body).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=30).close()

    def registered() -> int:
        year = clock.local_year(clock.now_utc())
        items = api.call("GET", f"/units/{UNIT}/registry?year={year}&channel=edoreczenia", user=clerk).body["items"]
        return len(items)

    before = registered()
    deliver(f"e-Doręczenia z poll {time.time_ns()}")
    assert _invoke(stack, "EdoreczeniaPollerFunction", {"unit": UNIT})["mailboxes"][0]["collected"] == 1
    deliver(f"e-Doręczenia z callback {time.time_ns()}")  # the mailbox is subscribed now
    _wait(lambda: registered() == before + 2, "both e-Doręczenia messages registered", timeout=60)


def _electronic_dispatch_at_work(stack, api, outgoing: str, officer: str, clerk: str) -> None:
    from ezd.adapters import directory_store

    stack.edoreczenia.set_policy(directory_store.get_unit(OTHER).ade, "collect")  # SP26 collects at once
    dispatched = api.call("POST", f"{outgoing}/dispatch", user=officer, json_body={})
    assert dispatched.status == 200, dispatched.body
    (item,) = dispatched.body["items"]
    view = f"/units/{UNIT}/outgoing-register/{item['year']}/{item['number']}"
    _wait(lambda: api.call("GET", view, user=clerk).body["item"]["status"] == "delivered", "delivered", timeout=60)
    assert _invoke(stack, "DispatchSendFunction", {"source": "schedule"})["errors"] == []


def _resource_tail(resource: str) -> str:
    return resource.rsplit("/", 1)[-1] if resource.count("/") == 1 else resource.split("/", 1)[-1]


def test_no_role_allows_more_than_its_function_uses(stack, api, deliverer, paper_desk, epuap_sign):
    from ezd.local.iam_policies import _glob

    from ezd.adapters import secrets, unit_seal

    enforcer = stack.enforcer
    enforcer.reset()
    secrets.forget()  # every function starts cold, and reads the secrets its role allows
    unit_seal.forget()
    _every_function_at_work(stack, api, deliverer, paper_desk, epuap_sign)
    assert not enforcer.denied(), enforcer.denied()
    used = enforcer.used()
    unused: list[str] = []
    for logical_id, name in stack.provisioned.functions.items():
        calls = used.get(name, set())
        for statement in enforcer.statements(name):
            for action in statement.actions:
                for resource in statement.resources:
                    if (logical_id, action, _resource_tail(resource)) in SIGNED_FOR_BROWSERS:
                        continue
                    if not any(_glob(action, c.action, ignore_case=True) and
                               (_glob(resource, c.resource) or ("*" in c.resource and _glob(c.resource, resource)))
                               for c in calls):
                        unused.append(f"{logical_id}: {action} on {resource}")
    assert not unused, "granted but never used:\n" + "\n".join(unused)

"""Electronic dispatch of a sealed answer, on the local stack, through the HTTP API: the
dispatch call registers the items ``sending`` and starts the dispatch workflow; the
workflow sends through the simulators (e-Doręczenia, ePUAP nadaj, ePUAP dorecz), archives
every evidence and moves the item sent → delivered at the evidence's time, or failed with
the reason. Asserted from the register, the item's view (its evidences downloadable), the
case's metryka and the simulators' own state.

Units used here and nowhere else: P61 (e-Doręczenia, delivered), P62 (e-Doręczenia, a 503
retried and a lost answer resolved by look-up, one message each), P63 (e-Doręczenia refused), P64 (ePUAP nadaj to P69's box),
P65 (ePUAP dorecz to a person's box, and the refusal of a PDF for dorecz).
"""

from __future__ import annotations

import io
import urllib.request
import zipfile
from datetime import datetime

import pytest

from ezd.samples.letters import sample_pdf
from testkit import post_form, wait_for

pytestmark = [pytest.mark.stack, pytest.mark.dates]

XML_ANSWER = ('<?xml version="1.0" encoding="UTF-8"?><pismo xmlns="urn:ezd:test:pismo">'
              "<tresc>Odpowiedź na wniosek o wydanie zaświadczenia.</tresc></pismo>").encode()


def _people(unit: str) -> tuple[str, str, str]:
    return tuple(f"{unit.lower()}.{s}" for s in ("sekretariat", "dyrektor", "kadry"))  # type: ignore[return-value]


def _upload(api, unit: str, officer: str, name: str, content: bytes) -> str:
    ticket = api.call("POST", f"/units/{unit}/uploads", user=officer,
                      json_body={"filename": name, "size": len(content), "purpose": "draft"}).body
    assert post_form(ticket["url"], ticket["fields"], content, name) in (200, 201, 204)
    return ticket["upload_id"]


def _case(api, unit: str) -> str:
    _, director, officer = _people(unit)
    opened = api.call("POST", f"/units/{unit}/cases", user=director, json_body={
        "jrwa_symbol": "051", "title": "Korespondencja", "cell": "KAD", "officer": officer})
    assert opened.status == 201, opened.body
    return opened.body["ref"]


def _contractor(api, unit: str, details: dict) -> str:
    added = api.call("POST", f"/units/{unit}/contractors", user=_people(unit)[2], json_body=details)
    assert added.status == 201, added.body
    return added.body["contractor_id"]


def _sealed(api, unit: str, ref: str, addressee: str, name: str = "odpowiedz.pdf", content: bytes | None = None) -> str:
    _, director, officer = _people(unit)
    body = content if content is not None else sample_pdf(2500, seed=sum(map(ord, unit)))
    created = api.call("POST", f"/units/{unit}/cases/{ref}/outgoing", user=officer, json_body={
        "title": f"Odpowiedź z {unit}", "upload_id": _upload(api, unit, officer, name, body)})
    assert created.status == 201, created.body
    path = f"/units/{unit}/outgoing/{created.body['document']['outgoing_id']}"
    assert api.call("PUT", f"{path}/addressees", user=officer,
                    json_body={"addressees": [{"contractor_id": addressee}]}).status == 200
    assert api.call("POST", f"{path}/submit", user=officer).status == 200
    assert api.call("POST", f"{path}/decision", user=director, json_body={"decision": "approved"}).status == 200
    sealed = api.call("POST", f"{path}/seal", user=officer)
    assert sealed.status == 200, sealed.body
    return path


def _dispatch(api, unit: str, path: str, method: str | None = None) -> dict:
    body = {"choices": [{"addressee": 0, "method": method}]} if method else {}
    done = api.call("POST", f"{path}/dispatch", user=_people(unit)[2], json_body=body)
    assert done.status == 200, done.body
    (item,) = done.body["items"]
    assert item["status"] == "sending"  # registered; the workflow sends
    return item


def _item_view(api, unit: str, item: dict, user: str | None = None) -> dict:
    found = api.call("GET", f"/units/{unit}/outgoing-register/{item['year']}/{item['number']}",
                     user=user or _people(unit)[0])
    assert found.status == 200, found.body
    return found.body


def _settled(api, unit: str, item: dict, timeout: float = 90) -> dict:
    return wait_for(lambda: (v := _item_view(api, unit, item))["item"]["status"] in ("delivered", "failed") and v,
                    f"{item['registry_number']} delivered or failed", timeout=timeout)


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _signed_files(api, unit: str, path: str) -> dict[str, bytes]:
    view = api.call("GET", path, user=_people(unit)[2]).body
    return {f["name"]: _download(f["url"]) for f in view["signed_links"]}


def _metryka(api, unit: str, ref: str) -> list[dict]:
    return api.call("GET", f"/units/{unit}/cases/{ref}/metryka", user=_people(unit)[1]).body["entries"]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _sent_by(stack, unit: str) -> list:
    from ezd.adapters import directory_store

    ade = directory_store.get_unit(unit).ade
    with stack.edoreczenia.store.lock:
        return [m for m in stack.edoreczenia.store.messages.values() if m.owner == ade and m.label == "SENT"]


def test_a_sealed_pdf_goes_by_edoreczenia_with_its_xades_and_is_delivered_at_the_evidences_time(stack, api):
    unit, ade = "P61", "AE:PL-61061-61061-FIRMA-61"
    stack.edoreczenia.register_address(ade, "Hurtownia Sześćdziesiąt Jeden", public=False, external=True,
                                       policy="collect")
    ref = _case(api, unit)
    firm = _contractor(api, unit, {"kind": "institution", "institution": "Hurtownia Sześćdziesiąt Jeden", "ade": ade})
    path = _sealed(api, unit, ref, firm)
    item = _dispatch(api, unit, path)
    assert item["method"] == "edoreczenia" and item["addressee_address"] == ade

    view = _settled(api, unit, item)
    line = view["item"]
    assert line["status"] == "delivered", line

    # The simulator got one message with the signed document and its detached XAdES beside it.
    (message,) = _sent_by(stack, unit)
    signed = _signed_files(api, unit, path)
    assert len(signed) == 2 and any(n.endswith(".xades") for n in signed)
    assert {f.filename: f.data for f in message.attachments} == signed
    assert message.recipient == ade and line["channel_ids"]["edoreczenia_message_id"] == message.message_id

    # Every evidence archived and downloadable, the same bytes as the service's.
    by_id = {e.evidence_id: e for e in message.evidences}
    codes = [link["evidence"]["code"] for link in view["evidences"]]
    assert {"BP.WX", "BP.OX"} <= set(codes), codes
    for link in view["evidences"]:
        assert _download(link["url"]) == by_id[link["evidence"]["evidence_id"]].xml
    receipt = next(e for e in message.evidences if e.type == "BP.OX")
    assert _when(line["delivered_at"]) == _ms(receipt.event_date)

    # The officer who answered sees it too; the unit's administrator does not.
    assert _item_view(api, unit, item, user=_people(unit)[2])["item"]["status"] == "delivered"
    refused = api.call("GET", f"/units/{unit}/outgoing-register/{item['year']}/{item['number']}",
                       user=f"{unit.lower()}.admin")
    assert refused.status == 403, refused.body

    actions = [(e["action"], e["actor"]["login"]) for e in _metryka(api, unit, ref)]
    assert ("dispatched", "system") in actions and ("delivery_confirmed", "system") in actions
    register = api.call("GET", f"/units/{unit}/outgoing-register", user=_people(unit)[0]).body
    assert [i["status"] for i in register["items"]] == ["delivered"]


def test_a_503_or_a_lost_answer_from_edoreczenia_is_retried_and_only_one_message_is_sent(stack, api):
    unit, ade = "P62", "AE:PL-62062-62062-FIRMA-62"
    stack.edoreczenia.register_address(ade, "Hurtownia Sześćdziesiąt Dwa", public=False, external=True,
                                       policy="collect")
    ref = _case(api, unit)
    firm = _contractor(api, unit, {"kind": "institution", "institution": "Hurtownia Sześćdziesiąt Dwa", "ade": ade})
    path = _sealed(api, unit, ref, firm)
    injected = stack.edoreczenia.faults.injected
    stack.edoreczenia.faults.add(1, "503", method="POST", path_contains="/drafts/send")
    item = _dispatch(api, unit, path)
    line = _settled(api, unit, item)["item"]
    assert line["status"] == "delivered", line
    assert stack.edoreczenia.faults.injected == injected + 1
    assert len(_sent_by(stack, unit)) == 1

    # The send carried out, then its connection reset: found by its reference, not sent again.
    stack.edoreczenia.faults.add(1, "reset_after", method="POST", path_contains="/drafts/send")
    again = _dispatch(api, unit, _sealed(api, unit, ref, firm))
    line = _settled(api, unit, again)["item"]
    assert line["status"] == "delivered", line
    assert stack.edoreczenia.faults.injected == injected + 2
    assert len(_sent_by(stack, unit)) == 2
    assert line["channel_ids"]["edoreczenia_message_id"] in {m.message_id for m in _sent_by(stack, unit)}


def test_a_refusal_by_edoreczenia_ends_failed_with_the_reason_in_the_register_and_the_metryka(stack, api):
    unit, ade = "P63", "AE:PL-63063-63063-ODMOW-63"
    stack.edoreczenia.register_address(ade, "Odmowa Sześćdziesiąt Trzy", public=False, external=True, policy="reject")
    ref = _case(api, unit)
    firm = _contractor(api, unit, {"kind": "institution", "institution": "Odmowa Sześćdziesiąt Trzy", "ade": ade})
    item = _dispatch(api, unit, _sealed(api, unit, ref, firm))
    view = _settled(api, unit, item)
    line = view["item"]
    assert line["status"] == "failed" and line["failure_reason"], line
    assert line["delivered_at"] is None
    assert [link["evidence"]["code"] for link in view["evidences"]] == ["A.2"]
    register = api.call("GET", f"/units/{unit}/outgoing-register", user=_people(unit)[0]).body
    assert register["items"][0]["failure_reason"] == line["failure_reason"]
    failed = [e for e in _metryka(api, unit, ref) if e["action"] == "dispatch_failed"]
    assert len(failed) == 1 and line["failure_reason"][:100] in failed[0]["summary"], failed


def test_epuap_nadaj_to_a_city_units_box_brings_its_upp_onto_the_item(stack, api):
    unit = "P64"
    ref = _case(api, unit)
    path = _sealed(api, unit, ref, "unit-P69")
    item = _dispatch(api, unit, path, method="epuap_nadaj")
    assert item["addressee_address"] == "/p69lublin/SkrytkaESP"
    view = _settled(api, unit, item)
    line = view["item"]
    assert line["status"] == "delivered", line
    (upp,) = view["evidences"]
    assert upp["evidence"]["code"] == "UPP" and upp["evidence"]["evidence_id"] == line["channel_ids"]["epuap_upp_id"]
    assert b"SIM-UPP-" in _download(upp["url"])
    assert _when(line["delivered_at"]) == _when(upp["evidence"]["at"])

    # One document in the box: a ZIP of the signed PDF and its XAdES.
    (waiting,) = [d for d in stack.simulator.waiting("/p69lublin/SkrytkaESP") if d.filename.endswith(".zip")]
    with zipfile.ZipFile(io.BytesIO(waiting.content)) as packed:
        assert {n: packed.read(n) for n in packed.namelist()} == _signed_files(api, unit, path)


def test_epuap_dorecz_of_a_sealed_xml_waits_for_its_upd_and_a_pdf_is_refused(stack, api):
    unit, box = "P65", "/jan-kowalski-65/skrytka"
    stack.simulator.register_box("jan-kowalski-65", "skrytka", box)
    ref = _case(api, unit)
    person = _contractor(api, unit, {"kind": "person", "first_names": "Jan", "surname": "Kowalski",
                                     "esp_address": box})
    pdf = _sealed(api, unit, ref, person)
    refused = api.call("POST", f"{pdf}/dispatch", user=_people(unit)[2], json_body={})  # dorecz: the person's default
    assert refused.status == 409 and refused.body["error_code"] == "DISPATCH_DORECZ_NEEDS_SIGNED_XML", refused.body
    assert api.call("GET", f"/units/{unit}/outgoing-register", user=_people(unit)[0]).body["total"] == 0

    path = _sealed(api, unit, ref, person, name="odpowiedz.xml", content=XML_ANSWER)
    item = _dispatch(api, unit, path)
    assert item["method"] == "epuap_dorecz"
    sent = wait_for(lambda: (v := _item_view(api, unit, item))["item"]["status"] == "sent" and v, "sent", timeout=60)
    order_id = sent["item"]["channel_ids"]["epuap_order_id"]
    (document,) = stack.simulator.waiting(box)
    assert document.content == next(iter(_signed_files(api, unit, path).values()))

    (upd_id,) = stack.simulator.collect_dorecz(order_id=order_id)  # the addressee signs the UPD
    view = _settled(api, unit, item)
    line = view["item"]
    assert line["status"] == "delivered", line
    (upd,) = view["evidences"]
    assert upd["evidence"]["code"] == "UPD" and upd["evidence"]["evidence_id"] == upd_id
    order = next(o for o in stack.simulator.dorecz.orders.values() if o.order_id == order_id)
    assert _when(line["delivered_at"]) == _ms(order.collected_at)
    assert upd_id.encode() in _download(upd["url"])
    assert [e["action"] for e in _metryka(api, unit, ref)].count("delivery_confirmed") == 1

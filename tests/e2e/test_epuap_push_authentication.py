"""The ePUAP push endpoint accepts only ePUAP: the forged push of the issue (a letter
"received" on 2026-01-15, straight into a unit's register) is refused and leaves no trace.

SP51 is this file's unit.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from ezd import clock
from ezd.samples.letters import make_letter, make_signer

pytestmark = pytest.mark.stack

UNIT = "SP51"


def _push_request(raw: bytes, delivered_at: datetime) -> bytes:
    from ezd.adapters import directory_store
    from ezd.adapters.epuap_soap import build_push_request
    from ezd.models.epuap import PulledDocument

    box = directory_store.get_unit(UNIT)
    return build_push_request(PulledDocument(
        sender_id="jan.kowalski", sender_type="F", sender_first_name="Jan", sender_name="Kowalski",
        delivered_at=delivered_at, box_name=box.box_name, box_address=box.esp_address,
        filename="pismo.xml", content_type="text/xml", content=raw))


def _traces(api, stack, title: str, day: date) -> dict:
    """Everything an accepted push could have left behind."""
    import boto3

    from ezd.config import settings

    s3 = boto3.client("s3", endpoint_url=stack.info.moto_url, region_name=settings().region)
    quarantined = s3.list_objects_v2(Bucket=settings().quarantine_bucket, Prefix=f"{UNIT}/").get("KeyCount", 0)
    staged = s3.list_objects_v2(Bucket=settings().staging_bucket, Prefix=f"incoming/{UNIT}/").get("KeyCount", 0)
    report = api.call("GET", f"/units/{UNIT}/reports/intake?date={day.isoformat()}", user="sp51.sekretariat").body
    register = api.call("GET", f"/units/{UNIT}/registry?year={day.year}", user="sp51.sekretariat").body["items"]
    quarantine = api.call("GET", f"/units/{UNIT}/quarantine", user="sp51.sekretariat").body["items"]
    return {"quarantine_objects": quarantined, "staged_objects": staged, "report_lines": report["count"],
            "titles": [e["title"] for e in register if e["title"] == title], "quarantine_records": len(quarantine)}


def _answer(response) -> int:
    from ezd.adapters.epuap_soap import parse_push_response

    return parse_push_response(response.raw).status.kod


def test_a_forged_push_is_refused_and_nothing_of_it_is_stored(api, stack):
    title = f"Wniosek wsteczny {time.time_ns()}"
    backdated = datetime(2026, 1, 15, 9, 0, tzinfo=clock.WARSAW)
    before = _traces(api, stack, title, backdated.date())
    stranger = make_signer("Nie ePUAP")
    key = stranger.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
    from ezd.adapters.wssecurity import sign_envelope

    unsigned = _push_request(make_letter(title=title), backdated)
    wrongly_signed = sign_envelope(unsigned, key, stranger.cert.public_bytes(serialization.Encoding.PEM))
    for body in (unsigned, wrongly_signed, b"<oops/>", b"x" * 1_000_000):
        response = api.call("POST", f"/epuap/push/{UNIT}", raw=body, content_type="text/xml; charset=utf-8")
        assert response.status == 401, response.raw[:300]
        assert _answer(response) == 401
    time.sleep(0.5)  # nothing may have started either
    assert _traces(api, stack, title, backdated.date()) == before


def test_a_push_signed_by_epuap_whose_date_was_changed_is_refused(api, stack, epuap_sign):
    title = f"Pismo z przerobioną datą {time.time_ns()}"
    signed = epuap_sign(_push_request(make_letter(title=title), clock.now_utc())).decode()
    forged = re.sub(r"(<ob:DataNadania[^>]*>)[^<]+", r"\g<1>2026-01-15T10:00:00.000+01:00", signed)
    response = api.call("POST", f"/epuap/push/{UNIT}", raw=forged.encode(), content_type="text/xml")
    assert response.status == 401
    assert _traces(api, stack, title, date(2026, 1, 15))["titles"] == []


def test_the_date_of_receipt_is_epuaps_not_the_senders(api, epuap_sign):
    """The letter itself says it was written (and "received") long ago: the register keeps
    the time ePUAP stated in its signed metadata."""
    from ezd.adapters.epuap_soap import parse_push_response

    title = f"Podanie datowane wstecz {time.time_ns()}"
    letter = make_letter(title=title, letter_date="2026-01-15")
    delivered = clock.now_utc().replace(microsecond=0) - timedelta(minutes=2)
    response = api.call("POST", f"/epuap/push/{UNIT}", raw=epuap_sign(_push_request(letter, delivered)),
                        content_type="text/xml")
    assert response.status == 200, response.raw
    intake_id = parse_push_response(response.raw).document_id
    deadline = time.monotonic() + 30
    while (outcome := api.call("GET", f"/units/{UNIT}/intakes/{intake_id}", user="sp51.sekretariat")).status == 202:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    entry = api.call("GET", f"/units/{UNIT}/documents/{outcome.body['document_id']}", user="sp51.sekretariat").body["entry"]
    assert datetime.fromisoformat(entry["received_at"]) == delivered
    assert entry["letter_date"] == "2026-01-15"


def test_the_simulator_in_push_mode_signs_and_the_endpoint_registers(api, stack, deliverer):
    """End to end: a member of the public sends (nadaj), ePUAP pushes the letter, signed,
    to the unit's endpoint, which registers it; nothing is left waiting for pull."""
    from ezd.adapters import directory_store

    box = directory_store.get_unit(UNIT).esp_address
    stack.simulator.set_push(box, f"{stack.info.api_url}/epuap/push/{UNIT}")
    try:
        raw = make_letter(title=f"Pismo przez push {time.time_ns()}")
        deliverer.send(UNIT, raw)
        (outcome,) = deliverer.outcomes(UNIT, raw)
        assert outcome.status == "registered" and outcome.registry_number
        stats = stack.simulator.box_stats(box)
        assert stats["pushed"] >= 1 and stats["waiting"] == 0
    finally:
        stack.simulator.set_push(box, None)

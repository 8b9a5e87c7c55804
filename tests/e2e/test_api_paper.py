"""The registry desk registers scanned paper letters through the portal API.

Units used here and nowhere else: SP40 (numbering, metadata), SP41 (rejections).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ezd.samples.letters import sample_pdf

pytestmark = [pytest.mark.stack, pytest.mark.dates]

WARSAW = ZoneInfo("Europe/Warsaw")
NUMBER = re.compile(r"^RPW/(\d+)/(\d{4})$")
_seeds = itertools.count(1)


def unique_scan(size: int = 700) -> bytes:
    return sample_pdf(size, seed=time.time_ns() + next(_seeds))


def person(**overrides: str) -> dict:
    sender = {
        "kind": "person",
        "first_names": "Jan Maria",
        "surname": "Kowalski",
        "town": "Lublin",
        "country": "PL",
        "street": "ul. Narutowicza 1",
        "postal_code": "20-001",
    }
    sender.update(overrides)
    return sender


def _now_iso() -> str:
    from ezd import clock

    return clock.now_utc().isoformat()


def paper_body(title: str, received_at: str, *, channel: str = "post", scan: bytes | None = None,
               filename: str = "skan.pdf", sender: dict | None = None, **metadata) -> dict:
    return {
        "filename": filename,
        "scan": scan if scan is not None else unique_scan(),
        "channel": channel,
        "received_at": received_at,
        "metadata": {"title": title, "sender": sender or person(), **metadata},
    }


def register(api, unit: str, body: dict, user: str | None = None, wait: int = 20, confirm_backdating: bool = True):
    """Upload the scan, have an old date of receipt confirmed by the director, register."""
    from testkit import PaperDesk

    return PaperDesk(api).submit(unit, body, clerk=user or f"{unit.lower()}.sekretariat", wait=wait,
                                 confirm_backdating=confirm_backdating)


def poll_intake(api, unit: str, intake_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = api.call("GET", f"/units/{unit}/intakes/{intake_id}", user=f"{unit.lower()}.sekretariat")
        if response.status == 200:
            return response.body
        assert response.status == 202, response.body
        time.sleep(0.1)
    raise AssertionError(f"intake {intake_id} of {unit} not finished within {timeout}s")


# --------------------------------------------------------------------------- registration


def test_paper_letters_are_numbered_per_year_of_warsaw_receipt_time(api):
    unit = "SP40"
    # 23:59:30 on 31 Dec 2025 in Warsaw, and 00:00:30 on 1 Jan 2026 in Warsaw (both given in UTC).
    last_of_2025 = paper_body("Podanie z 31 grudnia", "2025-12-31T22:59:30Z", channel="post")
    first_of_2026 = paper_body("Podanie z 1 stycznia", "2025-12-31T23:00:30+00:00", channel="courier")
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda body: register(api, unit, body), [last_of_2025, first_of_2026])
    assert (a.status, a.body["status"], a.body["registry_number"]) == (201, "registered", "RPW/1/2025"), a.body
    assert (b.status, b.body["status"], b.body["registry_number"]) == (201, "registered", "RPW/1/2026"), b.body

    scan = unique_scan(1500)
    full = paper_body(
        "Wniosek o wydanie duplikatu świadectwa",
        "2026-01-02T10:15:00+01:00",
        channel="in_person",
        scan=scan,
        filename="wniosek-duplikat.pdf",
        sender=person(first_names="Zofia", surname="Wójcik-Łęcka", town="Świdnik", country="Polska"),
        letter_date="2025-12-29",
        sender_reference="ZW/12/2025",
        access="publiczny – dostępny częściowo",
        kind="wniosek",
        remarks="Złożono osobiście w sekretariacie",
    )
    c = register(api, unit, full)
    assert c.status == 201, c.body
    assert c.body["status"] == "registered"
    assert c.body["registry_number"] == "RPW/2/2026" and NUMBER.match(c.body["registry_number"])
    assert c.body["unit"] == unit and c.body["channel"] == "in_person"
    assert c.body["sha256"] == hashlib.sha256(scan).hexdigest()
    assert c.body["status_url"] == f"/units/{unit}/intakes/{c.body['intake_id']}"
    assert c.body["document_id"]

    # Without waiting: 202 with the status URL; the intake finishes in the background.
    d_body = paper_body("Zawiadomienie kurierem", "2026-01-03T08:00:00+01:00", channel="courier")
    d = register(api, unit, d_body, wait=0)
    assert d.status in (201, 202), d.body
    if d.status == 202:
        assert d.body["status"] == "processing"
    finished = poll_intake(api, unit, d.body["intake_id"])
    assert finished["status"] == "registered"
    assert finished["registry_number"] == "RPW/3/2026"

    # The same scan with the same metadata again is the same letter: it keeps the first
    # number, takes no new one.
    again = register(api, unit, {**full, "received_at": "2026-01-04T09:00:00+01:00"})
    assert again.status == 200, again.body  # nothing new was created
    assert again.body["status"] == "duplicate"
    assert again.body["registry_number"] == "RPW/2/2026"
    assert again.body["document_id"] == c.body["document_id"]

    # What the clerk typed is what the register holds.
    item = api.call("GET", f"/units/{unit}/documents/{c.body['document_id']}", user="sp40.sekretariat")
    assert item.status == 200, item.body
    entry = item.body["entry"]
    assert entry["registry_number"] == "RPW/2/2026" and (entry["year"], entry["number"]) == (2026, 2)
    assert entry["title"] == "Wniosek o wydanie duplikatu świadectwa"
    assert entry["channel"] == "in_person"
    assert datetime.fromisoformat(entry["received_at"]) == datetime.fromisoformat("2026-01-02T10:15:00+01:00")
    assert entry["received_date"] == "2026-01-02"
    assert entry["letter_date"] == "2025-12-29"
    assert entry["sender_reference"] == "ZW/12/2025"
    assert entry["access"] == "publiczny – dostępny częściowo"
    assert entry["kind"] == "wniosek"
    assert entry["remarks"] == "Złożono osobiście w sekretariacie"
    assert entry["registered_by"] == "sp40.sekretariat"
    assert entry["format"] == "application/pdf"
    sender = entry["sender"]
    assert (sender["first_names"], sender["surname"], sender["town"], sender["country"]) == (
        "Zofia", "Wójcik-Łęcka", "Świdnik", "Polska")
    assert sender["name"] == "Wójcik-Łęcka Zofia"

    # The register of each year holds exactly its own letters.
    r2025 = api.call("GET", f"/units/{unit}/registry?year=2025", user="sp40.sekretariat")
    assert [e["registry_number"] for e in r2025.body["items"]] == ["RPW/1/2025"]
    r2026 = api.call("GET", f"/units/{unit}/registry?year=2026", user="sp40.sekretariat")
    assert [e["registry_number"] for e in r2026.body["items"]] == ["RPW/3/2026", "RPW/2/2026", "RPW/1/2026"]
    assert r2026.body["items"][2]["title"] == "Podanie z 1 stycznia"
    assert r2026.body["items"][2]["received_date"] == "2026-01-01"


# --------------------------------------------------------------------------- rejections


def _pe_executable() -> bytes:
    return b"MZ" + b"\x00" * 0x3A + (0x40).to_bytes(4, "little") + b"PE\x00\x00\x4c\x01" + b"\x00" * 250


def test_executable_renamed_pdf_is_rejected_and_quarantined(api):
    unit = "SP41"
    program = _pe_executable() + str(time.time_ns()).encode()
    response = register(api, unit, paper_body("Faktura", "2026-03-02T09:00:00+01:00", scan=program,
                                              filename="faktura.pdf"))
    assert response.status == 422, response.body  # processed, and refused
    assert response.body["status"] == "rejected"
    assert response.body["error_code"] == "FORBIDDEN_FILE_TYPE"
    assert response.body["registry_number"] is None

    quarantine = api.call("GET", f"/units/{unit}/quarantine", user="sp41.sekretariat")
    assert quarantine.status == 200
    held = [q for q in quarantine.body["items"] if q["intake_id"] == response.body["intake_id"]]
    assert len(held) == 1
    assert held[0]["error_code"] == "FORBIDDEN_FILE_TYPE"
    assert held[0]["sha256"] == hashlib.sha256(program).hexdigest()
    assert held[0]["channel"] == "post"

    register_2026 = api.call("GET", f"/units/{unit}/registry?year=2026", user="sp41.sekretariat")
    assert register_2026.body["items"] == []


def _bad_bodies() -> dict[str, dict]:
    now = _now_iso()
    good = paper_body("Pismo", now)
    no_town = paper_body("Pismo", now, sender={k: v for k, v in person().items() if k != "town"})
    empty_town = paper_body("Pismo", now, sender=person(town=""))
    nameless = paper_body("Pismo", now, sender={"kind": "person", "town": "Lublin", "country": "PL"})
    return {
        "malformed_upload_id": {**good, "upload_id": "../../etc/passwd"},
        "missing_town": no_town,
        "empty_town": empty_town,
        "sender_without_name": nameless,
        "naive_received_at": {**good, "received_at": now[:19]},
        "epuap_channel": {**good, "channel": "epuap"},
        "unknown_channel": {**good, "channel": "pigeon"},
        "missing_title": {**good, "metadata": {**good["metadata"], "title": ""}},
        "bad_letter_date": {**good, "metadata": {**good["metadata"], "letter_date": "02.03.2026"}},
        "bad_access": {**good, "metadata": {**good["metadata"], "access": "tajne"}},
        "missing_metadata": {k: v for k, v in good.items() if k != "metadata"},
    }


@pytest.mark.parametrize("case", sorted(_bad_bodies()))
def test_invalid_upload_is_refused_with_400(api, case):
    response = register(api, "SP41", _bad_bodies()[case])
    assert response.status == 400, (case, response.status, response.body)
    assert response.body["error_code"] == "VALIDATION_FAILED"


@pytest.mark.parametrize("user", ["sp41.dyrektor", "sp41.archiwum"])
def test_only_the_registry_clerk_registers_paper_letters(api, user):
    response = register(api, "SP41", paper_body("Pismo dyrektora", "2026-03-02T09:00:00+01:00"), user=user)
    assert response.status == 403, response.body
    assert response.body["error_code"] == "FORBIDDEN"


def test_refused_uploads_leave_no_trace_in_the_register(api):
    unit = "SP41"
    for case, body in _bad_bodies().items():
        assert register(api, unit, body).status == 400, case
    assert register(api, unit, paper_body("x", "2026-03-02T09:00:00+01:00"), user="sp41.dyrektor").status == 403
    listing = api.call("GET", f"/units/{unit}/registry?year=2026", user="sp41.sekretariat")
    assert listing.status == 200
    assert listing.body["items"] == []


# --------------------------------------------------------------------------- uploads


def _desk(api):
    from testkit import PaperDesk

    return PaperDesk(api)


def test_the_scan_goes_to_s3_and_the_api_never_carries_it(api, stack):
    """A 7 MB scan: more than a Lambda's 6 MB payload, so it could never reach a deployed
    API in a request; the registration only names the upload."""
    unit = "SP54"
    scan = sample_pdf(7 * 1024 * 1024, seed=time.time_ns())
    ticket = api.call("POST", f"/units/{unit}/uploads", user="sp54.sekretariat",
                      json_body={"filename": "gruby-skan.pdf", "size": len(scan)})
    assert ticket.status == 201, ticket.body
    assert ticket.body["url"].startswith(stack.info.moto_url) and ticket.body["method"] == "POST"
    assert {"policy", "key"} <= set(ticket.body["fields"]) and ticket.body["expires_in"] <= 900
    assert ticket.body["fields"]["key"] == f"uploads/{unit}/{ticket.body['upload_id']}"
    desk = _desk(api)
    from testkit import post_form

    assert post_form(ticket.body["url"], ticket.body["fields"], scan, "gruby-skan.pdf") in (200, 201, 204)
    body = {"upload_id": ticket.body["upload_id"], "channel": "post", "received_at": _now_iso(),
            "metadata": {"title": "Gruby skan", "sender": person()}}
    import json as _json

    assert len(_json.dumps(body)) < 1000
    registered = desk.submit(unit, body)
    assert registered.status == 201, registered.body
    assert registered.body["sha256"] == hashlib.sha256(scan).hexdigest()
    item = api.call("GET", f"/units/{unit}/documents/{registered.body['document_id']}", user="sp54.sekretariat").body
    assert item["original"]["size"] == len(scan)


def test_an_upload_registers_one_letter_however_often_it_is_sent(api):
    unit = "SP54"
    desk = _desk(api)
    upload_id = desk.upload(unit, unique_scan())
    body = {"upload_id": upload_id, "channel": "post", "received_at": _now_iso(),
            "metadata": {"title": f"Podwójne kliknięcie {time.time_ns()}", "sender": person()}}
    first, second = desk.submit(unit, body), desk.submit(unit, body)
    assert first.status == second.status == 201, (first.body, second.body)
    assert first.body["intake_id"] == second.body["intake_id"]
    assert first.body["registry_number"] == second.body["registry_number"]


def test_registering_needs_a_real_upload_of_the_unit(api):
    desk = _desk(api)
    body = {"channel": "post", "received_at": _now_iso(), "metadata": {"title": "Pismo", "sender": person()}}
    unknown = api.call("POST", "/units/SP54/paper-letters", user="sp54.sekretariat",
                       json_body={**body, "upload_id": "0" * 32})
    assert unknown.status == 404 and unknown.body["error_code"] == "NOT_FOUND"
    ticket = api.call("POST", "/units/SP54/uploads", user="sp54.sekretariat", json_body={"filename": "a.pdf", "size": 10})
    never_sent = api.call("POST", "/units/SP54/paper-letters", user="sp54.sekretariat",
                          json_body={**body, "upload_id": ticket.body["upload_id"]})
    assert never_sent.status == 409 and never_sent.body["error_code"] == "UPLOAD_MISSING"
    other_units = desk.upload("SP55", unique_scan())
    foreign = api.call("POST", "/units/SP54/paper-letters", user="sp54.sekretariat",
                       json_body={**body, "upload_id": other_units})
    assert foreign.status == 404
    assert api.call("POST", "/units/SP54/uploads", user="sp54.dyrektor",
                    json_body={"filename": "a.pdf", "size": 10}).status == 403


def test_a_scan_over_the_limit_is_refused_before_and_after_the_upload(api, stack):
    from ezd.config import settings

    big = api.call("POST", "/units/SP54/uploads", user="sp54.sekretariat",
                   json_body={"filename": "ogromny.pdf", "size": settings().max_document_bytes + 1})
    assert big.status == 400 and big.body["error_code"] == "DOCUMENT_TOO_LARGE"
    # S3 enforces the size of a pre-signed POST; the local moto does not, so the
    # registration checks what arrived (and nothing is quarantined for it).
    current = settings()
    limit = current.max_document_bytes
    current.max_document_bytes = 5000
    try:
        desk = _desk(api)
        ticket = api.call("POST", "/units/SP54/uploads", user="sp54.sekretariat",
                          json_body={"filename": "skan.pdf", "size": 4000})
        from testkit import post_form

        post_form(ticket.body["url"], ticket.body["fields"], unique_scan(20_000), "skan.pdf")
        refused = desk.submit("SP54", {"upload_id": ticket.body["upload_id"], "channel": "post",
                                       "received_at": _now_iso(), "metadata": {"title": "Za duży", "sender": person()}})
    finally:
        current.max_document_bytes = limit
    assert refused.status == 400 and refused.body["error_code"] == "DOCUMENT_TOO_LARGE"


def test_the_same_scan_with_other_metadata_is_a_conflict_the_clerk_decides(api):
    """Bytes that match an earlier item with other metadata are not silently answered as
    that item: the clerk sees the earlier number and may register the letter anyway."""
    from ezd.services import audit

    unit = "SP55"
    scan = unique_scan(1200)
    first = register(api, unit, paper_body(f"Wniosek o zaświadczenie {time.time_ns()}", _now_iso(), scan=scan))
    assert first.status == 201, first.body
    other = paper_body("Wniosek o legitymację (ten sam formularz)", _now_iso(), scan=scan,
                       sender=person(first_names="Anna", surname="Zielińska"))
    conflict = register(api, unit, other)
    assert conflict.status == 409, conflict.body
    assert conflict.body["status"] == "conflict" and conflict.body["error_code"] == "DUPLICATE_SCAN"
    assert conflict.body["registry_number"] == first.body["registry_number"]
    assert first.body["registry_number"] in conflict.body["error_message"]
    listing = api.call("GET", f"/units/{unit}/registry", user="sp55.sekretariat").body["items"]
    assert [e["registry_number"] for e in listing] == [first.body["registry_number"]]

    anyway = register(api, unit, {**other, "upload_id": conflict.body["upload_id"],
                                  "duplicate_reason": "Inny uczeń złożył kopię tego samego formularza"})
    assert anyway.status == 201, anyway.body
    assert anyway.body["registry_number"] != first.body["registry_number"]
    (registered,) = [e for e in audit.entries(audit.document_object(anyway.body["document_id"]))
                     if e.action.value == "registered"]
    assert "Inny uczeń" in registered.summary and registered.actor.login == "sp55.sekretariat"
    assert registered.details["same_scan_as"] == first.body["registry_number"]


def test_a_date_of_receipt_long_past_needs_a_managers_confirmation(api):
    from datetime import timedelta

    from ezd import clock
    from ezd.services import audit

    unit = "SP55"
    desk = _desk(api)
    long_ago = (clock.now_utc() - timedelta(days=45)).isoformat()
    recent = (clock.now_utc() - timedelta(days=20)).isoformat()
    body = paper_body(f"Pismo znalezione w szafie {time.time_ns()}", long_ago)
    upload_id = desk.upload(unit, body.pop("scan"))
    body = {**body, "upload_id": upload_id}
    refused = desk.submit(unit, body, confirm_backdating=False)
    assert refused.status == 400 and refused.body["error_code"] == "RECEIVED_AT_NEEDS_CONFIRMATION", refused.body
    assert desk.confirm_backdating(unit, upload_id, long_ago, manager="sp55.sekretariat").status == 403
    wrong_day = desk.confirm_backdating(unit, upload_id, (clock.now_utc() - timedelta(days=44)).isoformat())
    assert wrong_day.status == 200
    assert desk.submit(unit, body, confirm_backdating=False).body["error_code"] == "RECEIVED_AT_NEEDS_CONFIRMATION"
    assert desk.confirm_backdating(unit, upload_id, long_ago, reason="Przesyłka leżała w portierni").status == 200
    registered = desk.submit(unit, body, confirm_backdating=False)
    assert registered.status == 201, registered.body
    entries = audit.entries(audit.document_object(registered.body["document_id"]))
    (confirmed,) = [e for e in entries if e.action.value == "backdating_confirmed"]
    assert confirmed.actor.login == "sp55.dyrektor" and "portierni" in confirmed.summary
    # Within the limit the desk needs nobody.
    assert register(api, unit, paper_body(f"Pismo sprzed tygodni {time.time_ns()}", recent),
                    confirm_backdating=False).status == 201


def test_an_error_never_echoes_the_request(api):
    huge_title = "x" * 6_700_000
    response = api.call("POST", "/units/SP54/paper-letters", user="sp54.sekretariat", json_body={
        "upload_id": "0" * 32, "channel": "post", "metadata": {"title": huge_title, "sender": person()}})
    assert response.status == 400 and response.body["error_code"] == "VALIDATION_FAILED"
    assert len(response.raw) < 1000 and "xxxxxxxxxx" not in response.raw.decode()
    assert "metadata.title" in response.body["message"]

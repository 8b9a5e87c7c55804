"""The registry desk registers scanned paper letters through the portal API.

Units used here and nowhere else: SP40 (numbering, metadata), SP41 (rejections).
"""

from __future__ import annotations

import base64
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


def paper_body(title: str, received_at: str, *, channel: str = "post", scan: bytes | None = None,
               filename: str = "skan.pdf", sender: dict | None = None, **metadata) -> dict:
    return {
        "filename": filename,
        "content_base64": base64.b64encode(scan if scan is not None else unique_scan()).decode(),
        "channel": channel,
        "received_at": received_at,
        "metadata": {"title": title, "sender": sender or person(), **metadata},
    }


def register(api, unit: str, body: dict, user: str | None = None, wait: int = 20):
    return api.call("POST", f"/units/{unit}/paper-letters?wait={wait}", user=user or f"{unit.lower()}.sekretariat",
                    json_body=body)


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

    # The same scan again is the same letter: it keeps the first number, takes no new one.
    again = register(api, unit, paper_body("Wniosek (ponownie)", "2026-01-04T09:00:00+01:00", scan=scan))
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
    good = paper_body("Pismo", "2026-03-02T09:00:00+01:00")
    no_town = paper_body("Pismo", "2026-03-02T09:00:00+01:00", sender={k: v for k, v in person().items() if k != "town"})
    empty_town = paper_body("Pismo", "2026-03-02T09:00:00+01:00", sender=person(town=""))
    nameless = paper_body("Pismo", "2026-03-02T09:00:00+01:00",
                          sender={"kind": "person", "town": "Lublin", "country": "PL"})
    return {
        "invalid_base64": {**good, "content_base64": "JVBERi0x!!not*base64"},
        "missing_town": no_town,
        "empty_town": empty_town,
        "sender_without_name": nameless,
        "naive_received_at": {**good, "received_at": "2026-03-02T09:00:00"},
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

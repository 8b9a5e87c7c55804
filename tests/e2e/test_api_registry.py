"""What a registry clerk reads: the register, one item with its files, the daily report,
and how ePUAP push deliveries reach the register.

Units used here and nowhere else: SP42 (listing), SP43 (one item), SP44 and SP49 (daily
report), SP45 (push).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import itertools
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from ezd.samples.letters import make_letter, make_signer, sample_pdf, sign_letter
from ezd import clock

pytestmark = [pytest.mark.stack, pytest.mark.dates]

WARSAW = ZoneInfo("Europe/Warsaw")
_seeds = itertools.count(1)
# moto serializes its requests and a unit's counter is compare-and-set, so a few threads
# are faster than many (or than one: the intake's later steps run in the background).
REGISTRATION_THREADS = 4


# --------------------------------------------------------------------------- helpers


def unique_scan(size: int = 700) -> bytes:
    return sample_pdf(size, seed=time.time_ns() + next(_seeds))


def person(first_names: str, surname: str, **extra: str) -> dict:
    return {"kind": "person", "first_names": first_names, "surname": surname, "town": "Lublin", "country": "PL", **extra}


def institution(name: str, **extra: str) -> dict:
    return {"kind": "institution", "institution": name, "town": "Lublin", "country": "PL", **extra}


def paper_body(title: str, received_at: str, sender: dict, *, channel: str = "post", scan: bytes | None = None,
               filename: str = "skan.pdf", **metadata) -> dict:
    return {
        "filename": filename,
        "scan": scan if scan is not None else unique_scan(),
        "channel": channel,
        "received_at": received_at,
        "metadata": {"title": title, "sender": sender, **metadata},
    }


def register_all(api, unit: str, bodies: list[dict]) -> list[dict]:
    """Registers the letters concurrently; returns the outcomes in the order of ``bodies``."""

    from testkit import PaperDesk

    desk = PaperDesk(api)

    def one(body: dict) -> dict:
        # A date of receipt older than the desk may state alone is confirmed by the director.
        response = desk.submit(unit, body, wait=20)
        assert response.status == 201, response.body
        assert response.body["status"] == "registered", response.body
        return response.body

    with ThreadPoolExecutor(max_workers=REGISTRATION_THREADS) as pool:
        return list(pool.map(one, bodies))


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def get(api, unit: str, path: str, user: str | None = None):
    return api.call("GET", f"/units/{unit}{path}", user=user or f"{unit.lower()}.sekretariat")


def deliver_by_epuap(deliverer, unit: str, raw: bytes):
    """Send to the unit's ePUAP box, collect by WS-Pull, and return this delivery's outcome."""
    before = clock.now_utc()
    deliverer.send(unit, raw)
    deliverer.poll(unit)
    # The first outcome since sending is this delivery's registration; a concurrent poll of
    # the same box may collect the unconfirmed letter again and add a `duplicate` after it.
    return deliverer.outcomes(unit, raw, since=before, timeout=30)[0]


def open_item_when_receipt_is_there(api, unit: str, document_id: str, timeout: float = 30.0) -> dict:
    """The receipt step runs right after registration; wait for it."""
    deadline = time.monotonic() + timeout
    while True:
        response = get(api, unit, f"/documents/{document_id}")
        assert response.status == 200, response.body
        if response.body["receipt"] is not None or time.monotonic() > deadline:
            return response.body
        time.sleep(0.1)


# --------------------------------------------------------------------------- register listing


def _numbers(items: list[dict]) -> list[str]:
    return [e["registry_number"] for e in items]


def _walk(api, unit: str, query: str) -> list[dict]:
    items: list[dict] = []
    token = None
    for _ in range(100):
        path = f"/registry?{query}" + (f"&page_token={urllib.request.quote(token)}" if token else "")
        page = get(api, unit, path)
        assert page.status == 200, page.body
        items.extend(page.body["items"])
        token = page.body["next_token"]
        if not token:
            return items
    raise AssertionError("paging did not end")


def test_register_listing_newest_first_paged_and_filtered(api):
    unit = "SP42"
    letters = {
        # key: (received_at, channel, sender); the Warsaw day is in the comment
        "L1": ("2026-04-01T09:00:00+02:00", "post", person("Jan", "Kowalski")),  # 1 Apr
        "L2": ("2026-04-01T21:30:00Z", "courier", person("Anna", "Kowalska")),  # 1 Apr 23:30
        "L3": ("2026-04-01T22:30:00Z", "post", institution("Kuratorium Oświaty w Lublinie")),  # 2 Apr 00:30
        "L4": ("2026-04-02T10:00:00+02:00", "in_person", person("Piotr", "Nowak")),  # 2 Apr
        "L5": ("2026-04-03T08:00:00+02:00", "courier", institution("Urząd Miasta Lublin")),  # 3 Apr
        "L6": ("2026-03-31T21:59:00Z", "post", person("Ewa", "Łukasiewicz")),  # 31 Mar 23:59
        "L7": ("2026-04-05T12:00:00+02:00", "post", person("Marek", "Kowalczyk")),  # 5 Apr
        "L8": ("2026-01-15T11:00:00+01:00", "in_person", person("Maria", "Zając")),  # 15 Jan
    }
    keys = list(letters)
    outcomes = register_all(api, unit, [
        paper_body(f"Pismo {key}", received_at, sender, channel=channel)
        for key, (received_at, channel, sender) in letters.items()
    ])
    number_of = {key: outcome["registry_number"] for key, outcome in zip(keys, outcomes)}
    key_of = {number: key for key, number in number_of.items()}
    assert sorted(int(n.split("/")[1]) for n in number_of.values()) == list(range(1, 9))
    assert all(n.endswith("/2026") for n in number_of.values())

    full = get(api, unit, "/registry?year=2026")
    assert full.status == 200, full.body
    assert full.body["next_token"] is None
    assert [e["number"] for e in full.body["items"]] == list(range(8, 0, -1))  # newest first
    assert {e["title"] for e in full.body["items"]} == {f"Pismo {k}" for k in keys}
    assert get(api, unit, "/registry?year=2025").body["items"] == []

    # Paging: every item exactly once, in the same order as the one-page listing.
    for limit in (1, 3, 5):
        walked = _walk(api, unit, f"year=2026&limit={limit}")
        assert _numbers(walked) == _numbers(full.body["items"]), limit
    first_page = get(api, unit, "/registry?year=2026&limit=3")
    assert len(first_page.body["items"]) == 3 and first_page.body["next_token"]
    # A token belongs to its own listing: with another filter or unit it is refused or
    # gives nothing, never an error page or another unit's letters.
    token = urllib.request.quote(first_page.body["next_token"])
    reused = get(api, unit, f"/registry?year=2026&date_from=2026-01-01&page_token={token}")
    assert reused.status == 400 and reused.body["error_code"] == "VALIDATION_FAILED", reused.body
    elsewhere = get(api, "SP43", f"/registry?year=2026&page_token={token}")
    assert elsewhere.status == 400 and elsewhere.body["error_code"] == "VALIDATION_FAILED", elsewhere.body
    dated_page = get(api, unit, "/registry?year=2026&date_from=2026-01-01&limit=2")
    dated_token = urllib.request.quote(dated_page.body["next_token"])
    assert get(api, unit, f"/registry?year=2026&page_token={dated_token}").status == 400
    assert get(api, unit, f"/registry?year=2026&date_to=2026-12-31&page_token={dated_token}").status == 200

    def keys_for(query: str, paged_by: int | None = None) -> list[str]:
        if paged_by:
            items = _walk(api, unit, f"year=2026&{query}&limit={paged_by}")
        else:
            response = get(api, unit, f"/registry?year=2026&{query}")
            assert response.status == 200, (query, response.body)
            items = response.body["items"]
        assert len(set(_numbers(items))) == len(items), (query, _numbers(items))
        return [key_of[n] for n in _numbers(items)]

    # Dates are days of receipt in Warsaw, whatever offset the time was given with.
    assert sorted(keys_for("date_from=2026-04-01&date_to=2026-04-01")) == ["L1", "L2"]
    assert sorted(keys_for("date_from=2026-04-02")) == ["L3", "L4", "L5", "L7"]
    assert sorted(keys_for("date_to=2026-03-31")) == ["L6", "L8"]
    assert sorted(keys_for("date_from=2026-03-31&date_to=2026-04-02")) == ["L1", "L2", "L3", "L4", "L6"]
    assert sorted(keys_for("date_from=2026-04-01&date_to=2026-04-05", paged_by=2)) == [
        "L1", "L2", "L3", "L4", "L5", "L7"]
    assert keys_for("date_from=2026-04-04&date_to=2026-04-04") == []
    # Within a date range the newest receipt comes first.
    in_april = get(api, unit, "/registry?year=2026&date_from=2026-04-01").body["items"]
    received = [datetime.fromisoformat(e["received_at"]) for e in in_april]
    assert received == sorted(received, reverse=True)

    assert sorted(keys_for("channel=courier")) == ["L2", "L5"]
    assert sorted(keys_for("channel=in_person")) == ["L4", "L8"]
    assert keys_for("channel=epuap") == []
    # Sender: a case-insensitive part of the name, Polish letters included.
    assert sorted(keys_for("sender=KOWAL")) == ["L1", "L2", "L7"]
    assert sorted(keys_for("sender=kowal", paged_by=2)) == ["L1", "L2", "L7"]
    assert keys_for("sender=O%C5%9AWIATY") == ["L3"]  # "OŚWIATY"
    assert keys_for("sender=%C5%82ukasiewicz") == ["L6"]  # "łukasiewicz"
    # ...and typed without them: diacritics do not matter either.
    assert keys_for("sender=oswiaty") == ["L3"]
    assert keys_for("sender=LUKASIEWICZ") == ["L6"]
    assert keys_for("sender=zajac") == ["L8"]
    # Title: a part of it, in any case.
    assert keys_for("title=PISMO%20L5") == ["L5"]
    assert sorted(keys_for("title=pismo", paged_by=3)) == sorted(keys)
    assert keys_for("title=l7&channel=post") == ["L7"]
    assert keys_for("title=l7&channel=courier") == []
    assert sorted(keys_for("channel=post&sender=kowal")) == ["L1", "L7"]
    assert sorted(keys_for("date_from=2026-04-01&channel=courier")) == ["L2", "L5"]
    assert sorted(keys_for("date_from=2026-04-01&channel=post", paged_by=1)) == ["L1", "L3", "L7"]


@pytest.mark.parametrize("query", [
    "year=2026&limit=0", "year=2026&limit=501", "year=2026&limit=ten", "year=twenty",
    "year=2026&date_from=2026-04-05&date_to=2026-04-01", "year=2026&date_from=01.04.2026",
    "year=2026&page_token=%21%21not-a-token", "year=0", "year=99999", "year=-5",
    "year=2026&page_token=" + base64.urlsafe_b64encode(b"1").decode(),
    "year=2026&page_token=" + base64.urlsafe_b64encode(b'{"PK": 1}').decode(),
    "year=2026&page_token=" + base64.urlsafe_b64encode(b'{"PK": {"N": "1"}}').decode(),
])
def test_register_listing_refuses_bad_parameters(api, query):
    response = get(api, "SP42", f"/registry?{query}")
    assert response.status == 400, (query, response.status, response.body)
    assert response.body["error_code"] == "VALIDATION_FAILED"


# --------------------------------------------------------------------------- one item


def test_open_signed_epuap_letter_with_attachments_and_receipt(api, stack, deliverer):
    from ezd.local.keys import ensure_demo_ca

    unit = "SP43"
    ca = ensure_demo_ca(Path(stack.info.state_dir))  # the CA the local trust store trusts
    signer = make_signer("Jan Kowalski (test e2e)", ca)
    pdf = unique_scan(4000)
    note = f"Zażółć gęślą jaźń {time.time_ns()}\n".encode()
    attachments = [("świadectwo.pdf", pdf, "application/pdf"), ("notatka.txt", note, "text/plain")]
    title = f"Wniosek o przyjęcie ucznia {time.time_ns()}"
    raw = sign_letter(
        make_letter(title=title, attachments=attachments, sender_reference="KJ/7/2026", letter_date="2026-09-01"),
        signer,
    )
    outcome = deliver_by_epuap(deliverer, unit, raw)
    assert outcome.status == "registered", outcome
    item = open_item_when_receipt_is_there(api, unit, outcome.document_id)

    entry = item["entry"]
    assert entry["registry_number"] == outcome.registry_number
    assert entry["document_id"] == outcome.document_id
    assert entry["channel"] == "epuap"
    assert entry["title"] == title
    assert entry["sender_reference"] == "KJ/7/2026" and entry["letter_date"] == "2026-09-01"
    assert entry["sender"]["surname"] == "Kowalski" and entry["sender"]["town"] == "Lublin"
    assert entry["attachments_count"] == 2
    assert entry["signature"] == "valid" and entry["certificate"] == "trusted"

    report = item["signature_report"]
    assert report["signature"] == "valid"
    assert report["certificate"] == "trusted"
    assert len(report["signatures"]) == 1
    assert report["signatures"][0]["valid"] is True
    assert report["signatures"][0]["signer_common_name"] == "Jan Kowalski (test e2e)"

    # The original: exactly the delivered bytes.
    original = item["original"]
    body = fetch(original["url"])
    assert body == raw
    assert sha256(body) == original["sha256"] == outcome.sha256
    assert original["size"] == len(raw)

    # Attachments: each link returns exactly what the sender attached.
    by_name = {a["filename"]: a for a in item["attachments"]}
    assert set(by_name) == {"świadectwo.pdf", "notatka.txt"}
    for filename, content, _mime in attachments:
        link = by_name[filename]
        assert link["url"].startswith("http") and link["expires_in"] > 0
        downloaded = fetch(link["url"])
        assert sha256(downloaded) == link["sha256"]
        assert downloaded == content
        assert link["size"] == len(content)

    # The UPP receipt names the registry number and the digest of what was delivered.
    assert item["receipt"] is not None, "no receipt for a registered item"
    upp = fetch(item["receipt"]["url"])
    assert sha256(upp) == item["receipt"]["sha256"]
    root = etree.fromstring(upp)
    ns = {"upp": root.nsmap.get("upp") or root.tag[1:].split("}")[0]}
    assert root.findtext(".//upp:NumerRejestru", namespaces=ns) == outcome.registry_number
    assert root.findtext(".//upp:Skrot[@algorytm='SHA-256']", namespaces=ns) == sha256(raw)
    assert root.findtext(".//upp:Kanal", namespaces=ns) == "epuap"


def test_open_letters_with_broken_or_untrusted_signatures(deliverer, api):
    from ezd.samples.letters import tamper

    unit = "SP43"
    self_signed = make_signer("Samozwaniec (test e2e)")
    untrusted_raw = sign_letter(make_letter(title=f"Pismo z podpisem własnym {time.time_ns()}"), self_signed)
    tampered_raw = tamper(sign_letter(make_letter(title=f"Pismo zmienione {time.time_ns()}"), self_signed))
    with ThreadPoolExecutor(2) as pool:
        untrusted, tampered = pool.map(lambda raw: deliver_by_epuap(deliverer, unit, raw), [untrusted_raw, tampered_raw])
    # A bad signature is recorded with the document; it never stops registration.
    assert untrusted.status == "registered" and tampered.status == "registered"

    first = get(api, unit, f"/documents/{untrusted.document_id}").body["signature_report"]
    assert (first["signature"], first["certificate"]) == ("valid", "untrusted")
    second = get(api, unit, f"/documents/{tampered.document_id}").body["signature_report"]
    assert second["signature"] == "invalid"
    assert second["signatures"][0]["valid"] is False


def test_open_paper_letter_links_and_receipt(api):
    unit = "SP43"
    scan = unique_scan(2500)
    (outcome,) = register_all(api, unit, [
        paper_body("Skan pisma z poczty", "2026-06-01T09:00:00+02:00", person("Adam", "Mickiewicz"), scan=scan,
                   filename="pismo-poczta.pdf")
    ])
    item = open_item_when_receipt_is_there(api, unit, outcome["document_id"])
    assert item["entry"]["registry_number"] == outcome["registry_number"]
    assert item["signature_report"]["signature"] == "absent"
    assert item["attachments"] == []
    assert item["original"]["filename"] == "pismo-poczta.pdf"
    # The scan's type is what its bytes are (not what a browser's upload form claimed), so
    # the portal can preview it.
    assert item["original"]["mime"] == "application/pdf"
    assert fetch(item["original"]["preview_url"]) == scan
    downloaded = fetch(item["original"]["url"])
    assert downloaded == scan and sha256(downloaded) == item["original"]["sha256"]
    assert item["receipt"] is not None
    upp = fetch(item["receipt"]["url"])
    assert sha256(upp) == item["receipt"]["sha256"]
    assert outcome["registry_number"].encode() in upp

    missing = get(api, unit, f"/documents/{unit}-0000000000000000000000000000dead")
    assert missing.status == 404 and missing.body["error_code"] == "NOT_FOUND"


# --------------------------------------------------------------------------- daily report


def test_daily_intake_report_as_json_and_csv(api):
    day = "2026-05-04"
    bodies = {
        "R1": paper_body("Wniosek o legitymację", "2026-05-04T08:00:00+02:00",
                         person("Jan", "Kowalski", street="ul. Lipowa 5", postal_code="20-020"),
                         letter_date="2026-04-30", channel="post"),
        "R2": paper_body('Zaproszenie na "Dzień Dziecka", edycja 2026', "2026-05-04T21:30:00Z",  # 23:30 in Warsaw
                         institution('Fundacja "Uśmiech", oddział Lublin', town="Świdnik"), channel="courier"),
        "R3": paper_body("Po północy", "2026-05-04T22:30:00Z", person("Ola", "Nowa")),  # 5 May in Warsaw
        "R4": paper_body("Przed północą", "2026-05-03T21:59:00Z", person("Ala", "Stara")),  # 3 May in Warsaw
    }
    other_unit = paper_body("Inna szkoła", "2026-05-04T10:00:00+02:00", person("Obcy", "Nadawca"))
    with ThreadPoolExecutor(2) as pool:
        mine_future = pool.submit(register_all, api, "SP44", list(bodies.values()))
        other_future = pool.submit(register_all, api, "SP49", [other_unit])
        mine = dict(zip(bodies, mine_future.result()))
        other = other_future.result()[0]

    response = get(api, "SP44", f"/reports/intake?date={day}")
    assert response.status == 200, response.body
    report = response.body
    assert report["unit"] == "SP44" and report["date"] == day
    expected = sorted(["R1", "R2"], key=lambda k: int(mine[k]["registry_number"].split("/")[1]))
    assert [line["registry_number"] for line in report["lines"]] == [mine[k]["registry_number"] for k in expected]
    assert report["count"] == 2
    lines = {line["registry_number"]: line for line in report["lines"]}
    r1 = lines[mine["R1"]["registry_number"]]
    assert r1["title"] == "Wniosek o legitymację"
    assert r1["sender"] == "Kowalski Jan"
    assert r1["sender_address"] == "ul. Lipowa 5, 20-020 Lublin, PL"
    assert r1["letter_date"] == "2026-04-30"
    assert r1["channel"] == "post"
    assert r1["document_id"] == mine["R1"]["document_id"]
    assert datetime.fromisoformat(r1["received_at"]) == datetime(2026, 5, 4, 8, 0, tzinfo=WARSAW)
    r2 = lines[mine["R2"]["registry_number"]]
    assert r2["sender"] == 'Fundacja "Uśmiech", oddział Lublin'
    assert r2["channel"] == "courier"
    assert r2["letter_date"] is None
    assert r2["received_at"] == "2026-05-04T23:30:00+02:00"  # in Polish time
    assert other["document_id"] not in {line["document_id"] for line in report["lines"]}

    # The neighbouring days hold the letters received just across midnight.
    assert [line["title"] for line in get(api, "SP44", "/reports/intake?date=2026-05-05").body["lines"]] == [
        "Po północy"]
    assert [line["title"] for line in get(api, "SP44", "/reports/intake?date=2026-05-03").body["lines"]] == [
        "Przed północą"]
    assert [line["title"] for line in get(api, "SP49", f"/reports/intake?date={day}").body["lines"]] == [
        "Inna szkoła"]

    as_csv = get(api, "SP44", f"/reports/intake?date={day}&format=csv")
    assert as_csv.status == 200
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    text = as_csv.raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for column in ("registry_number", "received_at", "letter_date", "sender", "sender_address", "title", "channel"):
        assert column in header
    parsed = [dict(zip(header, row)) for row in rows[1:]]
    assert len(parsed) == 2
    for from_csv, from_json in zip(parsed, report["lines"]):
        assert from_csv == {k: "" if from_json[k] is None else str(from_json[k]) for k in header}

    empty = get(api, "SP44", "/reports/intake?date=2026-05-10&format=csv")
    assert empty.status == 200
    assert list(csv.reader(io.StringIO(empty.raw.decode()))) == [header]
    assert get(api, "SP44", "/reports/intake?date=2026-05-10").body == {
        "unit": "SP44", "date": "2026-05-10", "count": 0, "lines": []}
    bad = get(api, "SP44", "/reports/intake?date=04.05.2026")
    assert bad.status == 400 and bad.body["error_code"] == "VALIDATION_FAILED"


# --------------------------------------------------------------------------- ePUAP push


def push_body(unit: str, raw: bytes, delivered_at: datetime | None = None, *, sign) -> bytes:
    """ePUAP's push of ``raw`` to ``unit``, signed by ``sign`` (the epuap_sign fixture)."""
    from ezd.adapters import directory_store
    from ezd.adapters.epuap_soap import build_push_request
    from ezd.models.epuap import PulledDocument

    box = directory_store.get_unit(unit)
    return sign(build_push_request(PulledDocument(
        sender_id="jan.kowalski", sender_type="F", sender_first_name="Jan", sender_name="Kowalski",
        delivered_at=delivered_at or clock.now_utc(), box_name=box.box_name, box_address=box.esp_address,
        filename="pismo.xml", content_type="text/xml", content=raw,
    )))


def push(api, unit: str, body: bytes):
    from ezd.adapters.epuap_soap import parse_push_response

    response = api.call("POST", f"/epuap/push/{unit}", raw=body, content_type="text/xml; charset=utf-8")
    return response, parse_push_response(response.raw)


def wait_intake(api, unit: str, intake_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = get(api, unit, f"/intakes/{intake_id}")
        if response.status == 200:
            return response.body
        assert response.status == 202, response.body
        time.sleep(0.1)
    raise AssertionError(f"intake {intake_id} not finished")


def test_epuap_push_registers_the_letter_once(api, unique_letter, epuap_sign):
    unit = "SP45"
    raw = unique_letter(title=f"Skarga na ocenę z zachowania {time.time_ns()}")
    delivered = clock.now_utc().replace(microsecond=0) - timedelta(minutes=3)
    body = push_body(unit, raw, delivered, sign=epuap_sign)

    response, answer = push(api, unit, body)
    assert response.status == 200, response.raw
    assert response.headers["Content-Type"].startswith("text/xml")
    assert answer.status.kod == 1
    assert answer.document_id
    first = wait_intake(api, unit, answer.document_id)
    assert first["status"] == "registered", first
    assert first["channel"] == "epuap" and first["unit"] == unit
    assert first["sha256"] == sha256(raw)
    entry = get(api, unit, f"/documents/{first['document_id']}").body["entry"]
    assert datetime.fromisoformat(entry["received_at"]) == delivered  # data wpływu is ePUAP's time

    # ePUAP repeats a push it got no answer to: the same letter keeps its number.
    response2, answer2 = push(api, unit, body)
    assert response2.status == 200 and answer2.status.kod == 1
    assert answer2.document_id != answer.document_id
    second = wait_intake(api, unit, answer2.document_id)
    assert second["status"] == "duplicate"
    assert second["registry_number"] == first["registry_number"]
    assert second["document_id"] == first["document_id"]

    numbers = _numbers(get(api, unit, f"/registry?year={entry['year']}").body["items"])
    assert numbers.count(first["registry_number"]) == 1


@pytest.mark.parametrize("kind", ["soap_without_headers", "body_not_a_document"])
def test_a_signed_but_malformed_push_is_refused_and_quarantined(api, kind, epuap_sign):
    """Only what ePUAP signed reaches the quarantine (unsigned input is refused and
    forgotten, test_epuap_push_authentication.py)."""
    unit = "SP45"
    marker = str(time.time_ns())
    body = epuap_sign({
        "soap_without_headers": (
            '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
            f'<s:Body><ob:Dokument xmlns:ob="http://wsdl.epuap.gov.pl/obiekty/"><x>{marker}</x></ob:Dokument>'
            "</s:Body></s:Envelope>"
        ),
        "body_not_a_document": (
            '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
            f"<s:Header/><s:Body><pismo>{marker}</pismo></s:Body></s:Envelope>"
        ),
    }[kind].encode())
    response, answer = push(api, unit, body)
    assert response.status == 400, response.raw
    assert answer.status.kod != 1

    held = get(api, unit, "/quarantine")
    assert held.status == 200, held.body
    records = [q for q in held.body["items"] if q["sha256"] == sha256(body)]
    assert len(records) == 1, held.body
    assert records[0]["error_code"] == "MALFORMED_PUSH"
    assert records[0]["channel"] == "epuap"
    assert records[0]["size"] == len(body)
    # Nobody else's quarantine shows it.
    elsewhere = get(api, "SP42", "/quarantine").body["items"]
    assert all(q["sha256"] != sha256(body) for q in elsewhere)

"""Contract tests: the project's ePUAP clients against the local simulator, over real HTTP.

Every message is additionally checked against obiektypk.xsd by the fixtures (conftest).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from lxml import etree
from werkzeug.wrappers import Response

from ezd.adapters import epuap_soap as soap
from ezd.adapters.epuap_client import EpuapPullClient, EpuapSkrytkaClient
from ezd.adapters.epuap_soap import EpuapFault, EpuapUnavailable
from ezd.errors import TransientFault
from ezd.models.epuap import EpuapStatus, PulledDocument, PullQuery, SenderProfile
from ezd import clock

if TYPE_CHECKING:  # the fixture's type; conftest is not importable as a module here
    from conftest import Simulated

# Must match the inbox the ``simulator`` fixture registers (conftest).
UNIT_PODMIOT = "sp19lublin"
UNIT_BOX_NAME = "SkrytkaESP"
UNIT_BOX = "/sp19lublin/SkrytkaESP"

LETTER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<wnio:Dokument xmlns:wnio="http://crd.gov.pl/xml/schematy/wnioskodawca/2009/03/06/">'
    "<wnio:TrescDokumentu>Wniosek o wydanie duplikatu świadectwa</wnio:TrescDokumentu>"
    "</wnio:Dokument>\n"
).encode("utf-8")
CITIZEN = SenderProfile(
    identifier="jkowalski",
    type="F",
    first_name="Jan",
    name="Kowalski",
    consent=True,
    user="jkowalski",
    system="ePUAP",
)


def pull_client(sim: Simulated, **kw: object) -> EpuapPullClient:
    return EpuapPullClient(sim.pull_url, UNIT_PODMIOT, UNIT_BOX_NAME, UNIT_BOX, **kw)  # type: ignore[arg-type]


def skrytka_client(sim: Simulated, podmiot: str = "jkowalski") -> EpuapSkrytkaClient:
    return EpuapSkrytkaClient(sim.skrytka_url, podmiot)


def fault_of(body: bytes) -> EpuapFault:
    with pytest.raises(EpuapFault) as info:
        soap.parse_confirm_response(body)
    return info.value


def test_contract_schemas_present(epuap_schema_file, epuap_schema) -> None:  # type: ignore[no-untyped-def]
    """The published XSD is there and loads, so every other test here really validates
    the messages against it; without it, they fail (the epuap_schema fixture)."""
    assert epuap_schema_file.is_file()
    query = PullQuery(operation=soap.OP_PENDING, podmiot=UNIT_PODMIOT, box_name=UNIT_BOX_NAME, box_address=UNIT_BOX)
    body = etree.fromstring(soap.build_pull_request(query)).find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    request = etree.fromstring(etree.tostring(body[0]))
    assert epuap_schema.validate(request), epuap_schema.error_log
    request.find("podmiot").tag = "nieznany"  # the same message, broken: the schema must refuse it
    assert not epuap_schema.validate(request)


# ------------------------------------------------------------------ nadaj → pull → confirm


def test_nadaj_then_pull_then_confirm(simulator: Simulated) -> None:
    pull = pull_client(simulator)
    before = clock.now_utc() - timedelta(seconds=1)
    result = skrytka_client(simulator).nadaj(
        UNIT_BOX,
        LETTER,
        "wniosek.xml",
        reply_address="/jkowalski/odpowiedzi",
        extra_data=b"<dane>1</dane>",
        sender=CITIZEN,
        content_type="text/xml",
    )
    after = clock.now_utc() + timedelta(seconds=1)
    assert result.document_id and result.upp_id

    assert pull.pending_count() == 1
    doc = pull.fetch_next()
    assert doc is not None
    assert doc.content == LETTER  # byte for byte
    assert doc.skrot == base64.b64encode(hashlib.sha1(LETTER).digest()).decode()
    assert (doc.filename, doc.content_type) == ("wniosek.xml", "text/xml")
    assert (doc.sender_id, doc.sender_type, doc.sender_first_name, doc.sender_name) == ("jkowalski", "F", "Jan", "Kowalski")
    assert doc.sender_consent is True
    assert (doc.sender_user, doc.sender_system) == ("jkowalski", "ePUAP")
    assert (doc.box_name, doc.box_address) == (UNIT_BOX_NAME, UNIT_BOX)
    assert doc.reply_address == "/jkowalski/odpowiedzi"
    assert doc.extra_data == b"<dane>1</dane>"
    assert doc.is_test is False
    assert doc.delivered_at.tzinfo is not None
    assert before <= doc.delivered_at <= after

    # Not confirmed yet: ePUAP offers the very same document again.
    again = pull.fetch_next()
    assert again == doc and again is not None and again.content == doc.content
    assert pull.pending_count() == 1

    pull.confirm(doc.skrot)
    assert pull.pending_count() == 0
    assert pull.fetch_next() is None
    stats = simulator.sim.box_stats(UNIT_BOX)
    assert (stats["waiting"], stats["confirmed"]) == (0, 1)


def test_queue_is_fifo_and_confirm_releases_the_next(simulator: Simulated) -> None:
    sender = skrytka_client(simulator)
    sender.nadaj(UNIT_BOX, b"first", "1.txt")
    sender.nadaj(UNIT_BOX, b"second", "2.txt")
    pull = pull_client(simulator)
    assert pull.pending_count() == 2
    head = pull.fetch_next()
    assert head is not None and head.content == b"first"
    pull.confirm(head.skrot)
    nxt = pull.fetch_next()
    assert nxt is not None and nxt.content == b"second"


def test_default_sender_is_the_submitting_podmiot(simulator: Simulated) -> None:
    skrytka_client(simulator, podmiot="um_lublin").nadaj(UNIT_BOX, b"x", "x.txt")
    doc = pull_client(simulator).fetch_next()
    assert doc is not None
    assert (doc.sender_id, doc.sender_type, doc.reply_address, doc.content_type) == ("um_lublin", "P", None, None)


def test_nadaj_any_carries_inline_xml(simulator: Simulated) -> None:
    skrytka_client(simulator).nadaj(UNIT_BOX, LETTER, "wniosek.xml", as_any=True)
    doc = pull_client(simulator).fetch_next()
    assert doc is not None and doc.filename == "wniosek.xml"
    # Inline XML is re-serialised by ePUAP, so compare the infoset, not the bytes.
    assert etree.tostring(etree.fromstring(doc.content), method="c14n") == etree.tostring(
        etree.fromstring(LETTER), method="c14n"
    )


def test_trial_nadaj_is_acknowledged_not_delivered(simulator: Simulated) -> None:
    result = skrytka_client(simulator).nadaj(UNIT_BOX, b"probne", "p.txt", trial=True)
    assert result.document_id
    assert pull_client(simulator).pending_count() == 0


# ------------------------------------------------------------------ faults


def test_confirm_with_wrong_skrot_is_a_fault(simulator: Simulated) -> None:
    skrytka_client(simulator).nadaj(UNIT_BOX, b"keep me", "k.txt")
    pull = pull_client(simulator)
    with pytest.raises(EpuapFault) as info:
        pull.confirm(base64.b64encode(hashlib.sha1(b"something else").digest()).decode())
    assert info.value.kod == soap.WYJATEK_UNKNOWN_SKROT
    assert not isinstance(info.value, TransientFault)
    assert pull.pending_count() == 1  # nothing was removed


def test_nadaj_to_unknown_box_is_a_fault(simulator: Simulated) -> None:
    with pytest.raises(EpuapFault) as info:
        skrytka_client(simulator).nadaj("/nieistnieje/SkrytkaESP", b"x", "x.txt")
    assert info.value.kod == soap.WYJATEK_UNKNOWN_BOX


def test_pull_by_a_foreign_podmiot_is_a_fault(simulator: Simulated) -> None:
    intruder = EpuapPullClient(simulator.pull_url, "sp20lublin", UNIT_BOX_NAME, UNIT_BOX)
    with pytest.raises(EpuapFault) as info:
        intruder.pending_count()
    assert info.value.kod == soap.WYJATEK_BOX_MISMATCH


def test_server_down_is_unavailable(closed_port_url: str) -> None:
    pull = EpuapPullClient(closed_port_url, UNIT_PODMIOT, UNIT_BOX_NAME, UNIT_BOX, timeout=2)
    with pytest.raises(EpuapUnavailable) as info:
        pull.fetch_next()
    assert isinstance(info.value, TransientFault)
    with pytest.raises(EpuapUnavailable):
        EpuapSkrytkaClient(closed_port_url, "x", timeout=2).nadaj(UNIT_BOX, b"x", "x.txt")


def test_http_5xx_without_fault_is_unavailable(serve_app) -> None:  # type: ignore[no-untyped-def]
    base = serve_app(lambda environ, start: Response("Service Unavailable", status=503)(environ, start))
    with pytest.raises(EpuapUnavailable):
        EpuapPullClient(base, UNIT_PODMIOT, UNIT_BOX_NAME, UNIT_BOX).pending_count()


def test_http_4xx_without_fault_is_not_retryable(serve_app) -> None:  # type: ignore[no-untyped-def]
    base = serve_app(lambda environ, start: Response("Not Found", status=404)(environ, start))
    with pytest.raises(EpuapFault) as info:
        EpuapPullClient(base, UNIT_PODMIOT, UNIT_BOX_NAME, UNIT_BOX).pending_count()
    assert not isinstance(info.value, TransientFault)


def test_timeout_is_unavailable(serve_app) -> None:  # type: ignore[no-untyped-def]
    def slow(environ, start):  # type: ignore[no-untyped-def]
        time.sleep(1.5)
        return Response("late")(environ, start)

    base = serve_app(slow)
    with pytest.raises(EpuapUnavailable):
        EpuapPullClient(base, UNIT_PODMIOT, UNIT_BOX_NAME, UNIT_BOX, timeout=0.3).pending_count()


def test_request_signer_seam_is_applied(simulator: Simulated) -> None:
    seen: list[bytes] = []

    def signer(envelope: bytes) -> bytes:
        seen.append(envelope)
        return envelope  # a real signer adds wsse:Security; the simulator does not check it

    assert pull_client(simulator, request_signer=signer).pending_count() == 0
    assert len(seen) == 1 and b"ZapytaniePullOczekujace" in seen[0]


# ------------------------------------------------------------------ hostile / malformed SOAP

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ob="http://wsdl.epuap.gov.pl/obiekty/">'
    b"<soap:Body><ob:ZapytaniePullOczekujace><podmiot>&xxe;</podmiot><nazwaSkrytki>SkrytkaESP</nazwaSkrytki>"
    b"<adresSkrytki>/sp19lublin/SkrytkaESP</adresSkrytki></ob:ZapytaniePullOczekujace></soap:Body></soap:Envelope>"
)
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b']>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&lol9;</soap:Body></soap:Envelope>'
)


@pytest.mark.parametrize("payload", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_hostile_soap_is_a_client_fault_without_expansion(raw_post, simulator: Simulated, payload: bytes) -> None:
    started = time.monotonic()
    status, body = raw_post(simulator.pull_url, payload, soap.SOAP_ACTIONS[soap.OP_PENDING])
    assert time.monotonic() - started < 5
    assert status == 500
    assert b"soap:Client" in body
    assert b"root:" not in body and b"lollollol" not in body
    assert fault_of(body).kod == soap.WYJATEK_MALFORMED


@pytest.mark.parametrize(
    ("payload", "action"),
    [
        (b"", None),
        (b"this is not xml", None),
        (b"<html><body>hi</body></html>", None),
        (b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>', None),
        (b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x/></soap:Body></soap:Envelope>', None),
        # SOAPAction says "confirm", the body asks for the count: refused, not guessed.
        (None, soap.SOAP_ACTIONS[soap.OP_CONFIRM]),
        (None, "http://example.org/unknown"),
    ],
)
def test_malformed_soap_is_a_fault_not_a_crash(raw_post, simulator: Simulated, payload: bytes | None, action: str | None) -> None:
    if payload is None:
        payload = soap.build_pull_request(
            PullQuery(operation=soap.OP_PENDING, podmiot=UNIT_PODMIOT, box_name=UNIT_BOX_NAME, box_address=UNIT_BOX)
        )
    status, body = raw_post(simulator.pull_url, payload, action)
    assert status == 500
    fault = fault_of(body)
    assert fault.faultcode == "Client"
    # The simulator still works afterwards.
    assert pull_client(simulator).pending_count() == 0


def test_operation_found_from_body_without_soapaction(raw_post, simulator: Simulated) -> None:
    query = PullQuery(operation=soap.OP_PENDING, podmiot=UNIT_PODMIOT, box_name=UNIT_BOX_NAME, box_address=UNIT_BOX)
    status, body = raw_post(simulator.pull_url, soap.build_pull_request(query), None)
    assert status == 200
    assert soap.parse_pending_response(body) == (EpuapStatus(kod=1, komunikat="OK"), 0)


def test_pull_operation_on_the_skrytka_endpoint_is_a_fault(raw_post, simulator: Simulated) -> None:
    query = PullQuery(operation=soap.OP_PENDING, podmiot=UNIT_PODMIOT, box_name=UNIT_BOX_NAME, box_address=UNIT_BOX)
    status, body = raw_post(simulator.skrytka_url, soap.build_pull_request(query), soap.SOAP_ACTIONS[soap.OP_PENDING])
    assert status == 500 and fault_of(body).kod == soap.WYJATEK_UNKNOWN_OPERATION


# ------------------------------------------------------------------ push mode


def test_push_accepted_is_not_queued(simulator: Simulated, push_receiver) -> None:  # type: ignore[no-untyped-def]
    simulator.sim.set_push(UNIT_BOX, push_receiver.url)
    skrytka_client(simulator).nadaj(UNIT_BOX, LETTER, "wniosek.xml", sender=CITIZEN, content_type="text/xml")
    assert len(push_receiver.received) == 1
    pushed = soap.parse_push_request(push_receiver.received[0])
    assert pushed.content == LETTER  # the exact bytes
    assert (pushed.sender_id, pushed.sender_name, pushed.box_address) == ("jkowalski", "Kowalski", UNIT_BOX)
    assert pushed.delivered_at.tzinfo is not None
    assert pull_client(simulator).pending_count() == 0
    assert simulator.sim.box_stats(UNIT_BOX)["pushed"] == 1


@pytest.mark.parametrize("mode", ["refuse", "http_error"])
def test_push_failure_keeps_the_document_for_pull(simulator: Simulated, push_receiver, mode: str) -> None:  # type: ignore[no-untyped-def]
    push_receiver.mode = mode
    simulator.sim.set_push(UNIT_BOX, push_receiver.url)
    result = skrytka_client(simulator).nadaj(UNIT_BOX, LETTER, "wniosek.xml")
    assert result.document_id  # the sender's submission succeeded regardless
    assert len(push_receiver.received) == 1
    doc = pull_client(simulator).fetch_next()
    assert doc is not None and doc.content == LETTER
    assert simulator.sim.box_stats(UNIT_BOX)["push_failures"] == 1


def test_push_receiver_down_keeps_the_document(simulator: Simulated, closed_port_url: str) -> None:
    simulator.sim.set_push(UNIT_BOX, closed_port_url)
    skrytka_client(simulator).nadaj(UNIT_BOX, LETTER, "wniosek.xml")
    assert pull_client(simulator).pending_count() == 1


def test_push_codec_round_trip_and_hardening() -> None:
    doc = PulledDocument(
        sender_id="jkowalski",
        sender_type="F",
        sender_first_name="Jan",
        sender_name="Kowalski",
        sender_consent=True,
        delivered_at=datetime(2026, 3, 2, 9, 15, 0, 123000, tzinfo=timezone.utc),
        box_name=UNIT_BOX_NAME,
        box_address=UNIT_BOX,
        reply_address=None,
        extra_data=b"<x/>",
        filename="a.xml",
        content_type="text/xml",
        content=LETTER,
    )
    assert soap.parse_push_request(soap.build_push_request(doc)) == doc
    assert "content" not in doc.model_dump()
    response = soap.parse_push_response(soap.build_push_response(EpuapStatus(kod=1, komunikat=None), "EZD-1"))
    assert response.status.ok and response.document_id == "EZD-1"
    with pytest.raises(soap.MalformedSoap):
        soap.parse_push_request(XXE)


# ------------------------------------------------------------------ admin API


def test_admin_api(simulator: Simulated, push_receiver) -> None:  # type: ignore[no-untyped-def]
    def call(method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(simulator.base_url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    skrytka_client(simulator).nadaj(UNIT_BOX, b"x", "x.txt")
    status, stats = call("GET", "/sim/boxes" + UNIT_BOX)
    assert status == 200 and (stats["waiting"], stats["confirmed"]) == (1, 0)
    assert call("GET", "/sim/boxes/nobody/Skrytka")[0] == 404
    status, stats = call("POST", "/sim/push", {"box_address": UNIT_BOX, "url": push_receiver.url})
    assert status == 200 and stats["push_url"] == push_receiver.url
    skrytka_client(simulator).nadaj(UNIT_BOX, b"y", "y.txt")
    assert call("GET", "/sim/boxes" + UNIT_BOX)[1]["waiting"] == 1  # pushed, not queued
    assert call("POST", "/sim/push", {"box_address": UNIT_BOX, "url": None})[1]["push_url"] is None
    status, _ = call("POST", "/sim/boxes", {"podmiot": "sp20lublin", "box_name": "SkrytkaESP", "box_address": "/sp20lublin/SkrytkaESP"})
    assert status == 201
    skrytka_client(simulator).nadaj("/sp20lublin/SkrytkaESP", b"z", "z.txt")
    assert simulator.sim.box_stats("/sp20lublin/SkrytkaESP")["waiting"] == 1


def test_the_repositorys_contracts_are_the_published_ones() -> None:
    """The copies the contract tests validate against are byte for byte the shared
    originals (where the originals are beside the checkout)."""
    from conftest import SHARED_STANDARDS, STANDARDS

    copies = sorted(p.name for p in STANDARDS.iterdir())
    assert {"obiektypk.xsd", "obiektyExt.xsd", "pull.wsdl", "skrytka.wsdl"} <= set(copies)
    if SHARED_STANDARDS.is_dir():
        for name in copies:
            assert (STANDARDS / name).read_bytes() == (SHARED_STANDARDS / name).read_bytes(), name


def test_without_the_contracts_the_contract_tests_fail_instead_of_skipping(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    env = {**os.environ, "EZD_CONTRACTS_DIR": str(tmp_path / "nowhere")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                          str(here / "test_epuap_contract.py"), "-k", "schemas_present or nadaj_then_pull_then_confirm"],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1, run.stdout[-2000:]
    summary = run.stdout.splitlines()[-1]
    assert "2 errors" in summary and "passed" not in summary and "skipped" not in summary, summary
    assert "the published ePUAP schemas are missing" in run.stdout

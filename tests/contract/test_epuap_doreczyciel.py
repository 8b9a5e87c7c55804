"""Contract tests of WS-Doręczyciel ``dorecz``: the project's client against the local
simulator over real HTTP, every message checked against obiektypk.xsd (the ``simulator``
fixture), the headers and the SOAPAction against doreczyciel.wsdl; the UPD comes back to
the order's reply box and is read with WS-Pull."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from lxml import etree

from ezd import clock
from ezd.adapters import epuap_doreczyciel as dorecz
from ezd.adapters.epuap_client import EpuapPullClient
from ezd.adapters.epuap_soap import OB_NS, SOAP_NS, EpuapFault
from ezd.local.epuap_dorecz_desk import DORECZYCIEL_PATH

if TYPE_CHECKING:
    from conftest import Simulated

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP_BINDING = "http://schemas.xmlsoap.org/wsdl/soap/"
CITIZEN_BOX = "/jkowalski/skrytka"
REPLY_BOX = "/sp19lublin/UPD"
SIGNED_XML = b'<?xml version="1.0" encoding="UTF-8"?><pismo xmlns="urn:t"><tresc>Decyzja</tresc></pismo>'


def _client(sim: Simulated) -> dorecz.DoreczycielClient:
    return dorecz.DoreczycielClient(sim.base_url + DORECZYCIEL_PATH, "sp19lublin")


def test_the_request_names_the_wsdls_headers_and_action() -> None:
    wsdl = etree.parse(str(Path(__file__).resolve().parent / "standards" / "epuap" / "doreczyciel.wsdl"))
    parts = {p.get("name"): p.get("element").split(":")[-1]
             for p in wsdl.findall(f"{{{WSDL}}}message[@name='doreczRequest']/{{{WSDL}}}part")}
    headers = {h.get("part") for h in wsdl.iter(f"{{{SOAP_BINDING}}}header") if h.get("message") == "tns:doreczRequest"}
    action = next(o.get("soapAction") for o in wsdl.iter(f"{{{SOAP_BINDING}}}operation")
                  if o.get("soapAction", "").endswith("/dorecz"))
    assert action == dorecz.SOAP_ACTION
    request = dorecz.DoreczRequest(podmiot="sp19lublin", box_address=CITIZEN_BOX, reply_address=REPLY_BOX,
                                   term=clock.now_utc(), document_id="SP19/RPWy/1/2026", case_id="KAD.051.1.2026",
                                   filename="decyzja.xml", content_type="text/xml", content=SIGNED_XML)
    envelope = etree.fromstring(dorecz.build_request(request))
    sent = {el.tag for el in envelope.find(f"{{{SOAP_NS}}}Header")}
    allowed = {f"{{{OB_NS}}}{parts[h]}" for h in headers}
    assert sent <= allowed and f"{{{OB_NS}}}AdresOdpowiedzi" in sent
    (body,) = envelope.find(f"{{{SOAP_NS}}}Body")
    assert body.tag == f"{{{OB_NS}}}{parts['dokument']}"
    assert dorecz.parse_request(dorecz.build_request(request)) == request.model_copy(
        update={"term": request.term.replace(microsecond=request.term.microsecond // 1000 * 1000)})


def test_dorecz_delivers_and_the_upd_comes_back_to_the_reply_box(simulator: Simulated) -> None:
    simulator.sim.register_box("jkowalski", "skrytka", CITIZEN_BOX)
    before = clock.now_utc() - timedelta(seconds=1)
    order = _client(simulator).dorecz(CITIZEN_BOX, SIGNED_XML, "decyzja.xml", reply_address=REPLY_BOX,
                                      document_id="SP19/RPWy/7/2026", case_id="KAD.051.1.2026")
    assert order.document_id and order.order_id
    (waiting,) = simulator.sim.waiting(CITIZEN_BOX)
    assert waiting.content == SIGNED_XML and waiting.reply_address == REPLY_BOX

    pull = EpuapPullClient(simulator.pull_url, "sp19lublin", "UPD", REPLY_BOX)
    simulator.sim.register_box("sp19lublin", "UPD", REPLY_BOX)
    assert pull.fetch_next() is None  # nothing before the addressee collects
    (upd_id,) = simulator.sim.collect_dorecz(order_id=order.order_id)
    document = pull.fetch_next()
    assert document is not None
    upd = dorecz.parse_upd(document.content)
    assert upd is not None and (upd.upd_id, upd.order_id, upd.document_id) == (upd_id, order.order_id,
                                                                               "SP19/RPWy/7/2026")
    assert before <= upd.delivered_at <= clock.now_utc() + timedelta(seconds=1)
    assert hashlib.sha256(SIGNED_XML).hexdigest().encode() in document.content
    pull.confirm(document.skrot)
    assert simulator.sim.collect_dorecz(order_id=order.order_id) == [upd_id]  # collected once: no second UPD
    assert pull.fetch_next() is None


def test_dorecz_to_an_unknown_box_is_a_fault(simulator: Simulated) -> None:
    with pytest.raises(EpuapFault) as info:
        _client(simulator).dorecz("/nikt/skrytka", SIGNED_XML, "d.xml", reply_address=REPLY_BOX, document_id="x")
    assert info.value.kod == 20


def test_the_upp_of_nadaj_travels_in_the_answer(simulator: Simulated) -> None:
    from ezd.adapters.epuap_client import EpuapSkrytkaClient

    result = EpuapSkrytkaClient(simulator.skrytka_url, "sp19lublin").nadaj(simulator.box_address, b"%PDF-1.7", "a.pdf")
    upp = dorecz.parse_upp(result.upp or b"")
    assert upp is not None and upp.upp_id == result.upp_id
    assert dorecz.parse_upd(result.upp or b"") is None  # a UPP is not a UPD

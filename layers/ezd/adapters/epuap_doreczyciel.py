"""ePUAP WS-Doręczyciel (``doreczyciel.wsdl``): ``dorecz``, the official delivery of a
document to a person's box, and the UPD (urzędowe poświadczenie doręczenia) it earns.

The request, as the binding fixes it: SOAP headers ``ob:IdentyfikatorPodmiotu``,
``ob:AdresSkrytki`` (the addressee's box), ``ob:AdresOdpowiedzi`` (where the UPD goes),
``ob:TerminDoreczenia``, ``ob:CzyProbne``, ``ob:IdentyfikatorDokumentu`` (the sender's
identifier of the document: we send the register line's reference), ``ob:IdentyfikatorSprawy``,
``ob:DaneDodatkowe``, ``ob:UPD`` (a UPD template; not sent) and the body ``ob:Dokument``;
the answer ``ob:OdpowiedzDoreczyciela`` (status, identyfikatorDokumentu,
identyfikatorZlecenia). When the addressee collects (signs the UPD), ePUAP delivers the
signed UPD to ``AdresOdpowiedzi`` as a document: the dispatch collects it from that box
with WS-Pull. Both sides live here (the simulator uses the parsers and builders too), so
the two cannot drift apart. Hardened parsing, errors and transport as in ``epuap_client``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lxml import etree
from pydantic import BaseModel, ConfigDict, Field

from ezd.adapters import epuap_soap as soap
from ezd.adapters.epuap_client import RequestSigner, post_soap
from ezd.adapters.epuap_soap import OB_NS, EpuapFault, MalformedSoap
from ezd.clock import now_utc

OP_DORECZ = "dorecz"
SOAP_ACTION = "http://ws.epuap.gov.pl/doreczyciel/dorecz"
UPD_NS = "urn:ezd:local:epuap-upd"  # the simulator's UPD; real ePUAP's is a signed form of its own
DEFAULT_TERM_DAYS = 14


class DoreczRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    podmiot: str = Field(max_length=100)
    box_address: str
    reply_address: str
    term: datetime
    trial: bool = False
    document_id: str  # the sender's identifier of the document
    case_id: str | None = None
    filename: str
    content_type: str | None = None
    content: bytes = Field(repr=False)


class DoreczOrder(BaseModel):
    document_id: str  # ePUAP's identifier of the delivered document
    order_id: str  # identyfikatorZlecenia


class Upd(BaseModel):
    """A UPD as read from the box it was delivered to."""

    upd_id: str
    order_id: str
    document_id: str  # the sender's identifier given in the dorecz request
    delivered_at: datetime
    content: bytes = Field(repr=False)


def _q(name: str) -> str:
    return f"{{{OB_NS}}}{name}"


def build_request(req: DoreczRequest) -> bytes:
    headers = [soap._ob("IdentyfikatorPodmiotu", req.podmiot), soap._ob("AdresSkrytki", req.box_address),
               soap._ob("AdresOdpowiedzi", req.reply_address),
               soap._ob("TerminDoreczenia", soap._format_datetime(req.term)),
               soap._ob("CzyProbne", soap._bool(req.trial)),
               soap._ob("IdentyfikatorDokumentu", req.document_id)]
    if req.case_id:
        headers.append(soap._ob("IdentyfikatorSprawy", req.case_id))
    body = soap._dokument(soap._ob("Dokument"), req.filename, req.content_type, req.content)
    return soap._envelope([body], headers)


def parse_request(message: bytes) -> DoreczRequest:
    envelope = soap.parse_envelope(message)
    text = lambda name, required=True: soap._header_text(envelope, name, required=required)  # noqa: E731
    body = envelope.first
    if body is None or body.tag != _q("Dokument"):
        raise MalformedSoap("dorecz needs ob:Dokument in the SOAP Body")
    filename, content_type, content = soap._parse_dokument(body)
    trial = text("CzyProbne", False)
    return DoreczRequest(podmiot=text("IdentyfikatorPodmiotu") or "", box_address=text("AdresSkrytki") or "",
                         reply_address=text("AdresOdpowiedzi") or "",
                         term=soap._parse_datetime(text("TerminDoreczenia") or "", "TerminDoreczenia"),
                         trial=soap._parse_bool(trial, "CzyProbne") if trial else False,
                         document_id=text("IdentyfikatorDokumentu") or "",
                         case_id=text("IdentyfikatorSprawy", False) or None,
                         filename=filename, content_type=content_type, content=content)


def build_response(status: soap.EpuapStatus, document_id: str | None, order_id: str | None) -> bytes:
    el = soap._ob("OdpowiedzDoreczyciela")
    soap._status(el, status)
    soap._sub_nillable(el, "identyfikatorDokumentu", document_id)
    soap._sub_nillable(el, "identyfikatorZlecenia", order_id)
    return soap._envelope([el])


def parse_response(message: bytes) -> tuple[soap.EpuapStatus, str | None, str | None]:
    el = soap._response_element(message, "OdpowiedzDoreczyciela")
    return (soap._parse_status(el), soap._opt_text(el, "identyfikatorDokumentu") or None,
            soap._opt_text(el, "identyfikatorZlecenia") or None)


def build_upd(*, upd_id: str, order_id: str, document_id: str, sender_document_id: str, box_address: str,
              delivered_at: datetime, document_sha256: str) -> bytes:
    root = etree.Element(f"{{{UPD_NS}}}UPD", nsmap={None: UPD_NS})
    for name, value in (("IdentyfikatorUpd", upd_id), ("IdentyfikatorZlecenia", order_id),
                        ("IdentyfikatorDokumentuEpuap", document_id), ("IdentyfikatorDokumentu", sender_document_id),
                        ("AdresSkrytki", box_address), ("DataDoreczenia", soap._format_datetime(delivered_at)),
                        ("SkrotDokumentu", document_sha256)):
        etree.SubElement(root, f"{{{UPD_NS}}}{name}").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def parse_upd(content: bytes) -> Upd | None:
    """A UPD, or None for any other document (a box for UPDs may get something else)."""
    try:
        root = soap.parse_xml(content)
    except MalformedSoap:
        return None
    if root.tag != f"{{{UPD_NS}}}UPD":
        return None

    def field(name: str) -> str:
        el = root.find(f"{{{UPD_NS}}}{name}")
        if el is None or not (el.text or "").strip():
            raise MalformedSoap(f"UPD without {name}")
        return el.text.strip()

    return Upd(upd_id=field("IdentyfikatorUpd"), order_id=field("IdentyfikatorZlecenia"),
               document_id=field("IdentyfikatorDokumentu"),
               delivered_at=soap._parse_datetime(field("DataDoreczenia"), "DataDoreczenia"), content=content)


class DoreczycielClient:
    def __init__(self, endpoint_url: str, podmiot: str, timeout: float = 10,
                 request_signer: RequestSigner | None = None) -> None:
        self.endpoint_url = endpoint_url
        self.podmiot = podmiot
        self.timeout = timeout
        self.request_signer = request_signer

    def dorecz(self, box_address: str, document: bytes, filename: str, *, reply_address: str, document_id: str,
               case_id: str | None = None, content_type: str | None = "text/xml") -> DoreczOrder:
        request = DoreczRequest(podmiot=self.podmiot, box_address=box_address, reply_address=reply_address,
                                term=now_utc() + timedelta(days=DEFAULT_TERM_DAYS), document_id=document_id,
                                case_id=case_id, filename=filename, content_type=content_type, content=document)
        _, body = post_soap(self.endpoint_url, build_request(request), SOAP_ACTION, timeout=self.timeout,
                            request_signer=self.request_signer)
        status, epuap_id, order_id = parse_response(body)
        if not status.ok:
            raise EpuapFault(status.kod, status.komunikat or "dorecz refused")
        if not epuap_id or not order_id:
            raise EpuapFault(0, "dorecz: OK status without identyfikatorDokumentu or identyfikatorZlecenia")
        return DoreczOrder(document_id=epuap_id, order_id=order_id)


class Upp(BaseModel):
    upp_id: str
    submitted_at: datetime


def build_upp(*, upp_id: str, document_id: str, box_address: str, submitted_at: datetime, document_sha256: str) -> bytes:
    """The simulator's UPP of a ``nadaj``: when the document entered the box, and its digest."""
    root = etree.Element(f"{{{UPD_NS}}}UPP", nsmap={None: UPD_NS})
    for name, value in (("IdentyfikatorUpp", upp_id), ("IdentyfikatorDokumentuEpuap", document_id),
                        ("AdresSkrytki", box_address), ("DataPrzedlozenia", soap._format_datetime(submitted_at)),
                        ("SkrotDokumentu", document_sha256)):
        etree.SubElement(root, f"{{{UPD_NS}}}{name}").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def parse_upp(content: bytes) -> Upp | None:
    try:
        root = soap.parse_xml(content)
    except MalformedSoap:
        return None
    found = {el.tag.split("}")[-1]: (el.text or "").strip() for el in root}
    if root.tag != f"{{{UPD_NS}}}UPP" or not found.get("IdentyfikatorUpp") or not found.get("DataPrzedlozenia"):
        return None
    return Upp(upp_id=found["IdentyfikatorUpp"],
               submitted_at=soap._parse_datetime(found["DataPrzedlozenia"], "DataPrzedlozenia"))

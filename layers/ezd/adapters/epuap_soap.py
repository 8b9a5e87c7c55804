"""SOAP 1.1 codec for the ePUAP contracts (pull.wsdl, skrytka.wsdl, obiektypk.xsd). Pure: no I/O.

Both sides live here on purpose: the project's clients build requests and parse responses,
the local simulator parses requests and builds responses, so the two can never drift apart
from each other without the contract tests (which validate against the XSD) noticing.

Contract notes that shape the code:
- obiektypk.xsd has no ``elementFormDefault``, so only the global elements are in the
  ``ob:`` namespace; their children (``kod``, ``podmiot``, ``dokument``...) are UNqualified.
  Parsing is lenient and also accepts ``ob:``-qualified children, because some SOAP stacks
  qualify them anyway; building is strict.
- ``nadaj`` (skrytka binding): five SOAP headers (IdentyfikatorPodmiotu, AdresSkrytki,
  AdresOdpowiedzi, CzyProbne, DaneDodatkowe) and ``ob:Dokument`` (DokumentTyp, base64) as
  the body. ``nadajAny`` adds the NazwaPliku header and carries ``ext:Dokument`` (anyType,
  inline XML) as the body.
- Every XML we read comes from outside; it goes through a parser that resolves no
  entities, loads no DTD and touches no network, and any DOCTYPE is refused outright.
"""

from __future__ import annotations

import base64
import binascii
import copy
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from lxml import etree

from ezd.errors import EzdError, TransientFault
from ezd.models.epuap import (
    STATUS_OK,
    EpuapStatus,
    NadajRequest,
    PulledDocument,
    PullQuery,
    SenderProfile,
    SkrytkaResponse,
)

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
OB_NS = "http://wsdl.epuap.gov.pl/obiekty/"
EXT_NS = "http://wsdl.epuap.gov.pl/obiekty/ext/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# Not part of any ePUAP contract: a header only the local simulator reads (see SenderProfile).
SIM_NS = "urn:ezd:local:epuap-simulator"

# Operation names, as in the WSDL portTypes.
OP_PENDING = "oczekujaceDokumenty"
OP_FETCH = "pobierzNastepny"
OP_CONFIRM = "potwierdzOdebranie"
OP_NADAJ = "nadaj"
OP_NADAJ_ANY = "nadajAny"
OP_PUSH = "push"  # delivery to the receiving system; no WSDL in the set (see build_push_request)

PULL_OPERATIONS = (OP_PENDING, OP_FETCH, OP_CONFIRM)
SKRYTKA_OPERATIONS = (OP_NADAJ, OP_NADAJ_ANY)

# soap:operation/@soapAction from the bindings.
SOAP_ACTIONS: dict[str, str] = {
    OP_PENDING: "http://ws.epuap.gov.pl/pull/oczekujaceDokumenty",
    OP_FETCH: "http://ws.epuap.gov.pl/pull/pobierzNastepny",
    OP_CONFIRM: "http://ws.epuap.gov.pl/pull/potwierdzOdebranie",
    OP_NADAJ: "http://ws.epuap.gov.pl/skrytka/nadaj",
    OP_NADAJ_ANY: "http://ws.epuap.gov.pl/skrytka/nadajAny",
    # An empty SOAPAction means "the intent is the request URI" in SOAP 1.1; the push
    # receiver dispatches on the body anyway.
    OP_PUSH: "",
}
_OPERATION_BY_ACTION = {action: op for op, action in SOAP_ACTIONS.items() if action}


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


# The first Body element of each request; used to dispatch when SOAPAction is missing.
_PULL_REQUEST_ELEMENTS = {
    OP_PENDING: _q(OB_NS, "ZapytaniePullOczekujace"),
    OP_FETCH: _q(OB_NS, "ZapytaniePullPobierz"),
    OP_CONFIRM: _q(OB_NS, "ZapytaniePullPotwierdz"),
}
_REQUEST_BODY_ELEMENTS = {
    **_PULL_REQUEST_ELEMENTS,
    OP_NADAJ: _q(OB_NS, "Dokument"),
    OP_NADAJ_ANY: _q(EXT_NS, "Dokument"),
}

# Wyjatek codes. The published contract defines the element, not the numbers; these are the
# simulator's own, stable so that tests and logs can rely on them.
WYJATEK_MALFORMED = 10  # not SOAP, not well-formed, DTD/entities, missing elements
WYJATEK_UNKNOWN_OPERATION = 11
WYJATEK_UNKNOWN_BOX = 20
WYJATEK_BOX_MISMATCH = 21  # podmiot / box name do not own the addressed box
WYJATEK_UNKNOWN_SKROT = 30
WYJATEK_SERVER = 99
# Status kod of pobierzNastepny when the queue is empty (anything but STATUS_OK works).
STATUS_QUEUE_EMPTY = 0

# Refuse absurd inputs before lxml spends memory on them (the biggest real ePUAP letters
# with attachments are tens of MB; base64 adds a third).
MAX_SOAP_BYTES = 100 * 1024 * 1024


class EpuapFault(EzdError):
    """A SOAP fault (with ob:Wyjatek when the service sent one). The request was wrong or
    refused: retrying the same request will not help."""

    code = "EPUAP_FAULT"

    def __init__(self, kod: int, komunikat: str, *, faultcode: str = "Client") -> None:
        super().__init__(f"ePUAP fault {kod}: {komunikat}")
        self.kod = kod
        self.komunikat = komunikat
        self.faultcode = faultcode  # "Client" or "Server" (local part of the SOAP faultcode)


class MalformedSoap(EpuapFault):
    """The message is not an acceptable SOAP envelope of the expected shape."""

    def __init__(self, komunikat: str) -> None:
        super().__init__(WYJATEK_MALFORMED, komunikat, faultcode="Client")


class EpuapUnavailable(TransientFault):
    """ePUAP could not be reached or answered 5xx without a SOAP fault: retry later."""


# --------------------------------------------------------------------------- parsing


def _hardened_parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not meant to be shared between threads, and
    # the simulator serves requests on many.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML; refuse DTDs (the carrier of entity expansion and XXE)."""
    if not data or not data.strip():
        raise MalformedSoap("empty message")
    if len(data) > MAX_SOAP_BYTES:
        raise MalformedSoap("message too large")
    try:
        root = etree.fromstring(data, _hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedSoap(f"not well-formed XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise MalformedSoap("DTD is not allowed in SOAP messages")
    return root


@dataclass(frozen=True)
class Envelope:
    """A parsed SOAP 1.1 envelope: element children of Header and Body."""

    headers: tuple[etree._Element, ...]
    body: tuple[etree._Element, ...]

    def header(self, ns: str, name: str) -> etree._Element | None:
        tag = _q(ns, name)
        return next((h for h in self.headers if h.tag == tag), None)

    @property
    def first(self) -> etree._Element | None:
        return self.body[0] if self.body else None

    @property
    def fault(self) -> etree._Element | None:
        first = self.first
        return first if first is not None and first.tag == _q(SOAP_NS, "Fault") else None


def _elements(parent: etree._Element | None) -> tuple[etree._Element, ...]:
    if parent is None:
        return ()
    return tuple(c for c in parent if isinstance(c.tag, str))


def parse_envelope(data: bytes) -> Envelope:
    root = parse_xml(data)
    if root.tag != _q(SOAP_NS, "Envelope"):
        raise MalformedSoap(f"root is {root.tag!r}, expected a SOAP 1.1 Envelope")
    header = root.find(_q(SOAP_NS, "Header"))
    body = root.find(_q(SOAP_NS, "Body"))
    if body is None:
        raise MalformedSoap("SOAP Body missing")
    return Envelope(headers=_elements(header), body=_elements(body))


def _as_envelope(message: bytes | Envelope) -> Envelope:
    return message if isinstance(message, Envelope) else parse_envelope(message)


def detect_operation(envelope: Envelope, soap_action: str | None) -> str:
    """The operation a request asks for: by SOAPAction, else by the Body's first element.

    When both are present they must agree; a mismatch is refused rather than guessed.
    """
    first = envelope.first
    if first is None:
        raise MalformedSoap("SOAP Body is empty")
    action = (soap_action or "").strip().strip('"')
    by_body = [op for op, tag in _REQUEST_BODY_ELEMENTS.items() if tag == first.tag]
    if action:
        op = _OPERATION_BY_ACTION.get(action)
        if op is None:
            raise EpuapFault(WYJATEK_UNKNOWN_OPERATION, f"unknown SOAPAction {action!r}")
        if op not in by_body:
            raise MalformedSoap(f"SOAPAction {action!r} does not match body element {first.tag!r}")
        return op
    if not by_body:
        raise EpuapFault(WYJATEK_UNKNOWN_OPERATION, f"unknown request element {first.tag!r}")
    return by_body[0]


def _child(parent: etree._Element, name: str) -> etree._Element | None:
    # Unqualified per the XSD; ob:-qualified tolerated (see module docstring).
    for c in parent:
        if isinstance(c.tag, str) and etree.QName(c).localname == name:
            if etree.QName(c).namespace in (None, OB_NS):
                return c
    return None


def _is_nil(el: etree._Element) -> bool:
    return el.get(_q(XSI_NS, "nil"), "").strip() in ("true", "1")


def _opt_text(parent: etree._Element, name: str) -> str | None:
    el = _child(parent, name)
    if el is None or _is_nil(el):
        return None
    return el.text or ""


def _req_text(parent: etree._Element, name: str) -> str:
    value = _opt_text(parent, name)
    if value is None:
        raise MalformedSoap(f"<{name}> missing in {etree.QName(parent).localname}")
    return value.strip()


def _parse_bool(value: str, what: str) -> bool:
    v = value.strip()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    raise MalformedSoap(f"{what}: {value!r} is not an xsd:boolean")


def _parse_int(value: str, what: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise MalformedSoap(f"{what}: {value!r} is not an integer") from None


def _parse_b64(value: str | None, what: str) -> bytes:
    if not value:
        return b""
    # base64Binary may be line-wrapped; strict otherwise, so garbage is not silently dropped.
    compact = "".join(value.split())  # str.split: the same whitespace as \s, without a regex pass
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedSoap(f"{what}: invalid base64") from None


def _warsaw() -> timezone:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Warsaw")  # type: ignore[return-value]
    except Exception:  # tz database missing (minimal images): a fixed guess beats failing
        return timezone.utc


def _parse_datetime(value: str, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise MalformedSoap(f"{what}: {value!r} is not an xsd:dateTime") from None
    if parsed.tzinfo is None:
        # xsd:dateTime may omit the offset; ePUAP is a Polish service, so its local time is
        # the only sensible reading.
        parsed = parsed.replace(tzinfo=_warsaw())
    return parsed


def _format_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return value.isoformat(timespec="milliseconds")


def _raise_if_fault(envelope: Envelope) -> None:
    fault = envelope.fault
    if fault is None:
        return
    faultcode = (_opt_text(fault, "faultcode") or "").strip()
    local = faultcode.rsplit(":", 1)[-1] or "Server"
    faultstring = (_opt_text(fault, "faultstring") or "").strip()
    detail = _child(fault, "detail")
    wyjatek = None
    if detail is not None:
        wyjatek = next((d for d in detail if d.tag == _q(OB_NS, "Wyjatek")), None)
    if wyjatek is not None:
        kod = _parse_int(_req_text(wyjatek, "kod"), "Wyjatek/kod")
        komunikat = _opt_text(wyjatek, "komunikat") or faultstring
        raise EpuapFault(kod, komunikat, faultcode=local)
    # A fault without ob:Wyjatek (e.g. from a security layer in front of ePUAP).
    raise EpuapFault(0, faultstring or "SOAP fault without detail", faultcode=local)


def _response_element(message: bytes | Envelope, name: str) -> etree._Element:
    envelope = _as_envelope(message)
    _raise_if_fault(envelope)
    first = envelope.first
    if first is None or first.tag != _q(OB_NS, name):
        raise MalformedSoap(f"expected ob:{name} in the SOAP Body")
    return first


def _parse_status(parent: etree._Element) -> EpuapStatus:
    el = _child(parent, "status")
    if el is None:
        raise MalformedSoap("<status> missing")
    return EpuapStatus(kod=_parse_int(_req_text(el, "kod"), "status/kod"), komunikat=_opt_text(el, "komunikat"))


# --------------------------------------------------------------------------- building


def _ob(name: str, text: str | None = None) -> etree._Element:
    el = etree.Element(_q(OB_NS, name), nsmap={"ob": OB_NS})
    if text is not None:
        el.text = text
    return el


def _sub(parent: etree._Element, name: str, text: str | None) -> etree._Element:
    """Unqualified child element (see module docstring)."""
    el = etree.SubElement(parent, name)
    if text is not None:
        el.text = text
    return el


def _sub_nillable(parent: etree._Element, name: str, text: str | None) -> etree._Element:
    el = _sub(parent, name, text)
    if text is None:
        el.set(_q(XSI_NS, "nil"), "true")
    return el


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _envelope(body: Iterable[etree._Element], headers: Iterable[etree._Element] = ()) -> bytes:
    env = etree.Element(_q(SOAP_NS, "Envelope"), nsmap={"soap": SOAP_NS, "ob": OB_NS, "xsi": XSI_NS})
    headers = list(headers)
    if headers:
        etree.SubElement(env, _q(SOAP_NS, "Header")).extend(headers)
    etree.SubElement(env, _q(SOAP_NS, "Body")).extend(body)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _status(parent: etree._Element, status: EpuapStatus, name: str = "status") -> None:
    el = _sub(parent, name, None)
    _sub(el, "kod", str(status.kod))
    _sub_nillable(el, "komunikat", status.komunikat)


def build_fault(kod: int, komunikat: str, *, faultcode: str = "Client") -> bytes:
    """SOAP 1.1 Fault whose detail carries ob:Wyjatek (the WSDLs' fault part)."""
    fault = etree.Element(_q(SOAP_NS, "Fault"))
    # faultcode is a QName; the soap prefix is declared on the Envelope.
    _sub(fault, "faultcode", f"soap:{faultcode}")
    _sub(fault, "faultstring", komunikat)
    wyjatek = _ob("Wyjatek")
    _sub(wyjatek, "kod", str(kod))
    _sub(wyjatek, "komunikat", komunikat)
    _sub(fault, "detail", None).append(wyjatek)
    return _envelope([fault])


def build_fault_from(exc: EpuapFault) -> bytes:
    return build_fault(exc.kod, exc.komunikat, faultcode=exc.faultcode)


# ------------------------------------------------------------------ DanePodmiotu & co.


def _dane_podmiotu(el: etree._Element, sender: SenderProfile) -> etree._Element:
    # Order is fixed by DanePodmiotuTyp's sequence.
    _sub(el, "identyfikator", sender.identifier)
    _sub(el, "typOsoby", sender.type)
    if sender.first_name is not None:
        _sub(el, "imieSkrot", sender.first_name)
    if sender.name is not None:
        _sub(el, "nazwiskoNazwa", sender.name)
    _sub(el, "zgoda", _bool(sender.consent))
    return el


def _dane_nadawcy(el: etree._Element, sender: SenderProfile) -> etree._Element:
    if sender.user is not None:
        _sub(el, "uzytkownik", sender.user)
    if sender.system is not None:
        _sub(el, "system", sender.system)
    return el


def _parse_sender(podmiot: etree._Element, nadawca: etree._Element | None) -> SenderProfile:
    return SenderProfile(
        identifier=_req_text(podmiot, "identyfikator"),
        type=_req_text(podmiot, "typOsoby"),
        first_name=_opt_text(podmiot, "imieSkrot"),
        name=_opt_text(podmiot, "nazwiskoNazwa"),
        consent=_parse_bool(_req_text(podmiot, "zgoda"), "zgoda"),
        user=_opt_text(nadawca, "uzytkownik") if nadawca is not None else None,
        system=_opt_text(nadawca, "system") if nadawca is not None else None,
    )


def _dokument(el: etree._Element, filename: str, content_type: str | None, content: bytes) -> etree._Element:
    _sub(el, "nazwaPliku", filename)
    if content_type is not None:
        _sub(el, "typPliku", content_type)
    _sub(el, "zawartosc", _b64(content))
    return el


def _parse_dokument(el: etree._Element) -> tuple[str, str | None, bytes]:
    return (
        _req_text(el, "nazwaPliku"),
        _opt_text(el, "typPliku"),
        _parse_b64(_opt_text(el, "zawartosc"), "zawartosc"),
    )


def _document_from(
    sender: SenderProfile,
    *,
    delivered_at: datetime,
    box_name: str,
    box_address: str,
    reply_address: str | None,
    is_test: bool,
    extra_data: bytes,
    dokument: etree._Element,
) -> PulledDocument:
    filename, content_type, content = _parse_dokument(dokument)
    return PulledDocument(
        sender_id=sender.identifier,
        sender_type=sender.type,
        sender_first_name=sender.first_name,
        sender_name=sender.name,
        sender_consent=sender.consent,
        sender_user=sender.user,
        sender_system=sender.system,
        delivered_at=delivered_at,
        box_name=box_name,
        box_address=box_address,
        reply_address=reply_address or None,
        is_test=is_test,
        extra_data=extra_data,
        filename=filename,
        content_type=content_type,
        content=content,
    )


# --------------------------------------------------------------------------- WS-Pull


def build_pull_request(query: PullQuery) -> bytes:
    """ZapytaniePullOczekujace / ZapytaniePullPobierz / ZapytaniePullPotwierdz."""
    tag = _PULL_REQUEST_ELEMENTS.get(query.operation)
    if tag is None:
        raise ValueError(f"not a pull operation: {query.operation}")
    el = _ob(etree.QName(tag).localname)
    _sub(el, "podmiot", query.podmiot)
    _sub(el, "nazwaSkrytki", query.box_name)
    _sub(el, "adresSkrytki", query.box_address)
    if query.operation == OP_CONFIRM:
        if not query.skrot:
            raise ValueError("potwierdzOdebranie needs a skrot")
        _sub(el, "skrot", query.skrot)
    return _envelope([el])


def parse_pull_request(message: bytes | Envelope, soap_action: str | None = None) -> PullQuery:
    envelope = _as_envelope(message)
    op = detect_operation(envelope, soap_action)
    if op not in PULL_OPERATIONS:
        raise EpuapFault(WYJATEK_UNKNOWN_OPERATION, f"{op} is not a WS-Pull operation")
    el = envelope.first
    assert el is not None  # detect_operation checked it
    podmiot = _req_text(el, "podmiot")
    if len(podmiot) > 100:  # IdentyfikatorPodmiotuTyp maxLength
        raise MalformedSoap("podmiot longer than 100 characters")
    return PullQuery(
        operation=op,
        podmiot=podmiot,
        box_name=_req_text(el, "nazwaSkrytki"),
        box_address=_req_text(el, "adresSkrytki"),
        skrot=_req_text(el, "skrot") if op == OP_CONFIRM else None,
    )


def build_pending_response(status: EpuapStatus, count: int) -> bytes:
    el = _ob("OdpowiedzPullOczekujace")
    _status(el, status)
    _sub(el, "oczekujace", str(count))
    return _envelope([el])


def parse_pending_response(message: bytes | Envelope) -> tuple[EpuapStatus, int]:
    el = _response_element(message, "OdpowiedzPullOczekujace")
    status = _parse_status(el)
    count = _opt_text(el, "oczekujace")
    return status, _parse_int(count, "oczekujace") if count is not None else 0


def build_fetch_response(status: EpuapStatus, doc: PulledDocument | None) -> bytes:
    """OdpowiedzPullPobierz. With no document only ``status`` is sent.

    That deliberately breaks the XSD (OdpowiedzPullPobierzTyp makes every document field
    mandatory, so an empty queue cannot be expressed validly); sending invented sender data
    instead would be worse. Clients must decide on the presence of ``dokument``.
    """
    el = _ob("OdpowiedzPullPobierz")
    _status(el, status)
    if doc is not None:
        _dane_podmiotu(_sub(el, "danePodmiotu", None), doc.sender)
        _dane_nadawcy(_sub(el, "daneNadawcy", None), doc.sender)
        _sub(el, "dataNadania", _format_datetime(doc.delivered_at))
        _sub(el, "nazwaSkrytki", doc.box_name)
        _sub(el, "adresSkrytki", doc.box_address)
        _sub_nillable(el, "adresOdpowiedzi", doc.reply_address)
        _sub(el, "czyTestowe", _bool(doc.is_test))
        _sub(el, "daneDodatkowe", _b64(doc.extra_data))
        _dokument(_sub(el, "dokument", None), doc.filename, doc.content_type, doc.content)
    return _envelope([el])


def parse_fetch_response(message: bytes | Envelope) -> tuple[EpuapStatus, PulledDocument | None]:
    el = _response_element(message, "OdpowiedzPullPobierz")
    status = _parse_status(el)
    dokument = _child(el, "dokument")
    if dokument is None:
        return status, None
    podmiot = _child(el, "danePodmiotu")
    if podmiot is None:
        raise MalformedSoap("danePodmiotu missing next to a dokument")
    doc = _document_from(
        _parse_sender(podmiot, _child(el, "daneNadawcy")),
        delivered_at=_parse_datetime(_req_text(el, "dataNadania"), "dataNadania"),
        box_name=_req_text(el, "nazwaSkrytki"),
        box_address=_req_text(el, "adresSkrytki"),
        reply_address=_opt_text(el, "adresOdpowiedzi"),
        is_test=_parse_bool(_opt_text(el, "czyTestowe") or "false", "czyTestowe"),
        extra_data=_parse_b64(_opt_text(el, "daneDodatkowe"), "daneDodatkowe"),
        dokument=dokument,
    )
    return status, doc


def build_confirm_response(status: EpuapStatus) -> bytes:
    el = _ob("OdpowiedzPullPotwierdz")
    _status(el, status)
    return _envelope([el])


def parse_confirm_response(message: bytes | Envelope) -> EpuapStatus:
    return _parse_status(_response_element(message, "OdpowiedzPullPotwierdz"))


# ------------------------------------------------------------------------ WS-Skrytka


def build_nadaj_request(req: NadajRequest) -> bytes:
    """``nadaj`` (ob:Dokument body) or, with ``req.as_any``, ``nadajAny`` (ext:Dokument body)."""
    headers = [_ob("IdentyfikatorPodmiotu", req.podmiot), _ob("AdresSkrytki", req.box_address)]
    if req.reply_address is not None:
        headers.append(_ob("AdresOdpowiedzi", req.reply_address))
    headers.append(_ob("CzyProbne", _bool(req.trial)))
    if req.extra_data:
        headers.append(_ob("DaneDodatkowe", _b64(req.extra_data)))
    if req.as_any:
        headers.append(_ob("NazwaPliku", req.filename))
    if req.sender is not None:
        # Simulator-only header; see SenderProfile. Its children reuse the contract types.
        sim = etree.Element(_q(SIM_NS, "Nadawca"), nsmap={"sim": SIM_NS, "ob": OB_NS})
        sim.append(_dane_podmiotu(_ob("DanePodmiotu"), req.sender))
        sim.append(_dane_nadawcy(_ob("DaneNadawcy"), req.sender))
        headers.append(sim)
    if req.as_any:
        body = etree.Element(_q(EXT_NS, "Dokument"), nsmap={"ext": EXT_NS})
        try:
            body.append(parse_xml(req.content))  # the caller's XML, hardened like any input
        except MalformedSoap as exc:
            raise ValueError(f"nadajAny needs one well-formed XML document: {exc.komunikat}") from None
    else:
        body = _dokument(_ob("Dokument"), req.filename, req.content_type, req.content)
    return _envelope([body], headers)


def _header_text(envelope: Envelope, name: str, required: bool = False) -> str | None:
    el = envelope.header(OB_NS, name)
    if el is None or _is_nil(el):
        if required:
            raise MalformedSoap(f"SOAP header ob:{name} missing")
        return None
    return (el.text or "").strip()


def parse_nadaj_request(message: bytes | Envelope, soap_action: str | None = None) -> NadajRequest:
    envelope = _as_envelope(message)
    op = detect_operation(envelope, soap_action)
    if op not in SKRYTKA_OPERATIONS:
        raise EpuapFault(WYJATEK_UNKNOWN_OPERATION, f"{op} is not a WS-Skrytka operation")
    podmiot = _header_text(envelope, "IdentyfikatorPodmiotu", required=True) or ""
    if not podmiot or len(podmiot) > 100:
        raise MalformedSoap("IdentyfikatorPodmiotu empty or longer than 100 characters")
    box_address = _header_text(envelope, "AdresSkrytki", required=True) or ""
    trial = _header_text(envelope, "CzyProbne")
    extra = _header_text(envelope, "DaneDodatkowe")
    sender = None
    sim = envelope.header(SIM_NS, "Nadawca")
    if sim is not None:
        podmiot_el = sim.find(_q(OB_NS, "DanePodmiotu"))
        if podmiot_el is None:
            raise MalformedSoap("sim:Nadawca without ob:DanePodmiotu")
        sender = _parse_sender(podmiot_el, sim.find(_q(OB_NS, "DaneNadawcy")))
    body = envelope.first
    assert body is not None
    if op == OP_NADAJ_ANY:
        filename = _header_text(envelope, "NazwaPliku", required=True) or ""
        content_type: str | None = "text/xml"
        inner = _elements(body)
        if len(inner) > 1:
            raise MalformedSoap("ext:Dokument must hold one XML document")
        if inner:
            # Detach a copy and drop the envelope's namespace declarations it inherited, so
            # the stored document is the sender's XML, not the sender's XML plus SOAP noise.
            document = copy.deepcopy(inner[0])
            etree.cleanup_namespaces(document)
            content = etree.tostring(document, encoding="UTF-8", xml_declaration=True)
        else:  # anyType allows plain text as well
            content = (body.text or "").encode("utf-8")
    else:
        filename, content_type, content = _parse_dokument(body)
    return NadajRequest(
        podmiot=podmiot,
        box_address=box_address,
        reply_address=_header_text(envelope, "AdresOdpowiedzi") or None,
        trial=_parse_bool(trial, "CzyProbne") if trial else False,
        extra_data=_parse_b64(extra, "DaneDodatkowe"),
        filename=filename,
        content_type=content_type,
        content=content,
        as_any=op == OP_NADAJ_ANY,
        sender=sender,
    )


def build_skrytka_response(status: EpuapStatus, document_id: str | None, upp_id: str | None = None,
                           upp: bytes | None = None) -> bytes:
    """ob:OdpowiedzSkrytki. identyfikatorDokumentu is mandatory in the XSD: empty when none.
    ``upp``: the UPP document itself, as the optional ``zalacznik`` (DokumentTyp)."""
    el = _ob("OdpowiedzSkrytki")
    _status(el, status)
    _sub(el, "identyfikatorDokumentu", document_id or "")
    if upp_id is not None:
        _sub(el, "identyfikatorUpp", upp_id)
    if upp is not None:
        _dokument(_sub(el, "zalacznik", None), f"UPP-{upp_id or document_id}.xml", "text/xml", upp)
    return _envelope([el])


def parse_skrytka_response(message: bytes | Envelope) -> SkrytkaResponse:
    el = _response_element(message, "OdpowiedzSkrytki")
    attached = _child(el, "zalacznik")
    return SkrytkaResponse(
        status=_parse_status(el),
        document_id=_opt_text(el, "identyfikatorDokumentu") or None,
        upp_id=_opt_text(el, "identyfikatorUpp") or None,
        upp=_parse_dokument(attached)[2] if attached is not None else None,
    )


# ------------------------------------------------------------------------------ PUSH


def build_push_request(doc: PulledDocument) -> bytes:
    """What ePUAP in push mode POSTs to the receiving system.

    The WSDL set has no push service, so this models it from the same elements as the
    pull response, laid out like ``nadaj``: metadata as ``ob:`` SOAP headers (DanePodmiotu,
    DaneNadawcy, DataNadania, NazwaSkrytki, AdresSkrytki, AdresOdpowiedzi, CzyTestowe,
    DaneDodatkowe) and ``ob:Dokument`` as the body; the receiver answers OdpowiedzSkrytki.
    """
    headers = [
        _dane_podmiotu(_ob("DanePodmiotu"), doc.sender),
        _dane_nadawcy(_ob("DaneNadawcy"), doc.sender),
        _ob("DataNadania", _format_datetime(doc.delivered_at)),
        _ob("NazwaSkrytki", doc.box_name),
        _ob("AdresSkrytki", doc.box_address),
    ]
    if doc.reply_address is not None:
        headers.append(_ob("AdresOdpowiedzi", doc.reply_address))
    headers.append(_ob("CzyTestowe", _bool(doc.is_test)))
    headers.append(_ob("DaneDodatkowe", _b64(doc.extra_data)))
    body = _dokument(_ob("Dokument"), doc.filename, doc.content_type, doc.content)
    return _envelope([body], headers)


def parse_push_request(body: bytes) -> PulledDocument:
    envelope = parse_envelope(body)
    dokument = envelope.first
    if dokument is None or dokument.tag != _q(OB_NS, "Dokument"):
        raise MalformedSoap("push body must be ob:Dokument")
    podmiot = envelope.header(OB_NS, "DanePodmiotu")
    if podmiot is None:
        raise MalformedSoap("SOAP header ob:DanePodmiotu missing")
    delivered = _header_text(envelope, "DataNadania", required=True) or ""
    is_test = _header_text(envelope, "CzyTestowe")
    return _document_from(
        _parse_sender(podmiot, envelope.header(OB_NS, "DaneNadawcy")),
        delivered_at=_parse_datetime(delivered, "DataNadania"),
        box_name=_header_text(envelope, "NazwaSkrytki", required=True) or "",
        box_address=_header_text(envelope, "AdresSkrytki", required=True) or "",
        reply_address=_header_text(envelope, "AdresOdpowiedzi"),
        is_test=_parse_bool(is_test, "CzyTestowe") if is_test else False,
        extra_data=_parse_b64(_header_text(envelope, "DaneDodatkowe"), "DaneDodatkowe"),
        dokument=dokument,
    )


def build_push_response(status: EpuapStatus, document_id: str | None) -> bytes:
    """The receiver's answer: ob:OdpowiedzSkrytki, kod 1 = accepted (ePUAP may then forget it)."""
    return build_skrytka_response(status, document_id)


def parse_push_response(body: bytes) -> SkrytkaResponse:
    return parse_skrytka_response(body)


__all__ = [
    "STATUS_OK",
    "EpuapFault",
    "EpuapUnavailable",
    "MalformedSoap",
    "Envelope",
    "SOAP_ACTIONS",
    "parse_xml",
    "parse_envelope",
    "detect_operation",
    "build_fault",
    "build_fault_from",
    "build_pull_request",
    "parse_pull_request",
    "build_pending_response",
    "parse_pending_response",
    "build_fetch_response",
    "parse_fetch_response",
    "build_confirm_response",
    "parse_confirm_response",
    "build_nadaj_request",
    "parse_nadaj_request",
    "build_skrytka_response",
    "parse_skrytka_response",
    "build_push_request",
    "parse_push_request",
    "build_push_response",
    "parse_push_response",
]

"""Read an ePUAP letter (``wnio:Dokument``) into the metadata the register needs.

The letter is hostile until proven otherwise: size is checked before parsing, the XML is
parsed without DTDs or entities (``ezd.adapters.safe_xml``), every attachment is decoded
strictly and passed through the file-type policy. Every refusal is an IntakeRejected with
a stable code and a message a registry clerk can read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import date

from lxml import etree

from ezd.adapters.safe_xml import parse_untrusted_xml
from ezd.errors import IntakeRejected, RejectCode
from ezd.models.letters import Attachment, IntakePolicy, ParsedLetter, Sender
from ezd.services.file_policy import check_file

META = "http://crd.gov.pl/xml/schematy/meta/2009/11/16/"
STR = "http://crd.gov.pl/xml/schematy/struktura/2009/11/16/"
OSO = "http://crd.gov.pl/xml/schematy/osoba/2009/11/16/"
INST = "http://crd.gov.pl/xml/schematy/instytucja/2009/11/16/"
ADR = "http://crd.gov.pl/xml/schematy/adres/2009/11/09/"
DS = "http://www.w3.org/2000/09/xmldsig#"

# Which identifier is the sender's reference (znak pisma), most specific first.
_REFERENCE_TYPES = ("znakPisma", "znakSprawy", "idDokumentu")
# A year, year-month or full date, optionally followed by a time that is dropped.
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:$|[T\s])")
_WHITESPACE = re.compile(r"\s+")
_POLAND_NAMES = frozenset({"polska", "poland", "rzeczpospolita polska", "pol"})


def _reject(message: str, code: str) -> IntakeRejected:
    return IntakeRejected(message, code=code)


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _text(element: etree._Element | None) -> str | None:
    """Whitespace-normalised text of an element and its descendants, or None if blank."""
    if element is None:
        return None
    value = _WHITESPACE.sub(" ", "".join(element.itertext())).strip()
    return value or None


def _body(content: etree._Element | None, form_ns: str) -> str | None:
    # Unlike titles, the body keeps its line breaks: they are the letter's paragraphs.
    element = None if content is None else content.find(f".//{_q(form_ns, 'Wartosc')}")
    value = None if element is None else "".join(element.itertext()).strip()
    return value or None


def _first_text(parent: etree._Element | None, path: str) -> str | None:
    return None if parent is None else _text(parent.find(path))


# --- OpisDokumentu ---------------------------------------------------------------------


def _letter_date(description: etree._Element | None) -> str | None:
    if description is None:
        return None
    dates = description.findall(_q(META, "Data"))
    created = [d for d in dates if d.get("typDaty") == "utworzony"]
    for element in created or dates:
        value = _partial_date(_text(element) or "")
        if value:
            return value
    return None


def _partial_date(value: str) -> str | None:
    """The date as "2026", "2026-09" or "2026-09-08" (a time is dropped); None if unrecognisable.

    Partial dates are allowed by the brief; anything else is dropped rather than guessed.
    """
    match = _PARTIAL_DATE.match(value)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join(p for p in (year, month, day) if p)


def _sender_reference(description: etree._Element | None) -> str | None:
    if description is None:
        return None
    found: dict[str, str] = {}
    for identifier in description.findall(_q(META, "Identyfikator")):
        value = _first_text(identifier, _q(META, "Wartosc"))
        kind = identifier.get("typIdentyfikatora", "")
        if value and kind in _REFERENCE_TYPES:
            found.setdefault(kind, value)
    return next((found[kind] for kind in _REFERENCE_TYPES if kind in found), None)


# --- DaneDokumentu: parties ------------------------------------------------------------


def _person_names(subject: etree._Element) -> tuple[str | None, str | None]:
    person = subject.find(f".//{_q(OSO, 'Osoba')}")
    if person is None:
        return None, None
    first = " ".join(t for t in (_text(e) for e in person.findall(_q(OSO, "Imie"))) if t) or None
    return first, _first_text(person, _q(OSO, "Nazwisko"))


def _institution_name(subject: etree._Element) -> str | None:
    return _first_text(subject, f".//{_q(INST, 'NazwaInstytucji')}")


def _party_name(subject: etree._Element) -> str | None:
    institution = _institution_name(subject)
    if institution:
        return institution
    first, surname = _person_names(subject)
    return " ".join(p for p in (surname, first) if p) or None


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) == 2:
        return value.upper()
    return "PL" if value.lower() in _POLAND_NAMES else value


def _street(address: etree._Element) -> str | None:
    street = _first_text(address, _q(ADR, "Ulica"))
    building = _first_text(address, _q(ADR, "Budynek"))
    flat = _first_text(address, _q(ADR, "Lokal"))
    number = f"{building}/{flat}" if building and flat else building
    return " ".join(p for p in (street, number) if p) or None


def _contact(subject: etree._Element, name: str) -> str | None:
    # Contact details appear under meta:Kontakt or adr:Kontakt depending on the form
    # version; match the element's local name so both are read.
    found = subject.xpath(".//*[local-name()='Kontakt']/*[local-name()=$name]", name=name)
    return _text(found[0]) if found else None


def _sender_from(subject: etree._Element) -> Sender | None:
    first, surname = _person_names(subject)
    institution = _institution_name(subject)
    if not surname and not institution:
        return None
    address = subject.find(f".//{_q(ADR, 'Adres')}")
    town = _first_text(address, _q(ADR, "Miejscowosc"))
    if not town:
        raise _reject("The sender has no town (adr:Miejscowosc); the register requires it.", RejectCode.MISSING_SENDER)
    assert address is not None  # a town was found inside it
    # The brief requires a country. Domestic ePUAP forms often leave adr:Kraj out; a letter
    # with a town but no country is taken to be from Poland, the platform's only country.
    country = _country(_first_text(address, _q(ADR, "Kraj"))) or "PL"
    return Sender(
        kind="institution" if institution else "person",
        first_names=first,
        surname=surname,
        institution=institution,
        town=town,
        country=country,
        street=_street(address),
        postal_code=_first_text(address, _q(ADR, "KodPocztowy")),
        esp_address=_contact(subject, "ESP"),
        email=_contact(subject, "Email"),
    )


def _sender(data: etree._Element | None) -> Sender:
    subjects = [] if data is None else data.findall(f"{_q(STR, 'Nadawcy')}/{_q(META, 'Podmiot')}")
    for subject in subjects:
        sender = _sender_from(subject)
        if sender is not None:
            return sender
    raise _reject(
        "The letter names no sender (str:Nadawcy with a person's surname or an institution's name).",
        RejectCode.MISSING_SENDER,
    )


def _recipient(data: etree._Element | None) -> str | None:
    if data is None:
        return None
    for subject in data.findall(f"{_q(STR, 'Adresaci')}/{_q(META, 'Podmiot')}"):
        name = _party_name(subject)
        if name:
            return name
    return None


# --- attachments -----------------------------------------------------------------------


def _outside_signatures(root: etree._Element, tag: str) -> list[etree._Element]:
    # Attachments are found wherever the form puts them, but never inside a ds:Signature:
    # a signature's ds:Object is not part of the letter.
    return [e for e in root.iter(tag) if not any(a.tag == _q(DS, "Signature") for a in e.iterancestors())]


def _decode_attachment(element: etree._Element, filename: str) -> bytes:
    encoding = (element.get("kodowanie") or "base64").strip().lower()
    if encoding != "base64":
        raise _reject(
            f"The attachment {filename!r} declares encoding {encoding!r}; only base64 is accepted.",
            RejectCode.INVALID_BASE64,
        )
    data = element.find(_q(STR, "DaneZalacznika"))
    if data is None:
        raise _reject(f"The attachment {filename!r} carries no data (str:DaneZalacznika).", RejectCode.INVALID_BASE64)
    # Line breaks and indentation are legal around base64 in XML; anything else is not.
    compact = "".join((data.text or "").split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise _reject(f"The attachment {filename!r} is not valid base64.", RejectCode.INVALID_BASE64) from None


def _attachments(root: etree._Element, policy: IntakePolicy) -> list[Attachment]:
    elements = _outside_signatures(root, _q(STR, "Zalacznik"))
    if len(elements) > policy.max_attachments:
        raise _reject(
            f"The letter has {len(elements)} attachments; at most {policy.max_attachments} are accepted.",
            RejectCode.TOO_MANY_ATTACHMENTS,
        )
    attachments = []
    for element in elements:
        # The name is checked as written: stripping it first could hide a trailing control char.
        filename = element.get("nazwaPliku") or ""
        content = _decode_attachment(element, filename or "(unnamed)")
        detected = check_file(filename, content, policy)
        attachments.append(
            Attachment(
                filename=filename,
                declared_format=(element.get("format") or "").strip() or None,
                detected_mime=detected,
                content=content,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    return attachments


# --- the letter ------------------------------------------------------------------------


def _root_namespace(root: etree._Element) -> str:
    qname = etree.QName(root)
    if qname.localname != "Dokument" or not qname.namespace:
        raise _reject(
            f"The document's root element is {root.tag!r}; an ePUAP letter's root is a namespaced Dokument.",
            RejectCode.WRONG_ROOT,
        )
    return qname.namespace


def parse_epuap_document(raw: bytes, policy: IntakePolicy) -> ParsedLetter:
    """Parse and vet an ePUAP letter. Raises IntakeRejected with a stable code on any problem."""
    if not raw or raw.isspace():
        raise _reject("The document is empty.", RejectCode.EMPTY)
    if len(raw) > policy.max_document_bytes:
        raise _reject(
            f"The document is {len(raw)} bytes; at most {policy.max_document_bytes} are accepted.",
            RejectCode.TOO_LARGE,
        )
    root = parse_untrusted_xml(raw)
    form_ns = _root_namespace(root)

    description = root.find(_q(form_ns, "OpisDokumentu"))
    data = root.find(_q(form_ns, "DaneDokumentu"))
    content = root.find(_q(form_ns, "TrescDokumentu"))
    form_name = _first_text(data, f"{_q(STR, 'Naglowek')}/{_q(STR, 'NazwaDokumentu')}")
    sender = _sender(data)
    title = _first_text(content, f".//{_q(form_ns, 'Tytul')}") or form_name
    if not title:
        raise _reject("The letter has neither a title (Tytul) nor a form name.", RejectCode.MISSING_TITLE)

    return ParsedLetter(
        root_namespace=form_ns,
        form_name=form_name,
        title=title,
        sender=sender,
        recipient_name=_recipient(data),
        letter_date=_letter_date(description),
        sender_reference=_sender_reference(description),
        body_text=_body(content, form_ns),
        kind=_first_text(content, f".//{_q(form_ns, 'RodzajPisma')}"),
        attachments=_attachments(root, policy),
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        sha1_b64=base64.b64encode(hashlib.sha1(raw, usedforsecurity=False).digest()).decode("ascii"),
    )

"""Parse XML that arrived from outside without letting it reach the network, the disk or the CPU.

Every untrusted XML document (ePUAP letters, signatures) goes through ``parse_untrusted_xml``.
DTDs and entities are refused *before* libxml2 sees the bytes, by reading the prolog
ourselves, and checked again on the parsed tree. Only UTF-8 is accepted: ePUAP documents
are UTF-8, and one known encoding lets the byte-level prolog scan see exactly what the
parser will see (the parser is told to read UTF-8 whatever the document claims).
"""

from __future__ import annotations

import re

from lxml import etree

from ezd.errors import IntakeRejected, RejectCode

_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_XML_WHITESPACE = b" \t\r\n"
_DECLARED_ENCODING = re.compile(rb"""^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# Prolog items that may precede the root element: whitespace, processing instructions
# (including the XML declaration) and comments. Anything else ends the prolog.
_PROLOG_ITEM = re.compile(rb"[ \t\r\n]+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def hardened_parser() -> etree.XMLParser:
    """A parser that never loads a DTD, resolves an entity or touches the network.

    huge_tree is on because a 50 MB letter legitimately carries base64 text nodes well
    over libxml2's 10 MB default; the limits it lifts guard against entity amplification,
    which cannot happen here because DTDs are refused before parsing and the size of
    the input is capped by the caller. A new parser per call: lxml parsers must not be
    shared between threads.
    """
    return etree.XMLParser(
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=True,
        remove_comments=False,
    )


def _reject(message: str, code: str) -> IntakeRejected:
    return IntakeRejected(message, code=code)


def _check_encoding(raw: bytes) -> bytes:
    """Return the document without a UTF-8 BOM, or refuse anything that is not UTF-8."""
    if raw.startswith(_OTHER_BOMS):
        raise _reject(
            "The document is not UTF-8 (UTF-16/32 byte order mark); only UTF-8 is accepted.", RejectCode.INVALID_UTF8
        )
    body = raw[len(_UTF8_BOM) :] if raw.startswith(_UTF8_BOM) else raw
    if not body.lstrip(_XML_WHITESPACE).startswith(b"<"):
        raise _reject("The document is not XML: it does not start with '<'.", RejectCode.NOT_XML)
    declared = _DECLARED_ENCODING.match(body)
    if declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        name = declared.group(1).decode("ascii")
        raise _reject(f"The document declares encoding {name}; only UTF-8 is accepted.", RejectCode.INVALID_UTF8)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"The document is not valid UTF-8 (bad byte at offset {exc.start})."
        raise _reject(message, RejectCode.INVALID_UTF8) from None
    return body


def _check_prolog(body: bytes) -> None:
    """Refuse a DOCTYPE before the parser can act on it.

    A DOCTYPE that declares entities (external entities, "billion laughs") is reported as
    XML_ENTITY_FORBIDDEN, any other DOCTYPE as XML_DTD_FORBIDDEN: both are refused, the
    distinction only tells an operator whether it looked like an attack.
    """
    pos = 0
    while True:
        item = _PROLOG_ITEM.match(body, pos)
        if item is None:
            break
        pos = item.end()
    if body.startswith(b"<!DOCTYPE", pos):
        if b"<!ENTITY" in body:
            raise _reject("The document declares XML entities; entities are not accepted.", RejectCode.ENTITY_FORBIDDEN)
        raise _reject("The document has a DOCTYPE (DTD); DTDs are not accepted.", RejectCode.DTD_FORBIDDEN)
    # An entity declaration has no legal place outside a DOCTYPE; refuse it wherever it is.
    if b"<!ENTITY" in body:
        raise _reject("The document declares XML entities; entities are not accepted.", RejectCode.ENTITY_FORBIDDEN)


def _check_tree(root: etree._Element) -> None:
    # Second line of defence, in case a DOCTYPE slipped past the prolog scan.
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _reject("The document has a DOCTYPE (DTD); DTDs are not accepted.", RejectCode.DTD_FORBIDDEN)
    for _ in root.iter(etree.Entity):
        raise _reject("The document uses XML entities; entities are not accepted.", RejectCode.ENTITY_FORBIDDEN)


def parse_untrusted_xml(raw: bytes) -> etree._Element:
    """Parse an untrusted document and return its root element.

    Raises IntakeRejected with NOT_XML, INVALID_ENCODING, XML_DTD_FORBIDDEN or
    XML_ENTITY_FORBIDDEN. The caller checks emptiness and size first.
    """
    body = _check_encoding(raw)
    _check_prolog(body)
    try:
        root = etree.fromstring(body, parser=hardened_parser())
    except etree.XMLSyntaxError as exc:
        # A reference to an undeclared entity ("&xxe;") is a well-formedness error in
        # libxml2; report it as the entity attempt it is rather than as plain bad XML.
        if "Entity '" in str(exc):
            raise _reject(f"The document uses an undeclared XML entity: {exc}", RejectCode.ENTITY_FORBIDDEN) from None
        raise _reject(f"The document is not well-formed XML: {exc}", RejectCode.NOT_XML) from None
    _check_tree(root)
    return root

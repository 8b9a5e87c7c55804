"""Sample ePUAP letters, signing identities and hostile inputs for tests, demo data and benchmarks.

Everything here is generated, deterministic where it can be, and quick: keys are EC P-256
(milliseconds to make, against ~100 ms for RSA 2048) and are cached per process.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureReference, methods
from signxml.xades import XAdESSigner

from ezd.clock import now_utc
from ezd.adapters.safe_xml import hardened_parser, parse_untrusted_xml
from ezd.errors import RejectCode

DEFAULT_FORM_NAMESPACE = "http://crd.gov.pl/wzor/2013/12/12/1410/"
DEFAULT_FORM_NAME = "Pismo ogólne do podmiotu publicznego"
NAMESPACES = {
    "meta": "http://crd.gov.pl/xml/schematy/meta/2009/11/16/",
    "str": "http://crd.gov.pl/xml/schematy/struktura/2009/11/16/",
    "oso": "http://crd.gov.pl/xml/schematy/osoba/2009/11/16/",
    "inst": "http://crd.gov.pl/xml/schematy/instytucja/2009/11/16/",
    "adr": "http://crd.gov.pl/xml/schematy/adres/2009/11/09/",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xades": "http://uri.etsi.org/01903/v1.3.2#",
}
_DEFAULT_BODY = "Uprzejmie przekazuję w załączeniu dokument z prośbą o rozpatrzenie."

# --- letters ---------------------------------------------------------------------------


class _Builder:
    """Tiny helper so the letter reads top-down like the XML it makes."""

    def __init__(self, form_ns: str) -> None:
        self.nsmap = {"wnio": form_ns, **{k: v for k, v in NAMESPACES.items() if k not in ("ds", "xades")}}

    def tag(self, prefixed: str) -> str:
        prefix, _, name = prefixed.partition(":")
        return f"{{{self.nsmap[prefix]}}}{name}"

    def sub(self, parent: etree._Element, prefixed: str, text: str | None = None, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, self.tag(prefixed), attrs)
        element.text = text
        return element


def _add_sender(
    b: _Builder,
    parent: etree._Element,
    *,
    first_names: str | None,
    surname: str | None,
    institution: str | None,
    town: str | None,
    country: str | None,
) -> None:
    subject = b.sub(b.sub(parent, "str:Nadawcy"), "meta:Podmiot")
    if institution:
        b.sub(b.sub(subject, "inst:Instytucja"), "inst:NazwaInstytucji", institution)
    else:
        person = b.sub(subject, "oso:Osoba")
        for first in (first_names or "").split():
            b.sub(person, "oso:Imie", first)
        if surname:
            b.sub(person, "oso:Nazwisko", surname)
    address = b.sub(subject, "adr:Adres")
    b.sub(address, "adr:KodPocztowy", "20-001")
    if town is not None:
        b.sub(address, "adr:Miejscowosc", town)
    b.sub(address, "adr:Ulica", "Narutowicza")
    b.sub(address, "adr:Budynek", "1")
    if country is not None:
        b.sub(address, "adr:Kraj", country)
    contact = b.sub(subject, "meta:Kontakt")
    b.sub(contact, "meta:Email", "sekretariat@example.invalid")


def make_letter(
    *,
    title: str | None,
    sender_first_names: str | None = "Jan",
    sender_surname: str | None = "Kowalski",
    institution: str | None = None,
    town: str | None = "Lublin",
    country: str | None = "PL",
    recipient: str | None = "Szkoła Podstawowa nr 19 w Lublinie",
    letter_date: str | None = "2026-09-08",
    sender_reference: str | None = None,
    body: str = _DEFAULT_BODY,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    form_namespace: str = DEFAULT_FORM_NAMESPACE,
    omit_sender: bool = False,
    form_name: str | None = DEFAULT_FORM_NAME,
    kind: str | None = None,
    wrap_base64: bool = False,
) -> bytes:
    """An ePUAP ``wnio:Dokument`` letter as UTF-8 bytes with an XML declaration.

    ``None`` for title, town, country, recipient, letter_date or form_name leaves that
    element out, so tests can make incomplete letters. Attachments are (filename, bytes, MIME).
    """
    b = _Builder(form_namespace)
    root = etree.Element(b.tag("wnio:Dokument"), nsmap=b.nsmap)

    description = b.sub(root, "wnio:OpisDokumentu")
    if letter_date is not None:
        b.sub(description, "meta:Data", letter_date, typDaty="utworzony")
    if sender_reference is not None:
        identifier = b.sub(description, "meta:Identyfikator", typIdentyfikatora="idDokumentu")
        b.sub(identifier, "meta:Wartosc", sender_reference)

    data = b.sub(root, "wnio:DaneDokumentu")
    if form_name is not None:
        b.sub(b.sub(data, "str:Naglowek"), "str:NazwaDokumentu", form_name)
    if recipient is not None:
        subject = b.sub(b.sub(data, "str:Adresaci"), "meta:Podmiot")
        b.sub(b.sub(subject, "inst:Instytucja"), "inst:NazwaInstytucji", recipient)
    if not omit_sender:
        _add_sender(
            b, data, first_names=sender_first_names, surname=sender_surname,
            institution=institution, town=town, country=country,
        )  # fmt: skip

    content = b.sub(root, "wnio:TrescDokumentu", format="text/xml", kodowanie="XML")
    if title:
        b.sub(content, "wnio:Tytul", title)
    if kind:
        b.sub(content, "wnio:RodzajPisma", kind)
    b.sub(content, "wnio:Wartosc", body)

    if attachments:
        container = b.sub(root, "str:Zalaczniki")
        for filename, payload, mime in attachments:
            item = b.sub(container, "str:Zalacznik", format=mime, kodowanie="base64", nazwaPliku=filename)
            encoded = base64.encodebytes(payload) if wrap_base64 else base64.b64encode(payload)
            b.sub(item, "str:DaneZalacznika", encoded.decode("ascii"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def sample_pdf(size_bytes: int, seed: int = 0) -> bytes:
    """A plausible one-page PDF of exactly ``size_bytes`` (or the ~420-byte minimum if that is larger).

    The padding is a binary content stream of seeded random bytes, so the same seed gives
    the same file and different seeds give different SHA-256s.
    """
    pad = 0
    for _ in range(6):  # the digit counts of lengths and offsets settle within a few rounds
        head, tail = _pdf_around_stream(pad)
        missing = size_bytes - (len(head) + pad + len(tail))
        if missing == 0 or (pad == 0 and missing < 0):
            break
        pad = max(0, pad + missing)
    # Random bytes are made once, at the final size: benchmarks ask for tens of megabytes.
    return head + random.Random(seed).randbytes(pad) + tail


def _pdf_around_stream(stream_length: int) -> tuple[bytes, bytes]:
    """The PDF before and after a content stream of the given length, with a correct xref."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    ]
    head = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(head))
        head += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets.append(len(head))
    head += b"4 0 obj\n<< /Length %d >>\nstream\n" % stream_length
    tail = bytearray(b"\nendstream\nendobj\n")
    xref = len(head) + stream_length + len(tail)
    tail += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    tail += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    tail += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    return bytes(head), bytes(tail)


# --- signing identities ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SigningIdentity:
    name: str
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()  # issuers above ``cert``, nearest first, root excluded if in a store

    @property
    def certificates(self) -> list[x509.Certificate]:
        """The signer's certificate followed by its chain, as put into ds:KeyInfo."""
        return [self.cert, *self.chain]


_IDENTITIES: dict[tuple[str, ...], SigningIdentity] = {}
_IDENTITIES_LOCK = threading.Lock()


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "EZD test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing, content_commitment=signing, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=not signing,
        crl_sign=not signing, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _issue(
    name: str, issuer: SigningIdentity | None, *, ca: bool, not_before: dt.datetime, not_after: dt.datetime
) -> SigningIdentity:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_key_usage(signing=not ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    signing_key = issuer.key if issuer else key
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    cert = builder.sign(signing_key, hashes.SHA256())
    chain = (issuer.cert, *issuer.chain) if issuer else ()
    return SigningIdentity(name=name, key=key, cert=cert, chain=chain)


def _cached(key: tuple[str, ...], make: Callable[[], SigningIdentity]) -> SigningIdentity:
    with _IDENTITIES_LOCK:
        if key not in _IDENTITIES:
            _IDENTITIES[key] = make()
        return _IDENTITIES[key]


def _fingerprint(identity: SigningIdentity | None) -> str:
    return identity.cert.fingerprint(hashes.SHA256()).hex() if identity else "-"


def make_ca(name: str, issuer: SigningIdentity | None = None) -> SigningIdentity:
    """A certification authority (root when ``issuer`` is None, else an intermediate). Cached.

    Valid from five years ago, so that it covers the whole life of an expired signer.
    """
    now = now_utc()
    not_before, not_after = now - dt.timedelta(days=5 * 365), now + dt.timedelta(days=3650)
    return _cached(
        ("ca", name, _fingerprint(issuer)),
        lambda: _issue(name, issuer, ca=True, not_before=not_before, not_after=not_after),
    )


def make_signer(
    name: str, ca: SigningIdentity | None = None, *, expired: bool = False, revoked: bool = False
) -> SigningIdentity:
    """A signing certificate issued by ``ca`` (self-signed when None); ``expired`` ended a month ago. Cached.

    ``revoked`` gives a certificate of its own, meant to be listed on its CA's CRL
    (``ezd.samples.crls``), so revoking it never revokes the signer of the same name that
    other tests and letters share. The certificate itself is no different.
    """
    now = now_utc()
    if expired:
        not_before, not_after = now - dt.timedelta(days=400), now - dt.timedelta(days=30)
    else:
        not_before, not_after = now - dt.timedelta(days=1), now + dt.timedelta(days=730)
    return _cached(
        ("signer", name, _fingerprint(ca), str(expired), str(revoked)),
        lambda: _issue(name, ca, ca=False, not_before=not_before, not_after=not_after),
    )


# --- signing and tampering -------------------------------------------------------------


class _Signer(XAdESSigner):
    """signxml's signer with our parser: its default one refuses text nodes over 10 MB,
    which a letter with a large attachment has (signxml re-parses the document)."""

    @property
    def parser(self) -> etree.XMLParser:
        return hardened_parser()


def sign_letter(xml: bytes, identity: SigningIdentity, *, reference_uri: str | None = None) -> bytes:
    """Add an enveloped XAdES-BES signature, with the certificate chain in ds:KeyInfo.

    ``reference_uri`` ("#id") signs only the element with that Id instead of the whole
    document; tests use it to make a signature the verifier must not accept.
    """
    root = parse_untrusted_xml(xml)
    references = None if reference_uri is None else [SignatureReference(URI=reference_uri)]
    signer = _Signer(method=methods.enveloped, signature_algorithm="ecdsa-sha256", digest_algorithm="sha256")
    signed = signer.sign(root, key=identity.key, cert=identity.certificates, reference_uri=references)
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


_TITLE_FIRST_CHAR = re.compile(rb"(<(?:[\w.-]+:)?Tytul(?:\s[^>]*)?>)([A-Za-z0-9])")


def tamper(signed: bytes) -> bytes:
    """Change one character of the title, leaving the XML well-formed and the signature stale."""

    def flip(match: re.Match[bytes]) -> bytes:
        return match.group(1) + (b"X" if match.group(2) != b"X" else b"Y")

    tampered, count = _TITLE_FIRST_CHAR.subn(flip, signed, count=1)
    if count != 1:
        raise ValueError("no title starting with a letter or digit to tamper with")
    return tampered


# --- hostile inputs --------------------------------------------------------------------


def _pe_executable() -> bytes:
    # A DOS stub whose e_lfanew (offset 0x3C) points at a "PE\0\0" header, as real PE files do.
    header = bytearray(b"MZ" + b"\x00" * 0x3A + (0x40).to_bytes(4, "little"))
    return bytes(header) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 250


def executable_scan(seed: int = 0) -> bytes:
    """A Windows executable (distinct per seed) that a clerk's upload names skan.pdf."""
    return _pe_executable() + seed.to_bytes(8, "big")


def _elf_executable() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def _with_doctype(letter: bytes, doctype: bytes, title_text: bytes | None = None) -> bytes:
    declaration_end = letter.index(b"?>") + 2
    out = letter[:declaration_end] + b"\n" + doctype + letter[declaration_end:]
    if title_text is not None:
        out = re.sub(rb"(<wnio:Tytul>)[^<]*", rb"\g<1>" + title_text, out, count=1)
    return out


def hostile_samples() -> dict[str, tuple[bytes, str]]:
    """Case name -> (document bytes, the RejectCode the parser must answer with)."""
    title = "Aneks nr 2 do arkusza organizacji"
    pdf = sample_pdf(600)
    plain = make_letter(title=title)
    with_pdf = make_letter(title=title, attachments=[("aneks.pdf", pdf, "application/pdf")])

    def attached(name: str, payload: bytes = pdf, mime: str = "application/pdf") -> bytes:
        return make_letter(title=title, attachments=[(name, payload, mime)])

    forbidden = RejectCode.FORBIDDEN_FILE_TYPE
    laughs = b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10 if i else b"lol") for i in range(10)
    )
    return {
        "empty": (b"", RejectCode.EMPTY),
        "external_entity": (
            _with_doctype(plain, b'<!DOCTYPE wnio:Dokument [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;"),
            RejectCode.ENTITY_FORBIDDEN,
        ),
        "billion_laughs": (
            _with_doctype(plain, b"<!DOCTYPE wnio:Dokument [" + laughs + b"]>", b"&lol9;"),
            RejectCode.ENTITY_FORBIDDEN,
        ),
        "undeclared_entity": (_with_doctype(plain, b"", b"&xxe;"), RejectCode.ENTITY_FORBIDDEN),
        "plain_dtd": (
            _with_doctype(plain, b"<!DOCTYPE wnio:Dokument [<!ELEMENT wnio:Dokument ANY>]>"),
            RejectCode.DTD_FORBIDDEN,
        ),
        # Not even well-formed: only a check made before parsing can still call it a DTD.
        "malformed_dtd": (_with_doctype(plain, b"<!DOCTYPE wnio:Dokument [<!ELEMENT broken"), RejectCode.DTD_FORBIDDEN),
        "external_dtd": (
            _with_doctype(plain, b'<!DOCTYPE wnio:Dokument SYSTEM "http://example.invalid/wnio.dtd">'),
            RejectCode.DTD_FORBIDDEN,
        ),
        "truncated_xml": (plain[: plain.index(b"<wnio:TrescDokumentu")], RejectCode.NOT_XML),
        "not_xml_pdf": (pdf, RejectCode.NOT_XML),
        "wrong_root": (
            plain.replace(b"<wnio:Dokument", b"<wnio:Pismo").replace(b"</wnio:Dokument>", b"</wnio:Pismo>"),
            RejectCode.WRONG_ROOT,
        ),
        "root_without_namespace": (b'<?xml version="1.0" encoding="UTF-8"?><Dokument/>', RejectCode.WRONG_ROOT),
        "invalid_base64": (
            re.sub(rb"(<str:DaneZalacznika>)[^<]+", rb"\g<1>JVBERi0x!!not*base64", with_pdf, count=1),
            RejectCode.INVALID_BASE64,
        ),
        # Lenient decoders skip the junk and return the PDF; a strict one must refuse it.
        "base64_with_junk": (
            re.sub(rb"(<str:DaneZalacznika>[^<]{8})", rb"\g<1>*!", with_pdf, count=1),
            RejectCode.INVALID_BASE64,
        ),
        "invalid_utf8": (plain.replace(_DEFAULT_BODY.encode(), b"Tre\xb6\xe6 w ISO-8859-2"), RejectCode.INVALID_UTF8),
        "declared_latin2": (
            re.sub(rb"encoding=['\"]UTF-8['\"]", b'encoding="ISO-8859-2"', plain, count=1),
            RejectCode.INVALID_UTF8,
        ),
        "missing_sender": (make_letter(title=title, omit_sender=True), RejectCode.MISSING_SENDER),
        "sender_without_town": (make_letter(title=title, town=None), RejectCode.MISSING_SENDER),
        "missing_title": (make_letter(title=None, form_name=None), RejectCode.MISSING_TITLE),
        "path_traversal_name": (attached("../../etc/x.pdf"), RejectCode.UNSAFE_FILENAME),
        "absolute_path_name": (attached("/etc/x.pdf"), RejectCode.UNSAFE_FILENAME),
        "windows_drive_name": (attached("C:\\x.pdf"), RejectCode.UNSAFE_FILENAME),
        "control_char_name": (attached("aneks\u202efdp.exe"), RejectCode.UNSAFE_FILENAME),
        "forbidden_extension": (attached("setup.exe", b"harmless text", "application/octet-stream"), forbidden),
        "double_extension": (attached("faktura.pdf.exe", pdf), forbidden),
        "exe_renamed_pdf": (attached("aneks.pdf", _pe_executable()), forbidden),
        "elf_renamed_pdf": (attached("aneks.pdf", _elf_executable()), forbidden),
        "script_renamed_txt": (attached("notatka.txt", b"#!/bin/sh\nrm -rf /\n", "text/plain"), forbidden),
        "pdf_extension_wrong_content": (attached("aneks.pdf", b"just some text", "application/pdf"), forbidden),
    }

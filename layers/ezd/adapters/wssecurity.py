"""WS-Security (OASIS SOAP Message Security 1.1, X.509 token profile) for ePUAP's SOAP.

ePUAP signs what it sends to a receiving system; the push endpoint accepts a delivery only
when the signature verifies against ePUAP's certificate (configurable trust) and covers
everything the intake reads from the message: the Body (the letter), the Timestamp (so an
old message cannot be replayed for long) and every other SOAP header (DataNadania, the
legal date of receipt, and the sender's data among them). The local ePUAP simulator signs
its pushes with the same code.

Layout of a signed message:

    soap:Header
      wsse:Security (mustUnderstand)
        wsu:Timestamp wsu:Id=… (Created, Expires)
        wsse:BinarySecurityToken wsu:Id=… (the signer's certificate, X509v3, base64 DER)
        ds:Signature: exclusive c14n, RSA/ECDSA with SHA-256, one Reference per signed
          element by wsu:Id; KeyInfo is a SecurityTokenReference to the token
      ob:… headers, each with a wsu:Id
    soap:Body wsu:Id=…

Signature wrapping is refused: each required element must be the real one (the
Envelope's Body, the Security's Timestamp, the Header's children), carry an Id that
occurs once in the whole message, and be among the signed references.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree
from signxml import InvalidInput, InvalidSignature, SignatureConfiguration, XMLSigner, XMLVerifier, methods
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

from ezd.adapters.epuap_soap import SOAP_NS, EpuapFault, parse_xml
from ezd.adapters.trust_store import TrustStore
from ezd.clock import now_utc
from ezd.errors import EzdError

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
X509_TOKEN = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64_ENCODING = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
WSU_ID = f"{{{WSU_NS}}}Id"

DEFAULT_TTL = timedelta(minutes=5)
MAX_TTL = timedelta(hours=1)
CLOCK_SKEW = timedelta(minutes=5)
_SIGNATURE_METHODS = frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384, SignatureMethod.RSA_SHA512,
                                SignatureMethod.ECDSA_SHA256, SignatureMethod.ECDSA_SHA384,
                                SignatureMethod.ECDSA_SHA512})
_DIGESTS = frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512})


class NotSignedByEpuap(EzdError):
    """The message is not signed, or not by a certificate trusted as ePUAP's, or the
    signature does not cover what it must: nothing of it may be stored."""

    code = "PUSH_SIGNATURE_INVALID"


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class WsSecuritySigner:
    """Signs SOAP envelopes (usable as ``post_soap``'s ``request_signer``)."""

    key_pem: bytes
    cert_pem: bytes
    ttl: timedelta = DEFAULT_TTL

    def __call__(self, envelope: bytes) -> bytes:
        return sign_envelope(envelope, self.key_pem, self.cert_pem, ttl=self.ttl)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


def sign_envelope(envelope: bytes, key_pem: bytes, cert_pem: bytes, *, ttl: timedelta = DEFAULT_TTL,
                  now: datetime | None = None) -> bytes:
    root = parse_xml(envelope)
    header = root.find(_q(SOAP_NS, "Header"))
    body = root.find(_q(SOAP_NS, "Body"))
    if body is None:
        raise ValueError("a SOAP envelope without a Body cannot be signed")
    if header is None:
        header = etree.Element(_q(SOAP_NS, "Header"))
        body.addprevious(header)
    moment = now or now_utc()
    security = etree.Element(_q(WSSE_NS, "Security"), nsmap={"wsse": WSSE_NS, "wsu": WSU_NS})
    security.set(_q(SOAP_NS, "mustUnderstand"), "1")
    timestamp = etree.SubElement(security, _q(WSU_NS, "Timestamp"))
    timestamp.set(WSU_ID, _new_id("TS"))
    etree.SubElement(timestamp, _q(WSU_NS, "Created")).text = _utc_text(moment)
    etree.SubElement(timestamp, _q(WSU_NS, "Expires")).text = _utc_text(moment + ttl)
    cert = x509.load_pem_x509_certificate(cert_pem)
    token = etree.SubElement(security, _q(WSSE_NS, "BinarySecurityToken"),
                             ValueType=X509_TOKEN, EncodingType=BASE64_ENCODING)
    token.set(WSU_ID, _new_id("X509"))
    token.text = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    signed = [body, timestamp, *[h for h in header if isinstance(h.tag, str)]]
    header.insert(0, security)
    for element in signed:
        if element.get(WSU_ID) is None:
            element.set(WSU_ID, _new_id("id"))
    key_info = etree.Element(_q(DS_NS, "KeyInfo"))
    reference = etree.SubElement(etree.SubElement(key_info, _q(WSSE_NS, "SecurityTokenReference")),
                                 _q(WSSE_NS, "Reference"), ValueType=X509_TOKEN)
    reference.set("URI", f"#{token.get(WSU_ID)}")
    key = serialization.load_pem_private_key(key_pem, password=None)
    algorithm = "ecdsa-sha256" if isinstance(key, ec.EllipticCurvePrivateKey) else "rsa-sha256"
    signer = XMLSigner(method=methods.detached, signature_algorithm=algorithm, digest_algorithm="sha256",
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signature = signer.sign(root, key=key, reference_uri=[f"#{e.get(WSU_ID)}" for e in signed], key_info=key_info,
                            id_attribute="Id")
    security.append(signature)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --------------------------------------------------------------------------- verification


def _one(parent: etree._Element, tag: str, what: str) -> etree._Element:
    found = [c for c in parent if c.tag == tag]
    if len(found) != 1:
        raise NotSignedByEpuap(f"expected one {what}, found {len(found)}")
    return found[0]


def _parse_utc(text: str | None, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        raise NotSignedByEpuap(f"{what} is not a date and time") from None
    if moment.tzinfo is None:
        raise NotSignedByEpuap(f"{what} has no time zone")
    return moment


def _check_timestamp(timestamp: etree._Element, now: datetime) -> None:
    created = _parse_utc(timestamp.findtext(_q(WSU_NS, "Created")), "Timestamp/Created")
    expires = _parse_utc(timestamp.findtext(_q(WSU_NS, "Expires")), "Timestamp/Expires")
    if created > now + CLOCK_SKEW:
        raise NotSignedByEpuap("the message was created in the future")
    if expires < now - CLOCK_SKEW:
        raise NotSignedByEpuap("the message has expired (an old message sent again?)")
    if expires - created > MAX_TTL:
        raise NotSignedByEpuap("the message claims too long a lifetime")


def _token_certificate(security: etree._Element, signature: etree._Element) -> x509.Certificate:
    token = _one(security, _q(WSSE_NS, "BinarySecurityToken"), "BinarySecurityToken")
    if token.get("ValueType") != X509_TOKEN:
        raise NotSignedByEpuap("the security token is not an X.509 certificate")
    references = signature.findall(f"{{{DS_NS}}}KeyInfo/{{{WSSE_NS}}}SecurityTokenReference/{{{WSSE_NS}}}Reference")
    if len(references) != 1 or references[0].get("URI") != f"#{token.get(WSU_ID)}":
        raise NotSignedByEpuap("the signature does not name the message's security token")
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join((token.text or "").split()), validate=True))
    except (ValueError, binascii.Error):
        raise NotSignedByEpuap("the security token is not a readable certificate") from None


def _required_ids(root: etree._Element, header: etree._Element, security: etree._Element,
                  timestamp: etree._Element) -> set[str]:
    body = _one(root, _q(SOAP_NS, "Body"), "SOAP Body")
    required = [body, timestamp, *[h for h in header if isinstance(h.tag, str) and h is not security]]
    all_ids = [value for element in root.iter() if isinstance(element.tag, str)
               for name, value in element.attrib.items() if etree.QName(name).localname == "Id"]
    ids = set()
    for element in required:
        value = element.get(WSU_ID)
        if not value:
            raise NotSignedByEpuap(f"{etree.QName(element).localname} carries no wsu:Id, so it cannot be signed")
        if all_ids.count(value) != 1:
            raise NotSignedByEpuap(f"the Id {value!r} occurs more than once in the message")
        ids.add(value)
    return ids


def verify_envelope(raw: bytes, trust: TrustStore, *, now: datetime | None = None) -> x509.Certificate:
    """The certificate that signed ``raw``, if it is trusted as ePUAP's and its signature
    covers the Body, the Timestamp and every other header. NotSignedByEpuap otherwise."""
    moment = now or now_utc()
    try:
        root = parse_xml(raw)
    except EpuapFault as exc:
        raise NotSignedByEpuap(f"not a readable SOAP message: {exc.komunikat}") from None
    if root.tag != _q(SOAP_NS, "Envelope"):
        raise NotSignedByEpuap("not a SOAP 1.1 envelope")
    header = _one(root, _q(SOAP_NS, "Header"), "SOAP Header")
    security = _one(header, _q(WSSE_NS, "Security"), "wsse:Security header (the message is not signed)")
    timestamp = _one(security, _q(WSU_NS, "Timestamp"), "wsu:Timestamp")
    signature = _one(security, _q(DS_NS, "Signature"), "ds:Signature")
    _check_timestamp(timestamp, moment)
    cert = _token_certificate(security, signature)
    status, reason = trust.judge([cert], moment)
    if status != "trusted":
        raise NotSignedByEpuap(f"the signer is not trusted as ePUAP ({reason})")
    signed_uris = [r.get("URI") for r in signature.findall(f"{{{DS_NS}}}SignedInfo/{{{DS_NS}}}Reference")]
    required = _required_ids(root, header, security, timestamp)
    missing = {f"#{i}" for i in required} - set(signed_uris)
    if missing:
        raise NotSignedByEpuap(f"the signature does not cover {len(missing)} element(s) of the message")
    config = SignatureConfiguration(expect_references=len(signed_uris), signature_methods=_SIGNATURE_METHODS,
                                    digest_algorithms=_DIGESTS, location=f"./{{{SOAP_NS}}}Header/{{{WSSE_NS}}}Security/")
    try:
        XMLVerifier().verify(root, x509_cert=cert, id_attribute="Id", expect_config=config)
    except (InvalidSignature, InvalidInput) as exc:
        raise NotSignedByEpuap(f"the signature does not verify: {exc}") from None
    return cert

"""Make XAdES-BES signatures with a seal's key: enveloped into an XML document, or detached
beside any other file.

Enveloped: signxml's XAdES signer (a Reference with URI="" and the enveloped transform,
so the whole document is signed; SignedProperties with SigningTime and
SigningCertificateV2; DataObjectFormat ``text/xml``).

Detached: signxml signs only XML it can resolve inside the document, so the detached
signature is built here by the rules of XML-DSig and ETSI EN 319 132-1 (baseline B):
``ds:Signature`` is the root of the ``.xades`` file; the first Reference names the signed
file by its (percent-encoded) name, without transforms, and carries the SHA-256 of its
exact bytes; the second references the SignedProperties (exclusive C14N), which hold
SigningTime, SigningCertificateV2 (SHA-256 of the seal's certificate) and the
DataObjectFormat (the file's MIME type) of the first Reference. SignedInfo is
canonicalised with exclusive C14N and signed with ECDSA-SHA256 (or RSA-SHA256).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import methods
from signxml.xades import XAdESDataObjectFormat, XAdESSigner

from ezd.adapters.safe_xml import hardened_parser
from ezd.clock import now_utc

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
_SIGNATURE_METHODS = {
    "ec": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "rsa": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
}
_NSMAP = {"ds": DS, "xades": XADES}

Key = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _kind(key: Key) -> str:
    return "ec" if isinstance(key, ec.EllipticCurvePrivateKey) else "rsa"


def signing_time() -> str:
    """xades:SigningTime: the system clock (ezd.clock), UTC, to the second."""
    return now_utc().replace(microsecond=0).isoformat()


class _EnvelopedSealer(XAdESSigner):
    """signxml's XAdES signer with the project's parser (signxml re-parses the document,
    and its own parser refuses the text nodes over 10 MB a large base64 attachment makes)
    and the project's clock for SigningTime."""

    @property
    def parser(self) -> etree.XMLParser:
        return hardened_parser()

    def add_signing_time(self, signed_signature_properties, sig_root, signing_settings) -> None:  # noqa: ANN001
        element = etree.SubElement(signed_signature_properties, f"{{{XADES}}}SigningTime", nsmap=self.namespaces)
        element.text = signing_time()


def seal_enveloped(document: etree._Element, key: Key, certificates: list[x509.Certificate]) -> bytes:
    """The document with an enveloped XAdES-BES signature over all of it, as UTF-8 bytes."""
    signer = _EnvelopedSealer(
        method=methods.enveloped,
        signature_algorithm="ecdsa-sha256" if _kind(key) == "ec" else "rsa-sha256",
        digest_algorithm="sha256",
        data_object_format=XAdESDataObjectFormat(Description="Dokument XML", MimeType="text/xml"),
    )
    signed = signer.sign(document, key=key, cert=list(certificates))
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def reference_uri(filename: str) -> str:
    """The Reference URI naming a file beside the signature: its name, percent-encoded (RFC 3986)."""
    return quote(filename, safe="")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    prefix, _, name = tag.partition(":")
    element = etree.SubElement(parent, f"{{{_NSMAP[prefix]}}}{name}", attributes)
    element.text = text
    return element


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def _signature_value(key: Key, data: bytes) -> bytes:
    """XML-DSig's SignatureValue: for ECDSA the raw r||s (RFC 4050), not DER."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _signed_properties(signature: etree._Element, ids: dict[str, str], cert: x509.Certificate, mime: str) -> None:
    qualifying = _sub(_sub(signature, "ds:Object"), "xades:QualifyingProperties", Target=f"#{ids['signature']}")
    properties = _sub(qualifying, "xades:SignedProperties", Id=ids["properties"])
    signature_properties = _sub(properties, "xades:SignedSignatureProperties")
    _sub(signature_properties, "xades:SigningTime", signing_time())
    digest = _sub(_sub(_sub(signature_properties, "xades:SigningCertificateV2"), "xades:Cert"), "xades:CertDigest")
    _sub(digest, "ds:DigestMethod", Algorithm=SHA256)
    _sub(digest, "ds:DigestValue", _b64(hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()))
    data_format = _sub(_sub(properties, "xades:SignedDataObjectProperties"), "xades:DataObjectFormat",
                       ObjectReference=f"#{ids['reference']}")
    _sub(data_format, "xades:MimeType", mime)


def seal_detached(content: bytes, filename: str, mime: str, key: Key, certificates: list[x509.Certificate]) -> bytes:
    """A detached XAdES-BES signature (the ``.xades`` file's bytes) over ``content`` named ``filename``."""
    token = secrets.token_hex(8)
    ids = {"signature": f"Seal-{token}", "reference": f"Seal-{token}-File",
           "properties": f"Seal-{token}-SignedProperties"}
    signature = etree.Element(f"{{{DS}}}Signature", {"Id": ids["signature"]}, nsmap=_NSMAP)
    signed_info = _sub(signature, "ds:SignedInfo")
    _sub(signed_info, "ds:CanonicalizationMethod", Algorithm=EXC_C14N)
    _sub(signed_info, "ds:SignatureMethod", Algorithm=_SIGNATURE_METHODS[_kind(key)])
    file_reference = _sub(signed_info, "ds:Reference", Id=ids["reference"], URI=reference_uri(filename))
    _sub(file_reference, "ds:DigestMethod", Algorithm=SHA256)
    _sub(file_reference, "ds:DigestValue", _b64(hashlib.sha256(content).digest()))
    properties_reference = _sub(signed_info, "ds:Reference", Type=SIGNED_PROPERTIES_TYPE, URI=f"#{ids['properties']}")
    _sub(_sub(properties_reference, "ds:Transforms"), "ds:Transform", Algorithm=EXC_C14N)
    _sub(properties_reference, "ds:DigestMethod", Algorithm=SHA256)
    properties_digest = _sub(properties_reference, "ds:DigestValue")
    signature_value = _sub(signature, "ds:SignatureValue")
    x509_data = _sub(_sub(signature, "ds:KeyInfo"), "ds:X509Data")
    for cert in certificates:
        _sub(x509_data, "ds:X509Certificate", _b64(cert.public_bytes(Encoding.DER)))
    _signed_properties(signature, ids, certificates[0], mime)
    # Digests and the signature over the tree as it is: exclusive C14N makes each part's
    # octets independent of where it sits.
    (properties,) = signature.iter(f"{{{XADES}}}SignedProperties")
    properties_digest.text = _b64(hashlib.sha256(_c14n(properties)).digest())
    signature_value.text = _b64(_signature_value(key, _c14n(signed_info)))
    return etree.tostring(signature, xml_declaration=True, encoding="UTF-8")

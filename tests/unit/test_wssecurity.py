"""WS-Security signatures of ePUAP's SOAP messages: what is signed, what is refused, and
an independent check of our signatures with xmlsec1 (Debian's xmlsec1)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from ezd import clock
from ezd.adapters.epuap_soap import OB_NS, SOAP_NS, build_push_request
from ezd.adapters.trust_store import TrustStore
from ezd.adapters.wssecurity import WSU_NS, NotSignedByEpuap, sign_envelope, verify_envelope
from ezd.models.epuap import PulledDocument
from ezd.samples.letters import make_ca, make_signer


def _pems(identity) -> tuple[bytes, bytes]:
    return (identity.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()),
            identity.cert.public_bytes(serialization.Encoding.PEM))


EPUAP = make_signer("ePUAP (test)")
STRANGER = make_signer("Ktoś podszywający się pod ePUAP")


def _push(**changes) -> bytes:
    document = PulledDocument(
        sender_id="jan.kowalski", sender_type="F", sender_first_name="Jan", sender_name="Kowalski",
        delivered_at=clock.now_utc(), box_name="SkrytkaESP", box_address="/sp19lublin/SkrytkaESP",
        filename="pismo.xml", content_type="text/xml", content=b"<pismo>Skarga</pismo>", **changes)
    return build_push_request(document)


def _signed(identity=EPUAP, **kwargs) -> bytes:
    return sign_envelope(_push(), *_pems(identity), **kwargs)


TRUST = TrustStore([EPUAP.cert])


def test_a_push_signed_by_epuap_verifies_and_names_its_signer():
    assert verify_envelope(_signed(), TRUST) == EPUAP.cert


def test_a_ca_in_the_trust_configuration_vouches_for_the_certificates_it_issued():
    ca = make_ca("ePUAP CA (test)")
    issued = make_signer("ePUAP system (test)", ca)
    assert verify_envelope(sign_envelope(_push(), *_pems(issued)), TrustStore([ca.cert])) == issued.cert


@pytest.mark.parametrize(("case", "expected"), [
    ("unsigned", "not signed"),
    ("stranger", "not trusted as ePUAP"),
    ("nothing_trusted", "not trusted as ePUAP"),
])
def test_unsigned_or_wrongly_signed_pushes_are_refused(case, expected):
    raw = {"unsigned": _push(), "stranger": _signed(STRANGER), "nothing_trusted": _signed()}[case]
    trust = TrustStore() if case == "nothing_trusted" else TRUST
    with pytest.raises(NotSignedByEpuap, match=expected):
        verify_envelope(raw, trust)


def test_the_date_of_receipt_is_covered_by_the_signature():
    raw = _signed().decode()
    forged = re.sub(r"(<ob:DataNadania[^>]*>)[^<]+", r"\g<1>2026-01-15T10:00:00.000+01:00", raw)
    assert forged != raw
    with pytest.raises(NotSignedByEpuap, match="does not verify"):
        verify_envelope(forged.encode(), TRUST)


def test_the_letter_is_covered_by_the_signature():
    raw = _signed().decode()
    forged = raw.replace("PHBpc21vPlNrYXJnYTwvcGlzbW8+", "PHBpc21vPlBvY2h3YWxhPC9waXNtbz4=")  # another letter
    assert forged != raw
    with pytest.raises(NotSignedByEpuap, match="does not verify"):
        verify_envelope(forged.encode(), TRUST)


def test_a_header_added_after_signing_is_refused():
    raw = _signed().decode()
    forged = raw.replace("</soap:Header>" if "</soap:Header>" in raw else "</SOAP-ENV:Header>",
                         f'<ob:CzyProbne xmlns:ob="{OB_NS}">false</ob:CzyProbne>'
                         + ("</soap:Header>" if "</soap:Header>" in raw else "</SOAP-ENV:Header>"))
    assert forged != raw
    with pytest.raises(NotSignedByEpuap, match="no wsu:Id|does not cover"):
        verify_envelope(forged.encode(), TRUST)


def test_a_wrapped_body_is_refused():
    """The classic signature-wrapping attack: keep the signed Body (its Id) somewhere the
    verifier might find it, and put another one where the receiver reads."""
    from lxml import etree

    root = etree.fromstring(_signed())
    body = root.find(f"{{{SOAP_NS}}}Body")
    decoy = etree.SubElement(root.find(f"{{{SOAP_NS}}}Header"), f"{{{OB_NS}}}Stare")
    decoy.append(etree.fromstring(etree.tostring(body)))
    for child in list(body):
        child.text = "PHBpc21vPkZhbHN6eXdrYTwvcGlzbW8+"
    with pytest.raises(NotSignedByEpuap):
        verify_envelope(etree.tostring(root), TRUST)


def test_an_expired_message_cannot_be_replayed_and_one_from_the_future_is_refused():
    with pytest.raises(NotSignedByEpuap, match="expired"):
        verify_envelope(_signed(now=clock.now_utc() - timedelta(hours=1)), TRUST)
    with pytest.raises(NotSignedByEpuap, match="future"):
        verify_envelope(_signed(now=clock.now_utc() + timedelta(hours=1)), TRUST)
    with pytest.raises(NotSignedByEpuap, match="lifetime"):
        verify_envelope(_signed(ttl=timedelta(days=2)), TRUST)


def test_xmlsec1_verifies_our_signature_independently(tmp_path: Path):
    if shutil.which("xmlsec1") is None:
        pytest.fail("xmlsec1 is missing: `make test` installs Debian's xmlsec1")
    signed = tmp_path / "push.xml"
    signed.write_bytes(_signed())
    cert = tmp_path / "epuap.pem"
    cert.write_bytes(_pems(EPUAP)[1])
    id_nodes = [f"{SOAP_NS}:Body", f"{WSU_NS}:Timestamp"] + [
        f"{OB_NS}:{name}" for name in ("DanePodmiotu", "DaneNadawcy", "DataNadania", "NazwaSkrytki", "AdresSkrytki",
                                       "AdresOdpowiedzi", "CzyTestowe", "DaneDodatkowe")]
    args = ["xmlsec1", "--verify", "--pubkey-cert-pem", str(cert)]
    for node in id_nodes:
        args += ["--id-attr:Id", node]
    result = subprocess.run([*args, str(signed)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout + result.stderr
    tampered = tmp_path / "tampered.xml"
    tampered.write_text(signed.read_text().replace("SkrytkaESP", "SkrytkaESQ"))
    assert subprocess.run([*args, str(tampered)], capture_output=True, check=False).returncode != 0

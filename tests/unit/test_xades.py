"""XAdES verification: integrity per signature, trust per certificate, aggregated per document."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ezd.adapters import trust_store as trust_store_module
from ezd.adapters.trust_store import TrustStore
from ezd.adapters.xades import verify_xades
from ezd.errors import IntakeRejected, RejectCode
from ezd.models.signatures import SignatureDetail, SignatureReport
from ezd.samples.letters import (
    SigningIdentity,
    hostile_samples,
    make_ca,
    make_letter,
    make_signer,
    sample_pdf,
    sign_letter,
    tamper,
)

LETTER = make_letter(
    title="Aneks nr 2 do arkusza organizacji", attachments=[("a.pdf", sample_pdf(2000), "application/pdf")]
)


@pytest.fixture(scope="module")
def ca() -> SigningIdentity:
    return make_ca("EZD Test Root CA")


@pytest.fixture(scope="module")
def store(ca: SigningIdentity) -> TrustStore:
    return TrustStore.from_pem_bundle(ca.cert.public_bytes(Encoding.PEM))


@pytest.fixture(scope="module")
def signer(ca: SigningIdentity) -> SigningIdentity:
    return make_signer("Jan Kowalski", ca)


def test_unsigned_letter_is_absent(store: TrustStore) -> None:
    report = verify_xades(LETTER, store)
    assert (report.signature, report.certificate, report.signatures) == ("absent", "none", [])


def test_ca_issued_signature_is_valid_and_trusted(store: TrustStore, signer: SigningIdentity) -> None:
    report = verify_xades(sign_letter(LETTER, signer), store)
    assert (report.signature, report.certificate) == ("valid", "trusted")
    (detail,) = report.signatures
    assert detail.valid and detail.error is None
    assert detail.signer_common_name == "Jan Kowalski"
    assert "CN=Jan Kowalski" in (detail.signer_subject or "")
    assert "CN=EZD Test Root CA" in (detail.issuer or "")
    assert detail.serial_hex == format(signer.cert.serial_number, "x")
    assert detail.signing_time
    assert report.checked_at


def test_intermediate_from_key_info_completes_the_chain(store: TrustStore, ca: SigningIdentity) -> None:
    signer = make_signer("Anna Nowak", make_ca("EZD Test Sub CA", ca))
    report = verify_xades(sign_letter(LETTER, signer), store)
    assert (report.signature, report.certificate) == ("valid", "trusted")


def test_self_signed_is_valid_but_untrusted(store: TrustStore) -> None:
    report = verify_xades(sign_letter(LETTER, make_signer("Samozwaniec")), store)
    assert (report.signature, report.certificate) == ("valid", "untrusted")
    assert report.signatures[0].trust_reason == "self-signed"


def test_expired_certificate_is_untrusted(store: TrustStore, ca: SigningIdentity) -> None:
    expired = make_signer("Stary Podpis", ca, expired=True)
    signed = sign_letter(LETTER, expired)
    report = verify_xades(signed, store)
    assert (report.signature, report.certificate) == ("valid", "untrusted")
    assert "expired" in (report.signatures[0].trust_reason or "")
    # Judged at a moment inside its validity, the same certificate is trusted.
    inside = expired.cert.not_valid_before_utc + timedelta(days=1)
    assert verify_xades(signed, store, at=inside).certificate == "trusted"


def test_certificate_from_another_ca_is_untrusted(store: TrustStore) -> None:
    stranger = make_signer("Obcy", make_ca("Other CA"))
    report = verify_xades(sign_letter(LETTER, stranger), store)
    assert (report.signature, report.certificate) == ("valid", "untrusted")
    assert "does not chain" in (report.signatures[0].trust_reason or "")


def test_empty_store_trusts_nobody(signer: SigningIdentity) -> None:
    report = verify_xades(sign_letter(LETTER, signer), TrustStore())
    assert (report.signature, report.certificate) == ("valid", "untrusted")


def test_tampered_letter_is_invalid(store: TrustStore, signer: SigningIdentity) -> None:
    report = verify_xades(tamper(sign_letter(LETTER, signer)), store)
    assert report.signature == "invalid"
    assert not report.signatures[0].valid
    assert "Digest mismatch" in (report.signatures[0].error or "")


def test_signature_over_one_element_is_invalid(store: TrustStore, signer: SigningIdentity) -> None:
    with_id = LETTER.replace(b"<wnio:TrescDokumentu ", b'<wnio:TrescDokumentu Id="tresc" ')
    report = verify_xades(sign_letter(with_id, signer, reference_uri="#tresc"), store)
    assert report.signature == "invalid"
    assert "whole document" in (report.signatures[0].error or "")


def test_signature_without_certificate_is_invalid(store: TrustStore, signer: SigningIdentity) -> None:
    signed = re.sub(rb"<ds:X509Data>.*?</ds:X509Data>", b"", sign_letter(LETTER, signer), flags=re.DOTALL)
    report = verify_xades(signed, store)
    assert (report.signature, report.certificate) == ("invalid", "none")
    assert report.signatures[0].error == "no certificate"


def test_every_signature_is_verified(store: TrustStore, signer: SigningIdentity, ca: SigningIdentity) -> None:
    second = make_signer("Anna Nowak", make_ca("EZD Test Sub CA", ca))
    twice = sign_letter(sign_letter(LETTER, signer), second)
    report = verify_xades(twice, store)
    assert (report.signature, report.certificate) == ("valid", "trusted")
    assert [d.signer_common_name for d in report.signatures] == ["Jan Kowalski", "Anna Nowak"]
    assert verify_xades(tamper(twice), store).signature == "invalid"


def test_one_untrusted_signature_makes_the_certificate_untrusted(store: TrustStore, signer: SigningIdentity) -> None:
    mixed = sign_letter(sign_letter(LETTER, signer), make_signer("Samozwaniec"))
    report = verify_xades(mixed, store)
    assert (report.signature, report.certificate) == ("valid", "untrusted")


def test_hostile_xml_is_refused_not_verified(store: TrustStore) -> None:
    raw, code = hostile_samples()["billion_laughs"]
    with pytest.raises(IntakeRejected) as caught:
        verify_xades(raw, store)
    assert caught.value.code == code == RejectCode.ENTITY_FORBIDDEN


def test_manual_chain_walk_agrees_with_the_library(
    monkeypatch: pytest.MonkeyPatch, store: TrustStore, signer: SigningIdentity, ca: SigningIdentity
) -> None:
    # The hand-written path is what runs on cryptography < 45.
    monkeypatch.setattr(trust_store_module, "_LIBRARY_VERIFIER", False)
    via_sub_ca = make_signer("Anna Nowak", make_ca("EZD Test Sub CA", ca))
    assert verify_xades(sign_letter(LETTER, signer), store).certificate == "trusted"
    assert verify_xades(sign_letter(LETTER, via_sub_ca), store).certificate == "trusted"
    stranger = make_signer("Obcy", make_ca("Other CA"))
    assert verify_xades(sign_letter(LETTER, stranger), store).certificate == "untrusted"


@pytest.mark.parametrize("library", [True, False])
def test_a_leaf_certificate_cannot_act_as_a_ca(
    monkeypatch: pytest.MonkeyPatch, store: TrustStore, signer: SigningIdentity, library: bool
) -> None:
    monkeypatch.setattr(trust_store_module, "_LIBRARY_VERIFIER", library)
    # Issued by the trusted signer's own key and name, but the signer is not a CA.
    forged = make_signer("Podrzutek", SigningIdentity(name="fake", key=signer.key, cert=signer.cert)).cert
    status, reason = store.judge([forged, signer.cert], signer.cert.not_valid_before_utc + timedelta(hours=1))
    assert status == "untrusted", reason


@pytest.mark.parametrize(
    ("pattern", "replacement"),
    [
        (rb"(<ds:X509Certificate>)[^<]+", rb"\1bm90IGEgY2VydGlmaWNhdGU="),
        (rb"(<ds:SignatureValue>)[^<]+", rb"\1AAAA"),
        (rb'(<ds:SignatureMethod Algorithm=")[^"]+', rb"\1urn:unknown"),
        (rb"<ds:SignedInfo>.*</ds:SignedInfo>", b""),
        (rb"<xades:SigningCertificateV2>.*</xades:SigningCertificateV2>", b""),
    ],
)
def test_garbled_signatures_are_findings_not_exceptions(
    store: TrustStore, signer: SigningIdentity, pattern: bytes, replacement: bytes
) -> None:
    garbled, count = re.subn(pattern, replacement, sign_letter(LETTER, signer), count=1, flags=re.DOTALL)
    assert count == 1
    report = verify_xades(garbled, store)
    assert report.signature == "invalid"
    assert report.signatures[0].error


def test_trust_store_from_directory_and_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ca: SigningIdentity
) -> None:
    other = make_ca("Other CA")
    (tmp_path / "root.pem").write_bytes(ca.cert.public_bytes(Encoding.PEM))
    (tmp_path / "other.cer").write_bytes(other.cert.public_bytes(Encoding.DER))
    (tmp_path / "notes.txt").write_text("not a certificate")
    assert len(TrustStore.from_directory(tmp_path)) == 2

    monkeypatch.setenv("EZD_TRUST_STORE", str(tmp_path))
    assert len(TrustStore.from_env()) == 2
    monkeypatch.setenv("EZD_TRUST_STORE", str(tmp_path / "root.pem"))
    assert len(TrustStore.from_env()) == 1
    monkeypatch.delenv("EZD_TRUST_STORE")
    assert len(TrustStore.from_env()) == 0


def test_report_aggregation() -> None:
    ok = SignatureDetail(valid=True, certificate="trusted")
    untrusted = SignatureDetail(valid=True, certificate="untrusted")
    broken = SignatureDetail(valid=False, certificate="trusted", error="Digest mismatch")
    assert SignatureReport.from_details([ok, ok], "t").certificate == "trusted"
    assert SignatureReport.from_details([ok, untrusted], "t").certificate == "untrusted"
    mixed = SignatureReport.from_details([ok, broken], "t")
    assert (mixed.signature, mixed.certificate) == ("invalid", "trusted")
    assert SignatureReport.from_details([broken], "t").certificate == "untrusted"
    assert SignatureReport.from_details([SignatureDetail(valid=False)], "t").certificate == "none"


def test_large_signed_letter(store: TrustStore, signer: SigningIdentity) -> None:
    # Base64 text nodes over 10 MB need libxml2's huge-tree mode in signing and verifying.
    pdf = sample_pdf(9 * 1024 * 1024)
    big = make_letter(title="Arkusz organizacji", attachments=[("a.pdf", pdf, "application/pdf")])
    report = verify_xades(sign_letter(big, signer), store)
    assert (report.signature, report.certificate) == ("valid", "trusted")

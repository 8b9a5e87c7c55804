"""The units' electronic seals: provisioned like the local stack does (demo CA, 0600 files,
moto's Secrets Manager), read only through the adapter, and used by ``seal_outgoing`` —
enveloped for XML, a detached ``.xades`` beside anything else — whose results verify with
our verifiers and with Debian's xmlsec1. Also the check of a file signed outside."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from ezd import clock
from ezd.adapters import aws, unit_seal
from ezd.adapters.trust_store import TrustStore
from ezd.adapters.xades import verify_xades
from ezd.adapters.xades_detached import names_file, verify_detached_xades
from ezd.errors import IntakeRejected, SealingRefused, SealMaterialInvalid, SealNotConfigured
from ezd.local.keys import ensure_demo_ca
from ezd.local.unit_seals import provision_unit_seals, seal_path
from ezd.models.directory import Unit
from ezd.models.sealing import SealedDocument
from ezd.samples.letters import hostile_samples, make_letter, make_signer, sample_pdf, sign_letter
from ezd.services.dispatch.sealing import seal_outgoing
from ezd.services.dispatch.signed_upload import (
    DETACHED_ONLY,
    NO_DETACHED_SIGNATURE,
    PADES_NOT_VERIFIED,
    verify_uploaded_signed,
)
from testkit import moto_sandbox

pytestmark = pytest.mark.dates  # certificates and CRLs are made "now": run under fixed clocks too

PREFIX = "ezd/test/unit-seal"
SP48 = Unit(symbol="SP48", name="Szkoła Podstawowa nr 48 w Lublinie", kind="szkoła podstawowa",
            esp_address="/sp48lublin/SkrytkaESP")
P7 = Unit(symbol="P7", name="Przedszkole nr 7 w Lublinie", kind="przedszkole", esp_address="/p7lublin/SkrytkaESP")
LONG = Unit(symbol="SP42", name="Szkoła Podstawowa nr 42 im. Konstantego Ildefonsa Gałczyńskiego w Lublinie",
            kind="szkoła podstawowa", esp_address="/sp42lublin/SkrytkaESP")
LETTER = make_letter(title="Odpowiedź na wniosek o duplikat świadectwa", recipient="Jan Kowalski")
PDF = sample_pdf(4000, seed=48)


@pytest.fixture(scope="module")
def sealing(tmp_path_factory: pytest.TempPathFactory):
    """A sandboxed moto with three units' seals, provisioned as the local stack does; the
    adapter pointed at them; the trust store the stack's verifiers use."""
    state = tmp_path_factory.mktemp("seal-state")
    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", unit_seal.ENV_PREFIX, "AWS_ACCESS_KEY_ID",
                                            "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    with moto_sandbox() as account:
        aws.reset_clients()
        ca = ensure_demo_ca(state)
        arns = provision_unit_seals(state, [SP48, P7, LONG], ca, aws.client("secretsmanager"), PREFIX)
        os.environ[unit_seal.ENV_PREFIX] = f"arn:aws:secretsmanager:eu-central-1:{account}:secret:{PREFIX}/"
        unit_seal.forget()
        yield {"state": state, "ca": ca, "arns": arns, "store": TrustStore.from_directory(state / "trust")}
    unit_seal.forget()
    aws.reset_clients()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _xmlsec1(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    if shutil.which("xmlsec1") is None:
        pytest.fail("xmlsec1 is missing: `make system-packages` installs Debian's xmlsec1")
    xades_id = "http://uri.etsi.org/01903/v1.3.2#:SignedProperties"
    return subprocess.run(["xmlsec1", "--verify", "--id-attr:Id", xades_id, *args],
                          capture_output=True, text=True, check=False, cwd=cwd)


def test_an_xml_document_gets_an_enveloped_seal_that_ours_and_xmlsec1_verify(sealing, tmp_path: Path):
    sealed = seal_outgoing("SP48", "odpowiedz.xml", "application/xml", LETTER, trust_store=sealing["store"])
    assert (sealed.method, sealed.document, sealed.signature_file) == ("enveloped", "odpowiedz.xml", None)
    (signed,) = sealed.files
    assert signed.name == "odpowiedz.xml" and signed.content != LETTER and signed.size == len(signed.content)
    assert (sealed.report.signature, sealed.report.certificate) == ("valid", "trusted")
    assert verify_xades(signed.content, sealing["store"]).signature == "valid"  # the bytes to be stored
    assert sealed.sealed_at == sealed.report.signatures[-1].signing_time

    ca_file = tmp_path / "demo-ca.pem"
    ca_file.write_bytes(sealing["ca"].cert.public_bytes(serialization.Encoding.PEM))
    document = tmp_path / "odpowiedz.xml"
    document.write_bytes(signed.content)
    result = _xmlsec1("--trusted-pem", str(ca_file), str(document))
    assert result.returncode == 0 and "OK" in result.stdout + result.stderr, result.stderr
    document.write_bytes(signed.content.replace("duplikat".encode(), b"oryginal"))
    assert _xmlsec1("--trusted-pem", str(ca_file), str(document)).returncode != 0
    assert verify_xades(document.read_bytes(), sealing["store"]).signature == "invalid"


def test_a_pdf_keeps_its_bytes_and_gets_a_detached_xades_that_fails_on_one_changed_byte(sealing, tmp_path: Path):
    sealed = seal_outgoing("SP48", "zaswiadczenie.pdf", None, PDF, trust_store=sealing["store"])
    assert (sealed.method, sealed.signature_file) == ("detached", "zaswiadczenie.pdf.xades")
    pdf, xades = sealed.files
    assert (pdf.name, pdf.mime, pdf.content) == ("zaswiadczenie.pdf", "application/pdf", PDF)
    assert xades.name == "zaswiadczenie.pdf.xades" and b'URI="zaswiadczenie.pdf"' in xades.content
    assert (sealed.report.signature, sealed.report.certificate) == ("valid", "trusted")
    assert verify_detached_xades(xades.content, PDF, "zaswiadczenie.pdf", sealing["store"]).signature == "valid"
    assert SealedDocument.model_validate_json(sealed.model_dump_json()) == sealed  # bytes as base64 in JSON
    assert "content" not in repr(pdf)

    changed = bytearray(PDF)
    changed[len(changed) // 2] ^= 0x01
    report = verify_detached_xades(xades.content, bytes(changed), "zaswiadczenie.pdf", sealing["store"])
    assert report.signature == "invalid" and "Digest mismatch" in (report.signatures[0].error or "")
    # The same bytes under another name: the signature is not that file's.
    other = verify_detached_xades(xades.content, PDF, "inne.pdf", sealing["store"])
    assert other.signature == "invalid" and "does not reference the file 'inne.pdf'" in other.signatures[0].error

    # xmlsec1 reads the signed file by its name (from the working directory), as a
    # recipient's software reads it beside the .xades.
    (tmp_path / pdf.name).write_bytes(PDF)
    (tmp_path / xades.name).write_bytes(xades.content)
    ca_file = tmp_path / "demo-ca.pem"
    ca_file.write_bytes(sealing["ca"].cert.public_bytes(serialization.Encoding.PEM))
    result = _xmlsec1("--trusted-pem", str(ca_file), xades.name, cwd=tmp_path)
    assert result.returncode == 0 and "OK" in result.stdout + result.stderr, result.stderr
    (tmp_path / pdf.name).write_bytes(bytes(changed))
    assert _xmlsec1("--trusted-pem", str(ca_file), xades.name, cwd=tmp_path).returncode != 0


def test_a_file_name_with_spaces_and_polish_letters_is_referenced_percent_encoded(sealing):
    name = "Decyzja nr 5 — świadectwo.docx"
    content = b"PK\x03\x04" + b"\x00" * 200
    sealed = seal_outgoing("P7", name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           content, trust_store=sealing["store"])
    assert sealed.report.signature == "valid"
    assert b"Decyzja%20nr%205%20%E2%80%94%20%C5%9Bwiadectwo.docx" in sealed.file(f"{name}.xades").content
    assert names_file("C:\\Users\\dyrektor\\Decyzja%20nr%205%20%E2%80%94%20%C5%9Bwiadectwo.docx", name)
    assert not names_file("#Decyzja", name) and not names_file("xDecyzja nr 5 — świadectwo.docx", name)


def test_each_units_seal_names_that_unit(sealing):
    reports = {u: seal_outgoing(u, "pismo.pdf", "application/pdf", PDF, trust_store=sealing["store"]).report
               for u in ("SP48", "P7", "SP42")}
    sp48, p7, sp42 = (reports[u].signatures[0] for u in ("SP48", "P7", "SP42"))
    assert sp48.signer_common_name == "Szkoła Podstawowa nr 48 w Lublinie" and "OU=SP48" in sp48.signer_subject
    assert p7.signer_common_name == "Przedszkole nr 7 w Lublinie" and "OU=P7" in p7.signer_subject
    assert "SP48" not in p7.signer_subject and sp48.serial_hex != p7.serial_hex
    # A name longer than a CN may be is whole in O and shortened in CN.
    assert f"O={LONG.name}" in sp42.signer_subject and sp42.signer_common_name.endswith("…")
    assert all("CN=EZD Demo Qualified CA" in d.issuer for d in (sp48, p7, sp42))


def test_private_key_files_are_0600_and_kept_across_starts(sealing):
    state, ca = sealing["state"], sealing["ca"]
    for unit in ("SP48", "P7", "SP42"):
        assert stat.S_IMODE(seal_path(state, unit).stat().st_mode) == 0o600
    path = seal_path(state, "SP48")
    before = path.read_bytes()
    path.chmod(0o644)  # as an older version might have left it
    with moto_sandbox():
        aws.reset_clients()
        provision_unit_seals(state, [SP48], ca, aws.client("secretsmanager"), PREFIX)
    aws.reset_clients()
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_adapter_reads_the_seal_from_secrets_manager_not_from_the_files(sealing, tmp_path: Path):
    state = sealing["state"]
    moved = tmp_path / "moved"
    shutil.copytree(state / "keys" / "unit-seals", moved)
    shutil.rmtree(state / "keys" / "unit-seals")
    try:
        unit_seal.forget()
        material = unit_seal.unit_seal("SP48")
        assert material.secret_id.endswith(f":secret:{PREFIX}/SP48")
        assert seal_outgoing("SP48", "a.pdf", None, PDF, trust_store=sealing["store"]).report.signature == "valid"
        # What Secrets Manager holds is what is used: another unit's seal put there is read.
        p7_text = unit_seal.seal_secret_text(unit_seal.unit_seal("P7").key, list(unit_seal.unit_seal("P7").certificates))
        aws.client("secretsmanager").put_secret_value(SecretId=f"{PREFIX}/SP48", SecretString=p7_text)
        unit_seal.forget()
        assert unit_seal.unit_seal("SP48").certificate == unit_seal.unit_seal("P7").certificate
    finally:
        shutil.copytree(moved, state / "keys" / "unit-seals")
        aws.client("secretsmanager").put_secret_value(
            SecretId=f"{PREFIX}/SP48", SecretString=seal_path(state, "SP48").read_text(encoding="ascii"))
        unit_seal.forget()


def test_no_key_material_reaches_the_log(sealing, caplog: pytest.LogCaptureFixture):
    key_lines = [line for line in seal_path(sealing["state"], "SP48").read_text().splitlines()
                 if line and not line.startswith("-----")][:3]  # the key's base64 body comes first
    unit_seal.forget()
    with caplog.at_level(logging.DEBUG):
        seal_outgoing("SP48", "a.pdf", "application/pdf", PDF, trust_store=sealing["store"])
        seal_outgoing("SP48", "b.xml", None, LETTER, trust_store=sealing["store"])
    text = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert any(r.name.startswith("botocore") for r in caplog.records)  # the DEBUG lines are there
    assert "PRIVATE KEY" not in text and not any(line in text for line in key_lines)
    assert "PRIVATE KEY" not in repr(unit_seal.unit_seal("SP48"))


def test_no_seal_for_the_unit_or_no_seals_configured_is_seal_not_configured(sealing):
    with pytest.raises(SealNotConfigured) as missing:
        seal_outgoing("SP19", "a.pdf", None, PDF)
    assert missing.value.code == "SEAL_NOT_CONFIGURED" and "SP19" in missing.value.message
    prefix = os.environ.pop(unit_seal.ENV_PREFIX)
    try:
        with pytest.raises(SealNotConfigured, match="no unit seals are configured"):
            seal_outgoing("SP48", "a.pdf", None, PDF)
    finally:
        os.environ[unit_seal.ENV_PREFIX] = prefix
    with pytest.raises(SealNotConfigured):
        unit_seal.secret_id("SP48/../X")


def test_unusable_seal_material_is_refused(sealing):
    p7 = unit_seal.unit_seal("P7")
    other = make_signer("Ktoś inny")
    mismatched = unit_seal.seal_secret_text(other.key, list(p7.certificates))
    with pytest.raises(SealMaterialInvalid, match="does not match"):
        unit_seal.parse_seal_secret("P7", "x", mismatched)
    with pytest.raises(SealMaterialInvalid, match="no certificate"):
        unit_seal.parse_seal_secret("P7", "x", "not a pem at all")
    unit_seal.unit_seal("SP48")  # cached, and still judged at every use
    with clock.frozen(clock.now_utc() + timedelta(days=4 * 365)):
        with pytest.raises(SealMaterialInvalid) as expired:
            seal_outgoing("SP48", "a.pdf", None, PDF)
    assert expired.value.code == "SEAL_MATERIAL_INVALID"


@pytest.mark.parametrize("case", ["empty", "plain_dtd", "external_entity", "not_xml"])
def test_a_file_that_cannot_be_sealed_is_refused_with_the_intakes_codes(sealing, case: str):
    samples = hostile_samples()
    content, code = {"empty": (b"", "DOCUMENT_EMPTY"), "not_xml": (PDF, "NOT_XML"),
                     "plain_dtd": (samples["plain_dtd"][0], "XML_DTD_FORBIDDEN"),
                     "external_entity": (samples["external_entity"][0], "XML_ENTITY_FORBIDDEN")}[case]
    with pytest.raises(SealingRefused) as refused:
        seal_outgoing("SP48", "pismo.xml", None, content)
    assert refused.value.code == code


def test_an_unsafe_file_name_is_refused(sealing):
    for name in ("../pismo.pdf", "a/b.pdf", "x" * 250 + ".pdf"):
        with pytest.raises(SealingRefused) as refused:
            seal_outgoing("SP48", name, None, PDF)
        assert refused.value.code == "UNSAFE_ATTACHMENT_NAME"


def test_a_file_signed_outside_is_verified_like_an_incoming_one(sealing):
    store = sealing["store"]
    director = make_signer("Anna Nowak", sealing["ca"])
    xml = verify_uploaded_signed("decyzja.xml", sign_letter(LETTER, director), trust_store=store)
    assert (xml.signature, xml.certificate, xml.signatures[0].signer_common_name) == ("valid", "trusted", "Anna Nowak")
    detached = seal_outgoing("SP48", "decyzja.pdf", None, PDF, trust_store=store).file("decyzja.pdf.xades").content
    assert verify_uploaded_signed("decyzja.pdf", PDF, detached, trust_store=store).signature == "valid"
    assert verify_uploaded_signed("decyzja.pdf", PDF + b" ", detached, trust_store=store).signature == "invalid"

    unsigned = verify_uploaded_signed("decyzja.pdf", PDF, trust_store=store)
    assert (unsigned.signature, unsigned.certificate, unsigned.note) == ("absent", "none", NO_DETACHED_SIGNATURE)
    pades = PDF.replace(b"/Type /Page ", b"/Type /Page /Annots [<< /FT /Sig /V << /Type /Sig /ByteRange [0 1 2 3] >> >>] ")
    embedded = verify_uploaded_signed("decyzja.pdf", pades, trust_store=store)
    assert (embedded.signature, embedded.note) == ("absent", PADES_NOT_VERIFIED)
    assert "not verified" in embedded.note and "PAdES" in embedded.note
    both = verify_uploaded_signed("decyzja.pdf", pades, seal_outgoing("SP48", "decyzja.pdf", None, pades,
                                                                        trust_store=store).files[1].content,
                                  trust_store=store)
    assert (both.signature, both.note) == ("valid", DETACHED_ONLY)
    with pytest.raises(IntakeRejected):
        verify_uploaded_signed("decyzja.xml", b"%PDF-1.7 not xml", trust_store=store)


def test_a_broken_or_foreign_detached_signature_is_a_finding_not_an_exception(sealing):
    store = sealing["store"]
    garbage = verify_detached_xades(b"%PDF-1.7", PDF, "a.pdf", store)
    assert garbage.signature == "invalid" and "not acceptable XML" in garbage.signatures[0].error
    empty = verify_detached_xades(b"<?xml version='1.0'?><x/>", PDF, "a.pdf", store)
    assert empty.signature == "invalid" and "no ds:Signature" in empty.signatures[0].error
    # A signature over this file and another one cannot be vouched for with one file.
    xades = seal_outgoing("SP48", "a.pdf", None, PDF, trust_store=store).file("a.pdf.xades").content
    two = xades.replace(b"</ds:SignedInfo>", b'<ds:Reference URI="b.pdf"><ds:DigestMethod Algorithm='
                        b'"http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AA==</ds:DigestValue>'
                        b"</ds:Reference></ds:SignedInfo>")
    report = verify_detached_xades(two, PDF, "a.pdf", store)
    assert report.signature == "invalid" and "other files" in report.signatures[0].error
    # Self-signed (outside the trust store): intact but untrusted, as for a letter.
    stranger = make_signer("Pieczęć spoza listy zaufania")
    text = unit_seal.seal_secret_text(stranger.key, [stranger.cert])
    aws.client("secretsmanager").create_secret(Name=f"{PREFIX}/OBCY", SecretString=text)
    try:
        sealed = seal_outgoing("OBCY", "a.pdf", None, PDF, trust_store=store)
        assert (sealed.report.signature, sealed.report.certificate) == ("valid", "untrusted")
        assert sealed.report.signatures[0].trust_reason == "self-signed"
    finally:
        aws.client("secretsmanager").delete_secret(SecretId=f"{PREFIX}/OBCY", ForceDeleteWithoutRecovery=True)

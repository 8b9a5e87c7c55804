"""The ePUAP letter parser: what it extracts from a good letter and how it refuses bad ones."""

from __future__ import annotations

import base64
import hashlib

import pytest

from ezd.errors import IntakeRejected, RejectCode
from ezd.models.letters import IntakePolicy
from ezd.samples.letters import (
    DEFAULT_FORM_NAME,
    DEFAULT_FORM_NAMESPACE,
    hostile_samples,
    make_ca,
    make_letter,
    make_signer,
    sample_pdf,
    sign_letter,
)
from ezd.services.epuap_document import parse_epuap_document

POLICY = IntakePolicy()
TITLE = "Aneks nr 2 do arkusza organizacji na rok szkolny 2026/2027"


def _rejection(raw: bytes, policy: IntakePolicy = POLICY) -> IntakeRejected:
    with pytest.raises(IntakeRejected) as caught:
        parse_epuap_document(raw, policy)
    return caught.value


def test_valid_letter_yields_the_register_metadata() -> None:
    pdf = sample_pdf(5000, seed=7)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    raw = make_letter(
        title=TITLE,
        sender_first_names="Jan Maria",
        sender_reference="ZN/12/2026",
        kind="wniosek",
        body="Pierwszy akapit.\nDrugi akapit.",
        attachments=[("aneks.pdf", pdf, "application/pdf"), ("skan.png", png, "image/png")],
    )

    letter = parse_epuap_document(raw, POLICY)

    assert letter.root_namespace == DEFAULT_FORM_NAMESPACE
    assert letter.form_name == DEFAULT_FORM_NAME
    assert letter.title == TITLE
    assert letter.kind == "wniosek"
    assert letter.body_text == "Pierwszy akapit.\nDrugi akapit."
    assert letter.letter_date == "2026-09-08"
    assert letter.sender_reference == "ZN/12/2026"
    assert letter.recipient_name == "Szkoła Podstawowa nr 19 w Lublinie"
    sender = letter.sender
    assert (sender.kind, sender.name, sender.first_names, sender.surname) == (
        "person", "Kowalski Jan Maria", "Jan Maria", "Kowalski",
    )  # fmt: skip
    assert (sender.town, sender.country) == ("Lublin", "PL")
    assert (sender.postal_code, sender.street) == ("20-001", "Narutowicza 1")
    assert sender.email == "sekretariat@example.invalid"
    assert [a.filename for a in letter.attachments] == ["aneks.pdf", "skan.png"]
    first = letter.attachments[0]
    assert first.content == pdf
    assert first.size == len(pdf)
    assert first.sha256 == hashlib.sha256(pdf).hexdigest()
    assert first.declared_format == "application/pdf"
    assert first.detected_mime == "application/pdf"
    assert letter.attachments[1].detected_mime == "image/png"
    assert letter.size == len(raw)
    assert letter.sha256 == hashlib.sha256(raw).hexdigest()
    assert letter.sha1_b64 == base64.b64encode(hashlib.sha1(raw).digest()).decode()


def test_attachment_bytes_stay_out_of_dumps_and_reprs() -> None:
    secret = sample_pdf(1000, seed=3)
    letter = parse_epuap_document(make_letter(title=TITLE, attachments=[("a.pdf", secret, "application/pdf")]), POLICY)
    dumped = letter.model_dump()
    assert "content" not in dumped["attachments"][0]
    assert "content" not in letter.model_dump_json()
    assert "content=" not in repr(letter.attachments[0])


def test_institution_sender() -> None:
    letter = parse_epuap_document(make_letter(title=TITLE, institution="Centrum Usług Wspólnych"), POLICY)
    assert letter.sender.kind == "institution"
    assert letter.sender.name == "Centrum Usług Wspólnych"
    assert letter.sender.institution == "Centrum Usług Wspólnych"


@pytest.mark.parametrize(
    ("written", "expected"),
    [(None, "PL"), ("Polska", "PL"), ("pl", "PL"), ("DE", "DE"), ("Niemcy", "Niemcy")],
)
def test_country_code_or_name_with_poland_as_default(written: str | None, expected: str) -> None:
    letter = parse_epuap_document(make_letter(title=TITLE, country=written), POLICY)
    assert letter.sender.country == expected


def test_title_falls_back_to_the_form_name() -> None:
    letter = parse_epuap_document(make_letter(title=None), POLICY)
    assert letter.title == DEFAULT_FORM_NAME


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026", "2026"),
        ("2026-09", "2026-09"),
        ("2026-09-08T10:15:00", "2026-09-08"),
        ("2026-09-08 10:15", "2026-09-08"),
        ("20260908", None),
        ("2026-13", None),
        ("2026-02-30", None),
        ("wrzesień", None),
        (None, None),
    ],
)
def test_partial_letter_dates(written: str | None, expected: str | None) -> None:
    assert parse_epuap_document(make_letter(title=TITLE, letter_date=written), POLICY).letter_date == expected


def test_base64_with_line_breaks_is_accepted() -> None:
    pdf = sample_pdf(3000, seed=1)
    raw = make_letter(title=TITLE, attachments=[("a.pdf", pdf, "application/pdf")], wrap_base64=True)
    assert parse_epuap_document(raw, POLICY).attachments[0].content == pdf


def test_signed_letter_parses_and_signature_content_is_not_an_attachment() -> None:
    signer = make_signer("Jan Kowalski", make_ca("EZD Test CA"))
    raw = sign_letter(make_letter(title=TITLE, attachments=[("a.pdf", sample_pdf(800), "application/pdf")]), signer)
    letter = parse_epuap_document(raw, POLICY)
    assert letter.title == TITLE
    assert [a.filename for a in letter.attachments] == ["a.pdf"]


def test_utf8_byte_order_mark_is_accepted() -> None:
    assert parse_epuap_document(b"\xef\xbb\xbf" + make_letter(title=TITLE), POLICY).title == TITLE


def test_attachment_text_node_over_libxml2_default_limit_parses() -> None:
    # libxml2 refuses text nodes over 10 MB unless huge_tree is on; a 50 MB letter needs it.
    pdf = sample_pdf(9 * 1024 * 1024, seed=2)
    letter = parse_epuap_document(make_letter(title=TITLE, attachments=[("big.pdf", pdf, "application/pdf")]), POLICY)
    assert letter.attachments[0].sha256 == hashlib.sha256(pdf).hexdigest()


# --- refusals --------------------------------------------------------------------------

REQUIRED_HOSTILE_CASES = {
    "external_entity", "billion_laughs", "plain_dtd", "truncated_xml", "not_xml_pdf", "wrong_root",
    "invalid_base64", "invalid_utf8", "missing_sender", "path_traversal_name", "absolute_path_name",
    "windows_drive_name", "forbidden_extension", "exe_renamed_pdf", "elf_renamed_pdf",
}  # fmt: skip
HOSTILE = hostile_samples()


def test_hostile_samples_cover_the_required_cases() -> None:
    assert REQUIRED_HOSTILE_CASES <= HOSTILE.keys()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_sample_is_refused_with_its_code(case: str) -> None:
    raw, expected = HOSTILE[case]
    rejected = _rejection(raw)
    assert rejected.code == expected, rejected.message
    assert rejected.message and rejected.message != rejected.code


def test_external_entity_is_never_resolved() -> None:
    raw, _ = HOSTILE["external_entity"]
    assert "root:" not in _rejection(raw).message


def test_doctype_after_a_comment_is_still_found() -> None:
    raw = make_letter(title=TITLE).replace(b"?>", b"?><!-- hello --><!DOCTYPE wnio:Dokument>", 1)
    assert _rejection(raw).code == RejectCode.DTD_FORBIDDEN


def test_utf16_is_refused() -> None:
    assert _rejection(b"\xff\xfe<\x00a\x00/\x00>\x00").code == RejectCode.INVALID_UTF8


def test_whitespace_only_is_empty() -> None:
    assert _rejection(b"  \n\t").code == RejectCode.EMPTY


def test_oversize_is_refused_before_parsing() -> None:
    small = IntakePolicy(max_document_bytes=1000)
    assert _rejection(make_letter(title=TITLE, body="x" * 2000), small).code == RejectCode.TOO_LARGE
    # Not XML at all, yet reported as too large: the parser never ran.
    assert _rejection(b"\x00" * 1001, small).code == RejectCode.TOO_LARGE
    assert parse_epuap_document(make_letter(title="T", body=""), IntakePolicy(max_document_bytes=5000)).title == "T"


def test_default_policy_limits() -> None:
    policy = IntakePolicy()
    assert policy.max_document_bytes == 50 * 1024 * 1024
    assert policy.max_attachments == 100
    assert {"exe", "dll", "js", "ps1", "sh", "dylib"} <= policy.forbidden_extensions
    assert policy.allowed_extensions is None


def test_too_many_attachments() -> None:
    pdf = sample_pdf(500)
    raw = make_letter(title=TITLE, attachments=[("a.pdf", pdf, "application/pdf"), ("b.pdf", pdf, "application/pdf")])
    assert _rejection(raw, IntakePolicy(max_attachments=1)).code == RejectCode.TOO_MANY_ATTACHMENTS


def test_attachment_in_another_encoding_is_refused() -> None:
    raw = make_letter(title=TITLE, attachments=[("a.pdf", sample_pdf(500), "application/pdf")])
    raw = raw.replace(b'kodowanie="base64"', b'kodowanie="quoted-printable"')
    assert _rejection(raw).code == RejectCode.INVALID_BASE64


def test_policy_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EZD_MAX_DOCUMENT_BYTES", "2048")
    monkeypatch.setenv("EZD_FORBIDDEN_EXTENSIONS", "exe, .PDF")
    policy = IntakePolicy.from_env()
    assert policy.max_document_bytes == 2048
    assert policy.forbidden_extensions == frozenset({"exe", "pdf"})
    monkeypatch.delenv("EZD_MAX_DOCUMENT_BYTES")
    monkeypatch.delenv("EZD_FORBIDDEN_EXTENSIONS")
    assert IntakePolicy.from_env() == IntakePolicy()

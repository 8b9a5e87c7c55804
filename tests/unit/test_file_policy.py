"""The file-type policy shared by ePUAP attachments and paper-scan uploads."""

from __future__ import annotations

import pytest

from ezd.errors import IntakeRejected, RejectCode
from ezd.models.letters import IntakePolicy
from ezd.samples.letters import sample_pdf
from ezd.services.file_policy import check_file

POLICY = IntakePolicy()
PDF = sample_pdf(1000)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 60
PE = b"MZ" + b"\x00" * 0x3A + (0x40).to_bytes(4, "little") + b"PE\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
MACHO = b"\xcf\xfa\xed\xfe" + b"\x00" * 64


def _code(filename: str, content: bytes, policy: IntakePolicy = POLICY) -> str:
    with pytest.raises(IntakeRejected) as caught:
        check_file(filename, content, policy)
    return caught.value.code


@pytest.mark.parametrize(
    ("filename", "content", "mime"),
    [
        ("aneks.pdf", PDF, "application/pdf"),
        ("ANEKS.PDF", PDF, "application/pdf"),
        ("skan.png", PNG, "image/png"),
        ("zdjęcie.jpg", JPEG, "image/jpeg"),
        ("umowa.docx", ZIP, "application/zip"),
        ("notatka.txt", b"zwykly tekst", None),
        ("www.szkola.com.pdf", PDF, "application/pdf"),  # only the last extension decides
        ("a" * 251 + ".pdf", PDF, "application/pdf"),  # 255 characters is still fine
    ],
)
def test_accepted_files_report_the_sniffed_type(filename: str, content: bytes, mime: str | None) -> None:
    assert check_file(filename, content, POLICY) == mime


def test_pdf_header_may_follow_a_short_preamble() -> None:
    assert check_file("a.pdf", b"\r\n" * 10 + PDF, POLICY) == "application/pdf"


@pytest.mark.parametrize(
    "filename",
    [
        "", "   ", "../x.pdf", "..", "a..b.pdf", "a/b.pdf", "a\\b.pdf", "/etc/x.pdf", "\\\\server\\x.pdf",
        "C:x.pdf", "C:\\x.pdf", "x\x00.pdf", "x\n.pdf", "x\x7f.pdf", "raport\u202efdp.exe", "a" * 252 + ".pdf",
    ],
)  # fmt: skip
def test_unsafe_names(filename: str) -> None:
    assert _code(filename, PDF) == RejectCode.UNSAFE_FILENAME


@pytest.mark.parametrize(
    "filename", ["setup.exe", "SETUP.EXE", "faktura.pdf.exe", "x.exe.", "x.exe. ", "skrypt.Js", "a.ps1", "lib.so"]
)
def test_forbidden_extensions(filename: str) -> None:
    assert _code(filename, b"harmless") == RejectCode.FORBIDDEN_FILE_TYPE


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("aneks.pdf", PE),
        ("notatka.txt", PE),
        ("dane.bin", ELF),
        ("aneks.pdf", ELF),
        ("x.dat", MACHO),
        ("x.txt", b"#!/bin/sh\n"),
    ],
)
def test_programs_are_refused_whatever_their_name(filename: str, content: bytes) -> None:
    assert _code(filename, content) == RejectCode.FORBIDDEN_FILE_TYPE


@pytest.mark.parametrize(
    ("filename", "content"),
    [("a.pdf", b"not a pdf"), ("a.pdf", b""), ("a.png", JPEG), ("a.jpg", PDF), ("a.docx", PDF), ("a.tif", PNG)],
)
def test_content_must_match_a_reliable_extension(filename: str, content: bytes) -> None:
    with pytest.raises(IntakeRejected) as caught:
        check_file(filename, content, POLICY)
    assert caught.value.code == RejectCode.FORBIDDEN_FILE_TYPE
    assert "does not match" in caught.value.message


def test_allow_list() -> None:
    only_pdf = IntakePolicy(allowed_extensions=frozenset({".PDF"}))
    assert check_file("a.pdf", PDF, only_pdf) == "application/pdf"
    assert _code("a.txt", b"text", only_pdf) == RejectCode.FORBIDDEN_FILE_TYPE
    assert _code("README", b"text", only_pdf) == RejectCode.FORBIDDEN_FILE_TYPE


def test_policy_forbidden_list_is_used() -> None:
    no_txt = IntakePolicy(forbidden_extensions=frozenset({"txt"}))
    assert _code("notatka.txt", b"text", no_txt) == RejectCode.FORBIDDEN_FILE_TYPE
    assert check_file("setup.exe", b"text", IntakePolicy(forbidden_extensions=frozenset())) is None


@pytest.mark.parametrize("size", [1000, 65537])
def test_sample_pdf_is_exact_deterministic_and_accepted(size: int) -> None:
    pdf = sample_pdf(size, seed=4)
    assert len(pdf) == size
    assert pdf.startswith(b"%PDF-1.7") and pdf.endswith(b"%%EOF\n")
    assert pdf == sample_pdf(size, seed=4) != sample_pdf(size, seed=5)
    assert check_file("a.pdf", pdf, POLICY) == "application/pdf"


def test_sample_pdf_below_its_minimum_is_the_minimum() -> None:
    assert sample_pdf(0) == sample_pdf(10) and len(sample_pdf(0)) < 500

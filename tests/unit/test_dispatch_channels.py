"""Rules of the electronic dispatch that need no stack: which documents ePUAP dorecz takes,
what a nadaj carries when the signature is detached (the same bytes on every retry), the
file names e-Doręczenia accepts, and the reference a UPD is matched back by."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

from ezd.models.edoreczenia import filename_problem
from ezd.models.outgoing_register import OutgoingItem
from ezd.services.dispatch import channels
from ezd.services.dispatch.channels import SignedFileBytes
from ezd.services.dispatch.outgoing_register import _signed_xml


class _Signing:
    def __init__(self, *files: tuple[str, str]) -> None:
        self.files = [type("F", (), {"name": n, "mime": m})() for n, m in files]


class _Document:
    def __init__(self, *files: tuple[str, str]) -> None:
        self.signing = _Signing(*files)


def _item(number: int = 7) -> OutgoingItem:
    return OutgoingItem(unit="P61", year=2026, number=number, registry_number=f"RPWy/{number}/2026", outgoing_id="o1",
                        case_ref="KAD.051.1.2026", title="Odpowiedź", addressee_name="Jan", addressee_address="/jan/s",
                        method="epuap_nadaj", responsible_name="Anna", responsible_position="referent",
                        document_sha256="0" * 64, registered_at=datetime(2026, 12, 4, tzinfo=timezone.utc),
                        status="sending")


def test_dorecz_takes_one_signed_xml_file_only():
    assert _signed_xml(_Document(("pismo.xml", "application/xml")))
    assert _signed_xml(_Document(("pismo.xml", None)))
    assert _signed_xml(_Document(("form", "application/epuap+xml")))
    assert not _signed_xml(_Document(("pismo.pdf", "application/pdf"), ("pismo.pdf.xades", "application/xml")))
    assert not _signed_xml(_Document(("pismo.pdf", "application/pdf")))
    assert not _signed_xml(type("D", (), {"signing": None})())


def test_a_detached_signature_goes_in_one_zip_with_the_same_bytes_every_time():
    files = [SignedFileBytes("pismo.pdf", "application/pdf", b"%PDF-1.7 x"),
             SignedFileBytes("pismo.pdf.xades", "application/xml", b"<ds:Signature/>")]
    name, mime, first = channels._one_document(files, _item())
    assert (name, mime) == ("RPWy-7-2026.zip", "application/zip")
    assert channels._one_document(files, _item())[2] == first  # a retried nadaj sends the same document
    with zipfile.ZipFile(io.BytesIO(first)) as packed:
        assert {n: packed.read(n) for n in packed.namelist()} == {f.name: f.content for f in files}
    single = channels._one_document(files[:1], _item())
    assert single == ("pismo.pdf", "application/pdf", b"%PDF-1.7 x")


def test_attachment_names_are_made_acceptable_to_edoreczenia():
    for name in ("odpowiedź na wniosek.pdf", "a#b?.pdf.xades", "x" * 200 + ".pdf"):
        assert filename_problem(channels._filename(name)) is None


def test_the_reference_names_the_unit_and_the_register_number():
    assert channels.reference(_item(12)) == "P61/RPWy/12/2026"

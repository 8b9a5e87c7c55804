"""The e-Doręczenia intake's own rules, without a stack: the envelope is canonical and
checked, the date of receipt is the dowód otrzymania's, the poll's back-off grows to a cap."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from ezd.config import Settings
from ezd.errors import IntakeRejected
from ezd.models.edoreczenia import AttachmentInfo, EvidenceDocument, EvidenceInfo, MessageSummary
from ezd.services import edoreczenia_envelope as envelope
from ezd.services.edoreczenia_polling import backoff_delay

T0 = datetime(2026, 12, 23, 22, 59, 59, 123000, tzinfo=timezone.utc)
ADE = "AE:PL-68172-93822-WLUWA-58"


def _evidence(kind: str, evidence_id: str, at: datetime | None) -> EvidenceDocument:
    return EvidenceDocument(info=EvidenceInfo(evidence_id=evidence_id, message_id="M1", type=kind, event_date=at),
                            content=f"<REMEvidence>{kind}</REMEvidence>".encode())


def _message() -> MessageSummary:
    return MessageSummary(message_id="M1", sender="AE:PL-06026-77354-UMVTB-68", recipients=[ADE],
                          subject="Wniosek", submission_date=T0 - timedelta(hours=1),
                          attachments=[AttachmentInfo(attachment_id="A1", filename="pismo.pdf")])


def test_the_envelope_is_the_same_bytes_for_the_same_message_and_reads_back():
    evidences = [_evidence("E.1", "E2", T0), _evidence("BP.OX", "E3", T0), _evidence("D.1", "E1", T0 - timedelta(hours=1))]
    files = [("pismo.pdf", "application/pdf", b"%PDF-1.7 x")]
    raw = envelope.build(ADE, _message(), files, evidences)
    assert raw == envelope.build(ADE, _message(), files, list(reversed(evidences)))
    read = envelope.parse(raw)
    assert read.message_id == "M1" and read.attachments[0].content == b"%PDF-1.7 x"
    assert [e.filename for e in read.evidences] == [
        "potwierdzenie-udostepnienia-D.1-E1.xml", "potwierdzenie-odbioru-E.1-E2.xml", "dowod-otrzymania-BP.OX-E3.xml"]


def test_the_date_of_receipt_is_the_dowod_otrzymania_then_the_handover():
    assert envelope.receipt_evidence([_evidence("E.1", "E2", T0 + timedelta(seconds=1)),
                                      _evidence("BP.OX", "E3", T0)]).info.evidence_id == "E3"
    assert envelope.receipt_evidence([_evidence("D.1", "E1", T0), _evidence("E.1", "E2", T0)]).info.type == "E.1"
    assert envelope.receipt_evidence([_evidence("D.1", "E1", T0)]) is None
    assert envelope.receipt_evidence([_evidence("BP.OX", "E3", None)]) is None


@pytest.mark.parametrize("change", ["format", "digest", "base64"])
def test_a_tampered_envelope_is_rejected(change):
    document = json.loads(envelope.build(ADE, _message(), [("a.pdf", "application/pdf", b"%PDF-1.7")], []))
    if change == "format":
        document["format"] = "something-else"
    elif change == "digest":
        document["attachments"][0]["sha256"] = "0" * 64
    else:
        document["attachments"][0]["content"] = "not base64!"
    with pytest.raises(IntakeRejected) as raised:
        envelope.parse(json.dumps(document).encode())
    assert raised.value.code == "MALFORMED_EDORECZENIA_MESSAGE"


def test_the_back_off_doubles_up_to_its_cap_and_honours_retry_after():
    settings = Settings(table="t", archive_bucket="a", quarantine_bucket="q", staging_bucket="s", derived_bucket="d",
                        edoreczenia_backoff_first_seconds=60, edoreczenia_backoff_cap_seconds=3600)
    assert [backoff_delay(n, settings).total_seconds() for n in range(1, 9)] == [
        60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert backoff_delay(1, settings, retry_after=300).total_seconds() == 300
    assert backoff_delay(1, settings, retry_after=10**6).total_seconds() == 3600

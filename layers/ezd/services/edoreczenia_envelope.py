"""The original of a message received by e-Doręczenia: one JSON envelope, staged and archived.

An e-delivery message is not one file: it is the service's metadata (sender, addressee,
subject, text, dates), its attachments and the evidences of its delivery. The collector
writes all of it, as the service gave it, into one canonical JSON document (keys sorted,
files base64, every file with its SHA-256) — the "original" the register keeps byte for
byte. The intake reads it back here: the attachments and the evidences are archived as
files of their own beside it (content-addressed), the register's metadata comes from it.

Canonical means: the same message collected twice gives the same bytes, so the intake's
dedupe by content registers it once even when a callback and a poll both collect it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ezd.errors import IntakeRejected, RejectCode
from ezd.models.edoreczenia import EvidenceDocument, MessageSummary

FORMAT = "ezd-edoreczenia-message/1"
MEDIA_TYPE = "application/json"
# The evidences of the addressee's receipt, best first: the public body's dowód otrzymania
# (BP.OX, its PDF twin BP.OP), then the service's own "content handed over" (E.1).
RECEIPT_EVIDENCES = ("BP.OX", "BP.OP", "E.1")
EVIDENCE_NAMES = {"BP.OX": "dowod-otrzymania", "BP.OP": "dowod-otrzymania", "E.1": "potwierdzenie-odbioru",
                  "D.1": "potwierdzenie-udostepnienia", "BP.WX": "dowod-wyslania", "A.1": "potwierdzenie-nadania"}


class EnvelopeFile(BaseModel):
    filename: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class EnvelopeEvidence(BaseModel):
    evidence_id: str
    type: str
    event_date: datetime | None = None
    content: bytes

    @property
    def filename(self) -> str:
        return f"{EVIDENCE_NAMES.get(self.type, 'dowod')}-{self.type}-{self.evidence_id}.xml"


class Envelope(BaseModel):
    address: str
    message_id: str
    thread_id: str | None = None
    sender: str | None = None
    recipients: list[str] = Field(default_factory=list)
    subject: str | None = None
    text_body: str | None = None
    submitted_at: datetime | None = None
    attachments: list[EnvelopeFile] = Field(default_factory=list)
    evidences: list[EnvelopeEvidence] = Field(default_factory=list)


def receipt_evidence(evidences: list[EvidenceDocument]) -> EvidenceDocument | None:
    """The evidence whose time is the date of receipt: the dowód otrzymania first."""
    for kind in RECEIPT_EVIDENCES:
        for evidence in evidences:
            if evidence.info.type == kind and evidence.info.event_date is not None:
                return evidence
    return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def build(address: str, message: MessageSummary, files: list[tuple[str, str, bytes]],
          evidences: list[EvidenceDocument]) -> bytes:
    """The envelope's bytes: ``files`` are (filename, content type, bytes) in the message's order."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "address": address,
        "messageId": message.message_id,
        "threadId": message.thread_id,
        "from": message.sender,
        "to": list(message.recipients),
        "subject": message.subject,
        "textBody": message.text_body,
        "submissionDate": _iso(message.submission_date),
        "attachments": [{"filename": name, "contentType": ctype, "size": len(data),
                         "sha256": hashlib.sha256(data).hexdigest(), "content": _b64(data)}
                        for name, ctype, data in files],
        "evidences": [{"evidenceId": e.info.evidence_id, "type": e.info.type, "eventDate": _iso(e.info.event_date),
                       "sha256": e.sha256, "content": _b64(e.content)}
                      for e in sorted(evidences, key=lambda e: e.info.evidence_id)],
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _malformed(detail: str) -> IntakeRejected:
    return IntakeRejected(f"not an e-Doręczenia message envelope: {detail}", code=RejectCode.MALFORMED_EDELIVERY)


def _decoded(item: dict[str, Any], what: str) -> bytes:
    try:
        data = base64.b64decode(str(item["content"]), validate=True)
    except (KeyError, binascii.Error, ValueError):
        raise _malformed(f"{what} has no valid base64 content") from None
    if "sha256" in item and hashlib.sha256(data).hexdigest() != item["sha256"]:
        raise _malformed(f"{what} does not match its SHA-256")
    return data


def parse(raw: bytes) -> Envelope:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _malformed("not UTF-8 JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _malformed(f"format is not {FORMAT}")
    try:
        return Envelope(
            address=document["address"], message_id=document["messageId"], thread_id=document.get("threadId"),
            sender=document.get("from"), recipients=list(document.get("to") or []), subject=document.get("subject"),
            text_body=document.get("textBody"), submitted_at=document.get("submissionDate"),
            attachments=[EnvelopeFile(filename=str(a.get("filename") or ""),
                                      content_type=str(a.get("contentType") or "application/octet-stream"),
                                      content=_decoded(a, f"attachment {i + 1}"))
                         for i, a in enumerate(document.get("attachments") or [])],
            evidences=[EnvelopeEvidence(evidence_id=str(e["evidenceId"]), type=str(e["type"]),
                                        event_date=e.get("eventDate"), content=_decoded(e, f"evidence {i + 1}"))
                       for i, e in enumerate(document.get("evidences") or [])],
        )
    except (KeyError, TypeError, ValidationError) as exc:
        raise _malformed(type(exc).__name__) from None

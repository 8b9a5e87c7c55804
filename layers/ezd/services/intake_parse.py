"""Part of the intake's first step: read the delivered bytes into the metadata the register needs."""

from __future__ import annotations

from ezd.errors import IntakeRejected, RejectCode
from ezd.models.intake import AttachmentInfo, IntakeRequest, LetterSummary
from ezd.models.letters import IntakePolicy, Sender
from ezd.services import edoreczenia_envelope
from ezd.services.epuap_document import parse_epuap_document
from ezd.services.file_policy import check_file


def summarize_delivery(request: IntakeRequest, raw: bytes, policy: IntakePolicy) -> LetterSummary:
    if len(raw) > policy.max_document_bytes:
        raise IntakeRejected(
            f"{len(raw)} bytes exceeds the limit of {policy.max_document_bytes}", code=RejectCode.TOO_LARGE
        )
    if request.channel in ("epuap",):
        summary = _from_epuap(raw, policy)
        return summary.model_copy(update={"is_test": bool(request.epuap and request.epuap.is_test)})
    if request.channel == "edoreczenia" and request.edoreczenia is not None:
        return _from_edoreczenia(request, raw, policy)
    if request.paper is None:
        raise IntakeRejected("a paper letter needs the clerk's metadata", code=RejectCode.MISSING_SENDER)
    return _from_paper_scan(request, raw, policy)


def _from_epuap(raw: bytes, policy: IntakePolicy) -> LetterSummary:
    letter = parse_epuap_document(raw, policy)
    return LetterSummary(
        title=letter.title,
        sender=letter.sender,
        letter_date=letter.letter_date,
        sender_reference=letter.sender_reference,
        kind=letter.kind,
        format="application/xml",
        form_namespace=letter.root_namespace,
        form_name=letter.form_name,
        attachments=[
            AttachmentInfo(filename=a.filename, size=a.size, sha256=a.sha256, mime=a.detected_mime or a.declared_format)
            for a in letter.attachments
        ],
        attachments_count=len(letter.attachments),
        sha256=letter.sha256,
        size=letter.size,
    )


def _from_edoreczenia(request: IntakeRequest, raw: bytes, policy: IntakePolicy) -> LetterSummary:
    """A received e-delivery: the envelope's subject and files; its sender as the collector
    found it in the directory (the service gives only an address)."""
    envelope = edoreczenia_envelope.parse(raw)
    delivery = request.edoreczenia
    assert delivery is not None
    if len(envelope.attachments) > policy.max_attachments:
        raise IntakeRejected(f"{len(envelope.attachments)} attachments; at most {policy.max_attachments}",
                             code=RejectCode.TOO_MANY_ATTACHMENTS)
    attachments = []
    for file in envelope.attachments:
        mime = check_file(file.filename, file.content, policy)
        attachments.append(AttachmentInfo(filename=file.filename, size=len(file.content), sha256=file.sha256,
                                          mime=mime or file.content_type))
    sender_address = envelope.sender or delivery.sender_address or "nieznany"
    title = (envelope.subject or "").strip()
    if not title:
        raise IntakeRejected("the message has no subject", code=RejectCode.MISSING_TITLE)
    return LetterSummary(
        title=title,
        sender=Sender(kind="institution", name=delivery.sender_name or sender_address,
                      institution=delivery.sender_name or None, town=delivery.sender_town or "nieustalona",
                      country="PL"),
        format=edoreczenia_envelope.MEDIA_TYPE,
        remarks=f"e-Doręczenia: wiadomość {envelope.message_id} z adresu {sender_address}",
        attachments=attachments,
        attachments_count=len(attachments),
        sha256=request.staged.sha256,
        size=len(raw),
    )


def _from_paper_scan(request: IntakeRequest, raw: bytes, policy: IntakePolicy) -> LetterSummary:
    if not raw:
        raise IntakeRejected("the scan is empty", code=RejectCode.EMPTY)
    mime = check_file(request.filename, raw, policy)
    form = request.paper
    assert form is not None
    return LetterSummary(
        title=form.title,
        sender=form.sender,
        letter_date=form.letter_date,
        sender_reference=form.sender_reference,
        kind=form.kind,
        access=form.access,
        format=mime or "application/octet-stream",
        remarks=form.remarks,
        attachments_count=form.attachments_count or 0,
        sha256=request.staged.sha256,
        size=len(raw),
    )

"""Part of the intake's first step: the original and each decoded attachment into the archive."""

from __future__ import annotations

from ezd.adapters import archive
from ezd.config import Settings
from ezd.models.intake import IntakeRequest, StoredBlob, StoreResult
from ezd.models.letters import IntakePolicy
from ezd.services import edoreczenia_envelope
from ezd.services.epuap_document import parse_epuap_document
from ezd.services.file_policy import sniffed_type


def archive_delivery(request: IntakeRequest, raw: bytes, settings: Settings, policy: IntakePolicy) -> StoreResult:
    bucket = settings.archive_bucket
    days = settings.archive_retention_days
    original_type = _original_type(request, raw)
    key, digest = archive.put_locked_once(
        bucket,
        raw,
        retention_days=days,
        content_type=original_type,
        metadata={"unit": request.unit, "channel": request.channel, "intake-id": request.intake_id},
    )
    original = StoredBlob(bucket=bucket, key=key, sha256=digest, size=len(raw), filename=request.filename,
                          mime=original_type)
    attachments: list[StoredBlob] = []
    if request.channel == "epuap":
        # Attachments are stored decoded too, so each can be downloaded and later handed
        # to the state archive as a file of its own.
        for attachment in parse_epuap_document(raw, policy).attachments:
            akey, adigest = archive.put_locked_once(
                bucket,
                attachment.content,
                retention_days=days,
                content_type=attachment.detected_mime or attachment.declared_format or "application/octet-stream",
                metadata={"unit": request.unit, "intake-id": request.intake_id},
            )
            attachments.append(
                StoredBlob(bucket=bucket, key=akey, sha256=adigest, size=attachment.size,
                           filename=attachment.filename, mime=attachment.detected_mime or attachment.declared_format)
            )
    if request.channel == "edoreczenia" and request.edoreczenia is not None:
        # The message's files, then its evidences (the dowód otrzymania first among them),
        # each a file of its own beside the envelope and listed with the document.
        envelope = edoreczenia_envelope.parse(raw)
        files = [(f.filename, sniffed_type(f.content) or f.content_type, f.content) for f in envelope.attachments]
        files += [(e.filename, "application/xml", e.content) for e in envelope.evidences]
        for filename, mime, content in files:
            akey, adigest = archive.put_locked_once(
                bucket, content, retention_days=days, content_type=mime,
                metadata={"unit": request.unit, "intake-id": request.intake_id})
            attachments.append(StoredBlob(bucket=bucket, key=akey, sha256=adigest, size=len(content),
                                          filename=filename, mime=mime))
    return StoreResult(original=original, attachments=attachments)


def _original_type(request: IntakeRequest, raw: bytes) -> str:
    """An ePUAP letter is XML; a scan is what its bytes are (a browser's upload form says
    application/octet-stream for anything). The file's type is checked by the parse step."""
    if request.channel == "epuap":
        return "application/xml"
    if request.channel == "edoreczenia" and request.edoreczenia is not None:
        return edoreczenia_envelope.MEDIA_TYPE
    declared = request.epuap.content_type if request.epuap else None
    if declared and declared != "application/octet-stream":
        return declared
    return sniffed_type(raw) or "application/octet-stream"

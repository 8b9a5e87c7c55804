"""What the registry desk reads: the register, one item, the daily intake report."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from pydantic import BaseModel

from ezd.adapters import archive, case_store, register_lines, registry_store
from ezd.config import Settings
from ezd.errors import AccessDenied, NotFound, ValidationFailed
from ezd.models.intake import IntakeOutcome
from ezd.models.registry import LINE_STATUSES, DocumentRecord, MetadataCorrection, RegisterPage, RegistryEntry
from ezd.models.signatures import SignatureReport
from ezd.models.audit import Actor
from ezd.services import access, audit
from ezd.services.auth import Principal
from ezd.services.csv_export import write_csv
from ezd.clock import WARSAW


# What a browser shows safely inline: PDF and raster images (not SVG, which can carry
# script, and not HTML or XML, which are shown as downloads only).
PREVIEWABLE = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


class DownloadLink(BaseModel):
    filename: str
    size: int
    sha256: str
    mime: str | None
    url: str  # a short-lived link that downloads the file
    expires_in: int
    preview_url: str | None = None  # the same, shown inline, for PDF and images


class RegistryItemView(BaseModel):
    entry: RegistryEntry
    signature_report: SignatureReport
    original: DownloadLink
    attachments: list[DownloadLink]
    receipt: DownloadLink | None
    form_namespace: str | None
    case_ref: str | None = None  # the case the document joined
    version: int = 1  # of the metadata: each correction makes the next
    corrections: list[MetadataCorrection] = []  # oldest first, each with the values it replaced


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=WARSAW)


def _index_bound(moment: datetime) -> datetime:
    # The received-time index compares ISO strings, which order correctly only when all
    # carry the same offset: the API stores received times in UTC, so bounds are UTC too.
    return moment.astimezone(timezone.utc)


def list_register(
    unit: str,
    year: int,
    *,
    limit: int = 50,
    page_token: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    channel: str | None = None,
    sender: str | None = None,
    title: str | None = None,
    status: str | None = None,
    jrwa: str | None = None,
) -> RegisterPage:
    if not 1 <= limit <= 500:
        raise ValidationFailed("limit must be between 1 and 500")
    if not 1900 <= year <= 9998:
        raise ValidationFailed("year is out of range")
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("date_from is after date_to")
    if status and status not in LINE_STATUSES:
        raise ValidationFailed(f"status must be one of: {', '.join(LINE_STATUSES)}")
    if jrwa and not re.fullmatch(r"\d{1,4}", jrwa):
        raise ValidationFailed("jrwa must be a JRWA symbol or its beginning: 1 to 4 digits")
    try:
        return register_lines.list_register(
            unit,
            year,
            limit=limit,
            page_token=page_token,
            received_from=_index_bound(_day_start(date_from)) if date_from else None,
            # The store's upper bound is inclusive: stop just before the next day's midnight.
            received_to=(
                _index_bound(_day_start(date_to + timedelta(days=1))) - timedelta(microseconds=1) if date_to else None
            ),
            channel=channel,
            sender=sender,
            title=title,
            status=status,
            jrwa_prefix=jrwa,
        )
    except register_lines.InvalidPageToken as exc:
        raise ValidationFailed(str(exc)) from exc


def _link(blob_bucket: str, key: str, filename: str, size: int, sha256: str, mime: str | None, seconds: int) -> DownloadLink:
    preview = archive.preview_link(blob_bucket, key, filename, mime, seconds) if mime in PREVIEWABLE else None
    return DownloadLink(
        filename=filename, size=size, sha256=sha256, mime=mime,
        url=archive.download_link(blob_bucket, key, filename, seconds), expires_in=seconds, preview_url=preview,
    )


def open_item(unit: str, document_id: str, settings: Settings, viewer: Principal) -> RegistryItemView:
    """One item, for those who may open it (services.access): 404 for the others."""
    document = access.open_document(unit, document_id, viewer)
    link = case_store.case_of_document(document_id)
    view = _view(document, settings.download_link_seconds).model_copy(
        update={"case_ref": link.case_ref if link else None})
    if document.entry.access not in access.PUBLIC_ACCESS:
        # Who opened a non-public document is part of its metryka.
        audit.record(audit.document_object(document_id),
                     Actor(login=viewer.login, full_name=viewer.full_name, position=viewer.position),
                     "viewed", document_id=document_id, summary="Wyświetlenie dokumentu niepublicznego")
    return view



def _view(document: DocumentRecord, seconds: int) -> RegistryItemView:
    o = document.original
    original = _link(o.bucket, o.key, o.filename or "original", o.size, o.sha256, o.mime, seconds)
    attachments = [
        _link(a.bucket, a.key, a.filename or a.sha256, a.size, a.sha256, a.mime, seconds) for a in document.attachments
    ]
    receipt = None
    if document.receipt:
        r = document.receipt
        receipt = _link(r.bucket, r.key, r.filename or "upp.xml", r.size, r.sha256, r.mime, seconds)
    return RegistryItemView(
        entry=document.entry,
        signature_report=SignatureReport.model_validate(document.signature_report),
        original=original,
        attachments=attachments,
        receipt=receipt,
        form_namespace=document.form_namespace,
        version=document.version,
        corrections=document.corrections,
    )


class ReportLine(BaseModel):
    """One line of the raport podawczy: the columns the brief names."""

    registry_number: str
    received_at: str
    letter_date: str | None
    sender: str
    sender_address: str
    title: str
    channel: str
    classification: str | None
    document_id: str


class IntakeReport(BaseModel):
    unit: str
    date: date
    count: int
    lines: list[ReportLine]


def _address(entry: RegistryEntry) -> str:
    s = entry.sender
    parts = [p for p in (s.street, " ".join(x for x in (s.postal_code, s.town) if x), s.country) if p]
    return ", ".join(parts)


def intake_report(unit: str, day: date) -> IntakeReport:
    entries = sorted(registry_store.entries_received_on(unit, day), key=lambda e: (e.year, e.number))
    lines = [
        ReportLine(
            registry_number=e.registry_number,
            received_at=e.received_at.astimezone(WARSAW).isoformat(timespec="seconds"),
            letter_date=e.letter_date,
            sender=e.sender.name,
            sender_address=_address(e),
            title=e.title,
            channel=e.channel,
            classification=None,  # JRWA classification is assigned after registration
            document_id=e.document_id,
        )
        for e in entries
    ]
    return IntakeReport(unit=unit, date=day, count=len(lines), lines=lines)


REPORT_COLUMNS = list(ReportLine.model_fields)


def report_csv(report: IntakeReport) -> str:
    return write_csv(REPORT_COLUMNS, (line.model_dump() for line in report.lines))


def intake_state(unit: str, intake_id: str, settings: Settings) -> IntakeOutcome | None:
    """The outcome of an intake, None while it is still being processed.

    An intake without an outcome is looked up among the started ones, so an unknown id
    is "not found" rather than "processing" forever, and another unit's is refused."""
    outcome = registry_store.outcome_of_intake(intake_id)
    if outcome is not None:
        if outcome.unit != unit:
            raise AccessDenied("this intake belongs to another unit")
        return outcome
    execution = registry_store.intake_started(intake_id)
    if execution is None:
        raise NotFound(f"no intake {intake_id}")
    if execution.get("unit") != unit:
        raise AccessDenied("this intake belongs to another unit")
    return None

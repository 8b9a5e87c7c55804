"""The registry desk's paper letters: a scan is uploaded straight to S3 (a short-lived
pre-signed POST; the API never carries the bytes), then registered by reference.

    open_upload(...)          -> where to send the bytes (S3 refuses more than the limit)
    confirm_backdating(...)   -> a manager vouches for a date of receipt long past
    register(...)             -> the intake of the uploaded scan

An upload yields one letter: registering it again answers with the intake it already
started (a double click registers nothing twice), except after a conflict (the scan's
bytes are an earlier item's), when the clerk may register it anyway with a reason.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field, field_validator

from ezd.adapters import archive, registry_store, upload_store
from ezd.clock import local_date, now_utc, today
from ezd.config import Settings
from ezd.errors import EzdError, IntakeRejected, NotFound, RejectCode, ValidationFailed
from ezd.models.intake import PAPER_CHANNELS, Channel, IntakeOutcome, PaperLetterForm, StagedObject
from ezd.models.uploads import Backdating, Upload, UploadPurpose, UploadTicket
from ezd.services import delivery, quarantine_quota
from ezd.services.auth import Principal

UPLOAD_SECONDS = 15 * 60
MAX_ATTEMPTS = 10
_UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f]|^\.+$")


class UploadMissing(EzdError):
    code = "UPLOAD_MISSING"


class ReceivedAtNeedsConfirmation(EzdError):
    code = "RECEIVED_AT_NEEDS_CONFIRMATION"


class PaperRegistration(BaseModel):
    upload_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    channel: Channel = "post"
    received_at: datetime | None = None
    metadata: PaperLetterForm
    # Register a scan whose bytes are those of an earlier item anyway: why (a second copy
    # of a form sent again with other data, say). Only after the conflict was shown.
    duplicate_reason: str | None = Field(default=None, min_length=1, max_length=2000)

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError("received_at must carry a time zone (e.g. 2026-03-02T09:00:00+01:00)")
        return value


class RegistrationStarted(BaseModel):
    intake_id: str
    outcome: IntakeOutcome | None = None  # None while the workflow still works


def _check_size(size: int, settings: Settings) -> None:
    """The limit holds twice: for the size a clerk declares, and for what S3 received."""
    if size <= 0:
        raise IntakeRejected("the scan is empty", code=RejectCode.EMPTY)
    if size > settings.max_document_bytes:
        raise IntakeRejected(f"{size} bytes exceeds the limit of {settings.max_document_bytes}",
                             code=RejectCode.TOO_LARGE)


def _upload(unit: str, upload_id: str) -> Upload:
    upload = upload_store.get(unit, upload_id)
    if upload is None or upload.purpose != "paper":
        raise NotFound(f"no upload {upload_id} in unit {unit}")
    return upload


def open_upload(unit: str, principal: Principal, filename: str, size: int, settings: Settings,
                purpose: UploadPurpose = "paper") -> UploadTicket:
    """A pre-signed upload: a scan for the registry desk, or the content of an outgoing
    draft for whoever handles cases (services/dispatch/drafts.py takes it from there)."""
    if purpose == "paper":
        principal.require_role(unit, "registry_clerk")
    else:
        principal.require_role(unit, "case_officer", "manager")
    if not filename.strip() or len(filename) > 255 or _UNSAFE_NAME.search(filename):
        raise ValidationFailed("filename must be a plain file name")
    _check_size(size, settings)
    if purpose == "paper":
        quarantine_quota.check(quarantine_quota.source_of("post", unit, clerk=principal.login), settings)
    upload_id = uuid.uuid4().hex
    key = f"uploads/{unit}/{upload_id}"
    url, fields = archive.upload_form(settings.staging_bucket, key, settings.max_document_bytes, UPLOAD_SECONDS)
    created = now_utc()
    upload_store.create(Upload(upload_id=upload_id, unit=unit, clerk=principal.login, purpose=purpose, filename=filename,
                               declared_size=size, bucket=settings.staging_bucket, key=key, created_at=created,
                               expires_at=created + timedelta(seconds=UPLOAD_SECONDS)))
    return UploadTicket(upload_id=upload_id, url=url, fields=fields, expires_in=UPLOAD_SECONDS,
                        max_bytes=settings.max_document_bytes)


def confirm_backdating(unit: str, upload_id: str, principal: Principal, received_on: date, reason: str) -> Upload:
    """A manager confirms that the letter scanned in ``upload_id`` was received on
    ``received_on``; the reason goes into the document's metryka when it is registered."""
    principal.require_role(unit, "manager")
    if received_on > today():
        raise ValidationFailed("a letter cannot have been received in the future")
    if not reason.strip():
        raise ValidationFailed("say why the date of receipt lies so far back")
    for _ in range(MAX_ATTEMPTS):
        upload = _upload(unit, upload_id)
        confirmation = Backdating(received_on=received_on, reason=reason.strip(), by=principal.login,
                                  by_name=principal.full_name, by_position=principal.position, at=now_utc())
        try:
            changed = upload.model_copy(update={"backdating": confirmation, "version": upload.version + 1})
            upload_store.save(changed)
            return changed
        except upload_store.UploadChanged:
            continue
    raise EzdError("the upload keeps changing; try again")


def _check_received_at(upload: Upload, received_at: datetime, settings: Settings) -> Backdating | None:
    """The desk may state a date of receipt up to N days back on its own; older ones need
    a manager's confirmation of that very day."""
    received_on = local_date(received_at)
    if received_at > now_utc() + timedelta(minutes=5):
        raise ValidationFailed("received_at is in the future")
    if (today() - received_on).days <= settings.paper_backdate_limit_days:
        return None
    confirmation = upload.backdating
    if confirmation is None or confirmation.received_on != received_on:
        raise ReceivedAtNeedsConfirmation(
            f"received_at {received_on} is more than {settings.paper_backdate_limit_days} days ago: a manager "
            f"confirms it with a reason first (POST /units/{upload.unit}/uploads/{upload.upload_id}/backdating)")
    return confirmation


def _staged(upload: Upload, settings: Settings) -> StagedObject:
    version = archive.staged_version(upload.bucket, upload.key)
    if version is None:
        raise UploadMissing(f"nothing was uploaded for {upload.upload_id} (or the upload expired)")
    _check_size(version.size, settings)
    digest = archive.sha256_of(upload.bucket, upload.key, version.version_id)
    return StagedObject(bucket=upload.bucket, key=upload.key, sha256=digest, size=version.size,
                        version_id=version.version_id)


def _earlier(upload: Upload, settings: Settings) -> RegistrationStarted | None:
    """What an earlier registration of this upload started: answered again, or started
    again if its workflow never began."""
    if not upload.intake_ids:
        return None
    intake_id = upload.intake_ids[-1]
    outcome = registry_store.outcome_of_intake(intake_id)
    if outcome is None and registry_store.intake_started(intake_id) is None:
        return None  # the start was lost: this registration starts it
    return RegistrationStarted(intake_id=intake_id, outcome=outcome)


def register(unit: str, principal: Principal, form: PaperRegistration, settings: Settings,
             correlation_id: str | None = None) -> RegistrationStarted:
    principal.require_role(unit, "registry_clerk")
    if form.channel not in PAPER_CHANNELS:
        raise ValidationFailed(f"the registry desk registers paper letters: channel is one of {', '.join(PAPER_CHANNELS)}")
    for _ in range(MAX_ATTEMPTS):
        upload = _upload(unit, form.upload_id)
        earlier = _earlier(upload, settings)
        resume = earlier is None and bool(upload.intake_ids)
        if earlier is not None and not (earlier.outcome is not None and earlier.outcome.status == "conflict"
                                        and form.duplicate_reason):
            return earlier
        received_at = form.received_at or now_utc()
        backdating = _check_received_at(upload, received_at, settings)
        quarantine_quota.check(quarantine_quota.source_of(form.channel, unit, clerk=principal.login), settings)
        staged = _staged(upload, settings)
        intake_id = upload.intake_ids[-1] if resume else uuid.uuid4().hex
        request = delivery.paper_letter_request(
            unit, form.metadata, staged, upload.filename, form.channel, principal.login, received_at,
            intake_id=intake_id, correlation_id=correlation_id, upload_id=upload.upload_id, backdating=backdating,
            duplicate_reason=form.duplicate_reason if earlier is not None else None)
        if not resume:
            try:
                # The upload names its intake before the workflow starts: a second request
                # can only find this one, never start another.
                upload_store.save(upload.model_copy(update={"intake_ids": [*upload.intake_ids, intake_id],
                                                            "version": upload.version + 1}))
            except upload_store.UploadChanged:
                continue
        delivery.start_intake(request, settings)
        return RegistrationStarted(intake_id=request.intake_id)
    raise EzdError("the upload keeps changing; try again")


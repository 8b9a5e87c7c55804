"""Entry points of the intake: a delivery is written durably, then handed to the workflow.

ePUAP pull, ePUAP push, e-Doręczenia (callback or poll) and the registry desk's paper
letters all end here and start the same intake state machine. Staging comes first: only once the bytes are in S3 may ePUAP
be told the letter was collected.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from ezd.adapters import archive, directory_store, registry_store, workflows
from ezd.clock import now_utc
from ezd.config import Settings
from ezd.errors import IntakeRejected, RejectCode, ValidationFailed
from ezd.models.directory import Unit
from ezd.models.epuap import PulledDocument
from ezd.models.intake import (
    Channel,
    EdoreczeniaDelivery,
    EpuapDelivery,
    IntakeRequest,
    PaperLetterForm,
    StagedObject,
)
from ezd.models.uploads import Backdating
from ezd.services import quarantine_quota


def as_utc(moment: datetime) -> datetime:
    """Every stored receipt time is UTC: the register's index compares them as text, so
    one offset for all of them keeps the order (ePUAP and clerks send any offset)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationFailed("a receipt time must carry a time zone")
    return moment.astimezone(timezone.utc)


def _stage(settings: Settings, unit: str, raw: bytes, intake_id: str, filename: str) -> StagedObject:
    digest = archive.sha256_hex(raw)
    key = f"incoming/{unit}/{digest}"
    version = archive.put_staged(
        settings.staging_bucket, key, raw, metadata={"intake-id": intake_id, "filename": filename[:200]}
    )
    return StagedObject(bucket=settings.staging_bucket, key=key, sha256=digest, size=len(raw), version_id=version)


def _start(settings: Settings, request: IntakeRequest) -> IntakeRequest:
    if not settings.intake_state_machine_arn:
        raise RuntimeError("EZD_INTAKE_STATE_MACHINE_ARN is not set")
    workflows.start(settings.intake_state_machine_arn, request.intake_id, {"intake": request.model_dump(mode="json")})
    # Written once the start succeeded: an intake recorded as started has a workflow (a
    # start lost before this line is started again by whoever retries it).
    registry_store.record_intake_started(request.intake_id, request.unit, now_utc())
    return request


def accept_epuap_document(
    document: PulledDocument, mode: str, settings: Settings, correlation_id: str | None = None,
    unit: Unit | None = None,
) -> IntakeRequest:
    """``unit``: the unit whose box was polled, when the caller knows it (the poller)."""
    if unit is None or unit.esp_address != document.box_address:
        unit = directory_store.unit_by_box(document.box_address)
    if unit is None:
        raise IntakeRejected(f"no unit has the ESP box {document.box_address}", code=RejectCode.UNKNOWN_RECIPIENT)
    source = quarantine_quota.source_of("epuap", unit.symbol, mode=mode)
    quarantine_quota.check(source, settings)
    intake_id = uuid.uuid4().hex
    staged = _stage(settings, unit.symbol, document.content, intake_id, document.filename)
    delivered_at = as_utc(document.delivered_at)
    request = IntakeRequest(
        intake_id=intake_id,
        correlation_id=correlation_id or intake_id,
        unit=unit.symbol,
        channel="epuap",
        received_at=delivered_at,
        staged=staged,
        filename=document.filename,
        epuap=EpuapDelivery(
            mode=mode,  # type: ignore[arg-type]
            delivered_at=delivered_at,
            box_address=document.box_address,
            box_name=document.box_name,
            filename=document.filename,
            content_type=document.content_type,
            sender_id=document.sender_id,
            sender_type=document.sender_type,
            sender_first_name=document.sender_first_name,
            sender_name=document.sender_name,
            reply_address=document.reply_address,
            is_test=document.is_test,
            skrot=document.skrot,
        ),
        source=source,
    )
    return _start(settings, request)


def accept_edoreczenia_message(
    unit: Unit, envelope: bytes, delivery: EdoreczeniaDelivery, settings: Settings, correlation_id: str | None = None,
) -> IntakeRequest:
    """A message received at the unit's e-delivery address (services/edoreczenia_intake.py
    collects it): the envelope staged, the intake started. Its date of receipt is the time
    of its evidence of receipt (the dowód otrzymania), never the moment we collected it."""
    source = quarantine_quota.source_of("edoreczenia", unit.symbol)
    quarantine_quota.check(source, settings)
    intake_id = uuid.uuid4().hex
    filename = f"e-doreczenia-{delivery.message_id}.json"
    staged = _stage(settings, unit.symbol, envelope, intake_id, filename)
    request = IntakeRequest(
        intake_id=intake_id,
        correlation_id=correlation_id or intake_id,
        unit=unit.symbol,
        channel="edoreczenia",
        received_at=as_utc(delivery.evidence_time),
        staged=staged,
        filename=filename,
        edoreczenia=delivery,
        source=source,
    )
    return _start(settings, request)


def paper_letter_request(
    unit: str,
    form: PaperLetterForm,
    staged: StagedObject,
    filename: str,
    channel: Channel,
    clerk: str,
    received_at: datetime,
    *,
    intake_id: str,
    correlation_id: str | None = None,
    upload_id: str | None = None,
    backdating: Backdating | None = None,
    duplicate_reason: str | None = None,
) -> IntakeRequest:
    """The intake of a scan the registry desk uploaded (services/paper_desk.py checks it)."""
    return IntakeRequest(
        intake_id=intake_id,
        correlation_id=correlation_id or intake_id,
        unit=unit,
        channel=channel,
        received_at=as_utc(received_at),
        staged=staged,
        filename=filename,
        paper=form,
        registered_by=clerk,
        source=quarantine_quota.source_of(channel, unit, clerk=clerk),
        upload_id=upload_id,
        backdating=backdating,
        duplicate_reason=duplicate_reason,
    )


def start_intake(request: IntakeRequest, settings: Settings) -> IntakeRequest:
    """Starts (or, for an intake whose start was lost, starts again) its workflow."""
    return _start(settings, request)

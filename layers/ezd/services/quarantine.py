"""The workflow's Catch path: keep the original, locked, with the reason and a code."""

from __future__ import annotations

import json
from typing import Any

from ezd.adapters import archive, registry_store
from ezd.config import Settings
from ezd.errors import EzdError
from ezd.models.intake import IntakeOutcome, IntakeRequest
from ezd.models.registry import QuarantineRecord
from ezd.clock import now_utc
from ezd.services import quarantine_quota

FAILED_CODE = "INTAKE_FAILED"


def reason_of(error: dict[str, Any], outcome: str) -> tuple[str, str]:
    """(code, reason) from the ``Error``/``Cause`` pair Step Functions hands to a Catch."""
    cause = error.get("Cause") or ""
    try:
        message = json.loads(cause).get("errorMessage", cause)
    except (ValueError, AttributeError):
        message = cause
    code, text = EzdError.split_message(str(message))
    if outcome == "rejected" and code:
        return code, text
    return FAILED_CODE, f"{error.get('Error', 'Error')}: {text}"


def quarantine_delivery(request: IntakeRequest, error: dict[str, Any], outcome: str, settings: Settings) -> IntakeOutcome:
    existing = registry_store.outcome_of_intake(request.intake_id)
    if existing is not None and existing.status in ("rejected", "failed"):
        # A retried step, or the workflow re-run after a restart of the local stack:
        # the delivery is quarantined (and its quota charged) once.
        return existing
    code, reason = reason_of(error, outcome)
    raw = archive.read(request.staged.bucket, request.staged.key, request.staged.version_id)
    key, digest = archive.put_locked_once(
        settings.quarantine_bucket,
        raw,
        retention_days=settings.quarantine_retention_days,
        metadata={"unit": request.unit, "intake-id": request.intake_id, "error-code": code},
        prefix=f"{request.unit}/sha256",
    )
    quarantine_quota.charge(request.source, len(raw))
    now = now_utc()
    registry_store.save_quarantine(
        QuarantineRecord(
            intake_id=request.intake_id,
            unit=request.unit,
            channel=request.channel,
            filename=request.filename,
            sha256=digest,
            size=len(raw),
            error_code=code,
            reason=reason[:2000],
            outcome=outcome,
            bucket=settings.quarantine_bucket,
            key=key,
            quarantined_at=now,
        )
    )
    result = IntakeOutcome(
        intake_id=request.intake_id,
        unit=request.unit,
        sha256=request.staged.sha256,
        filename=request.filename,
        channel=request.channel,
        status="rejected" if outcome == "rejected" else "failed",
        error_code=code,
        error_message=reason[:500],
        processed_at=now,
    )
    registry_store.save_outcome(result)
    return result


def quarantine_raw(
    unit: str, raw: bytes, filename: str, channel: str, code: str, reason: str, settings: Settings,
    source: str | None = None,
) -> QuarantineRecord:
    """Keeps input that never became an intake (a malformed push envelope, say)."""
    quarantine_quota.charge(source, len(raw))
    key, digest = archive.put_locked_once(
        settings.quarantine_bucket,
        raw,
        retention_days=settings.quarantine_retention_days,
        metadata={"unit": unit, "error-code": code},
        prefix=f"{unit}/sha256",
    )
    record = QuarantineRecord(
        intake_id=f"raw-{digest[:32]}",
        unit=unit,
        channel=channel,
        filename=filename,
        sha256=digest,
        size=len(raw),
        error_code=code,
        reason=reason[:2000],
        outcome="rejected",
        bucket=settings.quarantine_bucket,
        key=key,
        quarantined_at=now_utc(),
    )
    registry_store.save_quarantine(record)
    return record

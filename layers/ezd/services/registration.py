"""Step 4 of the intake: the next number of the unit's register, written with the entry.

The number is allocated in the same DynamoDB transaction that writes the register line,
the document, and the dedupe marker of its content, so numbers are consecutive from 1
per unit and year: never skipped (nothing takes a number without its entry), never
duplicated (the counter is compare-and-set), and a repeated delivery of the same bytes
gets the first number back instead of a new one.
"""

from __future__ import annotations

import random
import time
from typing import Any

from ezd.adapters import registry_store
from ezd.models.audit import Actor
from ezd.errors import TransientFault
from ezd.models.intake import IntakeOutcome, IntakeRequest, LetterSummary, RegistrationResult, StoreResult
from ezd.models.registry import DocumentRecord, RegistryEntry, registry_number
from ezd.models.signatures import SignatureReport
from ezd.clock import local_date, local_year, now_utc

MAX_ATTEMPTS = 60
SYSTEM = Actor(login="system", full_name="EZD", position="system")


def document_id_for(request: IntakeRequest) -> str:
    # Derived from the intake, so a retried step writes the same document, not a second.
    return f"{request.unit}-{request.intake_id}"


def register_letter(
    request: IntakeRequest, letter: LetterSummary, signatures: SignatureReport, stored: StoreResult
) -> RegistrationResult:
    year = local_year(request.received_at)
    for attempt in range(MAX_ATTEMPTS):
        first = registry_store.find_first_registration(request.unit, request.staged.sha256)
        if first is not None:
            return _answer_for_existing(request, first)
        counter = registry_store.current_counter(request.unit, year)
        document = _document(request, letter, signatures, stored, number=counter + 1, year=year)
        outcome = _outcome(request, document, "registered")
        try:
            registry_store.commit_registration(document, counter, outcome)
        except registry_store.AlreadyRegistered as exc:
            return _answer_for_existing(request, exc.first)
        except registry_store.CounterConflict:
            # Another letter took this number: back off a little and read the counter again.
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
            continue
        _record_registration(document.document_id, document.entry.registry_number, request.channel)
        return _result(document, "registered")
    raise TransientFault(f"register of {request.unit}/{year} too contended after {MAX_ATTEMPTS} attempts")


def _record_registration(document_id: str, registry_number: str, channel: str) -> None:
    """The first line of the document's metryka. A step retried after its commit writes
    it only if the first attempt did not get that far."""
    from ezd.services import audit

    object_id = audit.document_object(document_id)
    if not audit.entries(object_id):
        audit.record(object_id, SYSTEM, "registered", document_id=document_id,
                     summary=f"Rejestracja przesyłki {registry_number} ({channel})",
                     details={"registry_number": registry_number, "channel": channel})


def _answer_for_existing(request: IntakeRequest, first: dict[str, Any]) -> RegistrationResult:
    document_id = first["document_id"]
    # The same intake retried after its commit succeeded is not a duplicate delivery.
    status = "registered" if document_id == document_id_for(request) else "duplicate"
    if status == "registered":
        _record_registration(document_id, first["registry_number"], request.channel)
    result = RegistrationResult(
        status=status,
        unit=request.unit,
        document_id=document_id,
        registry_number=first["registry_number"],
        number=first["number"],
        year=first["year"],
        received_at=first["received_at"],
        signature=first["signature"],
        certificate=first["certificate"],
    )
    if status == "duplicate":
        registry_store.save_outcome(
            IntakeOutcome(
                intake_id=request.intake_id,
                unit=request.unit,
                sha256=request.staged.sha256,
                filename=request.filename,
                channel=request.channel,
                status="duplicate",
                registry_number=result.registry_number,
                document_id=result.document_id,
                signature=result.signature,
                certificate=result.certificate,
                processed_at=now_utc(),
            )
        )
    return result


def _document(
    request: IntakeRequest,
    letter: LetterSummary,
    signatures: SignatureReport,
    stored: StoreResult,
    *,
    number: int,
    year: int,
) -> DocumentRecord:
    document_id = document_id_for(request)
    entry = RegistryEntry(
        unit=request.unit,
        year=year,
        number=number,
        registry_number=registry_number(number, year),
        document_id=document_id,
        received_at=request.received_at,
        received_date=local_date(request.received_at),
        registered_at=now_utc(),
        channel=request.channel,
        sender=letter.sender,
        title=letter.title,
        letter_date=letter.letter_date,
        sender_reference=letter.sender_reference,
        kind=letter.kind,
        access=letter.access,
        format=letter.format,
        dcmi_type=letter.dcmi_type,
        attachments_count=letter.attachments_count,
        signature=signatures.signature,
        certificate=signatures.certificate,
        remarks=letter.remarks,
        registered_by=request.registered_by,
    )
    return DocumentRecord(
        document_id=document_id,
        unit=request.unit,
        entry=entry,
        original=stored.original,
        attachments=stored.attachments,
        attachment_infos=letter.attachments,
        signature_report=signatures.model_dump(mode="json"),
        form_namespace=letter.form_namespace,
        form_name=letter.form_name,
        intake_id=request.intake_id,
        sha256=request.staged.sha256,
    )


def _outcome(request: IntakeRequest, document: DocumentRecord, status: str) -> IntakeOutcome:
    return IntakeOutcome(
        intake_id=request.intake_id,
        unit=request.unit,
        sha256=request.staged.sha256,
        filename=request.filename,
        channel=request.channel,
        status=status,  # type: ignore[arg-type]
        registry_number=document.entry.registry_number,
        document_id=document.document_id,
        signature=document.entry.signature,
        certificate=document.entry.certificate,
        processed_at=now_utc(),
    )


def _result(document: DocumentRecord, status: str) -> RegistrationResult:
    entry = document.entry
    return RegistrationResult(
        status=status,  # type: ignore[arg-type]
        unit=entry.unit,
        document_id=document.document_id,
        registry_number=entry.registry_number,
        number=entry.number,
        year=entry.year,
        received_at=entry.received_at,
        signature=entry.signature,
        certificate=entry.certificate,
    )

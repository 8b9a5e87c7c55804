"""Step 4 of the intake: the next number of the unit's register, written with the entry.

The number is allocated in the same DynamoDB transaction that writes the register line,
the document, and the dedupe marker of its content, so numbers are consecutive from 1
per unit and year: never skipped (nothing takes a number without its entry), never
duplicated (the counter is compare-and-set).

The same bytes arriving again are answered by what came first:
- the same intake (the step retried after its commit): `registered`, as the first time;
- another ePUAP delivery of the letter: `duplicate`, with the first number;
- a paper scan with the same bytes and the same metadata: `duplicate` as well;
- a paper scan with the same bytes but other metadata: `conflict`, naming the earlier
  number, and not registered: the clerk looks, and may register it anyway with a reason
  (`duplicate_reason`), which the metryka keeps.
ePUAP's test deliveries (czyTestowe) are never given a number of the real register.
"""

from __future__ import annotations

import random
import time
from typing import Any

from ezd.adapters import directory_store, registry_store
from ezd.clock import local_date, local_year, now_utc
from ezd.errors import TransientFault
from ezd.models.audit import SYSTEM, Actor, AuditEntry
from ezd.models.intake import IntakeOutcome, IntakeRequest, LetterSummary, RegistrationResult, StoreResult
from ezd.models.registry import DocumentRecord, RegistryEntry, registry_number
from ezd.models.signatures import SignatureReport
from ezd.services import audit

MAX_ATTEMPTS = 60
# What a clerk types about a letter: two scans with the same bytes and these the same are
# one letter registered twice; with any of them different, they need a person's look.
_COMPARED = ("title", "sender", "letter_date", "sender_reference")


def document_id_for(request: IntakeRequest) -> str:
    # Derived from the intake, so a retried step writes the same document, not a second.
    return f"{request.unit}-{request.intake_id}"


def register_letter(
    request: IntakeRequest, letter: LetterSummary, signatures: SignatureReport, stored: StoreResult
) -> RegistrationResult:
    year = local_year(request.received_at)
    own = registry_store.get_document(document_id_for(request), consistent=True)
    if own is not None:  # this very intake committed before its answer was lost
        return _result(own, "registered")
    # Read once, before the attempts: who registers it (a paper letter's clerk), whether
    # these bytes came before, and a first guess of the counter.
    actor = _actor(request)
    first = registry_store.find_first_registration(request.unit, request.staged.sha256)
    if first is not None and not request.duplicate_reason:
        return _answer_for_existing(request, letter, first)
    counter = registry_store.current_counter(request.unit, year)
    for attempt in range(MAX_ATTEMPTS):
        document = _document(request, letter, signatures, stored, number=counter + 1, year=year)
        outcome = _outcome(request, "registered", document.entry.registry_number, document.document_id,
                           document.entry.signature, document.entry.certificate)
        try:
            # A scan registered anyway beside an earlier one does not take over its content.
            # The metryka's first lines are written in the same transaction.
            registry_store.commit_registration(document, counter, outcome, claim_content=first is None,
                                               audit_entries=_opening_entries(document, request, actor, earlier=first))
        except registry_store.AlreadyRegistered as exc:
            return _answer_for_existing(request, letter, exc.first)
        except registry_store.CounterConflict as conflict:
            # Another letter took this number. The failed transaction said which number is
            # the last now; only when it could not (a conflict of two transactions in
            # flight) read it again, after a short random pause so both do not collide again.
            if conflict.current is not None and conflict.current != counter:
                counter = conflict.current
                continue
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
            counter = registry_store.current_counter(request.unit, year, consistent=True)
            continue
        return _result(document, "registered")
    raise TransientFault(f"register of {request.unit}/{year} too contended after {MAX_ATTEMPTS} attempts")


def record_test_delivery(request: IntakeRequest) -> RegistrationResult:
    """ePUAP's test delivery (czyTestowe): parsed and checked, answered, never numbered."""
    registry_store.save_outcome(_outcome(request, "test", None, None, None, None))
    return RegistrationResult(status="test", unit=request.unit)


def _actor(request: IntakeRequest) -> Actor:
    clerk = directory_store.get_user(request.registered_by) if request.registered_by else None
    return Actor(login=clerk.login, full_name=clerk.full_name, position=clerk.position) if clerk else SYSTEM


def _opening_entries(document: DocumentRecord, request: IntakeRequest, actor: Actor,
                     earlier: dict[str, Any] | None = None) -> list[AuditEntry]:
    """The first lines of the document's metryka: its registration (by the clerk for a
    paper letter, with the reason if it was registered beside an earlier identical scan)
    and a manager's confirmation of an old date of receipt."""
    entry = document.entry
    summary = f"Rejestracja przesyłki {entry.registry_number} ({request.channel})"
    details: dict[str, Any] = {"registry_number": entry.registry_number, "channel": request.channel}
    if request.duplicate_reason and earlier is not None:
        summary += f" mimo zgodności skanu z {earlier['registry_number']}: {request.duplicate_reason}"
        details.update(same_scan_as=earlier["registry_number"], reason=request.duplicate_reason)
    lines: list[tuple[Actor, str, str, dict[str, Any]]] = [(actor, "registered", summary, details)]
    confirmation = request.backdating
    if confirmation is not None:
        lines.append((Actor(login=confirmation.by, full_name=confirmation.by_name, position=confirmation.by_position),
                      "backdating_confirmed",
                      f"Potwierdzenie daty wpływu {confirmation.received_on}: {confirmation.reason}",
                      {"received_on": confirmation.received_on.isoformat(), "reason": confirmation.reason,
                       "confirmed_at": confirmation.at.isoformat()}))
    return audit.opening_entries(audit.document_object(document.document_id), lines,
                                 document_id=document.document_id)


def _differs(request: IntakeRequest, letter: LetterSummary, first: dict[str, Any]) -> bool:
    if request.paper is None:
        return False  # the same ePUAP letter delivered again
    earlier = registry_store.get_document(first["document_id"], consistent=True)
    if earlier is None:
        return True
    ours = letter.model_dump(mode="json", include=set(_COMPARED))
    theirs = earlier.entry.model_dump(mode="json", include=set(_COMPARED))
    return ours != theirs


def _answer_for_existing(request: IntakeRequest, letter: LetterSummary, first: dict[str, Any]) -> RegistrationResult:
    status = "conflict" if _differs(request, letter, first) else "duplicate"
    outcome = _outcome(request, status, first["registry_number"], first["document_id"], first["signature"],
                       first["certificate"])
    if status == "conflict":
        outcome = outcome.model_copy(update={
            "error_code": "DUPLICATE_SCAN",
            "error_message": f"the scan is that of {first['registry_number']}, registered with other metadata: "
                             "look at it, and register this letter anyway with a reason if it is another one"})
    registry_store.save_outcome(outcome)
    return RegistrationResult(status=status, unit=request.unit, document_id=first["document_id"],  # type: ignore[arg-type]
                              registry_number=first["registry_number"], number=first["number"], year=first["year"],
                              received_at=first["received_at"], signature=first["signature"],
                              certificate=first["certificate"])


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


def _outcome(request: IntakeRequest, status: str, number: str | None, document_id: str | None,
             signature: str | None, certificate: str | None) -> IntakeOutcome:
    return IntakeOutcome(
        intake_id=request.intake_id,
        unit=request.unit,
        sha256=request.staged.sha256,
        filename=request.filename,
        channel=request.channel,
        status=status,  # type: ignore[arg-type]
        registry_number=number,
        document_id=document_id,
        signature=signature,
        certificate=certificate,
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
        registered_at=entry.registered_at,
        signature=entry.signature,
        certificate=entry.certificate,
    )

"""Cases (sprawy): opening with a number from the spis spraw, attaching documents,
closing with the way they were settled, reopening, and the spis spraw itself."""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

from ezd.adapters import case_store, directory_store, outgoing_register_store, routing_store
from ezd.errors import AccessDenied, EzdError, NotFound, ValidationFailed
from ezd.models.cases import (
    Case,
    CaseDocument,
    CaseOrigin,
    DeadlinePresetName,
    SuspensionPeriod,
    case_audit_key,
    case_reference,
)
from ezd.models.deadlines import DeadlinePreset, Suspension
from ezd.models.outgoing_register import number_and_year_of
from ezd.models.routing import InboxItem
from ezd.models.registry import DocumentRecord
from ezd.models.routing import Classification
from ezd.services import access, audit, jrwa, routing
from ezd.services.auth import Principal
from ezd.services.deadlines import case_deadline
from ezd.services.routing import actor_of
from ezd.clock import WARSAW, local_date, now_utc, today

MAX_ATTEMPTS = 60
ARCHIVE_AFTER_FULL_YEARS = 2


class CaseStateError(EzdError):
    code = "CASE_STATE"


def _deadline(initiated_on: date, preset: DeadlinePresetName, suspensions: list[SuspensionPeriod]) -> date | None:
    """The art. 35 term runs from the day the proceedings began (the letter's date of
    receipt), so a case opened late is due as early as the letter demands."""
    if preset == "none":
        return None
    periods = [Suspension(start=s.start, end=s.end, reason=s.reason) for s in suspensions]
    return case_deadline(initiated_on, DeadlinePreset(preset), periods)


def _case(unit: str, ref: str) -> Case:
    case = case_store.get_case(unit, ref)
    if case is None:
        raise NotFound(f"no case {ref} in unit {unit}")
    return case


def _case_object(case: Case) -> str:
    return audit.case_object(case_audit_key(case.unit, case.ref))


def _record(case: Case, principal: Principal, action: str, summary: str, document_id: str | None = None,
            **details: Any) -> None:
    audit.record(_case_object(case), actor_of(principal), action, document_id=document_id, case_ref=case.ref,
                 summary=summary, details=details)


def _may_handle(principal: Principal, case: Case) -> bool:
    return principal.login == case.officer or "manager" in principal.roles


def open_case(
    unit: str,
    principal: Principal,
    *,
    jrwa_symbol: str,
    title: str,
    cell: str | None = None,
    officer: str | None = None,
    deadline_preset: DeadlinePresetName = "none",
    document_id: str | None = None,
) -> Case:
    """A case officer opens cases of their komórka for themselves; a manager opens them
    for any komórka and names the officer, who must be able to handle cases."""
    principal.require_role(unit, "case_officer", "manager")
    is_manager = "manager" in principal.roles
    cell = cell or principal.cell
    if not cell or directory_store.get_cell(unit, cell) is None:
        raise ValidationFailed(f"unit {unit} has no komórka {cell}")
    if cell != principal.cell and not is_manager:
        raise AccessDenied("only a manager opens cases for another komórka")
    if officer and officer != principal.login and not is_manager:
        raise AccessDenied("only a manager opens a case for another officer")
    officer_user = directory_store.get_user(officer or principal.login)
    if officer_user is None or officer_user.unit != unit:
        raise ValidationFailed(f"{officer} is not a user of unit {unit}")
    if not {"case_officer", "manager"} & set(officer_user.roles):
        raise ValidationFailed(f"{officer_user.login} does not handle cases")
    document = None
    if document_id:
        # Checked before the case exists, so a refusal leaves no empty case behind.
        if officer_user.login != principal.login:
            raise AccessDenied("a case opened from a letter is opened by the officer the letter is decreed to")
        document = _attachable(unit, document_id, principal)
    case = _create_case(unit, principal, jrwa_symbol=jrwa_symbol, title=title, cell=cell, officer=officer_user,
                        deadline_preset=deadline_preset, origin=_origin(document) if document else None)
    if document is not None:
        case = attach_document(unit, case.ref, document.document_id, principal, document)
    return case


def _create_case(unit: str, principal: Principal, *, jrwa_symbol: str, title: str, cell: str, officer: Any,
                 deadline_preset: DeadlinePresetName, origin: CaseOrigin | None, continues: str | None = None) -> Case:
    """The next number of the spis spraw, taken in the transaction that writes the case."""
    leaf = jrwa.require_leaf(unit, jrwa_symbol)
    opened_at = now_utc()
    year = local_date(opened_at).year
    initiated_on = origin.received_on if origin and origin.received_on and not continues else local_date(opened_at)
    deadline = _deadline(initiated_on, deadline_preset, [])
    for attempt in range(MAX_ATTEMPTS):
        counter = case_store.current_counter(unit, cell, leaf.symbol, year)
        number = counter + 1
        case = Case(
            unit=unit, ref=case_reference(cell, leaf.symbol, number, year), cell=cell, jrwa_symbol=leaf.symbol,
            jrwa_heading=leaf.heading, category=leaf.category, plan_owner=leaf.owner, plan_version=leaf.version,
            year=year, number=number, title=title, officer=officer.login, officer_name=officer.full_name,
            opened_at=opened_at, opened_by=principal.login, initiated_on=initiated_on, origin=origin,
            deadline_preset=deadline_preset, deadline=deadline, continues=continues,
        )
        try:
            case_store.create_case(case, counter)
            break
        except case_store.CaseNumberTaken:
            time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
    else:
        raise CaseStateError("the spis spraw is too busy; try again")
    summary = f"Założenie sprawy {case.ref}: {title}" + (f" (kontynuacja {continues})" if continues else "")
    _record(case, principal, "case_opened", summary, jrwa=leaf.symbol,
            deadline=deadline.isoformat() if deadline else None, title=title, unit=unit, officer=officer.full_name)
    if officer.login != principal.login:
        routing_store.put_inbox(InboxItem(owner=f"USER#{officer.login}", unit=unit, item_id=f"case-{case.ref}",
                                          kind="case", case_ref=case.ref, title=title, from_login=principal.login,
                                          deadline=deadline, created_at=opened_at))
    return case


def _origin(document: DocumentRecord) -> CaseOrigin:
    entry = document.entry
    return CaseOrigin(document_id=document.document_id, sender=entry.sender.name, sender_reference=entry.sender_reference,
                      letter_date=entry.letter_date, registry_number=entry.registry_number,
                      received_on=entry.received_date)


def get_case(unit: str, ref: str, principal: Principal) -> Case:
    principal.require_unit(unit)
    return _case(unit, ref)


def _attachable(unit: str, document_id: str, principal: Principal) -> DocumentRecord:
    """A document joins a case only in the hands of the officer it was decreed to: the
    caller must be able to open it (else 404) and have it decreed to them or their
    komórka (else 403)."""
    document = access.open_document(unit, document_id, principal)
    if not access.decreed_to(principal, routing_store.decretations(document_id)):
        raise AccessDenied(f"document {document_id} is not decreed to {principal.login}")
    return document


def attach_document(unit: str, ref: str, document_id: str, principal: Principal,
                    document: DocumentRecord | None = None) -> Case:
    """Only the case officer attaches, and only a document decreed to them. The case, the
    document's link to it and its register line move in one transaction; the document's
    routing then records the case and leaves every queue."""
    principal.require_unit(unit)
    case = _case(unit, ref)
    if principal.login != case.officer:
        raise AccessDenied("only the officer of the case attaches documents to it")
    if case.status != "open":
        raise CaseStateError(f"case {ref} is closed")
    document = document or _attachable(unit, document_id, principal)
    for _ in range(MAX_ATTEMPTS):
        case = _case(unit, ref)
        if case.status != "open":
            raise CaseStateError(f"case {ref} is closed")
        link = CaseDocument(case_ref=ref, unit=unit, document_id=document_id,
                            registry_number=document.entry.registry_number, title=document.entry.title,
                            attached_at=now_utc(), attached_by=principal.login)
        changed = case.model_copy(update={"documents_count": case.documents_count + 1, "version": case.version + 1})
        try:
            case_store.attach(changed, link, document.entry)
        except case_store.DocumentAlreadyInCase as exc:
            existing = case_store.case_of_document(document_id)
            raise CaseStateError(f"document {document_id} already belongs to case {existing.case_ref if existing else '?'}") from exc
        except case_store.CaseChanged:
            continue
        summary = f"Dołączenie dokumentu {document.entry.registry_number}: {document.entry.title}"
        _record(changed, principal, "attached", summary, document_id=document_id)
        audit.record(audit.document_object(document_id), actor_of(principal), "attached", document_id=document_id,
                     case_ref=ref, summary=f"Dołączenie do sprawy {ref}")
        routing.join_case(document_id, ref, _case_class(changed), principal)
        return changed
    raise CaseStateError("the case keeps changing; try again")


def _case_class(case: Case) -> Classification:
    return Classification(jrwa_symbol=case.jrwa_symbol, jrwa_heading=case.jrwa_heading, category=case.category,
                          plan_owner=case.plan_owner, plan_version=case.plan_version, rule_id=None,
                          confirmed_by=case.officer, at=now_utc())


def _update(unit: str, ref: str, change: Any) -> Case:
    for _ in range(MAX_ATTEMPTS):
        case = _case(unit, ref)
        updated = change(case)
        try:
            case_store.save_case(updated.model_copy(update={"version": case.version + 1}), previous=case)
        except case_store.CaseChanged:
            continue
        return updated.model_copy(update={"version": case.version + 1})
    raise CaseStateError("the case keeps changing; try again")


def update_case(unit: str, ref: str, principal: Principal, *, title: str | None = None,
                officer: str | None = None) -> Case:
    """A new title (officer or manager) or another officer (a manager); a metryka entry."""
    principal.require_unit(unit)
    officer_user = None
    if officer is not None:
        if "manager" not in principal.roles:
            raise AccessDenied("only a manager hands a case to another officer")
        officer_user = directory_store.get_user(officer)
        if officer_user is None or officer_user.unit != unit:
            raise ValidationFailed(f"{officer} is not a user of unit {unit}")
        if not {"case_officer", "manager"} & set(officer_user.roles):
            raise ValidationFailed(f"{officer} does not handle cases")
    changes: dict[str, dict[str, str]] = {}

    def change(case: Case) -> Case:
        if not _may_handle(principal, case):
            raise AccessDenied("only the case officer or a manager changes the case")
        update: dict[str, Any] = {}
        changes.clear()
        if title is not None and title != case.title:
            update["title"] = title
            changes["title"] = {"old": case.title, "new": title}
        if officer_user is not None and officer_user.login != case.officer:
            update.update(officer=officer_user.login, officer_name=officer_user.full_name)
            changes["officer"] = {"old": case.officer, "new": officer_user.login}
        if not update:
            raise ValidationFailed("nothing to change")
        return case.model_copy(update=update)

    changed = _update(unit, ref, change)
    _record(changed, principal, "metadata_changed", "Zmiana: " + ", ".join(
        f"{field} {values['old']} → {values['new']}" for field, values in changes.items()), changes=changes)
    if "officer" in changes:
        routing_store.put_inbox(InboxItem(owner=f"USER#{changed.officer}", unit=unit, item_id=f"case-{changed.ref}",
                                          kind="case", case_ref=changed.ref, title=changed.title,
                                          from_login=principal.login, deadline=changed.deadline, created_at=now_utc()))
    return changed


def _settling_item(unit: str, ref: str, registry_number: str) -> str:
    """An outgoing item of this very case (RPWy/N/YYYY) that the case is settled by."""
    key = number_and_year_of(registry_number)
    item = outgoing_register_store.get(unit, key[1], key[0]) if key else None
    if item is None or item.case_ref != ref:
        raise ValidationFailed(f"{registry_number} is not an item sent in case {ref}")
    return item.registry_number


def close_case(unit: str, ref: str, principal: Principal, settlement: str, settled_by: str | None = None) -> Case:
    principal.require_unit(unit)
    if not settlement.strip():
        raise ValidationFailed("say how the case was settled (sposób załatwienia)")
    item = _settling_item(unit, ref, settled_by) if settled_by else None

    def change(case: Case) -> Case:
        if not _may_handle(principal, case):
            raise AccessDenied("only the case officer or a manager closes the case")
        if case.status == "closed":
            raise CaseStateError(f"case {ref} is already closed")
        return case.model_copy(update={"status": "closed", "closed_at": now_utc(), "settlement": settlement,
                                       "settled_by": item})

    closed = _update(unit, ref, change)
    settled = f" (pismem {item})" if item else ""
    _record(closed, principal, "case_closed", f"Zakończenie sprawy: {settlement}{settled}", settlement=settlement,
            settled_by=item)
    return closed


def reopen_case(unit: str, ref: str, principal: Principal, reason: str) -> Case:
    """Reopens a closed case. In the year it was closed it continues under its own
    reference; in a later year it is entered again in that year's spis spraw under a new
    reference that points back to the old one. Once the case has gone to the unit
    archive (1 January of the third year after closing) it is no longer reopened here."""
    principal.require_unit(unit)
    if not reason.strip():
        raise ValidationFailed("say why the case is reopened")
    case = _case(unit, ref)
    if not _may_handle(principal, case):
        raise AccessDenied("only the case officer or a manager reopens the case")
    if case.status != "closed" or case.closed_at is None:
        raise CaseStateError(f"case {ref} is not closed")
    closed_year = case.closed_at.astimezone(WARSAW).year
    this_year = today().year
    if this_year > closed_year + ARCHIVE_AFTER_FULL_YEARS:
        raise CaseStateError(f"case {ref} has gone to the unit archive; it is not reopened here")
    if this_year == case.year:
        def change(c: Case) -> Case:
            if c.status != "closed":
                raise CaseStateError(f"case {ref} is not closed")
            return c.model_copy(update={"status": "open", "closed_at": None, "settlement": None,
                                        "reopened": [*c.reopened, now_utc()]})

        reopened = _update(unit, ref, change)
        _record(reopened, principal, "case_reopened", f"Wznowienie sprawy: {reason}", reason=reason)
        return reopened
    # The old case's officer or a manager reopens it (checked above), whatever their komórka.
    officer = directory_store.get_user(case.officer) or directory_store.get_user(principal.login)
    successor = _create_case(unit, principal, jrwa_symbol=case.jrwa_symbol, title=case.title, cell=case.cell,
                             officer=officer, deadline_preset=case.deadline_preset, origin=case.origin,
                             continues=ref)
    _update(unit, ref, lambda c: c.model_copy(update={"continued_as": successor.ref}))
    _record(case, principal, "case_reopened", f"Wznowienie w roku {this_year} jako {successor.ref}: {reason}",
            successor=successor.ref, reason=reason)
    return successor


def suspend(unit: str, ref: str, principal: Principal, start: date, reason: str) -> Case:
    principal.require_unit(unit)

    def change(case: Case) -> Case:
        if not _may_handle(principal, case):
            raise AccessDenied("only the case officer or a manager suspends the case")
        if any(s.end is None for s in case.suspensions):
            raise CaseStateError("the case is already suspended")
        if start < case.initiated_on:
            raise ValidationFailed(f"a suspension cannot start before the case began ({case.initiated_on})")
        if case.suspensions and start < case.suspensions[-1].end:
            raise ValidationFailed(f"a suspension cannot start before the last one ended ({case.suspensions[-1].end})")
        suspensions = [*case.suspensions, SuspensionPeriod(start=start, reason=reason)]
        return case.model_copy(update={"suspensions": suspensions,
                                       "deadline": _deadline(case.initiated_on, case.deadline_preset, suspensions)})

    changed = _update(unit, ref, change)
    _record(changed, principal, "metadata_changed", f"Zawieszenie biegu terminu od {start}: {reason}")
    return changed


def resume(unit: str, ref: str, principal: Principal, end: date) -> Case:
    principal.require_unit(unit)

    def change(case: Case) -> Case:
        if not _may_handle(principal, case):
            raise AccessDenied("only the case officer or a manager resumes the case")
        if not case.suspensions or case.suspensions[-1].end is not None:
            raise CaseStateError("the case is not suspended")
        if end < case.suspensions[-1].start:
            raise ValidationFailed(f"the clock cannot run again before the suspension began ({case.suspensions[-1].start})")
        suspensions = [*case.suspensions[:-1], case.suspensions[-1].model_copy(update={"end": end})]
        return case.model_copy(update={"suspensions": suspensions,
                                       "deadline": _deadline(case.initiated_on, case.deadline_preset, suspensions)})

    changed = _update(unit, ref, change)
    _record(changed, principal, "metadata_changed", f"Podjęcie biegu terminu od {end}; termin {changed.deadline}")
    return changed


def case_documents(unit: str, ref: str, principal: Principal) -> list[CaseDocument]:
    principal.require_unit(unit)
    _case(unit, ref)
    return case_store.documents(unit, ref)

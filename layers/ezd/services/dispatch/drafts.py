"""Drafting an outgoing document in a case: its content (versions, none ever replaced), its
addressees, and who may see and change it.

The content comes as a file the officer uploaded (the pre-signed upload of the registry
desk, with purpose "draft") and is archived at its content address under the archive's
retention at once: a version once given is part of the case file. Every change is a
metryka entry of the case, written in the same transaction as the document.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable

from pydantic import BaseModel, model_validator

from ezd.adapters import archive, case_store, directory_store, outgoing_store, registry_store, upload_store
from ezd.adapters.audit_store import AlongsideConditionFailed
from ezd.clock import now_utc
from ezd.config import Settings
from ezd.errors import AccessDenied, EzdError, NotFound, ValidationFailed
from ezd.models.audit import Actor
from ezd.models.cases import Case, case_audit_key
from ezd.models.contractors import channels_of, ContractorDetails
from ezd.models.letters import IntakePolicy
from ezd.models.outgoing import Addressee, DraftAttachment, DraftVersion, OutgoingDocument
from ezd.services import audit
from ezd.services.auth import Principal
from ezd.services.dispatch import address_book, letter_render
from ezd.services.file_policy import check_file

MAX_ATTEMPTS = 5


class OutgoingChanged(EzdError):
    code = "OUTGOING_CHANGED"


class OutgoingStateError(EzdError):
    code = "OUTGOING_STATE"


class AddresseeChoice(BaseModel):
    """One addressee: an entry of the unit's address book, or the sender of a document
    of the case (answering a letter goes back to whoever wrote it)."""

    contractor_id: str | None = None
    document_id: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> AddresseeChoice:
        if bool(self.contractor_id) == bool(self.document_id):
            raise ValueError("give either contractor_id or document_id")
        return self


def actor_of(principal: Principal) -> Actor:
    return Actor(login=principal.login, full_name=principal.full_name, position=principal.position)


def case_of(unit: str, ref: str) -> Case:
    case = case_store.get_case(unit, ref)
    if case is None:
        raise NotFound(f"no case {ref} in unit {unit}")
    return case


def may_see(principal: Principal, document: OutgoingDocument) -> bool:
    """The officer responsible, the unit's managers, and whoever a step of its approval
    is addressed to; nobody else of the unit (need to know), nobody of another unit."""
    if principal.unit != document.unit:
        return False
    if principal.login == document.responsible or principal.has_role("manager"):
        return True
    return any(step.target.login == principal.login for r in document.rounds for step in r.steps)


def get(unit: str, outgoing_id: str, principal: Principal) -> OutgoingDocument:
    principal.require_unit(unit)
    document = outgoing_store.get(outgoing_id)
    if document is None or document.unit != unit:
        raise NotFound(f"no outgoing document {outgoing_id} in unit {unit}")
    if not may_see(principal, document):
        raise AccessDenied(f"{principal.login} does not handle {outgoing_id}")
    return document


def of_case(unit: str, ref: str, principal: Principal) -> list[OutgoingDocument]:
    principal.require_unit(unit)
    case_of(unit, ref)
    return [d for d in outgoing_store.of_case(unit, ref) if may_see(principal, d)]


def _require_handler(principal: Principal, case: Case) -> None:
    if principal.login != case.officer and not principal.has_role("manager"):
        raise AccessDenied(f"{principal.login} does not handle case {case.ref}")


def commit(document: OutgoingDocument, principal: Principal, action: str, summary: str, **details: Any) -> None:
    """Writes the document and its metryka entry on the case, together."""
    try:
        audit.record(audit.case_object(case_audit_key(document.unit, document.case_ref)), actor_of(principal),
                     action, case_ref=document.case_ref, summary=summary,
                     details={"outgoing_id": document.outgoing_id, **details},
                     alongside=[outgoing_store.write(document)])
    except AlongsideConditionFailed as exc:
        raise OutgoingChanged(f"{document.outgoing_id} changed meanwhile; read it again") from exc


def change(unit: str, outgoing_id: str, principal: Principal,
           step: Callable[[OutgoingDocument], tuple[OutgoingDocument, str, str, dict[str, Any]]]) -> OutgoingDocument:
    """Reads, applies ``step`` (the new document and its metryka line), writes; again from
    the fresh document if someone else changed it in between."""
    for _ in range(MAX_ATTEMPTS):
        current = get(unit, outgoing_id, principal)
        new, action, summary, details = step(current)
        new = new.model_copy(update={"revision": current.revision + 1, "updated_at": now_utc()})
        try:
            commit(new, principal, action, summary, **details)
            return new
        except OutgoingChanged:
            continue
    raise OutgoingChanged(f"{outgoing_id} keeps changing; try again")


def _version_from_upload(unit: str, upload_id: str, principal: Principal, number: int, note: str | None,
                         settings: Settings) -> DraftVersion:
    upload = upload_store.get(unit, upload_id)
    if upload is None or upload.clerk != principal.login:
        raise NotFound(f"no upload {upload_id} of {principal.login} in unit {unit}")
    if archive.staged_version(upload.bucket, upload.key) is None:
        raise ValidationFailed(f"nothing was uploaded for {upload_id} (or the upload expired)")
    content = archive.read(upload.bucket, upload.key)
    if not content:
        raise ValidationFailed("the file is empty")
    mime = check_file(upload.filename, content, IntakePolicy(max_document_bytes=settings.max_document_bytes))
    key, digest = archive.put_locked_once(settings.archive_bucket, content, retention_days=settings.archive_retention_days,
                                          content_type=mime or "application/octet-stream")
    return DraftVersion(version=number, filename=upload.filename, mime=mime, size=len(content), sha256=digest,
                        bucket=settings.archive_bucket, key=key, source="upload", note=note,
                        created_by=principal.login, created_at=now_utc())


def _as_printed(principal: Principal, unit: str, choice: AddresseeChoice, addressee: Addressee) -> Any:
    """Whom the letter names: a person as "Zofia Łęcka" (the register and the book keep
    the surname first), so the renderer gets the contractor itself, or the letter's sender."""
    if choice.contractor_id:
        return address_book.get_contractor(principal, unit, choice.contractor_id)
    record = registry_store.get_document(choice.document_id or "")
    s = record.entry.sender if record else None
    if s is not None and s.kind == "person" and s.first_names and s.surname:
        return addressee.model_copy(update={"name": f"{s.first_names} {s.surname}"})
    return addressee


def _version_from_template(unit: str, template_id: str, case: Case, addressee: Any, signer: str | None,
                           principal: Principal, note: str | None, settings: Settings) -> DraftVersion:
    """The unit's template filled from the case, the (first) addressee and the signer, as
    an A4 PDF: archived like an uploaded version, with the template's version kept."""
    who = directory_store.get_user(signer or case.officer)
    if who is None or who.unit != unit:
        raise ValidationFailed(f"{signer} is not a user of {unit}")
    letter = letter_render.render_letter(unit, template_id, case, addressee, who)
    key, digest = archive.put_locked_once(settings.archive_bucket, letter.pdf, retention_days=settings.archive_retention_days,
                                          content_type="application/pdf")
    return DraftVersion(version=1, filename=letter.filename, mime="application/pdf", size=len(letter.pdf), sha256=digest,
                        bucket=settings.archive_bucket, key=key, source="template", template_id=letter.template_id,
                        template_version=letter.template_version, note=note, created_by=principal.login,
                        created_at=now_utc())


def create_draft(unit: str, ref: str, principal: Principal, *, title: str, upload_id: str | None = None,
                 template_id: str | None = None, addressees: list[AddresseeChoice] | None = None,
                 signer: str | None = None, note: str | None, settings: Settings) -> OutgoingDocument:
    """A draft from the officer's file (``upload_id``) or from one of the unit's templates
    (``template_id``, filled with the first of ``addressees`` and ``signer``, the case's
    officer by default)."""
    principal.require_unit(unit)
    case = case_of(unit, ref)
    _require_handler(principal, case)
    if case.status != "open":
        raise OutgoingStateError(f"case {ref} is closed: reopen it to answer")
    if bool(upload_id) == bool(template_id):
        raise ValidationFailed("give either upload_id (a file) or template_id (a template of the unit)")
    chosen = [_resolve(principal, unit, ref, c) for c in addressees or []]
    if template_id:
        first = _as_printed(principal, unit, addressees[0], chosen[0]) if chosen and addressees else None
        version = _version_from_template(unit, template_id, case, first, signer, principal, note, settings)
    else:
        version = _version_from_upload(unit, upload_id or "", principal, 1, note, settings)
    created = now_utc()
    # Who is responsible (the brief: name and position) is the case's officer.
    officer = directory_store.get_user(case.officer)
    document = OutgoingDocument(
        outgoing_id=uuid.uuid4().hex, unit=unit, case_ref=ref, jrwa_symbol=case.jrwa_symbol, title=title.strip(),
        responsible=case.officer, responsible_name=case.officer_name,
        responsible_position=officer.position if officer else "", addressees=chosen,
        versions=[version], created_by=principal.login, created_at=created, updated_at=created)
    commit(document, principal, "draft_created", f"Projekt pisma wychodzącego: {document.title}",
           version=1, filename=version.filename, sha256=version.sha256, template_id=version.template_id,
           template_version=version.template_version, addressees=[a.name for a in chosen])
    return document


def add_version(unit: str, outgoing_id: str, principal: Principal, *, upload_id: str, note: str | None,
                settings: Settings) -> OutgoingDocument:
    """A new version of the content. While a superior decides, the draft is theirs: a new
    version comes after they return it. An approved draft changed goes back to draft."""

    def step(current: OutgoingDocument):
        _require_editor(principal, current)
        if current.status not in ("draft", "approved"):
            raise OutgoingStateError(f"{outgoing_id} is {current.status}: no new version now")
        version = _version_from_upload(unit, upload_id, principal, len(current.versions) + 1, note, settings)
        new = current.model_copy(update={"versions": [*current.versions, version], "status": "draft"})
        return new, "draft_version_added", f"Nowa wersja projektu ({version.version}): {version.filename}", {
            "version": version.version, "sha256": version.sha256, "note": note}

    return change(unit, outgoing_id, principal, step)


def add_attachment(unit: str, outgoing_id: str, principal: Principal, *, upload_id: str,
                   settings: Settings) -> OutgoingDocument:
    """A załącznik to the draft (the officer's upload, archived as it comes); while it is a
    draft, as the addressees: what was submitted for approval is what is approved."""

    def step(current: OutgoingDocument):
        _require_editor(principal, current)
        if current.status != "draft":
            raise OutgoingStateError(f"{outgoing_id} is {current.status}: attachments change while it is a draft")
        file = _version_from_upload(unit, upload_id, principal, 0, None, settings)
        names = {a.name for a in current.attachments} | {v.filename for v in current.versions[-1:]}
        if file.filename in names or file.sha256 in {a.sha256 for a in current.attachments}:
            raise ValidationFailed(f"{file.filename} is already with the document")
        added = DraftAttachment(name=file.filename, mime=file.mime, size=file.size, sha256=file.sha256,
                                bucket=file.bucket, key=file.key, added_by=principal.login, added_at=file.created_at)
        new = current.model_copy(update={"attachments": [*current.attachments, added]})
        return new, "draft_attachment_added", f"Załącznik: {added.name}", {"sha256": added.sha256, "name": added.name}

    return change(unit, outgoing_id, principal, step)


def remove_attachment(unit: str, outgoing_id: str, principal: Principal, sha256: str) -> OutgoingDocument:
    """Off the draft (the archived bytes stay: a record is never deleted outside disposal)."""

    def step(current: OutgoingDocument):
        _require_editor(principal, current)
        if current.status != "draft":
            raise OutgoingStateError(f"{outgoing_id} is {current.status}: attachments change while it is a draft")
        kept = [a for a in current.attachments if a.sha256 != sha256]
        if len(kept) == len(current.attachments):
            raise NotFound(f"no attachment {sha256} on {outgoing_id}")
        gone = next(a for a in current.attachments if a.sha256 == sha256)
        new = current.model_copy(update={"attachments": kept})
        return new, "draft_attachment_removed", f"Usunięto załącznik: {gone.name}", {"sha256": sha256, "name": gone.name}

    return change(unit, outgoing_id, principal, step)


def _require_editor(principal: Principal, document: OutgoingDocument) -> None:
    if principal.login != document.responsible and not principal.has_role("manager"):
        raise AccessDenied(f"{principal.login} is not responsible for {document.outgoing_id}")


def _from_contractor(principal: Principal, unit: str, contractor_id: str) -> Addressee:
    c = address_book.get_contractor(principal, unit, contractor_id)
    return Addressee(name=c.name_display, kind=c.kind, street=c.street, postal_code=c.postal_code, town=c.town,
                     country=c.country, esp_address=c.esp_address, ade=c.ade, channels=c.channels,
                     contractor_id=c.contractor_id)


def _from_case_document(unit: str, ref: str, document_id: str) -> Addressee:
    if document_id not in {d.document_id for d in case_store.documents(unit, ref)}:
        raise ValidationFailed(f"document {document_id} is not in case {ref}")
    record = registry_store.get_document(document_id)
    if record is None:
        raise NotFound(f"no document {document_id}")
    s = record.entry.sender
    details = ContractorDetails(kind=s.kind, institution=s.institution or (s.name if s.kind == "institution" else None),
                                first_names=s.first_names, surname=s.surname or (s.name if s.kind == "person" else None),
                                street=s.street, postal_code=s.postal_code if _postal(s.postal_code) else None,
                                town=s.town, country=s.country, esp_address=s.esp_address)
    return Addressee(name=s.name, kind=s.kind, street=s.street, postal_code=details.postal_code, town=s.town,
                     country=s.country, esp_address=s.esp_address, channels=channels_of(details),
                     from_document=document_id)


def _postal(code: str | None) -> bool:
    return bool(code) and len(code) == 6 and code[2] == "-" and (code[:2] + code[3:]).isdigit()


def _resolve(principal: Principal, unit: str, ref: str, choice: AddresseeChoice) -> Addressee:
    addressee = (_from_contractor(principal, unit, choice.contractor_id) if choice.contractor_id
                 else _from_case_document(unit, ref, choice.document_id or ""))
    if not addressee.channels:
        raise ValidationFailed(f"{addressee.name} has no address a letter can go to")
    return addressee


def set_addressees(unit: str, outgoing_id: str, principal: Principal, choices: list[AddresseeChoice]) -> OutgoingDocument:
    if not choices:
        raise ValidationFailed("give at least one addressee")

    def step(current: OutgoingDocument):
        _require_editor(principal, current)
        if current.status != "draft":
            raise OutgoingStateError(f"{outgoing_id} is {current.status}: addressees change while it is a draft")
        addressees = [_resolve(principal, unit, current.case_ref, c) for c in choices]
        names = ", ".join(a.name for a in addressees)
        return current.model_copy(update={"addressees": addressees}), "addressees_set", f"Adresaci: {names}", {
            "addressees": [a.name for a in addressees]}

    return change(unit, outgoing_id, principal, step)

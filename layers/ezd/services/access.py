"""Need to know inside a unit: who may open a document.

A public document (`publiczny – …`) is open to everyone of its unit. A non-public one
(`niepubliczny`: a complaint about a teacher, a medical certificate) only to those who
need it for their work:
- the registry desk that registered it (the unit's registry clerks),
- the people and the komórka it is decreed to (also "do wiadomości"; a decretation
  that was returned or replaced no longer counts),
- the officer of the case it belongs to,
- the unit's managers.
Everyone else gets 404, exactly as for a document that does not exist: a refusal must not
tell that there is something to refuse.
"""

from __future__ import annotations

from ezd.adapters import case_store, registry_store, routing_store
from ezd.errors import AccessDenied, NotFound
from ezd.models.registry import DocumentRecord
from ezd.models.routing import Decretation, Target
from ezd.services.auth import Principal

PUBLIC_ACCESS = ("publiczny – dostępny w całości", "publiczny – dostępny częściowo")
# The register, the raport podawczy and the desk's notifications list every item with its
# sender and title, non-public ones included: they are the registry desk's and the managers'.
REGISTER_READERS = ("registry_clerk", "manager")
# Decretations that put a document in someone's hands (pending, taken, or a copy to read).
STANDING = ("pending", "accepted", "info")


def addressed_to(principal: Principal, target: Target) -> bool:
    if target.login:
        return target.login == principal.login
    return target.cell is not None and target.cell == principal.cell


def decreed_to(principal: Principal, decretations: list[Decretation]) -> bool:
    return any(d.status in STANDING and addressed_to(principal, d.target) for d in decretations)


def may_open(principal: Principal, document: DocumentRecord) -> bool:
    if document.unit != principal.unit:
        return False
    if document.entry.access in PUBLIC_ACCESS:
        return True
    if principal.has_role("registry_clerk", "manager"):
        return True
    if decreed_to(principal, routing_store.decretations(document.document_id)):
        return True
    link = case_store.case_of_document(document.document_id)
    if link is not None:
        case = case_store.get_case(document.unit, link.case_ref)
        if case is not None and case.officer == principal.login:
            return True
    return False


def open_document(unit: str, document_id: str, principal: Principal) -> DocumentRecord:
    """The document, if ``principal`` (of ``unit``) may see it: 403 for another unit's
    document named under one's own unit (as before), 404 for one they need not know."""
    principal.require_unit(unit)
    document = registry_store.get_document(document_id)
    if document is None:
        raise NotFound(f"no document {document_id} in unit {unit}")
    if document.unit != unit:
        raise AccessDenied(f"document {document_id} belongs to another unit")
    if not may_open(principal, document):
        raise NotFound(f"no document {document_id} in unit {unit}")
    return document

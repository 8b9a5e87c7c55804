"""One line of the outgoing register with short-lived links to its evidences (dowód
wysłania, dowód otrzymania, UPP, UPD) and to the signed document as sent. Seen by those
who may see the register (the registry desk, managers, the archivist) and by those who
may see the document itself (its officer and approvers)."""

from __future__ import annotations

from pydantic import BaseModel

from ezd.adapters import archive, outgoing_register_store
from ezd.config import Settings
from ezd.errors import NotFound
from ezd.models.outgoing_register import DispatchEvidence, OutgoingItem, outgoing_number
from ezd.services.auth import Principal
from ezd.services.dispatch import drafts

REGISTER_ROLES = ("registry_clerk", "manager", "archivist")


class EvidenceLink(BaseModel):
    evidence: DispatchEvidence
    url: str
    expires_in: int


class OutgoingItemView(BaseModel):
    item: OutgoingItem
    evidences: list[EvidenceLink]  # in the order they were archived


def item_view(unit: str, year: int, number: int, principal: Principal, settings: Settings) -> OutgoingItemView:
    principal.require_unit(unit)
    item = outgoing_register_store.get(unit, year, number)
    if item is None:
        raise NotFound(f"no outgoing item {outgoing_number(number, year)} in unit {unit}")
    if not principal.has_role(*REGISTER_ROLES):
        drafts.get(unit, item.outgoing_id, principal)  # refuses whoever may not see the document
    seconds = settings.download_link_seconds
    return OutgoingItemView(item=item, evidences=[
        EvidenceLink(evidence=e, url=archive.download_link(e.bucket, e.key, e.filename, seconds), expires_in=seconds)
        for e in item.evidences])

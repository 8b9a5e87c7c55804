"""A unit's address book (kontrahenci), and the city's own units beside it.

The unit's people keep their book (the archivist reads it); the city's units come from
the directory, with their ePUAP boxes and e-delivery addresses, and are read-only here.
An entry names at least one address; the channels it allows follow from them.
"""

from __future__ import annotations

import uuid

from ezd.adapters import contractor_store, directory_store
from ezd.clock import now_utc
from ezd.errors import EzdError, NotFound
from ezd.models.contractors import Contractor, ContractorDetails, ContractorList, channels_of
from ezd.models.directory import Unit
from ezd.search_text import fold
from ezd.services.auth import Principal

CITY = "CITY"
KEEPERS = ("registry_clerk", "case_officer", "manager", "unit_admin")
CITY_PREFIX = "unit-"


class ContractorChanged(EzdError):
    code = "CONTRACTOR_CHANGED"


class ContractorReadOnly(EzdError):
    code = "CONTRACTOR_READ_ONLY"


def _city_entry(unit: Unit) -> Contractor:
    details = ContractorDetails(kind="institution", institution=unit.name, esp_address=unit.esp_address,
                                ade=unit.ade)
    return Contractor(**details.model_dump(), contractor_id=f"{CITY_PREFIX}{unit.symbol}", owner=CITY,
                      name_display=details.name, channels=channels_of(details))


def _matches(contractor: Contractor, folded: str) -> bool:
    return any(folded in fold(v) for v in (contractor.name_display, contractor.ade or "", contractor.esp_address or ""))


def list_contractors(principal: Principal, unit: str, query: str | None = None) -> ContractorList:
    principal.require_unit(unit)
    folded = fold(query.strip()) if query and query.strip() else None
    own = contractor_store.list_book(unit, folded)
    city = [_city_entry(u) for u in directory_store.list_units() if u.symbol != unit]
    if folded:
        city = [c for c in city if _matches(c, folded)]
    items = sorted(own, key=lambda c: fold(c.name_display)) + sorted(city, key=lambda c: fold(c.name_display))
    return ContractorList(unit=unit, count=len(items), items=items)


def get_contractor(principal: Principal, unit: str, contractor_id: str) -> Contractor:
    principal.require_unit(unit)
    if contractor_id.startswith(CITY_PREFIX):
        found = directory_store.get_unit(contractor_id.removeprefix(CITY_PREFIX))
        if found is not None:
            return _city_entry(found)
    contractor = contractor_store.get(unit, contractor_id)
    if contractor is None:
        raise NotFound(f"no contractor {contractor_id} in unit {unit}")
    return contractor


def add_contractor(principal: Principal, unit: str, details: ContractorDetails) -> Contractor:
    principal.require_role(unit, *KEEPERS)
    contractor = Contractor(**details.model_dump(), contractor_id=uuid.uuid4().hex, owner=unit,
                            name_display=details.name, channels=channels_of(details), version=1,
                            updated_at=now_utc(), updated_by=principal.login)
    contractor_store.put(contractor)
    return contractor


def _own(principal: Principal, unit: str, contractor_id: str) -> Contractor:
    principal.require_role(unit, *KEEPERS)
    if contractor_id.startswith(CITY_PREFIX):
        raise ContractorReadOnly("the city's units are kept in the directory, not in a unit's book")
    contractor = contractor_store.get(unit, contractor_id)
    if contractor is None:
        raise NotFound(f"no contractor {contractor_id} in unit {unit}")
    return contractor


def change_contractor(principal: Principal, unit: str, contractor_id: str, details: ContractorDetails,
                      expected_version: int) -> Contractor:
    current = _own(principal, unit, contractor_id)
    if current.version != expected_version:
        raise ContractorChanged(f"the contractor is at version {current.version}, not {expected_version}")
    changed = Contractor(**details.model_dump(), contractor_id=contractor_id, owner=unit, name_display=details.name,
                         channels=channels_of(details), version=current.version + 1, updated_at=now_utc(),
                         updated_by=principal.login)
    try:
        contractor_store.put(changed)
    except contractor_store.ContractorWriteConflict as exc:
        raise ContractorChanged("the contractor changed meanwhile: read it again") from exc
    return changed


def remove_contractor(principal: Principal, unit: str, contractor_id: str, expected_version: int) -> None:
    """Out of the book; what was sent to it keeps its own copy of the addresses."""
    current = _own(principal, unit, contractor_id)
    if current.version != expected_version:
        raise ContractorChanged(f"the contractor is at version {current.version}, not {expected_version}")
    try:
        contractor_store.delete(unit, contractor_id, expected_version)
    except contractor_store.ContractorWriteConflict as exc:
        raise ContractorChanged("the contractor changed meanwhile: read it again") from exc

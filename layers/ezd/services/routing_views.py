"""What people see of routing: their inbox, the unit's queues, and a document's routing
with its decretations. Reads only; the decisions are in ``routing``."""

from __future__ import annotations

from pydantic import BaseModel, create_model

from ezd.adapters import directory_store, routing_store
from ezd.errors import NotFound
from ezd.models.directory import Cell
from ezd.models.routing import Decretation, InboxItem, RoutingState
from ezd.services.auth import Principal

# A document's routing as people see it: every field but the workflow's task token, which
# would let its holder answer for the person the workflow waits for.
RoutingSnapshot = create_model(
    "RoutingSnapshot",
    __doc__="Where a registered document stands on its way to the person who handles it.",
    **{name: (field.annotation, field) for name, field in RoutingState.model_fields.items() if name != "pending_token"},
)


def snapshot(state: RoutingState) -> BaseModel:
    return RoutingSnapshot.model_validate(state.model_dump(exclude={"pending_token"}))


class QueueAnswer(BaseModel):
    """A queue of the unit (the registry desk's, the managers'), oldest first."""

    items: list[RoutingSnapshot]  # type: ignore[valid-type]


class InboxAnswer(BaseModel):
    """The caller's own items and their komórka's, newest first."""

    items: list[InboxItem]


class RoutingView(BaseModel):
    routing: RoutingSnapshot  # type: ignore[valid-type]
    decretations: list[Decretation]


def inbox_of(principal: Principal, limit: int = 100) -> list[InboxItem]:
    """The person's own items and their komórka's, newest first (two key queries)."""
    owners = [f"USER#{principal.login}"] + ([f"CELL#{principal.cell}"] if principal.cell else [])
    items = [item for owner in owners for item in routing_store.inbox(principal.unit, owner, limit)]
    return sorted(items, key=lambda i: i.created_at, reverse=True)[:limit]


def queue_of(unit: str, principal: Principal, name: str) -> list[RoutingState]:
    needed = {"registry": ("registry_clerk",), "managers": ("manager",)}[name]
    principal.require_role(unit, *needed)
    return routing_store.queue(unit, name)


def routing_view(document_id: str, principal: Principal) -> RoutingView:
    state = routing_store.get_routing(document_id)
    if state is None:
        raise NotFound(f"document {document_id} is not being routed")
    principal.require_unit(state.unit)
    return RoutingView(routing=snapshot(state), decretations=routing_store.decretations(document_id))


class Colleague(BaseModel):
    """A person a document can be decreed to (no roles, no account details)."""

    login: str
    full_name: str
    position: str
    cell: str | None = None


class DecretationTargets(BaseModel):
    """Whom a manager can decree to: the unit's active people and its komórki."""

    people: list[Colleague]
    cells: list[Cell]


def decretation_targets(unit: str, principal: Principal) -> DecretationTargets:
    principal.require_role(unit, "manager")
    people = [Colleague(login=u.login, full_name=u.full_name, position=u.position, cell=u.cell)
              for u in directory_store.list_users(unit) if u.active]
    return DecretationTargets(people=sorted(people, key=lambda p: p.full_name),
                              cells=sorted(directory_store.list_cells(unit), key=lambda c: c.symbol))

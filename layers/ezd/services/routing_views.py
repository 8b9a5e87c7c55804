"""What people see of routing: their inbox, the unit's queues, and a document's routing
with its decretations. Reads only; the decisions are in ``routing``."""

from __future__ import annotations

from typing import Any

from ezd.adapters import routing_store
from ezd.errors import NotFound
from ezd.services.auth import Principal
from ezd.models.routing import InboxItem, RoutingState


def inbox_of(principal: Principal, limit: int = 100) -> list[InboxItem]:
    """The person's own items and their komórka's, newest first (two key queries)."""
    owners = [f"USER#{principal.login}"] + ([f"CELL#{principal.cell}"] if principal.cell else [])
    items = [item for owner in owners for item in routing_store.inbox(principal.unit, owner, limit)]
    return sorted(items, key=lambda i: i.created_at, reverse=True)[:limit]


def queue_of(unit: str, principal: Principal, name: str) -> list[RoutingState]:
    needed = {"registry": ("registry_clerk",), "managers": ("manager",)}[name]
    principal.require_role(unit, *needed)
    return routing_store.queue(unit, name)


def routing_view(document_id: str, principal: Principal) -> dict[str, Any]:
    state = routing_store.get_routing(document_id)
    if state is None:
        raise NotFound(f"document {document_id} is not being routed")
    principal.require_unit(state.unit)
    return {
        "routing": state.model_dump(mode="json", exclude={"pending_token"}),
        "decretations": [d.model_dump(mode="json") for d in routing_store.decretations(document_id)],
    }

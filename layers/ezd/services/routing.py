"""Routing a registered document to the person who handles it: classification by the
registry desk, decretation by managers (or a unit's decretation model), acceptance or
return by the assignee.

The database holds the truth; the intake workflow waits for people with task tokens.
Every change is a versioned compare-and-set of the document's routing state; a change
that ends a wait hands the decision to the waiting step with the token it left.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Callable

from ezd.adapters import directory_store, registry_store, routing_store, workflows
from ezd.errors import AccessDenied, EzdError, NotFound, ValidationFailed
from ezd.models.audit import Actor
from ezd.models.routing import (
    Classification,
    Decretation,
    DecretationKind,
    DecretationModelRule,
    InboxItem,
    RoutingState,
    Target,
)
from ezd.services import audit, classification, jrwa
from ezd.services.access import addressed_to
from ezd.services.auth import Principal
from ezd.clock import now_utc

SYSTEM = Actor(login="system", full_name="EZD", position="system")
MAX_ATTEMPTS = 20


class RoutingStateError(EzdError):
    code = "ROUTING_STATE"


def actor_of(principal: Principal) -> Actor:
    return Actor(login=principal.login, full_name=principal.full_name, position=principal.position)


def _document(document_id: str):
    document = registry_store.get_document(document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def _routing(document_id: str) -> RoutingState:
    state = routing_store.get_routing(document_id)
    if state is None:
        raise NotFound(f"document {document_id} is not being routed")
    return state


def _next(state: RoutingState, **changes: Any) -> RoutingState:
    return state.model_copy(update={**changes, "version": state.version + 1, "updated_at": now_utc()})


def _with_retries(action: Callable[[], Any]) -> Any:
    for _ in range(MAX_ATTEMPTS):
        try:
            return action()
        except routing_store.RoutingConflict:
            continue
    raise RoutingStateError("the document's routing keeps changing; try again")


def _release(old: RoutingState, decision: str) -> None:
    """Ends the workflow's wait, if one was waiting, with the decision just recorded."""
    if old.pending_token:
        workflows.complete_task(old.pending_token, {"decision": decision})


Release = tuple[RoutingState, str] | None


def _commit_record_release(attempt: Callable[[], tuple[Any, Release]], record: Callable[[Any], None]) -> Any:
    """A person's decision: commit it (retrying on a concurrent change), put it in the
    metryka, and only then let the waiting workflow move on — the workflow's next steps
    write their own entries, which must come after the decision that caused them."""
    result, release = _with_retries(attempt)
    record(result)
    if release is not None:
        _release(*release)
    return result


def _audit_document(document_id: str, actor: Actor, action: str, summary: str, **details: Any) -> None:
    audit.record(audit.document_object(document_id), actor, action, document_id=document_id, summary=summary,
                 details=details)


# --- classification --------------------------------------------------------------------

def _classification(unit: str, symbol: str, rule_id: str | None, confirmed_by: str | None) -> Classification:
    ref = jrwa.require_leaf(unit, symbol)
    return Classification(jrwa_symbol=ref.symbol, jrwa_heading=ref.heading, category=ref.category,
                          plan_owner=ref.owner, plan_version=ref.version, rule_id=rule_id,
                          confirmed_by=confirmed_by, at=now_utc())


def start_routing(document_id: str) -> RoutingState:
    """The workflow's Classify step: propose a class by the rules; without one the
    document waits in the registry desk's queue. Idempotent for a retried step."""
    existing = routing_store.get_routing(document_id)
    if existing is not None:
        return existing
    document = _document(document_id)
    rule = classification.propose(classification.facts_of(document))
    proposed = None
    if rule is not None:
        try:
            proposed = _classification(document.unit, rule.jrwa_symbol, rule.rule_id, None)
        except EzdError:
            proposed = None  # a rule that points at a class the unit no longer has
    state = RoutingState(
        document_id=document_id,
        unit=document.unit,
        registry_number=document.entry.registry_number,
        title=document.entry.title,
        status="awaiting_decretation" if proposed else "unclassified",
        classification=proposed,
        updated_at=now_utc(),
    )
    if routing_store.create_routing(state):
        if proposed:
            _audit_document(document_id, SYSTEM, "classified",
                            f"Klasyfikacja {proposed.jrwa_symbol} ({proposed.jrwa_heading}) wg reguły {rule.rule_id}",
                            jrwa=proposed.jrwa_symbol, rule=rule.rule_id)
        return state
    return _routing(document_id)


def classify(document_id: str, principal: Principal, symbol: str | None) -> RoutingState:
    """The registry desk confirms or changes the class (JRWA belongs to the document).
    ``symbol=None`` passes the document on unclassified (the model sends it to the
    director)."""
    state = _routing(document_id)
    principal.require_role(state.unit, "registry_clerk", "manager")
    chosen = _classification(state.unit, symbol, None, principal.login) if symbol else None

    def attempt() -> tuple[RoutingState, Release]:
        old = _routing(document_id)
        status = "awaiting_decretation" if old.status == "unclassified" else old.status
        new = _next(old, classification=chosen or old.classification, status=status,
                    pending_token=None if old.waiting_for == "classification" else old.pending_token,
                    waiting_for=None if old.waiting_for == "classification" else old.waiting_for)
        routing_store.commit_routing(old, new)
        return new, (old, "classified") if old.waiting_for == "classification" else None

    action = "classification_changed" if state.classification else "classified"
    summary = f"Klasyfikacja {chosen.jrwa_symbol} ({chosen.jrwa_heading})" if chosen else "Przekazano bez klasyfikacji"
    return _commit_record_release(attempt, lambda _: _audit_document(
        document_id, actor_of(principal), action, summary, jrwa=chosen.jrwa_symbol if chosen else None))


# --- decretation -----------------------------------------------------------------------

def model_target(unit: str, state: RoutingState) -> DecretationModelRule | None:
    """The unit's decretation model: the longest JRWA prefix that matches the class;
    the rule with the empty prefix takes what is unclassified or unmatched."""
    symbol = state.classification.jrwa_symbol if state.classification else ""
    models = routing_store.list_decretation_models(unit) or routing_store.list_decretation_models("CITY")
    candidates = [m for m in models if symbol.startswith(m.jrwa_prefix)]
    if not state.classification:
        candidates = [m for m in candidates if m.jrwa_prefix == ""]
    return max(candidates, key=lambda m: len(m.jrwa_prefix), default=None)


def _check_target(unit: str, target: Target) -> None:
    if target.login:
        user = directory_store.get_user(target.login)
        if user is None or user.unit != unit:
            raise ValidationFailed(f"{target.login} is not a user of unit {unit}")
    elif directory_store.get_cell(unit, target.cell or "") is None:
        raise ValidationFailed(f"unit {unit} has no komórka {target.cell}")


def _new_decretation(state: RoutingState, kind: DecretationKind, target: Target, by: str, *,
                     note: str | None, deadline: date | None, by_model: str | None, seq: int) -> Decretation:
    return Decretation(
        decretation_id=uuid.uuid4().hex, document_id=state.document_id, unit=state.unit, seq=seq, kind=kind,
        target=target, note=note, deadline=deadline, by=by, by_model=by_model, at=now_utc(),
        status="pending" if kind == "do_zalatwienia" else "info",
    )


def _inbox_for(decretation: Decretation, state: RoutingState) -> InboxItem:
    return InboxItem(
        owner=decretation.target.inbox_key, unit=state.unit, item_id=decretation.decretation_id,
        kind="decretation" if decretation.kind == "do_zalatwienia" else "information",
        document_id=state.document_id, case_ref=state.case_ref, registry_number=state.registry_number,
        title=state.title, from_login=decretation.by, note=decretation.note, deadline=decretation.deadline,
        created_at=decretation.at,
    )


def _pending(document_id: str) -> Decretation | None:
    pending = [d for d in routing_store.decretations(document_id) if d.status == "pending"]
    return pending[-1] if pending else None


def decree(document_id: str, principal: Principal, target: Target, kind: DecretationKind,
           note: str | None = None, deadline: date | None = None) -> Decretation:
    """A manager's decretation by hand. "Do załatwienia" replaces a pending one and waits
    for the assignee; "do wiadomości" only informs and transfers no responsibility."""
    state = _routing(document_id)
    principal.require_role(state.unit, "manager")
    _check_target(state.unit, target)
    if kind == "do_zalatwienia" and state.status == "unclassified":
        raise RoutingStateError("classify the document first (or pass it on unclassified)")

    def attempt() -> tuple[Decretation, Release]:
        old = _routing(document_id)
        previous = routing_store.decretations(document_id)
        decretation = _new_decretation(old, kind, target, principal.login, note=note, deadline=deadline,
                                       by_model=None, seq=len(previous) + 1)
        if kind == "do_wiadomosci":
            routing_store.commit_routing(old, _next(old), decretations=[decretation], add_inbox=[_inbox_for(decretation, old)])
            return decretation, None
        superseded = [d for d in previous if d.status == "pending"]
        releases = old.waiting_for in ("decision", "redecretation")
        new = _next(old, status="awaiting_acceptance", current_decretation=decretation.decretation_id,
                    pending_token=None if releases else old.pending_token,
                    waiting_for=None if releases else old.waiting_for)
        routing_store.commit_routing(
            old, new,
            decretations=[*(d.model_copy(update={"status": "superseded"}) for d in superseded), decretation],
            add_inbox=[_inbox_for(decretation, new)],
            remove_inbox=[_inbox_for(d, old) for d in superseded],
        )
        return decretation, (old, "redecreed") if releases else None

    who = target.login or f"komórka {target.cell}"
    label = "do załatwienia" if kind == "do_zalatwienia" else "do wiadomości"
    action = "redecreed" if state.current_decretation and kind == "do_zalatwienia" else "decreed"
    return _commit_record_release(attempt, lambda decretation: _audit_document(
        document_id, actor_of(principal), action, f"Dekretacja {label}: {who}",
        decretation_id=decretation.decretation_id, kind=kind, target=target.model_dump(),
        deadline=deadline.isoformat() if deadline else None, note=note))


def _may_decide(principal: Principal, decretation: Decretation) -> bool:
    return addressed_to(principal, decretation.target)


def _decide(document_id: str, principal: Principal, accepted: bool, reason: str | None) -> Decretation:
    state = _routing(document_id)
    principal.require_unit(state.unit)

    def attempt() -> tuple[Decretation, Release]:
        old = _routing(document_id)
        pending = _pending(document_id)
        # Who may decide comes first: a stranger learns nothing about the document's state.
        addressee = pending or next((d for d in reversed(routing_store.decretations(document_id))
                                     if d.kind == "do_zalatwienia"), None)
        if addressee is not None and not _may_decide(principal, addressee):
            raise AccessDenied("this decretation is addressed to someone else")
        if old.status != "awaiting_acceptance" or pending is None:
            raise RoutingStateError("nothing waits for a decision on this document")
        if not accepted and not (reason or "").strip():
            raise ValidationFailed("a returned decretation needs a reason")
        decided = pending.model_copy(update={
            "status": "accepted" if accepted else "returned", "decided_by": principal.login,
            "decided_at": now_utc(), "reason": reason,
        })
        releases = old.waiting_for == "decision"
        new = _next(old, status="accepted" if accepted else "awaiting_decretation",
                    responsible=principal.login if accepted else old.responsible,
                    pending_token=None if releases else old.pending_token,
                    waiting_for=None if releases else old.waiting_for)
        routing_store.commit_routing(old, new, decretations=[decided], remove_inbox=[_inbox_for(pending, old)])
        return decided, (old, "accepted" if accepted else "returned") if releases else None

    def record(decided: Decretation) -> None:
        if accepted:
            _audit_document(document_id, actor_of(principal), "decretation_accepted",
                            "Przyjęcie dekretacji do załatwienia", decretation_id=decided.decretation_id)
        else:
            _audit_document(document_id, actor_of(principal), "decretation_returned",
                            f"Zwrot dekretacji: {reason}", decretation_id=decided.decretation_id, reason=reason)

    return _commit_record_release(attempt, record)


def accept(document_id: str, principal: Principal) -> Decretation:
    return _decide(document_id, principal, True, None)


def return_decretation(document_id: str, principal: Principal, reason: str) -> Decretation:
    return _decide(document_id, principal, False, reason)


def acknowledge(document_id: str, decretation_id: str, principal: Principal) -> None:
    """Clears a "do wiadomości" copy from the reader's inbox."""
    for decretation in routing_store.decretations(document_id):
        if decretation.decretation_id == decretation_id and decretation.status == "info":
            if not _may_decide(principal, decretation):
                raise AccessDenied("this copy is addressed to someone else")
            state = _routing(document_id)
            routing_store.remove_inbox(_inbox_for(decretation, state))
            return
    raise NotFound(f"no copy {decretation_id} of document {document_id}")


# --- joining a case -----------------------------------------------------------------------

def join_case(document_id: str, case_ref: str, case_class: Classification, officer: Principal) -> RoutingState:
    """The document is now handled in a case by its officer: its routing records the case,
    takes the case's class (JRWA belongs to the document, and a case's documents share its
    class), counts as accepted by the officer, and leaves every queue and pending inbox.
    A workflow waiting for a person is told so and ends."""

    def attempt() -> RoutingState:
        old = _routing(document_id)
        if old.case_ref == case_ref:
            return old
        decretations = routing_store.decretations(document_id)
        pending = [d for d in decretations if d.status == "pending"]
        taken = [d.model_copy(update={
            "status": "accepted" if addressed_to(officer, d.target) else "superseded",
            "decided_by": officer.login if addressed_to(officer, d.target) else None,
            "decided_at": now_utc(), "reason": f"dołączono do sprawy {case_ref}"}) for d in pending]
        new = _next(old, status="accepted", case_ref=case_ref, responsible=officer.login,
                    classification=case_class, pending_token=None, waiting_for=None)
        routing_store.commit_routing(old, new, decretations=taken, remove_inbox=[_inbox_for(d, old) for d in pending])
        if old.pending_token:
            _release(old, "classified" if old.waiting_for == "classification" else "accepted")
        return new

    return _with_retries(attempt)


# --- the workflow's waits ----------------------------------------------------------------

def await_person(document_id: str, waiting_for: str, token: str) -> dict[str, Any]:
    """A `.waitForTaskToken` step: leave the token where people's actions will find it.

    If the awaited decision has already been taken (people can be faster than the
    workflow), complete the token at once with that decision. Waiting for a decision on
    a document that nobody decreed yet starts with the unit's decretation model.
    """

    def attempt() -> dict[str, Any]:
        old = _routing(document_id)
        if waiting_for == "classification":
            if old.status != "unclassified":
                workflows.complete_task(token, {"decision": "classified"})
                return {"completed": "classified"}
            routing_store.commit_routing(old, _next(old, pending_token=token, waiting_for=waiting_for))
            return {"waiting": waiting_for}
        if waiting_for == "redecretation":
            if old.status == "awaiting_acceptance":
                workflows.complete_task(token, {"decision": "redecreed"})
                return {"completed": "redecreed"}
            if old.status == "accepted":
                workflows.complete_task(token, {"decision": "accepted"})
                return {"completed": "accepted"}
            routing_store.commit_routing(old, _next(old, pending_token=token, waiting_for=waiting_for))
            return {"waiting": waiting_for}
        # waiting_for == "decision"
        if old.status == "accepted":
            workflows.complete_task(token, {"decision": "accepted"})
            return {"completed": "accepted"}
        if old.status == "awaiting_decretation" and old.current_decretation is not None:
            workflows.complete_task(token, {"decision": "returned"})
            return {"completed": "returned"}
        if old.status in ("awaiting_decretation", "unclassified"):
            return _auto_decree(old, token)
        routing_store.commit_routing(old, _next(old, pending_token=token, waiting_for=waiting_for))
        return {"waiting": waiting_for}

    return _with_retries(attempt)


def _auto_decree(old: RoutingState, token: str) -> dict[str, Any]:
    model = model_target(old.unit, old)
    if model is None:
        # No model for this class: managers decree by hand from their queue.
        routing_store.commit_routing(old, _next(old, status="awaiting_decretation", pending_token=token,
                                                 waiting_for="redecretation"))
        return {"waiting": "redecretation"}
    decretation = _new_decretation(old, model.kind, model.target, "system", note=model.note, deadline=None,
                                   by_model=model.jrwa_prefix or "*", seq=len(routing_store.decretations(old.document_id)) + 1)
    new = _next(old, status="awaiting_acceptance", current_decretation=decretation.decretation_id,
                pending_token=token, waiting_for="decision")
    routing_store.commit_routing(old, new, decretations=[decretation], add_inbox=[_inbox_for(decretation, new)])
    who = model.target.login or f"komórka {model.target.cell}"
    _audit_document(old.document_id, SYSTEM, "decreed", f"Dekretacja do załatwienia wg modelu: {who}",
                    decretation_id=decretation.decretation_id, model_prefix=model.jrwa_prefix)
    return {"waiting": "decision", "decretation_id": decretation.decretation_id}

"""Approval (akceptacja): a draft goes along its unit's approval path for its JRWA class,
one superior after another; each approves the version in front of them or returns it
with a remark. A new version after a return is submitted again in a new round; earlier
rounds stay as they were decided. Every step is an entry in the case's metryka.
"""

from __future__ import annotations

from typing import Literal

from ezd.adapters import directory_store, outgoing_store
from ezd.clock import now_utc
from ezd.errors import AccessDenied, ValidationFailed
from ezd.models.outgoing import ApprovalPathRule, ApprovalRound, ApprovalStep, ApproverTarget, OutgoingDocument
from ezd.services.auth import Principal
from ezd.services.dispatch import drafts
from ezd.services.dispatch.drafts import OutgoingStateError

# Without a path of its own for the class, the unit's head (any manager) approves.
DEFAULT_PATH = [ApproverTarget(role="manager")]


def path_for(unit: str, jrwa_symbol: str) -> tuple[list[ApproverTarget], str | None]:
    """The steps of the longest matching prefix of the unit's paths, and that prefix."""
    matching = [r for r in outgoing_store.list_paths(unit) if jrwa_symbol.startswith(r.jrwa_prefix)]
    if not matching:
        return DEFAULT_PATH, None
    best = max(matching, key=lambda r: len(r.jrwa_prefix))
    return best.steps, best.jrwa_prefix


def list_paths(unit: str, principal: Principal) -> list[ApprovalPathRule]:
    principal.require_role(unit, "unit_admin", "manager")
    return sorted(outgoing_store.list_paths(unit), key=lambda r: r.jrwa_prefix)


def replace_paths(unit: str, principal: Principal, rules: list[ApprovalPathRule]) -> list[ApprovalPathRule]:
    principal.require_role(unit, "unit_admin")
    prefixes = [r.jrwa_prefix for r in rules]
    if len(set(prefixes)) != len(prefixes):
        raise ValidationFailed("each JRWA prefix has one path")
    for rule in rules:
        if rule.unit != unit:
            raise ValidationFailed(f"a path of unit {rule.unit} cannot be set in {unit}")
        for target in rule.steps:
            if bool(target.login) == bool(target.role):
                raise ValidationFailed("each step names a person (login) or the role manager")
            if target.login:
                user = directory_store.get_user(target.login)
                if user is None or user.unit != unit or not user.active:
                    raise ValidationFailed(f"{target.login} is not an active user of {unit}")
    outgoing_store.replace_paths(unit, rules)
    return list_paths(unit, principal)


def _addressed_to(principal: Principal, target: ApproverTarget) -> bool:
    return principal.login == target.login or (target.role is not None and principal.has_role(target.role))


def submit(unit: str, outgoing_id: str, principal: Principal) -> OutgoingDocument:
    def step(current: OutgoingDocument):
        if principal.login != current.responsible and not principal.has_role("manager"):
            raise AccessDenied(f"{principal.login} is not responsible for {outgoing_id}")
        if current.status != "draft":
            raise OutgoingStateError(f"{outgoing_id} is {current.status}: only a draft is submitted")
        if not current.addressees:
            raise ValidationFailed("choose the addressees before submitting")
        version = current.current_version
        assert version is not None  # a draft is created with its first version
        targets, prefix = path_for(unit, current.jrwa_symbol)
        new_round = ApprovalRound(round=len(current.rounds) + 1, version=version.version, submitted_by=principal.login,
                                  submitted_at=now_utc(), path_rule=prefix,
                                  steps=[ApprovalStep(step=n, target=t) for n, t in enumerate(targets, 1)])
        new = current.model_copy(update={"rounds": [*current.rounds, new_round], "status": "in_approval"})
        return new, "submitted_for_approval", f"Przekazanie do akceptacji wersji {version.version}", {
            "round": new_round.round, "version": version.version}

    return drafts.change(unit, outgoing_id, principal, step)


def decide(unit: str, outgoing_id: str, principal: Principal, decision: Literal["approved", "returned"],
           remark: str | None) -> OutgoingDocument:
    remark = (remark or "").strip() or None
    if decision == "returned" and not remark:
        raise ValidationFailed("say why the draft goes back (remark)")

    def step(current: OutgoingDocument):
        round_ = current.current_round
        waiting = round_.current if round_ and current.status == "in_approval" else None
        if waiting is None:
            raise OutgoingStateError(f"{outgoing_id} waits for no approval")
        if not _addressed_to(principal, waiting.target):
            raise AccessDenied(f"step {waiting.step} of {outgoing_id} is not {principal.login}'s to decide")
        decided = waiting.model_copy(update={
            "decision": decision, "decided_by": principal.login, "decided_by_name": principal.full_name,
            "remark": remark, "version": round_.version, "decided_at": now_utc()})
        steps = [decided if s.step == waiting.step else s for s in round_.steps]
        finished = decision == "returned" or all(s.decision == "approved" for s in steps)
        status = "draft" if decision == "returned" else ("approved" if finished else "in_approval")
        rounds = [*current.rounds[:-1], round_.model_copy(update={"steps": steps})]
        new = current.model_copy(update={"rounds": rounds, "status": status})
        if decision == "returned":
            summary = f"Zwrot projektu do poprawy (wersja {round_.version}): {remark}"
        else:
            summary = f"Akceptacja wersji {round_.version} (krok {waiting.step} z {len(steps)})"
        action = "approval_returned" if decision == "returned" else "approved"
        return new, action, summary, {"round": round_.round, "step": waiting.step, "version": round_.version,
                                      "remark": remark}

    return drafts.change(unit, outgoing_id, principal, step)


def waiting_for(unit: str, principal: Principal) -> list[OutgoingDocument]:
    """What waits for the caller's decision: addressed to them, or to a role they have."""
    principal.require_unit(unit)
    found = outgoing_store.awaiting(unit, ApproverTarget(login=principal.login))
    if principal.has_role("manager"):
        found += outgoing_store.awaiting(unit, ApproverTarget(role="manager"))
    unique = {d.outgoing_id: d for d in found}
    return sorted(unique.values(), key=lambda d: d.updated_at)

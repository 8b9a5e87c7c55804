"""A unit's own classification rules and decretation model, kept by its administrator.

Rules of the unit are tried before the city's common ones; a unit without its own
decretation model follows the city's."""

from __future__ import annotations

from pydantic import BaseModel

from ezd.adapters import directory_store, routing_store
from ezd.errors import NotFound, ValidationFailed
from ezd.models.routing import ClassificationRule, DecretationModelRule
from ezd.services import classification, jrwa
from ezd.services.auth import Principal

CITY = "CITY"


class RuleSet(BaseModel):
    unit_rules: list[ClassificationRule]
    city_rules: list[ClassificationRule]


class DecretationModel(BaseModel):
    unit: str
    inherited_from_city: bool
    rules: list[DecretationModelRule]


def rule_set(unit: str, principal: Principal) -> RuleSet:
    principal.require_unit(unit)
    return RuleSet(unit_rules=routing_store.list_rules(unit), city_rules=routing_store.list_rules(CITY))


def set_rules(unit: str, principal: Principal, rules: list[ClassificationRule]) -> RuleSet:
    principal.require_role(unit, "unit_admin")
    problems = []
    ids = [r.rule_id for r in rules]
    if len(set(ids)) != len(ids):
        problems.append("rule ids repeat")
    for rule in rules:
        if rule.owner != unit:
            problems.append(f"rule {rule.rule_id} belongs to {rule.owner}, not {unit}")
        try:
            jrwa.require_leaf(unit, rule.jrwa_symbol)
        except (ValidationFailed, NotFound) as exc:
            problems.append(f"rule {rule.rule_id}: {exc}")
    if problems:
        raise ValidationFailed("; ".join(problems))
    routing_store.replace_rules(unit, rules)
    return rule_set(unit, principal)


def decretation_model(unit: str, principal: Principal) -> DecretationModel:
    principal.require_unit(unit)
    own = routing_store.list_decretation_models(unit)
    return DecretationModel(unit=unit, inherited_from_city=not own,
                            rules=own or routing_store.list_decretation_models(CITY))


def set_decretation_model(unit: str, principal: Principal, rules: list[DecretationModelRule]) -> DecretationModel:
    principal.require_role(unit, "unit_admin")
    problems = []
    prefixes = [r.jrwa_prefix for r in rules]
    if len(set(prefixes)) != len(prefixes):
        problems.append("a JRWA prefix appears twice")
    if rules and "" not in prefixes:
        problems.append("the model needs a default rule (empty prefix) for unclassified documents")
    for rule in rules:
        if rule.unit != unit:
            problems.append(f"a rule for {rule.unit} in the model of {unit}")
        if rule.target.cell and directory_store.get_cell(unit, rule.target.cell) is None:
            problems.append(f"unit {unit} has no komórka {rule.target.cell}")
        if rule.target.login:
            user = directory_store.get_user(rule.target.login)
            if user is None or user.unit != unit:
                problems.append(f"{rule.target.login} is not a user of unit {unit}")
    if problems:
        raise ValidationFailed("; ".join(problems))
    routing_store.replace_decretation_models(unit, rules)
    return decretation_model(unit, principal)


class RulePreview(BaseModel):
    rule_id: str | None
    jrwa_symbol: str | None


def preview(unit: str, principal: Principal, facts: classification.LetterFacts,
            draft: list[ClassificationRule] | None = None) -> RulePreview:
    """Which rule would place a letter: for administrators checking their rules before
    the registry relies on them — the saved ones, or a ``draft`` of the unit's own rules
    before it is saved (the city's rules follow either)."""
    principal.require_unit(unit)
    if draft is not None:
        draft = [r.model_copy(update={"owner": unit}) for r in draft]
    rule = classification.propose(facts.model_copy(update={"unit": unit}), draft)
    return RulePreview(rule_id=rule.rule_id if rule else None, jrwa_symbol=rule.jrwa_symbol if rule else None)

"""Proposing a JRWA class for a registered document from the unit's and the city's rules."""

from __future__ import annotations

import re

from pydantic import BaseModel

from ezd.search_text import fold
from ezd.adapters import routing_store
from ezd.models.registry import DocumentRecord
from ezd.models.routing import ClassificationRule

CITY = "CITY"


def normalise(text: str) -> str:
    """Case- and diacritics-insensitive (ezd.search_text.fold)."""
    return fold(text)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", normalise(text))


def title_matches(pattern: str, title: str) -> bool:
    """Every word of the pattern occurs in the title, in order, as a word prefix
    ("arkusz" matches "arkusza"); other words may stand between them."""
    wanted = _words(pattern)
    words = iter(_words(title))
    return all(any(word.startswith(w) for word in words) for w in wanted)


class LetterFacts(BaseModel):
    """What the rules look at."""

    unit: str
    title: str
    sender_names: list[str] = []  # name, institution, ESP address
    form_namespace: str | None = None


def facts_of(document: DocumentRecord) -> LetterFacts:
    sender = document.entry.sender
    return LetterFacts(unit=document.unit, title=document.entry.title,
                       sender_names=[n for n in (sender.name, sender.institution, sender.esp_address) if n],
                       form_namespace=document.form_namespace)


def rule_matches(rule: ClassificationRule, facts: LetterFacts) -> bool:
    if rule.kind == "title_words":
        return title_matches(rule.pattern, facts.title)
    if rule.kind == "form_namespace":
        return (facts.form_namespace or "").rstrip("/") == rule.pattern.rstrip("/")
    if rule.kind == "sender":
        return any(normalise(rule.pattern) in normalise(name) for name in facts.sender_names)
    return False


def rules_for(unit: str, own: list[ClassificationRule] | None = None) -> list[ClassificationRule]:
    """The unit's own rules first (``own``: a draft instead of the saved ones), then the
    city's, each by priority."""
    own = sorted(routing_store.list_rules(unit) if own is None else own, key=lambda r: r.priority)
    common = sorted(routing_store.list_rules(CITY), key=lambda r: r.priority)
    return own + common


def propose(facts: LetterFacts, own: list[ClassificationRule] | None = None) -> ClassificationRule | None:
    for rule in rules_for(facts.unit, own):
        if rule_matches(rule, facts):
            return rule
    return None

"""Proposing a JRWA class for a registered document from the unit's and the city's rules."""

from __future__ import annotations

import re
import unicodedata

from ezd.adapters import routing_store
from ezd.models.registry import DocumentRecord
from ezd.models.routing import ClassificationRule

CITY = "CITY"


def normalise(text: str) -> str:
    """Case- and diacritics-insensitive, so "ARKUSZA" matches "arkusza" and "zaświadczenie"
    matches "zaswiadczenie" typed without Polish letters."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ł", "l"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", normalise(text))


def title_matches(pattern: str, title: str) -> bool:
    """Every word of the pattern occurs in the title, in order, as a word prefix
    ("arkusz" matches "arkusza"); other words may stand between them."""
    wanted = _words(pattern)
    words = iter(_words(title))
    return all(any(word.startswith(w) for word in words) for w in wanted)


def rule_matches(rule: ClassificationRule, document: DocumentRecord) -> bool:
    if rule.kind == "title_words":
        return title_matches(rule.pattern, document.entry.title)
    if rule.kind == "form_namespace":
        return (document.form_namespace or "").rstrip("/") == rule.pattern.rstrip("/")
    if rule.kind == "sender":
        sender = document.entry.sender
        names = [sender.name, sender.institution or "", sender.esp_address or ""]
        return any(normalise(rule.pattern) in normalise(n) for n in names if n)
    return False


def rules_for(unit: str) -> list[ClassificationRule]:
    """The unit's own rules first, then the city's, each by priority."""
    own = sorted(routing_store.list_rules(unit), key=lambda r: r.priority)
    common = sorted(routing_store.list_rules(CITY), key=lambda r: r.priority)
    return own + common


def propose(document: DocumentRecord) -> ClassificationRule | None:
    for rule in rules_for(document.unit):
        if rule_matches(rule, document):
            return rule
    return None

"""What a JRWA change or CSV import would publish, without publishing it.

A preview is the publication itself (services/jrwa.py, ``write=False``: the unit must
exist, the base is the unit's current version, ``expected_version`` must be it, the change
is applied and the whole plan validated, an identical plan is refused) stopped before it
writes: it answers the classes added, changed and removed (the service's ``diff``) and the
version the plan would become, or every problem found — each with a stable code, so that
the portal says it in Polish.

The service's validation words its problems for people ("line 3: category 'X' is not one
of …"); :func:`describe` reads each back into a :class:`JrwaProblem` (code, line or
change number, class, offending value). The table below covers every wording of
services/jrwa.py; tests/unit/test_jrwa_problems.py holds the two to each other.
"""

from __future__ import annotations

import re
from typing import Callable

from ezd.models.jrwa import (
    InvalidPlan,
    JrwaChange,
    JrwaClassChange,
    JrwaPlan,
    JrwaPreview,
    JrwaProblem,
    PlanUnchanged,
)
from ezd.services import jrwa

__all__ = ["describe", "preview_changes", "preview_csv"]

# (code, what the service's message says after its "line N: " / "change N (…): " prefix)
_KINDS: list[tuple[str, re.Pattern[str]]] = [(code, re.compile(pattern)) for code, pattern in [
    ("JRWA_SYMBOL_INVALID", r"^symbol (?P<q>['\"])(?P<value>.*)(?P=q) must be 1 to 4 digits"),
    ("JRWA_CATEGORY_INVALID", r"^category (?P<q>['\"])(?P<value>.*)(?P=q) is not one of"),
    ("JRWA_CLASS_DUPLICATE", r"^class (?P<symbol>\d+) appears more than once"),
    ("JRWA_TOO_MANY_CLASSES", r"^a plan has at most (?P<value>\d+) classes"),
    ("JRWA_PLAN_EMPTY", r"^the plan has no classes"),
    ("JRWA_PARENT_MISSING", r"^class (?P<symbol>\d+) has no parent class (?P<value>\d+)"),
    ("JRWA_HEADING_MISSING", r"^(class (?P<symbol>\d+) has no heading|the heading is empty"
                             r"|a new class needs a heading|the heading must not be empty)"),
    ("JRWA_GROUP_WITH_CATEGORY", r"^class (?P<symbol>\d+) has subclasses \((?P<value>[^)]*)\) so it is a group"),
    ("JRWA_LEAF_WITHOUT_CATEGORY", r"^leaf class (?P<symbol>\d+) needs an archival category"),
    ("JRWA_CLASS_EXISTS", r"^class (?P<symbol>\d+) already exists"),
    ("JRWA_CLASS_MISSING", r"^there is no class (?P<symbol>\S+) to (update|remove)"),
    ("JRWA_NOTHING_TO_UPDATE", r"^nothing to update"),
    ("JRWA_REMOVAL_LEAVES_SUBCLASSES", r"^class (?P<symbol>\d+) cannot be removed: it has subclasses (?P<value>.*)"),
    ("JRWA_NO_CHANGES", r"^no changes given"),
    ("JRWA_FILE_TOO_LARGE", r"^the file is larger than (?P<value>\d+) bytes"),
    ("JRWA_FILE_NOT_UTF8", r"^the file is not UTF-8 text"),
    ("JRWA_FILE_EMPTY", r"^the file is empty"),
    ("JRWA_CSV_HEADER", r"^the header must be"),
    ("JRWA_CSV_FIELDS", r"^expected \d+ fields, found (?P<value>\d+)"),
    ("JRWA_CSV_MALFORMED", r"^malformed CSV"),
]]
_LINE = re.compile(r"^line (?P<line>\d+): ")
_CHANGE = re.compile(r"^change (?P<change>\d+) \((?P<op>\w+) (?P<symbol>[^)]*)\): ")


def describe(problem: str) -> JrwaProblem:
    """A problem of the service's validation as code, place and value; one the table does
    not know keeps the general JRWA_INVALID (and its message)."""
    rest, found = problem, JrwaProblem(code="JRWA_INVALID", message=problem)
    if match := _LINE.match(rest):
        found.line = int(match["line"])
        rest = rest[match.end():]
    elif match := _CHANGE.match(rest):
        found.change = int(match["change"])
        found.symbol = match["symbol"].strip() or None
        rest = rest[match.end():]
    for code, pattern in _KINDS:
        if match := pattern.match(rest):
            groups = match.groupdict()
            found.code = code
            found.symbol = groups.get("symbol") or found.symbol
            found.value = groups.get("value")
            break
    return found


def _preview(unit: str, source: str, publish: Callable[[], JrwaPlan]) -> JrwaPreview:
    base = jrwa.current_ref(unit)  # what a refused preview is measured against
    answer = JrwaPreview(unit=unit, source=source, valid=False, base=base)
    try:
        after = publish()
    except InvalidPlan as exc:
        answer.error_code = "JRWA_INVALID"
        answer.problems = [describe(p) for p in exc.problems]
        return answer
    except PlanUnchanged as exc:
        answer.error_code = "JRWA_UNCHANGED"
        answer.problems = [JrwaProblem(code="JRWA_UNCHANGED", message=exc.message)]
        return answer
    assert after.based_on is not None
    current = jrwa.plan_version(after.based_on.owner, after.based_on.version)
    difference = jrwa.diff(current, after)
    old = {c.symbol: c for c in current.classes}
    new = {c.symbol: c for c in after.classes}
    changed = []
    for line in difference["changed"]:
        symbol = line["symbol"]
        fields = [f for f in ("heading", "category", "notes") if f in line]
        if old[symbol].is_leaf != new[symbol].is_leaf:
            fields.append("is_leaf")
        changed.append(JrwaClassChange(symbol=symbol, before=old[symbol], after=new[symbol], fields=fields))
    return answer.model_copy(update={
        "valid": True, "base": after.based_on, "version": after.ref, "class_count": len(after.classes),
        "added": [new[s] for s in difference["added"]], "removed": [old[s] for s in difference["removed"]],
        "changed": changed})


def preview_changes(unit: str, changes: list[JrwaChange], actor_login: str,
                    expected_version: int | None = None) -> JrwaPreview:
    """What ``jrwa.change_plan(unit, changes, …)`` would publish now."""
    return _preview(unit, "change", lambda: jrwa.change_plan(
        unit, changes, actor_login, expected_version=expected_version, write=False))


def preview_csv(unit: str, text: str | bytes, actor_login: str, expected_version: int | None = None) -> JrwaPreview:
    """What ``jrwa.import_csv(unit, text, …)`` would publish now."""
    return _preview(unit, "import", lambda: jrwa.import_csv(
        unit, text, actor_login, expected_version=expected_version, write=False))

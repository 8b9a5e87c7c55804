"""Each unit's versioned JRWA: reading, resolving a class, changing, CSV import and export.

The city issues the common plan (owner ``CITY``, seeded from jrwa-szkola.csv). A unit that
has not changed anything follows the city's current version. A unit administrator's change
publishes a new version owned by the unit (``current version + 1``), copied from the unit's
current plan with the change applied; older versions stay as they were, so whatever was
classified under them keeps its meaning. Only leaf classes take cases, and every leaf
carries its archival category (A, Bn, BEn, Bc); group headings carry none.
"""

from __future__ import annotations

import csv
import os
import io
import time
from typing import Iterable

from ezd.adapters import jrwa_store
from ezd.adapters.jrwa_store import CITY_PLAN, PublishConflict
from ezd.errors import NotFound, ValidationFailed
from ezd.models.jrwa import (
    CATEGORY_RE,
    CSV_COLUMNS,
    SYMBOL_RE,
    InvalidPlan,
    JrwaChange,
    JrwaClass,
    JrwaClassRef,
    JrwaEntry,
    JrwaPlan,
    JrwaVersionInfo,
    JrwaVersionRef,
    NotALeafClass,
    PlanUnchanged,
    PlanVersionConflict,
)
from ezd.clock import now_utc

__all__ = [
    "CITY_PLAN",
    "InvalidPlan",
    "JrwaChange",
    "JrwaClassRef",
    "JrwaPlan",
    "NotALeafClass",
    "PlanUnchanged",
    "PlanVersionConflict",
    "change_plan",
    "current_plan",
    "current_ref",
    "diff",
    "export_csv",
    "import_csv",
    "parse_csv",
    "plan_version",
    "require_leaf",
    "resolve",
    "unit_plan_version",
    "validate_classes",
    "versions",
]

MAX_CSV_BYTES = 1_000_000
MAX_CLASSES = 3000
PUBLISH_ATTEMPTS = 8


# --- reading -----------------------------------------------------------------------------


def _entries(classes: Iterable[JrwaClass]) -> list[JrwaEntry]:
    ordered = sorted(classes, key=lambda c: c.symbol)
    symbols = {c.symbol for c in ordered}
    # A class is a leaf when no other class's symbol extends it.
    prefixes = {s[:i] for s in symbols for i in range(1, len(s))}
    return [JrwaEntry(**c.model_dump(), is_leaf=c.symbol not in prefixes) for c in ordered]


def _city_ref() -> JrwaVersionRef:
    pointer = jrwa_store.get_pointer(CITY_PLAN)
    if pointer:
        return JrwaVersionRef(owner=pointer["owner"], version=int(pointer["version"]))
    return JrwaVersionRef(owner=CITY_PLAN, version=1)


def current_ref(unit: str) -> JrwaVersionRef:
    """Which plan version the unit uses now: its own pointer, else the city's current."""
    pointer = jrwa_store.get_pointer(unit)
    if pointer:
        return JrwaVersionRef(owner=pointer["owner"], version=int(pointer["version"]))
    return _city_ref()


_VERSION_CACHE: dict[tuple[str, str, str, int], JrwaPlan] = {}
_VERSION_CACHE_SIZE = 64


def plan_version(owner: str, version: int) -> JrwaPlan:
    """One version of an owner's plan; NotFound if there is none.

    Published versions never change, so they are kept in a small per-process cache."""
    from ezd.config import settings

    key = (os.environ.get("AWS_ENDPOINT_URL", ""), settings().table, owner, version)
    cached = _VERSION_CACHE.get(key)
    if cached is None:
        cached = _load_version(owner, version)
        if len(_VERSION_CACHE) >= _VERSION_CACHE_SIZE:
            _VERSION_CACHE.pop(next(iter(_VERSION_CACHE)))
        _VERSION_CACHE[key] = cached
    return cached.model_copy(deep=True)


def _load_version(owner: str, version: int) -> JrwaPlan:
    snapshot = jrwa_store.get_snapshot(owner, version)
    if snapshot is not None:
        classes = [JrwaClass.model_validate(c) for c in snapshot["classes"]]
        based_on = snapshot.get("based_on")
        return JrwaPlan(
            owner=owner, version=version, classes=_entries(classes),
            published_at=snapshot.get("published_at"), published_by=snapshot.get("published_by"),
            note=snapshot.get("note"), based_on=JrwaVersionRef.model_validate(based_on) if based_on else None,
        )
    classes = jrwa_store.get_plan(owner, version)
    if not classes:
        raise NotFound(f"there is no JRWA version {version} of {owner}")
    return JrwaPlan(owner=owner, version=version, classes=_entries(classes))


def current_plan(unit: str) -> JrwaPlan:
    ref = current_ref(unit)
    return plan_version(ref.owner, ref.version)


def unit_plan_version(unit: str, version: int, owner: str | None = None) -> JrwaPlan:
    """A version a unit may look at: its own, or one of the city's (the unit's lineage).

    Without ``owner`` the unit's own version of that number is preferred, then the city's.
    """
    if owner is not None:
        if owner not in (unit, CITY_PLAN):
            raise NotFound(f"{unit} has no JRWA of owner {owner}")
        return plan_version(owner, version)
    try:
        return plan_version(unit, version)
    except NotFound:
        pass
    try:
        return plan_version(CITY_PLAN, version)
    except NotFound:
        raise NotFound(f"{unit} has no JRWA version {version}") from None


def _ref_of(plan: JrwaPlan, entry: JrwaEntry) -> JrwaClassRef:
    return JrwaClassRef(owner=plan.owner, version=plan.version, symbol=entry.symbol, heading=entry.heading,
                        category=entry.category, is_leaf=entry.is_leaf, notes=entry.notes)


def class_in(plan: JrwaPlan, symbol: str) -> JrwaClassRef:
    entry = plan.get(symbol.strip())
    if entry is None:
        raise NotFound(f"JRWA class {symbol} is not in version {plan.version} of {plan.owner}'s plan")
    return _ref_of(plan, entry)


def resolve(unit: str, symbol: str) -> JrwaClassRef:
    """The class ``symbol`` of the unit's current plan; NotFound if the plan has no such class."""
    return class_in(current_plan(unit), symbol)


def require_leaf(unit: str, symbol: str) -> JrwaClassRef:
    """Like resolve, and the class must take cases (a leaf with its archival category)."""
    ref = resolve(unit, symbol)
    if not ref.is_leaf:
        raise NotALeafClass(f"JRWA class {ref.symbol} ({ref.heading}) is a group heading; "
                            f"cases and documents take only its subclasses")
    if ref.category is None:  # a valid plan has none such; kept as a guard for seeded data
        raise NotALeafClass(f"JRWA class {ref.symbol} has no archival category")
    return ref


def versions(unit: str) -> list[JrwaVersionInfo]:
    """The unit's plan history, oldest first: the inherited city version it started from,
    then each version the unit published; ``current`` marks the one in use."""
    current = current_ref(unit)
    lines = [JrwaVersionInfo.model_validate({**h, "source": h.get("source") or "change"})
             for h in jrwa_store.list_history(unit)]
    if unit != CITY_PLAN:
        base = lines[0].based_on if lines else current
        if base is not None and base.owner != unit:
            info = _inherited_info(base)
            lines.insert(0, info)
    elif not lines or lines[0].version != 1:
        seeded = jrwa_store.get_plan(CITY_PLAN, 1)
        if seeded:
            lines.insert(0, JrwaVersionInfo(owner=CITY_PLAN, version=1, class_count=len(seeded), source="seed"))
    for line in lines:
        line.current = (line.owner, line.version) == (current.owner, current.version)
    return lines


def _inherited_info(ref: JrwaVersionRef) -> JrwaVersionInfo:
    snapshot = jrwa_store.get_snapshot(ref.owner, ref.version)
    if snapshot is not None:
        return JrwaVersionInfo(owner=ref.owner, version=ref.version, published_at=snapshot.get("published_at"),
                               published_by=snapshot.get("published_by"), note=snapshot.get("note"),
                               class_count=len(snapshot["classes"]), source="inherited")
    return JrwaVersionInfo(owner=ref.owner, version=ref.version,
                           class_count=len(jrwa_store.get_plan(ref.owner, ref.version)), source="inherited")


# --- validation --------------------------------------------------------------------------


def _check_symbol(symbol: str) -> str | None:
    if not SYMBOL_RE.match(symbol or ""):
        return f"symbol {symbol!r} must be 1 to 4 digits"
    return None


def _check_category(category: str | None) -> str | None:
    if category is not None and not CATEGORY_RE.match(category):
        return f"category {category!r} is not one of A, Bc, Bn, BEn (n a number of years, e.g. B5, BE10)"
    return None


def validate_classes(classes: list[JrwaClass], where: dict[str, str] | None = None) -> list[str]:
    """Problems of a whole plan: unique symbols, every parent present, leaves with a
    category and groups without. ``where`` names a class's origin (e.g. "line 12")."""
    where = where or {}
    problems: list[str] = []

    def at(symbol: str) -> str:
        return f"{where[symbol]}: " if symbol in where else ""

    seen: set[str] = set()
    for c in classes:
        if c.symbol in seen:
            problems.append(f"{at(c.symbol)}class {c.symbol} appears more than once")
        seen.add(c.symbol)
    if len(seen) > MAX_CLASSES:
        problems.append(f"a plan has at most {MAX_CLASSES} classes")
    if not seen:
        problems.append("the plan has no classes")
    prefixes = {s[:i] for s in seen for i in range(1, len(s))}
    for c in sorted(classes, key=lambda c: (c.symbol, where.get(c.symbol, ""))):
        if len(c.symbol) > 1 and c.symbol[:-1] not in seen:
            problems.append(f"{at(c.symbol)}class {c.symbol} has no parent class {c.symbol[:-1]}")
        if not c.heading.strip():
            problems.append(f"{at(c.symbol)}class {c.symbol} has no heading")
        if c.symbol in prefixes:
            if c.category is not None:
                children = sorted(s for s in seen if len(s) == len(c.symbol) + 1 and s.startswith(c.symbol))
                problems.append(f"{at(c.symbol)}class {c.symbol} has subclasses ({', '.join(children[:5])}) "
                                f"so it is a group and must not carry an archival category (has {c.category})")
        elif c.category is None:
            problems.append(f"{at(c.symbol)}leaf class {c.symbol} needs an archival category (A, Bn, BEn or Bc)")
    return problems


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def apply_changes(classes: list[JrwaClass], changes: list[JrwaChange]) -> list[JrwaClass]:
    """The plan after the changes, in order; InvalidPlan lists every problem found."""
    if not changes:
        raise InvalidPlan(["no changes given"])
    working: dict[str, JrwaClass] = {c.symbol: c for c in classes}
    problems: list[str] = []
    removed: set[str] = set()
    for number, raw in enumerate(changes, start=1):
        change = raw if isinstance(raw, JrwaChange) else JrwaChange.model_validate(raw)
        here = f"change {number} ({change.op} {change.symbol})"
        symbol = (change.symbol or "").strip()
        given = change.model_fields_set
        bad = _check_symbol(symbol)
        if bad:
            problems.append(f"{here}: {bad}")
            continue
        category = _clean(change.category)
        if "category" in given:
            bad = _check_category(category)
            if bad:
                problems.append(f"{here}: {bad}")
                continue
        op = change.op
        if op == "set":
            op = "update" if symbol in working else "add"
        if op == "add":
            if symbol in working:
                problems.append(f"{here}: class {symbol} already exists")
                continue
            heading = _clean(change.heading)
            if not heading:
                problems.append(f"{here}: a new class needs a heading")
                continue
            working[symbol] = JrwaClass(symbol=symbol, heading=heading, category=category, notes=_clean(change.notes))
        elif op == "update":
            existing = working.get(symbol)
            if existing is None:
                problems.append(f"{here}: there is no class {symbol} to update")
                continue
            update: dict[str, str | None] = {}
            if "heading" in given and change.heading is not None:
                heading = _clean(change.heading)
                if not heading:
                    problems.append(f"{here}: the heading must not be empty")
                    continue
                update["heading"] = heading
            if "category" in given:
                update["category"] = category
            if "notes" in given:
                update["notes"] = _clean(change.notes)
            if not update:
                problems.append(f"{here}: nothing to update (give heading, category or notes)")
                continue
            working[symbol] = existing.model_copy(update=update)
        else:  # remove
            if symbol not in working:
                problems.append(f"{here}: there is no class {symbol} to remove")
                continue
            del working[symbol]
            removed.add(symbol)
    if problems:
        raise InvalidPlan(problems)
    # A removed class may not leave subclasses behind (unless they were removed as well).
    orphaned_by_removal = set()
    for symbol in sorted(removed):
        children = sorted(s for s in working if s.startswith(symbol))
        if children:
            problems.append(f"class {symbol} cannot be removed: it has subclasses {', '.join(children[:5])}")
            orphaned_by_removal.update(c for c in children if c[:-1] == symbol)
    result = sorted(working.values(), key=lambda c: c.symbol)
    problems += [p for p in validate_classes(result)
                 if not any(p.startswith(f"class {c} has no parent") for c in orphaned_by_removal)]
    if problems:
        raise InvalidPlan(_unique(problems))
    return result


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- CSV ---------------------------------------------------------------------------------


def parse_csv(text: str | bytes) -> list[JrwaClass]:
    """Classes of a CSV in the columns of jrwa-szkola.csv (symbol,heading,category,notes).

    Strict: the header must name exactly these columns, every row must be valid and the
    whole plan consistent; InvalidPlan lists every problem with its line number.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_CSV_BYTES:
            raise InvalidPlan([f"the file is larger than {MAX_CSV_BYTES} bytes"])
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidPlan([f"the file is not UTF-8 text (byte {exc.start})"]) from None
    if len(text) > MAX_CSV_BYTES:
        raise InvalidPlan([f"the file is larger than {MAX_CSV_BYTES} bytes"])
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[str] = []
    classes: list[JrwaClass] = []
    where: dict[str, str] = {}
    rejected: set[str] = set()
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidPlan(["the file is empty"])
        if [h.strip().lower() for h in header] != CSV_COLUMNS:
            raise InvalidPlan([f"line 1: the header must be {','.join(CSV_COLUMNS)} (found {','.join(header)})"])
        for row in reader:
            line = f"line {reader.line_num}"
            if not row or all(not cell.strip() for cell in row):
                continue  # blank line
            if len(row) != len(CSV_COLUMNS):
                problems.append(f"{line}: expected {len(CSV_COLUMNS)} fields, found {len(row)}")
                continue
            symbol, heading, category, notes = (cell.strip() for cell in row)
            row_problems = [p for p in (_check_symbol(symbol), _check_category(category or None)) if p]
            if not heading:
                row_problems.append("the heading is empty")
            if row_problems:
                problems += [f"{line}: {p}" for p in row_problems]
                rejected.add(symbol)
                continue
            if symbol in where:
                problems.append(f"{line}: class {symbol} appears more than once (first at {where[symbol]})")
                continue
            where[symbol] = line
            classes.append(JrwaClass(symbol=symbol, heading=_clean(heading) or heading, category=category or None,
                                     notes=_clean(notes)))
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: malformed CSV ({exc})")
    if not problems:
        problems = validate_classes(classes, where)
    elif classes:
        # Structural problems too, except those that only follow from a rejected line.
        problems += [p for p in validate_classes(classes, where)
                     if "appears more than once" not in p
                     and not any(p.endswith(f"has no parent class {r}") for r in rejected)
                     and not any(f"leaf class {r[:-1]} needs" in p for r in rejected if len(r) > 1)]
    if problems:
        raise InvalidPlan(_unique(problems))
    return sorted(classes, key=lambda c: c.symbol)


def export_csv(plan: JrwaPlan | Iterable[JrwaClass]) -> str:
    """The plan in the columns of jrwa-szkola.csv; import_csv reads it back unchanged."""
    classes = plan.classes if isinstance(plan, JrwaPlan) else list(plan)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in sorted(classes, key=lambda c: c.symbol):
        writer.writerow([c.symbol, c.heading, c.category or "", c.notes or ""])
    return buffer.getvalue()


# --- publishing --------------------------------------------------------------------------


def _same(a: Iterable[JrwaClass], b: Iterable[JrwaClass]) -> bool:
    def key(classes: Iterable[JrwaClass]) -> list[tuple]:
        return sorted((c.symbol, c.heading, c.category, c.notes) for c in classes)

    return key(a) == key(b)


def _check_owner(unit: str) -> None:
    if unit == CITY_PLAN:
        return
    from ezd.adapters import directory_store

    if directory_store.get_unit(unit) is None:
        raise NotFound(f"unknown unit {unit}")


def _publish(unit: str, build, actor_login: str, note: str | None, source: str,
             expected_version: int | None, write: bool = True) -> JrwaPlan:
    """Reads the unit's current plan, builds the next one and publishes it as version n+1;
    on a concurrent publication re-reads and rebuilds (or, with expected_version, fails).
    ``write=False`` (a preview) does all of it but the writing, and answers the plan that
    would be published."""
    if not actor_login:
        raise ValidationFailed("the actor of a JRWA change must be known")
    _check_owner(unit)
    note = _clean(note)
    for attempt in range(PUBLISH_ATTEMPTS):
        pointer = jrwa_store.get_pointer(unit)
        base = JrwaVersionRef(owner=pointer["owner"], version=int(pointer["version"])) if pointer else _city_ref()
        if expected_version is not None and base.version != expected_version:
            raise PlanVersionConflict(
                f"the JRWA of {unit} is at version {base.version} ({base.owner}), not {expected_version}; "
                f"read it again and repeat the change")
        current = plan_version(base.owner, base.version)
        classes = build([JrwaClass(**c.model_dump(exclude={"is_leaf"})) for c in current.classes])
        if _same(classes, current.classes):
            raise PlanUnchanged(f"the change leaves the JRWA of {unit} as it is in version {base.version}")
        version = max(base.version, jrwa_store.latest_published(unit)) + 1
        if not write:
            return JrwaPlan(owner=unit, version=version, classes=_entries(classes), published_by=actor_login,
                            note=note, based_on=base)
        published_at = now_utc()
        record = {
            "owner": unit, "version": version, "published_at": published_at.isoformat(),
            "published_by": actor_login, "note": note, "source": source,
            "based_on": base.model_dump(), "class_count": len(classes),
        }
        try:
            jrwa_store.publish(unit, version, classes, record, pointer["version"] if pointer else None)
        except PublishConflict:
            if expected_version is not None:
                raise PlanVersionConflict(
                    f"another change of the JRWA of {unit} was published first; read it again and repeat") from None
            time.sleep(0.05 * (attempt + 1))
            continue
        return JrwaPlan(owner=unit, version=version, classes=_entries(classes), published_at=published_at,
                        published_by=actor_login, note=note, based_on=base)
    raise PlanVersionConflict(f"the JRWA of {unit} kept changing; try again")


def change_plan(unit: str, changes: list[JrwaChange], actor_login: str, note: str | None = None,
                expected_version: int | None = None, *, write: bool = True) -> JrwaPlan:
    """Publishes the unit's current plan with the changes applied as the unit's next version.

    ``expected_version`` (optional) makes the change fail with PlanVersionConflict if the
    unit's current version is another one; without it a concurrent publication is absorbed
    by applying the changes again to the newer plan (their validation may then fail).
    ``write=False`` only answers what would be published (services/jrwa_preview.py).
    """
    parsed = [c if isinstance(c, JrwaChange) else JrwaChange.model_validate(c) for c in changes]
    return _publish(unit, lambda classes: apply_changes(classes, parsed), actor_login, note, "change",
                    expected_version, write)


def import_csv(unit: str, text: str | bytes, actor_login: str, note: str | None = None,
               expected_version: int | None = None, *, write: bool = True) -> JrwaPlan:
    """Replaces the unit's plan by the CSV's classes, as the unit's next version
    (``write=False``: only answers what would be published)."""
    classes = parse_csv(text)
    return _publish(unit, lambda _current: classes, actor_login, note, "import", expected_version, write)


def diff(plan_a: JrwaPlan, plan_b: JrwaPlan) -> dict[str, list]:
    """What changed from plan_a to plan_b: added and removed symbols, changed classes."""
    a = {c.symbol: c for c in plan_a.classes}
    b = {c.symbol: c for c in plan_b.classes}
    changed = []
    for symbol in sorted(a.keys() & b.keys()):
        fields = {f: {"from": getattr(a[symbol], f), "to": getattr(b[symbol], f)}
                  for f in ("heading", "category", "notes") if getattr(a[symbol], f) != getattr(b[symbol], f)}
        if fields:
            changed.append({"symbol": symbol, **fields})
    return {
        "added": sorted(b.keys() - a.keys()),
        "removed": sorted(a.keys() - b.keys()),
        "changed": changed,
    }

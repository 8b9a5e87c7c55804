"""Breaking changes between two versions of the API's OpenAPI document.

The portal (and whoever else speaks the API) is built against the committed
``portal/openapi.json``; a change to the code that removes what a client relies on, or asks
of it what it did not have to send, breaks that client. :func:`breaking_changes` lists such
changes between an earlier and a later document:

- an operation (path and method) removed, a success status or a media type of an answer removed;
- in an answer: a property removed, no longer always there, its type changed (widened), an
  enum value removed;
- in a request: a parameter or a body property added as required or becoming required, a
  body becoming required, a type or an enum narrowed.

Each change has a stable ``key`` (``"GET /me: response 200 property 'unit' removed"``). An
intentional break is declared by writing its key, in backticks, in ``docs/api-changes.md``
(the API's changelog); :func:`undeclared` leaves out the declared ones. Additions are never
breaking. The comparison reads JSON Schema as pydantic writes it (``$ref`` into
``components/schemas``, ``anyOf`` for optional values); it is not a general JSON Schema
subsumption checker, and errs towards reporting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_MAX_DEPTH = 12  # models refer to themselves (a JRWA class's children): stop descending


@dataclass(frozen=True)
class Break:
    """One breaking change: where (the operation and the place in it) and what."""

    operation: str
    what: str

    @property
    def key(self) -> str:
        return f"{self.operation}: {self.what}"


class _Schemas:
    """The schemas of one document, with its ``$ref``s followed."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.named = (document.get("components") or {}).get("schemas") or {}

    def resolve(self, schema: Any) -> dict[str, Any]:
        seen: set[str] = set()
        while isinstance(schema, dict) and "$ref" in schema and schema["$ref"] not in seen:
            seen.add(schema["$ref"])
            schema = self.named.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return schema if isinstance(schema, dict) else {}

    def branches(self, schema: Any) -> list[dict[str, Any]]:
        """The alternatives a value may take (``anyOf``/``oneOf`` flattened, ``allOf`` kept as one)."""
        schema = self.resolve(schema)
        alternatives = schema.get("anyOf") or schema.get("oneOf")
        if alternatives:
            return [branch for alternative in alternatives for branch in self.branches(alternative)]
        return [schema]

    def types(self, schema: Any) -> set[str]:
        """The JSON types a value may have; empty: any (the schema does not say)."""
        found: set[str] = set()
        for branch in self.branches(schema):
            declared = branch.get("type")
            if declared is None:
                if "const" in branch or "enum" in branch:
                    values = branch.get("enum", [branch.get("const")])
                    found.update(_json_type(value) for value in values)
                elif "properties" in branch or "allOf" in branch:
                    found.add("object")
                else:
                    return set()  # one branch takes anything
            else:
                found.update([declared] if isinstance(declared, str) else declared)
        if "number" in found:
            found.add("integer")  # an integer is a number
        return found

    def enum(self, schema: Any) -> set[Any] | None:
        """The values allowed, when every alternative lists them; None: not an enumeration."""
        values: set[Any] = set()
        for branch in self.branches(schema):
            if branch.get("type") == "null":
                values.add(None)
            elif "enum" in branch:
                values.update(_hashable(v) for v in branch["enum"])
            elif "const" in branch:
                values.add(_hashable(branch["const"]))
            else:
                return None
        return values

    def properties(self, schema: Any) -> tuple[dict[str, Any], set[str]]:
        """The object's properties and the required ones, over all its alternatives."""
        properties: dict[str, Any] = {}
        required: set[str] | None = None
        for branch in self.branches(schema):
            parts = [self.resolve(part) for part in branch.get("allOf", [])] + [branch]
            if not any("properties" in part for part in parts):
                continue
            here: set[str] = set()
            for part in parts:
                properties.update(part.get("properties") or {})
                here.update(part.get("required") or [])
            required = here if required is None else required & here
        return properties, required or set()

    def items(self, schema: Any) -> Any:
        for branch in self.branches(schema):
            if branch.get("type") == "array" and "items" in branch:
                return branch["items"]
        return None


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null",
            list: "array", dict: "object"}.get(type(value), "string")


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, (list, dict)) else value


def _describe(types: set[str]) -> str:
    return "|".join(sorted(types)) or "any"


class _Comparison:
    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old, self.new = _Schemas(old), _Schemas(new)
        self.found: list[Break] = []

    def add(self, operation: str, what: str) -> None:
        self.found.append(Break(operation, what))

    def answer(self, operation: str, where: str, old: Any, new: Any, depth: int = 0) -> None:
        """A client reads the answer: what it could rely on must stay (the new may say more)."""
        if depth > _MAX_DEPTH:
            return
        old_types, new_types = self.old.types(old), self.new.types(new)
        if old_types and (not new_types or not new_types <= old_types):
            self.add(operation, f"{where} type changed from {_describe(old_types)} to {_describe(new_types)}")
            return
        old_enum, new_enum = self.old.enum(old), self.new.enum(new)
        if old_enum is not None:
            removed = old_enum - new_enum if new_enum is not None else set()
            for value in sorted(removed, key=repr):
                self.add(operation, f"{where} enum value {value!r} removed")
        old_properties, old_required = self.old.properties(old)
        new_properties, new_required = self.new.properties(new)
        for name in sorted(old_properties):
            inner = f"{where} property {name!r}"
            if name not in new_properties:
                self.add(operation, f"{inner} removed")
                continue
            if name in old_required and name not in new_required:
                self.add(operation, f"{inner} no longer required")
            self.answer(operation, inner, old_properties[name], new_properties[name], depth + 1)
        old_items, new_items = self.old.items(old), self.new.items(new)
        if old_items is not None and new_items is not None:
            self.answer(operation, f"{where} items", old_items, new_items, depth + 1)

    def request(self, operation: str, where: str, old: Any, new: Any, depth: int = 0) -> None:
        """A client writes the request: what it sent must still be accepted."""
        if depth > _MAX_DEPTH:
            return
        old_types, new_types = self.old.types(old), self.new.types(new)
        if new_types and (not old_types or not old_types <= new_types):
            self.add(operation, f"{where} type narrowed from {_describe(old_types)} to {_describe(new_types)}")
            return
        old_enum, new_enum = self.old.enum(old), self.new.enum(new)
        if new_enum is not None:
            if old_enum is None:
                self.add(operation, f"{where} restricted to an enum")
            for value in sorted((old_enum or set()) - new_enum, key=repr):
                self.add(operation, f"{where} enum value {value!r} removed")
        old_properties, old_required = self.old.properties(old)
        new_properties, new_required = self.new.properties(new)
        for name in sorted(new_required - old_required):
            state = "became required" if name in old_properties else "added as required"
            self.add(operation, f"{where} property {name!r} {state}")
        for name in sorted(set(old_properties) & set(new_properties)):
            self.request(operation, f"{where} property {name!r}", old_properties[name], new_properties[name],
                         depth + 1)
        old_items, new_items = self.old.items(old), self.new.items(new)
        if old_items is not None and new_items is not None:
            self.request(operation, f"{where} items", old_items, new_items, depth + 1)

    def parameters(self, operation: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        def by_name(op: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
            return {(p.get("in", ""), p.get("name", "")): p for p in op.get("parameters") or []}

        before, after = by_name(old), by_name(new)
        for (place, name), parameter in sorted(after.items()):
            where = f"{place} parameter {name!r}"
            earlier = before.get((place, name))
            if earlier is None:
                if parameter.get("required"):
                    self.add(operation, f"{where} added as required")
                continue
            if parameter.get("required") and not earlier.get("required"):
                self.add(operation, f"{where} became required")
            self.request(operation, where, earlier.get("schema") or {}, parameter.get("schema") or {})

    def body(self, operation: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        before, after = old.get("requestBody"), new.get("requestBody")
        if after is None:
            return
        if before is None:
            if after.get("required"):
                self.add(operation, "request body added as required")
            return
        if after.get("required") and not before.get("required"):
            self.add(operation, "request body became required")
        old_content, new_content = before.get("content") or {}, after.get("content") or {}
        for media in sorted(old_content):
            if media not in new_content:
                self.add(operation, f"request body {media} no longer accepted")
            else:
                self.request(operation, f"request body {media}", old_content[media].get("schema") or {},
                             new_content[media].get("schema") or {})

    def responses(self, operation: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        before, after = old.get("responses") or {}, new.get("responses") or {}
        for status in sorted(before):
            if status not in after:
                if status.startswith("2"):  # an error answered otherwise still reads as an error
                    self.add(operation, f"response {status} removed")
                continue
            old_content = before[status].get("content") or {}
            new_content = after[status].get("content") or {}
            for media in sorted(old_content):
                where = f"response {status}" + ("" if media == "application/json" else f" {media}")
                if media not in new_content:
                    self.add(operation, f"{where} no longer answered")
                else:
                    self.answer(operation, where, old_content[media].get("schema") or {},
                                new_content[media].get("schema") or {})


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{method.upper()} {path}": operation
            for path, operations in (document.get("paths") or {}).items()
            for method, operation in operations.items() if method in _METHODS}


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Break]:
    """What ``new`` breaks of ``old`` for a client written against ``old``."""
    comparison = _Comparison(old, new)
    before, after = _operations(old), _operations(new)
    for name in sorted(before):
        if name not in after:
            comparison.add(name, "operation removed")
            continue
        comparison.parameters(name, before[name], after[name])
        comparison.body(name, before[name], after[name])
        comparison.responses(name, before[name], after[name])
    return comparison.found


def declared_keys(changelog: str) -> set[str]:
    """The keys written in backticks in the changelog (``docs/api-changes.md``)."""
    return {match.strip() for match in re.findall(r"`([^`\n]+)`", changelog)}


def undeclared(breaks: list[Break], changelog: str) -> list[Break]:
    keys = declared_keys(changelog)
    return [change for change in breaks if change.key not in keys]

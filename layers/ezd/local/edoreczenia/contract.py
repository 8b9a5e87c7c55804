"""The User Agent API contract (uaapi_3.0.8.1.yaml), loaded once, as a request and response checker.

The simulator routes by the contract's own path templates and holds every request and
every answer to the operation's declared parameters and schemas (OpenAPI 3.0 schemas are
checked with jsonschema, the ``components`` resolved in place).

Known gaps of the published document, and what is done about them:
- It declares no 401/403 (only 200/202/400). Bearer-token refusals follow RFC 6750 (401
  ``invalid_token``, 403 ``insufficient_scope``), a transient outage is a 503 and a rate
  limit a 429 with ``Retry-After`` (RFC 6585; the service limits clients that ask too
  often); those statuses are accepted outside the contract when their body is the
  contract's ``ErrorResponse`` shape. Anything else undeclared is a violation.
- The callbacks (``onMessage``, ``onEvidence``…) have a declared body (``MessageStatement``)
  but no authentication: ``SubscriptionCreate`` carries only the URLs, no secret, header
  or signature. A subscriber can only make its URL the secret: the project subscribes
  with a URL ending in a key derived for that mailbox (ezd.services.edoreczenia_callback),
  and refuses a notification to any other URL. The simulator posts the URL as given.
- The contract says nothing of who may read a received message's evidences; the
  simulator lists the addressee's side (D.1, E.1, BP.OX) with the addressee's copy too,
  under that copy's ``messageId``.
- ``MessageOperationResponseWrapperStatus`` requires ``addresseeAde`` and ``status`` but
  does not declare them as properties; the simulator sends both (as strings).
- ``MessagesWrapper`` requires ``resultSize`` but declares only ``total``; both are sent.
- ``messageId`` of ``GET/DELETE messages/{messageId}`` is an array (``style: simple``):
  comma-separated ids, at most 50.
- Status codes are written unquoted (``200:``), so YAML gives integer keys; OpenAPI wants
  strings (the document validates as OpenAPI only once the keys are strings).
- The security scheme declares only an ``authorizationCode`` flow (at gov.pl), while the
  description (and the facts) say systems use client credentials with mTLS or a secret;
  the token endpoint is therefore not part of the document.
- The ``metadata`` format's field list has neither ``additionalData`` nor ``messageTaskId``:
  a client looking for its own reference must read candidates in ``full``.
- ``notificationInboxCallback.type`` is described as "ID dowodu" though ``id`` already is
  the evidence's id; the simulator puts the evidence type (``BP.OX``) there.
- No property carries an evidence's hash; a client hashes the file it downloads
  (``GET evidences/purde/{evidenceId}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
import yaml

SPEC_FILE = "uaapi_3.0.8.1.yaml"
BASE_PATH = "/api/v1"
OUTSIDE_CONTRACT_STATUSES = frozenset({401, 403, 429, 503})


def spec_text() -> str:
    return resources.files("ezd.resources.edoreczenia").joinpath(SPEC_FILE).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict[str, Any]
    regex: re.Pattern[str]
    literals: int

    @property
    def scopes(self) -> list[str]:
        out: list[str] = []
        for requirement in self.spec.get("security") or []:
            for scopes in requirement.values():
                out.extend(scopes)
        return out

    @property
    def parameters(self) -> list[dict[str, Any]]:
        return list(self.spec.get("parameters") or [])


@dataclass
class Match:
    operation: Operation
    path_params: dict[str, Any] = field(default_factory=dict)


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date-time")(_date_time)


class Contract:
    def __init__(self, text: str | None = None) -> None:
        self.doc: dict[str, Any] = yaml.safe_load(text if text is not None else spec_text())
        self.components = self.doc.get("components", {})
        self.operations: list[Operation] = []
        for template, item in (self.doc.get("paths") or {}).items():
            segments = template.strip("/").split("/")
            pattern = "".join(
                "/(?P<%s>[^/]+)" % s[1:-1] if s.startswith("{") else "/" + re.escape(s) for s in segments)
            literals = sum(1 for s in segments if not s.startswith("{"))
            for method, spec in item.items():
                if method in ("get", "put", "post", "delete", "patch"):
                    self.operations.append(Operation(method.upper(), template, spec, re.compile(f"^{pattern}$"), literals))
        # Literal segments win over parameters: messages/evidences before messages/{messageId}.
        self.operations.sort(key=lambda op: -op.literals)

    # ------------------------------------------------------------------ routing

    def match(self, method: str, path: str) -> Match | str:
        """The operation of ``path`` (below /api/v1), or "not_found" / "method_not_allowed"."""
        found_path = False
        for op in self.operations:
            m = op.regex.match(path)
            if not m:
                continue
            found_path = True
            if op.method == method:
                return Match(op, dict(m.groupdict()))
        return "method_not_allowed" if found_path else "not_found"

    # ------------------------------------------------------------------ schemas

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while isinstance(node, dict) and "$ref" in node:
            parts = node["$ref"].lstrip("#/").split("/")
            target: Any = self.doc
            for part in parts:
                target = target[part]
            node = target
        return node

    def _validator(self, schema: dict[str, Any]) -> jsonschema.Draft4Validator:
        return _validator(self, _freeze(schema))

    def schema_errors(self, schema: dict[str, Any], instance: Any, where: str) -> list[str]:
        validator = self._validator(schema)
        return [f"{where}{'/' + '/'.join(map(str, e.absolute_path)) if e.absolute_path else ''}: {e.message}"
                for e in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))][:20]

    def component_schema(self, name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    # ------------------------------------------------------------------ requests

    def coerce_parameters(self, match: Match, query: dict[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
        """Typed values of the path and query parameters, and what is wrong with them."""
        values: dict[str, Any] = {}
        errors: list[str] = []
        for param in match.operation.parameters:
            param = self.resolve(param)
            name, where = param["name"], param["in"]
            schema = param.get("schema", {})
            if where == "path":
                raw: list[str] | None = [match.path_params[name]] if name in match.path_params else None
            elif where == "query":
                raw = query.get(name)
            else:
                continue
            if raw is None:
                if param.get("required"):
                    errors.append(f"{where} parameter {name} is required")
                elif "default" in schema:
                    values[name] = schema["default"]
                continue
            try:
                value = _coerce(schema, raw)
            except ValueError as exc:
                errors.append(f"{where} parameter {name}: {exc}")
                continue
            errors += self.schema_errors(schema, value, f"{where} parameter {name}")
            values[name] = value
        return values, errors

    def request_body_errors(self, match: Match, content_type: str, body: Any) -> list[str]:
        spec = match.operation.spec.get("requestBody")
        if spec is None:
            return []
        spec = self.resolve(spec)
        content = spec.get("content", {})
        media = content_type.split(";")[0].strip().lower()
        if body is None:
            return ["a request body is required"] if spec.get("required") else []
        if media not in content:
            return [f"request media type {media or '(none)'} is not one of {sorted(content)}"]
        schema = content[media].get("schema")
        if schema is None:
            return []
        return self.schema_errors(schema, body, "body")

    # ------------------------------------------------------------------ responses

    def response_errors(self, match: Match | None, status: int, content_type: str, body: Any) -> list[str]:
        """What is wrong with an answer; ``body`` is parsed JSON for JSON answers, else bytes."""
        media = content_type.split(";")[0].strip().lower()
        responses = match.operation.spec.get("responses", {}) if match else {}
        spec = responses.get(status, responses.get(str(status)))
        if spec is None:
            if status in OUTSIDE_CONTRACT_STATUSES or match is None:
                if media != "application/json":
                    return [f"{status} answer must be JSON (ErrorResponse), not {media}"]
                return self.schema_errors(self._error_response_schema(), body, f"{status} body")
            return [f"status {status} is not declared for {match.operation.method} {match.operation.template}"]
        spec = self.resolve(spec)
        content = spec.get("content")
        if not content:
            return [] if body in (None, b"", "") else [f"status {status} declares no body"]
        if media not in content:
            return [f"response media type {media} is not one of {sorted(content)}"]
        schema = content[media].get("schema")
        if media != "application/json":
            return [] if isinstance(body, (bytes, bytearray)) else [f"{media} answer must be bytes"]
        return self.schema_errors(schema, body, f"{status} body") if schema else []

    def _error_response_schema(self) -> dict[str, Any]:
        return self.resolve(self.components["responses"]["ErrorResponse"])["content"]["application/json"]["schema"]

    def callback_schema(self, name: str) -> dict[str, Any]:
        put = next(op for op in self.operations if op.template == "/{eDeliveryAddress}/message_subscriptions"
                   and op.method == "PUT")
        (expression, item), = put.spec["callbacks"][name].items()
        return item["post"]["requestBody"]["content"]["application/json"]["schema"]


class _Frozen(dict):  # hashable key for the validator cache
    def __hash__(self) -> int:  # type: ignore[override]
        return hash(repr(sorted(self.items(), key=lambda kv: kv[0])))


def _freeze(schema: dict[str, Any]) -> _Frozen:
    return _Frozen(schema)


@lru_cache(maxsize=512)
def _validator(contract: Contract, schema: _Frozen) -> jsonschema.Draft4Validator:
    # The schema is checked as part of the whole document, so #/components/... resolve.
    root = {**contract.doc, **dict(schema)}
    return jsonschema.Draft4Validator(root, format_checker=_FORMATS)


def _coerce(schema: dict[str, Any], raw: list[str]) -> Any:
    kind = schema.get("type")
    if kind == "array":
        items = [part for value in raw for part in value.split(",") if part != ""]
        return [_coerce(schema.get("items", {}), [item]) for item in items]
    value = raw[-1]
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an integer") from None
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValueError(f"{value!r} is not true or false")
        return value.lower() == "true"
    return value


@lru_cache(maxsize=1)
def default_contract() -> Contract:
    return Contract()

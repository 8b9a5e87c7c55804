"""The portal API's OpenAPI 3.1 document, generated from the Chalice app itself.

Nothing here lists the routes a second time: every route the app registered is read from
``app.routes``; its path parameters from the path, its query parameters and JSON body model
from the view function's own code (``query(...).get("name")`` and ``Model.model_validate``),
its summary from the docstring, and its response model where the route declares one with
:func:`responds`. The portal's TypeScript client is generated from this document
(``portal/openapi.json``, written by ``ezd openapi``); a test keeps the two equal.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import textwrap
from http import HTTPStatus
from typing import Any, Callable, TypeVar

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ezd.api.common import HTTP_STATUS

OPENAPI_VERSION = "3.1.0"
TITLE = "EZD for education: portal API"
# Routes anyone may call: no bearer token (the ePUAP push authenticates by its signature,
# e-Doręczenia's callback by the key in its URL).
PUBLIC_PATHS = {"/health", "/auth/config", "/auth/login", "/auth/password", "/openapi.json", "/epuap/push/{unit}",
                "/edoreczenia/{unit}/on-message/{key}"}
_REF = "#/components/schemas/{model}"
# The errors of every authenticated route (the public ones answer no 401 or 403).
_SHARED_ERRORS = {
    400: "invalid request (VALIDATION_FAILED, …)",
    401: "no valid token (UNAUTHENTICATED)",
    403: "another unit's or another role's (FORBIDDEN)",
    404: "not found, or not the caller's to know (NOT_FOUND)",
}


def _other_errors() -> str:
    named = sorted((status, code) for code, status in HTTP_STATUS.items() if status not in (400, 401, 403, 404))
    return "another error of docs/error-codes.md: " + ", ".join(f"{code} ({status})" for status, code in named)
_F = TypeVar("_F", bound=Callable[..., Any])


class ErrorBody(BaseModel):
    """Every error answer: a stable code (docs/error-codes.md) and a message."""

    error_code: str
    message: str


def responds(model: type[BaseModel], status: int = 200) -> Callable[[_F], _F]:
    """Declares what a route answers (its JSON body, described by ``model``)."""

    def mark(route: _F) -> _F:
        route.__dict__.setdefault("_openapi_responses", {})[status] = model
        return route

    return mark


def formats(**media_types: str) -> Callable[[_F], _F]:
    """Declares the ``?format=`` values a route answers in besides JSON, with their media
    types (``formats(csv="text/csv")``): a client cannot read them from the view's code,
    which hands the value to a service."""

    def mark(route: _F) -> _F:
        route.__dict__["_openapi_formats"] = dict(media_types)
        return route

    return mark


def answers_in(media_type: str) -> Callable[[_F], _F]:
    """Declares that every answer of the route, its errors too, is ``media_type`` and not
    JSON (the ePUAP push answers in SOAP, as ePUAP expects)."""

    def mark(route: _F) -> _F:
        route.__dict__["_openapi_media_type"] = media_type
        return route

    return mark


def _unwrapped(function: Callable[..., Any]) -> Callable[..., Any]:
    return inspect.unwrap(function)


def _function_ast(function: Callable[..., Any]) -> ast.AST | None:
    try:
        source = textwrap.dedent(inspect.getsource(_unwrapped(function)))
    except (OSError, TypeError):
        return None
    return ast.parse(source)


def _query_aliases(tree: ast.AST) -> set[str]:
    return {
        target.id
        for node in ast.walk(tree) if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) and node.value.func.id == "query"
        for target in node.targets if isinstance(target, ast.Name)
    }


def _is_query(receiver: ast.expr, aliases: set[str]) -> bool:
    return (isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name)
            and receiver.func.id == "query") or (isinstance(receiver, ast.Name) and receiver.id in aliases)


def _query_names(tree: ast.AST) -> list[str]:
    """Query parameters the view reads: ``query(request).get("x")`` or ``q.get("x")`` with
    ``q = query(request)``."""
    aliases = _query_aliases(tree)
    names: list[str] = []
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
    for node in calls:  # in the order the code reads them
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            continue
        if _is_query(node.func.value, aliases) and node.args[0].value not in names:
            names.append(node.args[0].value)
    return names


def _required_query(tree: ast.AST) -> set[str]:
    """Query parameters the view indexes (``q["x"]``): it relies on them being there (after
    refusing the request without them), so they are required."""
    aliases = _query_aliases(tree)
    return {node.slice.value for node in ast.walk(tree)
            if isinstance(node, ast.Subscript) and _is_query(node.value, aliases)
            and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)}


def _is_response(node: ast.AST | None) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
            and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "Response")


def _statuses(tree: ast.AST, function: Callable[..., Any]) -> set[int]:
    """The statuses the view answers: 200 when it returns anything but a ``Response`` (a
    dict, a CSV), and those of its ``Response(..., status_code=...)``: a literal, or the
    values (and default) of a module's table looked up with ``.get``."""
    namespace = _unwrapped(function).__globals__
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and not _is_response(node.value):
            found.add(200)
        if not _is_response(node):
            continue
        assert isinstance(node, ast.Call)
        if not any(keyword.arg == "status_code" for keyword in node.keywords):
            found.add(200)  # Chalice's default
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg != "status_code":
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, int):
                found.add(value.value)
            elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "get":
                table = _resolve(value.func.value, namespace)
                if isinstance(table, dict):
                    found.update(v for v in table.values() if isinstance(v, int))
                found.update(a.value for a in value.args[1:] if isinstance(a, ast.Constant) and isinstance(a.value, int))
    return found


def _resolve(expression: ast.expr, namespace: dict[str, Any]) -> Any:
    if isinstance(expression, ast.Name):
        return namespace.get(expression.id)
    if isinstance(expression, ast.Attribute):
        owner = _resolve(expression.value, namespace)
        return getattr(owner, expression.attr, None) if owner is not None else None
    return None


def _body_model(tree: ast.AST, function: Callable[..., Any]) -> type[BaseModel] | None:
    """The pydantic model the view validates its JSON body with (``Model.model_validate(json_body(...))``)."""
    namespace = _unwrapped(function).__globals__
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "model_validate" and node.args):
            continue
        argument = node.args[0]
        reads_body = any(isinstance(n, ast.Call) and (
            (isinstance(n.func, ast.Name) and n.func.id == "json_body")
            or (isinstance(n.func, ast.Attribute) and n.func.attr == "json_body")) or (
            isinstance(n, ast.Attribute) and n.attr == "json_body") for n in ast.walk(argument))
        model = _resolve(node.func.value, namespace)
        if reads_body and isinstance(model, type) and issubclass(model, BaseModel):
            return model
    return None


def _summary(function: Callable[..., Any]) -> tuple[str | None, str | None]:
    doc = inspect.getdoc(_unwrapped(function))
    if not doc:
        return None, None
    paragraphs = doc.split("\n\n")
    return " ".join(paragraphs[0].split()), ("\n\n".join(paragraphs[1:]).strip() or None)


def _tag(function: Callable[..., Any]) -> str:
    module = _unwrapped(function).__module__.rsplit(".", 1)[-1]
    return module.removesuffix("_routes")


def _operation_id(view_name: str, method: str, methods: int) -> str:
    return view_name if methods == 1 else f"{view_name}_{method.lower()}"


def _responses(plan: dict[str, Any], keyed: dict[Any, Any], error: dict[str, Any], other_errors: str,
               public: bool) -> dict[str, Any]:
    """What an operation answers: its declared models, the other statuses its code answers
    with (a JSON object until a model is declared), the errors every route shares."""
    media_type = plan["media_type"]
    if media_type:  # everything in one media type, errors too
        text = {"content": {media_type: {"schema": {"type": "string"}}}}
        return {**{str(status): {"description": HTTPStatus(status).phrase, **text}
                   for status in sorted(plan["statuses"] | {200})},
                "default": {"description": "another answer of the same kind", **text}}
    responses: dict[str, Any] = {}
    declared = plan["responses"]
    for status, model in sorted(declared.items()):
        responses[str(status)] = {"description": HTTPStatus(status).phrase, "content": {
            "application/json": {"schema": keyed[(model, "serialization")]}}}
    for status in sorted(plan["statuses"] or {200}):
        if str(status) not in responses and status not in _SHARED_ERRORS:
            responses[str(status)] = {"description": HTTPStatus(status).phrase, "content": {
                "application/json": {"schema": {"type": "object"}}}}
    if plan["formats"] and "200" in responses:
        responses["200"]["content"].update(
            {media: {"schema": {"type": "string"}} for media in plan["formats"].values()})
    for status, what in _SHARED_ERRORS.items():
        if public and status in (401, 403):
            continue
        responses[str(status)] = {"description": what, "content": {"application/json": {"schema": error}}}
    responses["default"] = {"description": other_errors, "content": {"application/json": {"schema": error}}}
    return responses


def document(app: Any, version: str = "0.1.0") -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app`` (a Chalice app), deterministic for the same code."""
    models: dict[tuple[type[BaseModel], str], None] = {(ErrorBody, "serialization"): None}
    plans: list[tuple[str, str, Any, dict[str, Any]]] = []
    for path in sorted(app.routes):
        entries = app.routes[path]
        for method in sorted(entries):
            entry = entries[method]
            function = entry.view_function
            tree = _function_ast(function)
            body = _body_model(tree, function) if tree is not None and method not in ("GET", "HEAD") else None
            responses: dict[int, type[BaseModel]] = dict(getattr(function, "_openapi_responses", {}))
            if body is not None:
                models[(body, "validation")] = None
            for model in responses.values():
                models[(model, "serialization")] = None
            plans.append((path, method, entry, {
                "body": body, "responses": responses, "query": _query_names(tree) if tree is not None else [],
                "required": _required_query(tree) if tree is not None else set(),
                "statuses": _statuses(tree, function) if tree is not None else set(),
                "formats": dict(getattr(function, "_openapi_formats", {})),
                "media_type": getattr(function, "_openapi_media_type", None),
                "methods": len(entries)}))

    keyed, definitions = models_json_schema(list(models), ref_template=_REF)
    other_errors = _other_errors()
    paths: dict[str, dict[str, Any]] = {}
    error = {"$ref": keyed[(ErrorBody, "serialization")]["$ref"]}
    for path, method, entry, plan in plans:
        function = entry.view_function
        summary, description = _summary(function)
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"\{(\w+)\}", path)
        ] + [
            {"name": name, "in": "query", "required": name in plan["required"], "schema": (
                {"type": "string", "enum": ["json", *plan["formats"]]} if name == "format" and plan["formats"]
                else {"type": "string"})}
            for name in plan["query"]
        ]
        operation: dict[str, Any] = {
            "operationId": _operation_id(entry.view_name, method, plan["methods"]),
            "tags": [_tag(function)],
        }
        if summary:
            operation["summary"] = summary
        if description:
            operation["description"] = description
        if parameters:
            operation["parameters"] = parameters
        content_types = entry.content_types or ["application/json"]
        if plan["body"] is not None:
            schema = keyed[(plan["body"], "validation")]
            # A route that also takes other media types (a JSON body or a CSV) reads those as text.
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}, **{
                t: {"schema": {"type": "string"}} for t in content_types if t != "application/json"}}}
        elif method in ("POST", "PUT", "PATCH") and content_types != ["application/json"]:
            operation["requestBody"] = {"required": True, "content": {
                t: {"schema": {"type": "string"}} for t in content_types}}
        elif method in ("POST", "PUT", "PATCH"):
            operation["requestBody"] = {"required": False, "content": {
                "application/json": {"schema": {"type": "object"}}}}
        public = path in PUBLIC_PATHS
        operation["responses"] = _responses(plan, keyed, error, other_errors, public)
        if public:
            operation["security"] = []
        paths.setdefault(path, {})[method.lower()] = operation

    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": TITLE,
            "version": version,
            "description": "The portal API of EZD for education. Errors are {error_code, message}; "
                           "the codes are those of docs/error-codes.md.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "Locally a token from POST /auth/login (or `ezd token`); in AWS the Cognito ID token."}},
        },
    }


def render(app: Any) -> str:
    """The document as the text kept in portal/openapi.json."""
    return json.dumps(document(app), indent=2, ensure_ascii=False, sort_keys=True) + "\n"

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
from typing import Any, Callable, TypeVar

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ezd.api.common import HTTP_STATUS

OPENAPI_VERSION = "3.1.0"
TITLE = "EZD for education: portal API"
# Routes anyone may call: no bearer token (the ePUAP push authenticates by its signature).
PUBLIC_PATHS = {"/health", "/auth/login", "/auth/password", "/openapi.json", "/epuap/push/{unit}"}
_REF = "#/components/schemas/{model}"


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


def _unwrapped(function: Callable[..., Any]) -> Callable[..., Any]:
    return inspect.unwrap(function)


def _function_ast(function: Callable[..., Any]) -> ast.AST | None:
    try:
        source = textwrap.dedent(inspect.getsource(_unwrapped(function)))
    except (OSError, TypeError):
        return None
    return ast.parse(source)


def _query_names(tree: ast.AST) -> list[str]:
    """Query parameters the view reads: ``query(request).get("x")`` or ``q.get("x")`` with
    ``q = query(request)``."""
    aliases = {
        target.id
        for node in ast.walk(tree) if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) and node.value.func.id == "query"
        for target in node.targets if isinstance(target, ast.Name)
    }
    names: list[str] = []
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
    for node in calls:  # in the order the code reads them
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            continue
        receiver = node.func.value
        from_query = (isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name)
                      and receiver.func.id == "query") or (isinstance(receiver, ast.Name) and receiver.id in aliases)
        if from_query and node.args[0].value not in names:
            names.append(node.args[0].value)
    return names


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
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
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
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
        elif method in ("POST", "PUT", "PATCH") and content_types != ["application/json"]:
            operation["requestBody"] = {"required": True, "content": {
                t: {"schema": {"type": "string"}} for t in content_types}}
        elif method in ("POST", "PUT", "PATCH"):
            operation["requestBody"] = {"required": False, "content": {
                "application/json": {"schema": {"type": "object"}}}}
        responses: dict[str, Any] = {}
        declared = plan["responses"]
        for status, model in sorted(declared.items()):
            responses[str(status)] = {"description": "OK", "content": {
                "application/json": {"schema": keyed[(model, "serialization")]}}}
        if not declared:
            responses["200"] = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
        public = path in PUBLIC_PATHS
        for status, what in ((400, "invalid request (VALIDATION_FAILED, …)"),
                             (401, "no valid token (UNAUTHENTICATED)"),
                             (403, "another unit's or another role's (FORBIDDEN)"),
                             (404, "not found, or not the caller's to know (NOT_FOUND)")):
            if public and status in (401, 403):
                continue
            responses[str(status)] = {"description": what, "content": {"application/json": {"schema": error}}}
        responses["default"] = {"description": other_errors, "content": {"application/json": {"schema": error}}}
        operation["responses"] = responses
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

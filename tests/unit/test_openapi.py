"""The OpenAPI document is generated from the Chalice app: every route is in it, bodies and
responses are described by the routes' own models, and the committed copy the portal's
client is generated from (portal/openapi.json) is exactly what the code produces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ezd.api.openapi import PUBLIC_PATHS, document, render
from ezd.local.portal import api_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def app():
    return api_app(ROOT)


@pytest.fixture(scope="module")
def spec(app):
    return document(app)


def test_every_route_of_the_app_is_described(app, spec):
    routes = {(path, method.lower()) for path, entries in app.routes.items() for method in entries}
    described = {(path, method) for path, operations in spec["paths"].items() for method in operations}
    assert routes and routes == described
    assert spec["openapi"].startswith("3.1")
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_the_committed_document_is_the_generated_one(app):
    committed = ROOT / "portal" / "openapi.json"
    assert committed.read_text(encoding="utf-8") == render(app), (
        "portal/openapi.json is out of date: run `.venv/bin/ezd openapi --out portal/openapi.json`")


def test_bearer_everywhere_but_the_public_routes(spec):
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["bearer"]["description"]}
    assert spec["security"] == [{"bearer": []}]
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            json_errors = "application/json" in operation["responses"]["default"]["content"]
            if path in PUBLIC_PATHS:
                # No bearer token, so no UNAUTHENTICATED; the ePUAP push refuses an unsigned
                # message with a 401 of its own, in SOAP.
                assert operation["security"] == [] and (
                    "401" not in operation["responses"] or not json_errors), path
            else:
                assert "security" not in operation and "401" in operation["responses"], path
            if json_errors:
                assert "ACCOUNT_LOCKED (429)" in operation["responses"]["default"]["description"], path
    assert set(PUBLIC_PATHS) <= set(spec["paths"])


def test_parameters_bodies_and_responses_come_from_the_code(spec):
    register = spec["paths"]["/units/{unit}/registry"]["get"]
    assert [(p["in"], p["name"]) for p in register["parameters"]] == [
        ("path", "unit"), ("query", "year"), ("query", "limit"), ("query", "page_token"),
        ("query", "date_from"), ("query", "date_to"), ("query", "channel"), ("query", "sender"), ("query", "title"),
        ("query", "status"), ("query", "jrwa")]
    assert register["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RegisterPage"}
    login = spec["paths"]["/auth/login"]["post"]
    assert login["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/LoginBody"}
    schemas = spec["components"]["schemas"]
    assert set(schemas["LoginBody"]["required"]) == {"login", "password"}
    assert schemas["RegistryEntry"]["properties"]["received_at"]["format"] == "date-time"
    # A GET beside a PUT on the same view has no body; the PUT has the view's model.
    rules = spec["paths"]["/units/{unit}/classification-rules"]
    assert "requestBody" not in rules["get"]
    assert rules["put"]["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/RulesBody"}
    # Every reference resolves.
    text = json.dumps(spec)
    for name in {part.split('"')[0] for part in text.split("#/components/schemas/")[1:]}:
        assert name in schemas, name


def test_statuses_media_types_and_required_parameters_come_from_the_code(spec):
    paths = spec["paths"]
    # Only the statuses the view answers with: an upload ticket is 201, never 200.
    uploads = paths["/units/{unit}/uploads"]["post"]["responses"]
    assert "201" in uploads and "200" not in uploads
    # A table of statuses (registered 201, duplicate 200, conflict 409, else 422) is read too.
    paper = paths["/units/{unit}/paper-letters"]["post"]["responses"]
    assert {"200", "201", "202", "409", "422"} <= set(paper)
    # A conflict answers the registration (which earlier item it matches), not an error.
    assert paper["409"]["content"]["application/json"]["schema"] != {"$ref": "#/components/schemas/ErrorBody"}
    # ?format= values and the media types of the answers in them.
    report = paths["/units/{unit}/reports/intake"]["get"]
    assert set(report["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert [p["schema"] for p in report["parameters"] if p["name"] == "format"] == [
        {"type": "string", "enum": ["json", "csv"]}]
    assert set(paths["/units/{unit}/cases/{ref}/metryka"]["get"]["responses"]["200"]["content"]) == {
        "application/json", "text/csv", "text/html"}
    # The spis indexes cell and jrwa (after refusing a request without them): required.
    spis = {p["name"]: p["required"] for p in paths["/units/{unit}/spis"]["get"]["parameters"] if p["in"] == "query"}
    assert spis == {"cell": True, "jrwa": True, "year": False, "format": False, "limit": False, "after": False}
    # The ePUAP push answers in SOAP, its refusals too.
    push = paths["/epuap/push/{unit}"]["post"]["responses"]
    assert {"200", "400", "401", "404", "429", "503", "default"} == set(push)
    assert all(list(answer["content"]) == ["text/xml"] for answer in push.values())

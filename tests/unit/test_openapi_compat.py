"""Breaking changes of the OpenAPI document: each rule of ezd/api/openapi_compat.py on small
hand-made documents (it reports what it must, and not what it must not), the earlier
version found in git, and the check itself — the code breaks nothing that
docs/api-changes.md does not declare."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ezd.api.openapi_compat import breaking_changes, declared_keys, undeclared
from ezd.api.openapi_history import CHANGELOG, DOCUMENT, previous_version

ROOT = Path(__file__).resolve().parents[2]


def _document() -> dict[str, Any]:
    """One read and one write operation, with the shapes pydantic writes."""
    return {
        "openapi": "3.1.0",
        "paths": {
            "/units/{unit}/letters": {
                "get": {
                    "parameters": [
                        {"name": "unit", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "year", "in": "query", "required": False, "schema": {"type": "string"}},
                        {"name": "format", "in": "query", "required": False,
                         "schema": {"type": "string", "enum": ["json", "csv"]}},
                    ],
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}},
                                            "text/csv": {"schema": {"type": "string"}}}},
                        "404": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    },
                },
                "post": {
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewLetter"}}}},
                    "responses": {"201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Letter"}}}}},
                },
            },
        },
        "components": {"schemas": {
            "Page": {"type": "object", "required": ["items"], "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Letter"}},
                "next": {"anyOf": [{"type": "string"}, {"type": "null"}]}}},
            "Letter": {"type": "object", "required": ["number", "channel"], "properties": {
                "number": {"type": "integer"},
                "channel": {"type": "string", "enum": ["epuap", "post", "courier"]},
                "title": {"type": "string"}}},
            "NewLetter": {"type": "object", "required": ["title"], "properties": {
                "title": {"type": "string", "maxLength": 100},
                "channel": {"type": "string", "enum": ["post", "courier"]},
                "pages": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}},
        }},
    }


def _keys(new: dict[str, Any]) -> list[str]:
    return [change.key for change in breaking_changes(_document(), new)]


def _changed(edit) -> dict[str, Any]:
    document = copy.deepcopy(_document())
    edit(document)
    return document


def _letters(document: dict[str, Any], method: str) -> dict[str, Any]:
    return document["paths"]["/units/{unit}/letters"][method]


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]


def test_the_same_document_and_additions_break_nothing():
    assert _keys(_document()) == []

    def add(document):
        document["paths"]["/units/{unit}/cases"] = {"get": {"responses": {}}}
        _letters(document, "get")["parameters"].append(
            {"name": "sender", "in": "query", "required": False, "schema": {"type": "string"}})
        _letters(document, "get")["responses"]["202"] = {"content": {}}
        _schemas(document)["Letter"]["properties"]["sender"] = {"type": "string"}
        _schemas(document)["Letter"]["properties"]["channel"]["enum"].remove("courier")  # (see below)
        _schemas(document)["NewLetter"]["properties"]["channel"]["enum"].append("epuap")  # wider request
        _schemas(document)["NewLetter"]["properties"]["note"] = {"type": "string"}  # optional
        _schemas(document)["NewLetter"]["properties"]["title"]["maxLength"] = 200
        _schemas(document)["Page"]["properties"]["next"] = {"type": "string"}  # never null now: narrower

    assert _keys(_changed(add)) == [
        "GET /units/{unit}/letters: response 200 property 'items' items property 'channel' enum value 'courier' removed",
        "POST /units/{unit}/letters: response 201 property 'channel' enum value 'courier' removed"]


def test_an_operation_a_success_status_or_a_media_type_removed():
    assert _keys(_changed(lambda d: d["paths"]["/units/{unit}/letters"].pop("post"))) == [
        "POST /units/{unit}/letters: operation removed"]
    assert _keys(_changed(lambda d: d["paths"].pop("/units/{unit}/letters"))) == [
        "GET /units/{unit}/letters: operation removed", "POST /units/{unit}/letters: operation removed"]
    assert _keys(_changed(lambda d: _letters(d, "post")["responses"].pop("201"))) == [
        "POST /units/{unit}/letters: response 201 removed"]
    # An error answered with another status is still an error: not a break.
    assert _keys(_changed(lambda d: _letters(d, "get")["responses"].pop("404"))) == []
    assert _keys(_changed(lambda d: _letters(d, "get")["responses"]["200"]["content"].pop("text/csv"))) == [
        "GET /units/{unit}/letters: response 200 text/csv no longer answered"]


def test_an_answer_loses_a_property_a_guarantee_a_type_or_an_enum_value():
    assert _keys(_changed(lambda d: _schemas(d)["Letter"]["properties"].pop("title"))) == [
        "GET /units/{unit}/letters: response 200 property 'items' items property 'title' removed",
        "POST /units/{unit}/letters: response 201 property 'title' removed"]
    assert _keys(_changed(lambda d: _schemas(d)["Page"]["required"].remove("items"))) == [
        "GET /units/{unit}/letters: response 200 property 'items' no longer required"]
    assert _keys(_changed(lambda d: _schemas(d)["Letter"]["properties"].update(number={"type": "string"}))) == [
        "GET /units/{unit}/letters: response 200 property 'items' items property 'number' type changed from "
        "integer to string",
        "POST /units/{unit}/letters: response 201 property 'number' type changed from integer to string"]
    # May now be null: a client that read a string must handle null.
    assert _keys(_changed(lambda d: _schemas(d)["Letter"]["properties"].update(
        title={"anyOf": [{"type": "string"}, {"type": "null"}]}))) == [
        "GET /units/{unit}/letters: response 200 property 'items' items property 'title' type changed from "
        "string to null|string",
        "POST /units/{unit}/letters: response 201 property 'title' type changed from string to null|string"]
    assert _keys(_changed(lambda d: _schemas(d)["Letter"]["properties"]["channel"]["enum"].remove("epuap"))) == [
        "GET /units/{unit}/letters: response 200 property 'items' items property 'channel' enum value 'epuap' removed",
        "POST /units/{unit}/letters: response 201 property 'channel' enum value 'epuap' removed"]


def test_a_request_must_send_more_or_may_send_less():
    def required_parameter(document):
        _letters(document, "get")["parameters"].append(
            {"name": "cell", "in": "query", "required": True, "schema": {"type": "string"}})

    assert _keys(_changed(required_parameter)) == ["GET /units/{unit}/letters: query parameter 'cell' added as required"]
    assert _keys(_changed(lambda d: _letters(d, "get")["parameters"][1].update(required=True))) == [
        "GET /units/{unit}/letters: query parameter 'year' became required"]
    assert _keys(_changed(lambda d: _letters(d, "get")["parameters"][1].update(
        schema={"type": "string", "enum": ["2026"]}))) == [
        "GET /units/{unit}/letters: query parameter 'year' restricted to an enum"]
    assert _keys(_changed(lambda d: _letters(d, "get")["parameters"][2]["schema"]["enum"].remove("csv"))) == [
        "GET /units/{unit}/letters: query parameter 'format' enum value 'csv' removed"]
    assert _keys(_changed(lambda d: _schemas(d)["NewLetter"]["required"].append("channel"))) == [
        "POST /units/{unit}/letters: request body application/json property 'channel' became required"]

    def required_property(document):
        _schemas(document)["NewLetter"]["properties"]["cell"] = {"type": "string"}
        _schemas(document)["NewLetter"]["required"].append("cell")

    assert _keys(_changed(required_property)) == [
        "POST /units/{unit}/letters: request body application/json property 'cell' added as required"]
    assert _keys(_changed(lambda d: _schemas(d)["NewLetter"]["properties"]["channel"]["enum"].remove("courier"))) == [
        "POST /units/{unit}/letters: request body application/json property 'channel' enum value 'courier' removed"]
    # No longer null: a client that sent null is refused.
    assert _keys(_changed(lambda d: _schemas(d)["NewLetter"]["properties"].update(pages={"type": "integer"}))) == [
        "POST /units/{unit}/letters: request body application/json property 'pages' type narrowed from "
        "integer|null to integer"]
    assert _keys(_changed(lambda d: _letters(d, "post")["requestBody"].update(required=False))) == []

    def optional_body_now_required(document):
        _letters(document, "post")["requestBody"]["required"] = False

    relaxed = _changed(optional_body_now_required)
    assert [c.key for c in breaking_changes(relaxed, _document())] == [
        "POST /units/{unit}/letters: request body became required"]
    get_body = _changed(lambda d: _letters(d, "get").update(requestBody={"required": True, "content": {}}))
    assert _keys(get_body) == ["GET /units/{unit}/letters: request body added as required"]
    assert _keys(_changed(lambda d: _letters(d, "post")["requestBody"].update(content={"text/csv": {}}))) == [
        "POST /units/{unit}/letters: request body application/json no longer accepted"]


def test_a_declared_break_is_one_whose_key_the_changelog_names_in_backticks():
    breaks = breaking_changes(_document(), _changed(lambda d: d["paths"]["/units/{unit}/letters"].pop("post")))
    changelog = "## 2026-12-04\n\n- Letters come only from ePUAP now: `POST /units/{unit}/letters: operation removed`.\n"
    assert declared_keys(changelog) == {"POST /units/{unit}/letters: operation removed"}
    assert undeclared(breaks, changelog) == []
    assert [c.key for c in undeclared(breaks, "POST /units/{unit}/letters: operation removed")] == [
        "POST /units/{unit}/letters: operation removed"]  # named, but not as a key in backticks


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
                               "PATH": "/usr/bin:/bin", "HOME": str(root)}).stdout


def _commit(root: Path, text: str, message: str) -> str:
    (root / DOCUMENT).write_text(text, encoding="utf-8")
    _git(root, "add", DOCUMENT)
    _git(root, "commit", "-q", "-m", message)
    return _git(root, "rev-parse", "HEAD").strip()


def test_the_earlier_version_is_the_one_before_the_latest_change_or_the_latest_while_uncommitted(tmp_path):
    repo = tmp_path / "repo"
    (repo / "portal").mkdir(parents=True)
    _git(repo, "init", "-q")
    assert previous_version(tmp_path / "elsewhere", "{}").text is None
    first = _commit(repo, "v1\n", "first")
    assert previous_version(repo, "v1\n").text is None  # the first version: nothing earlier
    (repo / "README").write_text("x")
    _git(repo, "add", "README")
    _git(repo, "commit", "-q", "-m", "unrelated")
    second = _commit(repo, "v2\n", "second")
    assert previous_version(repo, "v2\n") == type(previous_version(repo, "v2\n"))("v1\n", first)
    # Uncommitted, the generated document is compared with the latest commit's.
    assert previous_version(repo, "v3\n").where == second
    # A shallow clone (as some CIs make) has no earlier version: skipped, and told why.
    shallow = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    missing = previous_version(shallow, "v2\n")
    assert missing.text is None and "shallow" in missing.where


def test_the_code_breaks_nothing_that_the_changelog_does_not_declare():
    from ezd.api.openapi import render
    from ezd.local.portal import api_app

    generated = render(api_app(ROOT))
    baseline = previous_version(ROOT, generated)
    if baseline.text is None:
        pytest.skip(f"no earlier API document to compare with: {baseline.where}")
    changelog = (ROOT / CHANGELOG).read_text(encoding="utf-8")
    missing = undeclared(breaking_changes(json.loads(baseline.text), json.loads(generated)), changelog)
    assert not missing, (
        f"breaking changes of the API against {DOCUMENT} of {baseline.where[:12]}; declare each one that is "
        f"meant in {CHANGELOG} (the line in backticks, with why), or keep the API compatible:\n"
        + "\n".join(f"  `{change.key}`" for change in missing))

"""Every handler answers its sample events from events/, invoked through the Lambda API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ezd.adapters.aws import client

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"


def _function_dirs(stack) -> dict[str, str]:
    """Function folder name -> deployed function name, from the template."""
    template = stack.provisioned.template
    return {
        template.code_dir(resource).name: resource.name
        for resource in template.of_type("AWS::Serverless::Function")
    }


def _invoke(function_name: str, event: dict) -> tuple[dict, str | None]:
    response = client("lambda").invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
    return json.loads(response["Payload"].read()), response.get("FunctionError")


def test_every_function_has_a_sample_event(stack):
    samples = {p.stem for p in EVENTS.glob("*.json")}
    for folder in _function_dirs(stack):
        assert any(name == folder or name.startswith(folder + "_") for name in samples), folder


@pytest.fixture(scope="module")
def staged_payload(stack):
    intake = json.loads((EVENTS / "intake_accept.json").read_text())["intake"]
    assert intake["staged"]["bucket"] == stack.provisioned.name("StagingBucket")
    staged = client("s3").put_object(
        Bucket=intake["staged"]["bucket"], Key=intake["staged"]["key"], Body=(EVENTS / "payloads" / "letter.xml").read_bytes()
    )
    # The samples name no version (moto chooses it); the staged object's real one goes in,
    # as the poller would put it: the steps read a staged delivery by its version.
    _STAGED_VERSION[intake["staged"]["key"]] = staged["VersionId"]
    intake["staged"]["version_id"] = staged["VersionId"]
    return intake


_STAGED_VERSION: dict[str, str] = {}


def _event(name: str) -> dict:
    event = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    staged = (event.get("intake") or {}).get("staged") if isinstance(event, dict) else None
    if staged and staged.get("key") in _STAGED_VERSION:
        staged["version_id"] = _STAGED_VERSION[staged["key"]]
    return event


def test_intake_step_events_in_workflow_order(stack, staged_payload):
    functions = _function_dirs(stack)
    accepted, error = _invoke(functions["intake_accept"], _event("intake_accept.json"))
    assert error is None and accepted["letter"]["title"] == "Wniosek o wydanie duplikatu świadectwa"
    assert accepted["letter"] == _event("intake_register.json")["letter"]
    report = accepted["signatures"]
    assert (report["signature"], report["certificate"]) == ("absent", "none")
    assert accepted["stored"]["original"]["sha256"] == staged_payload["staged"]["sha256"]
    registration, error = _invoke(functions["intake_register"], _event("intake_register.json"))
    # registered_at is the moment of the run; the rest is the sample's.
    assert error is None and registration.pop("registered_at")
    assert registration == _event("intake_receipt.json")["registration"]
    receipt, error = _invoke(functions["intake_receipt"], _event("intake_receipt.json"))
    assert error is None and receipt["mime"] == "application/xml"
    note, error = _invoke(functions["intake_notify"], _event("intake_notify.json"))
    assert error is None and note["registry_number"] == registration["registry_number"]
    routing, error = _invoke(functions["intake_classify"], _event("intake_classify.json"))
    assert error is None and routing == {"status": "classified", "jrwa": "433"}  # "duplikat świadectwa"
    waiting, error = _invoke(functions["routing_await"], _event("routing_await.json"))
    assert error is None and waiting["waiting"] == "decision"  # decreed by the city's model, token stored
    outcome, error = _invoke(functions["intake_quarantine"], _event("intake_quarantine.json"))
    assert error is None and (outcome["status"], outcome["error_code"]) == ("rejected", "NOT_XML")


def test_a_malformed_event_fails_with_the_exception_name(stack):
    body, error = _invoke(_function_dirs(stack)["intake_accept"], {"intake": {"unit": "SP11"}})
    assert error == "Unhandled" and body["errorType"] == "ValidationError"


def test_deadline_watch_events(stack):
    functions = _function_dirs(stack)
    report, error = _invoke(functions["deadline_watch"], _event("deadline_watch_unit.json"))
    assert error is None and report["units"] == 1
    everyone, error = _invoke(functions["deadline_watch"], _event("deadline_watch.json"))
    assert error is None and everyone["units"] == 165


def test_poller_events(stack):
    functions = _function_dirs(stack)
    one, error = _invoke(functions["epuap_poller"], _event("epuap_poller_unit.json"))
    assert error is None and [u["unit"] for u in one["units"]] == ["SP11"]
    everyone, error = _invoke(functions["epuap_poller"], _event("epuap_poller_schedule.json"))
    assert error is None and len(everyone["units"]) == 165
    assert not [u for u in everyone["units"] if u["error"]]


def test_api_events(stack, api, staged_payload):
    functions = _function_dirs(stack)
    health, error = _invoke(functions["api"], _event("api_health.json"))
    assert error is None and health["statusCode"] == 200
    event = _event("api_registry.json")
    event["headers"]["Authorization"] = f"Bearer {api.token('sp11.sekretariat')}"
    response, error = _invoke(functions["api"], event)
    assert error is None and response["statusCode"] == 200, response
    assert "items" in json.loads(response["body"])
    event["headers"]["Authorization"] = f"Bearer {api.token('sp12.sekretariat')}"
    response, _ = _invoke(functions["api"], event)
    assert response["statusCode"] == 403


def test_audit_anchor_events(stack):
    functions = _function_dirs(stack)
    one, error = _invoke(functions["audit_anchor"], _event("audit_anchor.json"))
    assert error is None and one["units"] == 1 and one["written"][0]["key"].startswith("anchors/SP11/")
    everyone, error = _invoke(functions["audit_anchor"], _event("audit_anchor_schedule.json"))
    assert error is None and everyone["units"] == 165


def test_dispatch_events(stack):
    """The scheduled evidence check of the electronic dispatch (the lines whose workflow
    stopped waiting): a run finds its work and reports it."""
    functions = _function_dirs(stack)
    report, error = _invoke(functions["dispatch_send"], _event("dispatch_send_schedule.json"))
    assert error is None and "delivered" in report, report

"""moto's Step Functions interpreter with each definition and JSONPath parsed once
(ezd.local.moto_sfn_patches) behaves as without: the same outputs and histories, run one
after another and concurrently, and executions leave the shared program unchanged.

The definition uses what the project's workflows use: Parameters with paths and
intrinsic functions, ResultPath, OutputPath, InputPath, Choice (And, Not, IsPresent,
numeric, string and boolean comparisons), Retry and Catch, Fail, Succeed, Map with
ItemSelector and the context object, Parallel.
"""

from __future__ import annotations

import json
import threading
import time
import types
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from ezd.local import moto_sfn_patches
from testkit import moto_sandbox

ROLE = "arn:aws:iam::123456789012:role/workflow"
CONFIG = {"stepfunctions": {"execute_state_machine": True}}

DEFINITION = {
    "Comment": "Letters: prepare, route, work (retried, then caught), pages, done.",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Parameters": {
                "id.$": "$.intake.id",
                "label.$": "States.Format('{}/{}', $.intake.unit, $.intake.id)",
                "parts.$": "States.StringSplit($.intake.path, '/')",
                "count.$": "States.ArrayLength($.intake.pages)",
                "meta.$": "States.StringToJson($.intake.meta)",
                "next.$": "States.MathAdd($.intake.n, 1)",
                "merged.$": "States.JsonMerge($.intake.a, $.intake.b, false)",
                "first.$": "$.intake.pages[0]",
                "hash.$": "States.Hash($.intake.id, 'SHA-256')",
                "fixed": "x",
            },
            "ResultPath": "$.prepared",
            "Next": "Route",
        },
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.intake.test", "BooleanEquals": True, "Next": "Test"},
                {"And": [{"Variable": "$.prepared.count", "NumericGreaterThan": 2},
                         {"Variable": "$.intake.kind", "StringEquals": "pismo"}], "Next": "Work"},
                {"Not": {"Variable": "$.intake.maybe", "IsPresent": True}, "Next": "Fallback"},
            ],
            "Default": "Work",
        },
        "Fallback": {"Type": "Pass", "Result": {"fallback": True, "list": [1, 2]}, "ResultPath": "$.fallback",
                     "Next": "Work"},
        "Work": {
            "Type": "Parallel",
            "InputPath": "$.intake",
            "Branches": [{
                "StartAt": "MaybeFail",
                "States": {
                    "MaybeFail": {"Type": "Choice", "Choices": [
                        {"Variable": "$.fail", "StringEquals": "boom", "Next": "Boom"}], "Default": "Fine"},
                    "Boom": {"Type": "Fail", "Error": "Custom.Boom", "Cause": "it broke"},
                    "Fine": {"Type": "Pass", "Result": {"ok": True}, "End": True},
                },
            }],
            "Retry": [{"ErrorEquals": ["Custom.Boom"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2.0}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Quarantine"}],
            "ResultPath": "$.work",
            "Next": "Pages",
        },
        "Pages": {
            "Type": "Map",
            "ItemsPath": "$.intake.pages",
            "MaxConcurrency": 1,
            "ItemSelector": {"page.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "unit.$": "$.intake.unit"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Page", "States": {
                "Page": {"Type": "Pass", "Parameters": {"label.$": "States.Format('{}-{}', $.unit, $.page)",
                                                        "index.$": "$.index"}, "End": True}}},
            "ResultPath": "$.pages",
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "OutputPath": "$.prepared", "End": True},
        "Test": {"Type": "Succeed", "OutputPath": "$.intake"},
        "Quarantine": {"Type": "Pass", "Parameters": {"code": "failed", "error.$": "$.error.Error",
                                                      "cause.$": "$.error.Cause"}, "Next": "Failed"},
        "Failed": {"Type": "Fail", "Error": "Quarantined", "Cause": "see the quarantine"},
    },
}


def _input(i: int, **changes: Any) -> dict[str, Any]:
    intake = {"id": f"id-{i}", "unit": "SP1", "path": "a/b/c", "pages": ["p1", "p2", "p3"], "meta": '{"k": [1, 2]}',
              "n": i, "a": {"x": 1, "y": {"z": 1}}, "b": {"y": {"w": 2}}, "kind": "pismo", "maybe": 1, "fail": "no",
              "test": False}
    intake.update(changes)
    return {"intake": intake}


INPUTS = [
    _input(1),                                                 # Work, Pages, Done
    _input(2, test=True),                                      # Test
    _input(3, kind="other", maybe=None) | {},                  # Default: Work
    _input(4, kind="other", pages=["only"]),                   # Default (maybe present)
    _input(5, fail="boom"),                                    # retried twice, caught, quarantined
]
del INPUTS[2]["intake"]["maybe"]  # not present: Fallback


def _wait(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        description = sfn.describe_execution(executionArn=arn)
        if description["status"] != "RUNNING":
            return description
        time.sleep(0.02)
    raise AssertionError(f"{arn} did not end")


def _run(sfn: Any, machine: str, name: str, document: dict[str, Any]) -> dict[str, Any]:
    arn = sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(document))["executionArn"]
    return _outcome(sfn, arn, name)


def _outcome(sfn: Any, arn: str, name: str) -> dict[str, Any]:
    described = _wait(sfn, arn)
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    for event in events:
        event.pop("timestamp")
    text = json.dumps(events, sort_keys=True, default=str).replace(f'"{name}"', '"<name>"')
    return {"status": described["status"], "output": described.get("output"), "error": described.get("error"),
            "cause": described.get("cause"), "history": json.loads(text)}


def _fingerprint(node: Any, seen: set[int] | None = None) -> Any:
    """The program's whole structure and values, to see that evaluation changed nothing."""
    from moto.stepfunctions.parser.asl.component.component import Component

    seen = set() if seen is None else seen
    if isinstance(node, (str, int, float, bool, type(None))):
        return node
    if id(node) in seen:
        return f"<seen {type(node).__name__}>"
    seen.add(id(node))
    if isinstance(node, (list, tuple)):
        return [_fingerprint(v, seen) for v in node]
    if isinstance(node, dict):
        return {str(k): _fingerprint(v, seen) for k, v in node.items()}
    if isinstance(node, Component):
        return {type(node).__name__: {k: _fingerprint(v, seen) for k, v in sorted(vars(node).items())}}
    return repr(node)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts moto's real parses (ANTLR runs on a definition, JSONPath parser runs), below
    the caches; retries do not wait."""
    from jsonpath_ng.parser import JsonPathParser
    from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    counts = {"definitions": 0, "paths": 0}
    state_machine, parse_path = ASLParser.state_machine, JsonPathParser.parse

    def counting_state_machine(self: Any) -> Any:
        counts["definitions"] += 1
        return state_machine(self)

    def counting_parse(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts["paths"] += 1
        return parse_path(self, *args, **kwargs)

    monkeypatch.setattr(ASLParser, "state_machine", counting_state_machine)
    monkeypatch.setattr(JsonPathParser, "parse", counting_parse)
    monkeypatch.setattr(retrier_decl, "time", types.SimpleNamespace(sleep=lambda seconds: None))
    moto_sfn_patches.install()
    moto_sfn_patches.clear()
    yield counts
    moto_sfn_patches.enabled = True
    moto_sfn_patches.clear()


def test_the_same_definition_runs_alike_parsed_once_or_every_time(counted: dict[str, int]) -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    definition = json.dumps(DEFINITION)
    with moto_sandbox(config=CONFIG):
        sfn = boto3.client("stepfunctions", region_name="eu-central-1")
        # moto's own parsing: every execution parses the definition and every path again.
        moto_sfn_patches.enabled = False
        plain = sfn.create_state_machine(name="plain", roleArn=ROLE, definition=definition)["stateMachineArn"]
        expected = [_run(sfn, plain, f"run-plain-{i}", document) for i, document in enumerate(INPUTS)]
        assert counted["definitions"] == 1 + len(INPUTS)  # the create's check, and one per execution
        paths_without_cache = counted["paths"]

        moto_sfn_patches.enabled = True
        before = dict(counted)
        cached = sfn.create_state_machine(name="cached", roleArn=ROLE, definition=definition)["stateMachineArn"]
        shape = _fingerprint(AmazonStateLanguageParser.parse(definition)[0])  # as parsed, before any execution
        first = [_run(sfn, cached, f"run-cached-{i}", document) for i, document in enumerate(INPUTS)]
        assert counted["definitions"] == before["definitions"] + 1  # the create's, reused by every execution
        paths_once = counted["paths"] - before["paths"]
        again = [_run(sfn, cached, f"run-again-{i}", document) for i, document in enumerate(INPUTS)]
        assert counted["definitions"] == before["definitions"] + 1
        assert counted["paths"] - before["paths"] == paths_once  # no path parsed twice

        # All inputs at once, three times each: executions in their own threads share the program.
        names = [(f"run-together-{round_}-{i}", document) for round_ in range(3) for i, document in enumerate(INPUTS)]
        barrier = threading.Barrier(len(names))
        arns: dict[str, str] = {}

        def start(name: str, document: dict[str, Any]) -> None:
            client = boto3.client("stepfunctions", region_name="eu-central-1")
            barrier.wait()
            arns[name] = client.start_execution(stateMachineArn=cached, name=name,
                                                input=json.dumps(document))["executionArn"]

        threads = [threading.Thread(target=start, args=pair) for pair in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        together = [_outcome(sfn, arns[name], name) for name, _ in names]
        assert _fingerprint(AmazonStateLanguageParser.parse(definition)[0]) == shape

    assert paths_once < paths_without_cache / 2
    assert [o["status"] for o in expected] == ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED"]
    retried = [e for e in expected[4]["history"] if e["type"] == "ParallelStateStarted"]
    assert len(retried) == 3  # the first attempt and two retries, then the Catch
    assert json.loads(expected[0]["output"])["label"] == "SP1/id-1"
    assert first == expected
    assert again == expected
    assert together == expected * 3


def test_a_definition_that_does_not_parse_is_refused_each_time(counted: dict[str, int]) -> None:
    with moto_sandbox(config=CONFIG):
        sfn = boto3.client("stepfunctions", region_name="eu-central-1")
        for name in ("bad1", "bad2"):
            with pytest.raises(ClientError, match="ASLParserException"):
                sfn.create_state_machine(name=name, roleArn=ROLE, definition='{"StartAt": "X", "States": {"X": {}}}')
    assert counted["definitions"] == 2

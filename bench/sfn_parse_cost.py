"""What moto's Step Functions interpreter costs per execution of the intake workflow, with
each definition and JSONPath parsed once (ezd.local.moto_sfn_patches) and without, in one
run.

    .venv/bin/python -m bench.sfn_parse_cost                 # 100 executions each way
    .venv/bin/python -m bench.sfn_parse_cost --executions 300

statemachines/intake.asl.json runs in-process on moto (``mock_aws``), its Lambda tasks
answered at once by canned payloads (the happy path: accepted, registered, receipt,
notified, classified, routing started — a one-state child machine), so what is measured is
the interpreter alone: process CPU per execution (the intake and the routing execution it
starts), and the CPU spent inside moto's parsers. Blocks of executions alternate between
the two modes, so drift on a shared machine hits both alike. Nothing asserts a time; the run
fails if an execution does not succeed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import cpu_seconds, percentile  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
ROLE = "arn:aws:iam::123456789012:role/workflow"
PAYLOADS = {
    "AcceptDeliveryFunctionArn": {"letter": {"is_test": False, "title": "Wniosek"}, "signatures": [{"valid": True}],
                                  "stored": {"bucket": "archive", "key": "sha256/ab/abc"}},
    "RegisterFunctionArn": {"status": "registered", "document_id": "SP1-abc", "registry_number": "RPW/1/2026"},
    "IssueReceiptFunctionArn": {"receipt": "UPP-1"},
    "NotifyRegistryFunctionArn": {},
    "ClassifyFunctionArn": {"status": "classified", "rule_id": "r1"},
}


def _definition(routing_arn: str) -> str:
    text = (ROOT / "statemachines" / "intake.asl.json").read_text(encoding="utf-8")

    def arn(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "RoutingStateMachineArn":
            return routing_arn
        return f"arn:aws:lambda:eu-central-1:123456789012:function:{name}"

    return re.sub(r"\$\{(\w+)\}", arn, text)


def _answer_lambdas() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    def invoke(parameters: dict[str, Any], region: str, state_credentials: Any) -> dict[str, Any]:
        name = parameters["FunctionName"].rsplit(":", 1)[-1]
        return {"StatusCode": 200, "Payload": json.loads(json.dumps(PAYLOADS[name]))}

    lambda_eval_utils._invoke_lambda_function = invoke  # noqa: SLF001


class ParseTimer:
    """Thread CPU spent in moto's definition and JSONPath parsers (with the caches in front)."""

    def __init__(self) -> None:
        from moto.stepfunctions.parser.asl.component.common.path import result_path
        from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
        from moto.stepfunctions.parser.asl.utils import json_path

        self.seconds = {"definition": 0.0, "jsonpath": 0.0}
        self.calls = {"definition": 0, "jsonpath": 0}
        self._lock = threading.Lock()
        AmazonStateLanguageParser.parse = staticmethod(self._timed(AmazonStateLanguageParser.parse, "definition"))
        json_path.parse = self._timed(json_path.parse, "jsonpath")
        result_path.parse = self._timed(result_path.parse, "jsonpath")

    def _timed(self, fn: Any, what: str) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds[what] += time.thread_time() - started
                    self.calls[what] += 1

        return timed

    def take(self) -> tuple[dict[str, float], dict[str, int]]:
        with self._lock:
            seconds, calls = dict(self.seconds), dict(self.calls)
            self.seconds = dict.fromkeys(seconds, 0.0)
            self.calls = dict.fromkeys(calls, 0)
        return seconds, calls


def _wait(sfn: Any, arn: str) -> dict[str, Any]:
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.001)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=100, help="executions per mode (default 100)")
    parser.add_argument("--block", type=int, default=10, help="executions per alternating block (default 10)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    import logging

    import boto3
    from moto import mock_aws

    from ezd.local import moto_sfn_patches

    try:
        from ezd.local import moto_sfn_integration
    except ImportError:  # without it moto's states:startExecution fails and the intake takes its Catch
        moto_sfn_integration = None

    logging.getLogger("moto").setLevel(logging.CRITICAL)
    moto_sfn_patches.install()
    if moto_sfn_integration is not None:
        moto_sfn_integration.install()  # states:startExecution as the intake calls it
    timer = ParseTimer()
    _answer_lambdas()
    figures: dict[str, dict[str, list[float]]] = {mode: {"cpu": [], "wall": [], "definition": [], "jsonpath": []}
                                                  for mode in ("cached", "moto")}
    calls: dict[str, dict[str, int]] = {mode: {"definition": 0, "jsonpath": 0} for mode in figures}
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sfn = boto3.client("stepfunctions", region_name="eu-central-1")
        routing = sfn.create_state_machine(name="routing", roleArn=ROLE, definition=json.dumps(
            {"StartAt": "Wait", "States": {"Wait": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
        intake = sfn.create_state_machine(name="intake", type="EXPRESS", roleArn=ROLE,
                                          definition=_definition(routing))["stateMachineArn"]
        done = 0
        number = 0
        while done < args.executions:
            for mode in ("cached", "moto"):
                moto_sfn_patches.enabled = mode == "cached"
                for _ in range(min(args.block, args.executions - done)):
                    number += 1
                    document = {"intake": {"intake_id": f"i{number:06d}", "unit": "SP1", "channel": "epuap",
                                           "correlation_id": f"c{number}", "staged": {"bucket": "s", "key": "k"}}}
                    timer.take()
                    cpu, wall = cpu_seconds(), time.perf_counter()
                    arn = sfn.start_execution(stateMachineArn=intake, name=f"run{number}",
                                              input=json.dumps(document))["executionArn"]
                    described = _wait(sfn, arn)
                    if described["status"] != "SUCCEEDED":
                        raise SystemExit(f"execution {number} ({mode}): {described['status']} {described.get('cause')}")
                    child = _wait(sfn, f"{routing.replace(':stateMachine:', ':execution:')}:i{number:06d}") \
                        if moto_sfn_integration is not None else {"status": "SUCCEEDED"}
                    figures[mode]["cpu"].append(cpu_seconds() - cpu)
                    figures[mode]["wall"].append(time.perf_counter() - wall)
                    seconds, counted = timer.take()
                    for what in ("definition", "jsonpath"):
                        figures[mode][what].append(seconds[what])
                        calls[mode][what] += counted[what]
                    if child["status"] != "SUCCEEDED":
                        raise SystemExit(f"routing {number} ({mode}): {child['status']} {child.get('cause')}")
            done += min(args.block, args.executions - done)
    moto_sfn_patches.enabled = True

    def summary(values: list[float]) -> dict[str, float]:
        return {"mean_ms": round(sum(values) / len(values) * 1000, 2), "p50_ms": round(percentile(values, 50) * 1000, 2),
                "p95_ms": round(percentile(values, 95) * 1000, 2)}

    modes = {mode: {what: summary(values) for what, values in data.items()} | {"parser_calls": calls[mode]}
             for mode, data in figures.items()}
    result = {
        "benchmark": "sfn_parse_cost",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average": os.getloadavg()},
        "executions_per_mode": args.executions,
        "what": "process CPU and wall time per intake execution (with the routing execution it starts), canned"
                " Lambda payloads; 'cached' = ezd.local.moto_sfn_patches, 'moto' = moto parsing every time",
        "modes": modes,
        "ratio_cpu_cached_to_moto": round(modes["cached"]["cpu"]["mean_ms"] / modes["moto"]["cpu"]["mean_ms"], 3),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = args.out or RESULTS_DIR / f"sfn_parse_cost-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"  intake executions per mode                {args.executions}")
    print(f"  {'':<10} {'CPU/exec mean':>14} {'p50':>8} {'p95':>8} {'wall p50':>9} {'in parsers':>11}  parser calls")
    for mode, data in modes.items():
        parsers = data["definition"]["mean_ms"] + data["jsonpath"]["mean_ms"]
        print(f"  {mode:<10} {data['cpu']['mean_ms']:>11.1f} ms {data['cpu']['p50_ms']:>8.1f} {data['cpu']['p95_ms']:>8.1f}"
              f" {data['wall']['p50_ms']:>9.1f} {parsers:>8.1f} ms  {data['parser_calls']}")
    print(f"  ratio CPU cached / moto                   {result['ratio_cpu_cached_to_moto']:.3f}")
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

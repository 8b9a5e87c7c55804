"""The running API answers what its OpenAPI document says: schemathesis generates requests
for every operation of GET /openapi.json and checks each answer — no 5xx, a documented
status, a documented content type, a body of the documented schema.

The fuzzer changes data at random (it opens cases, replaces rules and plans), so it gets a
stack of its own: this file, run as ``__main__``, is that stack's process; the session's
shared stack is never touched. In it SP13 has one registered letter and one open case, and
the fuzzer runs as that unit's people with the path parameters pointed at them — so the
handlers run past the 401/403/404 gates — and once more with whatever it generates.

Seeded (``derandomize``), without shrinking, 2-6 examples per operation and caller: bounded in time
and the same requests every day; a failure names the operation and a curl to repeat it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))  # testkit, also when run as the stack's process

pytestmark = [pytest.mark.stack]

UNIT = "SP13"
# (who calls, whether the path parameters are the unit's own, examples per operation)
RUNS = (("sp13.dyrektor", True, 6), ("sp13.sekretariat", True, 4), ("sp13.dyrektor", False, 2))


def _serve(state_dir: Path) -> None:
    """The fuzzer's own stack: no schedules, nothing kept after it stops. It stops on
    SIGTERM, or when its standard input closes: the test process is gone, however it ended."""
    from ezd.local.stack import LocalStack

    stack = LocalStack(state_dir, api_port=0, run_schedules=False, persist=False)
    stack.start()
    print("EZD-FUZZ-STACK-READY", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stopped.set()), daemon=True).start()
    stopped.wait()
    stack.stop()


@pytest.fixture(scope="module")
def fuzz_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from testkit import Api

    state = tmp_path_factory.mktemp("fuzz-stack")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers"), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, __file__, str(state)], env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 120
        for line in process.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if "EZD-FUZZ-STACK-READY" in line or time.monotonic() > deadline:
                break
        if not (state / "stack.json").is_file() or process.poll() is not None:
            pytest.fail("the fuzzer's stack did not start:\n" + "".join(lines[-40:]))
        # Keep reading its output, or the stack blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # type: ignore[union-attr]
        info = json.loads((state / "stack.json").read_text(encoding="utf-8"))
        yield Api(info["api_url"], Path(info["token_key_file"]).read_text(encoding="ascii").strip())
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def own_ids(fuzz_api: Any) -> dict[str, str]:
    """The path parameters that name something of SP13's: a letter registered from paper
    and a case of the director's."""
    from testkit import PaperDesk, wait_for

    registered = PaperDesk(fuzz_api).register(UNIT, title="Wniosek o duplikat legitymacji", access="niepubliczny")
    if registered.status == 202:  # a busy machine: the intake outlasted the registration's wait
        outcome = wait_for(lambda: (lambda r: r.body if r.status == 200 else None)(fuzz_api.call(
            "GET", f"/units/{UNIT}/intakes/{registered.body['intake_id']}", user="sp13.sekretariat")),
            "the registration's outcome", timeout=120)
        registered.body.update(outcome)
    assert registered.status in (201, 202) and registered.body.get("status") == "registered", registered.body
    opened = fuzz_api.call("POST", f"/units/{UNIT}/cases", user="sp13.dyrektor", json_body={
        "jrwa_symbol": "433", "title": "Duplikat legitymacji"})
    assert opened.status == 201, opened.body
    return {"unit": UNIT, "document_id": registered.body["document_id"], "intake_id": registered.body["intake_id"],
            "upload_id": registered.body["upload_id"], "ref": opened.body["ref"], "symbol": "433",
            "name": "registry"}


def test_every_answer_of_the_running_api_is_the_documented_one(fuzz_api: Any, own_ids: dict[str, str]) -> None:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    served = fuzz_api.call("GET", "/openapi.json")
    assert served.status == 200
    schema = schemathesis.openapi.from_dict(served.body)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    failures: dict[str, str] = {}
    seen: dict[str, set[int]] = {}
    started = time.monotonic()
    for login, own, examples in RUNS:
        headers = {"Authorization": f"Bearer {fuzz_api.token(login)}"}
        for result in schema.get_all_operations():
            operation = result.ok()
            label = f"{operation.method.upper()} {operation.path}"

            @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def exercise(case: Any) -> None:
                if own:
                    for name in case.path_parameters or {}:
                        case.path_parameters[name] = own_ids.get(name, case.path_parameters[name])
                if case.query and "wait" in case.query:
                    case.query["wait"] = "0"  # a registration may wait 25 s for its outcome: not here
                response = case.call(base_url=fuzz_api.base_url, headers=headers, timeout=60)
                seen.setdefault(label, set()).add(response.status_code)
                try:
                    case.validate_response(response, checks=checks)
                except (AssertionError, BaseExceptionGroup) as exc:  # a Failure, or schemathesis' group of them
                    failures.setdefault(f"{label} as {login}{' (own ids)' if own else ''}", str(exc)[:6000])

            exercise()
    elapsed = time.monotonic() - started
    print(f"fuzzed {len(seen)} operations in {elapsed:.0f} s: " + "; ".join(
        f"{label} {sorted(codes)}" for label, codes in sorted(seen.items())))
    assert not failures, "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())
    # The fuzzer got past authentication and into the handlers of the read routes.
    for label in ("GET /me", "GET /units/{unit}/registry", "GET /units/{unit}/cases/{ref}",
                  "GET /units/{unit}/documents/{document_id}", "GET /units/{unit}/jrwa"):
        assert 200 in seen.get(label, set()), (label, seen.get(label))


if __name__ == "__main__":
    _serve(Path(sys.argv[1]))

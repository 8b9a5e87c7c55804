"""What the checks of "fit for real use" cost, before and after, in one run.

    .venv/bin/python -m bench.checks_cost                 # 100 letters a round, 200 API requests
    .venv/bin/python -m bench.checks_cost --letters 40 --requests 100   # quicker

Three measurements, each a ratio of figures taken in the same run (never a timed test):

* intake: rounds of N signed letters through the real pipeline (ePUAP nadaj -> WS-Pull ->
  intake state machine), alternately with the new checks on (each function's requests
  checked against its role, the quarantine allowance asked at every delivery) and off,
  on separate units so every round starts its registers at 1; docs/s and the ratio on/off;
* push: verifying a WS-Security signed push carrying a 273 kB letter, against the floor of
  writing the same bytes to S3 once;
* API: opening a document (GET /units/{u}/documents/{id}) that is public (the unit check
  only) and one that is not, opened by the officer its case belongs to (the need-to-know
  lookups: decretations, the document's case, the case), and the same check alone, against
  the floor of one GetItem.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from bench.intake_throughput import (
    RESULTS_DIR,
    Output,
    check_and_collect_outcomes,
    deliver_and_collect,
    generate_letters,
    stop_running_executions,
    wait_for_outcomes,
)
from bench.measure import peak_rss_mb, percentile


class _Checks:
    """Switches the new checks of the intake path off and on again."""

    def __init__(self, stack: Any) -> None:
        from ezd.services import quarantine_quota

        self.stack, self.module, self.check = stack, quarantine_quota, quarantine_quota.check

    def off(self) -> None:
        self.stack.moto.enforcer = None
        self.module.check = lambda source, settings: None  # type: ignore[assignment]

    def on(self) -> None:
        self.stack.moto.enforcer = self.stack.enforcer
        self.module.check = self.check  # type: ignore[assignment]


def _intake_round(stack: Any, n: int, units: list[Any], say: Callable[[str], None], timings: Any) -> float:
    letters = generate_letters(n, units, Path(stack.state_dir), uuid.uuid4().hex[:8], lambda _: None)
    run = deliver_and_collect(stack, letters, [u.symbol for u in units], lambda _: None)
    by_content = wait_for_outcomes(stack, letters, timings, False, 1800, say)
    checked = check_and_collect_outcomes(stack, letters, [u.symbol for u in units], by_content)
    last = max(o.processed_at.timestamp() for o in checked["outcomes"].values())
    return n / (last - run.started_wall)


def measure_intake(stack: Any, n: int, rounds: int, say: Callable[[str], None]) -> dict[str, Any]:
    from bench.intake_throughput import Timings
    from ezd.local.demo_data import demo_units

    checks = _Checks(stack)
    pool = [u for u in demo_units() if u.symbol.startswith(("P", "LO", "ZS"))]
    rates: dict[str, list[float]] = {"on": [], "off": []}
    warm, pool = pool[:2], pool[2:]
    _intake_round(stack, max(4, n // 10), warm, say, Timings())  # imports and caches warmed, not timed
    for r in range(rounds):
        for mode in (("off", "on") if r % 2 == 0 else ("on", "off")):
            units, pool = pool[:2], pool[2:]
            (checks.on if mode == "on" else checks.off)()
            rate = _intake_round(stack, n, units, say, Timings())
            rates[mode].append(rate)
            say(f"  round {r + 1}, checks {mode:>3}: {rate:.2f} docs/s ({units[0].symbol}, {units[1].symbol})")
    checks.on()
    on, off = statistics.median(rates["on"]), statistics.median(rates["off"])
    return {"letters_per_round": n, "rounds": rounds, "docs_per_s_on": rates["on"], "docs_per_s_off": rates["off"],
            "median_on": round(on, 3), "median_off": round(off, 3), "ratio_on_to_off": round(on / off, 3)}


def _timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(times, 50) * 1000, 3), "p95_ms": round(percentile(times, 95) * 1000, 3)}


def measure_push(stack: Any, repeat: int) -> dict[str, Any]:
    from ezd.adapters import directory_store
    from ezd.adapters.aws import client
    from ezd.adapters.epuap_soap import build_push_request
    from ezd.clock import now_utc
    from ezd.config import settings
    from ezd.models.epuap import PulledDocument
    from ezd.services.push_authentication import verify_push

    letter = generate_letters(1, [directory_store.get_unit("SP58")], Path(stack.state_dir), "push", lambda _: None)[0]
    unit = directory_store.get_unit("SP58")
    signed = stack.simulator.push_signer(build_push_request(PulledDocument(
        sender_id="bench", sender_type="F", delivered_at=now_utc(), box_name=unit.box_name,
        box_address=unit.esp_address, filename="p.xml", content=letter.raw)))
    verify = _timed(lambda: verify_push(signed, settings()), repeat)
    s3 = client("s3")
    floor = _timed(lambda: s3.put_object(Bucket=settings().staging_bucket, Key=f"bench/{uuid.uuid4().hex}",
                                         Body=letter.raw), repeat)
    return {"push_bytes": len(signed), "verify": _summary(verify), "floor_put": _summary(floor),
            "ratio_verify_to_put": round(percentile(verify, 50) / percentile(floor, 50), 3)}


def _registered_letter(stack: Any, unit: Any, say: Callable[[str], None]) -> str:
    from bench.intake_throughput import Timings

    letters = generate_letters(1, [unit], Path(stack.state_dir), uuid.uuid4().hex[:8], lambda _: None)
    deliver_and_collect(stack, letters, [unit.symbol], lambda _: None)
    found = wait_for_outcomes(stack, letters, Timings(), False, 600, say)
    return found[f"OUTCOME#{unit.symbol}#{letters[0].sha256}"][0].document_id


def measure_api(stack: Any, repeat: int, say: Callable[[str], None]) -> dict[str, Any]:
    import urllib.error
    import urllib.request

    from ezd.adapters import directory_store, registry_store, routing_store
    from ezd.adapters.aws import client
    from ezd.config import settings
    from ezd.local.stack import local_token
    from ezd.services import access
    from ezd.services.auth import principal_for

    unit = directory_store.get_unit("SP57")
    clerk, director, officer, archivist = (f"sp57.{s}" for s in ("sekretariat", "dyrektor", "kadry", "archiwum"))

    def call(path: str, user: str, method: str = "GET", body: dict | None = None) -> Any:
        request = urllib.request.Request(stack.info.api_url + path, method=method,
                                         data=json.dumps(body).encode() if body else None,
                                         headers={"Authorization": f"Bearer {local_token(stack.info, user)}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path} as {user}: {exc.code} {exc.read()[:300]!r}") from None

    # A non-public letter sent to the officer for information, who opens a case from it:
    # the officer's access is found only at the end of the need-to-know lookups.
    secret = _registered_letter(stack, unit, say)
    deadline = time.monotonic() + 30
    while routing_store.get_routing(secret) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    call(f"/units/SP57/documents/{secret}/decretations", director, "POST", {"login": officer, "kind": "do_wiadomosci"})
    call("/units/SP57/cases", officer, "POST", {"jrwa_symbol": "110", "title": "Pomiar", "document_id": secret})
    # A letter made public: open to the archivist at the unit check.
    public = _registered_letter(stack, unit, say)
    call(f"/units/SP57/documents/{public}/metadata", clerk, "PATCH",
         {"changes": {"access": "publiczny – dostępny w całości"}, "reason": "pomiar"})

    public_times = _timed(lambda: call(f"/units/SP57/documents/{public}", archivist), repeat)
    secret_times = _timed(lambda: call(f"/units/SP57/documents/{secret}", officer), repeat)
    principal, document = principal_for(officer), registry_store.get_document(secret)
    check_times = _timed(lambda: access.may_open(principal, document), repeat)
    ddb = client("dynamodb")
    floor = _timed(lambda: ddb.get_item(TableName=settings().table,
                                        Key={"PK": {"S": f"DOC#{secret}"}, "SK": {"S": "META"}}), repeat)
    return {
        "requests": repeat,
        "open_public": _summary(public_times), "open_need_to_know": _summary(secret_times),
        "check_alone": _summary(check_times), "floor_get_item": _summary(floor),
        "ratio_need_to_know_request_to_public_request": round(percentile(secret_times, 50) / percentile(public_times, 50), 3),
        "ratio_check_to_get_item": round(percentile(check_times, 50) / percentile(floor, 50), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=100, help="letters per intake round (default 100)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each mode, alternating (default 2)")
    parser.add_argument("--requests", type=int, default=200, help="API requests and checks timed (default 200)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = Output()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No application metrics to publish")

    from ezd.local.stack import LocalStack

    temp = Path(tempfile.mkdtemp(prefix="ezd-bench-checks-"))
    out.say(f"checks cost: {args.letters} letters x {args.rounds} rounds per mode, {args.requests} requests; {temp}")
    out.divert_process_stdout(temp / "lambda-stdout.log")
    stack = LocalStack(temp / "stack", api_port=0, run_schedules=False)
    try:
        stack.start()
        out.say("intake, checks on and off (alternating):")
        intake = measure_intake(stack, args.letters, args.rounds, out.say)
        out.say("push signature:")
        push = measure_push(stack, args.requests)
        out.say("API need to know:")
        api = measure_api(stack, args.requests, out.say)
        stop_running_executions(stack)
    finally:
        stack.stop()
        out.restore()
    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "intake": intake, "push": push,
              "api": api, "peak_rss_mb": round(peak_rss_mb(), 1)}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = args.out or RESULTS_DIR / f"checks_cost-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

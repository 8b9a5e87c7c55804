"""End-to-end intake throughput of the embedded local stack, against a floor measured in the same run.

    .venv/bin/python -m bench.intake_throughput --letters 1000 --units 4
    .venv/bin/python -m bench.intake_throughput --quick          # 50 letters, a smoke run

What is measured (see bench/README.md and docs/benchmarks.md):

* system: N distinct signed letters (XAdES, signer issued by the local demo CA, so they
  verify as trusted), each with a 200 KB PDF attachment, are delivered through the ePUAP
  simulator (skrytka ``nadaj`` into the units' boxes), then collected by WS-Pull with
  ``ezd.services.epuap_polling.poll`` (one thread per unit, each polling until its box is
  empty) and run through the real intake state machine on moto. docs/s = N / (first
  delivery -> last registration), the last registration being the latest outcome
  ``processed_at``. Latency per letter = outcome ``processed_at`` - return of its ``nadaj``.
* floor: the same bytes and items written straight to moto with plain boto3, one
  ``put_object`` per original and per attachment and one ``put_item`` per register line and
  per document item (copies of the items the system wrote), from as many threads as the
  system had pollers (and once more sequentially, for information).

Letter generation is not timed. The run fails loudly unless every letter was registered,
its signature verified, and every unit's register is 1..n without gaps or repeats.
Results go to bench/results/ (gitignored) as JSON; no timed assertions anywhere.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
import warnings
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, TextIO

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/ is a package of the repository
    sys.path.insert(0, str(ROOT))

from bench.measure import cpu_seconds, peak_rss_mb, percentile  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
ATTACHMENT_BYTES = 200_000
LETTERS_PER_YEAR = 155_000  # the reference city's yearly intake
QUICK_LETTERS = 50


# --------------------------------------------------------------------------- helpers



def human_duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.2f} h"




class Output:
    """Our own report goes to the terminal even while fd 1 carries the Lambdas' log lines."""

    def __init__(self) -> None:
        self.stream: TextIO = sys.stdout
        self._saved_fd: int | None = None
        self._log: Any = None

    def divert_process_stdout(self, log_path: Path) -> None:
        """Send everything written to fd 1 (Powertools log lines, EMF metrics) to a file."""
        sys.stdout.flush()
        self._saved_fd = os.dup(1)
        self.stream = os.fdopen(os.dup(self._saved_fd), "w", buffering=1, encoding="utf-8")
        self._log = open(log_path, "ab")
        os.dup2(self._log.fileno(), 1)

    def restore(self) -> None:
        if self._saved_fd is None:
            return
        sys.stdout.flush()
        os.dup2(self._saved_fd, 1)
        os.close(self._saved_fd)
        self._saved_fd = None
        self._log.close()

    def say(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)


# --------------------------------------------------------------------------- instrumentation


class Timings:
    """Thread-safe lists of durations by name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.values: dict[str, list[float]] = defaultdict(list)
        self.enabled = True

    def add(self, name: str, seconds: float) -> None:
        if self.enabled:
            with self._lock:
                self.values[name].append(seconds)

    def reset(self) -> None:
        with self._lock:
            self.values = defaultdict(list)

    def count(self, name: str) -> int:
        with self._lock:
            return len(self.values.get(name, ()))

    def summary(self, wall: float) -> dict[str, dict[str, float]]:
        out = {}
        with self._lock:
            items = {k: list(v) for k, v in self.values.items()}
        for name, values in sorted(items.items(), key=lambda kv: -sum(kv[1])):
            out[name] = {
                "count": len(values),
                "total_s": round(sum(values), 3),
                "share_of_wall": round(sum(values) / wall, 3) if wall else 0.0,
                "p50_ms": round(percentile(values, 50) * 1000, 2),
                "p95_ms": round(percentile(values, 95) * 1000, 2),
            }
        return out


def _service_of(environ: dict[str, Any]) -> str:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    # AWS4-HMAC-SHA256 Credential=AK/20261122/eu-central-1/<service>/aws4_request, ...
    if "Credential=" in auth:
        try:
            scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
            service = scope[3]
        except IndexError:
            service = "?"
    else:
        service = "unsigned"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    return f"{service}:{environ.get('REQUEST_METHOD', '?')}"


class ThreadCpu:
    """CPU seconds spent by the threads inside one WSGI app (``time.thread_time``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._lock = threading.Lock()

    def wrap(self, owner: Any) -> None:
        inner = owner.wsgi_app

        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            started = time.thread_time()
            try:
                return list(inner(environ, start_response))
            finally:
                spent = time.thread_time() - started
                with self._lock:
                    self.seconds += spent

        owner.wsgi_app = counted


def instrument(stack: Any, lambdas: Timings, moto: Timings) -> None:
    """Times every in-process Lambda handler, and every moto request by service and operation.

    Both wrap instance attributes of this process's stack (nothing in the project changes):
    ``InProcessLambdas.invoke`` and the WSGI app that SerializedMotoServer calls inside its lock.
    """
    runtime = stack.runtime
    original_invoke = runtime.invoke

    def timed_invoke(function_name: str, payload: Any) -> tuple[bytes, bool]:
        started = time.perf_counter()
        try:
            return original_invoke(function_name, payload)
        finally:
            name = function_name.split(":")[-1].removeprefix("ezd-local-")
            lambdas.add(name, time.perf_counter() - started)

    runtime.invoke = timed_invoke  # type: ignore[method-assign]

    server = stack.moto
    original_app = server._app  # noqa: SLF001

    def timed_app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if "/functions/" in path and path.endswith("/invocations"):
            return original_app(environ, start_response)  # not under the lock; timed as a Lambda
        started = time.perf_counter()
        try:
            # Called inside SerializedMotoServer's lock, which drains the body right after;
            # draining here too keeps the measured time the whole of moto's work.
            return list(original_app(environ, start_response))
        finally:
            moto.add(_service_of(environ), time.perf_counter() - started)

    server._app = timed_app  # noqa: SLF001


def _source_line(frame: Any) -> str:
    import linecache

    return linecache.getline(frame.f_code.co_filename, frame.f_lineno)


class StackSampler:
    """A poor man's sampling profiler over all threads (py-spy is not installed).

    Every ``interval`` seconds it records, for each thread, the innermost frame and the set of
    functions on its stack. Threads whose innermost frame is waiting (locks, sockets, select,
    sleep) are counted as idle. Costly with hundreds of threads: only with ``--sample``.
    """

    IDLE_FILES = ("threading.py", "selectors.py", "socket.py", "socketserver.py", "queue.py", "ssl.py")

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.leaf: Counter[str] = Counter()
        self.inclusive: Counter[str] = Counter()
        self.samples = 0
        self.busy = 0
        self.waiting_for_moto = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    @staticmethod
    def _where(frame: Any) -> str:
        code = frame.f_code
        path = code.co_filename
        for marker in ("site-packages/", "/layers/", "/functions/", "/lib/python3"):
            if marker in path:
                path = path.split(marker, 1)[1]
                break
        return f"{path}:{code.co_name}"

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval):
            for ident, frame in sys._current_frames().items():  # noqa: SLF001
                if ident == me:
                    continue
                self.samples += 1
                leaf = self._where(frame)
                if frame.f_code.co_filename.endswith(self.IDLE_FILES) or leaf.endswith((":sleep", ":wait")):
                    continue
                if leaf.endswith("moto_server.py:_wsgi") and "self._lock" in _source_line(frame):
                    self.waiting_for_moto += 1  # blocked on SerializedMotoServer's lock
                    continue
                self.busy += 1
                self.leaf[f"{leaf}:{frame.f_lineno}"] += 1
                seen = set()
                depth = 0
                while frame is not None and depth < 80:
                    seen.add(self._where(frame))
                    frame = frame.f_back
                    depth += 1
                self.inclusive.update(seen)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join()
        busy = max(1, self.busy)
        return {
            "thread_samples": self.samples,
            "busy_samples": self.busy,
            "waiting_for_moto_lock_samples": self.waiting_for_moto,
            "top_leaf": [(k, round(v / busy, 3)) for k, v in self.leaf.most_common(25)],
            "top_inclusive": [(k, round(v / busy, 3)) for k, v in self.inclusive.most_common(40)],
        }


# --------------------------------------------------------------------------- letters


@dataclass
class Letter:
    index: int
    unit: str
    box: str
    raw: bytes
    attachment: bytes
    sha256: str
    delivered_at: float = 0.0  # wall clock (time.time) when nadaj returned


def generate_letters(n: int, units: list[Any], state_dir: Path, nonce: str, say: Callable[[str], None]) -> list[Letter]:
    from ezd.adapters.archive import sha256_hex
    from ezd.local.keys import ensure_demo_ca
    from ezd.samples.letters import make_letter, make_signer, sample_pdf, sign_letter

    ca = ensure_demo_ca(state_dir)
    signers = [make_signer(name, ca) for name in ("Jan Kowalski", "Anna Nowak", "Maria Wiśniewska")]
    letters = []
    started = time.perf_counter()
    for i in range(n):
        unit = units[i % len(units)]
        pdf = sample_pdf(ATTACHMENT_BYTES, seed=hash((nonce, i)) & 0x7FFFFFFF)
        xml = make_letter(
            title=f"Wniosek nr {i + 1} ({nonce})",
            sender_reference=f"BENCH/{nonce}/{i + 1}",
            attachments=[(f"zalacznik-{i + 1}.pdf", pdf, "application/pdf")],
        )
        raw = sign_letter(xml, signers[i % len(signers)])
        letters.append(Letter(i, unit.symbol, unit.esp_address, raw, pdf, sha256_hex(raw)))
    if len({letter.sha256 for letter in letters}) != n:
        raise SystemExit("generated letters are not distinct")
    say(f"generated {n} signed letters ({len(letters[0].raw) / 1000:.0f} kB each) in {time.perf_counter() - started:.1f} s")
    return letters


# --------------------------------------------------------------------------- system


@dataclass
class SystemRun:
    started_wall: float
    delivered_s: float  # from the first nadaj to the last nadaj's return
    collected_s: float  # from the first nadaj to the last poll's return
    finished_wall: float  # the latest outcome processed_at
    poll_errors: list[str] = field(default_factory=list)
    poll_calls: int = 0
    senders_cpu_s: float = 0.0  # the citizens' side: building and sending every nadaj


def deliver_and_collect(stack: Any, letters: list[Letter], units: list[str], say: Callable[[str], None],
                        meter: Any = None) -> SystemRun:
    from ezd.adapters.epuap_client import EpuapSkrytkaClient
    from ezd.config import settings
    from ezd.models.epuap import SenderProfile
    from ezd.services.epuap_polling import poll

    skrytka = EpuapSkrytkaClient(f"{stack.info.epuap_url}/pk_external_ws/services/skrytka", podmiot="obywatel")
    sender = SenderProfile(identifier="bench", type="F", first_name="Jan", name="Kowalski", consent=True)
    run_settings = settings()

    started_wall = time.time()
    started = time.perf_counter()
    senders_cpu = time.thread_time()
    for letter in letters:
        skrytka.nadaj(letter.box, letter.raw, f"pismo-{letter.index + 1}.xml", sender=sender)
        letter.delivered_at = time.time()
    senders_cpu = time.thread_time() - senders_cpu
    delivered_s = time.perf_counter() - started
    say(f"  delivered {len(letters)} letters into {len(units)} ePUAP boxes in {delivered_s:.1f} s")

    errors: list[str] = []
    calls = Counter()

    def drain(unit: str) -> int:
        collected = 0
        failures = 0
        while True:
            if meter is None:
                report = poll(run_settings, unit_symbol=unit)
            else:  # in AWS each run is an invocation of the poller function, under its role
                with meter.invocation(stack.provisioned.name("EpuapPollerFunction")):
                    report = poll(run_settings, unit_symbol=unit)
            calls[unit] += 1
            result = report.units[0]
            collected += result.collected
            if result.error:
                errors.append(f"{unit}: {result.error}")
                failures += 1
                if failures > 5:
                    raise RuntimeError(f"polling {unit} keeps failing: {result.error}")
                continue
            if result.waiting == 0:
                return collected

    with ThreadPoolExecutor(max_workers=len(units), thread_name_prefix="poller") as pool:
        collected = sum(pool.map(drain, units))
    collected_s = time.perf_counter() - started
    if collected != len(letters):
        raise RuntimeError(f"collected {collected} letters, delivered {len(letters)}")
    say(f"  collected all by WS-Pull ({sum(calls.values())} poll runs) at +{collected_s:.1f} s")
    return SystemRun(started_wall, delivered_s, collected_s, 0.0, errors, sum(calls.values()), senders_cpu)


def scan_outcomes(stack: Any) -> dict[str, list[Any]]:
    """Every intake outcome in the records table, by its partition key OUTCOME#<unit>#<sha256>.

    One paginated Scan instead of a Query per letter: moto answers every Query by sorting
    the whole table, so N queries would cost N full sorts.
    """
    from ezd.adapters.aws import client
    from ezd.models.intake import IntakeOutcome

    found: dict[str, list[Any]] = defaultdict(list)
    for page in client("dynamodb").get_paginator("scan").paginate(
        TableName=stack.info.environment["EZD_TABLE"],
        FilterExpression="begins_with(PK, :p)",
        ExpressionAttributeValues={":p": {"S": "OUTCOME#"}},
    ):
        for item in page["Items"]:
            found[item["PK"]["S"]].append(IntakeOutcome.model_validate_json(item["data"]["S"]))
    return found


def wait_for_outcomes(
    stack: Any, letters: list[Letter], lambdas: "Timings", instrumented: bool, timeout: float,
    say: Callable[[str], None],
) -> dict[str, list[Any]]:
    """Waits until every letter has an outcome.

    The workflow goes on after registration (routing waits for a person), so executions do
    not end; the outcome is what marks a letter done. To keep the observer off moto's lock,
    the table is scanned only once the in-process Register and Quarantine handlers have
    answered N times (or every 20 s as a fallback), not polled per letter.
    """
    wanted = {f"OUTCOME#{letter.unit}#{letter.sha256}" for letter in letters}
    deadline = time.monotonic() + timeout
    last_scan = time.monotonic()
    last_note = time.monotonic()
    while True:
        answered = sum(lambdas.count(name) for name in ("intake-register", "intake-quarantine"))
        now = time.monotonic()
        if (instrumented and answered >= len(letters)) or now - last_scan > (20 if instrumented else 5):
            found = scan_outcomes(stack)
            last_scan = time.monotonic()
            missing = wanted - found.keys()
            if not missing:
                return found
            if now - last_note > 15:
                say(f"  outcomes: {len(wanted) - len(missing)} of {len(wanted)}")
                last_note = now
        elif now - last_note > 15:
            say(f"  register/quarantine steps answered: {answered} of {len(letters)}")
            last_note = now
        if now > deadline:
            raise RuntimeError(f"not every letter has an outcome after {timeout:.0f} s")
        time.sleep(0.5)


def stop_running_executions(stack: Any) -> int:
    """After registration the routing executions (Standard) wait for a person; an intake
    (Express) still running is stopped too: stop them all before the stack stops."""
    from ezd.adapters.aws import client

    sfn = client("stepfunctions")
    stopped = 0
    for name in ("IntakeStateMachine", "RoutingStateMachine"):
        arn = stack.provisioned.state_machines[name]
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="RUNNING"):
            for execution in page["executions"]:
                try:
                    sfn.stop_execution(executionArn=execution["executionArn"], cause="benchmark finished")
                    stopped += 1
                except Exception:  # noqa: BLE001 - best effort at shutdown
                    pass
    return stopped


def check_and_collect_outcomes(
    stack: Any, letters: list[Letter], units: list[str], by_content: dict[str, list[Any]]
) -> dict[str, Any]:
    """Every letter registered once, signature valid, registers 1..n per unit. Raises otherwise."""
    from ezd.adapters import register_lines
    from ezd.adapters.aws import client
    from ezd.clock import local_year

    problems: list[str] = []
    outcomes = {}
    for letter in letters:
        found = by_content.get(f"OUTCOME#{letter.unit}#{letter.sha256}", [])
        if len(found) != 1:
            problems.append(f"letter {letter.index}: {len(found)} outcomes ({[o.status for o in found]})")
            continue
        outcome = found[0]
        if outcome.status != "registered":
            problems.append(
                f"letter {letter.index}: {outcome.status} {outcome.error_code or ''} {outcome.error_message or ''}"
            )
        elif outcome.signature != "valid":
            problems.append(f"letter {letter.index}: signature {outcome.signature}, certificate {outcome.certificate}")
        outcomes[letter.index] = outcome

    per_unit = Counter(letter.unit for letter in letters)
    year = local_year(datetime.now(timezone.utc))
    for unit in units:
        numbers: list[int] = []
        token = None
        while True:
            page = register_lines.list_register(unit, year, limit=500, page_token=token)
            numbers.extend(entry.number for entry in page.items)
            token = page.next_token
            if not token:
                break
        if sorted(numbers) != list(range(1, per_unit[unit] + 1)):
            missing = sorted(set(range(1, per_unit[unit] + 1)) - set(numbers))
            repeated = [n for n, c in Counter(numbers).items() if c > 1]
            problems.append(
                f"register of {unit}: {len(numbers)} lines for {per_unit[unit]} letters,"
                f" missing {missing[:10]}, repeated {repeated[:10]}"
            )
    if problems:
        raise SystemExit("BROKEN SYSTEM, results not valid:\n  " + "\n  ".join(problems[:30]))

    # Execution start/stop per letter (start ~ collection by the poller).
    sfn = client("stepfunctions")
    machine = stack.provisioned.state_machines["IntakeStateMachine"]
    execution_prefix = machine.replace(":stateMachine:", ":execution:")
    executions = {}
    for index, outcome in outcomes.items():
        described = sfn.describe_execution(executionArn=f"{execution_prefix}:{outcome.intake_id}")
        executions[index] = described["startDate"].timestamp()
    certificates = Counter(o.certificate for o in outcomes.values())
    return {"outcomes": outcomes, "executions": executions, "certificates": dict(certificates)}


def state_breakdown(stack: Any, intake_ids: list[str]) -> dict[str, dict[str, float]]:
    """Per-state durations (entered -> exited) and the gaps between states, from execution histories."""
    from ezd.adapters.aws import client

    sfn = client("stepfunctions")
    machine = stack.provisioned.state_machines["IntakeStateMachine"]
    prefix = machine.replace(":stateMachine:", ":execution:")
    durations: dict[str, list[float]] = defaultdict(list)
    for intake_id in intake_ids:
        events = []
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=f"{prefix}:{intake_id}"):
            events.extend(page["events"])
        entered: dict[str, float] = {}
        last_exit: float | None = None
        for event in events:
            stamp = event["timestamp"].timestamp()
            kind = event["type"]
            if kind.endswith("StateEntered"):
                name = event["stateEnteredEventDetails"]["name"]
                entered[name] = stamp
                if last_exit is not None:
                    durations["(between states)"].append(stamp - last_exit)
            elif kind.endswith("StateExited"):
                name = event["stateExitedEventDetails"]["name"]
                if name in entered:
                    durations[name].append(stamp - entered[name])
                last_exit = stamp
    return {
        name: {
            "count": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1),
        }
        for name, values in durations.items()
    }


# --------------------------------------------------------------------------- floor


def copy_items_for_floor(stack: Any, letters: list[Letter], outcomes: dict[int, Any]) -> list[list[dict[str, Any]]]:
    """The register line and document item the system wrote for each letter, re-keyed under FLOOR#.

    Read before the floor is timed; the floor then writes exactly these items again.
    """
    from ezd.adapters.aws import client

    ddb = client("dynamodb")
    table = stack.info.environment["EZD_TABLE"]
    per_letter = []
    for letter in letters:
        outcome = outcomes[letter.index]
        doc = ddb.get_item(TableName=table, Key={"PK": {"S": f"DOC#{outcome.document_id}"}, "SK": {"S": "META"}})["Item"]
        number = int(outcome.registry_number.split("/")[1])
        year = int(outcome.registry_number.split("/")[2])
        line = ddb.get_item(
            TableName=table, Key={"PK": {"S": f"RPW#{letter.unit}#{year}"}, "SK": {"S": f"{number:09d}"}}
        )["Item"]
        items = []
        for item in (line, doc):
            copy = dict(item)
            for key in ("PK", "GSI1PK", "GSI2PK"):
                if key in copy:
                    copy[key] = {"S": "FLOOR#" + copy[key]["S"]}
            items.append(copy)
        per_letter.append(items)
    return per_letter


def measure_floor(
    moto_url: str, table: str, letters: list[Letter], items: list[list[dict[str, Any]]], threads: int
) -> float:
    """Seconds to write every original, attachment, register line and document item with plain boto3."""
    import boto3

    bucket = f"ezd-bench-floor-{uuid.uuid4().hex[:8]}"

    def make(service: str) -> Any:
        return boto3.session.Session().client(
            service, endpoint_url=moto_url, region_name=os.environ.get("AWS_REGION", "eu-central-1"),
            aws_access_key_id="local", aws_secret_access_key="local",
        )  # fmt: skip

    make("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": os.environ.get("AWS_REGION", "eu-central-1")}
    )
    shards = [list(range(i, len(letters), threads)) for i in range(threads)]
    clients = [(make("s3"), make("dynamodb")) for _ in shards]
    barrier = threading.Barrier(len(shards) + 1)

    def work(shard: int) -> None:
        s3, ddb = clients[shard]
        barrier.wait()
        for index in shards[shard]:
            letter = letters[index]
            s3.put_object(Bucket=bucket, Key=f"{bucket}/original/{letter.sha256}", Body=letter.raw)
            s3.put_object(Bucket=bucket, Key=f"{bucket}/attachment/{letter.sha256}", Body=letter.attachment)
            for item in items[index]:
                ddb.put_item(TableName=table, Item={**item, "SK": {"S": f"{item['SK']['S']}#{bucket}"}})

    workers = [threading.Thread(target=work, args=(i,)) for i in range(len(shards))]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=1000, help="letters to deliver (default 1000)")
    parser.add_argument("--units", type=int, default=4, help="units the letters are spread over, round-robin;"
                        " one poller thread per unit (default 4)")
    parser.add_argument("--quick", action="store_true", help=f"smoke run: {QUICK_LETTERS} letters")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the workflows")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slows the run)")
    parser.add_argument("--sample", action="store_true", help="sample all threads' stacks during the system run")
    parser.add_argument("--no-instrument", action="store_true", help="do not time Lambdas and moto requests")
    parser.add_argument("--history-sample", type=int, default=100, help="executions whose history is analysed")
    parser.add_argument("--out", type=Path, default=None, help="JSON results file (default bench/results/...)")
    parser.add_argument("--meter", type=Path, default=None, metavar="FILE",
                        help="count what the system run would be billed in AWS (ezd.local.usage_meter) into FILE;"
                             " bench/cost_model.py turns it into dollars")
    args = parser.parse_args(argv)
    n = QUICK_LETTERS if args.quick else args.letters
    if n < 1 or args.units < 1:
        parser.error("--letters and --units must be positive")

    out = Output()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No application metrics to publish")

    from ezd.local.demo_data import demo_units
    from ezd.local.stack import LocalStack

    all_units = demo_units()
    if args.units > len(all_units):
        parser.error(f"at most {len(all_units)} units")
    units = all_units[: args.units]
    unit_symbols = [u.symbol for u in units]

    temp = Path(tempfile.mkdtemp(prefix="ezd-bench-"))
    out.say(f"intake throughput: {n} letters, {len(units)} units, state in {temp}")
    out.divert_process_stdout(temp / "lambda-stdout.log")
    rss_baseline = peak_rss_mb()
    stack = LocalStack(temp / "stack", api_port=0, run_schedules=False)
    try:
        stack.start()
        lambdas, moto_requests = Timings(), Timings()
        if not args.no_instrument:
            instrument(stack, lambdas, moto_requests)
        simulator_cpu = ThreadCpu()  # the ePUAP simulator stands in for the national service
        simulator_cpu.wrap(stack.simulator)
        letters = generate_letters(n, units, temp / "stack", uuid.uuid4().hex[:8], out.say)
        rss_after_generation = peak_rss_mb()

        # ---- the system
        lambdas.reset()
        moto_requests.reset()
        if args.tracemalloc:
            tracemalloc.start()
        sampler = StackSampler() if args.sample else None
        if sampler:
            sampler.start()
        out.say("system: deliver (nadaj) -> WS-Pull -> intake state machine -> registered")
        load_before = os.getloadavg()
        cpu_before = cpu_seconds()
        meter = None
        if args.meter:
            from ezd.local.usage_meter import UsageMeter

            meter = UsageMeter().attach(stack)
            log_bytes_before = (temp / "lambda-stdout.log").stat().st_size
        simulator_cpu.seconds = 0.0
        run = deliver_and_collect(stack, letters, unit_symbols, out.say, meter)
        by_content = wait_for_outcomes(stack, letters, lambdas, not args.no_instrument, args.timeout, out.say)
        system_cpu_s = cpu_seconds() - cpu_before
        outside_cpu_s = simulator_cpu.seconds + run.senders_cpu_s
        load_after = os.getloadavg()
        profile = sampler.stop() if sampler else None
        traced_peak_mb = None
        top_allocations = None
        if args.tracemalloc:
            traced_peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
            snapshot = tracemalloc.take_snapshot()
            tracemalloc.stop()
            top_allocations = [
                (str(stat.traceback[0]), round(stat.size / 1e6, 2), stat.count)
                for stat in snapshot.statistics("lineno")[:20]
            ]
        rss_after_system = peak_rss_mb()
        lambdas.enabled = moto_requests.enabled = False
        lambda_summary = lambdas.summary(time.time() - run.started_wall)
        moto_summary = moto_requests.summary(time.time() - run.started_wall)

        checked = check_and_collect_outcomes(stack, letters, unit_symbols, by_content)
        if meter is not None:  # the steps after registration (receipt, notify, classify, routing) first
            meter.wait_until_idle()
            usage = meter.collect(documents=n)
            meter.detach()
            usage["cloudwatch_logs"] = {"bytes": (temp / "lambda-stdout.log").stat().st_size - log_bytes_before}
            args.meter.parent.mkdir(parents=True, exist_ok=True)
            args.meter.write_text(json.dumps(usage, indent=2, default=str), encoding="utf-8")
            out.say(f"  usage meter: {args.meter}")
        outcomes, executions = checked["outcomes"], checked["executions"]
        processed = {i: o.processed_at.timestamp() for i, o in outcomes.items()}
        run.finished_wall = max(processed.values())
        system_s = run.finished_wall - run.started_wall
        system_rate = n / system_s
        latency = [processed[letter.index] - letter.delivered_at for letter in letters]
        workflow = [processed[i] - executions[i] for i in processed]
        sample_ids = [outcomes[i].intake_id for i in sorted(outcomes)[:: max(1, n // max(1, args.history_sample))]]
        states = state_breakdown(stack, sample_ids)
        out.say(f"  all {n} registered, signatures valid, registers 1..n in every unit")

        # ---- the floor, same process, same moto
        out.say("floor: the same bytes and items straight to moto with boto3")
        items = copy_items_for_floor(stack, letters, outcomes)
        moto_requests.reset()
        moto_requests.enabled = not args.no_instrument
        cpu_before = cpu_seconds()
        floor_concurrent_s = measure_floor(stack.info.moto_url, stack.info.environment["EZD_TABLE"], letters, items,
                                           threads=len(units))
        floor_cpu_s = cpu_seconds() - cpu_before
        load_floor = os.getloadavg()
        floor_moto = moto_requests.summary(floor_concurrent_s)
        moto_requests.enabled = False
        floor_sequential_s = measure_floor(stack.info.moto_url, stack.info.environment["EZD_TABLE"], letters, items,
                                           threads=1)
        floor_rate = n / floor_concurrent_s
        floor_sequential_rate = n / floor_sequential_s
        rss_end = peak_rss_mb()
    finally:
        try:
            stopped = stop_running_executions(stack)
        except Exception:  # noqa: BLE001 - the stack may not have started
            stopped = 0
        stack.stop()
        out.restore()
    out.say(f"stopped {stopped} executions waiting for a person (routing), as the run is over")

    year_s = LETTERS_PER_YEAR / system_rate
    results = {
        "benchmark": "intake_throughput",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "load_average_1_5_15": {
            "system_start": [round(x, 2) for x in load_before],
            "system_end": [round(x, 2) for x in load_after],
            "floor_end": [round(x, 2) for x in load_floor],
        },
        "letters": n,
        "units": len(units),
        "poller_threads": len(units),
        "attachment_bytes": ATTACHMENT_BYTES,
        "letter_bytes_mean": round(statistics.fmean(len(letter.raw) for letter in letters)),
        "system": {
            "docs_per_s": round(system_rate, 3),
            "seconds": round(system_s, 2),
            "process_cpu_s": round(system_cpu_s, 2),
            "cpu_ms_per_letter": round(system_cpu_s / n * 1000, 1),
            # The same less the ePUAP simulator's threads (inside its WSGI app) and the
            # senders' nadaj calls: what the national service and the citizens would spend.
            "cpu_ms_per_letter_without_epuap": round((system_cpu_s - outside_cpu_s) / n * 1000, 1),
            "epuap_simulator_cpu_s": round(simulator_cpu.seconds, 2),
            "senders_cpu_s": round(run.senders_cpu_s, 2),
            "delivery_phase_s": round(run.delivered_s, 2),
            "collection_done_at_s": round(run.collected_s, 2),
            "poll_runs": run.poll_calls,
            "poll_errors": run.poll_errors,
            "latency_delivery_to_registration_s": {
                "p50": round(percentile(latency, 50), 3),
                "p95": round(percentile(latency, 95), 3),
                "max": round(max(latency), 3),
            },
            "latency_execution_start_to_registration_s": {
                "p50": round(percentile(workflow, 50), 3),
                "p95": round(percentile(workflow, 95), 3),
            },
            "certificates": checked["certificates"],
            "states": states,
            "lambda_handlers": lambda_summary,
            "moto_requests": moto_summary if not args.no_instrument else None,
        },
        "floor": {
            "what": "per letter: put_object original + put_object attachment (plain bucket) + put_item register"
                    " line + put_item document item (records table, copies of the system's items), plain boto3",
            "concurrency": len(units),
            "docs_per_s": round(floor_rate, 3),
            "seconds": round(floor_concurrent_s, 2),
            "process_cpu_s": round(floor_cpu_s, 2),
            "cpu_ms_per_letter": round(floor_cpu_s / n * 1000, 1),
            "sequential_docs_per_s": round(floor_sequential_rate, 3),
            "sequential_seconds": round(floor_sequential_s, 2),
            "moto_requests": floor_moto if not args.no_instrument else None,
        },
        "ratio_system_to_floor": round(system_rate / floor_rate, 4),
        "ratio_system_to_sequential_floor": round(system_rate / floor_sequential_rate, 4),
        # Less sensitive to other load on the machine: CPU spent by this process per letter.
        "ratio_cpu_per_letter_floor_to_system": round(floor_cpu_s / system_cpu_s, 4),
        "memory": {
            "ru_maxrss_baseline_mb": round(rss_baseline, 1),
            "ru_maxrss_after_generation_mb": round(rss_after_generation, 1),
            "ru_maxrss_after_system_mb": round(rss_after_system, 1),
            "ru_maxrss_end_mb": round(rss_end, 1),
            "tracemalloc_peak_mb": round(traced_peak_mb, 1) if traced_peak_mb is not None else None,
            "tracemalloc_live_after_system_top": top_allocations,
        },
        "year": {
            "letters": LETTERS_PER_YEAR,
            "seconds": round(year_s),
            "human": human_duration(year_s),
        },
        "profile": profile,
        "lambda_log": str(temp / "lambda-stdout.log"),
    }

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = args.out or RESULTS_DIR / f"intake_throughput-{n}x{len(units)}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print_table(results, out.say)
    out.say(f"results: {path}")
    return 0


def print_table(r: dict[str, Any], say: Callable[[str], None]) -> None:
    s, f, m = r["system"], r["floor"], r["memory"]
    lat = s["latency_delivery_to_registration_s"]
    rows = [
        ("letters x units (poller threads)", f"{r['letters']} x {r['units']}"),
        ("letter size (200 kB PDF inside)", f"{r['letter_bytes_mean'] / 1000:.0f} kB"),
        ("system docs/s", f"{s['docs_per_s']:.2f}  ({s['seconds']:.1f} s: delivery {s['delivery_phase_s']:.1f} s,"
                          f" collected at +{s['collection_done_at_s']:.1f} s)"),
        (f"floor docs/s ({f['concurrency']} threads)", f"{f['docs_per_s']:.2f}  ({f['seconds']:.1f} s)"),
        ("floor docs/s (sequential)", f"{f['sequential_docs_per_s']:.2f}  ({f['sequential_seconds']:.1f} s)"),
        ("ratio system/floor", f"{r['ratio_system_to_floor']:.3f}  (vs sequential {r['ratio_system_to_sequential_floor']:.3f})"),
        ("process CPU per letter (system / floor)",
         f"{s['cpu_ms_per_letter']:.0f} ms / {f['cpu_ms_per_letter']:.1f} ms  (ratio {r['ratio_cpu_per_letter_floor_to_system']:.3f})"),
        ("  less the ePUAP simulator and senders", f"{s['cpu_ms_per_letter_without_epuap']:.0f} ms"
                                                   f"  (simulator {s['epuap_simulator_cpu_s']:.1f} s,"
                                                   f" senders {s['senders_cpu_s']:.1f} s)"),
        ("load average at start/end of system run",
         f"{r['load_average_1_5_15']['system_start'][0]:.1f} / {r['load_average_1_5_15']['system_end'][0]:.1f}"
         f" on {r['machine']['nproc']} cores"),
        ("delivery -> registration p50/p95", f"{lat['p50']:.1f} s / {lat['p95']:.1f} s (max {lat['max']:.1f} s)"),
        ("execution start -> registration p50/p95",
         f"{s['latency_execution_start_to_registration_s']['p50']:.1f} s / {s['latency_execution_start_to_registration_s']['p95']:.1f} s"),
        ("peak RSS (ru_maxrss)", f"{m['ru_maxrss_end_mb']:.0f} MB (after system {m['ru_maxrss_after_system_mb']:.0f} MB,"
                                 f" letters alone {m['ru_maxrss_after_generation_mb']:.0f} MB)"),
    ]
    if m["tracemalloc_peak_mb"] is not None:
        rows.append(("tracemalloc peak", f"{m['tracemalloc_peak_mb']:.0f} MB"))
    rows.append((f"{r['year']['letters']:,} letters/year at this rate", r["year"]["human"]))
    width = max(len(k) for k, _ in rows)
    say("")
    for key, value in rows:
        say(f"  {key:<{width}}  {value}")
    handlers = s.get("lambda_handlers") or {}
    if handlers:
        say("")
        say(f"  {'Lambda handler':<26} {'count':>6} {'total s':>9} {'p50 ms':>8} {'p95 ms':>8}")
        for name, v in handlers.items():
            say(f"  {name:<26} {v['count']:>6} {v['total_s']:>9.1f} {v['p50_ms']:>8.1f} {v['p95_ms']:>8.1f}")
    moto = s.get("moto_requests") or {}
    if moto:
        busy = sum(v["total_s"] for v in moto.values())
        say("")
        say(f"  moto requests (inside the server lock): {busy:.1f} s busy of {s['seconds']:.1f} s wall")
        for name, v in list(moto.items())[:8]:
            say(f"    {name:<40} {v['count']:>6} {v['total_s']:>8.1f} s  p50 {v['p50_ms']:.1f} ms")
    say("")


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(ROOT))
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # moto runs each execution in a non-daemon thread; one stuck in a callback wait would
    # keep the interpreter alive after the report is written.
    os._exit(code)

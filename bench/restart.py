"""Restart of the embedded stack with a year of registered letters, against floors measured in the same run.

    .venv/bin/python -m bench.restart                        # 100,000 letters (~40 min here)
    .venv/bin/python -m bench.restart --quick                # 2,000 letters, a smoke run
    .venv/bin/python -m bench.restart --letters 20000 --waiting 100

What is measured (see bench/README.md and docs/benchmarks.md), each phase in its own
process, as `make run` restarts are:

* generate: a fresh installation (demo data), one real letter per unit through the
  workflow (the templates, left waiting for their addressees), then N synthetic letters
  copied from them (bench/restart_data.py) and journaled by the stack itself; some get
  an unfinished execution. The process then dies by SIGKILL: no snapshot.
* replay: a start that replays the whole journal (journal replay speed), waits until the
  unfinished workflows were continued, and stops gracefully (final snapshot: stop time).
* snapshot: a start from that snapshot (the usual restart); resident memory; with
  ``--eager`` also what holding every object's bytes in memory would cost.
* floors, same run: an empty stack's start (no saved state, no demo data) and its
  memory; reading the state files; decoding their frames without building moto objects.

Ratios are restore / decode floor, restart / empty start, and memory per letter over the
empty stack. Nothing here asserts a time; the run fails if the restarted stack lost a
letter (register counts checked) or did not continue the waiting workflows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS_DIR = ROOT / "bench" / "results"
NO_CHECKPOINT = {"EZD_CHECKPOINT_MB": "1000000"}  # measure replay and snapshot separately


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _quiet_process_stdout(log: Path) -> None:
    """The in-process Lambdas log to fd 1, as in Lambda: into a file, not the report."""
    sys.stdout.flush()
    handle = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(handle, 1)
    os.close(handle)


_RESULT: Path | None = None


def _emit(result: dict[str, Any]) -> None:
    assert _RESULT is not None
    _RESULT.write_text(json.dumps(result, default=str), encoding="utf-8")


# --------------------------------------------------------------------------- phases

def phase_generate(args: argparse.Namespace) -> None:
    from bench.restart_data import Cloner, deliver_template

    from ezd.local.demo_data import demo_units
    from ezd.local.stack import LocalStack

    stack = LocalStack(args.state, api_port=0, run_schedules=False)
    stack.start()
    units = [u.symbol for u in demo_units() if u.symbol.startswith("SP")][: args.units]
    began = time.monotonic()
    templates = [deliver_template(stack, unit, f"Skarga na hałas w szkole {unit}") for unit in units]
    templates_s = time.monotonic() - began
    # Generation is not measured: skip the per-file fsyncs (the files are the same), sync once at the end.
    real_fsync, real_fdatasync = os.fsync, os.fdatasync
    os.fsync = os.fdatasync = lambda fd: None  # type: ignore[assignment]
    cloner, persistence = Cloner(stack), stack.persistence
    numbers = {t.unit: t.number for t in templates}
    every = max(1, args.letters // max(args.waiting, 1)) if args.waiting else 0
    began, waiting = time.monotonic(), 0
    for start in range(0, args.letters, args.batch):
        with stack.moto.lock:
            for index in range(start, min(start + args.batch, args.letters)):
                template = templates[index % len(templates)]
                numbers[template.unit] += 1
                document_id, execution_input = cloner.letter(template, numbers[template.unit])
                if every and index % every == 0 and waiting < args.waiting:
                    waiting += 1
                    machine = json.loads(execution_input)["intake"]
                    _unfinished(stack, machine["intake_id"], execution_input)
            for template in templates:
                cloner.counter(template.unit, template.year, numbers[template.unit])
            lsn = persistence.commit()
        persistence.wait(lsn)
    os.fsync, os.fdatasync = real_fsync, real_fdatasync
    os.sync()
    _emit({"templates": len(templates), "templates_s": templates_s, "letters": args.letters, "waiting": waiting,
           "generate_s": time.monotonic() - began, "object_bytes": cloner.bytes_written, "rss_mb": _rss_mb(),
           "register": numbers, "year": templates[0].year})
    os.kill(os.getpid(), signal.SIGKILL)  # no final snapshot: the next start replays the journal


def _unfinished(stack: Any, intake_id: str, execution_input: str) -> None:
    """What a letter waiting for its addressee leaves in the journal: a started execution."""
    machine = stack.provisioned.state_machines["IntakeStateMachine"]
    arn = f"{machine.replace(':stateMachine:', ':execution:')}:{intake_id}"
    record = ("sfn", "start", arn, machine, intake_id, execution_input)
    stack.persistence._tracker.apply(record)  # noqa: SLF001 - the bench stands in for a real start
    stack.persistence._append([record])  # noqa: SLF001


def phase_start(args: argparse.Namespace) -> None:
    from ezd.adapters import register_lines
    from ezd.local.stack import LocalStack

    launched = float(os.environ["BENCH_LAUNCHED"])
    began = time.monotonic()
    stack = LocalStack(args.state, api_port=0, run_schedules=False, seed_demo=not args.empty)
    stack.start()
    result: dict[str, Any] = {"ready_after_launch_s": time.time() - launched, "start_s": time.monotonic() - began,
                              "rss_ready_mb": _rss_mb()}
    report = stack.restored
    if report is not None:
        result.update(resumed=report.resumed, restore_s=report.seconds, snapshot_records=report.snapshot_records,
                      journal_records=report.journal_records, items=sum(report.items.values()),
                      versions=sum(report.object_versions.values()), executions=report.executions)
    if args.expect:
        expected = json.loads(args.expect)
        for unit, count in expected["register"].items():
            page = register_lines.list_register(unit, expected["year"], limit=1)
            newest = page.items[0].number if page.items else 0
            if newest != count:
                raise SystemExit(f"{unit}: the register ends at {newest}, expected {count}")
        latencies = []
        unit = next(iter(expected["register"]))
        while not stack.persistence.wait_resumed(0.01) and len(latencies) < 200:
            t = time.perf_counter()
            register_lines.list_register(unit, expected["year"], limit=50)
            latencies.append(time.perf_counter() - t)
            time.sleep(0.05)
        if not stack.persistence.wait_resumed(args.resume_timeout):
            raise SystemExit("the unfinished workflows were not continued in time")
        result["resume_s"] = time.monotonic() - began - result["start_s"]
        result["resumed_executions"] = stack.persistence._resumer.resumed  # noqa: SLF001
        result["query_during_resume_ms"] = sorted(latencies)[len(latencies) // 2] * 1000 if latencies else None
        t = time.perf_counter()
        for _ in range(20):
            register_lines.list_register(unit, expected["year"], limit=50)
        result["query_idle_ms"] = (time.perf_counter() - t) / 20 * 1000
    result["rss_resumed_mb"] = _rss_mb()
    if args.eager:
        from moto.s3.models import s3_backends

        from ezd.local.persistence.blobs import BlobBuffer

        with stack.moto.lock:  # what keeping every version's bytes in memory would cost
            for bucket in s3_backends["123456789012"]["aws"].buckets.values():
                for versions in dict.values(bucket.keys):
                    for version in versions:
                        if isinstance(getattr(version, "_value_buffer", None), BlobBuffer):
                            version._value_buffer._to_memory()  # noqa: SLF001
        result["rss_eager_mb"] = _rss_mb()
    began = time.monotonic()
    stack.stop()
    result["stop_s"] = time.monotonic() - began
    _emit(result)


def phase_decode(args: argparse.Namespace) -> None:
    """Floors: read the state files, and decode their frames without building moto objects."""
    from ezd.local.persistence import framing

    files = sorted(args.state.glob("data/snapshot-*.bin")) + sorted(args.state.glob("data/journal-*.log"))
    files = [f for f in files if (args.kind in f.name)]
    size = sum(f.stat().st_size for f in files)
    began = time.monotonic()
    for path in files:
        with open(path, "rb") as handle:
            while handle.read(16 * 1024 * 1024):
                pass
    read_s = time.monotonic() - began
    began, records = time.monotonic(), 0
    for path in files:
        for frame, _ in framing.read_frames(path):
            records += len(frame)
    _emit({"bytes": size, "read_s": read_s, "decode_s": time.monotonic() - began, "records": records})


# --------------------------------------------------------------------------- orchestration

def _phase(name: str, state: Path, log: Path, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = log.parent / f"{name}-{time.monotonic_ns()}.json"
    environment = {**os.environ, **(env or {}), "BENCH_LAUNCHED": repr(time.time())}
    process = subprocess.run([sys.executable, "-m", "bench.restart", "--phase", name, "--state", str(state),
                              "--log", str(log), "--result", str(result), *extra], cwd=ROOT, env=environment)
    if not result.exists():
        raise SystemExit(f"phase {name} failed (exit {process.returncode}); see {log}")
    return json.loads(result.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=40, help="units the letters are spread over (one template each)")
    parser.add_argument("--waiting", type=int, default=200, help="synthetic letters whose workflow waits for a person")
    parser.add_argument("--quick", action="store_true", help="2,000 letters, 10 units, 20 waiting")
    parser.add_argument("--eager", action="store_true", help="also measure memory with every object's bytes loaded")
    parser.add_argument("--keep", action="store_true", help="keep the state directory")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--expect", help=argparse.SUPPRESS)
    parser.add_argument("--empty", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, default=50, help=argparse.SUPPRESS)
    parser.add_argument("--resume-timeout", type=float, default=3600, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        global _RESULT
        _RESULT = args.result
        _quiet_process_stdout(args.log)
        {"generate": phase_generate, "start": phase_start, "decode": phase_decode}[args.phase](args)
        return 0
    if args.quick:
        args.letters, args.units, args.waiting = 2000, 10, 20

    work = Path(tempfile.mkdtemp(prefix="ezd-restart-"))
    state, log = work / "state", work / "lambda-stdout.log"
    say = print
    say(f"restart benchmark: {args.letters:,} letters over {args.units} units, {args.waiting} waiting; in {work}")
    started = time.time()
    empty = _phase("start", work / "empty", log, "--empty")
    say(f"  empty stack: ready {empty['ready_after_launch_s']:.1f} s after launch, {empty['rss_ready_mb']:.0f} MB")
    generated = _phase("generate", state, log, "--letters", str(args.letters), "--units", str(args.units),
                       "--waiting", str(args.waiting), env=NO_CHECKPOINT)
    say(f"  generated in {generated['generate_s']:.0f} s ({generated['object_bytes'] / 1e9:.2f} GB of objects); killed")
    expect = json.dumps({"register": generated["register"], "year": generated["year"]})
    journal_floor = _phase("decode", state, log, "--kind", "journal")
    replay = _phase("start", state, log, "--expect", expect, env=NO_CHECKPOINT)
    say(f"  replay: ready {replay['ready_after_launch_s']:.1f} s, {replay['journal_records']:,} records in "
        f"{replay['restore_s']:.1f} s; workflows continued in {replay['resume_s']:.0f} s; stop {replay['stop_s']:.1f} s")
    snapshot_floor = _phase("decode", state, log, "--kind", "snapshot")
    restart = _phase("start", state, log, "--expect", expect, *(["--eager"] if args.eager else []))
    say(f"  snapshot: ready {restart['ready_after_launch_s']:.1f} s, {restart['snapshot_records']:,} records in "
        f"{restart['restore_s']:.1f} s, {restart['rss_ready_mb']:.0f} MB")

    n = args.letters + generated["templates"]
    disk = sum(p.stat().st_size for p in (state / "data").rglob("*") if p.is_file())
    figures = {
        "journal replay": f"{replay['journal_records'] / replay['restore_s']:,.0f} records/s "
                          f"({replay['restore_s']:.1f} s; decode floor {journal_floor['decode_s']:.1f} s, "
                          f"ratio {replay['restore_s'] / journal_floor['decode_s']:.2f}; "
                          f"read floor {journal_floor['read_s']:.1f} s for {journal_floor['bytes'] / 1e9:.2f} GB)",
        "snapshot load": f"{restart['snapshot_records'] / restart['restore_s']:,.0f} records/s "
                         f"({restart['restore_s']:.1f} s; decode floor {snapshot_floor['decode_s']:.1f} s, "
                         f"ratio {restart['restore_s'] / snapshot_floor['decode_s']:.2f})",
        "restart, ready (snapshot)": f"{restart['ready_after_launch_s']:.1f} s; empty stack "
                                     f"{empty['ready_after_launch_s']:.1f} s, ratio "
                                     f"{restart['ready_after_launch_s'] / empty['ready_after_launch_s']:.2f}",
        "restart, ready (journal only)": f"{replay['ready_after_launch_s']:.1f} s",
        "continuing waiting workflows": f"{replay['resumed_executions']} in {replay['resume_s']:.0f} s, in the background "
                                        f"(register query p50 {replay['query_during_resume_ms'] or 0:.0f} ms meanwhile, "
                                        f"{replay['query_idle_ms']:.0f} ms after)",
        "graceful stop (final snapshot)": f"{replay['stop_s']:.1f} s",
        "resident memory after restart": f"{restart['rss_ready_mb']:,.0f} MB; empty stack {empty['rss_ready_mb']:.0f} MB; "
                                         f"{(restart['rss_ready_mb'] - empty['rss_ready_mb']) * 1e3 / n:.1f} kB per letter",
        "state on disk": f"{disk / 1e9:.2f} GB ({generated['object_bytes'] / 1e9:.2f} GB of object bytes)",
    }
    if args.eager:
        figures["memory with every object's bytes in memory"] = f"{restart['rss_eager_mb']:,.0f} MB"
    say("")
    for name, value in figures.items():
        say(f"  {name:<34} {value}")
    results = {"date": datetime.now().isoformat(timespec="seconds"), "machine": {
        "cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "args": {k: v for k, v in vars(args).items() if not k.startswith(("phase", "state", "log", "expect"))},
        "empty": empty, "generated": generated, "replay": replay, "snapshot": restart,
        "floors": {"journal": journal_floor, "snapshot": snapshot_floor}, "figures": figures,
        "wall_s": time.time() - started}
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = args.out or RESULTS_DIR / f"restart-{args.letters}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    say(f"\nresults: {path}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

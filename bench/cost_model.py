"""What the intake would cost on AWS: the usage a benchmark measured, at public prices.

    .venv/bin/python -m bench.cost_model USAGE.json                 # a usage file of the meter
    .venv/bin/python -m bench.cost_model --from-bench --letters 200 --units 4
                                                                    # run bench.intake_throughput metered, then price it

The usage comes from ``ezd.local.usage_meter`` (``bench.intake_throughput --meter FILE``):
Step Functions transitions and Express durations, Lambda invocations and durations at the
template's memory size and architecture, DynamoDB request units (indexes, transactions and
failed writes included), S3 requests and the bytes left stored, by class. Prices are those
of ``bench/aws_prices.py`` (eu-central-1), the only place they are written down.

Two figures, kept apart:

* **running cost per incoming letter**: everything the intake of one letter is billed
  once (requests, transitions, compute, the staging copy until its lifecycle expires it,
  the archive's lifecycle transitions); ×155,000 for the reference city's year;
* **storage per archived letter-year**: what keeping one registered letter costs per
  year (its archived objects by storage class after the lifecycle, its DynamoDB items and
  their indexes, point-in-time recovery), the first year and each later one.

The reference city also sends ~5,700 letters a year; no benchmark measures dispatch yet,
so the outgoing line is a bound (as costly as an incoming letter), said as such.
Results go to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/ is a package of the repository
    sys.path.insert(0, str(ROOT))

from bench.aws_prices import AS_OF, PRICES, REGION, price  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
INCOMING_PER_YEAR = 155_000
OUTGOING_PER_YEAR = 5_700
DAYS_PER_MONTH = 365 / 12
GB = 1024**3
MIN_BILLABLE_OBJECT = {"STANDARD_IA": 128 * 1024, "ONEZONE_IA": 128 * 1024, "GLACIER_IR": 128 * 1024}
DEFAULT_AWS_CALL_MS = 10.0  # a DynamoDB or S3 call from a Lambda in the same region
ONE_VCPU_MB = 1769  # Lambda's CPU share grows with memory: one vCPU at 1,769 MB


@dataclass
class Line:
    service: str
    item: str
    quantity: float  # per letter
    unit: str
    usd: float  # per letter

    @property
    def per_year(self) -> float:
        return self.usd * INCOMING_PER_YEAR


# --------------------------------------------------------------------------- running cost


def modelled_ms(f: dict[str, Any], calls: int, aws_call_ms: float = DEFAULT_AWS_CALL_MS) -> float:
    """A function's billed milliseconds in AWS, from what it did here: its CPU time at its
    memory's share of a vCPU, ``aws_call_ms`` per AWS call, and half a millisecond of
    rounding per invocation."""
    return (f["cpu_ms"] * max(1.0, ONE_VCPU_MB / f["memory_mb"]) + aws_call_ms * calls
            + 0.5 * f["invocations"])


def lambda_billed_ms(usage: dict[str, Any], duration: str, aws_call_ms: float = DEFAULT_AWS_CALL_MS) -> dict[str, float]:
    calls = usage.get("requests_by_function", {})
    return {
        name: float(f["billed_ms"]) if duration == "wall"
        else modelled_ms(f, sum(calls.get(name, {}).values()), aws_call_ms)
        for name, f in usage.get("lambda", {}).items()
    }


def lambda_lines(usage: dict[str, Any], letters: int, duration: str = "model",
                 aws_call_ms: float = DEFAULT_AWS_CALL_MS) -> list[Line]:
    """Requests and GB-seconds; ``duration`` "wall" bills the measured in-process handler
    time (every handler of the run shares one interpreter and two cores here: pessimistic),
    "model" what ``modelled_ms`` makes of its CPU time and AWS calls."""
    billed = lambda_billed_ms(usage, duration, aws_call_ms)
    invocations = gb_s = usd = 0.0
    for name, f in usage.get("lambda", {}).items():
        invocations += f["invocations"]
        seconds = billed[name] / 1000 * f["memory_mb"] / 1024
        gb_s += seconds
        usd += seconds * price(f"lambda.gb_s.{f['architecture']}")
    return [
        Line("Lambda", "requests", invocations / letters, "invocation", invocations * price("lambda.request") / letters),
        Line("Lambda", f"duration ({duration})", gb_s / letters, "GB-s", usd / letters),
    ]


def step_functions_lines(usage: dict[str, Any], letters: int, express_scale: float = 1.0) -> list[Line]:
    """Standard transitions; Express requests and GB-seconds (``express_scale`` times the
    measured duration: an Express execution mostly waits for its Lambdas)."""
    lines = []
    for name, m in sorted(usage.get("stepfunctions", {}).items()):
        short = name.removeprefix("ezd-local-")
        if m["type"] == "EXPRESS":
            lines.append(Line("Step Functions", f"{short}: Express requests", m["executions"] / letters, "execution",
                              m["executions"] * price("states.express.request") / letters))
            gb_s = m["billed_gb_s"] * express_scale
            lines.append(Line("Step Functions", f"{short}: Express duration", gb_s / letters, "GB-s",
                              gb_s * price("states.express.gb_s") / letters))
        else:
            lines.append(Line("Step Functions", f"{short}: Standard transitions", m["transitions"] / letters,
                              "transition", m["transitions"] * price("states.standard.transition") / letters))
    return lines


def dynamodb_lines(usage: dict[str, Any], letters: int) -> list[Line]:
    wru: dict[str, float] = {}
    rru: dict[str, float] = {}
    for table in usage.get("dynamodb", {}).values():
        for kind, units in table.get("wru", {}).items():
            wru[kind] = wru.get(kind, 0) + units
        for kind, units in table.get("rru", {}).items():
            rru[kind] = rru.get(kind, 0) + units
    lines = [Line("DynamoDB", f"writes: {kind}", units / letters, "WRU", units * price("dynamodb.wru") / letters)
             for kind, units in sorted(wru.items())]
    lines += [Line("DynamoDB", f"reads: {kind}", units / letters, "RRU", units * price("dynamodb.rru") / letters)
              for kind, units in sorted(rru.items())]
    return lines


def _groups(bucket: dict[str, Any]) -> dict[tuple[str, str, str, str], dict[str, float]]:
    """Objects and bytes the run added, by (class, prefix, current|noncurrent, small|large)."""
    start, end = bucket.get("storage_start", {}), bucket.get("storage_end", {})
    out = {}
    for key in end.keys() | start.keys():
        objects = end.get(key, {}).get("objects", 0) - start.get(key, {}).get("objects", 0)
        size = end.get(key, {}).get("bytes", 0) - start.get(key, {}).get("bytes", 0)
        if objects > 0 or size > 0:
            storage_class, prefix, version, small = key.split("|")
            out[(storage_class, prefix, version, small)] = {"objects": max(0, objects), "bytes": max(0, size)}
    return out


def _rules_for(rules: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    found = []
    for rule in rules:
        if rule.get("Status") != "Enabled":
            continue
        wanted = rule.get("Prefix")
        filt = rule.get("Filter") or {}
        if wanted is None:
            wanted = filt.get("Prefix", (filt.get("And") or {}).get("Prefix", ""))
        if prefix.startswith(wanted or "") or (wanted or "").startswith(prefix):
            found.append(rule)
    return found


def lifecycle_of(rules: list[dict[str, Any]], prefix: str, version: str, small: bool,
                 versioned: bool = False) -> dict[str, Any]:
    """What the lifecycle does to an object: the day its bytes are gone (None: kept), and
    [(day, class)] transitions. In a versioned bucket an expiring current version only
    becomes noncurrent: its bytes go when the noncurrent expiration removes it."""
    expires: float | None = None
    steps: list[tuple[int, str]] = []
    matching = _rules_for(rules, prefix)
    if version == "current" and versioned:
        noncurrent = [(r.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays") for r in matching]
        after = min((d for d in noncurrent if d is not None), default=None)
    for rule in matching:
        if version == "current":
            days = (rule.get("Expiration") or {}).get("Days")
            moves = rule.get("Transitions") or []
        else:
            days = (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
            moves = [{"Days": t.get("NoncurrentDays"), "StorageClass": t.get("StorageClass")}
                     for t in rule.get("NoncurrentVersionTransitions") or []]
        if days is not None and version == "current" and versioned:
            days = None if after is None else days + after
        if days is not None:
            expires = days if expires is None else min(expires, days)
        minimum = ((rule.get("Filter") or {}).get("ObjectSizeGreaterThan")
                   or ((rule.get("Filter") or {}).get("And") or {}).get("ObjectSizeGreaterThan"))
        for move in moves:
            if small and minimum is None:
                continue  # S3 keeps objects under 128 KB where they are unless a rule says otherwise
            if move.get("Days") is not None and move.get("StorageClass"):
                steps.append((int(move["Days"]), str(move["StorageClass"])))
    steps.sort()
    if expires is not None:
        steps = [s for s in steps if s[0] < expires]
    return {"expires_after_days": expires, "transitions": steps}


def _storage_usd(size: float, storage_class: str, days: float) -> float:
    billable = max(size, MIN_BILLABLE_OBJECT.get(storage_class, 0))
    return billable / GB * price(f"s3.storage.{storage_class}") * days / DAYS_PER_MONTH


def s3_lines(usage: dict[str, Any], letters: int) -> list[Line]:
    tier1 = tier2 = 0
    for bucket in usage.get("s3", {}).values():
        tier1 += bucket.get("requests", {}).get("tier1", 0)
        tier2 += bucket.get("requests", {}).get("tier2", 0)
    lines = [
        Line("S3", "PUT/COPY/POST/LIST requests", tier1 / letters, "request", tier1 * price("s3.tier1.STANDARD") / letters),
        Line("S3", "GET/HEAD/other requests", tier2 / letters, "request", tier2 * price("s3.tier2.STANDARD") / letters),
    ]
    transitions = transition_usd = 0.0
    temporary_gb_months = temporary_usd = 0.0
    for bucket in usage.get("s3", {}).values():
        rules = bucket.get("lifecycle_rules", [])
        versioned = bucket.get("versioning") == "Enabled"
        for (storage_class, prefix, version, small), g in _groups(bucket).items():
            plan = lifecycle_of(rules, prefix, version, small == "small", versioned)
            for _day, target in plan["transitions"]:
                transitions += g["objects"]
                transition_usd += g["objects"] * price(f"s3.transition.{target}")
            if plan["expires_after_days"] is not None:  # kept a while, then gone: part of the intake's cost
                days = float(plan["expires_after_days"])
                mean = g["bytes"] / max(1, g["objects"])
                temporary_gb_months += g["bytes"] / GB * days / DAYS_PER_MONTH
                temporary_usd += g["objects"] * _storage_usd(mean, storage_class, days)
    lines.append(Line("S3", "lifecycle transition requests", transitions / letters, "object",
                      transition_usd / letters))
    lines.append(Line("S3", "temporary copies until they expire", temporary_gb_months / letters, "GB-month",
                      temporary_usd / letters))
    return lines


def other_lines(usage: dict[str, Any], letters: int) -> list[Line]:
    secrets = sum(n for op, n in usage.get("requests", {}).items() if op.startswith("secretsmanager:"))
    log_bytes = (usage.get("cloudwatch_logs") or {}).get("bytes", 0)
    return [
        Line("Secrets Manager", "API calls", secrets / letters, "call", secrets * price("secretsmanager.api") / letters),
        Line("CloudWatch Logs", "ingestion (the functions' log lines)", log_bytes / GB / letters, "GB",
             log_bytes / GB * price("logs.ingestion") / letters),
    ]


def running_cost(usage: dict[str, Any], letters: int, duration: str = "model",
                 aws_call_ms: float = DEFAULT_AWS_CALL_MS) -> list[Line]:
    wall = sum(f["billed_ms"] for f in usage.get("lambda", {}).values())
    scale = 1.0
    if duration != "wall" and wall:
        scale = min(1.0, sum(lambda_billed_ms(usage, duration, aws_call_ms).values()) / wall)
    return (step_functions_lines(usage, letters, scale) + lambda_lines(usage, letters, duration, aws_call_ms)
            + dynamodb_lines(usage, letters) + s3_lines(usage, letters) + other_lines(usage, letters))


# --------------------------------------------------------------------------- storage


def _year_usd(size: float, plan: dict[str, Any], storage_class: str, year: int) -> float:
    """Storage of one object in its ``year``-th year (1 = the first) under its lifecycle."""
    start, end = (year - 1) * 365, year * 365
    expires = plan["expires_after_days"]
    if expires is not None:
        end = min(end, expires)
    usd = 0.0
    segments = [(0, storage_class)] + list(plan["transitions"])
    for i, (day, cls) in enumerate(segments):
        until = segments[i + 1][0] if i + 1 < len(segments) else math.inf
        days = max(0.0, min(until, end) - max(day, start))
        if days:
            usd += _storage_usd(size, cls, days)
    return usd


def _short(bucket: str) -> str:
    """ezd-local-archive-123456789012 -> archive"""
    parts = bucket.split("-")
    if parts[-1].isdigit():
        parts = parts[:-1]
    return "-".join(parts[2:]) if len(parts) > 2 else bucket


def storage_per_letter_year(usage: dict[str, Any], letters: int) -> dict[str, Any]:
    s3_first = s3_later = 0.0
    kept: dict[str, float] = {}
    for name, bucket in usage.get("s3", {}).items():
        rules = bucket.get("lifecycle_rules", [])
        versioned = bucket.get("versioning") == "Enabled"
        for (storage_class, prefix, version, small), g in _groups(bucket).items():
            plan = lifecycle_of(rules, prefix, version, small == "small", versioned)
            if plan["expires_after_days"] is not None:
                continue  # temporary: in the running cost
            mean = g["bytes"] / max(1, g["objects"])
            s3_first += g["objects"] * _year_usd(mean, plan, storage_class, 1)
            s3_later += g["objects"] * _year_usd(mean, plan, storage_class, 3)
            final = plan["transitions"][-1][1] if plan["transitions"] else storage_class
            label = f"{_short(name)}: {storage_class}" + (f" -> {final}" if final != storage_class else "")
            kept[label] = kept.get(label, 0) + g["bytes"] / letters
    table_bytes = index_bytes = 0.0
    for table in usage.get("dynamodb", {}).values():
        start, end = table.get("storage_start", {}), table.get("storage_end", {})
        items = end.get("items", 0) - start.get("items", 0)
        table_bytes += end.get("bytes", 0) - start.get("bytes", 0) + 100 * items
        for index, size in end.get("index_bytes", {}).items():
            added = end.get("index_items", {}).get(index, 0) - start.get("index_items", {}).get(index, 0)
            index_bytes += size - start.get("index_bytes", {}).get(index, 0) + 100 * added
    per_letter_gb = (table_bytes + index_bytes) / GB / letters
    dynamodb = per_letter_gb * price("dynamodb.storage") * 12
    pitr = table_bytes / GB / letters * price("dynamodb.pitr") * 12
    return {
        "s3_bytes_kept_per_letter": {k: round(v) for k, v in kept.items()},
        "dynamodb_bytes_per_letter": round((table_bytes + index_bytes) / letters),
        "usd_per_letter_year": {
            "s3_first_year": s3_first / letters,
            "s3_later_years": s3_later / letters,
            "dynamodb_table_and_indexes": dynamodb,
            "dynamodb_pitr": pitr,
            "first_year": s3_first / letters + dynamodb + pitr,
            "later_years": s3_later / letters + dynamodb + pitr,
        },
    }


# --------------------------------------------------------------------------- report


def report(usage: dict[str, Any], letters: int | None = None, duration: str = "model",
           aws_call_ms: float = DEFAULT_AWS_CALL_MS) -> dict[str, Any]:
    n = int(letters or usage.get("documents") or 0)
    if n < 1:
        raise SystemExit("the number of letters is unknown: pass --documents")
    lines = running_cost(usage, n, duration, aws_call_ms)
    per_letter = sum(line.usd for line in lines)
    by_service: dict[str, float] = {}
    for line in lines:
        by_service[line.service] = by_service.get(line.service, 0) + line.usd
    other = running_cost(usage, n, "model" if duration == "wall" else "wall", aws_call_ms)
    storage = storage_per_letter_year(usage, n)
    return {
        "cost_model": "bench.cost_model",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "prices": {"region": REGION, "as_of": AS_OF, "table": {k: asdict(v) for k, v in PRICES.items()}},
        "letters_measured": n,
        "reference_city": {"incoming_per_year": INCOMING_PER_YEAR, "outgoing_per_year": OUTGOING_PER_YEAR},
        "lambda_duration": duration,
        "lines": [{**asdict(line), "usd_per_year": line.per_year} for line in lines],
        "by_service_usd_per_letter": by_service,
        "running_usd_per_letter": per_letter,
        "running_usd_per_year_incoming": per_letter * INCOMING_PER_YEAR,
        "outgoing_bound_usd_per_year": per_letter * OUTGOING_PER_YEAR,
        "running_usd_per_letter_other_lambda_duration": sum(line.usd for line in other),
        "storage": storage,
        "meter_errors": usage.get("errors", {}),
    }


def print_report(r: dict[str, Any], say: Callable[[str], None] = print) -> None:
    say("")
    say(f"AWS cost of the intake, {r['prices']['region']} on-demand prices as of {r['prices']['as_of']}"
        f" ({r['letters_measured']} letters measured; Lambda duration: {r['lambda_duration']})")
    say("")
    say(f"  {'service':<16} {'item':<40} {'per letter':>12} {'unit':<12} {'$/letter':>11} {'$/year':>9}")
    for line in r["lines"]:
        say(f"  {line['service']:<16} {line['item']:<40} {line['quantity']:>12.4g} {line['unit']:<12}"
            f" {line['usd']:>11.8f} {line['usd_per_year']:>9.2f}")
    say("")
    for service, usd in sorted(r["by_service_usd_per_letter"].items(), key=lambda kv: -kv[1]):
        say(f"  {service:<16} {usd:.8f} $/letter  {usd * INCOMING_PER_YEAR:>9.2f} $/year"
            f"  ({usd / r['running_usd_per_letter'] * 100:.0f} %)")
    say(f"  {'running, total':<16} {r['running_usd_per_letter']:.8f} $/letter  "
        f"{r['running_usd_per_year_incoming']:>9.2f} $/year for {INCOMING_PER_YEAR:,} incoming letters")
    other = "model" if r["lambda_duration"] == "wall" else "wall"
    say(f"  (with Lambda duration {other}: {r['running_usd_per_letter_other_lambda_duration']:.8f} $/letter)")
    say(f"  outgoing ({OUTGOING_PER_YEAR:,}/year): not measured (no dispatch benchmark); at most about"
        f" {r['outgoing_bound_usd_per_year']:.2f} $/year if one costs what an incoming letter does")
    s = r["storage"]["usd_per_letter_year"]
    say("")
    say("  storage per archived letter-year (separate from the running cost):")
    say(f"    S3, first year / later years     {s['s3_first_year']:.8f} / {s['s3_later_years']:.8f} $"
        f"   {r['storage']['s3_bytes_kept_per_letter']}")
    say(f"    DynamoDB items and indexes        {s['dynamodb_table_and_indexes']:.8f} $"
        f"   ({r['storage']['dynamodb_bytes_per_letter']} bytes per letter)")
    say(f"    DynamoDB point-in-time recovery   {s['dynamodb_pitr']:.8f} $")
    say(f"    total, first year / later years  {s['first_year']:.8f} / {s['later_years']:.8f} $ per letter;"
        f" a year's {INCOMING_PER_YEAR:,} letters: {s['first_year'] * INCOMING_PER_YEAR:.2f} /"
        f" {s['later_years'] * INCOMING_PER_YEAR:.2f} $ per year kept")
    if r["meter_errors"]:
        say(f"  METER ERRORS (figures incomplete): {r['meter_errors']}")
    say("")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("usage", nargs="?", type=Path, help="usage JSON of ezd.local.usage_meter")
    parser.add_argument("--from-bench", action="store_true",
                        help="run bench.intake_throughput with the meter (other options go to it), then price it")
    parser.add_argument("--documents", type=int, default=None, help="letters the usage is for (default: the file's)")
    parser.add_argument("--lambda-duration", choices=("model", "wall"), default="model",
                        help="bill each handler's CPU time at its memory's share of a vCPU plus --aws-call-ms per"
                             " AWS call (model, the default), or its measured wall-clock time here (wall: every"
                             " handler shares one interpreter and two cores, so this is pessimistic)")
    parser.add_argument("--aws-call-ms", type=float, default=DEFAULT_AWS_CALL_MS)
    parser.add_argument("--out", type=Path, default=None, help="JSON results (default bench/results/...)")
    args, rest = parser.parse_known_args(argv)
    if args.from_bench:
        from bench import intake_throughput

        usage_path = args.usage or Path(tempfile.mkdtemp(prefix="ezd-usage-")) / "usage.json"
        code = intake_throughput.main([*rest, "--meter", str(usage_path)])
        if code:
            return code
    elif rest:
        parser.error(f"unknown arguments {rest} (only with --from-bench)")
    elif args.usage is None:
        parser.error("give a usage file or --from-bench")
    else:
        usage_path = args.usage
    usage = json.loads(usage_path.read_text(encoding="utf-8"))
    result = report(usage, args.documents, args.lambda_duration, args.aws_call_ms)
    result["usage_file"] = str(usage_path)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = args.out or RESULTS_DIR / f"cost_model-{result['letters_measured']}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print_report(result)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    import os

    code = main()
    sys.stdout.flush()
    # after --from-bench, moto's execution threads may still wait for a person
    os._exit(code)

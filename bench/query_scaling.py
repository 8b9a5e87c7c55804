"""A bare ``Limit=50`` newest-first Query of one partition on the embedded stack, at 10k,
100k and 200k items in the partition, against the same query of a 150-item partition (the
floor) in the same run. It must not grow with the partition.

    .venv/bin/python -m bench.query_scaling                      # 10,000 / 100,000 / 200,000
    .venv/bin/python -m bench.query_scaling --sizes 1000,10000 --calls 50  # quick

What one run does (see bench/README.md):

1. starts a ``LocalStack`` (``api_port=0``, no schedules) in a temporary directory;
2. seeds (not timed) one partition per size with inbox items of routing_store's layout
   (``INBOX#<unit>#CELL#...``, sort key ``<created_at>#<id>``, created evenly over a year,
   written in random order) plus the floor partition of 150 items; all in the one records table;
3. times the first query of each partition (it orders the partition's keys once), then
   ``--calls`` rounds of: the floor query and the query of each size, alternating, each a
   bare boto3 ``query(KeyConditionExpression="PK = :pk", ScanIndexForward=False, Limit=50)``;
   then the next page (``ExclusiveStartKey`` of the first) and a key-condition query
   (``SK < :t``, the inbox of a past month) the same way;
4. times writes into each partition (a newest item, and one in the middle of the year),
   against the same writes into the floor partition: keeping the order must not make
   writes grow either;
5. a GSI1 query (a queue of 150 items, ``Limit=50``, newest first) after each seeding step:
   index queries are left to moto (one pass over the table), so this grows with the table;
6. for comparison, a few calls with the Query the stack had before (``--before-calls``: the
   partition handed to moto, which sorts it) and with moto's own (``--stock-calls``: moto
   sorts the whole table).

p50/p95 per query and the ratios p50/p50 and p95/p95 to the floor; JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import bench_stack, cpu_seconds, peak_rss_mb, percentile  # noqa: E402
from bench.routing_and_queries import batch_put, boto, say  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
UNIT = "BENCHQ"
LIMIT = 50
FLOOR_ITEMS = 150  # enough for every query shape's 50 (half are older than six months)


def _items(owner: str, count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    from ezd.adapters.routing_store import _inbox_item  # noqa: PLC2701 - the adapter's own layout
    from ezd.models.routing import InboxItem

    now = datetime.now(timezone.utc)
    for i in range(count):
        created = now - timedelta(seconds=(i + rng.random()) / count * 365 * 86400)  # evenly over the year
        number = i + 1
        yield _inbox_item(InboxItem(
            owner=owner, unit=UNIT, item_id=uuid.uuid4().hex, kind="decretation", document_id=f"{UNIT}-{i:07d}",
            registry_number=f"RPW/{number}/2026", title=f"Wniosek o duplikat świadectwa nr {number}",
            from_login="system", note="Arkusze organizacji i aneksy", created_at=created,
        )).serialize()


def _seed(moto_url: str, table: str, owner: str, count: int, rng: random.Random, threads: int = 4) -> float:
    started = time.perf_counter()
    items = list(_items(owner, count, rng))
    rng.shuffle(items)  # written out of order, as decretations of older letters arrive
    shards = [items[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda shard: batch_put(boto("dynamodb", moto_url), table, shard), shards))
    return time.perf_counter() - started


def _seed_queue(ddb: Any, table: str, count: int) -> str:
    """A registry desk's queue in GSI1 (routing_store's ``QUEUE#<unit>#<name>``), one item per letter."""
    queue = f"QUEUE#{UNIT}#classification"
    start = datetime.now(timezone.utc) - timedelta(days=30)
    batch_put(ddb, table, ({"PK": {"S": f"DOC#{UNIT}-queue-{i:05d}"}, "SK": {"S": "ROUTING"}, "kind": {"S": "routing"},
                            "GSI1PK": {"S": queue}, "GSI1SK": {"S": (start + timedelta(minutes=i)).isoformat()}}
                           for i in range(count)))
    return queue


def _stats(values: list[float]) -> dict[str, float]:
    return {"calls": len(values), "p50_ms": round(percentile(values, 50) * 1000, 2),
            "p95_ms": round(percentile(values, 95) * 1000, 2), "max_ms": round(max(values) * 1000, 2)}


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _before_query() -> Any:
    """The stack's Query before ezd.local.moto_query: the partition's items handed to moto
    unsorted (moto sorts them with DynamoType comparisons)."""
    from ezd.local import moto_query

    stock = moto_query._stock_query  # noqa: SLF001

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        partition = self.items.get(hash_key)
        candidates = list(partition.values()) if partition else []
        self.all_items = lambda: candidates
        try:
            return stock(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    return query


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,200000", help="partition sizes (default 10000,100000,200000)")
    parser.add_argument("--calls", type=int, default=100, help="timed rounds of every query (default 100)")
    parser.add_argument("--writes", type=int, default=50, help="timed writes per partition and kind (default 50)")
    parser.add_argument("--before-calls", type=int, default=3,
                        help="calls per size with the stack's previous Query (sorts the partition; default 3)")
    parser.add_argument("--stock-calls", type=int, default=1,
                        help="calls per size with moto's own Query (sorts the table; default 1, 0 = skip)")
    parser.add_argument("--index-calls", type=int, default=5,
                        help="calls of a GSI1 query (a 150-item queue, Limit=50) after each seeding step (default 5)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]

    from moto.dynamodb.models.table import Table

    from ezd.local import moto_query
    temp, stack = bench_stack("ezd-bench-query-")
    say(f"query scaling: partitions of {', '.join(f'{s:,}' for s in sizes)} items and a floor of {FLOOR_ITEMS};"
        f" state in {temp}")
    rng = random.Random(20261202)
    result: dict[str, Any] = {}
    try:
        stack.start()
        moto_url = stack.info.moto_url
        table = stack.info.environment["EZD_TABLE"]
        ddb = boto("dynamodb", moto_url)
        keys = {"floor": f"INBOX#{UNIT}#CELL#FLOOR"} | {str(s): f"INBOX#{UNIT}#CELL#P{s}" for s in sizes}
        seeded: dict[str, float] = {}
        queue = _seed_queue(ddb, table, FLOOR_ITEMS)
        index: dict[str, dict[str, float]] = {}
        for name, count in [("floor", FLOOR_ITEMS)] + [(str(s), s) for s in sizes]:
            seeded[name] = round(_seed(moto_url, table, keys[name].split("#", 2)[2], count, rng), 1)
            say(f"  seeded {count:,} items into {keys[name]} in {seeded[name]} s")
            if args.index_calls:  # an index query, at each table size (moto_query leaves index queries to moto)
                table_items = FLOOR_ITEMS + sum(c for n, c in [("floor", FLOOR_ITEMS)] + [(str(z), z) for z in sizes]
                                                if n in seeded)
                index[str(table_items)] = _stats([_timed(lambda: ddb.query(
                    TableName=table, IndexName="GSI1", KeyConditionExpression="GSI1PK = :q",
                    ExpressionAttributeValues={":q": {"S": queue}}, ScanIndexForward=False, Limit=LIMIT))[0]
                    for _ in range(args.index_calls)])

        def query(name: str, **extra: Any) -> dict[str, Any]:
            values = {":pk": {"S": keys[name]}} | extra.pop("values", {})
            return ddb.query(TableName=table, KeyConditionExpression="PK = :pk" + extra.pop("condition", ""),
                             ExpressionAttributeValues=values, ScanIndexForward=False, Limit=LIMIT, **extra)

        names = ["floor"] + [str(s) for s in sizes]
        first: dict[str, float] = {}
        for name in names:
            first[name], _ = _timed(lambda: query(name))
        say("  first query of each partition (orders its keys once): "
            + ", ".join(f"{n} {v * 1000:.0f} ms" for n, v in first.items()))
        month = (datetime.now(timezone.utc) - timedelta(days=180)).isoformat()
        shapes: dict[str, Callable[[str], Any]] = {
            "newest 50": lambda n: query(n),
            "next page": lambda n: query(n, ExclusiveStartKey=pages[n]),
            "SK < 6 months ago": lambda n: query(n, condition=" AND SK < :t", values={":t": {"S": month}}),
        }
        pages = {n: query(n)["LastEvaluatedKey"] for n in names}
        timings: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        rows: dict[str, dict[str, int]] = defaultdict(dict)
        cpu0 = cpu_seconds()
        for _ in range(args.calls):
            for shape, fn in shapes.items():
                for name in names:
                    seconds, answer = _timed(lambda: fn(name))
                    timings[shape][name].append(seconds)
                    rows[shape][name] = answer["Count"]
        cpu_queries = cpu_seconds() - cpu0
        queries = {shape: {name: _stats(v) for name, v in by_name.items()} for shape, by_name in timings.items()}
        ratios = {shape: {name: {"p50": round(q[name]["p50_ms"] / q["floor"]["p50_ms"], 3),
                                 "p95": round(q[name]["p95_ms"] / q["floor"]["p95_ms"], 3)}
                          for name in names if name != "floor"} for shape, q in queries.items()}
        for shape in shapes:
            for name in names:
                if rows[shape][name] != LIMIT:
                    raise SystemExit(f"{shape} of {name} returned {rows[shape][name]} items, not {LIMIT}")

        writes: dict[str, dict[str, dict[str, float]]] = {}
        for kind in ("newest", "middle"):
            by_name: dict[str, list[float]] = defaultdict(list)
            for i in range(args.writes):
                for name in names:
                    at = datetime.now(timezone.utc) if kind == "newest" else \
                        datetime.now(timezone.utc) - timedelta(days=182, seconds=i)
                    item = {"PK": {"S": keys[name]}, "SK": {"S": f"{at.isoformat()}#{uuid.uuid4().hex}"},
                            "kind": {"S": "inbox"}}
                    seconds, _ = _timed(lambda: ddb.put_item(TableName=table, Item=item))
                    by_name[name].append(seconds)
            writes[kind] = {name: _stats(v) for name, v in by_name.items()}

        comparison: dict[str, dict[str, dict[str, float]]] = {}
        patched = Table.query
        for mode, calls, implementation in (("before (partition sorted by moto)", args.before_calls, _before_query()),
                                            ("moto's own (table sorted)", args.stock_calls, moto_query._stock_query)):  # noqa: SLF001
            if not calls:
                continue
            Table.query = implementation  # type: ignore[method-assign]
            try:
                comparison[mode] = {name: _stats([_timed(lambda: query(name))[0] for _ in range(calls)])
                                    for name in names}
            finally:
                Table.query = patched  # type: ignore[method-assign]
            say(f"  {mode}: " + ", ".join(f"{n} {v['p50_ms']:.0f} ms" for n, v in comparison[mode].items()))
        result = {
            "sizes": sizes, "floor_items": FLOOR_ITEMS, "limit": LIMIT, "seed_seconds": seeded,
            "first_query_ms": {n: round(v * 1000, 1) for n, v in first.items()},
            "queries": queries, "ratio_to_floor": ratios, "rows": rows,
            "process_cpu_ms_per_query": round(cpu_queries / (args.calls * len(shapes) * len(names)) * 1000, 2),
            "writes": writes, "comparison": comparison,
            "index_query_by_table_items": index,
            "table_items": sum(sizes) + 2 * FLOOR_ITEMS,
        }
    finally:
        stack.stop()

    result = {
        "benchmark": "query_scaling",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average": os.getloadavg()},
        "peak_rss_mb": round(peak_rss_mb()),
        **result,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = args.out or RESULTS_DIR / f"query_scaling-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    _print(result)
    say(f"results: {path}")
    return 0


def _print(r: dict[str, Any]) -> None:
    names = ["floor"] + [str(s) for s in r["sizes"]]
    say("")
    say(f"  Limit={r['limit']} newest first; floor = a {r['floor_items']}-item partition; table {r['table_items']:,} items")
    say(f"    {'query':<20} {'partition':>9} {'p50 ms':>8} {'p95 ms':>8} {'p50/floor':>10} {'p95/floor':>10}")
    for shape, by_name in r["queries"].items():
        for name in names:
            v = by_name[name]
            ratio = r["ratio_to_floor"][shape].get(name, {"p50": 1.0, "p95": 1.0})
            say(f"    {shape:<20} {name:>9} {v['p50_ms']:>8.2f} {v['p95_ms']:>8.2f} {ratio['p50']:>10.2f} {ratio['p95']:>10.2f}")
    for kind, by_name in r["writes"].items():
        say(f"    put ({kind}):        " + "  ".join(f"{n} p50 {v['p50_ms']:.2f} ms" for n, v in by_name.items()))
    say("    first query:         " + "  ".join(f"{n} {v:.0f} ms" for n, v in r["first_query_ms"].items()))
    for mode, by_name in r["comparison"].items():
        say(f"    {mode}: " + "  ".join(f"{n} {v['p50_ms']:.0f} ms" for n, v in by_name.items()))
    if r["index_query_by_table_items"]:
        say("    GSI1 query, Limit=50, by table items: " + "  ".join(
            f"{n} {v['p50_ms']:.0f} ms" for n, v in r["index_query_by_table_items"].items()))
    say("")


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)

"""Classification + decretation throughput, and inbox / spis spraw query latency, each against
a floor measured in the same run.

    .venv/bin/python -m bench.routing_and_queries                     # 10,000 / 100,000 / 10,000 (~25 min)
    .venv/bin/python -m bench.routing_and_queries --quick             # 500 / 5,000 / 500
    .venv/bin/python -m bench.routing_and_queries --documents 2000 --query-documents 20000 --cases 2000

What is measured (see bench/README.md and docs/benchmarks.md):

* routing: N registered documents of one unit (seeded straight into the records table with
  the item layout of ``registry_store.commit_registration``; titles a realistic mix, some
  matched by the city's classification rules, some not) go through the two service calls
  the intake workflow makes after registration, from a pool of worker threads (as
  concurrent Lambda invocations would): ``routing.start_routing`` (the Classify step), then
  ``routing.await_person`` with a fake task token -- ``"decision"`` for a classified
  document (the unit's decretation model decrees it: routing + decretation + inbox item in
  one transaction, plus the audit entries), ``"classification"`` for an unclassified one
  (the token is stored; the document waits in the registry desk's queue). Neither path
  calls Step Functions; ``workflows.complete_task`` is replaced by a counter for the run
  and the run fails if it was called. docs/s = N / wall time.
  Floor: the items the routing left per document (routing item, and for a decreed document
  its decretation and inbox item) written again, re-keyed under ``FLOOR#``, as bare boto3
  ``put_item`` calls from the same number of threads.
* queries: M more documents of the same unit with an inbox item each (three quarters for
  the komórka WO-AO, a quarter for its officer, spread over a year) and K cases in the
  unit's spis spraw (a few hundred in the measured komórka / class / year, the rest in other
  komórki, classes and years). Timed: ``routing.inbox_of(principal, limit=50)`` and
  ``spis.spis_spraw(...)``, each alternating call by call with its floor, bare boto3
  ``query`` calls of the same keys (the inbox's two partitions with ``Limit=50``
  descending; the whole spis partition, paged). p50 / p95 and the ratios p50/p50, p95/p95.

How moto answers a Query decides the absolute figures, so the query phase is measured with
three implementations of moto's ``Table.query`` in the same run (the floors always use the
same one as the system they are compared with):

* ``stack``: as the local stack runs it (moto 5.2.5 with ``ezd.local.moto_patches``: a
  base-table Query hands moto its own partition, which moto then sorts with ``DynamoType``
  comparisons -- O(p log p) in the partition size p);
* ``sliced``: this script's variant, installed in this process only: the partition sorted
  once by a native key, and for a plain ``Limit`` query only ``Limit + 1`` items handed on
  (O(p): still one pass over the partition);
* ``moto``: moto 5.2.5's own Query, which lists and sorts the whole *table* for every Query
  (moto/dynamodb/models/table.py, ``Table.query`` -> ``all_items()``), O(n log n) in the
  table size.

``--documents 0`` runs the query phase alone; ``--routing-moto`` chooses the Query for the
routing phase (default ``stack``).

Seeding is not timed. Results go to bench/results/ (gitignored) as JSON; nothing asserts a
time, but the run fails loudly if the routing did not leave every document where it
belongs.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/ is a package of the repository
    sys.path.insert(0, str(ROOT))

from bench.measure import bench_stack, cpu_seconds, peak_rss_mb, percentile  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"

UNIT = "WOIW"  # the education department: its own decretation model (410 -> WO-AO, 1 -> WO-KAD, * -> WO)
OFFICER = "woiw.arkusze"  # komórka WO-AO; the measured inbox and spis spraw are theirs
MEASURED_CELL = "WO-AO"
MEASURED_JRWA = "410"
WORKERS = 4
INBOX_LIMIT = 50
QUICK = {"documents": 500, "query_documents": 5000, "cases": 500}

# --------------------------------------------------------------------------- helpers





def say(text: str = "") -> None:
    print(text, flush=True)


def boto(service: str, moto_url: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=moto_url, region_name=os.environ.get("AWS_REGION", "eu-central-1"),
                        aws_access_key_id="local", aws_secret_access_key="local")


def batch_put(ddb: Any, table: str, items: Iterable[dict[str, Any]]) -> int:
    """BatchWriteItem in chunks of 25, retrying unprocessed items. Returns the count."""
    count = 0
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        requests = {table: [{"PutRequest": {"Item": item}} for item in chunk]}
        while requests:
            response = ddb.batch_write_item(RequestItems=requests)
            requests = response.get("UnprocessedItems") or {}
        chunk.clear()

    for item in items:
        chunk.append(item)
        count += 1
        if len(chunk) == 25:
            flush()
    if chunk:
        flush()
    return count


class MotoRequests:
    """Counts and times moto requests by operation (wraps the WSGI app that
    SerializedMotoServer calls inside its lock; nothing in the project changes)."""

    def __init__(self, stack: Any) -> None:
        self._lock = threading.Lock()
        self.values: dict[str, list[float]] = defaultdict(list)
        self.enabled = False
        self.profile: cProfile.Profile | None = None
        server = stack.moto
        original = server._app  # noqa: SLF001

        def timed(environ: dict[str, Any], start_response: Any) -> Any:
            if not self.enabled:
                return original(environ, start_response)
            started = time.perf_counter()
            profile = self.profile
            if profile is not None:
                profile.enable()
            try:
                return list(original(environ, start_response))
            finally:
                if profile is not None:
                    profile.disable()
                name = environ.get("HTTP_X_AMZ_TARGET", "?").rsplit(".", 1)[-1]
                with self._lock:
                    self.values[name].append(time.perf_counter() - started)

        server._app = timed  # noqa: SLF001

    def reset(self) -> None:
        with self._lock:
            self.values = defaultdict(list)

    def summary(self, per: int) -> dict[str, dict[str, float]]:
        with self._lock:
            items = {k: list(v) for k, v in self.values.items()}
        return {
            name: {"count": len(v), "per_document": round(len(v) / per, 2), "total_s": round(sum(v), 2),
                   "p50_ms": round(percentile(v, 50) * 1000, 2), "p95_ms": round(percentile(v, 95) * 1000, 2)}
            for name, v in sorted(items.items(), key=lambda kv: -sum(kv[1]))
        }


# --------------------------------------------------------------------------- moto Query modes

_moto_query: Any = None  # moto 5.2.5's own Table.query, captured before the stack starts
_stack_query: Any = None  # what the local stack installs (ezd.local.moto_patches), captured after


def capture_moto_query(stage: str) -> None:
    global _moto_query, _stack_query
    from moto.dynamodb.models.table import Table

    if stage == "before":
        _moto_query = Table.query
    else:
        _stack_query = Table.query


def set_moto_query(mode: str) -> None:
    """``stack``: Query as the local stack runs it (moto with ezd.local.moto_patches).
    ``moto``: moto 5.2.5's own Query (lists and sorts the whole table for every Query).
    ``sliced``: a base-table Query takes its own partition, sorts it once by a native key and,
    for a plain ``Limit`` query, hands moto only the ``Limit + 1`` items it can return;
    index queries as in moto. Affects this process only."""
    from moto.dynamodb.models.table import Table

    if mode == "moto":
        Table.query = _moto_query  # type: ignore[method-assign]
        return
    if mode == "stack":
        Table.query = _stack_query  # type: ignore[method-assign]
        return
    stock = _moto_query

    def partition_query(self: Any, hash_key: Any, range_comparison: Any = None, range_objs: Any = (),
                        limit: int | None = None, exclusive_start_key: Any = None, scan_index_forward: bool = True,
                        projection_expressions: Any = None, index_name: str | None = None,
                        consistent_read: bool = False, filter_expression: Any = None, **kwargs: Any) -> Any:
        def call() -> Any:
            return stock(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
                         projection_expressions, index_name, consistent_read, filter_expression, **kwargs)

        if index_name or hash_key is None or self.range_key_attr is None:
            return call()
        partition = self.items.get(hash_key)  # defaultdict: .get does not create the partition
        # One cast per item (stock moto compares DynamoTypes O(n log n) times over the table).
        own = sorted(partition.values(), key=lambda item: item.range_key.cast_value) if partition else []
        extra = set(kwargs) - {"hash_key_conditions", "range_key_conditions"}
        plain = (not range_comparison and not kwargs.get("range_key_conditions") and exclusive_start_key is None
                 and filter_expression is None and not extra)
        if plain and limit:
            # limit + 1, so that stock code still sees there is more and returns LastEvaluatedKey
            own = own[: limit + 1] if scan_index_forward is not False else own[-(limit + 1):]
        # The stock code filters self.all_items() by hash key and sorts by range key; hand it
        # just this partition. Safe: SerializedMotoServer runs one request at a time.
        self.all_items = lambda: own
        try:
            return call()
        finally:
            del self.all_items

    Table.query = partition_query  # type: ignore[method-assign]


# --------------------------------------------------------------------------- seeding

TITLES_CLASSIFIED = [
    # (template, expected rule) -- the city's rules in ezd.local.demo_data
    ("Aneks nr {k} do arkusza organizacji Szkoły Podstawowej nr {s} na rok szkolny 2026/2027", "aneks-arkusza"),
    ("Arkusz organizacji Przedszkola nr {s} na rok szkolny 2026/2027", "arkusz-organizacji"),
    ("Skarga na działania dyrektora Szkoły Podstawowej nr {s}", "skarga"),
    ("Wniosek o duplikat świadectwa ukończenia szkoły (rocznik {y})", "duplikat-swiadectwa"),
    ("Wniosek o udostępnienie informacji publicznej – wydatki szkół na remonty w {y} r.", "informacja-publiczna"),
    ("Wniosek o przyjęcie do szkoły poza obwodem – uczeń klasy {k}", "rekrutacja"),
]
TITLES_UNCLASSIFIED = [
    "Zaproszenie na konferencję metodyczną nauczycieli matematyki",
    "Faktura VAT nr FV/{k}/{y} za dostawę pomocy dydaktycznych",
    "Prośba o zmianę terminu spotkania dyrektorów szkół",
    "Informacja o zmianie adresu siedziby Przedszkola nr {s}",
    "Oferta szkoleniowa – ochrona danych osobowych w szkole",
    "Zawiadomienie o zebraniu rady rodziców Szkoły Podstawowej nr {s}",
    "Pismo w sprawie dowozu uczniów niepełnosprawnych",
]
PEOPLE = ("Kowalski Jan", "Nowak Anna", "Wiśniewska Maria", "Zając Piotr")
KURATORIUM_TITLE = "Informacja o planowanej kontroli doraźnej w Szkole Podstawowej nr {s}"  # sender rule


def _title_for(i: int, rng: random.Random) -> tuple[str, str | None, str]:
    """(title, expected rule or None, sender name): ~55 % by title rules, ~5 % by the sender
    rule, ~40 % unmatched."""
    fill = {"k": rng.randint(1, 9), "s": rng.randint(1, 52), "y": rng.randint(1995, 2025)}
    roll = rng.random()
    if roll < 0.55:
        template, rule = TITLES_CLASSIFIED[i % len(TITLES_CLASSIFIED)]
        sender = f"Szkoła Podstawowa nr {fill['s']} w Lublinie" if rule in ("aneks-arkusza", "arkusz-organizacji") \
            else rng.choice(PEOPLE)
        return template.format(**fill), rule, sender
    if roll < 0.60:
        return KURATORIUM_TITLE.format(**fill), "kuratorium", "Lubelski Kuratorium Oświaty"
    template = TITLES_UNCLASSIFIED[i % len(TITLES_UNCLASSIFIED)]
    return template.format(**fill), None, rng.choice(["Ośrodek Doskonalenia Nauczycieli", "Firma Edu-Pomoc sp. z o.o.",
                                                       "Rada Rodziców", "Kowalski Jan"])


def registered_documents(n: int, year: int, first_number: int, rng: random.Random) -> Iterator[tuple[Any, str | None]]:
    """DocumentRecords as services/registration.py builds them, with the expected rule."""
    from ezd.models.intake import StoredBlob
    from ezd.models.letters import Sender
    from ezd.models.registry import DocumentRecord, RegistryEntry, registry_number
    from ezd.clock import local_date

    start = datetime(year, 1, 2, 7, 0, tzinfo=timezone.utc)
    for i in range(n):
        title, rule, sender_name = _title_for(i, rng)
        number = first_number + i
        intake_id = uuid.uuid4().hex
        document_id = f"{UNIT}-{intake_id}"
        received = start + timedelta(seconds=i * 600 + rng.randint(0, 599))
        sha = uuid.uuid4().hex + uuid.uuid4().hex
        kind = "person" if sender_name in PEOPLE else "institution"
        sender = Sender(kind=kind, name=sender_name, town="Lublin", country="PL",
                        institution=sender_name if kind == "institution" else None)
        entry = RegistryEntry(
            unit=UNIT, year=year, number=number, registry_number=registry_number(number, year),
            document_id=document_id, received_at=received, received_date=local_date(received),
            registered_at=received + timedelta(seconds=20), channel="epuap", sender=sender, title=title,
            letter_date=(received.date() - timedelta(days=2)).isoformat(), sender_reference=f"SP.{number}.{year}",
            kind="pismo", access="public", format="application/xml", attachments_count=1,
            signature="valid", certificate="trusted",
        )
        original = StoredBlob(bucket="archive", key=f"sha256/{sha[:2]}/{sha}", sha256=sha, size=4096,
                              filename="pismo.xml", mime="application/xml")
        yield DocumentRecord(document_id=document_id, unit=UNIT, entry=entry, original=original,
                             signature_report={"signature": "valid"}, intake_id=intake_id, sha256=sha), rule


def registration_items(document: Any) -> list[dict[str, Any]]:
    """The register line, the document, the dedupe marker and the outcome, with the keys and
    attributes registry_store.commit_registration gives them (the counter is written once)."""
    from ezd.adapters.records_table import RecordItem
    from ezd.adapters.registry_store import _outcome_item  # noqa: PLC2701 - same layout as the adapter
    from ezd.models.intake import IntakeOutcome
    from ezd.search_text import fold

    entry = document.entry
    line = RecordItem(
        f"RPW#{entry.unit}#{entry.year}", f"{entry.number:09d}", kind="registry_entry",
        gsi1pk=f"RPWDAY#{entry.unit}#{entry.received_date.isoformat()}", gsi1sk=f"{entry.number:09d}",
        gsi2pk=f"RPWRECV#{entry.unit}#{entry.year}", gsi2sk=f"{entry.received_at.isoformat()}#{entry.number:09d}",
        channel=entry.channel, sender_search=fold(entry.sender.name), title_search=fold(entry.title),
        data=entry.model_dump(mode="json"),
    )
    doc = RecordItem(f"DOC#{document.document_id}", "META", kind="document", data=document.model_dump(mode="json"))
    dedupe = RecordItem(f"DEDUP#{entry.unit}#{document.sha256}", "DEDUP", kind="dedupe", data={
        "document_id": document.document_id, "registry_number": entry.registry_number, "number": entry.number,
        "year": entry.year, "received_at": entry.received_at.isoformat(), "signature": entry.signature,
        "certificate": entry.certificate,
    })
    outcome = _outcome_item(IntakeOutcome(
        intake_id=document.intake_id, unit=entry.unit, sha256=document.sha256, filename="pismo.xml",
        channel=entry.channel, status="registered", registry_number=entry.registry_number,
        document_id=document.document_id, signature=entry.signature, certificate=entry.certificate,
        processed_at=entry.registered_at,
    ))
    return [item.serialize() for item in (line, doc, dedupe, outcome)]


def seed_registered(ddb: Any, table: str, n: int, year: int, rng: random.Random) -> dict[str, str | None]:
    from ezd.adapters.records_table import RecordItem

    expected: dict[str, str | None] = {}

    def items() -> Iterator[dict[str, Any]]:
        for document, rule in registered_documents(n, year, 1, rng):
            expected[document.document_id] = rule
            yield from registration_items(document)

    batch_put(ddb, table, items())
    counter = RecordItem(f"COUNTER#{UNIT}#RPW#{year}", "COUNTER", kind="counter", value=n)
    batch_put(ddb, table, [counter.serialize()])
    return expected


def seed_query_documents(ddb: Any, table: str, m: int, year: int, rng: random.Random) -> Counter:
    """M more registered documents of the unit, each decreed (an inbox item): three quarters to
    the komórka WO-AO, a quarter to its officer, spread over the year before now."""
    from ezd.adapters.records_table import RecordItem
    from ezd.adapters.routing_store import _inbox_item  # noqa: PLC2701 - the adapter's own layout
    from ezd.models.routing import InboxItem

    template = next(registered_documents(1, year, 1, rng))[0].model_dump(mode="json")
    now = datetime.now(timezone.utc)
    owners: Counter = Counter()

    def items() -> Iterator[dict[str, Any]]:
        for i in range(m):
            document_id = f"{UNIT}-q{i:07d}-{uuid.uuid4().hex[:8]}"
            title, _, _ = _title_for(i, rng)
            owner = f"USER#{OFFICER}" if rng.random() < 0.25 else f"CELL#{MEASURED_CELL}"
            owners[owner] += 1
            created = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
            number = 100_000 + i
            data = dict(template, document_id=document_id,
                        entry=dict(template["entry"], document_id=document_id, title=title, number=number,
                                   registry_number=f"RPW/{number}/{year}"))
            yield RecordItem(f"DOC#{document_id}", "META", kind="document", data=data).serialize()
            yield _inbox_item(InboxItem(
                owner=owner, unit=UNIT, item_id=uuid.uuid4().hex, kind="decretation", document_id=document_id,
                registry_number=f"RPW/{number}/{year}", title=title, from_login="system",
                note="Arkusze organizacji i aneksy", created_at=created,
            )).serialize()

    batch_put(ddb, table, items())
    return owners


def seed_cases(ddb: Any, table: str, k: int, year: int, measured: int, rng: random.Random) -> dict[str, int]:
    """K cases of the unit in its spis spraw (case_store's item layout): ``measured`` of them in
    WO-AO / 410 / this year, the rest over other komórki, classes and years."""
    from ezd.adapters.case_store import _case_item  # noqa: PLC2701 - the adapter's own layout
    from ezd.models.cases import Case, CaseOrigin, case_reference

    others = [(cell, symbol, y) for cell in ("WO", "WO-AO", "WO-KAD", "WO-SEK") for symbol in
              ("050", "051", "090", "110", "113", "410", "430", "433") for y in (year - 2, year - 1, year)
              if (cell, symbol, y) != (MEASURED_CELL, MEASURED_JRWA, year)]
    numbers: Counter = Counter()
    spis_sizes: Counter = Counter()
    opened_from = datetime(year, 1, 2, 8, 0, tzinfo=timezone.utc)

    def items() -> Iterator[dict[str, Any]]:
        for i in range(k):
            cell, symbol, y = (MEASURED_CELL, MEASURED_JRWA, year) if i < measured else others[i % len(others)]
            numbers[(cell, symbol, y)] += 1
            number = numbers[(cell, symbol, y)]
            spis_sizes[f"{cell}/{symbol}/{y}"] += 1
            opened = opened_from.replace(year=y) + timedelta(minutes=rng.randint(0, 300 * 24 * 60))
            closed = opened + timedelta(days=rng.randint(3, 40)) if rng.random() < 0.6 else None
            origin = CaseOrigin(document_id=f"{UNIT}-{uuid.uuid4().hex}", sender=f"Szkoła Podstawowa nr {rng.randint(1, 52)}",
                                sender_reference=f"SP.{number}.{y}", letter_date=opened.date().isoformat(),
                                registry_number=f"RPW/{number}/{y}") if rng.random() < 0.8 else None
            case = Case(
                unit=UNIT, ref=case_reference(cell, symbol, number, y), cell=cell, jrwa_symbol=symbol,
                jrwa_heading="Arkusz organizacji i aneksy" if symbol == "410" else f"Klasa {symbol}",
                category="A" if symbol == "410" else "B5", plan_owner="CITY", plan_version=1, year=y, number=number,
                title=f"Zatwierdzenie aneksu nr {rng.randint(1, 9)} do arkusza organizacji SP nr {rng.randint(1, 52)}",
                officer=OFFICER, officer_name="Barbara Szymańska", opened_at=opened, opened_by=OFFICER, origin=origin,
                status="closed" if closed else "open", closed_at=closed,
                settlement="zatwierdzono" if closed else None, deadline_preset="none",
            )
            yield _case_item(case).serialize()

    batch_put(ddb, table, items())
    return {"measured_spis": f"{MEASURED_CELL}/{MEASURED_JRWA}/{year}", "measured_cases": numbers[(MEASURED_CELL, MEASURED_JRWA, year)],
            "spis_partitions": len(spis_sizes)}


# --------------------------------------------------------------------------- routing throughput


def run_routing(document_ids: list[str], workers: int) -> dict[str, Any]:
    from ezd.services import routing

    per_step: dict[str, list[float]] = defaultdict(list)
    outcomes: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()

    def one(document_id: str) -> None:
        token = f"bench-token-{document_id}"
        try:
            t0 = time.perf_counter()
            state = routing.start_routing(document_id)
            t1 = time.perf_counter()
            waiting_for = "classification" if state.status == "unclassified" else "decision"
            result = routing.await_person(document_id, waiting_for, token)
            t2 = time.perf_counter()
        except Exception as exc:  # noqa: BLE001 - reported, then the run fails
            with lock:
                errors.append(f"{document_id}: {type(exc).__name__}: {exc}")
            return
        with lock:
            per_step["start_routing"].append(t1 - t0)
            per_step[f"await_person({waiting_for})"].append(t2 - t1)
            per_step["document"].append(t2 - t0)
            outcomes[f"{state.status} -> {result.get('waiting') or result.get('completed')}"] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, document_ids))
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} documents failed, e.g. {errors[:3]}")
    return {"seconds": wall, "per_step": per_step, "outcomes": dict(outcomes)}


def check_routing(ddb: Any, table: str, expected: dict[str, str | None]) -> dict[str, Any]:
    """Every document routed as its rule says, waiting with its token, decreed ones with one
    pending decretation and an inbox item. Returns the items the routing left, per document."""
    from ezd.adapters import routing_store

    by_rule: Counter = Counter()
    targets: Counter = Counter()
    left: dict[str, list[dict[str, Any]]] = {}
    problems = []
    for document_id, rule in expected.items():
        state = routing_store.get_routing(document_id)
        if state is None or state.pending_token != f"bench-token-{document_id}":
            problems.append(f"{document_id}: no routing or no token ({state and state.status})")
            continue
        got = state.classification.rule_id if state.classification else None
        if got != rule:
            problems.append(f"{document_id}: rule {got}, expected {rule} ({state.title})")
        by_rule[got or "unclassified"] += 1
        items = ddb.query(TableName=table, KeyConditionExpression="PK = :pk",
                          ExpressionAttributeValues={":pk": {"S": f"DOC#{document_id}"}}, ConsistentRead=True)["Items"]
        mine = [i for i in items if i["SK"]["S"] == "ROUTING" or i["SK"]["S"].startswith("DECR#")]
        if rule is None:
            if state.status != "unclassified" or state.waiting_for != "classification" or len(mine) != 1:
                problems.append(f"{document_id}: unclassified but {state.status}/{state.waiting_for}/{len(mine)}")
        else:
            decretations = routing_store.decretations(document_id)
            if state.status != "awaiting_acceptance" or len(decretations) != 1 or state.waiting_for != "decision":
                problems.append(f"{document_id}: {state.status}, {len(decretations)} decretations")
                continue
            d = decretations[0]
            targets[d.target.inbox_key] += 1
            inbox_pk = f"INBOX#{UNIT}#{d.target.inbox_key}"
            inbox_sk = f"{d.at.isoformat()}#{d.decretation_id}"
            inbox = ddb.get_item(TableName=table, Key={"PK": {"S": inbox_pk}, "SK": {"S": inbox_sk}}).get("Item")
            if inbox is None:
                problems.append(f"{document_id}: no inbox item")
                continue
            mine.append(inbox)
        left[document_id] = mine
    if problems:
        raise SystemExit(f"{len(problems)} documents not routed as expected, e.g. {problems[:5]}")
    return {"by_rule": dict(by_rule), "decretation_targets": dict(targets), "items": left}


def routing_floor(moto_url: str, table: str, items: dict[str, list[dict[str, Any]]], workers: int) -> float:
    """The items the routing left, put again (re-keyed under FLOOR#) with bare put_item."""
    work = [item for doc_items in items.values() for item in doc_items]
    shards = [work[i::workers] for i in range(workers)]
    clients = [boto("dynamodb", moto_url) for _ in shards]
    barrier = threading.Barrier(len(shards) + 1)

    def put(shard: int) -> None:
        ddb = clients[shard]
        barrier.wait()
        for item in shards[shard]:
            ddb.put_item(TableName=table, Item={**item, "PK": {"S": f"FLOOR#{item['PK']['S']}"}})

    threads = [threading.Thread(target=put, args=(i,)) for i in range(len(shards))]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started


# --------------------------------------------------------------------------- queries


def measure_queries(moto_url: str, table: str, principal: Any, year: int, calls: int) -> dict[str, Any]:
    """Each system call alternates with its floor, so drift hits both alike."""
    from ezd.services import spis
    from ezd.services import routing_views as routing

    ddb = boto("dynamodb", moto_url)
    owners = [f"USER#{principal.login}", f"CELL#{principal.cell}"]
    spis_pk = f"SPIS#{UNIT}#{MEASURED_CELL}#{MEASURED_JRWA}#{year}"

    def bare_inbox(owner: str) -> list[dict[str, Any]]:
        return ddb.query(TableName=table, KeyConditionExpression="PK = :pk",
                         ExpressionAttributeValues={":pk": {"S": f"INBOX#{UNIT}#{owner}"}},
                         ScanIndexForward=False, Limit=INBOX_LIMIT)["Items"]

    def bare_spis() -> list[dict[str, Any]]:
        out, start = [], None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = ddb.query(TableName=table, KeyConditionExpression="PK = :pk",
                             ExpressionAttributeValues={":pk": {"S": spis_pk}}, **kwargs)
            out.extend(page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return out

    timings: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, int] = {}

    def timed(name: str, fn: Callable[[], Any]) -> None:
        t = time.perf_counter()
        result = fn()
        timings[name].append(time.perf_counter() - t)
        sizes[name] = len(result)

    # one warm-up of each, untimed (connections, the first pydantic validations)
    routing.inbox_of(principal, limit=INBOX_LIMIT)
    spis.spis_spraw(UNIT, MEASURED_CELL, MEASURED_JRWA, year, principal)
    bare_inbox(owners[1])
    bare_spis()
    for _ in range(calls):
        timed("inbox_of", lambda: routing.inbox_of(principal, limit=INBOX_LIMIT))
        timed("floor_inbox_two_keys", lambda: [i for o in owners for i in bare_inbox(o)])
        timed("floor_inbox_one_key", lambda: bare_inbox(owners[1]))
        timed("spis_spraw", lambda: spis.spis_spraw(UNIT, MEASURED_CELL, MEASURED_JRWA, year, principal))
        timed("floor_spis", bare_spis)

    def stats(name: str) -> dict[str, float]:
        v = timings[name]
        return {"calls": len(v), "p50_ms": round(percentile(v, 50) * 1000, 2),
                "p95_ms": round(percentile(v, 95) * 1000, 2), "max_ms": round(max(v) * 1000, 2), "rows": sizes[name]}

    out = {name: stats(name) for name in timings}
    # What the queries returned, to compare the moto Query modes (must be identical).
    out["answers"] = {
        "inbox_of": [i.item_id for i in routing.inbox_of(principal, limit=INBOX_LIMIT)],
        "floor_inbox_cell": [i["SK"]["S"] for i in bare_inbox(owners[1])],
        "spis_spraw": [line.znak_sprawy for line in spis.spis_spraw(UNIT, MEASURED_CELL, MEASURED_JRWA, year, principal)],
        "floor_spis": [i["SK"]["S"] for i in bare_spis()],
    }
    for system, floor in (("inbox_of", "floor_inbox_two_keys"), ("spis_spraw", "floor_spis")):
        out[f"ratio_{system}"] = {
            "p50": round(out[system]["p50_ms"] / out[floor]["p50_ms"], 3),
            "p95": round(out[system]["p95_ms"] / out[floor]["p95_ms"], 3),
        }
    out["ratio_inbox_of_vs_one_key"] = {
        "p50": round(out["inbox_of"]["p50_ms"] / out["floor_inbox_one_key"]["p50_ms"], 3),
        "p95": round(out["inbox_of"]["p95_ms"] / out["floor_inbox_one_key"]["p95_ms"], 3),
    }
    return out


def profile_inbox(moto_requests: MotoRequests, principal: Any, calls: int) -> list[str]:
    """cProfile of moto's side of a few inbox_of calls (inside the server lock)."""
    from ezd.services import routing_views as routing

    profile = cProfile.Profile()
    moto_requests.profile = profile
    moto_requests.enabled = True
    try:
        for _ in range(calls):
            routing.inbox_of(principal, limit=INBOX_LIMIT)
    finally:
        moto_requests.enabled = False
        moto_requests.profile = None
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    stats.sort_stats("cumulative").print_stats(18)
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    return lines[-22:]


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000, help="documents routed (default 10000)")
    parser.add_argument("--query-documents", type=int, default=100_000,
                        help="documents with an inbox item for the query phase (default 100000)")
    parser.add_argument("--cases", type=int, default=10_000, help="cases in the unit's spis spraw (default 10000)")
    parser.add_argument("--measured-cases", type=int, default=300,
                        help="of them in the measured komórka/class/year (default 300)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 500 / 5000 / 500")
    parser.add_argument("--workers", type=int, default=WORKERS, help="threads routing documents (default 4)")
    parser.add_argument("--calls", type=int, default=100,
                        help="timed calls per query with the stack's moto Query (default 100)")
    parser.add_argument("--sliced-calls", type=int, default=100,
                        help="timed calls per query with the 'sliced' moto Query (default 100, 0 = skip)")
    parser.add_argument("--stock-calls", type=int, default=3,
                        help="timed calls per query with moto's own Query (O(table) each; default 3, 0 = skip)")
    parser.add_argument("--routing-moto", choices=("stack", "sliced", "moto"), default="stack",
                        help="moto Query during the routing phase (default stack)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile moto's side of one inbox_of call with stock moto (slow on a large table)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.documents, args.query_documents, args.cases = QUICK["documents"], QUICK["query_documents"], QUICK["cases"]
        args.measured_cases = min(args.measured_cases, 100)
    n, m, k = args.documents, args.query_documents, args.cases

    temp, stack = bench_stack("ezd-bench-routing-")
    say(f"routing and queries: {n} documents routed; queries over {m} documents and {k} cases; unit {UNIT};"
        f" state in {temp}")
    results: dict[str, Any] = {}
    capture_moto_query("before")
    try:
        stack.start()
        capture_moto_query("after")
        moto_url = stack.info.moto_url
        table = stack.info.environment["EZD_TABLE"]
        ddb = boto("dynamodb", moto_url)
        moto_requests = MotoRequests(stack)
        rng = random.Random(20261122)
        from ezd.adapters import workflows
        from ezd.services.auth import principal_for
        from ezd.clock import local_date, now_utc

        year = local_date(now_utc()).year

        if n:  # --documents 0: the query phase alone
            # ---- routing: seed (not timed)
            t = time.perf_counter()
            expected = seed_registered(ddb, table, n, year, rng)
            seed_routing_s = time.perf_counter() - t
            rules = Counter(r or "unclassified" for r in expected.values())
            say(f"seeded {n} registered documents in {seed_routing_s:.1f} s: {dict(rules)}")

            completed: list[str] = []
            original_complete = workflows.complete_task

            def no_step_functions(token: str, output: dict[str, Any]) -> bool:
                completed.append(token)
                return True

            workflows.complete_task = no_step_functions  # a guard: neither measured path may call it
            set_moto_query(args.routing_moto)
            say(f"routing: start_routing + await_person, {args.workers} threads, moto Query '{args.routing_moto}'")
            moto_requests.reset()
            moto_requests.enabled = True
            cpu0, load0 = cpu_seconds(), os.getloadavg()
            run = run_routing(list(expected), args.workers)
            cpu_routing, load1 = cpu_seconds() - cpu0, os.getloadavg()
            moto_requests.enabled = False
            routing_moto = moto_requests.summary(n)
            workflows.complete_task = original_complete
            if completed:
                raise SystemExit(f"workflows.complete_task was called {len(completed)} times")
            checked = check_routing(ddb, table, expected)
            say(f"  {n} documents in {run['seconds']:.1f} s = {n / run['seconds']:.1f} docs/s; all routed as expected")

            floor_items = sum(len(v) for v in checked["items"].values())
            say(f"floor: {floor_items} put_item (routing + decretation + inbox items), {args.workers} threads")
            moto_requests.reset()
            moto_requests.enabled = True
            floor_s = routing_floor(moto_url, table, checked["items"], args.workers)
            moto_requests.enabled = False
            floor_moto = moto_requests.summary(n)
            say(f"  {floor_s:.1f} s = {n / floor_s:.1f} docs/s")
            per_step = {name: {"p50_ms": round(percentile(v, 50) * 1000, 1), "p95_ms": round(percentile(v, 95) * 1000, 1)}
                        for name, v in run["per_step"].items()}
            results["routing"] = {
                "documents": n, "workers": args.workers, "moto_query": args.routing_moto,
                "seed_seconds": round(seed_routing_s, 1),
                "expected_rules": dict(rules), "by_rule": checked["by_rule"],
                "decretation_targets": checked["decretation_targets"], "outcomes": run["outcomes"],
                "complete_task_calls": len(completed),
                "system": {"seconds": round(run["seconds"], 2), "docs_per_s": round(n / run["seconds"], 2),
                           "process_cpu_s": round(cpu_routing, 1), "cpu_ms_per_document": round(cpu_routing / n * 1000, 1),
                           "per_step": per_step, "moto_requests": routing_moto,
                           "load_average_start_end": [round(load0[0], 2), round(load1[0], 2)]},
                "floor": {"what": "bare boto3 put_item of the items the routing left (routing item; + decretation + inbox"
                                  " item when decreed), re-keyed under FLOOR#, same thread count",
                          "put_items": floor_items, "seconds": round(floor_s, 2), "docs_per_s": round(n / floor_s, 2),
                          "moto_requests": floor_moto},
                "ratio_system_to_floor": round((n / run["seconds"]) / (n / floor_s), 4),
            }
            save_partial(n, results)

        # ---- queries: seed (not timed)
        t = time.perf_counter()
        owners = seed_query_documents(ddb, table, m, year, rng)
        cases_info = seed_cases(ddb, table, k, year, min(args.measured_cases, k), rng)
        seed_queries_s = time.perf_counter() - t
        table_items = ddb.describe_table(TableName=table)["Table"].get("ItemCount")
        backend_items = _backend_item_count(table)
        say(f"seeded {m} documents with inbox items {dict(owners)} and {k} cases ({cases_info}) in"
            f" {seed_queries_s:.1f} s; table holds {backend_items} items")
        principal = principal_for(OFFICER)
        queries: dict[str, Any] = {}
        for mode, calls in (("stack", args.calls), ("sliced", args.sliced_calls), ("moto", args.stock_calls)):
            if not calls:
                continue
            set_moto_query(mode)
            say(f"queries, moto Query '{mode}': {calls} calls each")
            queries[mode] = measure_queries(moto_url, table, principal, year, calls)
            save_partial(n, {**results, "queries_so_far": queries})
            if mode == "moto" and args.profile:
                # one inbox_of under cProfile: minutes at 300k items (pynamodb's read timeout is 60 s)
                results["profile_moto_inbox_of_moto_side"] = profile_inbox(moto_requests, principal, 1)
        set_moto_query("stack")
        answers = {mode: figures["answers"] for mode, figures in queries.items()}
        if any(a != next(iter(answers.values())) for a in answers.values()):
            raise SystemExit("the moto Query modes answered differently")
        for figures in queries.values():
            figures["answers"] = {name: len(v) for name, v in figures.pop("answers").items()}
        results["queries"] = {
            "unit": UNIT, "principal": OFFICER, "cell": principal.cell, "inbox_limit": INBOX_LIMIT,
            "query_documents": m, "inbox_items_by_owner": dict(owners), "cases": k, **cases_info,
            "table_items": backend_items, "describe_table_item_count": table_items,
            "seed_seconds": round(seed_queries_s, 1), "by_moto_query": queries,
        }
    finally:
        stack.stop()

    results = {
        "benchmark": "routing_and_queries",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "sizes": {"documents": n, "query_documents": m, "cases": k},
        "peak_rss_mb": round(peak_rss_mb()),
        **results,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = args.out or RESULTS_DIR / f"routing_and_queries-{n}-{m}-{k}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print_table(results)
    say(f"results: {path}")
    return 0


def save_partial(n: int, results: dict[str, Any]) -> None:
    """What is measured so far, in case a later phase fails."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"routing_and_queries-{n}-partial.json").write_text(json.dumps(results, indent=2, default=str))


def _backend_item_count(table: str) -> int:
    """Items in moto's table (DescribeTable's ItemCount is not live in moto)."""
    from moto.dynamodb.models import dynamodb_backends

    for backend in dynamodb_backends.values():
        for region_backend in backend.values():
            if table in region_backend.tables:
                return sum(len(p) for p in region_backend.tables[table].items.values())
    return -1


def print_table(r: dict[str, Any]) -> None:
    if "routing" in r:
        print_routing(r)
    print_queries(r)


def print_routing(r: dict[str, Any]) -> None:
    ro = r["routing"]
    s, f = ro["system"], ro["floor"]
    say("")
    say(f"  routing ({ro['documents']} documents, {ro['workers']} threads, moto Query '{ro['moto_query']}')")
    say(f"    classified by rule / unclassified   {sum(v for k, v in ro['by_rule'].items() if k != 'unclassified')}"
        f" / {ro['by_rule'].get('unclassified', 0)}")
    say(f"    system docs/s                       {s['docs_per_s']:.1f}  ({s['seconds']:.1f} s, CPU {s['cpu_ms_per_document']:.0f} ms/doc)")
    say(f"    floor docs/s ({f['put_items']} put_item)   {f['docs_per_s']:.1f}  ({f['seconds']:.1f} s)")
    say(f"    ratio system/floor                  {ro['ratio_system_to_floor']:.3f}")
    for name, v in s["per_step"].items():
        say(f"    {name:<35} p50 {v['p50_ms']:.1f} ms  p95 {v['p95_ms']:.1f} ms")
    say("    moto requests per document:        " + ", ".join(
        f"{k} {v['per_document']:.1f} ({v['p50_ms']:.1f} ms)" for k, v in list(s["moto_requests"].items())[:6]))


def print_queries(r: dict[str, Any]) -> None:
    q = r.get("queries")
    if not q:
        return
    say("")
    say(f"  queries ({q['query_documents']} documents + {r['sizes']['documents']} routed, {q['cases']} cases;"
        f" table {q['table_items']} items; spis {q['measured_spis']} = {q['measured_cases']} cases)")
    say(f"    {'moto Query':<10} {'what':<22} {'calls':>5} {'p50 ms':>9} {'p95 ms':>9} {'rows':>5}")
    for mode, figures in q["by_moto_query"].items():
        for name in ("inbox_of", "floor_inbox_two_keys", "floor_inbox_one_key", "spis_spraw", "floor_spis"):
            v = figures[name]
            say(f"    {mode:<10} {name:<22} {v['calls']:>5} {v['p50_ms']:>9.1f} {v['p95_ms']:>9.1f} {v['rows']:>5}")
        for name in ("inbox_of", "spis_spraw"):
            ratio = figures[f"ratio_{name}"]
            say(f"    {mode:<10} ratio {name:<16} p50/p50 {ratio['p50']:.2f}  p95/p95 {ratio['p95']:.2f}")
    say("")


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(ROOT))
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

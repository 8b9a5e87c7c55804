"""The cost arithmetic: DynamoDB's item-size and capacity rules as the usage meter applies
them, and known usage priced to known dollars by bench/cost_model.py."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository: bench/ is a package of it

from bench import cost_model  # noqa: E402
from bench.aws_prices import PRICES, price  # noqa: E402
from ezd.local import usage_meter as um  # noqa: E402


# --------------------------------------------------------------------------- item sizes


@pytest.mark.parametrize(
    ("attributes", "size"),
    [
        ({"PK": {"S": "abc"}}, 2 + 3),
        ({"PK": {"S": "zażółć"}}, 2 + 10),  # UTF-8 bytes, not characters
        ({"n": {"N": "123"}}, 1 + 2 + 1),  # 3 significant digits: 2 bytes, plus 1
        ({"n": {"N": "-1000"}}, 1 + 1 + 1),  # trailing zeroes do not count
        ({"n": {"N": "0.0012"}}, 1 + 1 + 1),  # nor leading ones
        ({"b": {"B": "AAECAw=="}}, 1 + 4),  # binary by its raw length, not base64's
        ({"t": {"BOOL": True}, "z": {"NULL": True}}, 2 + 2),
        ({"m": {"M": {"a": {"S": "x"}}}}, 1 + 3 + (1 + 1 + 1)),  # 3 per map, 1 per element
        ({"l": {"L": [{"S": "ab"}, {"N": "1"}]}}, 1 + 3 + (1 + 2) + (1 + 2)),
        ({"e": {"M": {}}}, 1 + 3),
        ({"s": {"SS": ["ab", "c"]}}, 1 + 3),
    ],
)
def test_item_size_follows_dynamodbs_rules(attributes, size):
    assert um.item_size(attributes) == size


def test_request_units_round_up_per_kilobyte_and_four_kilobytes():
    assert [um.write_units(s) for s in (0, 1, 1024, 1025, 3 * 1024)] == [1, 1, 1, 2, 3]
    assert [um.read_units(s) for s in (0, 4096, 4097, 10 * 1024)] == [1, 1, 2, 3]


# --------------------------------------------------------------------------- write accounting


def _snap(**attrs: str) -> um._Snapshot:
    return um._Snapshot({k: {"S": v} for k, v in attrs.items()})


GSI = um._Index("GSI1", ["GSI1PK", "GSI1SK"], ["PK", "SK"], {"ProjectionType": "ALL"})


def test_index_writes_follow_the_entry():
    plain = _snap(PK="a", SK="b", data="x")
    indexed = _snap(PK="a", SK="b", data="x", GSI1PK="p", GSI1SK="1")
    assert um.index_write_units(None, plain, GSI) == 0  # sparse: never in the index
    assert um.index_write_units(None, indexed, GSI) == 1  # a put
    assert um.index_write_units(indexed, None, GSI) == 1  # a delete
    assert um.index_write_units(indexed, indexed, GSI) == 0  # nothing projected changed
    moved = _snap(PK="a", SK="b", data="x", GSI1PK="q", GSI1SK="1")
    assert um.index_write_units(indexed, moved, GSI) == 2  # a new key: delete and put
    bigger = _snap(PK="a", SK="b", data="x" * 2000, GSI1PK="p", GSI1SK="1")
    assert um.index_write_units(indexed, bigger, GSI) == 2  # an update, by the larger entry
    keys_only = um._Index("GSI2", ["GSI1PK"], ["PK", "SK"], {"ProjectionType": "KEYS_ONLY"})
    assert um.index_write_units(indexed, bigger, keys_only) == 0  # "data" is not projected


class _Meter(um.UsageMeter):
    """The meter's write accounting over given items, without moto."""

    def __init__(self, after: dict[str, um._Snapshot | None]) -> None:
        super().__init__()
        self._after = after
        self._indexes = {"t": [GSI]}

    def _snapshot(self, table, key):  # noqa: ANN001
        return self._after.get(key["PK"]["S"])


def _units(meter: _Meter, writes: list[dict], operation: str, code: int = 200, error: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for _table, category, units in meter._writes(operation, writes, code, error):
        out[category] = out.get(category, 0) + units
    return out


def test_put_update_and_transaction_write_units():
    small, large = _snap(PK="a", v="x" * 100), _snap(PK="a", v="x" * 3000)
    # UpdateItem: the larger of before and after
    meter = _Meter({"a": small})
    assert _units(meter, [{"table": "t", "key": {"PK": {"S": "a"}}, "kind": "UpdateItem", "before": large}],
                  "UpdateItem") == {"write:standard": 3}
    # TransactWriteItems: twice per item, a ConditionCheck too; the index write is a plain one
    indexed = _snap(PK="b", v="x", GSI1PK="p", GSI1SK="1")
    meter = _Meter({"a": small, "b": indexed})
    writes = [
        {"table": "t", "key": {"PK": {"S": "a"}}, "kind": "ConditionCheck", "before": small},
        {"table": "t", "key": {"PK": {"S": "b"}}, "kind": "Put", "before": None, "new_size": indexed.size},
    ]
    assert _units(meter, writes, "TransactWriteItems") == {"write:transactional": 4, "write:index": 1}


def test_failed_writes_still_consume():
    big = _snap(PK="a", v="x" * 1500)
    meter = _Meter({"a": big})
    put = [{"table": "t", "key": {"PK": {"S": "a"}}, "kind": "PutItem", "before": big}]
    assert _units(meter, put, "PutItem", 400, "ConditionalCheckFailedException") == {"write:failed_conditional": 2}
    missing = [{"table": "t", "key": {"PK": {"S": "z"}}, "kind": "PutItem", "before": None}]
    assert _units(meter, missing, "PutItem", 400, "ConditionalCheckFailedException") == {"write:failed_conditional": 1}
    cancelled = [
        {"table": "t", "key": {"PK": {"S": "a"}}, "kind": "Update", "before": big},
        {"table": "t", "key": {"PK": {"S": "n"}}, "kind": "Put", "before": None, "new_size": 10},
    ]
    assert _units(meter, cancelled, "TransactWriteItems", 400, "TransactionCanceledException") == {
        "write:failed_transaction": um.FAILED_TRANSACTION_FACTOR * (2 + 1)
    }
    assert _units(meter, put, "PutItem", 400, "ValidationException") == {}


def test_transitions_count_every_state_entered_and_each_retry():
    events = [
        {"type": "ExecutionStarted"},
        {"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Register"}},
        {"type": "LambdaFunctionScheduled"},
        {"type": "LambdaFunctionFailed"},
        {"type": "LambdaFunctionScheduled"},  # a retry
        {"type": "LambdaFunctionSucceeded"},
        {"type": "TaskStateExited"},
        {"type": "ChoiceStateEntered", "stateEnteredEventDetails": {"name": "IsNew"}},
        {"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Wait"}},
        {"type": "TaskScheduled"},
    ]
    entered, retries, per_state = um.transitions(events)
    assert (entered, retries) == (3, 1)
    assert per_state == {"Register": 1, "IsNew": 1, "Wait": 1}


@pytest.mark.parametrize(
    ("method", "path", "query", "tier"),
    [
        ("PUT", "/archive/sha256/ab", "", "tier1"),
        ("POST", "/staging", "", "tier1"),
        ("GET", "/archive", "list-type=2&prefix=a", "tier1"),
        ("GET", "/archive/sha256/ab", "versionId=1", "tier2"),
        ("HEAD", "/archive/sha256/ab", "", "tier2"),
        ("GET", "/archive", "object-lock", "tier2"),
        ("DELETE", "/staging/incoming/x", "", "free"),
    ],
)
def test_s3_request_tiers(method, path, query, tier):
    assert um.s3_tier(method, path, query) == tier


# --------------------------------------------------------------------------- dollars


def _usage() -> dict:
    gir = {"Days": 90, "StorageClass": "GLACIER_IR"}
    return {
        "documents": 1000,
        "lambda": {"f": {"memory_mb": 512, "architecture": "arm64", "invocations": 2000, "errors": 0,
                         "billed_ms": 1_000_000, "wall_ms": 999_000.0, "cpu_ms": 100_000.0}},
        "requests_by_function": {"f": {"dynamodb:GetItem": 4000}},
        "stepfunctions": {
            "ezd-local-intake": {"type": "STANDARD", "executions": 1000, "transitions": 10_000},
            "ezd-local-fast": {"type": "EXPRESS", "executions": 1000, "billed_gb_s": 12.5},
        },
        "dynamodb": {"records": {"wru": {"standard": 600_000, "index": 400_000}, "rru": {"strong": 2_000_000},
                                 "storage_start": {"items": 0, "bytes": 0},
                                 "storage_end": {"items": 10_000, "bytes": 9_000_000,
                                                 "index_items": {"GSI1": 1000}, "index_bytes": {"GSI1": 900_000}}}},
        "s3": {
            "archive": {"requests": {"tier1": 4000, "tier2": 1000},
                        "storage_start": {},
                        "storage_end": {"STANDARD|sha256/|current|large": {"objects": 1000, "bytes": 1000 * 2**20},
                                        "STANDARD|sha256/|current|small": {"objects": 1000, "bytes": 1000 * 4096}},
                        "lifecycle_rules": [{"ID": "archive", "Status": "Enabled", "Filter": {"Prefix": "sha256/"},
                                             "Transitions": [gir]}]},
            "staging": {"requests": {"tier1": 1000},
                        "storage_start": {},
                        "storage_end": {"STANDARD|incoming/|current|large": {"objects": 1000, "bytes": 1000 * 2**20}},
                        "lifecycle_rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""},
                                             "Expiration": {"Days": 3}}]},
        },
        "requests": {"secretsmanager:GetSecretValue": 10},
        "cloudwatch_logs": {"bytes": 2**30},
    }


def test_known_usage_gives_known_dollars():
    assert PRICES["states.standard.transition"].usd == pytest.approx(0.025 / 1000)
    r = cost_model.report(_usage(), duration="wall")
    lines = {(line["service"], line["item"]): line for line in r["lines"]}
    n = 1000
    assert lines[("Step Functions", "intake: Standard transitions")]["usd"] == pytest.approx(10 * 0.000025)
    assert lines[("Step Functions", "fast: Express requests")]["usd"] == pytest.approx(price("states.express.request"))
    assert lines[("Step Functions", "fast: Express duration")]["usd"] == pytest.approx(
        12.5 * price("states.express.gb_s") / n)
    # 1,000,000 ms at 512 MB = 500 GB-s, on arm64
    assert lines[("Lambda", "duration (wall)")]["usd"] == pytest.approx(500 * price("lambda.gb_s.arm64") / n)
    assert lines[("Lambda", "requests")]["usd"] == pytest.approx(2 * price("lambda.request"))
    assert lines[("DynamoDB", "writes: standard")]["usd"] + lines[("DynamoDB", "writes: index")]["usd"] == \
        pytest.approx(1000 * price("dynamodb.wru"))
    assert lines[("DynamoDB", "reads: strong")]["usd"] == pytest.approx(2000 * price("dynamodb.rru"))
    assert lines[("S3", "PUT/COPY/POST/LIST requests")]["usd"] == pytest.approx(5 * price("s3.tier1.STANDARD"))
    assert lines[("S3", "GET/HEAD/other requests")]["usd"] == pytest.approx(price("s3.tier2.STANDARD"))
    # only the large archive objects move (S3 keeps objects under 128 KB where they are)
    assert lines[("S3", "lifecycle transition requests")]["quantity"] == pytest.approx(1)
    # the staging copy: 1 MiB for 3 days of S3 Standard, in the running cost
    staging = 2**20 / 2**30 * price("s3.storage.STANDARD") * 3 / (365 / 12)
    assert lines[("S3", "temporary copies until they expire")]["usd"] == pytest.approx(staging)
    assert lines[("CloudWatch Logs", "ingestion (the functions' log lines)")]["usd"] == pytest.approx(
        price("logs.ingestion") / n)
    assert r["running_usd_per_letter"] == pytest.approx(sum(line["usd"] for line in r["lines"]))
    assert r["running_usd_per_year_incoming"] == pytest.approx(r["running_usd_per_letter"] * 155_000)

    s = r["storage"]["usd_per_letter_year"]
    mib, small = 2**20 / 2**30, 4096 / 2**30
    first = mib * (price("s3.storage.STANDARD") * 90 + price("s3.storage.GLACIER_IR") * 275) / (365 / 12) \
        + small * price("s3.storage.STANDARD") * 12
    later = mib * price("s3.storage.GLACIER_IR") * 12 + small * price("s3.storage.STANDARD") * 12
    assert s["s3_first_year"] == pytest.approx(first)
    assert s["s3_later_years"] == pytest.approx(later)
    table = (9_000 + 100 * 10) / 2**30  # bytes per letter, 100 bytes of overhead per item
    index = (900 + 100) / 2**30
    assert s["dynamodb_table_and_indexes"] == pytest.approx((table + index) * price("dynamodb.storage") * 12)
    assert s["dynamodb_pitr"] == pytest.approx(table * price("dynamodb.pitr") * 12)
    assert math.isclose(s["later_years"], s["s3_later_years"] + s["dynamodb_table_and_indexes"] + s["dynamodb_pitr"])


def test_an_expiring_version_is_gone_when_its_noncurrent_copy_is():
    rules = [{"ID": "x", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 7},
              "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]
    assert cost_model.lifecycle_of(rules, "incoming/", "current", False)["expires_after_days"] == 7
    assert cost_model.lifecycle_of(rules, "incoming/", "current", False, versioned=True)["expires_after_days"] == 8
    kept = [{"ID": "x", "Status": "Enabled", "Expiration": {"Days": 7}}]  # a delete marker; the bytes stay
    assert cost_model.lifecycle_of(kept, "incoming/", "current", False, versioned=True)["expires_after_days"] is None


def test_lambda_duration_modelled_from_cpu_and_calls():
    r = cost_model.report(_usage(), duration="model", aws_call_ms=10)
    lines = {(line["service"], line["item"]): line for line in r["lines"]}
    # 512 MB has 512/1769 of a vCPU: its CPU time takes 1769/512 as long
    billed_ms = 100_000 * 1769 / 512 + 10 * 4000 + 0.5 * 2000
    assert lines[("Lambda", "duration (model)")]["usd"] == pytest.approx(
        billed_ms / 1000 * 0.5 * price("lambda.gb_s.arm64") / 1000)
    # the Express execution waits for its Lambdas: scaled like them
    scale = billed_ms / 1_000_000
    assert lines[("Step Functions", "fast: Express duration")]["usd"] == pytest.approx(
        12.5 * scale * price("states.express.gb_s") / 1000)

"""The local stack's Query (ezd.local.moto_query) answers exactly as moto's own, and reads
only a window of the partition.

Every query shape is asked twice of the same data — once through the sorted partitions,
once through moto's own ``Table.query`` — and the pages (items, Count, ScannedCount,
LastEvaluatedKey), followed page by page, must be identical. The data is random with a
fixed seed: string, number and binary sort keys, items large enough to end pages at 1 MB,
and changes after the partitions were first sorted (overwrites, deletes, keys inserted in
the middle, transactions, batch writes, records replayed by the persistence loader).
"""

from __future__ import annotations

import base64
import random
from typing import Any

import boto3
import pytest

from ezd.local import moto_query
from testkit import moto_sandbox

REGION = "eu-central-1"
KEY_TYPES = ("S", "N", "B")


def _sort_value(kind: str, rng: random.Random) -> dict[str, str]:
    if kind == "S":
        return {"S": "".join(rng.choice("abc#") for _ in range(rng.randint(1, 6)))}
    if kind == "N":
        return {"N": str(rng.choice([rng.randint(-50, 50), round(rng.uniform(-50, 50), 2)]))}
    return {"B": base64.b64encode(bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 4)))).decode()}


def _item(pk: str, sk: dict[str, str], rng: random.Random, big: bool = False) -> dict[str, Any]:
    item = {"PK": {"S": pk}, "SK": sk, "n": {"N": str(rng.randint(0, 9))}, "tag": {"S": rng.choice("xyz")}}
    if rng.random() < 0.5:
        item["odd"] = {"BOOL": True}
    if big:
        item["pad"] = {"S": "p" * rng.randint(60_000, 250_000)}
    return item


def _client(kind: str) -> Any:
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(
        TableName=f"t{kind}", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "SK", "AttributeType": kind},
                              {"AttributeName": "tag", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "bytag", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "tag", "KeyType": "HASH"},
                                               {"AttributeName": "SK", "KeyType": "RANGE"}]}],
    )
    return ddb


def _seed(ddb: Any, kind: str, rng: random.Random) -> dict[str, list[dict[str, str]]]:
    """Partitions 'big' (250 items), 'heavy' (large items: pages end at 1 MB), 'few'."""
    keys: dict[str, list[dict[str, str]]] = {"big": [], "heavy": [], "few": []}
    for pk, count in (("big", 250), ("heavy", 16), ("few", 3)):
        for _ in range(count):
            sk = _sort_value(kind, rng)
            keys[pk].append(sk)
            ddb.put_item(TableName=f"t{kind}", Item=_item(pk, sk, rng, big=pk == "heavy"))
    return keys


def _change(ddb: Any, kind: str, keys: dict[str, list[dict[str, str]]], rng: random.Random) -> None:
    """Changes after the partitions were sorted, by every write path."""
    table = f"t{kind}"
    for pk in ("big", "heavy", "few"):
        for _ in range(6):
            victim = rng.choice(keys[pk])
            ddb.delete_item(TableName=table, Key={"PK": {"S": pk}, "SK": victim})
        for _ in range(8):
            ddb.put_item(TableName=table, Item=_item(pk, _sort_value(kind, rng), rng, big=pk == "heavy"))
        ddb.put_item(TableName=table, Item=_item(pk, rng.choice(keys[pk]), rng, big=pk == "heavy"))  # overwrite
    ddb.update_item(TableName=table, Key={"PK": {"S": "big"}, "SK": _sort_value(kind, rng)},
                    UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "7"}})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": _item("big", _sort_value(kind, rng), rng)}},
        {"Delete": {"TableName": table, "Key": {"PK": {"S": "few"}, "SK": keys["few"][0]}}},
    ])
    ddb.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": _item("big", _sort_value(kind, rng), rng)}} for _ in range(10)]})


def _conditions(kind: str, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """(key condition on SK, its values) of every kind moto's key conditions know."""
    a, b = sorted((_sort_value(kind, rng) for _ in range(2)), key=lambda v: _order(kind, v))
    shapes = [("", {}), ("AND SK = :a", {":a": a}), ("AND SK < :a", {":a": a}), ("AND SK <= :a", {":a": a}),
              ("AND SK > :a", {":a": a}), ("AND SK >= :a", {":a": a}),
              ("AND SK BETWEEN :a AND :b", {":a": a, ":b": b})]
    if kind != "N":
        shapes.append(("AND begins_with(SK, :p)", {":p": {kind: a[kind][:1] if kind == "S" else a[kind][:2]}}))
    return shapes


def _order(kind: str, value: dict[str, str]) -> Any:
    from decimal import Decimal

    return Decimal(value["N"]) if kind == "N" else value[kind]


def _pages(ddb: Any, request: dict[str, Any], max_pages: int = 4) -> list[dict[str, Any]]:
    pages = []
    request = dict(request)
    for _ in range(max_pages):
        response = ddb.query(**request)
        response.pop("ResponseMetadata", None)
        pages.append(response)
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return pages


def _requests(kind: str, keys: dict[str, list[dict[str, str]]], rng: random.Random, count: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(count):
        pk = rng.choice(("big", "big", "heavy", "few", "none"))
        condition, values = rng.choice(_conditions(kind, rng))
        request: dict[str, Any] = {
            "TableName": f"t{kind}", "KeyConditionExpression": f"PK = :pk {condition}",
            "ExpressionAttributeValues": {":pk": {"S": pk}, **values},
            "ScanIndexForward": rng.random() < 0.5,
        }
        limit = rng.choice((None, 1, 3, 50, 50, 500))
        if limit is not None:
            request["Limit"] = limit
        extra = rng.random()
        if extra < 0.25:
            request["FilterExpression"] = "n > :n OR attribute_exists(odd)"
            request["ExpressionAttributeValues"][":n"] = {"N": "5"}
        elif extra < 0.35:
            request["Select"] = "COUNT"
        elif extra < 0.45:
            request["ProjectionExpression"] = "SK, tag"
        elif extra < 0.55:
            request["ConsistentRead"] = True
        if rng.random() < 0.25:  # a start key of the caller's choosing, present or not
            request["ExclusiveStartKey"] = {"PK": {"S": pk}, "SK": _sort_value(kind, rng)}
        out.append(request)
    return out


@pytest.mark.parametrize("kind", KEY_TYPES)
def test_every_query_shape_answers_as_moto_does(kind: str) -> None:
    rng = random.Random(20260501 + KEY_TYPES.index(kind))
    with moto_sandbox():
        moto_query.install()
        ddb = _client(kind)
        keys = _seed(ddb, kind, rng)
        _pages(ddb, {"TableName": f"t{kind}", "KeyConditionExpression": "PK = :pk",
                     "ExpressionAttributeValues": {":pk": {"S": "big"}}})  # sorted now: later changes are kept
        _change(ddb, kind, keys, rng)
        requests = _requests(kind, keys, rng, 90)
        # and a few through the index, which keeps moto's own order
        requests += [{"TableName": f"t{kind}", "IndexName": "bytag", "KeyConditionExpression": "tag = :t",
                      "ExpressionAttributeValues": {":t": {"S": t}}, "Limit": 20, "ScanIndexForward": f}
                     for t in "xy" for f in (True, False)]
        patched = [_pages(ddb, r) for r in requests]
        with moto_query.stock():
            stock = [_pages(ddb, r) for r in requests]
    answered = sum(1 for pages in stock if pages[0]["Count"])
    assert answered > len(requests) / 3  # the shapes are not all empty
    assert any("LastEvaluatedKey" in pages[0] and "Limit" not in r for pages, r in zip(stock, requests))  # 1 MB pages
    for request, mine, theirs in zip(requests, patched, stock):
        assert mine == theirs, request


def test_a_limited_query_reads_a_window_not_the_partition(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    with moto_sandbox():
        moto_query.install()
        ddb = _client("S")
        items = [{"PutRequest": {"Item": {"PK": {"S": "inbox"}, "SK": {"S": f"2026-{i:07d}"}, "tag": {"S": "x"}}}}
                 for i in range(5000)]
        for start in range(0, len(items), 25):
            ddb.batch_write_item(RequestItems={"tS": items[start:start + 25]})
        stock_query = moto_query._stock_query

        def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(len(self.all_items()))
            return stock_query(self, *args, **kwargs)

        monkeypatch.setattr(moto_query, "_stock_query", counting)
        newest = ddb.query(TableName="tS", KeyConditionExpression="PK = :pk", ExpressionAttributeValues={
            ":pk": {"S": "inbox"}}, ScanIndexForward=False, Limit=50)
        older = ddb.query(TableName="tS", KeyConditionExpression="PK = :pk AND SK < :before", ExpressionAttributeValues={
            ":pk": {"S": "inbox"}, ":before": {"S": "2026-0001000"}}, ScanIndexForward=False, Limit=50,
            ExclusiveStartKey=newest["LastEvaluatedKey"])
    assert [i["SK"]["S"] for i in newest["Items"]] == [f"2026-{i:07d}" for i in range(4999, 4949, -1)]
    assert [i["SK"]["S"] for i in older["Items"]] == [f"2026-{i:07d}" for i in range(999, 949, -1)]
    assert newest["LastEvaluatedKey"]["SK"]["S"] == "2026-0004950"
    assert seen == [51, 51]  # Limit items and the one at which moto stops, of 5,000


def test_records_replayed_by_the_persistence_loader_keep_the_order() -> None:
    from ezd.local.persistence import dynamodb_state

    rng = random.Random(7)
    with moto_sandbox():
        moto_query.install()
        ddb = _client("S")
        keys = _seed(ddb, "S", rng)
        request = {"TableName": "tS", "KeyConditionExpression": "PK = :pk",
                   "ExpressionAttributeValues": {":pk": {"S": "big"}}, "ScanIndexForward": False, "Limit": 30}
        _pages(ddb, request)  # the partition is sorted
        loader = dynamodb_state.Loader()
        account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
        for sk in ("zzzz", "a", "bb#"):  # newest, oldest, the middle
            loader.apply(("ddb", account, REGION, "tS", "SS", ("PK", "SK"), ("big", sk)))
        for sk in keys["big"][:20]:
            loader.apply(("ddb", account, REGION, "tS", None, {"S": "big"}, sk))
        loader.finish()
        patched = _pages(ddb, request, max_pages=20)
        with moto_query.stock():
            stock = _pages(ddb, request, max_pages=20)
    assert patched == stock
    assert patched[0]["Items"][0]["SK"] == {"S": "zzzz"}

"""This process's requests to its embedded moto server skip the socket, and get the same answers.

The same operations go once to the server's registered URL (``127.0.0.1:<port>``, taken
in-process) and once to ``localhost:<port>`` (not registered: real HTTP through urllib3 and
werkzeug), and botocore's parsed answers must agree — success, errors, S3 bodies streamed
and headers, and a function's request refused by its role.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ezd.local.iam_enforcement import acting_as

VOLATILE = {"RequestId", "HTTPHeaders", "HostId", "RetryAttempts", "date", "x-amzn-requestid", "x-amz-id-2",
            "x-amz-request-id", "Date", "LastModified", "ETag", "VersionId"}


def _client(service: str, url: str) -> Any:
    return boto3.session.Session().client(
        service, endpoint_url=url, region_name="eu-central-1", aws_access_key_id="local",
        aws_secret_access_key="local", config=Config(retries={"max_attempts": 1}))


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _answer(call: Any) -> Any:
    try:
        return "ok", _stable(call())
    except ClientError as error:
        return "error", error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def two_ways(stack: Any) -> dict[str, str]:
    direct = stack.moto.url
    assert direct.startswith("http://127.0.0.1:")
    return {"in_process": direct, "http": direct.replace("127.0.0.1", "localhost")}


def test_requests_to_the_registered_server_open_no_connection(stack: Any, two_ways: dict[str, str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib3

    opened: list[str] = []
    original = urllib3.connectionpool.HTTPConnectionPool.urlopen

    def urlopen(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        opened.append(f"{self.host}:{self.port} {method} {url}")
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(urllib3.connectionpool.HTTPConnectionPool, "urlopen", urlopen)
    _client("dynamodb", two_ways["in_process"]).list_tables()
    _client("s3", two_ways["in_process"]).list_buckets()
    assert opened == []
    _client("dynamodb", two_ways["http"]).list_tables()
    assert len(opened) == 1 and opened[0].startswith("localhost:")


def test_dynamodb_answers_are_the_same_in_process_and_over_http(stack: Any, two_ways: dict[str, str]) -> None:
    table = stack.info.environment["EZD_TABLE"]
    run = uuid.uuid4().hex
    answers: dict[str, str] = {}
    for way, url in two_ways.items():
        key = {"PK": {"S": f"TEST#{run}#{way}"}, "SK": {"S": "A"}}
        answers[way] = str(_dynamodb_answers(_client("dynamodb", url), table, key)).replace(way, "WAY")
    assert answers["in_process"] == answers["http"]
    key = {"PK": {"S": f"TEST#{run}#in_process"}, "SK": {"S": "A"}}
    answers = _dynamodb_answers(_client("dynamodb", two_ways["in_process"]), table, key)  # type: ignore[assignment]
    assert answers[0][1]["Attributes"]["nested"] == {"M": {"list": {"L": [{"BOOL": True}, {"NULL": True}]}}}
    assert answers[1][1]["Item"]["blob"] == {"B": b"\x00\x01\xff"}
    assert answers[3] == ("error", "ConditionalCheckFailedException", 400)


def _dynamodb_answers(ddb: Any, table: str, key: dict[str, Any]) -> list[Any]:
    item = key | {"title": {"S": "Wniosek o duplikat świadectwa"}, "n": {"N": "7"}, "tags": {"SS": ["a", "b"]},
                  "blob": {"B": b"\x00\x01\xff"}, "nested": {"M": {"list": {"L": [{"BOOL": True}, {"NULL": True}]}}}}
    return [
        _answer(lambda: ddb.put_item(TableName=table, Item=item, ReturnValues="ALL_OLD")),
        _answer(lambda: ddb.get_item(TableName=table, Key=key, ConsistentRead=True)),
        _answer(lambda: ddb.query(TableName=table, KeyConditionExpression="PK = :pk",
                                  ExpressionAttributeValues={":pk": key["PK"]})),
        _answer(lambda: ddb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(PK)")),
        _answer(lambda: ddb.get_item(TableName="no-such-table", Key=key)),
    ]


def test_s3_answers_are_the_same_in_process_and_over_http(stack: Any, two_ways: dict[str, str]) -> None:
    bucket = stack.info.environment["EZD_STAGING_BUCKET"]
    body = bytes(range(256)) * 4096  # 1 MiB, read back in chunks
    answers: dict[str, list[Any]] = {}
    for way, url in two_ways.items():
        s3 = _client("s3", url)
        key = f"test/in-process/{uuid.uuid4().hex}/pismo ż/%2F.pdf"

        def get_in_chunks() -> dict[str, Any]:
            got = s3.get_object(Bucket=bucket, Key=key)
            stream = got.pop("Body")
            got["content"] = b"".join(stream.iter_chunks(65536))
            return got

        answers[way] = [
            _answer(lambda: s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/pdf",
                                          Metadata={"sender_name": "Jan", "channel": "epuap"})),
            _answer(get_in_chunks),
            _answer(lambda: s3.head_object(Bucket=bucket, Key=key)),
            _answer(lambda: s3.put_object(Bucket=bucket, Key=key, Body=b"again", IfNoneMatch="*")),
            _answer(lambda: s3.head_object(Bucket=bucket, Key=key + ".missing")),
            _answer(lambda: s3.get_object(Bucket=bucket, Key=key, Range="bytes=10-19")["Body"].read()),
        ]
    assert answers["in_process"] == answers["http"]
    assert answers["in_process"][1][1]["content"] == body
    assert answers["in_process"][1][1]["Metadata"] == {"sender_name": "Jan", "channel": "epuap"}
    assert answers["in_process"][3] == ("error", "PreconditionFailed", 412)
    assert answers["in_process"][5] == ("ok", body[10:20])


def test_a_functions_request_is_checked_against_its_role_on_the_in_process_path(stack: Any,
                                                                               two_ways: dict[str, str]) -> None:
    table = stack.info.environment["EZD_TABLE"]
    answers = {}
    for way, url in two_ways.items():
        with acting_as("ezd-local-intake-notify"):  # may write notifications, never delete tables
            answers[way] = _answer(lambda: _client("dynamodb", url).delete_table(TableName=table))
    assert answers["in_process"] == answers["http"] == ("error", "AccessDeniedException", 400)

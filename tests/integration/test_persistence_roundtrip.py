"""Every kind of change the stack makes to moto comes back exactly after a restart.

One stack process makes DynamoDB changes (PutItem, UpdateItem, DeleteItem,
BatchWriteItem, TransactWriteItems, and conditions that fail and change nothing) and S3
changes (versions, delete markers, specific-version deletes, bulk deletes, copies,
multipart uploads, browser POST uploads, tags, retention, legal hold), records what
moto then answers, and dies by SIGKILL; the next process finds the same (replayed from
the journal) and stops gracefully; a third finds the same again (loaded from the
snapshot). Each runs as this file's ``__main__`` on the same state directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))  # testkit, also when run as a phase script
from testkit import post_form, real_clock  # noqa: E402
ROOT = TESTS.parent

pytestmark = [pytest.mark.stack]


def test_every_change_to_moto_survives_kill_9_and_a_graceful_restart(tmp_path: Path) -> None:
    state, facts = tmp_path / "state", tmp_path / "facts.json"
    env = real_clock({**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers"), os.environ.get("PYTHONPATH", "")])})
    for phase, code in (("write", -signal.SIGKILL), ("journal", 0), ("snapshot", 0)):
        done = subprocess.run([sys.executable, __file__, phase, str(state), str(facts)], capture_output=True,
                              text=True, timeout=240, env=env)
        tail = "\n".join([line for line in (done.stdout + done.stderr).splitlines() if not line.startswith('{"')][-40:])
        assert done.returncode == code, f"phase {phase} ended with {done.returncode}:\n{tail}"
    recorded = json.loads(facts.read_text())
    assert recorded["journal"] == recorded["write"]
    assert recorded["snapshot"] == recorded["write"]


# ---------------------------------------------------------------------------- the changes

def _dynamodb_changes(ddb: Any, table: str) -> None:
    from botocore.exceptions import ClientError

    def key(pk: str, sk: str) -> dict[str, Any]:
        return {"PK": {"S": pk}, "SK": {"S": sk}}

    ddb.put_item(TableName=table, Item={**key("T#put", "1"), "kind": {"S": "t"}, "n": {"N": "1"},
                                        "b": {"B": b"\x00\x01bytes"}, "ok": {"BOOL": True}, "nothing": {"NULL": True},
                                        "tags": {"SS": ["a", "b"]}, "nums": {"NS": ["1", "2.5"]},
                                        "doc": {"M": {"list": {"L": [{"S": "x"}, {"N": "2"}]}}},
                                        "GSI1PK": {"S": "T#index"}, "GSI1SK": {"S": "1"}})
    ddb.update_item(TableName=table, Key=key("T#put", "1"),
                    UpdateExpression="ADD n :one SET doc.#l = list_append(doc.#l, :more), added = :s REMOVE nothing",
                    ExpressionAttributeNames={"#l": "list"},
                    ExpressionAttributeValues={":one": {"N": "41"}, ":more": {"L": [{"S": "y"}]}, ":s": {"S": "z"}})
    ddb.update_item(TableName=table, Key=key("T#upsert", "1"), UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "created by an update"}})
    ddb.put_item(TableName=table, Item={**key("T#gone", "1"), "kind": {"S": "t"}})
    ddb.delete_item(TableName=table, Key=key("T#gone", "1"))
    ddb.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": {**key("T#batch", str(n)), "kind": {"S": "t"}}}} for n in range(5)
    ] + [{"DeleteRequest": {"Key": key("T#put-then-batch-delete", "1")}}]})
    ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": key("T#batch", "3")}}]})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": {**key("T#tx", "1"), "value": {"N": "1"}},
                 "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Update": {"TableName": table, "Key": key("T#batch", "0"), "UpdateExpression": "SET touched = :t",
                    "ExpressionAttributeValues": {":t": {"BOOL": True}}}},
        {"Delete": {"TableName": table, "Key": key("T#batch", "4")}},
    ])
    for failing in (
        lambda: ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {**key("T#tx", "2"), "value": {"N": "2"}}}},
            {"Put": {"TableName": table, "Item": key("T#tx", "1"), "ConditionExpression": "attribute_not_exists(PK)"}},
        ]),
        lambda: ddb.put_item(TableName=table, Item={**key("T#put", "1"), "kind": {"S": "overwritten"}},
                             ConditionExpression="attribute_not_exists(PK)"),
        lambda: ddb.update_item(TableName=table, Key=key("T#tx", "1"), UpdateExpression="SET #v = :v",
                                ConditionExpression="#v = :old", ExpressionAttributeNames={"#v": "value"},
                                ExpressionAttributeValues={":v": {"N": "9"}, ":old": {"N": "7"}}),
    ):
        with pytest.raises(ClientError):
            failing()


def _s3_changes(s3: Any, env: dict[str, str]) -> None:
    from ezd import clock

    archive, staging, derived = env["EZD_ARCHIVE_BUCKET"], env["EZD_STAGING_BUCKET"], env["EZD_DERIVED_BUCKET"]
    until = (clock.now_utc() + timedelta(days=30)).replace(microsecond=0)
    locked = s3.put_object(Bucket=archive, Key="sha256/aa/locked", Body=b"original bytes", ContentType="application/xml",
                           Metadata={"sha256": "aa", "unit": "SP1"}, ObjectLockMode="COMPLIANCE",
                           ObjectLockRetainUntilDate=until, ChecksumAlgorithm="SHA256")
    s3.put_object_retention(Bucket=archive, Key="sha256/aa/locked", VersionId=locked["VersionId"],
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until + timedelta(days=365)})
    s3.put_object_legal_hold(Bucket=archive, Key="sha256/aa/locked", VersionId=locked["VersionId"],
                             LegalHold={"Status": "ON"})
    for n in range(3):
        s3.put_object(Bucket=staging, Key="incoming/SP1/x", Body=f"delivery {n}".encode())
    s3.delete_object(Bucket=staging, Key="incoming/SP1/x")  # a delete marker over three versions
    first = s3.put_object(Bucket=staging, Key="incoming/SP1/y", Body=b"first")
    s3.put_object(Bucket=staging, Key="incoming/SP1/y", Body=b"second")
    s3.delete_object(Bucket=staging, Key="incoming/SP1/y", VersionId=first["VersionId"])
    s3.put_object(Bucket=derived, Key="reports/a.csv", Body=b"a;b\n1;2\n", ContentType="text/csv",
                  Tagging="kind=report&unit=SP1")
    s3.put_object_tagging(Bucket=derived, Key="reports/a.csv", Tagging={"TagSet": [{"Key": "kind", "Value": "final"}]})
    s3.copy_object(Bucket=derived, Key="reports/b.csv", CopySource={"Bucket": derived, "Key": "reports/a.csv"},
                   MetadataDirective="REPLACE", Metadata={"copied": "yes"}, ContentType="text/plain")
    for name in ("gone/1", "gone/2"):
        s3.put_object(Bucket=derived, Key=name, Body=name.encode())
    s3.delete_objects(Bucket=derived, Delete={"Objects": [{"Key": "gone/1"}, {"Key": "gone/2"}]})
    upload = s3.create_multipart_upload(Bucket=derived, Key="big/multipart.bin", ContentType="application/octet-stream",
                                        Metadata={"parts": "2"})
    parts = []
    for number, body in ((1, b"1" * (5 * 1024 * 1024)), (2, b"tail")):
        etag = s3.upload_part(Bucket=derived, Key="big/multipart.bin", UploadId=upload["UploadId"],
                              PartNumber=number, Body=body)["ETag"]
        parts.append({"ETag": etag, "PartNumber": number})
    s3.complete_multipart_upload(Bucket=derived, Key="big/multipart.bin", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": parts})
    post = s3.generate_presigned_post(Bucket=derived, Key="uploads/scan.pdf", ExpiresIn=600)
    assert post_form(post["url"], post["fields"], b"%PDF-1.4 browser upload", "scan.pdf") in (200, 201, 204)


# ---------------------------------------------------------------------------- what moto says

def _everything(ddb: Any, s3: Any, env: dict[str, str]) -> dict[str, Any]:
    items = []
    for page in ddb.get_paginator("scan").paginate(TableName=env["EZD_TABLE"]):
        items.extend(page["Items"])
    index = ddb.query(TableName=env["EZD_TABLE"], IndexName="GSI1", KeyConditionExpression="GSI1PK = :p",
                      ExpressionAttributeValues={":p": {"S": "T#index"}})["Items"]
    objects: dict[str, Any] = {}
    for bucket in (env[k] for k in ("EZD_ARCHIVE_BUCKET", "EZD_STAGING_BUCKET", "EZD_DERIVED_BUCKET")):
        listing = s3.list_object_versions(Bucket=bucket)
        for marker in listing.get("DeleteMarkers", []):
            objects[f"{bucket}/{marker['Key']}@{marker['VersionId']}"] = {
                "marker": True, "latest": marker["IsLatest"], "modified": marker["LastModified"].isoformat()}
        for version in listing.get("Versions", []):
            name, vid = version["Key"], version["VersionId"]
            head = s3.head_object(Bucket=bucket, Key=name, VersionId=vid, ChecksumMode="ENABLED")
            body = s3.get_object(Bucket=bucket, Key=name, VersionId=vid)["Body"].read()
            tags = s3.get_object_tagging(Bucket=bucket, Key=name, VersionId=vid)["TagSet"]
            until = head.get("ObjectLockRetainUntilDate")
            objects[f"{bucket}/{name}@{vid}"] = {
                "latest": version["IsLatest"], "modified": version["LastModified"].isoformat(),
                "etag": head["ETag"], "size": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                "type": head.get("ContentType"), "metadata": head.get("Metadata"),
                "checksum": head.get("ChecksumSHA256"), "lock": head.get("ObjectLockMode"),
                "until": until.isoformat() if until else None, "hold": head.get("ObjectLockLegalHoldStatus"),
                "tags": sorted((t["Key"], t["Value"]) for t in tags),
            }
    def plain(item: dict[str, Any]) -> str:
        return json.dumps(item, sort_keys=True, default=lambda b: b.hex())

    test_items = sorted(plain(i) for i in items if i["PK"]["S"].startswith("T#"))
    return {"items": test_items, "index": sorted(plain(i) for i in index), "objects": objects}


def _main(argv: list[str]) -> None:
    from ezd.adapters.aws import client
    from ezd.local.stack import LocalStack

    phase, state, facts_file = argv[1], Path(argv[2]), Path(argv[3])
    stack = LocalStack(state, api_port=0, run_schedules=False, seed_demo=False)
    stack.start()
    env = stack.info.environment
    ddb, s3 = client("dynamodb"), client("s3")
    if phase == "write":
        assert not stack.restored.resumed
        _dynamodb_changes(ddb, env["EZD_TABLE"])
        _s3_changes(s3, env)
    else:
        assert stack.restored.resumed
    facts = json.loads(facts_file.read_text()) if facts_file.exists() else {}
    facts[phase] = _everything(ddb, s3, env)
    facts_file.write_text(json.dumps(facts, indent=2))
    if phase == "write":
        os.kill(os.getpid(), signal.SIGKILL)  # no snapshot: the next start replays the journal
    stack.stop()


if __name__ == "__main__":
    _main(sys.argv)

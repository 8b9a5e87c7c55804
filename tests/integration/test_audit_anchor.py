"""The metryka anchored outside the table: whoever can write the records table can
rewrite a chain consistently (delete an entry, relink, rewrite the head), and the chain
alone then checks out; the signed, locked anchor still tells.

SP23 is this file's unit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from ezd import clock
from ezd.models.audit import Actor, AuditAction

pytestmark = pytest.mark.stack

UNIT = "SP23"
CLERK = Actor(login="sp23.sekretariat", full_name="Anna Nowak", position="sekretarz szkoły")


def _ezd(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EZD_STACK_FILE": str(Path(stack.info.state_dir) / "stack.json")}
    return subprocess.run([sys.executable, "-m", "ezd.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def _chain(n: int, unit: str = UNIT) -> tuple[str, str]:
    from ezd.services.audit import case_object, record

    ref = f"DYR.050.{uuid.uuid4().int % 10**6}.2026"
    object_id = case_object(f"{unit}#{ref}")
    for i in range(n):
        record(object_id, CLERK, AuditAction.METADATA_CHANGED, summary=f"Zmiana nr {i + 1}")
    return ref, object_id


def _table(stack) -> str:
    return stack.info.environment["EZD_TABLE"]


def _rewrite_without(stack, object_id: str, seq: int) -> None:
    """What an administrator with write access to the table could do: delete entry
    ``seq``, renumber and re-hash the entries after it, and rewrite the head, so that the
    chain is consistent again."""
    from ezd.adapters.aws import client
    from ezd.models.audit import ZERO_HASH, AuditEntry
    from ezd.services.audit import compute_hash, entries

    ddb = client("dynamodb")
    kept = [e for e in entries(object_id) if e.seq != seq]
    old_count = len(kept) + 1
    rewritten: list[AuditEntry] = []
    for index, entry in enumerate(kept, start=1):
        moved = entry.model_copy(update={"seq": index, "prev_hash": rewritten[-1].hash if rewritten else ZERO_HASH})
        rewritten.append(moved.model_copy(update={"hash": compute_hash(moved)}))
    pk = {"S": f"AUDIT#{object_id}"}
    ddb.delete_item(TableName=_table(stack), Key={"PK": pk, "SK": {"S": f"{old_count:09d}"}})
    for entry in rewritten:
        ddb.put_item(TableName=_table(stack), Item={"PK": pk, "SK": {"S": f"{entry.seq:09d}"}, "kind": {"S": "audit_entry"},
                                                    "data": {"S": json.dumps(entry.to_item_data(), ensure_ascii=False)}})
    last = rewritten[-1]
    ddb.update_item(TableName=_table(stack), Key={"PK": pk, "SK": {"S": "HEAD"}},
                    UpdateExpression="SET #v = :s, #d = :d", ExpressionAttributeNames={"#v": "value", "#d": "data"},
                    ExpressionAttributeValues={":s": {"N": str(last.seq)},
                                               ":d": {"S": json.dumps({"seq": last.seq, "hash": last.hash})}})


def _anchor(stack, unit: str = UNIT) -> dict:
    done = _ezd(stack, "audit", "anchor", "--unit", unit)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_rewritten_chain_checks_out_alone_but_not_against_its_anchor(stack):
    from ezd.config import settings
    from ezd.services import audit, audit_anchor

    ref, object_id = _chain(4)
    anchored = _anchor(stack)
    assert anchored["units"] == 1 and anchored["written"][0]["key"].startswith(f"anchors/{UNIT}/")
    (before,) = audit_anchor.verify_anchored([object_id], settings())
    assert before.ok and before.anchor_ok and before.anchored_seq == 4

    _rewrite_without(stack, object_id, 2)
    assert audit.verify(object_id).ok  # the chain alone cannot tell any more
    (after,) = audit_anchor.verify_anchored([object_id], settings())
    assert not after.ok and after.anchor_ok is False
    assert "entry 4" in after.since_anchor and "gone" in after.since_anchor

    cli = _ezd(stack, "audit", "verify", ref, "--unit", UNIT)
    assert cli.returncode == 1 and "differs from its anchor" in cli.stderr


def test_a_rewritten_entry_before_the_anchored_head_is_named(stack):
    from ezd.config import settings
    from ezd.services import audit_anchor

    _, object_id = _chain(3)
    _anchor(stack)
    from ezd.services.audit import record

    record(object_id, CLERK, AuditAction.METADATA_CHANGED, summary="Zmiana po zakotwiczeniu")
    (grown,) = audit_anchor.verify_anchored([object_id], settings())
    assert grown.ok and "entries 4 added since" in grown.since_anchor
    _rewrite_without(stack, object_id, 1)  # 4 entries became 3: entry 3 is another one now
    (after,) = audit_anchor.verify_anchored([object_id], settings())
    assert not after.ok and "entry 3 is not the one anchored" in after.since_anchor


def test_a_whole_chain_deleted_after_anchoring_is_missed(stack):
    from ezd.adapters.aws import client
    from ezd.config import settings
    from ezd.services import audit_anchor

    _, object_id = _chain(2)
    _anchor(stack)
    ddb = client("dynamodb")
    for sk in ("000000001", "000000002", "HEAD"):
        ddb.delete_item(TableName=_table(stack), Key={"PK": {"S": f"AUDIT#{object_id}"}, "SK": {"S": sk}})
    (result,) = audit_anchor.verify_anchored([object_id], settings())
    assert not result.ok and "gone" in result.since_anchor


def test_an_anchor_is_signed_locked_and_a_forged_one_is_refused(stack):
    import boto3

    from ezd.adapters import anchor_store
    from ezd.config import settings
    from ezd.services import audit_anchor
    from ezd.services.audit import canonical_json

    unit = "SP24"  # its latest anchor ends up forged
    _chain(1, unit)
    key = _anchor(stack, unit)["written"][0]["key"]
    s3 = boto3.client("s3", endpoint_url=stack.info.moto_url, region_name=settings().region)
    head = s3.head_object(Bucket=settings().anchor_bucket, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > clock.now_utc() + timedelta(days=3600)
    assert audit_anchor.latest_anchor(unit, settings()).key == key

    # A newer "anchor" with the heads someone would like, signed with another key.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding

    from ezd.samples.letters import make_signer

    forger = make_signer("Fałszerz kotwic")
    payload = {"format": audit_anchor.FORMAT, "unit": unit, "anchored_at": clock.now_utc().isoformat(),
               "chains": {}, "digest": audit_anchor._digest({})}
    signature = forger.key.sign(canonical_json(payload), ec.ECDSA(hashes.SHA256()))
    import base64

    payload["signature"] = {"algorithm": "ECDSA-SHA256", "value": base64.b64encode(signature).decode(),
                            "certificate": forger.cert.public_bytes(Encoding.PEM).decode()}
    forged_key = anchor_store.anchor_key(unit, clock.now_utc() + timedelta(seconds=1))
    anchor_store.put(settings().anchor_bucket, forged_key, json.dumps(payload).encode(),
                     retain_until=clock.now_utc() + timedelta(days=1))
    with pytest.raises(audit_anchor.AnchorInvalid, match="not signed with this registry's seal"):
        audit_anchor.latest_anchor(unit, settings())


def test_the_daily_schedule_anchors_every_unit():
    from ezd.local.template import Template

    template = Template(Path(__file__).resolve().parents[2] / "infra" / "template.yaml", "ezd-test")
    events = template.resources["AuditAnchorFunction"].properties["Events"]
    assert [e["Properties"]["Schedule"] for e in events.values()] == ["rate(1 day)"]

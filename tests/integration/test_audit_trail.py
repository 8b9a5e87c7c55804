"""The audit chains against the local stack: appends, verification, tampering by hand
(as a rogue administrator with table access would), concurrency, the CLI and the form."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ezd.models.audit import SYSTEM, Actor, AuditAction

pytestmark = [pytest.mark.stack, pytest.mark.dates]

ROOT = Path(__file__).resolve().parents[2]
SECRETARY = Actor(login="akowalska", full_name="Anna Kowalska", position="sekretarz szkoły")
OFFICER = Actor(login="jnowak", full_name="Jan Nowak", position="referent")


def _case_ref() -> str:
    return f"AUD.{uuid.uuid4().hex[:8]}.3.2026"


def _table(stack) -> str:
    return stack.info.environment["EZD_TABLE"]


def _ddb():
    from ezd.adapters.aws import client

    return client("dynamodb")


def _key(object_id: str, sk: str) -> dict:
    return {"PK": {"S": f"AUDIT#{object_id}"}, "SK": {"S": sk}}


def _read_data(stack, object_id: str, seq: int) -> dict:
    item = _ddb().get_item(TableName=_table(stack), Key=_key(object_id, f"{seq:09d}"), ConsistentRead=True)["Item"]
    return json.loads(item["data"]["S"])


def _write_data(stack, object_id: str, seq: int, data: dict) -> None:
    _ddb().update_item(
        TableName=_table(stack), Key=_key(object_id, f"{seq:09d}"),
        UpdateExpression="SET #d = :d", ExpressionAttributeNames={"#d": "data"},
        ExpressionAttributeValues={":d": {"S": json.dumps(data, ensure_ascii=False)}},
    )


def _delete(stack, object_id: str, sk: str) -> None:
    _ddb().delete_item(TableName=_table(stack), Key=_key(object_id, sk))


def _case_with_entries(n: int = 5) -> tuple[str, str]:
    from ezd.services.audit import case_object, record

    ref = _case_ref()
    object_id = case_object(ref)
    record(object_id, SECRETARY, AuditAction.CASE_OPENED, details={"title": "Arkusz organizacji 2026/2027"})
    record(object_id, SECRETARY, AuditAction.CLASSIFIED, summary="Klasyfikacja JRWA 0141")
    record(object_id, SECRETARY, AuditAction.DECREED, summary="Dekretacja do załatwienia: Jan Nowak",
           details={"to": OFFICER.login, "kind": "do załatwienia"})
    record(object_id, OFFICER, AuditAction.DECRETATION_ACCEPTED)
    for i in range(4, n):
        record(object_id, OFFICER, AuditAction.METADATA_CHANGED, summary=f"Zmiana metadanych nr {i}",
               details={"field": "title", "n": i})
    return ref, object_id


def test_appended_entries_form_a_verified_chain(stack):
    from ezd.adapters import audit_store
    from ezd.models.audit import ZERO_HASH
    from ezd.services.audit import case_object, compute_hash, record, verify

    ref = _case_ref()
    object_id = case_object(ref)
    at = datetime(2026, 3, 2, 9, 15, 3, tzinfo=timezone.utc)
    first = record(object_id, SECRETARY, "case_opened", at=at, details={"when": at.date(), "pages": (1, 2)})
    second = record(object_id, SYSTEM, AuditAction.CLASSIFIED, at=at + timedelta(seconds=1))
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == ZERO_HASH and second.prev_hash == first.hash
    assert first.case_ref == ref and first.summary == "Założenie sprawy"
    assert first.details == {"when": "2026-03-02", "pages": [1, 2]}
    stored = audit_store.entries(object_id)
    assert [e.model_dump() for e in stored] == [first.model_dump(), second.model_dump()]
    assert all(compute_hash(e) == e.hash for e in stored)
    head = audit_store.head(object_id)
    assert (head.seq, head.hash) == (2, second.hash)
    result = verify(object_id)
    assert result.ok and result.entries == 2 and result.first_broken_seq is None
    assert result.head_hash == second.hash
    assert verify(case_object(_case_ref())).ok  # an object without entries


def test_entries_are_read_across_pages(stack):
    from ezd.adapters import audit_store
    from ezd.services.audit import document_object, record

    object_id = document_object(f"aud-{uuid.uuid4().hex}")
    for i in range(5):
        record(object_id, SECRETARY, AuditAction.VIEWED, details={"i": i})
    assert [e.seq for e in audit_store.entries(object_id, page_size=2)] == [1, 2, 3, 4, 5]
    chain = audit_store.raw_chain(object_id, page_size=2)
    assert [r.key_seq for r in chain.entries] == [1, 2, 3, 4, 5] and chain.head["seq"] == 5


def test_an_edited_entry_is_named(stack):
    from ezd.services.audit import verify

    _, object_id = _case_with_entries()
    data = _read_data(stack, object_id, 3)
    data["actor"]["full_name"] = "Piotr Zieliński"
    _write_data(stack, object_id, 3, data)
    result = verify(object_id)
    assert not result.ok
    assert result.first_broken_seq == 3
    assert "altered" in result.reason


def test_an_extra_field_slipped_into_an_entry_is_detected(stack):
    from ezd.services.audit import verify

    _, object_id = _case_with_entries(3)
    data = _read_data(stack, object_id, 2)
    data["comment"] = "poprawione"
    _write_data(stack, object_id, 2, data)
    assert verify(object_id).first_broken_seq == 2


def test_unreadable_entry_is_named(stack):
    from ezd.services.audit import verify

    _, object_id = _case_with_entries(4)
    _ddb().update_item(
        TableName=_table(stack), Key=_key(object_id, f"{2:09d}"), UpdateExpression="SET #d = :d",
        ExpressionAttributeNames={"#d": "data"}, ExpressionAttributeValues={":d": {"S": "{not json"}},
    )
    result = verify(object_id)
    assert (result.ok, result.first_broken_seq) == (False, 2)


def test_a_deleted_middle_entry_is_detected(stack):
    from ezd.services.audit import verify

    _, object_id = _case_with_entries(6)
    _delete(stack, object_id, f"{3:09d}")
    result = verify(object_id)
    assert not result.ok
    assert result.missing_seqs == [3]
    assert result.first_broken_seq == 4
    assert "entry 3 missing (deleted)" in result.reason


def test_a_deleted_last_entry_is_detected_through_the_head(stack):
    from ezd.services.audit import verify

    _, object_id = _case_with_entries(5)
    _delete(stack, object_id, f"{5:09d}")
    result = verify(object_id)
    assert not result.ok
    assert result.first_broken_seq == 5 and result.missing_seqs == [5]
    assert "head" in result.reason


def test_a_deleted_head_is_detected(stack):
    from ezd.services.audit import verify

    _, object_id = _case_with_entries(3)
    _delete(stack, object_id, "HEAD")
    result = verify(object_id)
    assert not result.ok and "head" in result.reason


def test_a_forged_entry_with_a_recomputed_hash_breaks_the_next_link(stack):
    from ezd.models.audit import AuditEntry
    from ezd.services.audit import compute_hash, verify

    _, object_id = _case_with_entries(5)
    entry = AuditEntry.model_validate(_read_data(stack, object_id, 2))
    forged = entry.model_copy(update={"summary": "Klasyfikacja JRWA 0000 (sfałszowana)"})
    forged = forged.model_copy(update={"hash": compute_hash(forged)})
    _write_data(stack, object_id, 2, forged.to_item_data())
    result = verify(object_id)
    assert not result.ok
    assert result.first_broken_seq == 3
    assert "does not link to entry 2" in result.reason


def test_a_forged_entry_relinked_to_its_successor_is_detected_because_hashes_cover_the_link(stack):
    """Forge entry 2, recompute its hash, and relink entry 3 to it (its prev_hash): entry
    3's own hash covers its prev_hash, so it no longer matches. Were prev_hash left out of
    the hashed content, this forgery would pass."""
    from ezd.models.audit import AuditEntry
    from ezd.services.audit import compute_hash, verify

    _, object_id = _case_with_entries(5)
    entry = AuditEntry.model_validate(_read_data(stack, object_id, 2))
    forged = entry.model_copy(update={"summary": "Klasyfikacja JRWA 0000 (sfałszowana)"})
    forged = forged.model_copy(update={"hash": compute_hash(forged)})
    _write_data(stack, object_id, 2, forged.to_item_data())
    successor = _read_data(stack, object_id, 3)
    _write_data(stack, object_id, 3, {**successor, "prev_hash": forged.hash})
    result = verify(object_id)
    assert not result.ok
    assert result.first_broken_seq == 3
    assert "altered" in result.reason


def test_a_forged_last_entry_with_a_recomputed_hash_is_detected_through_the_head(stack):
    from ezd.models.audit import AuditEntry
    from ezd.services.audit import compute_hash, verify

    _, object_id = _case_with_entries(4)
    entry = AuditEntry.model_validate(_read_data(stack, object_id, 4))
    forged = entry.model_copy(update={"actor": SECRETARY})
    forged = forged.model_copy(update={"hash": compute_hash(forged)})
    _write_data(stack, object_id, 4, forged.to_item_data())
    result = verify(object_id)
    assert (result.ok, result.first_broken_seq) == (False, 4)


def test_a_forged_extra_entry_at_the_end_is_detected(stack):
    from ezd.models.audit import AuditEntry
    from ezd.services.audit import compute_hash, verify

    _, object_id = _case_with_entries(4)
    last = AuditEntry.model_validate(_read_data(stack, object_id, 4))
    extra = last.model_copy(update={"seq": 5, "prev_hash": last.hash, "summary": "Dopisany wpis"})
    extra = extra.model_copy(update={"hash": compute_hash(extra)})
    _ddb().put_item(TableName=_table(stack), Item={
        **_key(object_id, f"{5:09d}"), "kind": {"S": "audit_entry"},
        "data": {"S": json.dumps(extra.to_item_data(), ensure_ascii=False)},
    })
    result = verify(object_id)
    assert (result.ok, result.first_broken_seq) == (False, 5)
    assert "not recorded in the head" in result.reason


def test_swapped_entries_are_detected(stack):
    from ezd.services.audit import verify

    _, object_id = _case_with_entries(5)
    two, three = _read_data(stack, object_id, 2), _read_data(stack, object_id, 3)
    _write_data(stack, object_id, 2, three)
    _write_data(stack, object_id, 3, two)
    result = verify(object_id)
    assert (result.ok, result.first_broken_seq) == (False, 2)


def test_concurrent_appends_all_land_in_one_chain(stack):
    from ezd.adapters import audit_store
    from ezd.services.audit import case_object, record, verify

    object_id = case_object(_case_ref())
    threads_count, per_thread = 8, 3
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_count)

    def work(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                record(object_id, OFFICER, AuditAction.VIEWED, summary=f"Wyświetlenie {t}/{i}",
                       details={"thread": t, "i": i})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    stored = audit_store.entries(object_id)
    assert [e.seq for e in stored] == list(range(1, threads_count * per_thread + 1))
    assert sorted((e.details["thread"], e.details["i"]) for e in stored) == \
        [(t, i) for t in range(threads_count) for i in range(per_thread)]
    result = verify(object_id)
    assert result.ok and result.entries == threads_count * per_thread


def test_a_stale_or_skipping_append_is_a_conflict(stack):
    from ezd.adapters import audit_store
    from ezd.adapters.audit_store import ChainConflict
    from ezd.services.audit import case_object, compute_hash, record, verify

    object_id = case_object(_case_ref())
    first = record(object_id, SECRETARY, AuditAction.CASE_OPENED)
    for seq in (1, 3):  # the seq is taken / the head is not at seq - 1
        rogue = first.model_copy(update={"seq": seq, "summary": "wpis z wyścigu"})
        rogue = rogue.model_copy(update={"hash": compute_hash(rogue)})
        with pytest.raises(ChainConflict):
            audit_store.append(rogue)
    assert record(object_id, OFFICER, AuditAction.VIEWED).seq == 2
    assert verify(object_id).ok


def test_metryka_merges_the_documents_chains(stack):
    from ezd.services.audit import (
        case_object, document_ids_of_case, document_object, entries, metryka_entries, record,
        record_for_case_document,
    )

    ref = _case_ref()
    doc = f"aud-{uuid.uuid4().hex}"
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    record(document_object(doc), SYSTEM, AuditAction.REGISTERED, at=t0, summary="Rejestracja RPW/1/2026")
    record(case_object(ref), SECRETARY, AuditAction.CASE_OPENED, at=t0 + timedelta(minutes=1))
    record_for_case_document(ref, doc, SECRETARY, AuditAction.ATTACHED, at=t0 + timedelta(minutes=2))
    record(document_object(doc), OFFICER, AuditAction.VIEWED, at=t0 + timedelta(minutes=3))
    own = entries(case_object(ref))
    assert document_ids_of_case(own) == [doc]
    merged = metryka_entries(ref, [doc])
    assert [e.action for e in merged] == [AuditAction.REGISTERED, AuditAction.CASE_OPENED,
                                          AuditAction.ATTACHED, AuditAction.VIEWED]
    assert merged[2].object_id == case_object(ref)


def _cli(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EZD_STACK_FILE": str(Path(stack.info.state_dir) / "stack.json")}
    return subprocess.run([sys.executable, "-m", "ezd.cli_commands.audit", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_verify_names_the_tampered_entry(stack):
    ref, object_id = _case_with_entries(5)
    ok = _cli(stack, "verify", ref)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True

    data = _read_data(stack, object_id, 4)
    data["actor"]["full_name"] = "Ktoś Inny"
    _write_data(stack, object_id, 4, data)
    broken = _cli(stack, "verify", ref)
    assert broken.returncode == 1, broken.stderr
    body = json.loads(broken.stdout)
    assert body["ok"] is False and body["first_broken_seq"] == 4
    assert "entry 4" in broken.stderr


def test_cli_verify_and_show_a_document(stack):
    from ezd.services.audit import document_object, record

    doc = f"aud-{uuid.uuid4().hex}"
    record(document_object(doc), SYSTEM, AuditAction.REGISTERED, summary="Rejestracja RPW/7/2026")
    assert _cli(stack, "verify", "--document", doc).returncode == 0
    shown = _cli(stack, "show", "--document", doc, "--format", "csv")
    assert shown.returncode == 0, shown.stderr
    assert "Rejestracja RPW/7/2026" in shown.stdout


def test_cli_show_case_html(stack):
    from ezd.services.audit import record_for_case_document

    ref, _ = _case_with_entries(4)
    doc = f"aud-{uuid.uuid4().hex}"
    record_for_case_document(ref, doc, OFFICER, AuditAction.SIGNED, summary="Podpisanie pisma")
    shown = _cli(stack, "show", ref, "--format", "html")
    assert shown.returncode == 0, shown.stderr
    assert "Metryka sprawy" in shown.stdout and ref in shown.stdout
    assert "Arkusz organizacji 2026/2027" in shown.stdout  # title from the case_opened entry
    assert "Podpisanie pisma" in shown.stdout and doc in shown.stdout
    assert "zweryfikowany" in shown.stdout


def test_html_escapes_everything():
    from ezd.models.audit import AuditEntry
    from ezd.services.metryka import CaseHeader, export_csv, export_json, render_html

    entry = AuditEntry(
        object_id="CASE#X", seq=1, at=datetime(2026, 3, 2, 9, 15, tzinfo=timezone.utc),
        actor=Actor(login="x", full_name="<b>Jan</b> & syn", position="\"referent\""),
        action=AuditAction.DECREED, document_id="<doc>", case_ref="X",
        summary="<script>alert(1)</script>", details={}, prev_hash="0" * 64, hash="a" * 64,
    )
    page = render_html(CaseHeader(case_ref="DYR.410.3.2026", title="<i>tytuł</i>"), [entry])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Jan</b>" not in page and "<i>tytuł</i>" not in page and "<doc>" not in page
    for column in ("Lp.", "Data i godzina", "Imię i nazwisko", "Stanowisko", "Wykonana czynność",
                   "Identyfikator dokumentu"):
        assert column in page
    assert "2026-03-02 10:15:00" in page  # Europe/Warsaw (CET)
    assert "@media print" in page
    csv_text = export_csv([entry])
    assert "<script>alert(1)</script>" in csv_text
    assert json.loads(export_json([entry]))[0]["summary"] == "<script>alert(1)</script>"

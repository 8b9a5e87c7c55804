"""Answering from a script: `ezd draft`, `ezd approve`, `ezd send` and `ezd outgoing` as
users of the local stack, through the portal API (its refusals too). P25 is this file's
unit and no other test's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ezd.samples.letters import sample_pdf

pytestmark = pytest.mark.stack

UNIT, DIRECTOR, OFFICER, CLERK = "P25", "p25.dyrektor", "p25.kadry", "p25.sekretariat"


def _ezd(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EZD_STACK_FILE": str(Path(stack.info.state_dir) / "stack.json")}
    return subprocess.run([sys.executable, "-m", "ezd.cli", *args], env=env, capture_output=True, text=True,
                          timeout=180, check=False)


def _json_lines(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_draft_approve_send_by_post_and_read_the_outgoing_register(stack, api, tmp_path):
    ref = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "051", "title": "Wniosek o duplikat", "cell": "KAD", "officer": OFFICER}).body["ref"]
    person = api.call("POST", f"/units/{UNIT}/contractors", user=OFFICER, json_body={
        "kind": "person", "first_names": "Jan", "surname": "Skryptowy", "street": "ul. Krótka 1",
        "postal_code": "20-001", "town": "Lublin"}).body["contractor_id"]
    letter = tmp_path / "odpowiedz.pdf"
    letter.write_bytes(sample_pdf(2500, seed=251))

    refused = _ezd(stack, "draft", "--unit", UNIT, "--case", ref, "--as", CLERK, "--title", "Odpowiedź",
                   "--file", str(letter), "--to", person)
    assert refused.returncode == 1 and json.loads(refused.stderr)["error_code"] == "FORBIDDEN", refused.stderr
    unknown = _ezd(stack, "draft", "--unit", UNIT, "--case", ref, "--as", OFFICER, "--title", "Odpowiedź",
                   "--file", str(letter), "--to", "AE:PL-99999-99999-ZZZZZ-99")
    assert unknown.returncode == 1 and json.loads(unknown.stderr)["error_code"] == "VALIDATION_FAILED"

    drafted = _ezd(stack, "draft", "--unit", UNIT, "--case", ref, "--as", OFFICER, "--title", "Odpowiedź",
                   "--file", str(letter), "--to", person)
    assert drafted.returncode == 0, drafted.stderr
    (draft,) = _json_lines(drafted)
    draft_id = draft["draft_id"]
    assert (draft["status"], draft["addressees"]) == ("draft", ["Skryptowy Jan"])

    too_early = _ezd(stack, "send", draft_id, "--unit", UNIT, "--as", OFFICER, "--channel", "post")
    assert too_early.returncode == 1 and json.loads(too_early.stderr)["error_code"] == "OUTGOING_STATE"
    not_theirs = _ezd(stack, "approve", draft_id, "--unit", UNIT, "--as", OFFICER)
    assert not_theirs.returncode == 1 and json.loads(not_theirs.stderr)["error_code"] == "FORBIDDEN"
    approved = _ezd(stack, "approve", draft_id, "--unit", UNIT, "--as", DIRECTOR)
    assert approved.returncode == 0 and _json_lines(approved)[0]["status"] == "approved", approved.stderr

    sent = _ezd(stack, "send", draft_id, "--unit", UNIT, "--as", OFFICER, "--channel", "post")
    assert sent.returncode == 0, sent.stderr
    (item,) = _json_lines(sent)
    assert item["outgoing_number"].startswith("RPWy/") and item["channel"] == "post"
    assert (item["status"], item["case_ref"], item["document_id"]) == ("awaiting_postage", ref, draft_id)

    listed = _ezd(stack, "outgoing", "--unit", UNIT)
    assert listed.returncode == 0, listed.stderr
    assert [line["outgoing_number"] for line in _json_lines(listed)] == [item["outgoing_number"]]
    as_csv = _ezd(stack, "outgoing", "--unit", UNIT, "--format", "csv")
    assert as_csv.returncode == 0 and item["outgoing_number"] in as_csv.stdout


def test_send_by_edoreczenia_waits_for_the_evidence_of_receipt(stack, api, tmp_path):
    ade = "AE:PL-25025-25025-SKRYP-25"
    stack.edoreczenia.register_address(ade, "Fundacja Skryptowa", public=False, external=True, policy="collect")
    ref = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "051", "title": "Zapytanie fundacji", "cell": "KAD", "officer": OFFICER}).body["ref"]
    assert api.call("POST", f"/units/{UNIT}/contractors", user=OFFICER, json_body={
        "kind": "institution", "institution": "Fundacja Skryptowa", "ade": ade}).status == 201
    letter = tmp_path / "odpowiedz-fundacja.pdf"
    letter.write_bytes(sample_pdf(2500, seed=252))
    drafted = _ezd(stack, "draft", "--unit", UNIT, "--case", ref, "--as", OFFICER, "--title", "Odpowiedź",
                   "--file", str(letter), "--to", ade)
    assert drafted.returncode == 0, drafted.stderr
    draft_id = _json_lines(drafted)[0]["draft_id"]
    assert _ezd(stack, "approve", draft_id, "--unit", UNIT, "--as", DIRECTOR).returncode == 0

    sent = _ezd(stack, "send", draft_id, "--unit", UNIT, "--as", OFFICER)  # auto: e-Doręczenia first
    assert sent.returncode == 0, sent.stderr
    (item,) = _json_lines(sent)
    assert (item["channel"], item["status"]) == ("edoreczenia", "delivered"), item
    assert item["message_id"]
    types = [e["type"] for e in item["evidences"]]
    assert {"BP.WX", "BP.OX"} <= set(types), types
    assert all(len(e["sha256"]) == 64 and e["received_at"] for e in item["evidences"])

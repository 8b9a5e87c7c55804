"""`ezd cases`, `ezd overdue`, `ezd deadline` and `ezd audit verify` against a running stack."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from ezd.adapters.aws import client
from ezd import clock

# Dates matter here: CI runs this module again under several fixed clocks (Makefile).
pytestmark = pytest.mark.dates


def _ezd(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EZD_STACK_FILE": str(Path(stack.info.state_dir) / "stack.json")}
    return subprocess.run([sys.executable, "-m", "ezd.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_spis_overdue_and_a_tampered_metryka(stack, api, deliverer, unique_letter):
    year = clock.today().year
    doc = deliverer.deliver("SP18", unique_letter(title="Wniosek o udostępnienie informacji publicznej")).document_id
    opened = api.call("POST", "/units/SP18/cases", user="sp18.dyrektor",
                      json_body={"jrwa_symbol": "051", "title": "Informacja publiczna – budżet",
                                 "deadline_preset": "certificate_7d", "document_id": doc})
    assert opened.status == 201, opened.body
    ref = opened.body["ref"]
    assert ref == f"DYR.051.1.{year}"

    spis = _ezd(stack, "cases", "--unit", "SP18", "--cell", "DYR", "--jrwa", "051", "--year", str(year), "--format", "csv")
    assert spis.returncode == 0, spis.stderr
    (line,) = list(csv.DictReader(io.StringIO(spis.stdout)))
    assert line["znak_sprawy"] == ref and line["sprawa"] == "Informacja publiczna – budżet"

    late = (date.fromisoformat(opened.body["deadline"]) + timedelta(days=2)).isoformat()
    overdue = _ezd(stack, "overdue", "--unit", "SP18", "--today", late, "--json")
    assert [c["ref"] for c in json.loads(overdue.stdout)["overdue"]] == [ref]

    assert _ezd(stack, "deadline", "--from", "2026-12-23", "--term", "1d").stdout.strip() == "2026-12-28"

    ok = _ezd(stack, "audit", "verify", ref, "--unit", "SP18")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    chains = [json.loads(line) for line in ok.stdout.splitlines()]
    assert {c["object_id"] for c in chains} == {f"CASE#SP18#{ref}", f"DOC#{doc}"} and all(c["ok"] for c in chains)

    # A rogue administrator rewrites who opened the case, straight in the table.
    table = stack.provisioned.name("RecordsTable")
    ddb = client("dynamodb")
    key = {"PK": {"S": f"AUDIT#CASE#SP18#{ref}"}, "SK": {"S": f"{1:09d}"}}
    item = ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    data = json.loads(item["data"]["S"])
    data["actor"]["full_name"] = "Ktoś Inny"
    ddb.put_item(TableName=table, Item={**item, "data": {"S": json.dumps(data)}})

    broken = _ezd(stack, "audit", "verify", ref, "--unit", "SP18")
    assert broken.returncode == 1
    assert f"CASE#SP18#{ref} broken at entry 1" in broken.stderr
    api_view = api.call("GET", f"/units/SP18/cases/{ref}/metryka/verify", user="sp18.dyrektor").body
    assert api_view["ok"] is False

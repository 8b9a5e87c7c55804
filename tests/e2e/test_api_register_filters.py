"""The register shows where each letter stands (its status and JRWA class) and filters on
both, through GET /units/{unit}/registry. P16 is this file's unit and no other test's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ezd.adapters import routing_store
from testkit import wait_for

pytestmark = pytest.mark.stack

UNIT, CLERK, DIRECTOR = "P16", "p16.sekretariat", "p16.dyrektor"
COMPLAINT = "Skarga na hałas podczas przerw"  # the city's rules class it 050


def _lines(api, **query: str) -> dict[str, dict]:
    params = "&".join(["limit=500", *(f"{k}={v}" for k, v in query.items())])
    answer = api.call("GET", f"/units/{UNIT}/registry?{params}", user=CLERK)
    assert answer.status == 200, answer.body
    return {line["document_id"]: line for line in answer.body["items"]}


def _settled(document_id: str) -> bool:
    state = routing_store.get_routing(document_id)
    return bool(state and state.pending_token)


def test_each_line_shows_where_its_letter_stands_and_the_register_filters_on_it(api, deliverer, unique_letter):
    complaint = deliverer.deliver(UNIT, unique_letter(title=COMPLAINT)).document_id
    unknown = deliverer.deliver(UNIT, unique_letter()).document_id
    for doc in (complaint, unknown):
        wait_for(lambda d=doc: _settled(d), what="the routing to wait for a person")

    lines = _lines(api)
    assert (lines[unknown]["status"], lines[unknown]["jrwa_symbol"]) == ("unclassified", None)
    routed = routing_store.get_routing(complaint)
    assert lines[complaint]["jrwa_symbol"] == "050"
    assert lines[complaint]["status"] == routed.status != "unclassified"

    unclassified = _lines(api, status="unclassified")
    assert unknown in unclassified and complaint not in unclassified
    assert all(line["status"] == "unclassified" for line in unclassified.values())
    assert complaint in _lines(api, status=routed.status) and unknown not in _lines(api, status=routed.status)
    for prefix in ("0", "05", "050"):
        found = _lines(api, jrwa=prefix)
        assert complaint in found and unknown not in found, prefix
    assert complaint not in _lines(api, jrwa="051")
    assert complaint in _lines(api, jrwa="05", status=routed.status, title="halas")

    # The registry desk classifies the other one: its line follows.
    classified = api.call("POST", f"/units/{UNIT}/documents/{unknown}/classification", user=CLERK,
                          json_body={"jrwa_symbol": "051"})
    assert classified.status == 200, classified.body
    wait_for(lambda: _lines(api).get(unknown, {}).get("status") not in (None, "unclassified"),
             what="the classified line")
    assert _lines(api)[unknown]["jrwa_symbol"] == "051"
    assert unknown in _lines(api, jrwa="051") and unknown not in _lines(api, status="unclassified")

    # A case takes the complaint in: the line says so, and is no longer among the routed.
    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "050", "title": COMPLAINT, "document_id": complaint})
    assert opened.status == 201, opened.body
    line = _lines(api)[complaint]
    assert (line["status"], line["case_ref"]) == ("in_case", opened.body["ref"])
    assert complaint in _lines(api, status="in_case")
    assert complaint not in _lines(api, status="accepted") and complaint not in _lines(api, status=routed.status)


@pytest.mark.parametrize("query", ["status=lost", "status=", "jrwa=abc", "jrwa=01234", "jrwa=0%2A"])
def test_a_filter_the_register_cannot_apply_is_refused_plainly(api, query):
    answer = api.call("GET", f"/units/{UNIT}/registry?{query}", user=CLERK)
    if query == "status=":  # an empty field is no filter, as in every other one
        assert answer.status == 200, answer.body
        return
    assert answer.status == 400 and answer.body["error_code"] == "VALIDATION_FAILED", answer.body
    assert ("status" in answer.body["message"]) or ("jrwa" in answer.body["message"])


def _ezd(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EZD_STACK_FILE": str(Path(stack.info.state_dir) / "stack.json")}
    return subprocess.run([sys.executable, "-m", "ezd.cli", *args], env=env, capture_output=True, text=True,
                          timeout=180, check=False)


def test_lines_from_before_the_filters_are_reindexed_from_their_routing(api, stack, deliverer, unique_letter):
    from ezd.adapters.records_table import RecordItem

    doc = deliverer.deliver(UNIT, unique_letter(title=f"{COMPLAINT} w sali nr 3")).document_id
    wait_for(lambda: _settled(doc), what="the routing to wait for a person")
    line = _lines(api)[doc]
    # As a line registered before the register kept a status and class: neither is on it.
    number, year = (int(part) for part in line["registry_number"].split("/")[1:])
    RecordItem(f"RPW#{UNIT}#{year}", f"{number:09d}").update(
        actions=[RecordItem.line_status.remove(), RecordItem.jrwa_symbol.remove()])
    assert doc not in _lines(api, jrwa="050") and _lines(api)[doc]["status"] is None

    checked = _ezd(stack, "register-lines", "reindex", "--unit", UNIT, "--year", str(year))
    assert checked.returncode == 1, checked.stderr  # a difference, not yet written
    report = json.loads(checked.stdout)
    (difference,) = [d for d in report["differences"] if d["document_id"] == doc]
    assert (difference["stored_status"], difference["stored_jrwa"], difference["jrwa_symbol"]) == (None, None, "050")
    assert doc not in _lines(api, jrwa="050")

    assert _ezd(stack, "register-lines", "reindex", "--unit", UNIT, "--year", str(year), "--apply").returncode == 0
    assert doc in _lines(api, jrwa="050", status=routing_store.get_routing(doc).status)
    again = _ezd(stack, "register-lines", "reindex", "--unit", UNIT, "--year", str(year))
    assert again.returncode == 0 and json.loads(again.stdout)["differences"] == [], again.stdout

"""`ezd intake` and `ezd registry` as a user runs them against a running stack."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ezd.samples.letters import hostile_samples, make_letter
from ezd import clock

# Dates matter here: CI runs this module again under several fixed clocks (Makefile).
pytestmark = pytest.mark.dates


def _ezd(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EZD_STACK_FILE": str(Path(stack.info.state_dir) / "stack.json")}
    return subprocess.run(
        [sys.executable, "-m", "ezd.cli", *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def _lines(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@pytest.fixture
def letters(tmp_path: Path, stack):
    def write(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def test_intake_prints_one_json_line_per_file_and_accumulates(stack, letters):
    signed = _ezd(stack, "demo-letter", "--out", letters("a.xml", b""), "--title", "Aneks nr 3 do arkusza organizacji",
                  "--state-dir", stack.info.state_dir)
    assert signed.returncode == 0, signed.stderr
    a = signed.stdout.strip()
    b = letters("b.xml", make_letter(title="Skarga na hałas", sender_surname="Nowak"))
    bad = letters("c.xml", hostile_samples()["exe_renamed_pdf"][0])

    first = _ezd(stack, "intake", a, b, a, bad, "--unit", "SP20")
    assert first.returncode == 0, first.stderr
    rows = _lines(first)
    assert [r["file"] for r in rows] == [a, b, a, bad]
    for row in rows:
        assert {"file", "status", "registry_number", "document_id", "error_code", "signature", "certificate"} <= set(row)
    assert [r["status"] for r in rows[:3]] == ["registered", "registered", "duplicate"]
    assert rows[2]["registry_number"] == rows[0]["registry_number"]
    assert sorted(r["registry_number"] for r in rows[:2]) == [f"RPW/1/{clock.today().year}", f"RPW/2/{clock.today().year}"]
    assert (rows[0]["signature"], rows[0]["certificate"]) == ("valid", "trusted")
    assert (rows[1]["signature"], rows[1]["certificate"]) == ("absent", "none")
    assert (rows[3]["status"], rows[3]["error_code"]) == ("rejected", "FORBIDDEN_FILE_TYPE")
    assert rows[3]["registry_number"] is None

    second = _ezd(stack, "intake", letters("d.xml", make_letter(title="Wniosek o zaświadczenie")), "--unit", "SP20")
    (row,) = _lines(second)
    assert row["registry_number"] == f"RPW/3/{clock.today().year}"

    report = _ezd(stack, "registry", "--unit", "SP20", "--date", clock.today().isoformat(), "--format", "csv")
    assert report.returncode == 0, report.stderr
    table = list(csv.DictReader(io.StringIO(report.stdout)))
    assert [r["registry_number"] for r in table] == [f"RPW/{n}/{clock.today().year}" for n in (1, 2, 3)]
    assert {r["title"] for r in table} >= {"Skarga na hałas", "Wniosek o zaświadczenie"}
    text = _ezd(stack, "registry", "--unit", "SP20", "--date", clock.today().isoformat())
    assert "Raport podawczy SP20" in text.stdout and "Skarga na hałas" in text.stdout


def test_intake_for_an_unknown_unit_is_an_error(stack, letters):
    result = _ezd(stack, "intake", letters("x.xml", make_letter(title="x")), "--unit", "NOPE")
    assert result.returncode != 0 and "unknown unit" in result.stderr

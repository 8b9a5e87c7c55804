"""The statistics of the city and of a unit: counted when things happen, read by the
education department (any unit, the whole city) and by a unit's director (their own).

P11 is this file's unit and no other test's, so its figures move only by what is done
here; the city's figures are compared with P11's, never with fixed numbers.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from ezd import clock
from testkit import wait_for

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT = "P11"
DIRECTOR, OFFICER, CLERK = "p11.dyrektor", "p11.kadry", "p11.sekretariat"
DEPARTMENT = "woiw.arkusze"  # a case officer of the education department


def _stats(api, user: str, year: int, unit: str | None = UNIT, **extra: str):
    """The unit's own statistics (its route), as ``user``."""
    params = "&".join([f"year={year}", *(f"{k}={v}" for k, v in extra.items())])
    return api.call("GET", f"/units/{unit}/statistics?{params}", user=user)


def _city(api, user: str, year: int, unit: str | None = None, **extra: str):
    """The city's statistics (or one unit's through the city's route), as ``user``."""
    params = "&".join([f"year={year}", *([f"unit={unit}"] if unit else []), *(f"{k}={v}" for k, v in extra.items())])
    return api.call("GET", f"/statistics?{params}", user=user)


def _waiting(document_id: str, what: str) -> bool:
    from ezd.adapters import routing_store

    state = routing_store.get_routing(document_id)
    return bool(state and state.pending_token and state.waiting_for == what)


def _deadline_run(stack, unit: str, today: date) -> dict:
    from ezd.adapters.aws import client

    answer = client("lambda").invoke(FunctionName=stack.provisioned.functions["DeadlineWatchFunction"],
                                     Payload=json.dumps({"unit": unit, "today": today.isoformat()}).encode())
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())


def _paper(api, title: str, scan: bytes):
    from testkit import PaperDesk

    body = {"filename": "skan.pdf", "scan": scan, "channel": "post", "received_at": clock.now_utc().isoformat(),
            "metadata": {"title": title, "sender": {"kind": "institution", "institution": "Rada Rodziców",
                                                     "town": "Lublin", "country": "PL"}}}
    return PaperDesk(api).submit(UNIT, body, wait=20)


def _delta(after: dict, before: dict) -> dict:
    def flat(f: dict) -> dict:
        out = {k: v for k, v in f.items() if isinstance(v, int)}
        out.update({f"doc.{k}": v for k, v in f["documents"].items()})
        out.update({f"sig.{k}": v for k, v in f["signatures"].items()})
        return out

    a, b = flat(after), flat(before)
    return {k: a[k] - b.get(k, 0) for k in a if a[k] != b.get(k, 0)}


def test_what_a_unit_does_is_counted_once_in_its_month(api, stack, deliverer, unique_letter):
    from ezd.samples.letters import sample_pdf

    year = clock.today().year
    before = _stats(api, DIRECTOR, year)
    assert before.status == 200, before.body

    # An ePUAP letter, decreed by the city's model to the director's komórka; the director
    # decrees it on to the officer, who gives it back.
    letter = deliverer.deliver(UNIT, unique_letter(title="Skarga na organizację zajęć w grupie"))
    wait_for(lambda: _waiting(letter.document_id, "decision"), "the model's decretation")
    decreed = api.call("POST", f"/units/{UNIT}/documents/{letter.document_id}/decretations", user=DIRECTOR,
                       json_body={"login": OFFICER, "kind": "do_zalatwienia", "note": "Proszę o odpowiedź"})
    assert decreed.status == 200, decreed.body
    returned = api.call("POST", f"/units/{UNIT}/documents/{letter.document_id}/return", user=OFFICER,
                        json_body={"reason": "Nie dotyczy kadr"})
    assert returned.status == 200, returned.body

    # A paper letter, and the same scan again: registered once, counted once.
    scan = sample_pdf(900, seed=clock.now_utc().microsecond + 11)
    assert _paper(api, "Pismo rady rodziców", scan).status == 201
    assert _paper(api, "Pismo rady rodziców (drugi raz)", scan).status != 201

    # Two cases: one closed, one left open past its deadline.
    closed = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR,
                      json_body={"jrwa_symbol": "051", "title": "Informacja publiczna", "deadline_preset": "one_month"})
    assert closed.status == 201, closed.body
    assert api.call("POST", f"/units/{UNIT}/cases/{closed.body['ref']}/close", user=DIRECTOR,
                    json_body={"settlement": "Udzielono informacji"}).status == 200
    # Reopened and closed again: one closed case (as the spis shows it), one reopening.
    assert api.call("POST", f"/units/{UNIT}/cases/{closed.body['ref']}/reopen", user=DIRECTOR,
                    json_body={"reason": "Wpłynęło uzupełnienie"}).status == 200
    assert _stats(api, DIRECTOR, year).body["totals"]["cases_closed"] == before.body["totals"]["cases_closed"]
    assert api.call("POST", f"/units/{UNIT}/cases/{closed.body['ref']}/close", user=DIRECTOR,
                    json_body={"settlement": "Udzielono informacji uzupełniającej"}).status == 200
    late = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR,
                    json_body={"jrwa_symbol": "051", "title": "Informacja publiczna – budżet",
                               "deadline_preset": "certificate_7d"})
    assert late.status == 201, late.body

    after = _stats(api, DIRECTOR, year)
    assert after.status == 200, after.body
    assert _delta(after.body["totals"], before.body["totals"]) == {
        "documents_total": 2, "doc.epuap": 1, "doc.post": 1, "sig.absent": 2,
        "decretations": 2, "decretations_returned": 1, "cases_opened": 2, "cases_closed": 1, "cases_reopened": 1}
    # The months add up to the year, and each thing is in the month it happened.
    months = after.body["months"]
    assert [m["month"] for m in months] == [f"{year}-{n:02d}" for n in range(1, 13)]
    assert sum(m["documents_total"] for m in months) == after.body["totals"]["documents_total"]
    this_month = next(m for m in months if m["month"] == f"{year}-{clock.today().month:02d}")
    before_month = next(m for m in before.body["months"] if m["month"] == this_month["month"])
    assert this_month["cases_opened"] - before_month["cases_opened"] == 2
    assert after.body["totals"]["cases_overdue"] is None or before.body["totals"]["cases_overdue"] is not None

    # Overdue is a state: the daily deadline run finds it and the statistics say when.
    run_day = date.fromisoformat(late.body["deadline"]) + timedelta(days=2)
    _deadline_run(stack, UNIT, run_day)
    found = _stats(api, DIRECTOR, run_day.year).body
    month = next(m for m in found["months"] if m["month"] == f"{run_day.year}-{run_day.month:02d}")
    assert month["cases_overdue"] == 1 and month["overdue_as_of"] == run_day.isoformat()
    assert found["units"][0]["cases_overdue"] == 1 and found["totals"]["overdue_as_of"] == run_day.isoformat()


def test_who_sees_which_statistics(api):
    year = clock.today().year
    assert api.call("GET", "/me", user=DEPARTMENT).body["sees_city"] is True
    assert api.call("GET", "/me", user=DIRECTOR).body["sees_city"] is False
    # The director: their own unit only; the officer and the clerk: not even that.
    assert _stats(api, DIRECTOR, year).status == 200
    assert _stats(api, DIRECTOR, year, unit="P12").status == 403
    assert _city(api, DIRECTOR, year).status == 403
    assert _city(api, DIRECTOR, year, unit=UNIT).status == 403
    for user in (OFFICER, CLERK):
        refused = _stats(api, user, year)
        assert refused.status == 403 and refused.body["error_code"] == "FORBIDDEN"
    # The department: the whole city and any unit, with the same figures for the unit.
    city = _city(api, DEPARTMENT, year)
    assert city.status == 200 and city.body["scope"] == "city"
    by_unit = {u["unit"]: u for u in city.body["units"]}
    assert len(by_unit) == 165 and "WOIW" in by_unit and "P71" in by_unit
    unit = _city(api, DEPARTMENT, year, unit=UNIT).body
    assert unit["totals"] == _stats(api, DIRECTOR, year).body["totals"]
    assert {k: v for k, v in by_unit[UNIT].items() if k not in ("unit", "name", "kind")} == unit["totals"]
    assert city.body["totals"]["documents_total"] == sum(u["documents_total"] for u in by_unit.values())
    # Bad questions get clear answers.
    assert _city(api, DEPARTMENT, year, unit="NIEMA").body["error_code"] == "NOT_FOUND"
    assert _stats(api, DEPARTMENT, year).status == 403  # the unit's own route is the unit's
    for bad in ("abc", "1999", "2101"):
        answer = api.call("GET", f"/statistics?year={bad}", user=DEPARTMENT)
        assert answer.status == 400 and answer.body["error_code"] == "VALIDATION_FAILED", bad
    assert _city(api, DEPARTMENT, year, format="xlsx").status == 400


def test_statistics_as_csv_add_up_and_name_no_one(api, deliverer, unique_letter):
    year = clock.today().year
    title = "Skarga rodzica na wychowawczynię grupy"
    deliverer.deliver(UNIT, unique_letter(title=title))
    answer = _city(api, DEPARTMENT, year, unit=UNIT, format="csv")
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/csv")
    text = answer.raw.decode("utf-8")
    assert title not in text and "Skarga" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["jednostka"] for r in rows} == {UNIT}
    totals = _stats(api, DIRECTOR, year).body["totals"]
    own = _stats(api, DIRECTOR, year, format="csv")
    assert own.status == 200 and own.raw == answer.raw
    assert sum(int(r["pisma razem"]) for r in rows) == totals["documents_total"]
    assert sum(int(r["pisma: ePUAP"]) for r in rows) == totals["documents"]["epuap"]
    assert sum(int(r["sprawy założone"]) for r in rows) == totals["cases_opened"]
    city = _city(api, DEPARTMENT, year, format="csv")
    assert city.status == 200 and "attachment" in city.headers.get("Content-Disposition", "")


def _ezd(stack, *args: str):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "EZD_STACK_FILE": str(Path(stack.info.state_dir) / "stack.json")}
    return subprocess.run([sys.executable, "-m", "ezd.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_running_counts_add_up_to_a_recount_and_a_wrong_counter_is_put_right(api, stack):
    """Run after the others of this file: everything P11 did is counted exactly as its
    records count it; a counter changed behind the system's back is found and set right."""
    from ezd.adapters.aws import client

    checked = _ezd(stack, "statistics", "recount", "--unit", UNIT)
    report = json.loads(checked.stdout)
    assert checked.returncode == 0 and report["records"] > 0 and report["differences"] == [], checked.stdout

    month = f"{clock.today().year}-{clock.today().month:02d}"
    table = stack.provisioned.name("RecordsTable")
    key = {"PK": {"S": f"STATS#{month}"}, "SK": {"S": f"{UNIT}#doc.post"}}
    right = int(client("dynamodb").get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["value"]["N"])
    client("dynamodb").update_item(TableName=table, Key=key, UpdateExpression="SET #v = :v",
                                   ExpressionAttributeNames={"#v": "value"}, ExpressionAttributeValues={":v": {"N": "999"}})
    found = _ezd(stack, "statistics", "recount", "--unit", UNIT)
    assert found.returncode == 1
    assert json.loads(found.stdout)["differences"] == [
        {"unit": UNIT, "month": month, "metric": "doc.post", "stored": 999, "counted": right}]
    assert _ezd(stack, "statistics", "recount", "--unit", UNIT, "--apply").returncode == 0
    assert _ezd(stack, "statistics", "recount", "--unit", UNIT).returncode == 0
    assert _stats(api, DIRECTOR, clock.today().year).body["months"][clock.today().month - 1]["documents"]["post"] == right

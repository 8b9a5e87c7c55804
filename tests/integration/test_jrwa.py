"""Each unit's versioned JRWA: the city plan by default, the unit's own versions after a
change, immutable old versions, validation, concurrent publication, CSV, API and CLI.

Units: SP30 never changes its plan (it must keep seeing the city plan); SP31 service
changes and rejections; SP32 concurrent publication; SP33 CSV roundtrip; SP34 API and CLI.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from ezd.errors import NotFound
from ezd.models.jrwa import InvalidPlan, JrwaChange, NotALeafClass, PlanUnchanged, PlanVersionConflict
from ezd.services import jrwa


def _seed_csv() -> str:
    from importlib import resources

    return resources.files("ezd.resources.demo").joinpath("jrwa-szkola.csv").read_text(encoding="utf-8")


def test_a_unit_without_changes_sees_the_city_plan_v1(stack):
    plan = jrwa.current_plan("SP30")
    assert (plan.owner, plan.version) == ("CITY", 1)
    assert [c.symbol for c in plan.classes] == sorted(c.symbol for c in plan.classes)
    assert len(plan.classes) == len(_seed_csv().strip().splitlines()) - 1

    leaf = jrwa.resolve("SP30", "410")
    assert (leaf.owner, leaf.version, leaf.symbol, leaf.category, leaf.is_leaf) == ("CITY", 1, "410", "A", True)
    group = jrwa.resolve("SP30", "41")
    assert (group.category, group.is_leaf) == (None, False)
    assert jrwa.require_leaf("SP30", "410").symbol == "410"
    with pytest.raises(NotALeafClass) as raised:
        jrwa.require_leaf("SP30", "41")
    assert raised.value.code == "JRWA_NOT_LEAF"
    with pytest.raises(NotFound):
        jrwa.resolve("SP30", "4999")
    # Every leaf of the seeded plan carries a category, no group does.
    assert all(c.category for c in plan.leaves())
    assert not any(c.category for c in plan.classes if not c.is_leaf)
    versions = jrwa.versions("SP30")
    assert [(v.owner, v.version, v.source, v.current) for v in versions] == [("CITY", 1, "inherited", True)]


def test_a_change_publishes_a_new_version_owned_by_the_unit_and_keeps_the_old(stack):
    before = jrwa.current_ref("SP31")
    plan = jrwa.change_plan("SP31", [
        JrwaChange(op="update", symbol="050", category="A"),
        JrwaChange(op="add", symbol="072", heading="Współpraca z fundacjami", category="B5"),
    ], "sp31.dyrektor", "uchwała rady 3/2026")
    n = before.version + 1  # 2 when SP31 still followed the city plan v1
    assert (plan.owner, plan.version, plan.published_by, plan.note) == ("SP31", n, "sp31.dyrektor", "uchwała rady 3/2026")
    assert plan.based_on == before
    current = jrwa.current_plan("SP31")
    assert (current.owner, current.version) == ("SP31", n)
    assert current.get("050").category == "A" and current.get("072").is_leaf

    # The old version is unchanged and still readable, for this unit and everyone else.
    old = jrwa.plan_version("CITY", 1)
    assert old.get("050").category == "B10" and old.get("072") is None
    assert jrwa.unit_plan_version("SP31", 1).owner == "CITY"
    assert jrwa.unit_plan_version("SP31", n).get("072").heading == "Współpraca z fundacjami"
    # Another unit is not affected.
    assert jrwa.resolve("SP30", "050").category == "B10"
    with pytest.raises(NotFound):
        jrwa.resolve("SP30", "072")

    # A further change builds on the unit's version n, and n stays as published.
    third = jrwa.change_plan("SP31", [JrwaChange(op="remove", symbol="072")], "sp31.admin", "pomyłka")
    assert (third.owner, third.version, third.based_on.version) == ("SP31", n + 1, n)
    assert jrwa.plan_version("SP31", n).get("072") is not None
    assert jrwa.current_plan("SP31").get("072") is None
    history = jrwa.versions("SP31")
    assert (history[0].owner, history[0].version, history[0].source) == ("CITY", 1, "inherited")
    assert [(v.owner, v.version, v.current) for v in history[-2:]] == [("SP31", n, False), ("SP31", n + 1, True)]
    assert history[-2].published_by == "sp31.dyrektor" and history[-1].note == "pomyłka"

    diff = jrwa.diff(jrwa.plan_version(before.owner, before.version), jrwa.plan_version("SP31", n))
    assert diff["added"] == ["072"] and diff["removed"] == []
    assert diff["changed"] == [{"symbol": "050", "category": {"from": "B10", "to": "A"}}]


@pytest.mark.parametrize("changes, expected", [
    ([{"op": "update", "symbol": "410", "category": "C5"}], "category 'C5' is not one of"),
    ([{"op": "add", "symbol": "41a", "heading": "X", "category": "A"}], "must be 1 to 4 digits"),
    ([{"op": "add", "symbol": "41000", "heading": "X", "category": "A"}], "must be 1 to 4 digits"),
    ([{"op": "add", "symbol": "789", "heading": "Sierota", "category": "B5"}], "has no parent class 78"),
    ([{"op": "add", "symbol": "4109", "heading": "Podklasa", "category": "A"}],
     "class 410 has subclasses (4109) so it is a group and must not carry an archival category"),
    ([{"op": "add", "symbol": "096", "heading": "Bez kategorii"}], "leaf class 096 needs an archival category"),
    ([{"op": "update", "symbol": "41", "category": "A"}], "class 41 has subclasses"),
    ([{"op": "remove", "symbol": "41"}], "class 41 cannot be removed: it has subclasses"),
    ([{"op": "add", "symbol": "410", "heading": "Duplikat", "category": "A"}], "class 410 already exists"),
    ([{"op": "update", "symbol": "4999", "heading": "X"}], "there is no class 4999"),
    ([{"op": "add", "symbol": "097", "heading": "   ", "category": "A"}], "needs a heading"),
])
def test_invalid_changes_are_rejected_with_a_clear_error(stack, changes, expected):
    # On SP30, which must keep following the city plan: nothing here may publish.
    with pytest.raises(InvalidPlan) as raised:
        jrwa.change_plan("SP30", [JrwaChange.model_validate(c) for c in changes], "sp30.dyrektor", "zła zmiana")
    assert raised.value.code == "JRWA_INVALID"
    assert expected in raised.value.message, raised.value.message
    assert jrwa.current_ref("SP30").model_dump() == {"owner": "CITY", "version": 1}


def test_subdividing_a_leaf_in_one_change_and_unchanged_plans(stack):
    with pytest.raises(PlanUnchanged):
        jrwa.change_plan("SP31", [JrwaChange(op="update", symbol="410", category="A")], "sp31.dyrektor", "nic")
    plan = jrwa.change_plan("SP31", [
        JrwaChange(op="update", symbol="410", category=None),
        JrwaChange(op="add", symbol="4100", heading="Statystyka przyjęć", category="B5"),
        JrwaChange(op="add", symbol="4101", heading="Wnioski o przyjęcie", category="B10"),
    ], "sp31.dyrektor", "podział 410")
    assert not plan.get("410").is_leaf and plan.get("4100").is_leaf
    with pytest.raises(NotALeafClass):
        jrwa.require_leaf("SP31", "410")
    assert jrwa.require_leaf("SP31", "4101").category == "B10"
    # Version 1 (the city's) still has 410 as a leaf: what was classified there keeps its meaning.
    assert jrwa.plan_version("CITY", 1).get("410").is_leaf


def test_concurrent_publications_are_sequential_and_lose_nothing(stack):
    symbols = ["0930", "0931", "0932", "0933"]
    jrwa.change_plan("SP32", [JrwaChange(op="add", symbol="093", heading="Audyt", category=None),
                              JrwaChange(op="add", symbol="0939", heading="Inne", category="B5")],
                     "sp32.dyrektor", "grupa 093")
    start = jrwa.current_ref("SP32").version
    barrier = threading.Barrier(len(symbols))
    results: list = []
    errors: list = []

    def publish(symbol: str) -> None:
        barrier.wait()
        try:
            results.append(jrwa.change_plan("SP32", [JrwaChange(op="add", symbol=symbol, heading=f"Audyt {symbol}",
                                                                 category="B5")], "sp32.admin", symbol))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(s,)) for s in symbols]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(p.version for p in results) == list(range(start + 1, start + 1 + len(symbols)))
    current = jrwa.current_plan("SP32")
    assert current.version == start + len(symbols)
    assert all(current.get(s) is not None for s in symbols)  # no lost update
    for plan in results:  # each version builds on the one before it
        assert plan.based_on.version == plan.version - 1
        assert jrwa.plan_version("SP32", plan.version).get(plan.note) is not None
    history = [v.version for v in jrwa.versions("SP32") if v.owner == "SP32"]
    assert history == list(range(2, start + len(symbols) + 1))

    # With an expected version, a stale writer gets a conflict instead of a retry.
    with pytest.raises(PlanVersionConflict):
        jrwa.change_plan("SP32", [JrwaChange(op="remove", symbol="0930")], "sp32.admin", "stale",
                         expected_version=start)
    assert jrwa.current_ref("SP32").version == start + len(symbols)


def test_csv_export_import_roundtrip(stack):
    city = jrwa.current_plan("SP33")
    text = jrwa.export_csv(city)
    assert text == _seed_csv().replace('"Opłaty za przedszkole i stołówkę"', "Opłaty za przedszkole i stołówkę")
    with pytest.raises(PlanUnchanged):
        jrwa.import_csv("SP33", text, "sp33.dyrektor", "bez zmian")

    edited = text.replace('412,"Plan lekcji, tygodniowy rozkład zajęć",B5,\n',
                          '412,"Plan lekcji, tygodniowy rozkład zajęć",,\n4120,Plan lekcji,B5,\n'
                          '4121,Zastępstwa,BE10,"z uwagą, z przecinkiem"\n')
    assert edited != text
    plan = jrwa.import_csv("SP33", edited.encode("utf-8"), "sp33.dyrektor", "nowy JRWA")
    assert (plan.owner, plan.version) == ("SP33", 2)
    assert plan.get("4121").notes == "z uwagą, z przecinkiem" and not plan.get("412").is_leaf
    assert jrwa.export_csv(jrwa.current_plan("SP33")) == edited
    assert jrwa.export_csv(jrwa.plan_version("CITY", 1)) == text


def test_csv_import_is_strict_with_line_numbers(stack):
    bad = ("symbol,heading,category,notes\n"
           "0,Zarządzanie,,\n"
           "00,Gremia,,\n"
           "000,Rada,X1,\n"        # line 4: bad category
           "0y,Zła,A,\n"           # line 5: bad symbol
           "001,Rada szkoły,A,\n"
           "001,Znowu,A,\n"        # line 7: duplicate
           "55,Sierota,B5,\n"      # line 8: no parent 5
           "1,Kadry,,\n")          # line 9: a leaf without category
    with pytest.raises(InvalidPlan) as raised:
        jrwa.import_csv("SP33", bad, "sp33.dyrektor", "zły plik")
    problems = raised.value.problems
    assert any(p.startswith("line 4: category 'X1'") for p in problems), problems
    assert any(p.startswith("line 5: symbol '0y'") for p in problems), problems
    assert any(p.startswith("line 7: class 001 appears more than once (first at line 6)") for p in problems), problems
    assert any(p.startswith("line 8: class 55 has no parent class 5") for p in problems), problems
    assert any(p.startswith("line 9: leaf class 1 needs an archival category") for p in problems), problems
    with pytest.raises(InvalidPlan, match="the header must be symbol,heading,category,notes"):
        jrwa.import_csv("SP33", "symbol;heading;category\n0;X;\n", "sp33.dyrektor", "")
    with pytest.raises(InvalidPlan, match="not UTF-8"):
        jrwa.import_csv("SP33", "symbol,heading,category,notes\n0,Zarz\xb9dzanie,A,\n".encode("latin-1"),
                        "sp33.dyrektor", "")
    with pytest.raises(NotFound):
        jrwa.import_csv("XX99", _seed_csv(), "cli:test", "")


# --- API ---------------------------------------------------------------------------------


def test_api_reading_the_plan_is_for_the_units_users(api):
    clerk = api.call("GET", "/units/SP30/jrwa", user="sp30.sekretariat")
    assert clerk.status == 200, clerk.body
    assert (clerk.body["owner"], clerk.body["version"]) == ("CITY", 1)
    by_symbol = {c["symbol"]: c for c in clerk.body["classes"]}
    assert by_symbol["410"]["is_leaf"] and by_symbol["410"]["category"] == "A"
    assert not by_symbol["41"]["is_leaf"]

    one = api.call("GET", "/units/SP30/jrwa/410", user="sp30.archiwum")
    assert one.status == 200 and one.body == {
        "owner": "CITY", "version": 1, "symbol": "410", "heading": "Arkusz organizacji i aneksy", "category": "A",
        "is_leaf": True,
        "notes": "sent by the unit; opined by the accounting centre; approved by the education department"}
    assert api.call("GET", "/units/SP30/jrwa/4999", user="sp30.sekretariat").status == 404

    exported = api.call("GET", "/units/SP30/jrwa?format=csv", user="sp30.sekretariat")
    assert exported.status == 200 and exported.headers["Content-Type"].startswith("text/csv")
    assert exported.raw.decode("utf-8").startswith("symbol,heading,category,notes\n0,Zarządzanie,,\n")

    versions = api.call("GET", "/units/SP30/jrwa/versions", user="sp30.sekretariat")
    assert versions.status == 200 and [(v["owner"], v["version"]) for v in versions.body["items"]] == [("CITY", 1)]

    other = api.call("GET", "/units/SP30/jrwa", user="sp31.dyrektor")
    assert other.status == 403 and other.body["error_code"] == "FORBIDDEN"
    assert api.call("GET", "/units/SP30/jrwa").status == 401


def test_api_only_the_units_admin_changes_the_plan(api):
    change = {"changes": [{"op": "add", "symbol": "072", "heading": "Współpraca z uczelniami", "category": "B5"}],
              "note": "porozumienie z UMCS"}
    n = api.call("GET", "/units/SP34/jrwa", user="sp34.sekretariat").body["version"]
    clerk = api.call("POST", "/units/SP34/jrwa/changes", user="sp34.sekretariat", json_body=change)
    assert clerk.status == 403 and clerk.body["error_code"] == "FORBIDDEN"
    foreign = api.call("POST", "/units/SP34/jrwa/changes", user="sp33.dyrektor", json_body=change)
    assert foreign.status == 403
    csv_put = api.call("PUT", "/units/SP34/jrwa", user="sp34.archiwum", raw=_seed_csv().encode(), content_type="text/csv")
    assert csv_put.status == 403

    done = api.call("POST", "/units/SP34/jrwa/changes", user="sp34.dyrektor", json_body={**change, "expected_version": n})
    assert done.status == 201, done.body
    assert (done.body["owner"], done.body["version"], done.body["published_by"]) == ("SP34", n + 1, "sp34.dyrektor")
    assert api.call("GET", "/units/SP34/jrwa/072", user="sp34.sekretariat").body["version"] == n + 1
    old = api.call("GET", "/units/SP34/jrwa/072?version=1", user="sp34.sekretariat")
    assert old.status == 404
    assert api.call("GET", "/units/SP34/jrwa?version=1&owner=CITY", user="sp34.sekretariat").body["owner"] == "CITY"
    assert api.call("GET", "/units/SP34/jrwa?version=1&owner=SP30", user="sp34.sekretariat").status == 404
    stale = api.call("POST", "/units/SP34/jrwa/changes", user="sp34.admin", json_body={**change, "expected_version": n})
    assert stale.status == 409 and stale.body["error_code"] == "JRWA_VERSION_CONFLICT"

    invalid = api.call("POST", "/units/SP34/jrwa/changes", user="sp34.dyrektor",
                       json_body={"changes": [{"op": "update", "symbol": "410", "category": "Z"}]})
    assert invalid.status == 400 and invalid.body["error_code"] == "JRWA_INVALID"
    assert "category 'Z'" in invalid.body["message"]
    malformed = api.call("POST", "/units/SP34/jrwa/changes", user="sp34.dyrektor",
                         json_body={"changes": [{"op": "rename", "symbol": "410"}]})
    assert malformed.status == 400

    exported = api.call("GET", "/units/SP34/jrwa?format=csv", user="sp34.dyrektor").raw.decode()
    edited = exported.replace("072,Współpraca z uczelniami,B5,", "072,Współpraca z uczelniami i fundacjami,B10,")
    imported = api.call("PUT", "/units/SP34/jrwa?note=import", user="sp34.admin", raw=edited.encode(),
                        content_type="text/csv")
    assert imported.status == 201, imported.body
    assert imported.body["version"] == n + 2 and imported.body["note"] == "import"
    assert api.call("GET", "/units/SP34/jrwa?format=csv", user="sp34.dyrektor").raw.decode() == edited
    broken = api.call("PUT", "/units/SP34/jrwa", user="sp34.admin", raw=b"symbol,heading,category,notes\n9x,X,A,\n",
                      content_type="text/csv")
    assert broken.status == 400 and "line 2" in broken.body["message"]

    history = api.call("GET", "/units/SP34/jrwa/versions", user="sp34.sekretariat").body["items"]
    assert (history[0]["owner"], history[0]["version"]) == ("CITY", 1)
    assert [(v["owner"], v["version"], v["current"]) for v in history[-2:]] == [("SP34", n + 1, False),
                                                                                ("SP34", n + 2, True)]
    # The other units still follow the city plan.
    assert api.call("GET", "/units/SP30/jrwa/072", user="sp30.sekretariat").status == 404


# --- CLI ---------------------------------------------------------------------------------


def _cli(stack, capsys, *argv: str) -> tuple[int, str, str]:
    from ezd.cli_commands import jrwa as jrwa_cli

    code = jrwa_cli.main(["--stack", str(Path(stack.info.state_dir) / "stack.json"), "jrwa", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lists_changes_imports_and_exports(stack, capsys, tmp_path):
    code, out, _ = _cli(stack, capsys, "list", "--unit", "SP34", "--version", "1", "--format", "json")
    assert code == 0 and json.loads(out)["owner"] == "CITY"
    code, out, _ = _cli(stack, capsys, "list", "--unit", "SP30")
    assert code == 0 and out.startswith("JRWA SP30: CITY v1") and "Rekrutacja" in out
    code, out, _ = _cli(stack, capsys, "show", "41", "--unit", "SP30")
    assert code == 0 and json.loads(out)["is_leaf"] is False

    before = jrwa.current_ref("SP34").version
    code, out, err = _cli(stack, capsys, "change", "--unit", "SP34", "--set", "093", "Audyt wewnętrzny", "-",
                          "--set", "0930", "Audyt – sprawozdania", "BE5", "--set", "0931", "Audyt – inne", "B5",
                          "--note", "z CLI")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["version"] == before + 1 and summary["published_by"].startswith("cli:")
    assert summary["diff"]["added"] == ["093", "0930", "0931"] and summary["diff"]["removed"] == []
    code, out, err = _cli(stack, capsys, "change", "--unit", "SP34", "--remove", "0931", "--note", "z CLI")
    assert code == 0 and json.loads(out)["diff"]["removed"] == ["0931"], err

    code, _, err = _cli(stack, capsys, "change", "--unit", "SP34", "--set", "0932", "Zła", "Q", "--note", "x")
    assert code == 1 and json.loads(err)["error_code"] == "JRWA_INVALID"

    out_file = tmp_path / "sp34.csv"
    code, out, _ = _cli(stack, capsys, "export", "--unit", "SP34", "--out", str(out_file))
    assert code == 0 and "0930,Audyt – sprawozdania,BE5," in out_file.read_text(encoding="utf-8")
    out_file.write_text(out_file.read_text(encoding="utf-8").replace("0930,Audyt – sprawozdania,BE5,", "0930,Audyt – sprawozdania,BE10,"),
                        encoding="utf-8")
    code, out, err = _cli(stack, capsys, "import", str(out_file), "--unit", "SP34", "--note", "plik")
    assert code == 0, err
    assert json.loads(out)["diff"]["changed"] == [{"symbol": "0930", "category": {"from": "BE5", "to": "BE10"}}]

    code, out, _ = _cli(stack, capsys, "versions", "--unit", "SP34")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[-1]["current"] and lines[-1]["version"] == before + 3 and lines[-1]["source"] == "import"

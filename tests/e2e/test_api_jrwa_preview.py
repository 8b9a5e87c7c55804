"""The preview of a JRWA change or CSV import over HTTP: what publishing would do, the
version it would become, every problem with its code and its line — and nothing written.
Only the unit's administrator may ask (as only they may publish).

Units used here and nowhere else: P6.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.stack]

UNIT = "P6"
ADMIN = "p6.admin"
PREVIEW = f"/units/{UNIT}/jrwa/preview"


def _state(api) -> tuple[list, dict]:
    """The unit's version history and current plan, as the API answers them."""
    versions = api.call("GET", f"/units/{UNIT}/jrwa/versions", user=ADMIN)
    plan = api.call("GET", f"/units/{UNIT}/jrwa", user=ADMIN)
    assert versions.status == 200 and plan.status == 200, (versions.body, plan.body)
    return versions.body["items"], plan.body


def _csv(api, edit) -> bytes:
    exported = api.call("GET", f"/units/{UNIT}/jrwa?format=csv", user=ADMIN)
    assert exported.status == 200
    lines = exported.raw.decode("utf-8").splitlines()
    return ("\n".join(edit(lines)) + "\n").encode("utf-8")


def test_a_valid_change_is_previewed_as_its_publication_would_be_and_nothing_is_written(api):
    versions, plan = _state(api)
    body = {"changes": [
        {"op": "add", "symbol": "072", "heading": "Współpraca z fundacjami", "category": "B5"},
        {"op": "update", "symbol": "050", "category": "A"},
        {"op": "remove", "symbol": "092"},
    ], "expected_version": plan["version"]}
    answer = api.call("POST", PREVIEW, user=ADMIN, json_body=body)
    assert answer.status == 200, answer.body
    preview = answer.body
    assert preview["valid"] is True and preview["error_code"] is None and preview["problems"] == []
    assert preview["base"] == {"owner": plan["owner"], "version": plan["version"]}
    assert preview["version"] == {"owner": UNIT, "version": plan["version"] + 1}
    assert [(c["symbol"], c["heading"], c["category"], c["is_leaf"]) for c in preview["added"]] == [
        ("072", "Współpraca z fundacjami", "B5", True)]
    assert [(c["symbol"], c["fields"], c["before"]["category"], c["after"]["category"]) for c in preview["changed"]] == [
        ("050", ["category"], "B10", "A")]
    assert [c["symbol"] for c in preview["removed"]] == ["092"]
    assert preview["class_count"] == len(plan["classes"])  # one added, one removed

    # Nothing was published: the same history, the same plan.
    assert _state(api) == (versions, plan)

    # The publication of the same body gives what the preview said.
    published = api.call("POST", f"/units/{UNIT}/jrwa/changes", user=ADMIN, json_body=body)
    assert published.status == 201, published.body
    assert (published.body["owner"], published.body["version"]) == (UNIT, preview["version"]["version"])
    assert len(published.body["classes"]) == preview["class_count"]
    # …after which a preview against the old version is a conflict, as its publication would be.
    stale = api.call("POST", PREVIEW, user=ADMIN, json_body=body)
    assert stale.status == 409 and stale.body["error_code"] == "JRWA_VERSION_CONFLICT", stale.body


def test_an_invalid_category_and_an_unchanged_plan_are_problems_with_codes(api):
    versions, plan = _state(api)
    answer = api.call("POST", PREVIEW, user=ADMIN, json_body={"changes": [
        {"op": "add", "symbol": "073", "heading": "Wolontariat", "category": "X7"},
        {"op": "update", "symbol": "999", "heading": "Nie ma takiej"},
    ]})
    assert answer.status == 200, answer.body
    preview = answer.body
    assert (preview["valid"], preview["error_code"], preview["version"]) == (False, "JRWA_INVALID", None)
    assert preview["base"] == {"owner": plan["owner"], "version": plan["version"]}
    assert preview["added"] == preview["changed"] == preview["removed"] == []
    assert [(p["code"], p["change"], p["symbol"], p["value"]) for p in preview["problems"]] == [
        ("JRWA_CATEGORY_INVALID", 1, "073", "X7"), ("JRWA_CLASS_MISSING", 2, "999", None)]

    same = api.call("POST", PREVIEW, user=ADMIN, json_body={"changes": [
        {"op": "update", "symbol": "050", "category": plan["classes"][[c["symbol"] for c in plan["classes"]].index(
            "050")]["category"]}]})
    assert same.status == 200 and (same.body["valid"], same.body["error_code"]) == (False, "JRWA_UNCHANGED")
    assert _state(api) == (versions, plan)


def test_a_csv_with_a_bad_line_names_the_line(api):
    versions, plan = _state(api)

    def spoil(lines: list[str]) -> list[str]:
        lines.insert(5, "0045,Klasa bez grupy,B5,")            # line 6: its parent 004 is not there
        lines.insert(3, "0025,Zła kategoria,Z9,")               # line 4: no such category
        return lines

    answer = api.call("POST", PREVIEW, user=ADMIN, raw=_csv(api, spoil), content_type="text/csv")
    assert answer.status == 200, answer.body
    assert (answer.body["valid"], answer.body["error_code"], answer.body["base"]["version"]) == (
        False, "JRWA_INVALID", plan["version"])
    assert [(p["code"], p["line"], p["value"]) for p in answer.body["problems"]] == [
        ("JRWA_CATEGORY_INVALID", 4, "Z9"), ("JRWA_PARENT_MISSING", 7, "004")]

    # The same file without the bad lines but with a new class: a valid import.
    good = _csv(api, lambda lines: lines + ["0716,Partnerstwa szkół,B5,"])
    fine = api.call("POST", PREVIEW + f"?expected_version={plan['version']}", user=ADMIN, raw=good,
                    content_type="text/csv")
    assert fine.status == 200 and fine.body["valid"] is False  # 071 is a leaf: it cannot have subclasses
    assert [p["code"] for p in fine.body["problems"]] == ["JRWA_GROUP_WITH_CATEGORY"]
    fine = api.call("POST", PREVIEW, user=ADMIN, raw=_csv(api, lambda lines: lines + ["074,Partnerstwa szkół,B5,"]),
                    content_type="text/csv; charset=utf-8")
    assert fine.status == 200 and fine.body["valid"] is True, fine.body
    assert (fine.body["source"], [c["symbol"] for c in fine.body["added"]]) == ("import", ["074"])
    assert _state(api) == (versions, plan)


@pytest.mark.parametrize("login", ["p6.sekretariat", "p6.kadry", "p6.archiwum", "sp19.admin"])
def test_only_the_units_administrator_previews(api, login):
    versions, plan = _state(api)
    body = {"changes": [{"op": "add", "symbol": "075", "heading": "Próba", "category": "B5"}]}
    answer = api.call("POST", PREVIEW, user=login, json_body=body)
    assert answer.status == 403 and answer.body["error_code"] == "FORBIDDEN", answer.body
    csv_answer = api.call("POST", PREVIEW, user=login, raw=_csv(api, lambda lines: lines), content_type="text/csv")
    assert csv_answer.status == 403, csv_answer.body
    # The director is one of the unit's administrators.
    assert api.call("POST", PREVIEW, user="p6.dyrektor", json_body=body).status == 200
    assert _state(api) == (versions, plan)


def test_a_malformed_request_is_refused(api):
    for body in ({"changes": []}, {"changes": [{"op": "rename", "symbol": "050"}]}, {"note": "bez zmian"}):
        answer = api.call("POST", PREVIEW, user=ADMIN, json_body=body)
        assert answer.status == 400 and answer.body["error_code"] == "VALIDATION_FAILED", (body, answer.body)

"""Every problem the JRWA validation words for people is read back by the preview into
its code (services/jrwa_preview.describe): none falls through to the general
JRWA_INVALID, so the portal can say each one in Polish. No stack: the validation is pure."""

from __future__ import annotations

import pytest

from ezd.models.jrwa import InvalidPlan, JrwaChange, JrwaClass
from ezd.services import jrwa
from ezd.services.jrwa_preview import describe

PLAN = [JrwaClass(symbol="0", heading="Zarządzanie"), JrwaClass(symbol="05", heading="Skargi"),
        JrwaClass(symbol="050", heading="Skargi i wnioski", category="B10"),
        JrwaClass(symbol="051", heading="Informacja publiczna", category="B5")]
HEADER = "symbol,heading,category,notes\n"


def _problems(call) -> list[str]:
    with pytest.raises(InvalidPlan) as raised:
        call()
    return raised.value.problems


CASES = [
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="add", symbol="05a", heading="x", category="A")]),
     [("JRWA_SYMBOL_INVALID", None, 1, "05a", "05a")]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="add", symbol="052", heading="x", category="C1")]),
     [("JRWA_CATEGORY_INVALID", None, 1, "052", "C1")]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="add", symbol="050", heading="x", category="A")]),
     [("JRWA_CLASS_EXISTS", None, 1, "050", None)]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="add", symbol="052")]),
     [("JRWA_HEADING_MISSING", None, 1, "052", None)]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="update", symbol="050", heading=" ")]),
     [("JRWA_HEADING_MISSING", None, 1, "050", None)]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="update", symbol="059", heading="x")]),
     [("JRWA_CLASS_MISSING", None, 1, "059", None)]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="remove", symbol="059")]),
     [("JRWA_CLASS_MISSING", None, 1, "059", None)]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="update", symbol="050")]),
     [("JRWA_NOTHING_TO_UPDATE", None, 1, "050", None)]),
    (lambda: jrwa.apply_changes(PLAN, []), [("JRWA_NO_CHANGES", None, None, None, None)]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="remove", symbol="05")]),
     [("JRWA_REMOVAL_LEAVES_SUBCLASSES", None, None, "05", "050, 051")]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="add", symbol="0501", heading="x", category="A")]),
     [("JRWA_GROUP_WITH_CATEGORY", None, None, "050", "0501")]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="add", symbol="0611", heading="x", category="A")]),
     [("JRWA_PARENT_MISSING", None, None, "0611", "061")]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="add", symbol="052", heading="x")]),
     [("JRWA_LEAF_WITHOUT_CATEGORY", None, None, "052", None)]),
    (lambda: jrwa.apply_changes(PLAN, [JrwaChange(op="remove", symbol=s) for s in ("050", "051", "05", "0")]),
     [("JRWA_PLAN_EMPTY", None, None, None, None)]),
    (lambda: jrwa.parse_csv(b""), [("JRWA_FILE_EMPTY", None, None, None, None)]),
    (lambda: jrwa.parse_csv(b"\xff\xfe"), [("JRWA_FILE_NOT_UTF8", None, None, None, None)]),
    (lambda: jrwa.parse_csv(b"x" * (jrwa.MAX_CSV_BYTES + 1)),
     [("JRWA_FILE_TOO_LARGE", None, None, None, str(jrwa.MAX_CSV_BYTES))]),
    (lambda: jrwa.parse_csv("symbol,heading\n"), [("JRWA_CSV_HEADER", 1, None, None, None)]),
    (lambda: jrwa.parse_csv(HEADER + "0,Zarządzanie,,\n05,Skargi\n"),
     [("JRWA_CSV_FIELDS", 3, None, None, "2"), ("JRWA_LEAF_WITHOUT_CATEGORY", 2, None, "0", None)]),
    (lambda: jrwa.parse_csv(HEADER + '0,"Zarz"ądzanie,,\n'), [("JRWA_CSV_MALFORMED", 2, None, None, None)]),
    (lambda: jrwa.parse_csv(HEADER + "0,Zarządzanie,,\n0,Raz jeszcze,,\n"),
     [("JRWA_CLASS_DUPLICATE", 3, None, "0", None), ("JRWA_LEAF_WITHOUT_CATEGORY", 2, None, "0", None)]),
    (lambda: jrwa.parse_csv(HEADER + "0,,,\n"), [("JRWA_HEADING_MISSING", 2, None, None, None)]),
    (lambda: jrwa.parse_csv(HEADER + "0,Zarządzanie,,\n01,Organizacja,,\n"),
     [("JRWA_LEAF_WITHOUT_CATEGORY", 3, None, "01", None)]),
    (lambda: jrwa.parse_csv(HEADER + "0,Zarządzanie,,\n012,Regulaminy,A,\n"),
     [("JRWA_PARENT_MISSING", 3, None, "012", "01")]),
]


@pytest.mark.parametrize("call, expected", CASES)
def test_every_problem_has_its_code_and_place(call, expected):
    found = [describe(p) for p in _problems(call)]
    assert [(p.code, p.line, p.change, p.symbol, p.value) for p in found] == expected, [p.message for p in found]


def test_a_wording_the_table_does_not_know_stays_general():
    found = describe("line 9: something new")
    assert (found.code, found.line, found.message) == ("JRWA_INVALID", 9, "line 9: something new")


def test_too_many_classes():
    classes = [JrwaClass(symbol=str(n), heading="x", category="A") for n in range(10)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jrwa, "MAX_CLASSES", 5)
        codes = [describe(p).code for p in jrwa.validate_classes(classes)]
    assert codes == ["JRWA_TOO_MANY_CLASSES"]

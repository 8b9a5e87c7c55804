"""The unit administrator sets who approves outgoing documents of a JRWA class: a path of
a person then the unit's head for "05", a prefix that is not digits refused in the field;
a draft of a 051 case then waits for that person first. P24 is this file's unit and no
other test's."""

from __future__ import annotations

import pytest

from ezd.samples.letters import sample_pdf
from portal_kit import expect, log_in, shot
from testkit import post_form

pytestmark = pytest.mark.stack

UNIT, ADMIN, DIRECTOR, OFFICER = "P24", "p24.admin", "p24.dyrektor", "p24.kadry"


def test_the_administrator_sets_an_approval_path_and_a_draft_follows_it(page, api):
    ok = expect()
    log_in(page, ADMIN)
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Ścieżki akceptacji").click()
    ok(page.get_by_test_id("paths-count")).to_have_text("Jednostka nie ma własnych ścieżek.")
    page.get_by_role("button", name="Dodaj ścieżkę").click()
    page.get_by_label("Prefiks ścieżki 1").fill("0a")
    ok(page.get_by_text("Od 0 do 4 cyfr")).to_be_visible()
    page.get_by_label("Prefiks ścieżki 1").fill("05")
    steps = page.get_by_label("Akceptujący ścieżki 1").first
    steps.click()
    page.keyboard.press("Backspace")  # the unit's head first would be the default; the deputy goes first
    steps.fill("p24.kadry")
    page.get_by_role("option", name="(p24.kadry)", exact=False).click()
    steps.fill("kierownik")
    page.get_by_role("option", name="kierownik jednostki (dowolny)").click()
    page.get_by_role("heading", name="Ścieżki akceptacji").click()  # the list closes
    ok(page.get_by_test_id("paths-count")).to_have_text("1 ścieżka")
    shot(page, "approval-paths")
    page.get_by_role("button", name="Zapisz ścieżki").click()
    ok(page.get_by_text("Zapisano ścieżki akceptacji.")).to_be_visible()
    saved = api.call("GET", f"/units/{UNIT}/approval-paths", user=ADMIN).body["paths"]
    assert [(p["jrwa_prefix"], [(s["login"], s["role"]) for s in p["steps"]]) for p in saved] == [
        ("05", [(OFFICER, None), (None, "manager")])]

    # A draft of a 051 case goes to p24.kadry first.
    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "051", "title": "Wniosek", "cell": "DYR"}).body
    content = sample_pdf(2000, seed=241)
    ticket = api.call("POST", f"/units/{UNIT}/uploads", user=DIRECTOR,
                      json_body={"filename": "p.pdf", "size": len(content), "purpose": "draft"}).body
    assert post_form(ticket["url"], ticket["fields"], content, "p.pdf") in (200, 201, 204)
    draft = api.call("POST", f"/units/{UNIT}/cases/{opened['ref']}/outgoing", user=DIRECTOR, json_body={
        "title": "Odpowiedź", "upload_id": ticket["upload_id"], "addressees": [{"contractor_id": "unit-WOIW"}]}).body
    submitted = api.call("POST", f"/units/{UNIT}/outgoing/{draft['document']['outgoing_id']}/submit", user=DIRECTOR)
    assert submitted.status == 200, submitted.body
    waiting = api.call("GET", f"/units/{UNIT}/approvals", user=OFFICER).body["items"]
    assert [i["document"]["outgoing_id"] for i in waiting] == [draft["document"]["outgoing_id"]]

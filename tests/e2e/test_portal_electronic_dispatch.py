"""A sealed answer sent by e-Doręczenia from the browser: the officer sends it from its
page (e-Doręczenia offered first for an addressee with an e-delivery address), and once
the simulator's addressee has collected it the page shows it delivered, with the
evidences to download. P26 is this file's unit and no other test's."""

from __future__ import annotations

import pytest

from ezd.samples.letters import sample_pdf
from portal_kit import expect, log_in, shot
from testkit import post_form, wait_for

pytestmark = pytest.mark.stack

UNIT, DIRECTOR, OFFICER = "P26", "p26.dyrektor", "p26.kadry"
ADE, FIRM = "AE:PL-26026-26026-PORTA-26", "Wydawnictwo Dwadzieścia Sześć"


def test_the_officer_sends_by_edoreczenia_and_sees_the_evidences(page, api, stack):
    stack.edoreczenia.register_address(ADE, FIRM, public=False, external=True, policy="collect")
    ref = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "051", "title": "Zamówienie podręczników", "cell": "KAD", "officer": OFFICER}).body["ref"]
    firm = api.call("POST", f"/units/{UNIT}/contractors", user=OFFICER, json_body={
        "kind": "institution", "institution": FIRM, "ade": ADE}).body["contractor_id"]
    content = sample_pdf(2500, seed=261)
    ticket = api.call("POST", f"/units/{UNIT}/uploads", user=OFFICER,
                      json_body={"filename": "zamowienie.pdf", "size": len(content), "purpose": "draft"}).body
    assert post_form(ticket["url"], ticket["fields"], content, "zamowienie.pdf") in (200, 201, 204)
    created = api.call("POST", f"/units/{UNIT}/cases/{ref}/outgoing", user=OFFICER, json_body={
        "title": "Zamówienie", "upload_id": ticket["upload_id"], "addressees": [{"contractor_id": firm}]}).body
    outgoing_id = created["document"]["outgoing_id"]
    path = f"/units/{UNIT}/outgoing/{outgoing_id}"
    assert api.call("POST", f"{path}/submit", user=OFFICER).status == 200
    assert api.call("POST", f"{path}/decision", user=DIRECTOR, json_body={"decision": "approved"}).status == 200
    assert api.call("POST", f"{path}/seal", user=OFFICER).status == 200

    ok = expect()
    log_in(page, OFFICER)
    ok(page.get_by_test_id("user-unit")).to_have_text(UNIT)
    page.goto(page.url.split("#")[0] + f"#/pisma/{outgoing_id}")
    ok(page.get_by_role("combobox", name=f"Sposób wysyłki: {FIRM}")).to_have_value("e-Doręczenia")
    page.get_by_role("button", name="Wyślij").click()
    ok(page.get_by_test_id("outgoing-status")).to_have_text("wysłany")

    def delivered() -> bool:
        items = api.call("GET", path, user=OFFICER).body["items"]
        return bool(items) and items[0]["status"] == "delivered"

    wait_for(delivered, what="the dowód otrzymania", timeout=60)
    page.reload()
    items = page.get_by_role("table", name="Przesyłki w rejestrze wychodzącym")
    ok(items).to_contain_text("doręczony")
    items.get_by_role("button", name="Pokaż dowody", exact=False).click()
    ok(items.get_by_role("link", name="dowód otrzymania (BP.OX)", exact=False)).to_be_visible()
    ok(items.get_by_role("link", name="dowód wysłania (BP.WX)", exact=False)).to_be_visible()
    shot(page, "outgoing-delivered-evidences")

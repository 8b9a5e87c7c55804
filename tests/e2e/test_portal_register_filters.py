"""The register in the browser shows each letter's JRWA class and where it stands, and the
clerk filters on both (with a field error for a class that is no symbol). P17 is this
file's unit and no other test's."""

from __future__ import annotations

import pytest

from ezd.adapters import routing_store
from portal_kit import expect, log_in, shot
from testkit import wait_for

pytestmark = pytest.mark.stack

UNIT, CLERK, DIRECTOR = "P17", "p17.sekretariat", "p17.dyrektor"


def _waits_for_a_person(document_id: str) -> bool:
    state = routing_store.get_routing(document_id)
    return bool(state and state.pending_token)


def test_the_clerk_filters_the_register_by_class_and_status(page, api, deliverer, unique_letter):
    complaint = deliverer.deliver(UNIT, unique_letter(title="Skarga na hałas podczas przerw (P17)")).document_id
    unknown = deliverer.deliver(UNIT, unique_letter(title="Pismo w sprawie nieznanej")).document_id
    for doc in (complaint, unknown):
        wait_for(lambda d=doc: _waits_for_a_person(d), what="the routing to wait for a person")
    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "050", "title": "Skarga na hałas", "document_id": complaint})
    assert opened.status == 201, opened.body
    ref = opened.body["ref"]

    ok = expect()
    log_in(page, CLERK)
    table = page.get_by_role("table", name=f"Rejestr przesyłek wpływających {UNIT}")
    for header in ("JRWA", "Status"):
        ok(table.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    rows = table.locator("tbody tr")
    ok(rows).to_have_count(2)
    row_of = {"complaint": rows.filter(has_text="Skarga na hałas"), "unknown": rows.filter(has_text="nieznanej")}
    ok(row_of["complaint"].locator("td").nth(5)).to_have_text("050")
    ok(row_of["complaint"].locator("td").nth(6)).to_have_text(f"w sprawie {ref}")
    ok(row_of["unknown"].locator("td").nth(5)).to_have_text("—")
    ok(row_of["unknown"].locator("td").nth(6)).to_have_text("czeka na klasyfikację")

    page.get_by_role("combobox", name="Status").click()
    page.get_by_role("option", name="czeka na klasyfikację", exact=True).click()
    page.get_by_role("button", name="Filtruj").click()
    ok(page.get_by_test_id("register-count")).to_have_text("Strona 1: 1 przesyłka (pozycje 1–1)")
    ok(rows.first).to_contain_text("nieznanej")
    shot(page, "register-filtered-by-status")

    page.get_by_role("combobox", name="Status").click()
    page.get_by_role("option", name="w sprawie", exact=True).click()
    page.get_by_label("Klasa JRWA", exact=True).fill("05")
    page.get_by_role("button", name="Filtruj").click()
    ok(page.get_by_test_id("register-count")).to_have_text("Strona 1: 1 przesyłka (pozycje 1–1)")
    ok(rows.first).to_contain_text("Skarga na hałas")
    # The case is a link from the line.
    row_of["complaint"].get_by_role("link", name=ref).click()
    ok(page.get_by_role("heading", name=ref)).to_be_visible()
    page.go_back()

    page.get_by_label("Klasa JRWA", exact=True).fill("05a")
    page.get_by_role("button", name="Filtruj").click()
    ok(page.get_by_text("Podaj symbol klasy lub jego początek: od 1 do 4 cyfr, np. 05")).to_be_visible()
    page.get_by_role("button", name="Wyczyść").click()
    ok(page.get_by_test_id("register-count")).to_have_text("Strona 1: 2 przesyłki (pozycje 1–2)")

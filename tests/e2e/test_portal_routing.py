"""The registry desk and the director in the portal, in a real browser on the local stack:
a letter no rule classifies arrives through the ePUAP simulator, the clerk finds it in
"Do klasyfikacji" and gives it a class from the searchable JRWA tree (diacritics and case
do not matter; upper-level classes cannot be chosen); the model sends it to the
director's komórka, the director returns nothing and decrees it by hand to a person with a
note and a deadline; the person's inbox has it.

Units used here and nowhere else: SP28.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ezd import clock
from ezd.adapters import routing_store
from ezd.samples.letters import make_letter
from portal_kit import expect, log_in, log_out, shot
from testkit import wait_for

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT = "SP28"


def _waiting(document_id: str, what: str) -> bool:
    state = routing_store.get_routing(document_id)
    return bool(state and state.pending_token and state.waiting_for == what)


def test_the_clerk_classifies_and_the_director_decrees_in_the_browser(page, api, deliverer):
    ok = expect()
    outcome = deliverer.deliver(UNIT, make_letter(title="Prośba o zgodę na wyjście klasy do teatru"))
    doc = outcome.document_id
    wait_for(lambda: _waiting(doc, "classification"), what="the registry desk's classification")
    number = api.call("GET", f"/units/{UNIT}/documents/{doc}", user="sp28.sekretariat").body["entry"]["registry_number"]

    log_in(page, "sp28.sekretariat")
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Do klasyfikacji").click()
    ok(page.get_by_role("heading", name="Do klasyfikacji")).to_be_visible()
    queue = page.get_by_role("table", name="Dokumenty do klasyfikacji")
    ok(queue.locator("tbody tr").filter(has_text=number)).to_have_count(1)
    ok(page.get_by_test_id("queue-count")).to_contain_text("1 dokument")
    page.get_by_role("button", name=f"Klasyfikuj {number}").click()
    dialog = page.get_by_role("dialog", name=f"Klasyfikacja: {number}")
    tree = dialog.get_by_role("list", name="Klasy wykazu akt")
    ok(tree.get_by_role("button", name="424 Wycieczki i wyjścia")).to_be_visible()
    # Upper-level classes are shown for orientation but are not buttons.
    ok(tree.get_by_text("42 Realizacja pracy dydaktyczno-wychowawczej")).to_be_visible()
    ok(tree.get_by_role("button", name="42 Realizacja pracy dydaktyczno-wychowawczej")).to_have_count(0)
    dialog.get_by_label("Szukaj w wykazie akt (symbol lub hasło)").fill("WYJSCIA wycieczki")  # no diacritics
    ok(tree.get_by_role("button")).to_have_count(1)
    ok(tree.get_by_text("4 Nauczanie i wychowanie")).to_be_visible()  # the path to the match stays
    tree.get_by_role("button", name="424 Wycieczki i wyjścia").click()
    shot(page, "registry-classify")
    dialog.get_by_role("button", name="Nadaj klasę 424").click()
    ok(dialog).to_be_hidden()
    ok(page.get_by_test_id("queue-count")).to_have_text("Nic nie czeka na klasyfikację.")
    wait_for(lambda: _waiting(doc, "decision"), what="the model's decretation")
    assert routing_store.get_routing(doc).classification.jrwa_symbol == "424"
    log_out(page)

    # The model sent it to the director's komórka; the director hands it to a person.
    log_in(page, "sp28.dyrektor")
    ok(page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Do dekretacji")).to_be_visible()
    api.call("POST", f"/units/{UNIT}/documents/{doc}/return", user="sp28.dyrektor",
             json_body={"reason": "Proszę o przydział wicedyrektorowi"})
    wait_for(lambda: _waiting(doc, "redecretation"), what="a manager's redecretation")
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Do dekretacji").click()
    queue = page.get_by_role("table", name="Dokumenty do dekretacji")
    row = queue.locator("tbody tr").filter(has_text=number)
    ok(row).to_contain_text("424 Wycieczki i wyjścia")
    ok(row).to_contain_text("zwrócony przez adresata")
    page.get_by_role("button", name=f"Dekretuj {number}").click()
    dialog = page.get_by_role("dialog", name=f"Dekretacja: {number}")
    dialog.get_by_role("button", name="Dekretuj").click()
    ok(dialog.get_by_text("Wybierz osobę albo komórkę.")).to_be_visible()  # a field-level error, in Polish
    dialog.get_by_role("combobox", name="Dla").fill("Wójcik")
    page.get_by_role("option", name="Maria Wójcik — specjalista ds. kadr (KAD)").click()
    dialog.get_by_label("Uwagi (polecenie)").fill("Proszę przygotować zgodę")
    deadline = clock.today() + timedelta(days=5)
    dialog.get_by_label("Termin").fill(deadline.strftime("%d.%m.%Y"))
    shot(page, "director-decree")
    dialog.get_by_role("button", name="Dekretuj").click()
    ok(dialog).to_be_hidden()
    ok(queue.locator("tbody tr").filter(has_text=number)).to_have_count(0)
    wait_for(lambda: _waiting(doc, "decision"), what="the assignee's decision")
    inbox = api.call("GET", f"/units/{UNIT}/inbox", user="sp28.kadry").body["items"]
    mine = [i for i in inbox if i["document_id"] == doc]
    assert mine and mine[0]["note"] == "Proszę przygotować zgodę" and mine[0]["deadline"] == deadline.isoformat()

    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Terminy spraw").click()
    ok(page.get_by_role("heading", name="Terminy spraw")).to_be_visible()
    ok(page.get_by_role("region", name="Po terminie")).to_be_visible()
    shot(page, "overdue")

"""The unit administrator's classification rules in the portal, in a real browser on the
local stack: the city's rules shown read-only, a new rule of the unit tried in the live
preview before it is saved (the preview follows the draft), saved, and then classifying.

Units used here and nowhere else: SP12.
"""

from __future__ import annotations

import pytest

from portal_kit import expect, log_in, shot

pytestmark = [pytest.mark.stack]

UNIT = "SP12"


def test_the_administrator_tries_a_rule_in_the_preview_then_saves_it(page, api):
    ok = expect()
    log_in(page, "sp12.admin")
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Reguły klasyfikacji").click()
    ok(page.get_by_role("table", name="Reguły miasta")).to_contain_text("arkusz organizacji")
    preview = page.get_by_test_id("rule-preview")
    page.get_by_label("Tytuł pisma").fill("Zwrot opłaty za stołówkę szkolną")
    ok(preview).to_have_text("Żadna reguła nie pasuje: pismo trafi do sekretariatu do klasyfikacji.")

    page.get_by_role("button", name="Dodaj regułę").click()
    page.get_by_label("Identyfikator reguły nowa").fill("stolowka")
    page.get_by_label("Wzorzec reguły stolowka").fill("oplaty stolowk")  # typed without Polish letters
    page.get_by_label("Klasa JRWA reguły stolowka").fill("340")
    ok(preview).to_have_text("Klasa 340 według reguły „stolowka” (według niezapisanych zmian).")
    # Nothing is saved by the preview.
    assert api.call("GET", f"/units/{UNIT}/classification-rules", user="sp12.admin").body["unit_rules"] == []
    shot(page, "rules-draft-preview")

    page.get_by_role("button", name="Zapisz reguły").click()
    ok(page.get_by_text("Zapisano reguły klasyfikacji.")).to_be_visible()
    ok(preview).to_have_text("Klasa 340 według reguły „stolowka”.")
    saved = api.call("GET", f"/units/{UNIT}/classification-rules", user="sp12.admin").body["unit_rules"]
    assert [(r["rule_id"], r["jrwa_symbol"], r["owner"]) for r in saved] == [("stolowka", "340", UNIT)]
    shot(page, "rules-saved")


def test_the_administrator_gives_the_unit_its_own_decretation_model(page, api):
    ok = expect()
    log_in(page, "sp12.admin")
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Model dekretacji").click()
    ok(page.get_by_text("Obowiązuje model miasta")).to_be_visible()
    table = page.get_by_role("table", name="Reguły modelu dekretacji")
    ok(table.locator("tbody tr")).to_have_count(4)  # the city's: *, 1, 3, 43
    page.get_by_role("button", name="Dodaj regułę").click()
    page.get_by_label("Prefiks reguły 5").fill("42")
    page.get_by_role("combobox", name="Adresat reguły 5").click()
    page.get_by_role("option", name="Maria Wójcik (sp12.kadry)").click()
    page.get_by_label("Opis reguły 5").fill("Wycieczki i dzienniki")
    shot(page, "decretation-model")
    page.get_by_role("button", name="Zapisz model").click()
    ok(page.get_by_text("Zapisano model dekretacji.")).to_be_visible()
    ok(page.get_by_text("Obowiązuje model miasta")).to_have_count(0)
    model = api.call("GET", f"/units/{UNIT}/decretation-model", user="sp12.admin").body
    assert model["inherited_from_city"] is False
    assert {"jrwa_prefix": "42", "login": "sp12.kadry"} in [
        {"jrwa_prefix": r["jrwa_prefix"], "login": r["target"].get("login")} for r in model["rules"]]

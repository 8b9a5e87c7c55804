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

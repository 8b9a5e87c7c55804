"""An answer drafted and approved in the browser: the officer drafts it in the case
(title and file, field errors first), picks the addressee, submits it; the director finds
it under "Do akceptacji", returns it with a remark (none is refused); a second version
goes in, the director approves it and seals it with the unit's seal. P20 is this file's unit and no other test's."""

from __future__ import annotations

import pytest

from ezd.samples.letters import sample_pdf
from portal_kit import expect, log_in, log_out, shot

pytestmark = pytest.mark.stack

UNIT, DIRECTOR, OFFICER = "P20", "p20.dyrektor", "p20.kadry"
CITY = "Urząd Miasta Lublin – Wydział Oświaty i Wychowania"


def _choose_file(page, name: str, seed: int) -> None:
    page.get_by_test_id("scan-input").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": sample_pdf(3000, seed=seed)}])
    expect()(page.get_by_test_id("upload-progress")).to_have_text("przesłano")


def test_the_officer_drafts_an_answer_and_the_director_returns_then_approves_it(page, api):
    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "051", "title": "Wniosek o informację publiczną", "cell": "KAD", "officer": OFFICER})
    assert opened.status == 201, opened.body
    ref = opened.body["ref"]
    ok = expect()
    base = None

    log_in(page, OFFICER)
    ok(page.get_by_test_id("user-unit")).to_have_text(UNIT)
    base = page.url.split("#")[0]
    page.goto(f"{base}#/sprawy/{ref}")
    ok(page.get_by_test_id("outgoing-count")).to_have_text("W sprawie nie ma jeszcze pism wychodzących.")
    page.get_by_role("button", name="Nowy projekt pisma").click()
    dialog = page.get_by_role("dialog", name="Nowy projekt pisma wychodzącego")
    dialog.get_by_role("button", name="Utwórz projekt").click()
    ok(dialog.get_by_text("Podaj, czego dotyczy pismo")).to_be_visible()
    ok(dialog.get_by_text("Wybierz szablon")).to_be_visible()  # a template of the unit, unless a file
    dialog.get_by_text("Z pliku", exact=True).click()
    ok(dialog.get_by_text("Dodaj plik pisma")).to_be_visible()
    dialog.get_by_label("Dotyczy").fill("Odpowiedź na wniosek o informację publiczną")
    _choose_file(page, "odpowiedz-v1.pdf", 201)
    shot(page, "outgoing-new-draft")
    dialog.get_by_role("button", name="Utwórz projekt").click()

    ok(page.get_by_role("heading", name="Odpowiedź na wniosek o informację publiczną")).to_be_visible()
    ok(page.get_by_test_id("outgoing-status")).to_have_text("projekt")
    versions = page.get_by_role("table", name="Wersje pisma")
    ok(versions.locator("tbody tr")).to_have_count(1)
    ok(versions).to_contain_text("odpowiedz-v1.pdf")
    ok(page.get_by_role("button", name="Przekaż do akceptacji")).to_be_disabled()  # no addressee yet

    # A załącznik goes with it.
    page.get_by_role("button", name="Dodaj załącznik").click()
    _choose_file(page, "zalacznik-regulamin.pdf", 203)
    page.get_by_role("dialog", name="Nowy załącznik").get_by_role("button", name="Dodaj", exact=True).click()
    ok(page.get_by_test_id("outgoing-notice")).to_have_text("Dodano załącznik zalacznik-regulamin.pdf.")
    ok(page.get_by_role("table", name="Załączniki pisma")).to_contain_text("zalacznik-regulamin.pdf")

    page.get_by_role("button", name="Wybierz adresatów").click()
    chooser = page.get_by_role("dialog", name="Adresaci pisma")
    chooser.get_by_label("Adresaci").fill("Wydział Oświaty")
    page.get_by_role("option", name=CITY).click()
    chooser.get_by_text("Adresy (pocztowy").click()  # away from the list, which stays open for more
    chooser.get_by_role("button", name="Zapisz adresatów").click()
    ok(page.get_by_test_id("outgoing-notice")).to_have_text("Zapisano adresatów.")
    ok(page.get_by_role("table", name="Adresaci pisma")).to_contain_text(CITY)
    ok(page.get_by_role("table", name="Adresaci pisma")).to_contain_text("e-Doręczenia")
    page.get_by_role("button", name="Przekaż do akceptacji").click()
    ok(page.get_by_test_id("outgoing-status")).to_have_text("w akceptacji")
    ok(page.get_by_role("table", name="Przebieg akceptacji")).to_contain_text("kierownik jednostki")
    ok(page.get_by_role("button", name="Nowa wersja")).to_have_count(0)  # the superior decides now
    shot(page, "outgoing-submitted")
    draft_address = page.url
    log_out(page)

    log_in(page, DIRECTOR)
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Do akceptacji").click()
    ok(page.get_by_test_id("approvals-count")).to_have_text("1 pismo")
    shot(page, "approvals")
    page.get_by_role("table", name="Pisma czekające na akceptację").get_by_role(
        "link", name="Odpowiedź na wniosek o informację publiczną").click()
    page.get_by_role("button", name="Zwróć do poprawy").click()
    ok(page.get_by_text("Napisz, co trzeba poprawić")).to_be_visible()
    page.get_by_label("Uwagi").fill("Proszę wskazać podstawę prawną odmowy.")
    page.get_by_role("button", name="Zwróć do poprawy").click()
    ok(page.get_by_test_id("outgoing-status")).to_have_text("projekt")
    ok(page.get_by_role("table", name="Przebieg akceptacji")).to_contain_text("Proszę wskazać podstawę prawną odmowy.")
    log_out(page)

    log_in(page, OFFICER)
    ok(page.get_by_test_id("user-unit")).to_have_text(UNIT)
    page.goto(draft_address)
    page.get_by_role("button", name="Nowa wersja").click()
    _choose_file(page, "odpowiedz-v2.pdf", 202)
    page.get_by_label("Co się zmieniło").fill("Dopisana podstawa prawna")
    page.get_by_role("button", name="Dodaj wersję").click()
    ok(page.get_by_test_id("outgoing-notice")).to_have_text("Dodano wersję 2.")
    ok(versions.locator("tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Przekaż do akceptacji").click()
    ok(page.get_by_test_id("outgoing-status")).to_have_text("w akceptacji")
    log_out(page)

    log_in(page, DIRECTOR)
    ok(page.get_by_test_id("user-unit")).to_have_text(UNIT)
    page.goto(draft_address)
    page.get_by_role("button", name="Akceptuję").click()
    ok(page.get_by_test_id("outgoing-status")).to_have_text("zaakceptowany")
    rounds = page.get_by_role("table", name="Przebieg akceptacji")
    ok(rounds.locator("tbody tr")).to_have_count(2)
    ok(rounds.locator("tbody tr").last).to_contain_text("zaakceptował(a)")
    shot(page, "outgoing-approved")
    page.get_by_role("button", name="Opatrz pieczęcią jednostki").click()
    ok(page.get_by_test_id("outgoing-status")).to_have_text("podpisany")
    signature = page.get_by_role("region", name="Podpis")
    ok(signature).to_contain_text("Pieczęć elektroniczna jednostki · wersja 2")
    ok(signature).to_contain_text("Podpis: ważny")
    ok(signature.get_by_role("link", name="odpowiedz-v2.pdf.xades")).to_be_visible()
    ok(signature.get_by_role("link", name="zalacznik-regulamin.pdf.xades")).to_be_visible()  # sealed beside it
    shot(page, "outgoing-sealed")
    page.get_by_role("link", name=ref).click()
    table = page.get_by_role("table", name="Pisma wychodzące sprawy")
    ok(table).to_contain_text("podpisany")
    ok(page.get_by_test_id("outgoing-count")).to_have_text("1 pismo")

    # A second answer from the unit's template, addressed at once: its PDF is the first version.
    page.get_by_role("button", name="Nowy projekt pisma").click()
    dialog = page.get_by_role("dialog", name="Nowy projekt pisma wychodzącego")
    dialog.get_by_label("Dotyczy").fill("Zawiadomienie o przedłużeniu terminu")
    dialog.get_by_role("combobox", name="Szablon").click()
    page.get_by_role("option", name="Zawiadomienie o przedłużeniu terminu (art. 36 KPA)").click()
    dialog.get_by_role("combobox", name="Adresat").fill("Wydział Oświaty")
    page.get_by_role("option", name=CITY).click()
    shot(page, "outgoing-new-from-template")
    dialog.get_by_role("button", name="Utwórz projekt").click()
    ok(page.get_by_test_id("outgoing-status")).to_have_text("projekt")
    ok(versions.locator("tbody tr")).to_have_count(1)
    ok(versions).to_contain_text(".pdf")
    ok(page.get_by_role("table", name="Adresaci pisma")).to_contain_text(CITY)

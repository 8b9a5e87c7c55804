"""Szablony pism in the browser: the unit administrator finds the city's starters, adds a
template (an unknown placeholder and a name taken are said at their field in Polish; a
placeholder is inserted from the list with the keyboard), changes it, reads its versions,
previews the letter as PDF and archives it; a case officer sees the active templates only
and keeps none; the registry desk has no such screen. P52 is this file's unit."""

from __future__ import annotations

import pytest

from portal_kit import expect, log_in, log_out, shot, tab_to

pytestmark = [pytest.mark.stack]

UNIT = "P52"
NAME = "Wezwanie do uzupełnienia wniosku"


def _menu(page):
    return page.get_by_role("navigation", name="Menu główne")


def test_the_administrator_keeps_the_templates_and_an_officer_uses_them(page):
    ok = expect()
    log_in(page, "p52.admin")
    _menu(page).get_by_role("link", name="Szablony pism").click()
    ok(page.get_by_role("heading", name="Szablony pism")).to_be_visible()
    table = page.get_by_role("table", name="Szablony pism")
    ok(page.get_by_test_id("templates-count")).to_have_text("3 szablony")
    ok(table.locator("tbody tr").filter(has_text="Zawiadomienie o przedłużeniu terminu (art. 36 KPA)")).to_contain_text(
        "szablon miasta")
    shot(page, "letter-templates")

    page.get_by_role("button", name="Dodaj szablon").click()
    dialog = page.get_by_role("dialog", name="Nowy szablon pisma")
    dialog.get_by_role("textbox", name="Nazwa").fill("Odpowiedź na wniosek")  # a starter's name: the API refuses it
    dialog.get_by_role("textbox", name="Treść").fill("Szanowny Panie {{ adresat.nazwisko }},")
    dialog.get_by_role("button", name="Zapisz").click()
    ok(dialog.get_by_text("Nie ma pola {{ adresat.nazwisko }}. Czy chodziło o {{ adresat.nazwa }}?")).to_be_visible()
    body = dialog.get_by_role("textbox", name="Treść")
    body.fill("Wzywam do uzupełnienia braków wniosku w sprawie ")
    body.press("End")
    tab_to(page, dialog.get_by_role("button", name="Wstaw pole: znak sprawy"))
    page.keyboard.press("Enter")
    ok(body).to_have_value("Wzywam do uzupełnienia braków wniosku w sprawie {{ sprawa.znak }}")
    body.press("End")
    body.type(" w terminie 7 dni.\n\nZ poważaniem")
    dialog.get_by_role("button", name="Zapisz").click()
    ok(dialog.get_by_text("Jednostka ma już aktywny szablon o tej nazwie.")).to_be_visible()
    dialog.get_by_role("textbox", name="Nazwa").fill(NAME)
    dialog.get_by_role("textbox", name="Dotyczy").fill("{{ sprawa.tytul }}")
    shot(page, "letter-template-form")
    dialog.get_by_role("button", name="Zapisz").click()
    ok(dialog).to_be_hidden()
    ok(page.get_by_test_id("templates-count")).to_have_text("4 szablony")
    row = table.locator("tbody tr").filter(has_text=NAME)
    ok(row).to_contain_text("szablon jednostki")

    row.get_by_role("button", name=f"Zmień: {NAME}").click()
    dialog = page.get_by_role("dialog", name=f"Zmiana szablonu: {NAME}")
    dialog.get_by_role("textbox", name="Opis").fill("Art. 64 § 2 KPA")
    dialog.get_by_role("button", name="Zapisz").click()
    ok(page.get_by_role("status").filter(has_text="(wersja 2)")).to_be_visible()
    row.get_by_role("button", name=f"Wersje: {NAME}").click()
    versions = page.get_by_role("dialog", name=f"Wersje szablonu: {NAME}")
    ok(versions.get_by_text("2 wersje")).to_be_visible()
    ok(versions.get_by_role("table", name="Wersje szablonu").locator("tbody tr")).to_have_count(2)
    versions.get_by_role("button", name="Pokaż wersję 1").click()
    ok(versions.get_by_role("region", name="Wersja 1")).to_contain_text("Wzywam do uzupełnienia braków")
    shot(page, "letter-template-versions")
    versions.get_by_role("button", name="Pokaż wersję 1").press("Escape")
    ok(versions).to_be_hidden()

    row.get_by_role("button", name=f"Podgląd: {NAME}").click()
    preview = page.get_by_role("dialog", name=f"Podgląd pisma: {NAME}")
    preview.get_by_role("button", name="Pokaż podgląd").click()
    ok(preview.get_by_role("status")).to_contain_text("Podgląd na danych przykładowych — wersja 2, 1 strona.")
    link = preview.get_by_test_id("letter-download")
    pdf = page.request.get(link.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    ok(preview.locator("iframe")).to_have_count(1)
    shot(page, "letter-template-preview")
    page.keyboard.press("Escape")
    ok(preview).to_be_hidden()

    row.get_by_role("button", name=f"Archiwizuj: {NAME}").click()
    ok(page.get_by_role("status").filter(has_text=f"Zarchiwizowano szablon: {NAME}.")).to_be_visible()
    ok(row).to_contain_text("zarchiwizowany")
    ok(row.get_by_role("button", name=f"Przywróć: {NAME}")).to_be_visible()
    log_out(page)

    log_in(page, "p52.kadry")
    _menu(page).get_by_role("link", name="Szablony pism").click()
    ok(page.get_by_test_id("templates-count")).to_have_text("3 szablony")
    ok(table.locator("tbody tr").filter(has_text=NAME)).to_have_count(0)
    ok(page.get_by_role("button", name="Dodaj szablon")).to_have_count(0)
    ok(page.get_by_role("button", name="Zmień: Odpowiedź na wniosek")).to_have_count(0)
    ok(page.get_by_role("button", name="Podgląd: Odpowiedź na wniosek")).to_be_visible()
    log_out(page)

    log_in(page, "p52.sekretariat")
    ok(_menu(page).get_by_role("link", name="Kontrahenci")).to_be_visible()
    ok(_menu(page).get_by_role("link", name="Szablony pism")).to_have_count(0)

"""The address book in the browser: the registry desk adds a person and an institution
(field errors in Polish first), finds them without Polish letters, changes one and removes
it; the city's units are there, read-only; the archivist reads but keeps nothing.
P15 is this file's unit and no other test's."""

from __future__ import annotations

import pytest

from portal_kit import expect, log_in, log_out, shot

pytestmark = [pytest.mark.stack]

UNIT = "P15"


def test_the_desk_keeps_the_address_book(page):
    ok = expect()
    log_in(page, "p15.sekretariat")
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Kontrahenci").click()
    ok(page.get_by_role("heading", name="Kontrahenci")).to_be_visible()
    table = page.get_by_role("table", name="Kontrahenci")
    ok(table.locator("tbody tr").filter(has_text="Szkoła Podstawowa nr 1 w Lublinie")).to_contain_text("jednostka miasta")
    ok(page.get_by_test_id("contractors-count")).to_contain_text("164 kontrahentów")  # the other city units

    page.get_by_role("button", name="Dodaj kontrahenta").click()
    dialog = page.get_by_role("dialog", name="Nowy kontrahent")
    dialog.get_by_label("Adres do e-Doręczeń").fill("AE:PL-123")
    dialog.get_by_role("button", name="Zapisz").click()
    ok(dialog.get_by_text("Podaj nazwę instytucji.")).to_be_visible()
    ok(dialog.get_by_text("Adres do e-Doręczeń w postaci AE:PL-12345-67890-ABCDE-12.")).to_be_visible()
    dialog.get_by_label("Nazwa instytucji").fill("Kuratorium Oświaty w Lublinie")
    dialog.get_by_label("Adres do e-Doręczeń").fill("AE:PL-12345-67890-ABCDE-12")
    dialog.get_by_label("Skrytka ePUAP").fill("/kuratorium-lublin/SkrytkaESP")
    shot(page, "contractors-add")
    dialog.get_by_role("button", name="Zapisz").click()
    ok(dialog).to_be_hidden()
    row = table.locator("tbody tr").filter(has_text="Kuratorium Oświaty w Lublinie")
    ok(row).to_contain_text("e-Doręczenia")
    ok(row).to_contain_text("ePUAP")
    ok(row).to_contain_text("książka jednostki")

    page.get_by_role("button", name="Dodaj kontrahenta").click()
    dialog = page.get_by_role("dialog", name="Nowy kontrahent")
    dialog.get_by_text("Osoba", exact=True).click()
    dialog.get_by_label("Imiona").fill("Zofia")
    dialog.get_by_label("Nazwisko").fill("Żółkiewska")
    dialog.get_by_role("button", name="Zapisz").click()
    ok(dialog.get_by_text("Podaj co najmniej jeden adres")).to_be_visible()
    dialog.get_by_label("Kod pocztowy").fill("20-001")
    dialog.get_by_label("Miejscowość").fill("Lublin")
    dialog.get_by_role("button", name="Zapisz").click()
    ok(dialog).to_be_hidden()

    page.get_by_label("Szukaj (nazwa, nazwisko, adres skrytki lub e-Doręczeń)").fill("zolkiewska")
    page.get_by_role("button", name="Szukaj", exact=True).click()
    ok(table.locator("tbody tr")).to_have_count(1)
    ok(page.get_by_test_id("contractors-count")).to_have_text("1 kontrahent")
    person = table.locator("tbody tr").first
    ok(person).to_contain_text("Żółkiewska Zofia")
    ok(person).to_contain_text("poczta")
    person.get_by_role("button", name="Zmień Żółkiewska Zofia").click()
    dialog = page.get_by_role("dialog", name="Zmiana: Żółkiewska Zofia")
    dialog.get_by_label("Ulica i numer").fill("ul. Narutowicza 4")
    dialog.get_by_role("button", name="Zapisz").click()
    ok(dialog).to_be_hidden()
    ok(person).to_contain_text("ul. Narutowicza 4, 20-001 Lublin")
    shot(page, "contractors")
    person.get_by_role("button", name="Usuń Żółkiewska Zofia").click()
    ok(page.get_by_role("status").filter(has_text="Usunięto z książki adresowej")).to_be_visible()
    ok(table.locator("tbody tr")).to_have_count(0)
    ok(page.get_by_test_id("contractors-count")).to_have_text("0 kontrahentów")
    log_out(page)

    log_in(page, "p15.archiwum")
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Kontrahenci").click()
    ok(table.locator("tbody tr").filter(has_text="Kuratorium Oświaty w Lublinie")).to_have_count(1)
    ok(page.get_by_role("button", name="Dodaj kontrahenta")).to_have_count(0)
    ok(page.get_by_role("button", name="Zmień Kuratorium Oświaty w Lublinie")).to_have_count(0)

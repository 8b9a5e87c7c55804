"""The unit administrator's page `Użytkownicy jednostki` in a real browser on the local
stack: the administrator adds a user (errors under the fields, in Polish), hands over the
temporary password, and the new user logs in, sets their own password and sees their
unit; roles are changed, the account deactivated (the user cannot log in) and reactivated,
the password reset. Other roles do not get the page.

Units used here and nowhere else: LO14.
"""

from __future__ import annotations

import time

import pytest

from portal_kit import expect, log_in, log_out, shot

pytestmark = [pytest.mark.stack]

UNIT, ADMIN = "LO14", "lo14.admin"
NEW_PASSWORD = "Moje-Haslo-2026"


def _open_users(page):
    page.get_by_role("link", name="Użytkownicy jednostki").click()
    expect()(page.get_by_role("heading", name="Użytkownicy jednostki")).to_be_visible()


def _fill(page, login: str) -> None:
    form = page.get_by_role("form", name="Dodaj użytkownika")
    form.get_by_label("Login", exact=True).fill(login)
    form.get_by_label("Imię i nazwisko").fill("Katarzyna Nowak")
    form.get_by_label("Stanowisko").fill("pedagog szkolny")
    form.get_by_label("Komórka").click()
    page.get_by_role("option", name="KAD — Kadry").click()
    form.get_by_label("E-mail").fill("k.nowak@example.org")
    form.get_by_role("checkbox", name="referent").check()


def test_the_administrator_adds_a_user_who_then_logs_in(page, api):
    ok = expect()
    login = f"lo14.nowak{time.time_ns() % 10**8}"
    log_in(page, ADMIN)
    _open_users(page)
    table = page.get_by_role("table", name=f"Użytkownicy jednostki {UNIT}")
    for header in ("Login", "Imię i nazwisko", "Stanowisko", "Komórka", "Role", "Stan", "Działania"):
        ok(table.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    ok(table.locator("tbody tr")).to_have_count(5)  # the demo users: not demo data only, but the directory's
    ok(page.get_by_test_id("users-count")).to_have_text("5 użytkowników, w tym aktywnych: 5")

    # Errors under the fields, in Polish, before anything is sent...
    form = page.get_by_role("form", name="Dodaj użytkownika")
    form.get_by_role("button", name="Dodaj użytkownika").click()
    ok(form).to_contain_text("Podaj login")
    ok(form).to_contain_text("Wybierz komórkę")
    ok(form).to_contain_text("Wybierz co najmniej jedną rolę")
    form.get_by_label("Login", exact=True).fill("lo14.wiśniewska")
    form.get_by_role("button", name="Dodaj użytkownika").click()
    ok(form).to_contain_text("bez polskich znaków")
    # ...and the API's refusal under its field: a login taken.
    _fill(page, "lo14.sekretariat")
    form.get_by_role("button", name="Dodaj użytkownika").click()
    ok(form).to_contain_text("Taki login już istnieje")
    shot(page, "users-add-errors")

    form.get_by_label("Login", exact=True).fill(login)
    form.get_by_role("button", name="Dodaj użytkownika").click()
    ok(page.get_by_test_id("temporary-password-notice")).to_contain_text(f"Dodano użytkownika: {login}")
    temporary = page.get_by_test_id("temporary-password").inner_text().strip()
    assert len(temporary) >= 12
    row = table.locator(f'tbody tr[data-login="{login}"]')
    ok(row).to_contain_text("Katarzyna Nowak")
    ok(row).to_contain_text("referent")
    ok(row).to_contain_text("aktywny")
    ok(page.get_by_test_id("users-count")).to_have_text("6 użytkowników, w tym aktywnych: 6")
    shot(page, "users-added")
    log_out(page)

    # The new user: the temporary password asks for their own, then the portal opens.
    log_in(page, login, temporary)
    ok(page.get_by_label("Nowe hasło", exact=True)).to_be_visible()
    page.get_by_label("Nowe hasło", exact=True).fill("krotkie")
    page.get_by_label("Powtórz nowe hasło").fill("krotkie")
    page.get_by_role("button", name="Zmień hasło i zaloguj").click()
    ok(page.get_by_role("alert", name="Logowanie nieudane")).to_contain_text("co najmniej 12 znaków")
    page.get_by_label("Nowe hasło", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Powtórz nowe hasło").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Zmień hasło i zaloguj").click()
    ok(page.get_by_test_id("user-unit")).to_have_text(UNIT)
    ok(page.get_by_test_id("user-name")).to_have_text("Katarzyna Nowak")
    ok(page.get_by_test_id("user-role")).to_contain_text("referent")
    ok(page.get_by_role("link", name="Użytkownicy jednostki")).to_have_count(0)  # not an administrator
    page.goto(page.url.split("#")[0] + "#/uzytkownicy")
    ok(page.get_by_test_id("no-access")).to_be_visible()
    assert "lo14.admin" not in page.content()  # no user of the unit is in the page
    log_out(page)

    # The administrator changes the roles, deactivates, reactivates and resets.
    log_in(page, ADMIN)
    _open_users(page)
    row = table.locator(f'tbody tr[data-login="{login}"]')
    row.get_by_role("button", name=f"Zmień role: {login}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("checkbox", name="archiwista").check()
    dialog.get_by_role("button", name="Zapisz zmiany").click()
    ok(row).to_contain_text("referent, archiwista")
    me = api.call("POST", "/auth/login", json_body={"login": login, "password": NEW_PASSWORD})
    assert me.status == 200 and me.body["user"]["roles"] == ["case_officer", "archivist"]

    row.get_by_role("button", name=f"Dezaktywuj: {login}").click()
    ok(row).to_contain_text("nieaktywny")
    ok(page.get_by_test_id("users-count")).to_have_text("6 użytkowników, w tym aktywnych: 5")
    assert api.call("POST", "/auth/login", json_body={"login": login, "password": NEW_PASSWORD}).status == 401
    # One's own account cannot be deactivated from here.
    ok(table.locator(f'tbody tr[data-login="{ADMIN}"]').get_by_role("button", name=f"Dezaktywuj: {ADMIN}")).to_be_disabled()
    row.get_by_role("button", name=f"Aktywuj: {login}").click()
    ok(row.get_by_role("button", name=f"Dezaktywuj: {login}")).to_be_visible()
    row.get_by_role("button", name=f"Resetuj hasło: {login}").click()
    ok(page.get_by_test_id("temporary-password-notice")).to_contain_text(f"Hasło zresetowane: {login}")
    reset = page.get_by_test_id("temporary-password").inner_text().strip()
    assert reset != temporary
    shot(page, "users-reset")
    assert api.call("POST", "/auth/login", json_body={"login": login, "password": NEW_PASSWORD}).status == 401
    again = api.call("POST", "/auth/login", json_body={"login": login, "password": reset})
    assert again.status == 403 and again.body["error_code"] == "PASSWORD_CHANGE_REQUIRED"


def test_the_page_is_only_for_unit_administrators(page):
    ok = expect()
    log_in(page, "lo14.sekretariat")
    ok(page.get_by_test_id("user-unit")).to_have_text(UNIT)
    ok(page.get_by_role("link", name="Użytkownicy jednostki")).to_have_count(0)
    page.goto(page.url.split("#")[0] + "#/uzytkownicy")
    ok(page.get_by_test_id("no-access")).to_be_visible()
    assert "lo14.admin" not in page.content()  # no user of the unit is in the page

"""The web portal in a real browser (Debian's chromium driven by Playwright) on the local
stack: the registry clerk logs in, sees their unit and role, reads the incoming register
of letters delivered through the ePUAP simulator and registered from paper, pages and
filters it, survives an expired session without losing the page, and logs out.

Units used here and nowhere else: SP35 (the register), SP36 (a wrong password).
Screenshots of the screens go to portal/test-results/ (not committed) for people to look at.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ezd import clock
from portal_kit import PASSWORD, expect as _expect, log_in as _log_in, shot as _shot

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT = "SP35"


MONTHS = ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
          "października", "listopada", "grudnia"]


def _polish_time(iso: str) -> str:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Warsaw"))
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def _person(first: str, surname: str) -> dict:
    return {"kind": "person", "first_names": first, "surname": surname, "town": "Lublin", "country": "PL"}


@pytest.fixture(scope="module")
def sp35_register(deliverer, paper_desk):
    """Twelve letters in SP35's register: three through ePUAP, nine on paper (four by
    courier from Piotr Nowak, four by post from Anna Zielińska, one in person from Maria
    Wiśniewska)."""
    from ezd.samples.letters import make_letter

    stamp = clock.now_utc().strftime("%H%M%S%f")
    for n in range(1, 4):
        deliverer.deliver(UNIT, make_letter(title=f"Wniosek elektroniczny {n} ({stamp})"))

    def paper(n: int) -> None:
        channel, sender = (("courier", _person("Piotr", "Nowak")) if n <= 4 else
                           ("post", _person("Anna", "Zielińska")) if n <= 8 else
                           ("in_person", _person("Maria", "Wiśniewska")))
        response = paper_desk.submit(UNIT, {
            "channel": channel,
            "received_at": clock.now_utc().isoformat(),
            "metadata": {"title": f"Pismo papierowe {n}", "access": "niepubliczny", "sender": sender},
        }, wait=20)
        assert response.status == 201, response.body

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(paper, range(1, 10)))
    return 12


def test_the_portal_is_served_on_the_api_origin(api):
    index = api.call("GET", "/")
    assert index.status == 200
    assert index.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in index.headers["Content-Security-Policy"]
    asset = re.search(r'src="(/assets/[^"]+\.js)"', index.raw.decode()).group(1)
    script = api.call("GET", asset)
    assert script.status == 200 and "javascript" in script.headers["Content-Type"]
    # The API is unchanged beside it, and describes itself without a token.
    assert api.call("GET", "/units/SP35/registry").status == 401
    assert api.call("GET", "/nothing-here").status == 403
    assert api.call("GET", "/assets/../../pyproject.toml").status in (403, 404)
    described = api.call("GET", "/openapi.json")
    assert described.status == 200 and "/units/{unit}/registry" in described.body["paths"]


def test_a_wrong_password_is_refused_in_polish(page):
    expect = _expect()
    _log_in(page, "sp36.sekretariat", "to-nie-jest-haslo")
    expect(page.get_by_role("alert")).to_contain_text("Nieprawidłowy login lub hasło.")
    expect(page.get_by_label("Login", exact=True)).to_have_value("sp36.sekretariat")
    expect(page.get_by_role("button", name="Wyloguj")).to_have_count(0)
    assert page.evaluate("() => sessionStorage.getItem('ezd.token')") is None  # no session at all
    _shot(page, "login-wrong-password")


def test_the_registry_clerk_reads_pages_and_filters_the_register(page, api, sp35_register):
    expect = _expect()
    expect(page.get_by_role("heading", name="Logowanie do EZD")).to_be_visible()
    _shot(page, "login")
    _log_in(page, "sp35.sekretariat")

    # Who is logged in: name, unit and role.
    expect(page.get_by_test_id("user-unit")).to_have_text(UNIT)
    expect(page.get_by_test_id("user-role")).to_contain_text("sekretariat")
    expect(page.get_by_test_id("user-name")).not_to_be_empty()
    assert page.evaluate("() => sessionStorage.getItem('ezd.token')")

    # The register: a table with headers, newest first, 20 a page by default.
    expect(page.get_by_role("heading", name="Rejestr przesyłek wpływających")).to_be_visible()
    table = page.get_by_role("table", name=f"Rejestr przesyłek wpływających {UNIT}")
    for header in ("Numer", "Data wpływu", "Nadawca", "Dotyczy", "Kanał", "Podpis"):
        expect(table.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(sp35_register)
    year = api.call("GET", f"/units/{UNIT}/registry?limit=1", user="sp35.sekretariat").body["items"][0]["year"]
    expect(rows.first.locator("td").first).to_have_text(f"RPW/{sp35_register}/{year}")
    expect(rows.last.locator("td").first).to_have_text(f"RPW/1/{year}")
    expect(table).to_contain_text("Wniosek elektroniczny 1")
    expect(table).to_contain_text("ePUAP")
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 12 przesyłek (pozycje 1–12)")
    # The date of receipt in Polish, in Warsaw time: "1 maja 2027, 01:30".
    newest = api.call("GET", f"/units/{UNIT}/registry?limit=1", user="sp35.sekretariat").body["items"][0]
    expect(rows.first.locator("td").nth(1)).to_have_text(_polish_time(newest["received_at"]))
    _shot(page, "register")

    # Paging by the API's cursor: 10 a page.
    page.get_by_role("combobox", name="Na stronie").click()
    page.get_by_role("option", name="10", exact=True).click()
    page.get_by_role("button", name="Filtruj").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 10 przesyłek (pozycje 1–10)")
    expect(page.get_by_role("button", name="Poprzednia strona")).to_be_disabled()
    page.get_by_role("button", name="Następna strona").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 2: 2 przesyłki (pozycje 11–12)")
    expect(rows.last.locator("td").first).to_have_text(f"RPW/1/{year}")
    expect(page.get_by_role("button", name="Następna strona")).to_be_disabled()
    page.get_by_role("button", name="Poprzednia strona").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 10 przesyłek (pozycje 1–10)")
    expect(rows.first.locator("td").first).to_have_text(f"RPW/{sp35_register}/{year}")

    # Filters the API supports: the channel, the sender.
    page.get_by_role("combobox", name="Kanał").click()
    page.get_by_role("option", name="kurier", exact=True).click()
    page.get_by_role("button", name="Filtruj").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 4 przesyłki (pozycje 1–4)")
    expect(rows).to_have_count(4)
    for n in range(4):
        expect(rows.nth(n).locator("td").nth(4)).to_have_text("kurier")
    page.get_by_role("combobox", name="Kanał").click()
    page.get_by_role("option", name="osobiście", exact=True).click()
    page.get_by_role("button", name="Filtruj").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 1 przesyłka (pozycje 1–1)")
    expect(rows.first.locator("td").nth(2)).to_contain_text("Wiśniewska")
    page.get_by_role("button", name="Wyczyść").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 12 przesyłek (pozycje 1–12)")
    # Days of receipt are Polish days (the register's own, should the letters straddle
    # midnight): the letters are within their days, none after the last.
    days = sorted(e["received_date"] for e in api.call(
        "GET", f"/units/{UNIT}/registry", user="sp35.sekretariat").body["items"])
    first_day, last_day = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    page.get_by_label("Data wpływu od", exact=True).fill(first_day.strftime("%d.%m.%Y"))  # typed the Polish way
    page.keyboard.press("Escape")  # close the calendar, as after typing a whole date
    page.get_by_label("Data wpływu do", exact=True).fill(last_day.strftime("%d.%m.%Y"))
    page.keyboard.press("Escape")  # close the calendar, as after typing a whole date
    page.get_by_role("button", name="Filtruj").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 12 przesyłek (pozycje 1–12)")
    page.get_by_label("Data wpływu od", exact=True).fill((last_day + timedelta(days=1)).strftime("%d.%m.%Y"))
    page.keyboard.press("Escape")  # close the calendar, as after typing a whole date
    page.get_by_label("Data wpływu do", exact=True).fill("")
    page.keyboard.press("Escape")  # close the calendar, as after typing a whole date
    page.get_by_role("button", name="Filtruj").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Brak przesyłek spełniających warunki.")
    expect(rows).to_have_count(0)
    # A range that ends before it starts is refused in the form, in Polish, before any request.
    page.get_by_label("Data wpływu do", exact=True).fill(last_day.strftime("%d.%m.%Y"))
    page.keyboard.press("Escape")  # close the calendar, as after typing a whole date
    page.get_by_role("button", name="Filtruj").click()
    expect(page.get_by_text("Data „do” jest wcześniejsza niż data „od”")).to_be_visible()
    page.get_by_role("button", name="Wyczyść").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 12 przesyłek (pozycje 1–12)")
    page.get_by_label("Nadawca", exact=True).fill("zielińsk")  # any case, part of the name
    page.get_by_role("button", name="Filtruj").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 4 przesyłki (pozycje 1–4)")
    expect(rows.first.locator("td").nth(2)).to_contain_text("Zielińska")
    page.get_by_label("Nadawca", exact=True).fill("ZIELINSKA")  # without the Polish letter
    page.get_by_label("Dotyczy", exact=True).fill("papierowe 7")
    page.get_by_role("button", name="Filtruj").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 1 przesyłka (pozycje 1–1)")
    expect(rows.first.locator("td").nth(3)).to_have_text("Pismo papierowe 7")
    page.get_by_label("Dotyczy", exact=True).fill("")
    page.get_by_label("Nadawca", exact=True).fill("zielińsk")
    page.get_by_role("button", name="Filtruj").click()
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 4 przesyłki (pozycje 1–4)")
    _shot(page, "register-filtered")

    # The session expires: the login comes back as a modal over the page, which keeps what
    # was typed and shows the answer once logged in again.
    page.evaluate("() => sessionStorage.setItem('ezd.token', 'wygasly.token')")
    page.get_by_label("Nadawca", exact=True).fill("nowak")
    page.get_by_role("button", name="Filtruj").click()
    dialog = page.get_by_role("dialog", name="Sesja wygasła — zaloguj się ponownie")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Login", exact=True)).to_have_value("sp35.sekretariat")
    _shot(page, "session-expired")
    dialog.get_by_label("Hasło", exact=True).fill(PASSWORD)
    dialog.get_by_role("button", name="Zaloguj", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_label("Nadawca", exact=True)).to_have_value("nowak")
    expect(page.get_by_test_id("register-count")).to_have_text("Strona 1: 4 przesyłki (pozycje 1–4)")

    # Logging out forgets the token and shows the login form.
    page.get_by_role("button", name="Wyloguj").click()
    expect(page.get_by_role("button", name="Zaloguj", exact=True)).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('ezd.token')") is None

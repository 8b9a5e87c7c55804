"""A sealed answer sent by post in the browser: the officer dispatches it from its page,
the registry desk finds it under "Do nadania", posts it with its numer nadawczy (a wrong
check digit is refused), and it is in the day's postal book (printable, CSV) and the
outgoing register. P23 is this file's unit and no other test's."""

from __future__ import annotations

import csv
import io

import pytest

from ezd.samples.letters import sample_pdf
from portal_kit import expect, log_in, log_out, shot
from testkit import post_form

pytestmark = pytest.mark.stack

UNIT = "P23"
CLERK, DIRECTOR, OFFICER = (f"p23.{s}" for s in ("sekretariat", "dyrektor", "kadry"))


def _sealed_answer(api) -> str:
    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "051", "title": "Wniosek o kopię dokumentów", "cell": "KAD", "officer": OFFICER})
    assert opened.status == 201, opened.body
    person = api.call("POST", f"/units/{UNIT}/contractors", user=OFFICER, json_body={
        "kind": "person", "first_names": "Halina", "surname": "Górska", "street": "ul. Ogrodowa 12",
        "postal_code": "20-075", "town": "Lublin"}).body["contractor_id"]
    content = sample_pdf(2500, seed=231)
    ticket = api.call("POST", f"/units/{UNIT}/uploads", user=OFFICER,
                      json_body={"filename": "odpowiedz.pdf", "size": len(content), "purpose": "draft"}).body
    assert post_form(ticket["url"], ticket["fields"], content, "odpowiedz.pdf") in (200, 201, 204)
    created = api.call("POST", f"/units/{UNIT}/cases/{opened.body['ref']}/outgoing", user=OFFICER, json_body={
        "title": "Przesłanie kopii dokumentów", "upload_id": ticket["upload_id"],
        "addressees": [{"contractor_id": person}]})
    assert created.status == 201, created.body
    path = f"/units/{UNIT}/outgoing/{created.body['document']['outgoing_id']}"
    assert api.call("POST", f"{path}/submit", user=OFFICER).status == 200
    assert api.call("POST", f"{path}/decision", user=DIRECTOR, json_body={"decision": "approved"}).status == 200
    assert api.call("POST", f"{path}/seal", user=OFFICER).status == 200
    return created.body["document"]["outgoing_id"], opened.body["ref"]


def test_the_officer_sends_by_post_and_the_registry_desk_posts_it(page, api):
    outgoing_id, ref = _sealed_answer(api)
    ok = expect()
    log_in(page, OFFICER)
    ok(page.get_by_test_id("user-unit")).to_have_text(UNIT)
    page.goto(page.url.split("#")[0] + f"#/pisma/{outgoing_id}")
    ok(page.get_by_test_id("outgoing-status")).to_have_text("podpisany")
    ok(page.get_by_role("combobox", name="Sposób wysyłki: Górska Halina")).to_have_value("poczta – list polecony")
    page.get_by_role("button", name="Wyślij").click()
    ok(page.get_by_test_id("outgoing-notice")).to_have_text("Pismo przekazano do wysyłki.")
    ok(page.get_by_test_id("outgoing-status")).to_have_text("wysłany")
    items = page.get_by_role("table", name="Przesyłki w rejestrze wychodzącym")
    ok(items).to_contain_text("czeka na nadanie")
    number = items.locator("tbody tr").first.locator("td").first.inner_text()
    assert number.startswith("RPWy/")
    log_out(page)

    log_in(page, CLERK)
    menu = page.get_by_role("navigation", name="Menu główne")
    menu.get_by_role("link", name="Do nadania").click()
    ok(page.get_by_test_id("tray-count")).to_have_text("Czeka na nadanie: 1 przesyłka")
    page.get_by_label(f"Numer nadawczy {number}").fill("RR473124828PL")
    page.get_by_role("button", name="Nadaj").click()
    ok(page.get_by_text("Numer nadawczy jest nieprawidłowy albo już użyty.")).to_be_visible()
    page.get_by_label(f"Numer nadawczy {number}").fill("RR473124829PL")
    page.get_by_role("combobox", name=f"Usługa {number}").click()
    page.get_by_role("option", name="list polecony za potwierdzeniem odbioru").click()
    shot(page, "postal-tray")
    page.get_by_role("button", name="Nadaj").click()
    ok(page.get_by_test_id("posted-notice")).to_contain_text(f"Nadano {number} (nr RR473124829PL)")
    ok(page.get_by_test_id("tray-count")).to_have_text("Nic nie czeka na nadanie.")

    menu.get_by_role("link", name="Książka nadawcza").click()
    ok(page.get_by_test_id("book-count")).to_contain_text("1 przesyłka, opłata razem 14,00")
    book = page.get_by_role("table", name="Książka nadawcza", exact=False)
    ok(book).to_contain_text("Górska Halina")
    ok(book).to_contain_text("ul. Ogrodowa 12, 20-075 Lublin")
    ok(book).to_contain_text("list polecony za potwierdzeniem odbioru")
    shot(page, "postal-book")
    with page.expect_download() as download:
        page.get_by_role("button", name="Pobierz CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [(r["tracking_number"], r["price_pln"]) for r in rows] == [("RR473124829PL", "14.00")]

    menu.get_by_role("link", name="Rejestr przesyłek wychodzących").click()
    register = page.get_by_role("table", name=f"Rejestr przesyłek wychodzących {UNIT}")
    ok(register.locator("tbody tr").first).to_contain_text(number)
    ok(register.locator("tbody tr").first).to_contain_text("nadany")
    ok(register.locator("tbody tr").first).to_contain_text("nr RR473124829PL")
    shot(page, "outgoing-register")
    log_out(page)

    # The case is closed as settled by that letter.
    log_in(page, OFFICER)
    ok(page.get_by_test_id("user-unit")).to_have_text(UNIT)
    page.goto(page.url.split("#")[0] + f"#/sprawy/{ref}")
    page.get_by_role("button", name="Zakończ sprawę").click()
    dialog = page.get_by_role("dialog", name="Zakończenie sprawy")
    dialog.get_by_label("Sposób załatwienia sprawy").fill("Przesłano kopie dokumentów")
    dialog.get_by_role("combobox", name="Załatwiona pismem").click()
    page.get_by_role("option", name=f"{number}: Przesłanie kopii dokumentów — Górska Halina").click()
    dialog.get_by_role("button", name="Zakończ sprawę").click()
    ok(page.get_by_test_id("case-status")).to_contain_text("zakończona")
    ok(page.get_by_text("Załatwiona pismem")).to_be_visible()
    ok(page.get_by_role("region", name="Dane sprawy")).to_contain_text(number)

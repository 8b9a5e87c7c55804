"""Keyboard only: the journeys of the registry clerk, the director and the case officer
done without a mouse — Tab to reach, Enter and Space to act, arrows in lists, typing in
fields. A control the Tab key cannot reach, or one that does nothing without a click,
fails here.

P4 is this file's unit and no other test's.
"""

from __future__ import annotations

import re

import pytest

from ezd import clock
from ezd.adapters import routing_store
from ezd.samples.letters import make_letter, sample_pdf
from portal_kit import expect, keyboard_log_in, keyboard_log_out, keyboard_open_menu, shot, tab_to, type_into
from testkit import wait_for

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT = "P4"
TITLE = "Prośba o zgodę na wyjście grupy do teatru lalek"


def _waiting(document_id: str, what: str) -> bool:
    state = routing_store.get_routing(document_id)
    return bool(state and state.pending_token and state.waiting_for == what)


def test_classify_decree_accept_open_and_close_a_case_by_keyboard(page, api, deliverer):
    ok = expect()
    doc = deliverer.deliver(UNIT, make_letter(title=TITLE)).document_id
    wait_for(lambda: _waiting(doc, "classification"), what="the registry desk's classification")
    number = api.call("GET", f"/units/{UNIT}/documents/{doc}", user="p4.sekretariat").body["entry"]["registry_number"]

    # The clerk classifies it from the searchable tree.
    keyboard_log_in(page, "p4.sekretariat")
    keyboard_open_menu(page, "Do klasyfikacji")
    tab_to(page, page.get_by_role("button", name=f"Klasyfikuj {number}"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=f"Klasyfikacja: {number}")
    type_into(page, dialog.get_by_label("Szukaj w wykazie akt (symbol lub hasło)"), "wycieczki")
    tab_to(page, dialog.get_by_role("button", name="424 Wycieczki i wyjścia"))
    page.keyboard.press("Space")
    tab_to(page, dialog.get_by_role("button", name="Nadaj klasę 424"))
    shot(page, "keyboard-classify")
    page.keyboard.press("Enter")
    ok(dialog).to_be_hidden()
    wait_for(lambda: _waiting(doc, "decision"), what="the model's decretation")
    keyboard_log_out(page)

    # The director takes it back from the model's komórka and decrees it to a person.
    api.call("POST", f"/units/{UNIT}/documents/{doc}/return", user="p4.dyrektor",
             json_body={"reason": "Proszę o przydział"})
    wait_for(lambda: _waiting(doc, "redecretation"), what="a manager's redecretation")
    keyboard_log_in(page, "p4.dyrektor")
    keyboard_open_menu(page, "Do dekretacji")
    tab_to(page, page.get_by_role("button", name=f"Dekretuj {number}"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=f"Dekretacja: {number}")
    type_into(page, dialog.get_by_role("combobox", name="Dla"), "Wójcik")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    ok(dialog.get_by_role("combobox", name="Dla")).to_have_value(re.compile("Maria Wójcik"))
    type_into(page, dialog.get_by_label("Uwagi (polecenie)"), "Proszę przygotować zgodę")
    tab_to(page, dialog.get_by_role("button", name="Dekretuj"))
    shot(page, "keyboard-decree")
    page.keyboard.press("Enter")
    ok(dialog).to_be_hidden()
    wait_for(lambda: _waiting(doc, "decision"), what="the assignee's decision")
    keyboard_log_out(page)

    # The officer accepts it, opens a case from it and closes the case. They start on their
    # own first page, not on the director's page left in the address at logging out.
    keyboard_log_in(page, "p4.kadry")
    ok(page.get_by_role("heading", name="Moje zadania")).to_be_visible()
    row = page.get_by_role("table", name="Moje zadania").locator("tbody tr").filter(has_text=TITLE)
    tab_to(page, row.get_by_role("button", name="Przyjmij"))
    page.keyboard.press("Enter")
    done = page.get_by_test_id("inbox-done")
    ok(done).to_contain_text(f"Przyjęto do załatwienia: {number}")
    tab_to(page, done.get_by_role("link", name="Załóż sprawę z tego pisma"))
    page.keyboard.press("Enter")
    ok(page.get_by_role("heading", name="Nowa sprawa")).to_be_visible()
    ok(page.get_by_role("radio", name="424 Wycieczki i wyjścia")).to_be_checked()
    # Tab reaches the group's chosen term; the arrows move the choice within the group.
    terms = page.get_by_role("radiogroup", name=re.compile("Termin załatwienia"))
    tab_to(page, terms.get_by_role("radio", checked=True))
    month = terms.get_by_role("radio", name="1 miesiąc", exact=True)
    for _ in range(len(["immediate", "one_month", "two_months", "appeal", "certificate", "complaint", "none"])):
        if month.is_checked():
            break
        page.keyboard.press("ArrowUp")
    ok(month).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Załóż sprawę"))
    page.keyboard.press("Enter")
    ok(page.get_by_test_id("case-ref")).to_have_text(re.compile(rf"^KAD\.424\.\d+\.{clock.today().year}$"))
    tab_to(page, page.get_by_role("button", name="Zakończ sprawę"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Zakończenie sprawy")
    type_into(page, dialog.get_by_label("Sposób załatwienia sprawy"), "Wyrażono zgodę pismem")
    tab_to(page, dialog.get_by_role("button", name="Zakończ sprawę"))
    page.keyboard.press("Enter")
    ok(page.get_by_test_id("case-status")).to_have_text("zakończona")
    shot(page, "keyboard-case-closed")


def _file_chooser_by_keyboard(page, control):
    """Enter on the control opens the file dialog. Headless chromium on a loaded machine has
    been seen to drop the first dialog; a person would press Enter again, and so may the test
    (the control must still have the focus: the keyboard alone gets there)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        tab_to(page, control)
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Enter")
            return chooser.value
        except PlaywrightTimeout:
            continue
    raise AssertionError("Enter on the scan zone never opened the file dialog")


def test_register_a_paper_letter_by_keyboard(page):
    ok = expect()
    keyboard_log_in(page, "p4.sekretariat")
    keyboard_open_menu(page, "Rejestracja pisma papierowego")
    ok(page.get_by_role("heading", name="Rejestracja pisma papierowego")).to_be_visible()
    # The drop zone is a button: Enter opens the file dialog.
    chooser = _file_chooser_by_keyboard(page, page.get_by_test_id("scan-drop"))
    chooser.set_files(files=[{"name": "skan.pdf", "mimeType": "application/pdf",
                                    "buffer": sample_pdf(9_000, seed=clock.now_utc().microsecond + 4)}])
    ok(page.get_by_test_id("upload-progress")).to_have_text("przesłano")
    type_into(page, page.get_by_label("Imiona"), "Tomasz")
    type_into(page, page.get_by_label("Nazwisko"), "Nowicki")
    type_into(page, page.get_by_label("Miejscowość"), "Lublin")
    type_into(page, page.get_by_label("Dotyczy (tytuł)"), "Wniosek o przyjęcie do przedszkola")
    tab_to(page, page.get_by_role("button", name="Zarejestruj", exact=True))
    page.keyboard.press("Enter")
    registered = page.get_by_role("status").filter(has_text="Zarejestrowano")
    ok(registered).to_be_visible(timeout=40_000)
    # The number links to the document: Enter opens it.
    tab_to(page, registered.get_by_role("link"))
    page.keyboard.press("Enter")
    ok(page.get_by_text("Wniosek o przyjęcie do przedszkola").first).to_be_visible()
    shot(page, "keyboard-paper-document")


def test_return_with_a_remark_then_approve_and_seal_an_answer_by_keyboard(page, api):
    """The director's approval of an answer, without a mouse: the queue, the document, a
    remark typed and the return; a new version later; the approval and the seal."""
    from testkit import post_form

    ok = expect()
    director, officer = "p4.dyrektor", "p4.kadry"
    opened = api.call("POST", f"/units/{UNIT}/cases", user=director, json_body={
        "jrwa_symbol": "051", "title": "Zapytanie o zajęcia dodatkowe", "cell": "KAD", "officer": officer}).body

    def upload(seed: int) -> str:
        content = sample_pdf(2000, seed=seed)
        ticket = api.call("POST", f"/units/{UNIT}/uploads", user=officer,
                          json_body={"filename": "odpowiedz.pdf", "size": len(content), "purpose": "draft"}).body
        assert post_form(ticket["url"], ticket["fields"], content, "odpowiedz.pdf") in (200, 201, 204)
        return ticket["upload_id"]

    draft = api.call("POST", f"/units/{UNIT}/cases/{opened['ref']}/outgoing", user=officer, json_body={
        "title": "Odpowiedź o zajęciach dodatkowych", "upload_id": upload(41),
        "addressees": [{"contractor_id": "unit-WOIW"}]}).body["document"]
    path = f"/units/{UNIT}/outgoing/{draft['outgoing_id']}"
    assert api.call("POST", f"{path}/submit", user=officer).status == 200

    keyboard_log_in(page, director)
    keyboard_open_menu(page, "Do akceptacji")
    tab_to(page, page.get_by_role("link", name="Odpowiedź o zajęciach dodatkowych"))
    page.keyboard.press("Enter")
    ok(page.get_by_test_id("outgoing-status")).to_have_text("w akceptacji")
    type_into(page, page.get_by_label("Uwagi"), "Proszę podać godziny zajęć.")
    tab_to(page, page.get_by_role("button", name="Zwróć do poprawy"))
    page.keyboard.press("Enter")
    ok(page.get_by_test_id("outgoing-status")).to_have_text("projekt")

    assert api.call("POST", f"{path}/versions", user=officer, json_body={"upload_id": upload(42)}).status == 200
    assert api.call("POST", f"{path}/submit", user=officer).status == 200
    page.reload()
    ok(page.get_by_test_id("outgoing-status")).to_have_text("w akceptacji")
    tab_to(page, page.get_by_role("button", name="Akceptuję"))
    page.keyboard.press("Enter")
    ok(page.get_by_test_id("outgoing-status")).to_have_text("zaakceptowany")
    tab_to(page, page.get_by_role("button", name="Opatrz pieczęcią jednostki"))
    page.keyboard.press("Enter")
    ok(page.get_by_test_id("outgoing-status")).to_have_text("podpisany")
    shot(page, "keyboard-outgoing-sealed")
    keyboard_log_out(page)

"""The case officer's screens in a real browser on the local stack: letters delivered
through the ePUAP simulator, classified by the registry desk and decreed by the director
through the API; then, in the portal, the case officer sees them in "Moje zadania" with
their deadlines in words (and colours), accepts one, opens a case on it in a JRWA leaf
class with an art. 35 KPA term, suspends and resumes the clock, closes the case with the
way it was settled, finds it in the spis spraw, reads its metryka with the verification
result (also as printed) and reopens it; another letter is returned with a reason.

Units used here and nowhere else: SP39.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from datetime import timedelta

import pytest

from ezd import clock
from ezd.adapters import routing_store
from ezd.samples.letters import make_letter
from portal_kit import SCREENSHOTS, expect, log_in, shot
from testkit import wait_for

pytestmark = [pytest.mark.stack]

UNIT = "SP39"
OFFICER = "sp39.kadry"
LEAVE = "Wniosek o urlop bezpłatny — nauczycielka A. Maj"
TRAINING = "Zgłoszenie na szkolenie z pierwszej pomocy"
LATE = "Prośba o korektę ewidencji czasu pracy za październik"
SETTLEMENT = "Udzielono urlopu bezpłatnego od 1 lutego; pismo do wnioskodawczyni"
RETURN_REASON = "Szkolenia BHP prowadzi administracja, nie kadry"


def _waiting_for(document_id: str, what: str) -> bool:
    state = routing_store.get_routing(document_id)
    return bool(state and state.pending_token and state.waiting_for == what)


def _decreed_to_officer(api, deliverer, title: str, deadline_days: int) -> dict:
    """A letter classified by the desk (JRWA 150) and decreed by the director to the officer."""
    raw = make_letter(title=title, sender_reference=f"PO/{time.time_ns() % 10**9}/2026")
    doc = deliverer.deliver(UNIT, raw).document_id
    wait_for(lambda: _waiting_for(doc, "classification"), what="the registry desk's classification")
    classified = api.call("POST", f"/units/{UNIT}/documents/{doc}/classification", user="sp39.sekretariat",
                          json_body={"jrwa_symbol": "150"})
    assert classified.status == 200, classified.body
    wait_for(lambda: _waiting_for(doc, "decision"), what="the model's decretation")
    deadline = clock.today() + timedelta(days=deadline_days)
    decreed = api.call("POST", f"/units/{UNIT}/documents/{doc}/decretations", user="sp39.dyrektor",
                       json_body={"login": OFFICER, "note": "Proszę o załatwienie", "deadline": deadline.isoformat()})
    assert decreed.status == 200, decreed.body
    wait_for(lambda: _waiting_for(doc, "decision"), what="the officer's decision")
    number = api.call("GET", f"/units/{UNIT}/documents/{doc}", user="sp39.sekretariat").body["entry"]["registry_number"]
    return {"document_id": doc, "number": number, "title": title}


@pytest.fixture(scope="module")
def letters(stack, api, deliverer):
    return {
        "leave": _decreed_to_officer(api, deliverer, LEAVE, 12),
        "training": _decreed_to_officer(api, deliverer, TRAINING, 2),
        "late": _decreed_to_officer(api, deliverer, LATE, -1),
    }


def _inbox_row(page, title: str):
    return page.get_by_role("table", name="Moje zadania").locator("tbody tr").filter(has_text=title)


def test_the_officer_accepts_opens_suspends_closes_and_reads_the_metryka(page, api, letters):
    ok = expect()
    year = clock.today().year
    log_in(page, OFFICER)
    ok(page.get_by_role("heading", name="Moje zadania")).to_be_visible()
    menu = page.get_by_role("navigation", name="Menu główne")
    ok(menu.get_by_role("link", name="Moje zadania")).to_be_visible()
    ok(menu.get_by_role("link", name="Spis spraw")).to_be_visible()

    # Deadlines in words, the colour only repeats them.
    leave = _inbox_row(page, LEAVE)
    ok(leave).to_have_count(1)
    ok(leave).to_contain_text("do załatwienia")
    ok(leave).to_contain_text("osobiście")
    ok(leave.locator("[data-urgency]")).to_have_attribute("data-urgency", "later")
    ok(leave.locator("[data-urgency]")).to_have_text(re.compile(r"^zostało 1[12] dni$"))
    training = _inbox_row(page, TRAINING)
    ok(training.locator("[data-urgency]")).to_have_attribute("data-urgency", "soon")
    ok(training.locator("[data-urgency]")).to_have_text(re.compile(r"^(zostały [23] dni|termin upływa jutro)$"))
    late = _inbox_row(page, LATE)
    ok(late.locator("[data-urgency]")).to_have_attribute("data-urgency", "overdue")
    ok(late.locator("[data-urgency]")).to_have_text(re.compile(r"^po terminie: [12] d"))
    ok(page.get_by_test_id("inbox-count")).to_contain_text(re.compile(r"\d+ zada(nia|ń)"))
    shot(page, "cases-inbox")

    leave.get_by_role("button", name="Przyjmij").click()
    done = page.get_by_test_id("inbox-done")
    ok(done).to_contain_text(f"Przyjęto do załatwienia: {letters['leave']['number']}")
    ok(_inbox_row(page, LEAVE)).to_have_count(0)
    done.get_by_role("link", name="Załóż sprawę z tego pisma").click()

    # Opening the case: the letter's title and its class are proposed; parents are not choices.
    ok(page.get_by_role("heading", name="Nowa sprawa")).to_be_visible()
    ok(page.get_by_label("Tytuł sprawy")).to_have_value(LEAVE)
    ok(page.get_by_role("radio", name="150 Ewidencja czasu pracy, urlopy")).to_be_checked()
    page.get_by_label("Szukaj w wykazie akt (symbol lub słowo z hasła)").fill("urlopy")
    tree = page.get_by_test_id("jrwa-tree")
    ok(tree.get_by_role("radio")).to_have_count(1)
    ok(tree.get_by_test_id("jrwa-parent").filter(has_text="15 Dyscyplina pracy")).to_have_count(1)
    ok(tree.get_by_role("radio", name=re.compile(r"^15 "))).to_have_count(0)
    ok(page.get_by_text("Art. 35 § 3 KPA: sprawa szczególnie skomplikowana")).to_be_visible()
    page.get_by_role("radio", name="1 miesiąc", exact=True).check()
    shot(page, "cases-open")
    page.get_by_role("button", name="Załóż sprawę").click()

    # The case view.
    ref_heading = page.get_by_test_id("case-ref")
    ok(ref_heading).to_have_text(re.compile(rf"^KAD\.150\.\d+\.{year}$"))
    ref = ref_heading.inner_text()
    assert f"#/sprawy/{urllib.parse.quote(ref)}" in page.url
    ok(page.get_by_test_id("case-status")).to_have_text("w toku")
    data = page.get_by_role("region", name="Dane sprawy")
    ok(data).to_contain_text("Maria Wójcik")
    ok(data).to_contain_text("150 Ewidencja czasu pracy, urlopy")
    ok(data).to_contain_text("Kowalski Jan")
    documents = page.get_by_role("table", name="Dokumenty sprawy")
    ok(documents.get_by_role("link", name=letters["leave"]["number"])).to_be_visible()
    ok(page.get_by_test_id("case-documents-count")).to_have_text("1 dokument")
    ok(page.get_by_test_id("case-deadline")).to_contain_text("Ostatni dzień:")
    ok(page.get_by_role("button", name="Podejmij bieg terminu")).to_have_count(0)
    ok(page.get_by_role("button", name="Wznów sprawę")).to_have_count(0)
    shot(page, "cases-case")

    # Suspend (a reason is required), then resume.
    page.get_by_role("button", name="Zawieś bieg terminu").click()
    dialog = page.get_by_role("dialog", name="Zawieszenie biegu terminu")
    dialog.get_by_role("button", name="Zawieś").click()
    ok(dialog.get_by_text("Podaj powód zawieszenia")).to_be_visible()
    dialog.get_by_label("Powód zawieszenia").fill("Oczekiwanie na zaświadczenie lekarskie")
    ok(dialog.get_by_label("Od dnia (pierwszy dzień, którego nie liczy się do terminu)")).to_have_value(
        clock.today().strftime("%d.%m.%Y"))
    shot(page, "cases-suspend-dialog")
    dialog.get_by_role("button", name="Zawieś").click()
    ok(page.get_by_test_id("case-notice")).to_contain_text("Zawieszono bieg terminu")
    ok(page.get_by_test_id("case-deadline")).to_contain_text("bieg terminu zawieszony")
    ok(page.get_by_test_id("case-status")).to_have_text("w toku — zawieszona")
    ok(page.get_by_role("button", name="Zawieś bieg terminu")).to_have_count(0)
    shot(page, "cases-suspended")
    page.get_by_role("button", name="Podejmij bieg terminu").click()
    page.get_by_role("dialog", name="Podjęcie biegu terminu").get_by_role("button", name="Podejmij").click()
    ok(page.get_by_test_id("case-notice")).to_contain_text("Podjęto bieg terminu")
    ok(page.get_by_test_id("case-deadline")).to_contain_text("Ostatni dzień:")
    ok(page.get_by_role("table", name="Zawieszenia biegu terminu").locator("tbody tr")).to_have_count(1)

    # Close with the settlement.
    page.get_by_role("button", name="Zakończ sprawę").click()
    dialog = page.get_by_role("dialog", name="Zakończenie sprawy")
    dialog.get_by_role("button", name="Zakończ sprawę").click()
    ok(dialog.get_by_text("Podaj sposób załatwienia sprawy")).to_be_visible()
    dialog.get_by_label("Sposób załatwienia sprawy").fill(SETTLEMENT)
    dialog.get_by_role("button", name="Zakończ sprawę").click()
    ok(page.get_by_test_id("case-status")).to_have_text("zakończona")
    ok(data).to_contain_text(SETTLEMENT)
    ok(page.get_by_role("button", name="Zakończ sprawę")).to_have_count(0)
    ok(page.get_by_role("button", name="Zawieś bieg terminu")).to_have_count(0)
    ok(page.get_by_role("button", name="Wznów sprawę")).to_be_visible()
    shot(page, "cases-closed")
    case = api.call("GET", f"/units/{UNIT}/cases/{urllib.parse.quote(ref)}", user=OFFICER).body
    assert case["status"] == "closed" and case["settlement"] == SETTLEMENT and len(case["suspensions"]) == 1

    # The spis spraw of the komórka, class and year.
    page.get_by_role("link", name="Spis spraw tej klasy").click()
    spis = page.get_by_role("table", name=f"Spis spraw KAD 150 {year}")
    line = spis.locator("tbody tr").filter(has_text=ref)
    ok(line).to_have_count(1)
    ok(line).to_contain_text(LEAVE)
    ok(line).to_contain_text("Kowalski Jan")
    ok(line).to_contain_text(SETTLEMENT)
    ok(page.get_by_test_id("spis-count")).to_contain_text(re.compile(r"\d+ spraw"))
    ok(page.get_by_test_id("spis-heading")).to_contain_text("klasa 150 Ewidencja czasu pracy, urlopy")
    shot(page, "cases-spis")
    page.emulate_media(media="print")
    ok(page.get_by_role("form", name="Wybór spisu spraw")).to_be_hidden()
    shot(page, "cases-spis-print")
    page.emulate_media(media="screen")

    # The metryka, with its verification, on screen and printed.
    line.get_by_role("link", name=ref).click()
    page.get_by_role("link", name="Metryka sprawy").click()
    ok(page.get_by_role("heading", name="Metryka sprawy")).to_be_visible()
    verification = page.get_by_test_id("metryka-verification")
    ok(verification).to_contain_text("Metryka zweryfikowana: łańcuch wpisów nienaruszony")
    ok(verification).to_contain_text("Łańcuch wpisów sprawy: nienaruszony")
    log = page.get_by_role("table", name=f"Metryka sprawy {ref}")
    for action in ("Rejestracja", "Przyjęcie dekretacji", "Założenie sprawy", "Zawieszenie biegu terminu",
                   "Zakończenie sprawy"):
        ok(log.locator("tbody tr").filter(has_text=action).first).to_be_visible()
    ok(log).to_contain_text("Maria Wójcik")
    ok(log).to_contain_text("specjalista ds. kadr")
    shot(page, "cases-metryka")
    page.emulate_media(media="print")
    ok(page.get_by_role("navigation", name="Menu główne")).to_be_hidden()
    ok(page.get_by_role("button", name="Drukuj metrykę")).to_be_hidden()
    ok(verification).to_be_visible()
    shot(page, "cases-metryka-print")
    # Printed, it is an A4 page across (the form's layout), as chromium's own print to PDF makes it.
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (SCREENSHOTS / "cases-metryka.pdf").write_bytes(pdf)
    sizes = {(round(float(w)), round(float(h))) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert sizes == {(842, 595)}  # every page A4 landscape, in points
    page.emulate_media(media="screen")

    # Reopened with a reason, in the same year under the same reference.
    page.get_by_role("link", name=f"Wróć do sprawy {ref}").click()
    page.get_by_role("button", name="Wznów sprawę").click()
    dialog = page.get_by_role("dialog", name="Wznowienie sprawy")
    dialog.get_by_label("Powód wznowienia").fill("Wnioskodawczyni zmieniła termin urlopu")
    dialog.get_by_role("button", name="Wznów").click()
    ok(page.get_by_test_id("case-status")).to_have_text("w toku")
    ok(page.get_by_role("button", name="Zakończ sprawę")).to_be_visible()


def test_a_letter_is_returned_with_a_reason(page, api, letters):
    ok = expect()
    log_in(page, OFFICER)
    row = _inbox_row(page, TRAINING)
    ok(row).to_have_count(1)
    row.get_by_role("button", name="Zwróć").click()
    dialog = page.get_by_role("dialog", name="Zwrot dekretacji")
    dialog.get_by_role("button", name="Zwróć dekretację").click()
    ok(dialog.get_by_text("Podaj powód zwrotu")).to_be_visible()
    dialog.get_by_label("Powód zwrotu").fill(RETURN_REASON)
    shot(page, "cases-return")
    dialog.get_by_role("button", name="Zwróć dekretację").click()
    ok(page.get_by_test_id("inbox-done")).to_contain_text(f"Zwrócono dekretację: {letters['training']['number']}")
    ok(_inbox_row(page, TRAINING)).to_have_count(0)
    decretations = api.call("GET", f"/units/{UNIT}/documents/{letters['training']['document_id']}/routing",
                            user="sp39.dyrektor").body["decretations"]
    assert (decretations[-1]["status"], decretations[-1]["reason"]) == ("returned", RETURN_REASON)

    # The registry clerk has no inbox page; the spis spraw is open to the desk.
    page.get_by_role("button", name="Wyloguj").click()
    log_in(page, "sp39.sekretariat")
    menu = page.get_by_role("navigation", name="Menu główne")
    ok(menu.get_by_role("link", name="Spis spraw")).to_be_visible()
    ok(menu.get_by_role("link", name="Moje zadania")).to_have_count(0)
    page.goto(page.url.split("#")[0] + "#/zadania")
    ok(page.get_by_test_id("no-access")).to_contain_text("Brak dostępu")

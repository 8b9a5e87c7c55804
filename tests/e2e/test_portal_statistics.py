"""The statistics in the browser: the education department reads the whole city and one
unit, as charts with the numbers beside them and as CSV; a director reads their own unit;
a case officer of a school is refused.

P12 is this file's unit: its letters and cases are made here through the API, so its
figures are known; the city's are only compared with them.
"""

from __future__ import annotations

import csv
import io

import pytest

from ezd import clock
from portal_kit import expect, log_in, log_out, shot

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT = "P12"


@pytest.fixture(scope="module")
def p12_year(api, paper_desk):
    """Two paper letters and a case opened and closed in P12 this year."""
    from ezd.samples.letters import sample_pdf

    for n in range(2):
        body = {"filename": "skan.pdf", "scan": sample_pdf(800, seed=clock.now_utc().microsecond * 10 + n),
                "channel": "post", "received_at": clock.now_utc().isoformat(),
                "metadata": {"title": f"Zapytanie rodzica nr {n}", "sender": {
                    "kind": "person", "first_names": "Anna", "surname": "Wiśniewska", "town": "Lublin", "country": "PL"}}}
        assert paper_desk.submit(UNIT, body, wait=20).status == 201
    case = api.call("POST", f"/units/{UNIT}/cases", user="p12.dyrektor",
                    json_body={"jrwa_symbol": "051", "title": "Informacja publiczna", "deadline_preset": "one_month"})
    assert case.status == 201, case.body
    assert api.call("POST", f"/units/{UNIT}/cases/{case.body['ref']}/close", user="p12.dyrektor",
                    json_body={"settlement": "Udzielono informacji"}).status == 200
    answer = api.call("GET", f"/units/{UNIT}/statistics", user="p12.dyrektor")
    assert answer.status == 200
    return answer.body


def _this_month_row(page):
    month = clock.today().strftime("%m")
    names = ["styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień",
             "październik", "listopad", "grudzień"]
    return page.get_by_test_id("documents-table").get_by_role("row", name=names[int(month) - 1])


def test_the_department_reads_the_city_and_one_unit(page, p12_year):
    ok = expect()
    totals = p12_year["totals"]
    log_in(page, "woiw.arkusze")  # a case officer of the education department
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Statystyki").click()
    ok(page.get_by_role("heading", name="Statystyki – Wszystkie jednostki miasta")).to_be_visible()
    ok(page.get_by_test_id("units-count")).to_have_text("165 jednostek")
    units = page.get_by_test_id("units-table")
    ok(units.locator("tbody tr")).to_have_count(165)
    # Sorted by the number of letters, most first; a header click sorts by symbol instead.
    units.get_by_role("button", name="Symbol").click()
    ok(units.locator("thead th").first).to_have_attribute("aria-sort", "ascending")
    kinds = page.get_by_test_id("kinds-table")
    ok(kinds.get_by_role("row", name="przedszkole")).to_be_visible()
    ok(kinds.get_by_role("row", name="organ prowadzący")).to_be_visible()
    shot(page, "statystyki-miasto")

    units.get_by_role("button", name=f"Statystyki jednostki {UNIT}").click()
    ok(page.get_by_role("heading", name="Statystyki – Przedszkole nr 12 w Lublinie")).to_be_visible()
    ok(page.get_by_test_id("total-Pisma wpływające")).to_have_text(str(totals["documents_total"]))
    ok(page.get_by_test_id("total-Sprawy zakończone")).to_have_text(str(totals["cases_closed"]))
    row = _this_month_row(page)
    ok(row).to_contain_text(str(totals["documents"]["post"]))
    ok(page.get_by_test_id("units-table")).to_have_count(0)  # one unit: no table of units
    shot(page, "statystyki-jednostka")

    with page.expect_download() as download:
        page.get_by_role("button", name="Pobierz CSV").click()
    assert download.value.suggested_filename == f"statystyki-{UNIT}-{p12_year['year']}.csv"
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert {r["jednostka"] for r in rows} == {UNIT}
    assert sum(int(r["pisma razem"]) for r in rows) == totals["documents_total"]
    assert "Wiśniewska" not in download.value.path().read_text(encoding="utf-8-sig")

    page.emulate_media(media="print")
    ok(page.get_by_role("button", name="Drukuj")).to_be_hidden()
    shot(page, "statystyki-druk")
    page.emulate_media(media="screen")


def test_a_director_reads_their_unit_and_an_officer_is_refused(page, p12_year):
    ok = expect()
    log_in(page, "p12.dyrektor")
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Statystyki").click()
    ok(page.get_by_role("heading", name="Statystyki – Przedszkole nr 12 w Lublinie")).to_be_visible()
    ok(page.get_by_label("Zakres")).to_have_count(0)  # their own unit only
    ok(page.get_by_test_id("total-Sprawy założone")).to_have_text(str(p12_year["totals"]["cases_opened"]))
    ok(page.get_by_test_id("signatures-table")).to_contain_text("bez podpisu")
    shot(page, "statystyki-dyrektor")
    with page.expect_download() as download:
        page.get_by_role("button", name="Pobierz CSV").click()
    assert download.value.suggested_filename == f"statystyki-{UNIT}-{p12_year['year']}.csv"
    log_out(page)

    log_in(page, "p12.kadry")
    menu = page.get_by_role("navigation", name="Menu główne")
    ok(menu.get_by_role("link", name="Statystyki")).to_have_count(0)
    page.goto(page.url.split("#")[0] + "#/statystyki")
    ok(page.get_by_test_id("no-access")).to_contain_text("Brak dostępu")

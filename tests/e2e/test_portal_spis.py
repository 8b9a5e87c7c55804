"""A long spis spraw in the browser: a hundred cases a page in the order of the spis, the
number of cases and pages, the next and previous page, the page in the address, and the
whole spis as CSV. P10 is this file's unit and no other test's."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from ezd import clock
from portal_kit import expect, log_in, shot

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT, DIRECTOR, CELL, JRWA, CASES = "P10", "p10.dyrektor", "DYR", "051", 104  # "104 sprawy"


def test_a_long_spis_comes_a_hundred_cases_a_page(page, api):
    def open_case(n: int) -> None:
        opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR,
                          json_body={"jrwa_symbol": JRWA, "title": f"Wniosek o informację nr {n}", "cell": CELL})
        assert opened.status == 201, opened.body

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(open_case, range(CASES)))
    year = clock.today().year

    ok = expect()
    log_in(page, DIRECTOR)
    page.goto(page.url.split("#")[0] + f"#/spis-spraw?komorka={CELL}&jrwa={JRWA}&rok={year}")
    table = page.get_by_role("table", name=f"Spis spraw {CELL} {JRWA} {year}")
    ok(page.get_by_test_id("spis-count")).to_have_text(f"{CASES} sprawy · strona 1 z 2: Lp. 1–100")
    ok(table.locator("tbody tr")).to_have_count(100)
    ok(table.locator("tbody tr").first.locator("td").first).to_have_text("1")
    pages = page.get_by_role("navigation", name="Strony spisu")
    ok(pages.get_by_role("button", name="Poprzednia strona")).to_be_disabled()
    shot(page, "spis-page-1")

    pages.get_by_role("button", name="Następna strona").click()
    ok(page.get_by_test_id("spis-count")).to_have_text(f"{CASES} sprawy · strona 2 z 2: Lp. 101–{CASES}")
    ok(table.locator("tbody tr")).to_have_count(CASES - 100)
    assert "strona=2" in page.url
    ok(pages.get_by_role("button", name="Następna strona")).to_be_disabled()
    page.reload()  # the page is in the address
    ok(page.get_by_test_id("spis-count")).to_contain_text("strona 2 z 2")
    pages.get_by_role("button", name="Poprzednia strona").click()
    ok(page.get_by_test_id("spis-count")).to_contain_text("strona 1 z 2")

    with page.expect_download() as download:
        page.get_by_role("button", name="Pobierz CSV (cały spis)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [int(r["lp"]) for r in rows] == list(range(1, CASES + 1))

"""The spis spraw a page at a time: in its order (lp), with the number of cases and where
the next page starts; the CSV has all of it. P8 is this file's unit and no other test's."""

from __future__ import annotations

import csv
import io

import pytest

from ezd import clock

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT, DIRECTOR, CELL, JRWA = "P8", "p8.dyrektor", "DYR", "051"


def _page(api, **query: object):
    params = "&".join([f"cell={CELL}", f"jrwa={JRWA}", f"year={clock.today().year}",
                       *(f"{k}={v}" for k, v in query.items())])
    return api.call("GET", f"/units/{UNIT}/spis?{params}", user=DIRECTOR)


def test_the_spis_comes_in_pages_in_its_order(api):
    refs = []
    for n in range(7):
        opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR,
                          json_body={"jrwa_symbol": JRWA, "title": f"Informacja publiczna nr {n + 1}", "cell": CELL})
        assert opened.status == 201, opened.body
        refs.append(opened.body["ref"])

    pages, after = [], 0
    while after is not None:
        page = _page(api, limit=3, after=after)
        assert page.status == 200, page.body
        assert page.body["total"] == 7
        pages.append([line["lp"] for line in page.body["lines"]])
        after = page.body["next_after"]
    assert pages == [[1, 2, 3], [4, 5, 6], [7]]
    whole = _page(api).body  # the default page holds up to 100
    assert [line["znak_sprawy"] for line in whole["lines"]] == refs and whole["next_after"] is None
    assert [r["znak_sprawy"] for r in csv.DictReader(io.StringIO(_page(api, format="csv").raw.decode()))] == refs
    past_the_end = _page(api, after=7).body
    assert past_the_end["lines"] == [] and past_the_end["total"] == 7 and past_the_end["next_after"] is None


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 501}, {"limit": "x"}, {"after": -1}, {"after": "x"}])
def test_bad_page_requests_are_refused(api, query):
    answer = _page(api, **query)
    assert answer.status == 400 and answer.body["error_code"] == "VALIDATION_FAILED", answer.body

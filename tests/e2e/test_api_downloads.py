"""A CSV download whose file name is made of what the caller asked for (the spis of a
komórka and class) is answered even when those are not ASCII: HTTP headers carry only
Latin-1, so the name goes in RFC 6266's filename* (UTF-8, percent-encoded) beside an
ASCII one. Found by the API fuzzer: the server closed the connection without an answer.

Units used here and nowhere else: P60.
"""

from __future__ import annotations

import urllib.parse

import pytest

pytestmark = [pytest.mark.stack]


def test_a_csv_named_after_a_non_ascii_request_is_answered(api):
    cell, jrwa = "DYR", "Żółć"
    response = api.call("GET", f"/units/P60/spis?format=csv&cell={cell}&jrwa={urllib.parse.quote(jrwa)}",
                        user="p60.dyrektor")
    assert response.status == 200, response.body
    assert response.headers["Content-Type"].startswith("text/csv")
    disposition = response.headers["Content-Disposition"]
    disposition.encode("ascii")  # nothing but ASCII in the header itself
    assert "filename*=UTF-8''" + urllib.parse.quote(f"spis-spraw-P60-{cell}-{jrwa}-", safe="") in disposition

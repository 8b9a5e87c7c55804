"""The document's metadata and their versions in the browser: the registry desk corrects a
registered letter (a reason is required), the old values stay beside the new ones, and the
register shows the corrected title; someone of the unit without the desk's role reads the
versions but cannot correct. P14 is this file's unit and no other test's."""

from __future__ import annotations

import pytest

from ezd import clock
from portal_kit import expect, log_in, log_out, shot

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT = "P14"
OLD, NEW = "Wniosek o przyjecie dziecka", "Wniosek o przyjęcie dziecka do grupy młodszej"


@pytest.fixture(scope="module")
def letter(paper_desk):
    from ezd.samples.letters import sample_pdf

    body = {"filename": "skan.pdf", "scan": sample_pdf(1200, seed=clock.now_utc().microsecond + 14), "channel": "post",
            "received_at": clock.now_utc().isoformat(),
            "metadata": {"title": OLD, "access": "publiczny – dostępny w całości", "sender": {
                "kind": "person", "first_names": "Ewa", "surname": "Lis", "town": "Lublin", "country": "PL"}}}
    answer = paper_desk.submit(UNIT, body, wait=20)
    assert answer.status == 201, answer.body
    return answer.body


def test_the_desk_corrects_the_metadata_and_the_old_values_stay(page, api, letter):
    ok = expect()
    log_in(page, "p14.sekretariat")
    page.goto(page.url.split("#")[0] + f"#/dokumenty/{letter['document_id']}")
    versions = page.get_by_role("region", name="Wersje metadanych")
    ok(versions.get_by_test_id("metadata-version")).to_contain_text("Wersja 1 (pierwotna")

    versions.get_by_role("button", name="Popraw metadane").click()
    dialog = page.get_by_role("dialog", name="Korekta metadanych")
    dialog.get_by_label("Dotyczy (tytuł)").fill(NEW)
    dialog.get_by_label("Uwagi").fill("Tytuł poprawiony według oryginału")
    dialog.get_by_role("button", name="Zapisz korektę").click()
    ok(dialog.get_by_text("Podaj powód korekty.")).to_be_visible()  # nothing is sent without a reason
    dialog.get_by_label("Powód korekty").fill("Błąd przy przepisywaniu tytułu ze skanu")
    shot(page, "metadata-correction")
    dialog.get_by_role("button", name="Zapisz korektę").click()
    ok(dialog).to_be_hidden()
    ok(page.get_by_role("status").filter(has_text="Zapisano korektę")).to_contain_text("wersja 2")
    ok(page.get_by_role("heading", name=NEW)).to_be_visible()
    table = page.get_by_role("table", name="Wersje metadanych")
    row = table.locator("tbody tr").first
    ok(row).to_contain_text("2")
    ok(row).to_contain_text("p14.sekretariat")
    ok(row).to_contain_text("Błąd przy przepisywaniu tytułu ze skanu")
    ok(row).to_contain_text(f"Dotyczy (tytuł): {OLD} → {NEW}")
    ok(row).to_contain_text("Uwagi: — → Tytuł poprawiony według oryginału")
    shot(page, "metadata-versions")

    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Rejestr przesyłek wpływających").click()
    register = page.get_by_role("table", name=f"Rejestr przesyłek wpływających {UNIT}")
    ok(register.locator("tbody tr").filter(has_text=letter["registry_number"])).to_contain_text(NEW)
    item = api.call("GET", f"/units/{UNIT}/documents/{letter['document_id']}", user="p14.sekretariat").body
    assert item["version"] == 2 and item["corrections"][0]["changes"]["title"] == {"old": OLD, "new": NEW}
    log_out(page)

    log_in(page, "p14.archiwum")  # reads a public letter of the unit, corrects nothing
    page.goto(page.url.split("#")[0] + f"#/dokumenty/{letter['document_id']}")
    ok(page.get_by_role("table", name="Wersje metadanych")).to_be_visible()
    ok(page.get_by_role("button", name="Popraw metadane")).to_have_count(0)

"""A paper letter registered in the portal, in a real browser on the local stack: the clerk
drops the scan (it goes straight to the storage with the pre-signed form, with progress),
is told in Polish what is missing, registers the letter and finds it in the register; the
same scan sent again with other data is caught, and registered only with a reason.

Units used here and nowhere else: SP29.
"""

from __future__ import annotations

import base64
import re

import pytest

from ezd.samples.letters import make_letter, sample_pdf
from portal_kit import expect, log_in, shot

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT = "SP29"


def _drop(page, name: str, content: bytes, mime: str) -> None:
    """Drag and drop of a file onto the scan zone, as the browser would deliver it."""
    page.evaluate(
        """([name, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: mime }));
            const zone = document.querySelector('[data-testid="scan-drop"]');
            zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true }));
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
        }""",
        [name, base64.b64encode(content).decode(), mime],
    )


def test_the_clerk_registers_a_paper_scan_and_is_warned_of_the_same_scan_again(page, api):
    ok = expect()
    scan = sample_pdf(48_000, seed=29)
    log_in(page, "sp29.sekretariat")
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Rejestracja pisma papierowego").click()
    ok(page.get_by_role("heading", name="Rejestracja pisma papierowego")).to_be_visible()

    # Nothing typed: every missing field says so, in Polish, and nothing is sent.
    page.get_by_role("button", name="Zarejestruj", exact=True).click()
    for message in ("Dołącz skan pisma.", "Podaj, czego dotyczy pismo.", "Podaj nazwisko nadawcy.",
                    "Podaj miejscowość nadawcy."):
        ok(page.get_by_text(message)).to_be_visible()
    shot(page, "paper-errors")

    _drop(page, "skan-legitymacja.pdf", scan, "application/pdf")
    ok(page.get_by_test_id("upload-progress")).to_have_text("przesłano")
    ok(page.get_by_text("Skan: skan-legitymacja.pdf")).to_be_visible()
    page.get_by_label("Imiona").fill("Zofia")
    page.get_by_label("Nazwisko").fill("Kowalczyk")
    page.get_by_label("Kod pocztowy").fill("20-0")
    page.get_by_label("Miejscowość").fill("Lublin")
    page.get_by_label("Dotyczy (tytuł)").fill("Wniosek o duplikat legitymacji szkolnej")
    page.get_by_role("button", name="Zarejestruj", exact=True).click()
    ok(page.get_by_text("Kod pocztowy w postaci 00-000.")).to_be_visible()
    page.get_by_label("Kod pocztowy").fill("20-001")
    shot(page, "paper-filled")
    page.get_by_role("button", name="Zarejestruj", exact=True).click()
    registered = page.get_by_role("status").filter(has_text="Zarejestrowano")
    ok(registered).to_be_visible(timeout=40_000)
    number = registered.get_by_role("link").inner_text()
    assert number.startswith("RPW/")
    shot(page, "paper-registered")

    # The same scan with other data: a warning naming the earlier number, and a reason to go on.
    page.get_by_test_id("scan-input").set_input_files(
        files=[{"name": "skan-2.pdf", "mimeType": "application/pdf", "buffer": scan}])
    ok(page.get_by_test_id("upload-progress")).to_have_text("przesłano")
    page.get_by_label("Nazwisko").fill("Kowalczyk")
    page.get_by_label("Miejscowość").fill("Lublin")
    page.get_by_label("Dotyczy (tytuł)").fill("Ponowny wniosek o duplikat legitymacji")
    page.get_by_role("button", name="Zarejestruj", exact=True).click()
    warning = page.get_by_role("alert").filter(has_text="Ten skan jest już w rejestrze")
    ok(warning).to_contain_text(number, timeout=40_000)
    ok(page.get_by_role("button", name="Zarejestruj mimo to")).to_be_disabled()
    shot(page, "paper-conflict")
    page.get_by_label("Powód ponownej rejestracji").fill("Drugi egzemplarz złożony osobiście jako nowy wniosek")
    page.get_by_role("button", name="Zarejestruj mimo to").click()
    second = page.get_by_role("status").filter(has_text="Zarejestrowano")
    ok(second).to_be_visible(timeout=40_000)
    assert second.get_by_role("link").inner_text() != number

    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Rejestr przesyłek wpływających").click()
    table = page.get_by_role("table", name=f"Rejestr przesyłek wpływających {UNIT}")
    ok(table.locator("tbody tr")).to_have_count(2)
    ok(table).to_contain_text("Kowalczyk Zofia")
    ok(table).to_contain_text("poczta")

    # The day's raport podawczy has both, in register order, printable and as CSV.
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Raport podawczy").click()
    report = page.get_by_role("table", name=re.compile("Raport podawczy z dnia"))
    ok(report.locator("tbody tr")).to_have_count(2)
    ok(page.get_by_test_id("report-count")).to_contain_text("2 przesyłki")
    ok(report.locator("tbody tr").first).to_contain_text(number)
    with page.expect_download() as download:
        page.get_by_role("button", name="Pobierz CSV").click()
    saved = download.value.path().read_text(encoding="utf-8-sig")
    assert number in saved and "Kowalczyk" in saved
    page.emulate_media(media="print")
    ok(page.get_by_text("Przekazał(a):")).to_be_visible()
    ok(page.get_by_role("button", name="Drukuj")).to_be_hidden()
    shot(page, "raport-podawczy-print")
    page.emulate_media(media="screen")
    shot(page, "raport-podawczy")


def test_the_quarantine_shows_what_was_refused_and_why(page, deliverer):
    ok = expect()
    refused = deliverer.deliver(UNIT, make_letter(title="Pismo bez nadawcy", omit_sender=True))
    assert refused.status == "rejected"
    log_in(page, "sp29.sekretariat")
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Kwarantanna").click()
    table = page.get_by_role("table", name="Przesyłki w kwarantannie")
    row = table.locator("tbody tr").filter(has_text="MISSING_SENDER")
    ok(row).to_have_count(1)
    ok(row).to_contain_text("ePUAP")
    shot(page, "quarantine")

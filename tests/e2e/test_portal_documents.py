"""The portal's document view and its closed doors, in a real browser on the local stack:
the registry clerk goes from the register to a signed ePUAP letter (metadata, the signature
report in plain words, its files with short-lived links, its routing), the menu shows
only the pages of the caller's role, and the people who must not see a document or a
page are shown "Brak dostępu", not the data. A title with markup shows as text.

Units used here and nowhere else: SP37 (the letter), SP38 (a stranger's unit).
"""

from __future__ import annotations

import struct
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

import pytest

from ezd.local.keys import ensure_demo_ca
from ezd.samples.letters import make_letter, make_signer, sign_letter
from portal_kit import expect, log_in, log_out, shot

pytestmark = [pytest.mark.stack]

UNIT = "SP37"
HOSTILE_TITLE = "Wniosek <script>window.pwned=1</script><b>pogrubiony</b>"


def _png(width: int, height: int) -> bytes:
    """A real PNG (grey pixels), so that the browser can decode and show it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def signed_letter(stack, deliverer):
    signer = make_signer("Jan Kowalski", ensure_demo_ca(Path(stack.info.state_dir)))
    attachments = [("skan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
                   ("zdjecie.png", _png(40, 30), "image/png")]
    outcome = deliverer.deliver(UNIT, sign_letter(make_letter(title=HOSTILE_TITLE, attachments=attachments,
                                                              sender_reference="KW/12/2026"), signer))
    return outcome


def test_the_clerk_opens_a_signed_letter_from_the_register(page, api, signed_letter):
    ok = expect()
    log_in(page, "sp37.sekretariat")
    table = page.get_by_role("table", name=f"Rejestr przesyłek wpływających {UNIT}")
    row = table.locator("tbody tr").filter(has_text="pogrubiony")
    ok(row).to_have_count(1)
    # Markup in a title is text: shown as typed, never run.
    ok(row.locator("td").nth(3)).to_have_text(HOSTILE_TITLE)
    assert page.evaluate("() => window.pwned") is None
    number = api.call("GET", f"/units/{UNIT}/documents/{signed_letter.document_id}",
                      user="sp37.sekretariat").body["entry"]["registry_number"]
    row.get_by_role("link", name=number).click()

    ok(page.get_by_role("heading", name=HOSTILE_TITLE, exact=True)).to_be_visible()
    assert f"#/dokumenty/{signed_letter.document_id}" in page.url and "token" not in page.url
    metadata = page.get_by_role("region", name="Metadane")
    ok(metadata).to_contain_text(number)
    ok(metadata).to_contain_text("ePUAP")
    ok(metadata).to_contain_text("Kowalski Jan")
    ok(metadata).to_contain_text("KW/12/2026")
    signature = page.get_by_role("region", name="Weryfikacja podpisu")
    ok(signature).to_contain_text("Podpis: ważny")
    ok(signature).to_contain_text("zaufany")
    ok(signature).to_contain_text("Podpis nienaruszony")
    ok(signature).to_contain_text("Jan Kowalski")
    files = page.get_by_role("table", name="Pliki dokumentu")
    ok(files.locator("tbody tr")).to_have_count(4)  # the original, the scan, the photo, the UPP
    ok(files).to_contain_text("skan.pdf")
    ok(files).to_contain_text("UPP")
    link = files.get_by_role("link", name="skan.pdf").get_attribute("href")
    assert "X-Amz-Expires=" in link or "Expires=" in link  # a short-lived link, not a stable address
    # Previews in the page: the photo is decoded and shown (the policy lets the storage's
    # short-lived link in), the PDF in a frame; the XML original has no preview.
    page.get_by_role("button", name="Pokaż podgląd zdjecie.png").click()
    image = page.get_by_role("img", name="Podgląd: zdjecie.png")
    ok(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('img[alt=\"Podgląd: zdjecie.png\"]').naturalWidth === 40")
    page.get_by_role("button", name="Pokaż podgląd skan.pdf").click()
    ok(image).to_have_count(0)
    frame = page.locator('iframe[title="Podgląd: skan.pdf"]')
    ok(frame).to_have_count(1)
    preview = frame.get_attribute("src")
    assert "inline" in urllib.parse.unquote(preview) and preview != link
    with urllib.request.urlopen(preview, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["Content-Disposition"].startswith("inline")
    ok(files.get_by_role("button", name="Pokaż podgląd pismo.xml")).to_have_count(0)
    routing = page.get_by_role("region", name="Obieg (dekretacje)")
    ok(routing).to_contain_text("Stan:")
    shot(page, "document")


def test_the_menu_shows_only_what_the_role_opens_and_closed_pages_say_so(page, signed_letter):
    ok = expect()
    log_in(page, "sp37.kadry")  # a case officer: no register
    ok(page.get_by_test_id("user-role")).to_contain_text("referent")
    menu = page.get_by_role("navigation", name="Menu główne")
    ok(menu.get_by_role("link", name="Rejestr przesyłek wpływających")).to_have_count(0)
    page.goto(page.url.split("#")[0] + "#/rejestr")
    ok(page.get_by_test_id("no-access")).to_contain_text("Brak dostępu")
    ok(page.get_by_role("table")).to_have_count(0)
    shot(page, "no-access-role")
    log_out(page)

    # A clerk of another school: the document's address shows "Brak dostępu", not the letter.
    log_in(page, "sp38.sekretariat")
    ok(page.get_by_role("heading", name="Rejestr przesyłek wpływających")).to_be_visible()
    page.goto(page.url.split("#")[0] + f"#/dokumenty/{signed_letter.document_id}")
    ok(page.get_by_test_id("no-access")).to_contain_text("Brak dostępu")
    ok(page.get_by_text("pogrubiony")).to_have_count(0)
    assert "KW/12/2026" not in page.content()  # nothing of the letter reached the page
    shot(page, "no-access-unit")

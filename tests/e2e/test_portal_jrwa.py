"""The unit administrator's file plan (JRWA) in the portal, in a real browser on the local
stack: the plan in use with whose it is and its classes (searchable, counted in Polish), a
class added, another's category changed and a third removed, seen in the preview before
anything is written, a publication that meets
another administrator's newer version (a conflict, the preview refreshed), the new version
in the history in Polish time, an older version shown, CSV exports of both, a CSV import
with a bad line refused in Polish with its code — and "Brak dostępu" for the unit's clerk.

Units used here and nowhere else: P5.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal_kit import expect, log_in, log_out, shot

pytestmark = [pytest.mark.stack]

UNIT = "P5"
ADMIN = "p5.admin"
MONTHS = ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
          "października", "listopada", "grudnia"]


def _klas(n: int) -> str:
    """Polish: 1 klasa, 2–4 klasy (not 12–14), otherwise klas."""
    if n == 1:
        return "1 klasa"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} klasy"
    return f"{n} klas"


def _warsaw(iso: str) -> str:
    """An instant as the portal shows it: "4 grudnia 2026, 05:10" in Poland's time."""
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo("Europe/Warsaw"))
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def _versions(api) -> list[dict]:
    return api.call("GET", f"/units/{UNIT}/jrwa/versions", user=ADMIN).body["items"]


def test_the_administrator_previews_publishes_exports_and_imports_the_plan(page, api):
    ok = expect()
    before = api.call("GET", f"/units/{UNIT}/jrwa", user=ADMIN).body
    assert before["owner"] == "CITY", "P5 must still follow the city's plan when this test starts"
    v = before["version"]
    log_in(page, ADMIN)
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Wykaz akt (JRWA)").click()

    # The plan in use: the city's, inherited; its classes, counted in Polish, searchable.
    ok(page.get_by_test_id("jrwa-whose")).to_have_text(
        f"Obowiązuje wykaz miasta w wersji {v} (odziedziczony — jednostka nie ma własnego).")
    leaves = sum(c["is_leaf"] for c in before["classes"])
    ok(page.get_by_test_id("jrwa-count")).to_contain_text(f"{_klas(len(before['classes']))}, w tym {leaves} klas")
    table = page.get_by_role("table", name="Klasy wykazu akt")
    ok(table.locator("tbody tr")).to_have_count(len(before["classes"]))
    ok(page.get_by_test_id("jrwa-class-050")).to_contain_text("Skargi i wnioski")
    ok(page.get_by_test_id("jrwa-class-050")).to_contain_text("B10")
    ok(page.get_by_test_id("jrwa-class-05")).to_contain_text("nie (grupa)")
    page.get_by_label("Szukaj w wykazie (symbol lub hasło)").fill("skargi")  # without Polish letters, any case
    ok(page.get_by_test_id("jrwa-class-050")).to_be_visible()
    ok(page.get_by_test_id("jrwa-class-110")).to_have_count(0)
    ok(page.get_by_test_id("jrwa-count")).to_contain_text("pasujących:")
    shot(page, "jrwa-plan")
    page.get_by_label("Szukaj w wykazie (symbol lub hasło)").fill("")

    # A class added on the screen: the preview says what publishing would do; nothing is written.
    page.get_by_role("tab", name="Zmień wykaz").click()
    page.get_by_label("Symbol klasy").fill("072")
    page.get_by_label("Hasło klasyfikacyjne").fill("Współpraca z fundacjami")
    page.get_by_label("Kategoria archiwalna").fill("B5")
    page.get_by_role("button", name="Dodaj do listy zmian").click()
    ok(page.get_by_role("table", name="Zmiany do podglądu")).to_contain_text("Współpraca z fundacjami")
    # …a category changed (the form starts from the class as it is) and a class removed.
    page.locator("label", has_text="Zmień klasę").click()
    page.get_by_label("Symbol klasy").fill("050")
    ok(page.get_by_label("Hasło klasyfikacyjne")).to_have_value("Skargi i wnioski")
    ok(page.get_by_label("Kategoria archiwalna")).to_have_value("B10")
    page.get_by_label("Kategoria archiwalna").fill("A")
    page.get_by_role("button", name="Dodaj do listy zmian").click()
    page.locator("label", has_text="Usuń klasę").click()
    page.get_by_label("Symbol klasy").fill("092")
    page.get_by_role("button", name="Dodaj do listy zmian").click()
    page.get_by_role("button", name="Pokaż podgląd (3 zmiany)").click()
    preview = page.get_by_test_id("jrwa-preview")
    ok(preview).to_contain_text(f"Po opublikowaniu: wersja {v + 1} (wykaz jednostki {UNIT})")
    ok(preview.get_by_role("region", name="Dodane klasy")).to_contain_text("072 Współpraca z fundacjami")
    ok(preview.get_by_role("table", name="Zmienione klasy").locator("tbody tr")).to_have_text(["050kategoriaB10A"])
    ok(preview.get_by_role("region", name="Usunięte klasy")).to_contain_text("092 Książka kontroli")
    ok(preview).to_contain_text(_klas(len(before["classes"])) + " w wykazie.")
    assert [(x["owner"], x["version"]) for x in _versions(api)] == [("CITY", v)]  # only the preview so far
    shot(page, "jrwa-change-preview")

    # Meanwhile another administrator (the director) publishes: publishing this preview is a
    # conflict, said in Polish, and the preview is made again against the newer version.
    other = api.call("POST", f"/units/{UNIT}/jrwa/changes", user="p5.dyrektor", json_body={
        "changes": [{"op": "update", "symbol": "051", "notes": "Rejestr wniosków prowadzi sekretariat"}],
        "note": "Uwagi do 051"})
    assert other.status == 201 and other.body["version"] == v + 1, other.body
    page.get_by_label("Opis wersji (np. numer zarządzenia)").fill("Zarządzenie dyrektora nr 7/2026")
    page.get_by_role("button", name=f"Opublikuj wersję {v + 1}").click()
    ok(preview.get_by_role("alert")).to_contain_text(
        f"Inny administrator opublikował w międzyczasie nową wersję wykazu. Podgląd odświeżono wobec "
        f"obowiązującej teraz wersji {v + 1}")
    ok(preview).to_contain_text(f"Po opublikowaniu: wersja {v + 2} (wykaz jednostki {UNIT})")
    shot(page, "jrwa-conflict")
    page.get_by_role("button", name=f"Opublikuj wersję {v + 2}").click()
    ok(page.get_by_text(f"Opublikowano wersję {v + 2} wykazu akt.")).to_be_visible()
    ok(page.get_by_test_id("jrwa-preview")).to_have_count(0)
    history = _versions(api)
    assert [(x["owner"], x["version"], x.get("published_by")) for x in history] == [
        ("CITY", v, None), (UNIT, v + 1, "p5.dyrektor"), (UNIT, v + 2, ADMIN)]
    assert api.call("GET", f"/units/{UNIT}/jrwa/072", user=ADMIN).body["category"] == "B5"
    assert api.call("GET", f"/units/{UNIT}/jrwa/050", user=ADMIN).body["category"] == "A"
    assert api.call("GET", f"/units/{UNIT}/jrwa/092", user=ADMIN).status == 404

    # The history: who, when (Poland's time, whatever the browser's zone), why.
    page.get_by_role("tab", name="Historia wersji").click()
    row = page.get_by_test_id(f"jrwa-version-{UNIT}-{v + 2}")
    ok(row).to_contain_text("obowiązuje")
    ok(row).to_contain_text(ADMIN)
    ok(row).to_contain_text("Zarządzenie dyrektora nr 7/2026")
    ok(row).to_contain_text(_warsaw(history[-1]["published_at"]))
    ok(row).to_contain_text(_klas(len(before["classes"])))
    ok(page.get_by_test_id(f"jrwa-version-CITY-{v}")).to_contain_text("odziedziczony z wykazu miasta")
    shot(page, "jrwa-history")

    # The current version exported: fetched with the token and handed over as a blob.
    page.get_by_role("tab", name="Klasy wykazu").click()
    ok(page.get_by_test_id("jrwa-whose")).to_contain_text(f"Obowiązuje własny wykaz jednostki {UNIT} w wersji {v + 2}")
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Eksportuj CSV (wersja {v + 2})").click()
    assert download.value.url.startswith("blob:")
    assert download.value.suggested_filename == f"jrwa-{UNIT}-{UNIT}-v{v + 2}.csv"
    current_csv = download.value.path().read_text(encoding="utf-8")
    assert {"072,Współpraca z fundacjami,B5,", "050,Skargi i wnioski,A,"} <= set(current_csv.splitlines())
    assert "092," not in current_csv

    # An older version shown and exported as it was.
    page.get_by_role("tab", name="Historia wersji").click()
    page.get_by_role("button", name=f"Pokaż wersję {v} (wykaz miasta)").click()
    ok(page.get_by_text(f"Starsza wersja {v} (wykaz miasta) — nie obowiązuje")).to_be_visible()
    ok(page.get_by_test_id("jrwa-class-050")).to_be_visible()
    ok(page.get_by_test_id("jrwa-class-072")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Eksportuj CSV (wersja {v})").click()
    old_csv = download.value.path().read_text(encoding="utf-8")
    assert download.value.suggested_filename == f"jrwa-{UNIT}-CITY-v{v}.csv"
    assert "072," not in old_csv and old_csv.startswith("symbol,heading,category,notes\n")
    page.get_by_role("button", name="Wróć do obowiązującej wersji").click()
    ok(page.get_by_test_id("jrwa-class-072")).to_be_visible()

    # A CSV import with a bad line: previewed, refused line by line in Polish, nothing written.
    lines = current_csv.splitlines()
    bad_line = lines.index("072,Współpraca z fundacjami,B5,") + 2  # 1-based, after it
    lines.insert(bad_line - 1, "073,Wolontariat,Z9,")
    page.get_by_role("tab", name="Import CSV").click()
    page.locator("input[type=file]").set_input_files(files=[{
        "name": "wykaz-p5.csv", "mimeType": "text/csv", "buffer": ("\n".join(lines) + "\n").encode("utf-8")}])
    page.get_by_role("button", name="Pokaż podgląd importu").click()
    problems = page.get_by_test_id("jrwa-problems")
    ok(problems).to_contain_text("Nie można opublikować: 1 błąd")
    ok(problems).to_contain_text(
        f"Wiersz {bad_line}: kategoria archiwalna „Z9” jest nieprawidłowa: dozwolone są A, Bc, Bn i BEn")
    ok(problems).to_contain_text("JRWA_CATEGORY_INVALID")
    ok(page.get_by_role("button", name="Opublikuj", exact=False)).to_have_count(0)
    shot(page, "jrwa-import-error")
    assert _versions(api) == history

    # The unit's clerk has neither the menu entry nor the page.
    log_out(page)
    log_in(page, "p5.sekretariat")
    menu = page.get_by_role("navigation", name="Menu główne")
    ok(menu.get_by_role("link", name="Rejestr przesyłek wpływających")).to_be_visible()
    ok(menu.get_by_role("link", name="Wykaz akt (JRWA)")).to_have_count(0)
    page.goto(page.url.split("#")[0] + "#/wykaz-akt")
    ok(page.get_by_test_id("no-access")).to_contain_text("Brak dostępu")
    ok(page.get_by_role("table", name="Klasy wykazu akt")).to_have_count(0)
    shot(page, "jrwa-no-access")

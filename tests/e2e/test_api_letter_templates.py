"""Letter templates through the API: the city's starters in every unit, the unit
administrator's own templates with their versions, placeholders checked when saved (a
stable code per problem), archive and restore, the letterhead, and a preview rendered to
PDF for a case and a contractor of the unit. P50 and P51 are this file's units."""

from __future__ import annotations

import io
import urllib.request

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.stack

UNIT, OTHER = "P50", "P51"
ADMIN, DIRECTOR, OFFICER, CLERK, ARCHIVIST = (f"p50.{s}" for s in ("admin", "dyrektor", "kadry", "sekretariat", "archiwum"))
POLISH = "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"
BASE = f"/units/{UNIT}/letter-templates"


def _content(name: str, body: str = "Szanowni Państwo,\n\nw sprawie {{ sprawa.tytul }} informuję …",
             subject: str = "{{ sprawa.tytul }}") -> dict:
    return {"name": name, "description": "Szablon z testu", "subject": subject, "body": body}


def _text(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the stack's own storage
        pdf = answer.read()
    return pdf, " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_every_unit_has_the_city_starters_and_the_vocabulary_is_published(api):
    vocabulary = api.call("GET", "/letter-templates/placeholders", user=OFFICER).body["placeholders"]
    names = {p["name"] for p in vocabulary}
    assert {"sprawa.znak", "adresat.nazwa", "adresat.adres", "jednostka.nazwa", "data",
            "podpisujacy.imie_nazwisko"} <= names
    book = api.call("GET", BASE, user=OFFICER).body
    ids = [t["template_id"] for t in book["items"]]
    assert {"std-odpowiedz-na-wniosek", "std-przedluzenie-terminu-art-36", "std-przekazanie-wg-wlasciwosci-art-65"} <= set(ids)
    assert book["count"] == len(book["items"]) and all(t["standard"] for t in book["items"] if t["template_id"].startswith("std-"))
    department = api.call("GET", "/units/WOIW/letter-templates", user="woiw.arkusze").body["items"]
    assert "std-zatwierdzenie-aneksu-arkusza" in {t["template_id"] for t in department}
    versions = api.call("GET", f"{BASE}/std-odpowiedz-na-wniosek/versions", user=OFFICER).body
    assert [v["version"] for v in versions["items"]] == [1] and versions["items"][0]["change"] == "created"


@pytest.mark.parametrize("content, field, code, value", [
    (_content("Zły znacznik", body="{{ adresat.nazwisko }}"), "body", "LETTER_TEMPLATE_PLACEHOLDER_UNKNOWN",
     "adresat.nazwisko"),
    (_content("Zły temat", subject="{{ sprawa.tytuł }}"), "subject", "LETTER_TEMPLATE_PLACEHOLDER_MALFORMED",
     "{{ sprawa.tytuł }}"),
    (_content("Kod w szablonie", body="{{ sprawa.__class__.__mro__ }}"), "body",
     "LETTER_TEMPLATE_PLACEHOLDER_MALFORMED", "{{ sprawa.__class__.__mro__ }}"),
    (_content("Niedomknięty", body="Termin: {{ sprawa.termin"), "body", "LETTER_TEMPLATE_PLACEHOLDER_MALFORMED",
     "{{ sprawa.termin"),
    (_content("Odpowiedź na wniosek"), "name", "LETTER_TEMPLATE_NAME_TAKEN", "Odpowiedź na wniosek"),
])
def test_a_template_with_a_problem_is_refused_with_its_code_and_field_and_nothing_is_written(api, content, field,
                                                                                             code, value):
    before = api.call("GET", BASE, user=ADMIN).body["count"]
    answer = api.call("POST", BASE, user=ADMIN, json_body=content)
    assert answer.status == 400 and answer.body["error_code"] == code, answer.body
    (problem,) = answer.body["problems"]
    assert (problem["field"], problem["code"], problem["value"]) == (field, code, value)
    assert api.call("GET", BASE, user=ADMIN).body["count"] == before


def test_plain_validation_errors_keep_the_common_code(api):
    for body in ({"name": "", "body": "x"}, {"name": "Bez treści", "body": "   "}, {"name": "x" * 201, "body": "x"}):
        answer = api.call("POST", BASE, user=ADMIN, json_body=body)
        assert answer.status == 400 and answer.body["error_code"] == "VALIDATION_FAILED", answer.body


def test_versions_are_kept_and_changes_only_from_the_version_read(api):
    created = api.call("POST", BASE, user=ADMIN, json_body=_content("Wezwanie do uzupełnienia braków"))
    assert created.status == 201 and created.body["version"] == 1, created.body
    path = f"{BASE}/{created.body['template_id']}"
    changed = api.call("PUT", path, user=DIRECTOR, json_body={  # the dyrektor administers the unit too
        "content": _content("Wezwanie do uzupełnienia braków (art. 64 § 2 KPA)",
                            body="Wzywam do uzupełnienia braków w terminie 7 dni.\n\n{{ podpisujacy.stanowisko }}"),
        "expected_version": 1})
    assert changed.status == 200 and changed.body["version"] == 2 and changed.body["updated_by"] == DIRECTOR
    stale = api.call("PUT", path, user=ADMIN, json_body={"content": _content("Inna"), "expected_version": 1})
    assert stale.status == 409 and stale.body["error_code"] == "LETTER_TEMPLATE_CHANGED"
    archived = api.call("POST", f"{path}/archive", user=ADMIN, json_body={"expected_version": 2})
    assert archived.status == 200 and archived.body["status"] == "archived" and archived.body["version"] == 3
    again = api.call("POST", f"{path}/archive", user=ADMIN, json_body={"expected_version": 3})
    assert again.status == 409 and again.body["error_code"] == "LETTER_TEMPLATE_STATE"

    history = api.call("GET", f"{path}/versions", user=ADMIN).body["items"]
    assert [(v["version"], v["change"], v["status"]) for v in history] == [
        (3, "archived", "archived"), (2, "changed", "active"), (1, "created", "active")]
    assert history[2]["name"] == "Wezwanie do uzupełnienia braków" and "7 dni" in history[1]["body"]
    # An archived template is the administrators' only, and no longer for new letters.
    assert created.body["template_id"] not in {t["template_id"] for t in api.call("GET", BASE, user=OFFICER).body["items"]}
    assert api.call("GET", path, user=OFFICER).status == 404
    assert api.call("POST", f"{path}/preview", user=ADMIN, json_body={}).body["error_code"] == "LETTER_TEMPLATE_ARCHIVED"
    restored = api.call("POST", f"{path}/restore", user=ADMIN, json_body={"expected_version": 3})
    assert restored.status == 200 and restored.body["status"] == "active" and restored.body["version"] == 4


def test_a_starter_changed_by_the_unit_keeps_the_citys_text_as_version_one(api):
    path = f"{BASE}/std-przekazanie-wg-wlasciwosci-art-65"
    starter = api.call("GET", path, user=ADMIN).body
    changed = api.call("PUT", path, user=ADMIN, json_body={
        "content": {**{k: starter[k] for k in ("name", "description", "subject")},
                    "body": starter["body"] + "\n\nZ poważaniem"}, "expected_version": 1})
    assert changed.status == 200 and changed.body["version"] == 2 and changed.body["standard"], changed.body
    history = api.call("GET", f"{path}/versions", user=OFFICER).body["items"]
    assert [v["version"] for v in history] == [2, 1] and history[1]["body"] == starter["body"]
    # another unit's starter is untouched
    assert api.call("GET", f"/units/{OTHER}/letter-templates/std-przekazanie-wg-wlasciwosci-art-65",
                    user="p51.admin").body["version"] == 1


def test_who_may_keep_and_use_templates(api):
    assert api.call("POST", BASE, user=CLERK, json_body=_content("Od sekretariatu")).status == 403
    assert api.call("POST", BASE, user=OFFICER, json_body=_content("Od referenta")).status == 403
    assert api.call("GET", BASE, user=CLERK).status == 403 and api.call("GET", BASE, user=ARCHIVIST).status == 403
    assert api.call("PUT", f"{BASE}/std-odpowiedz-na-wniosek", user=OFFICER,
                    json_body={"content": _content("Zmiana"), "expected_version": 1}).status == 403
    # another unit's administrator, on this unit's templates and under their own unit's path
    assert api.call("GET", BASE, user="p51.admin").status == 403
    assert api.call("POST", BASE, user="p51.admin", json_body=_content("Obcy")).status == 403
    own = api.call("POST", BASE, user=ADMIN, json_body=_content("Tylko w P50")).body
    assert api.call("GET", f"/units/{OTHER}/letter-templates/{own['template_id']}", user="p51.admin").status == 404


def test_the_letterhead_is_the_administrators_and_versioned(api):
    head = api.call("GET", f"/units/{OTHER}/letterhead", user="p51.kadry").body
    assert head["name"] == "Przedszkole nr 51 w Lublinie" and head["place"] == "Lublin"
    details = {"name": "Przedszkole nr 51 im. Marii Konopnickiej w Lublinie", "place": "Lublin",
               "address_lines": ["ul. Źródlana 5", "20-001 Lublin"], "contact_lines": ["tel. 81 466 00 00"]}
    assert api.call("PUT", f"/units/{OTHER}/letterhead", user="p51.kadry",
                    json_body={"details": details, "expected_version": head["version"]}).status == 403
    changed = api.call("PUT", f"/units/{OTHER}/letterhead", user="p51.admin",
                       json_body={"details": details, "expected_version": head["version"]})
    assert changed.status == 200 and changed.body["version"] == head["version"] + 1, changed.body
    stale = api.call("PUT", f"/units/{OTHER}/letterhead", user="p51.admin",
                     json_body={"details": details, "expected_version": head["version"]})
    assert stale.status == 409 and stale.body["error_code"] == "LETTERHEAD_CHANGED"
    bell = api.call("PUT", f"/units/{OTHER}/letterhead", user="p51.admin", json_body={
        "details": {**details, "address_lines": ["ul. Dzwonkowa\u0007 1"]}, "expected_version": changed.body["version"]})
    assert bell.status == 400 and bell.body["error_code"] == "LETTER_TEMPLATE_TEXT_INVALID", bell.body

    preview = api.call("POST", f"/units/{OTHER}/letter-templates/std-odpowiedz-na-wniosek/preview",
                       user="p51.dyrektor", json_body={})
    assert preview.status == 200 and preview.body["sample"], preview.body
    _, text = _text(preview.body["file"]["url"])
    assert "Przedszkole nr 51 im. Marii Konopnickiej w Lublinie" in text and "ul. Źródlana 5" in text


def test_a_preview_for_a_case_and_a_contractor_prints_their_values_in_polish(api):
    case = api.call("POST", f"/units/{UNIT}/cases", user=OFFICER, json_body={
        "jrwa_symbol": "050", "title": f"Skarga rodzica {POLISH}"})
    assert case.status == 201, case.body
    ref = case.body["ref"]
    contractor = api.call("POST", f"/units/{UNIT}/contractors", user=OFFICER, json_body={
        "kind": "person", "first_names": "Łucja", "surname": "Źrebięcka", "street": "ul. Ślężna 7",
        "postal_code": "20-011", "town": "Lublin"}).body
    body = ("Szanowna Pani {{ adresat.nazwa }} ({{ adresat.adres }}),\n\nw sprawie {{ sprawa.tytul }} "
            "(znak {{ sprawa.znak }}) informuję, że " + "rozpatrzono wniosek. " * 40 + "\n\n"
            "Prowadzi: {{ sprawa.prowadzacy }}; {{ jednostka.nazwa }}; {{ data }}")
    template = api.call("POST", BASE, user=ADMIN, json_body=_content(f"Odpowiedź na skargę {POLISH}", body=body)).body
    answer = api.call("POST", f"{BASE}/{template['template_id']}/preview", user=OFFICER,
                      json_body={"case_ref": ref, "contractor_id": contractor["contractor_id"], "signer": DIRECTOR})
    assert answer.status == 200, answer.body
    preview = answer.body
    assert preview["template_version"] == 1 and not preview["sample"] and preview["missing"] == []
    assert preview["values"]["sprawa.znak"] == ref and preview["values"]["adresat.nazwa"] == "Łucja Źrebięcka"
    link = preview["file"]
    assert link["mime"] == "application/pdf" and link["preview_url"] and link["filename"].endswith(".pdf")
    pdf, text = _text(link["url"])
    assert pdf.startswith(b"%PDF") and len(pdf) == link["size"]
    for expected in (POLISH, ref, "Łucja Źrebięcka", "ul. Ślężna 7, 20-011 Lublin", "Przedszkole nr 50 w Lublinie",
                     "Lublin, ", f"Dotyczy: Skarga rodzica {POLISH}", "Piotr Wiśniewski", "dyrektor",
                     preview["values"]["data"]):
        assert expected in text, (expected, text[:600])
    assert "{{" not in text

    unknown = api.call("POST", f"{BASE}/{template['template_id']}/preview", user=OFFICER,
                       json_body={"case_ref": "DYR.050.999.2026"})
    assert unknown.status == 404
    stranger = api.call("POST", f"{BASE}/{template['template_id']}/preview", user=OFFICER,
                        json_body={"signer": "p51.dyrektor"})
    assert stranger.status == 400 and stranger.body["error_code"] == "LETTER_SIGNER_UNKNOWN"


def test_render_letter_is_what_a_draft_calls_and_records_the_version_and_values(api, stack):
    """In process, as services/dispatch/drafts.py would call it: a draft's addressee copy,
    the signer, a given day; an explicit older version renders as it was."""
    from datetime import date

    from ezd.adapters import case_store
    from ezd.models.outgoing import Addressee as DraftAddressee
    from ezd.services.dispatch.letter_render import render_letter
    from ezd.services.dispatch.letter_values import Signer

    case = api.call("POST", f"/units/{UNIT}/cases", user=OFFICER, json_body={"jrwa_symbol": "050", "title": "Skarga"})
    assert case.status == 201, case.body
    created = api.call("POST", BASE, user=ADMIN, json_body=_content(
        "Do renderowania", body="Wersja pierwsza dla {{ adresat.nazwa }}, {{ sprawa.znak }}.")).body
    path = f"{BASE}/{created['template_id']}"
    assert api.call("PUT", path, user=ADMIN, json_body={"content": _content(
        "Do renderowania", body="Wersja druga, {{ data }}."), "expected_version": 1}).status == 200
    addressee = DraftAddressee(name="Gmina Świdnik", kind="institution", street="ul. Żwirki 1", postal_code="21-040",
                               town="Świdnik", channels=["post"])
    letter = render_letter(UNIT, created["template_id"], case_store.get_case(UNIT, case.body["ref"]), addressee,
                           Signer(full_name="Piotr Wiśniewski", position="dyrektor"), day=date(2027, 2, 1))
    assert letter.template_version == 2 and letter.missing == []
    assert letter.values == {"sprawa.tytul": "Skarga", "data": "1 lutego 2027 r."}
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(letter.pdf)).pages)
    assert "Wersja druga, 1 lutego 2027 r." in " ".join(text.split()) and "Gmina Świdnik" in text
    assert "Lublin, 1 lutego 2027 r." in " ".join(text.split())
    old = render_letter(UNIT, created["template_id"], case_store.get_case(UNIT, case.body["ref"]), addressee, None,
                        version=1, day=date(2027, 2, 1))
    assert old.template_version == 1 and old.values == {
        "sprawa.tytul": "Skarga", "adresat.nazwa": "Gmina Świdnik", "sprawa.znak": case.body["ref"]}
    assert letter.filename.endswith(".pdf") and letter.sha256 != old.sha256

"""Letters from templates without the stack: the placeholder rules a template is saved
under, the values filled in, and the PDF read back as a reader would copy it."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone

import pytest
from pypdf import PdfReader

from ezd.models.cases import Case, CaseOrigin
from ezd.models.letter_templates import (
    NAMES, PLACEHOLDER_MALFORMED, PLACEHOLDER_UNKNOWN, TEXT_INVALID, Letterhead, TemplateContent, problems_of,
)
from ezd.services.dispatch.letter_pdf import LetterLayout, blocks_of, render_pdf
from ezd.services.dispatch.letter_values import (
    GAP, Addressee, LetterFacts, Signer, date_line, fill, polish_date, values_of,
)

POLISH = "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"


def _text(pdf: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _case() -> Case:
    return Case(unit="P50", ref="DYR.410.3.2026", cell="DYR", jrwa_symbol="410", jrwa_heading="Arkusze",
                category="A", plan_owner="CITY", plan_version=1, year=2026, number=3,
                title="Wniosek o duplikat świadectwa", officer="p50.kadry", officer_name="Maria Wójcik",
                opened_at=datetime(2026, 12, 2, 9, tzinfo=timezone.utc), opened_by="p50.kadry",
                deadline=date(2027, 1, 4),
                origin=CaseOrigin(document_id="d1", sender="Żaneta Łęcka", sender_reference="ŁĘ/1/2026",
                                  letter_date="2026-11-30", received_on=date(2026, 12, 1)))


def test_every_name_of_the_vocabulary_is_accepted_and_nothing_else():
    text = " ".join(f"{{{{ {name} }}}}" for name in sorted(NAMES)) + " {{sprawa.znak}} {{  data  }}"
    assert problems_of(TemplateContent(name="Wszystko", body=text, subject="{{ sprawa.tytul }}")) == []
    problems = problems_of(TemplateContent(name="Błędy", subject="{{ sprawa.tytuł }}",
                                           body="{{ adresat.nazwisko }} {{ sprawa.znak }} {{ 1+1 }} {{ data"))
    assert [(p.field, p.code, p.value) for p in problems] == [
        ("subject", PLACEHOLDER_MALFORMED, "{{ sprawa.tytuł }}"),
        ("body", PLACEHOLDER_UNKNOWN, "adresat.nazwisko"),
        ("body", PLACEHOLDER_MALFORMED, "{{ 1+1 }}"),
        ("body", PLACEHOLDER_MALFORMED, "{{ data"),
    ]
    assert problems[0].suggestion == "sprawa.tytul" and problems[1].suggestion == "adresat.nazwa"
    for body in ("{{ sprawa.__class__ }}", "{{ sprawa.znak|upper }}", "{% for x in y %}{% endfor %} }}",
                 "{{ sprawa.znak.x }}"):
        assert {p.code for p in problems_of(TemplateContent(name="x", body=body))} & {
            PLACEHOLDER_MALFORMED, PLACEHOLDER_UNKNOWN}, body
    assert problems_of(TemplateContent(name="x", body="a\x00b"))[0].code == TEXT_INVALID


def test_values_are_filled_once_as_plain_text():
    values = {name: "" for name in NAMES} | {"sprawa.znak": "{{ data }}", "data": "4 grudnia 2026 r."}
    filled = fill("Znak: {{ sprawa.znak }}, data: {{data}}, tytuł: {{ sprawa.tytul }}", values)
    assert filled.text == f"Znak: {{{{ data }}}}, data: 4 grudnia 2026 r., tytuł: {GAP}"
    assert filled.used == ["sprawa.znak", "data", "sprawa.tytul"] and filled.missing == ["sprawa.tytul"]


def test_the_values_come_from_the_case_the_addressee_the_unit_and_the_signer():
    head = Letterhead(unit="P50", name="Przedszkole nr 50 w Lublinie", place="Lublin",
                      address_lines=["ul. Źródlana 5", "20-001 Lublin"])
    values = values_of(LetterFacts(
        unit_name="P50", letterhead=head, case=_case(), day=date(2026, 12, 4),
        addressee=Addressee(name="Żaneta Łęcka", street="ul. Ćmielowska 2", postal_code="20-002", town="Lublin"),
        signer=Signer(full_name="Piotr Wiśniewski", position="dyrektor")))
    assert values["data"] == "4 grudnia 2026 r." and values["sprawa.termin"] == "4 stycznia 2027 r."
    assert values["pismo.z_dnia"] == "30 listopada 2026 r." and values["pismo.data_wplywu"] == "1 grudnia 2026 r."
    assert values["adresat.adres"] == "ul. Ćmielowska 2, 20-002 Lublin"
    assert values["jednostka.adres"] == "ul. Źródlana 5, 20-001 Lublin" and values["jednostka.miejscowosc"] == "Lublin"
    assert values["podpisujacy.stanowisko"] == "dyrektor"
    assert date_line(head, date(2026, 12, 4)) == "Lublin, 4 grudnia 2026 r."
    assert [polish_date(date(2027, m, 1)).split()[1] for m in (2, 9, 10)] == ["lutego", "września", "października"]


def _layout(body: str, subject: str = f"Sprawa {POLISH}") -> LetterLayout:
    return LetterLayout(unit_name="Przedszkole nr 50 w Lublinie", letterhead_lines=["ul. Źródlana 5"],
                        date_line="Lublin, 4 grudnia 2026 r.", case_ref="DYR.410.3.2026",
                        addressee_lines=["Żaneta Łęcka", "20-002 Lublin"], subject=subject, blocks=blocks_of(body),
                        signer_lines=["Piotr Wiśniewski", "dyrektor"], title="Odpowiedź", day=date(2026, 12, 4))


def test_a_letter_prints_polish_letters_and_its_parts_in_order():
    rendered = render_pdf(_layout(f"Treść {POLISH}.\n\n- pierwszy punkt\n- drugi punkt"))
    (page,) = _text(rendered.pdf)
    assert rendered.pages == 1 and rendered.pdf.startswith(b"%PDF")
    assert POLISH in page
    parts = ["Przedszkole nr 50 w Lublinie", "Lublin, 4 grudnia 2026 r.", "Znak sprawy: DYR.410.3.2026",
             "Żaneta Łęcka", f"Dotyczy: Sprawa {POLISH}", f"Treść {POLISH}.", "pierwszy punkt", "Piotr Wiśniewski"]
    positions = [page.index(part) for part in parts]
    assert positions == sorted(positions), page
    assert "Strona" not in page  # one page: no page numbers
    assert render_pdf(_layout(f"Treść {POLISH}.\n\n- pierwszy punkt\n- drugi punkt")).pdf == rendered.pdf


def test_a_long_body_paginates_and_a_long_word_wraps():
    body = "\n\n".join(f"Akapit {n}: " + "zażółć gęślą jaźń " * 20 for n in range(1, 31))
    word = "Ż" + "ó" * 400 + "ł"
    rendered = render_pdf(_layout(body + "\n\n" + word + "\n\x07\ufffe\ud800 koniec"))
    pages = _text(rendered.pdf)
    assert rendered.pages == len(pages) >= 3
    for number, text in enumerate(pages, 1):
        assert f"Strona {number} z {len(pages)}" in text
    whole = " ".join(pages)
    assert all(f"Akapit {n}:" in whole for n in range(1, 31))
    assert whole.replace(" ", "").count("ó") >= 400 and "koniec" in whole and "Piotr Wiśniewski" in pages[-1]


@pytest.mark.parametrize("subject", ["", "   "])
def test_a_letter_without_a_subject_has_no_dotyczy_line(subject):
    (page,) = _text(render_pdf(_layout("Treść.", subject=subject)).pdf)
    assert "Dotyczy" not in page and re.search(r"Treść\.", page)

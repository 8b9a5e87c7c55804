"""A unit's letter templates (szablony pism) and the letterhead they are printed on.

A template is text, never code. Its parts:

- ``subject``: the "Dotyczy:" line (may be empty: the letter then has none);
- ``body``: paragraphs separated by a blank line; a single line break stays a line break;
  a paragraph whose every line starts with "- " is a list (one item a line).

Both may hold placeholders ``{{ name }}`` from the fixed vocabulary below (spaces inside
the braces are optional). Nothing else is interpreted: no expressions, filters, loops or
attribute access — a value is put in as plain text, once, and never read again as a
template. An unknown or malformed placeholder is refused when the template is saved, with
a stable code per problem (``TemplateProblem``), so a letter never fails at render time.

The rest of the letter is the fixed layout of an official letter (letter_pdf.py):
letterhead (the unit's name, address lines and contacts), the place and date line
("Lublin, 4 grudnia 2026 r."), "Znak sprawy: …", the addressee block, "Dotyczy: …", the
body, and the signature block (the signer's name and position).

Every change of a template (its text or whether it is active) is a new version; the
earlier versions are kept, and a letter records the version it was made from.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

# {{ name }}: a letter or underscore first, then letters, digits, underscores, one dot at most.
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)\s*\}\}")
OPENING, CLOSING = "{{", "}}"


class Placeholder(BaseModel):
    name: str
    label: str  # Polish, for the form's list
    example: str


def _p(name: str, label: str, example: str) -> Placeholder:
    return Placeholder(name=name, label=label, example=example)


# The vocabulary: the only names a template may use. Add names here (and their values in
# services/dispatch/letter_values.py); never rename or remove one a template may hold.
VOCABULARY: tuple[Placeholder, ...] = (
    _p("data", "dzisiejsza data (słownie)", "4 grudnia 2026 r."),
    _p("sprawa.znak", "znak sprawy", "DYR.410.3.2026"),
    _p("sprawa.tytul", "tytuł sprawy", "Wniosek o wydanie duplikatu świadectwa"),
    _p("sprawa.data_wszczecia", "data wszczęcia sprawy", "2 grudnia 2026 r."),
    _p("sprawa.termin", "termin załatwienia sprawy", "4 stycznia 2027 r."),
    _p("sprawa.prowadzacy", "prowadzący sprawę", "Maria Wójcik"),
    _p("pismo.nadawca", "nadawca pisma wszczynającego sprawę", "Jan Kowalski"),
    _p("pismo.z_dnia", "data pisma wszczynającego sprawę", "1 grudnia 2026 r."),
    _p("pismo.znak", "znak pisma wszczynającego sprawę", "OR.123.2026"),
    _p("pismo.data_wplywu", "data wpływu pisma wszczynającego sprawę", "2 grudnia 2026 r."),
    _p("adresat.nazwa", "adresat: nazwa albo imię i nazwisko", "Jan Kowalski"),
    _p("adresat.adres", "adresat: adres pocztowy w jednym wierszu", "ul. Lipowa 3, 20-020 Lublin"),
    _p("adresat.adres_do_doreczen", "adresat: adres do e-Doręczeń", "AE:PL-12345-67890-ABCDE-12"),
    _p("jednostka.nazwa", "nazwa jednostki", "Szkoła Podstawowa nr 19 w Lublinie"),
    _p("jednostka.adres", "adres jednostki w jednym wierszu", "ul. Szkolna 1, 20-001 Lublin"),
    _p("jednostka.miejscowosc", "miejscowość jednostki", "Lublin"),
    _p("podpisujacy.imie_nazwisko", "podpisujący: imię i nazwisko", "Piotr Wiśniewski"),
    _p("podpisujacy.stanowisko", "podpisujący: stanowisko", "dyrektor"),
)
NAMES = frozenset(p.name for p in VOCABULARY)

# Stable codes of a template's problems (docs/error-codes.md).
PLACEHOLDER_UNKNOWN = "LETTER_TEMPLATE_PLACEHOLDER_UNKNOWN"
PLACEHOLDER_MALFORMED = "LETTER_TEMPLATE_PLACEHOLDER_MALFORMED"
TEXT_INVALID = "LETTER_TEMPLATE_TEXT_INVALID"
NAME_TAKEN = "LETTER_TEMPLATE_NAME_TAKEN"


class TemplateProblem(BaseModel):
    field: Literal["name", "description", "subject", "body"]
    code: str
    value: str | None = None  # the placeholder (or character) concerned
    suggestion: str | None = None  # the known name it most resembles
    message: str


class TemplateContent(BaseModel):
    """What the unit administrator types."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=1000)
    subject: str = Field(default="", max_length=500)
    body: str = Field(min_length=1, max_length=20000)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the name must not be blank")
        return value.strip()

    @field_validator("body")
    @classmethod
    def _written(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the body must not be blank")
        return value.replace("\r\n", "\n").replace("\r", "\n")


def bad_character(text: str) -> str | None:
    """A character no letter may carry: controls (but line breaks and tabs), lone
    surrogates, private-use and unassigned code points."""
    for char in text:
        if char in "\n\t":
            continue
        if unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
            return char
    return None


def _without_polish_letters(name: str) -> str | None:
    """sprawa.tytuł -> sprawa.tytul, when that is a name of the vocabulary."""
    folded = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L")).lower()
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return plain if plain in NAMES else None


def _placeholder_problems(field: str, text: str) -> list[TemplateProblem]:
    """Each "{{ … }}" must be a name of the vocabulary; a "{{" without its "}}" and a "}}"
    without its "{{" are malformed too."""
    from difflib import get_close_matches

    problems: list[TemplateProblem] = []

    def problem(code: str, value: str, message: str, suggestion: str | None = None) -> None:
        problems.append(TemplateProblem(field=field, code=code, value=value, suggestion=suggestion,  # type: ignore[arg-type]
                                        message=f"{field}: {message}"))

    position = 0
    while True:
        opening, closing = text.find(OPENING, position), text.find(CLOSING, position)
        if opening == -1 and closing == -1:
            return problems
        if closing != -1 and (opening == -1 or closing < opening):
            problem(PLACEHOLDER_MALFORMED, CLOSING, "'}}' without its '{{'")
            position = closing + 2
            continue
        end = text.find(CLOSING, opening + 2)
        if end == -1:
            snippet = text[opening:opening + 40]
            problem(PLACEHOLDER_MALFORMED, snippet, f"'{snippet}' is not closed with '}}}}'")
            return problems
        candidate = text[opening:end + 2]
        match = PLACEHOLDER.fullmatch(candidate)
        if match is None:
            snippet = candidate if len(candidate) <= 80 else candidate[:79] + "…"
            problem(PLACEHOLDER_MALFORMED, snippet, f"'{snippet}' is not a placeholder of the form {{{{ name }}}}",
                    _without_polish_letters(candidate[2:-2].strip()))
        elif match.group(1) not in NAMES:
            close = get_close_matches(match.group(1), sorted(NAMES), n=1)
            problem(PLACEHOLDER_UNKNOWN, match.group(1), f"there is no placeholder {match.group(1)}",
                    close[0] if close else None)
        position = end + 2


def problems_of(content: TemplateContent) -> list[TemplateProblem]:
    """Everything wrong with a template, field by field (empty: it may be saved)."""
    problems: list[TemplateProblem] = []
    for field in ("name", "description", "subject", "body"):
        text = getattr(content, field)
        bad = bad_character(text)
        if bad is not None:
            problems.append(TemplateProblem(field=field, code=TEXT_INVALID, value=f"U+{ord(bad):04X}",  # type: ignore[arg-type]
                                            message=f"{field}: the character U+{ord(bad):04X} cannot be printed"))
            continue
        if field in ("subject", "body"):
            problems.extend(_placeholder_problems(field, text))
    return problems


def placeholders_in(text: str) -> list[str]:
    """The vocabulary's names the text uses, in order, each once."""
    seen: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        if match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


TemplateStatus = Literal["active", "archived"]
TemplateChange = Literal["created", "changed", "archived", "restored"]


class LetterTemplate(TemplateContent):
    template_id: str
    unit: str
    version: int = 1
    status: TemplateStatus = "active"
    standard: bool = False  # one of the city's starter templates (services/dispatch/letter_catalogue.py)
    updated_at: datetime | None = None
    updated_by: str | None = None


class TemplateVersion(TemplateContent):
    """One version of a template, as it was saved (kept for good)."""

    template_id: str
    version: int
    status: TemplateStatus
    change: TemplateChange
    changed_at: datetime | None = None
    changed_by: str | None = None


class LetterTemplateList(BaseModel):
    unit: str
    count: int
    items: list[LetterTemplate]


class TemplateVersionList(BaseModel):
    unit: str
    template_id: str
    count: int
    items: list[TemplateVersion]  # newest first


class Vocabulary(BaseModel):
    placeholders: list[Placeholder]


class LetterheadDetails(BaseModel):
    """The unit's letterhead: printed at the top of every letter, and the place of its date line."""

    name: str | None = Field(default=None, max_length=300)  # None: the unit's name in the directory
    address_lines: list[str] = Field(default_factory=list, max_length=4)
    place: str | None = Field(default=None, max_length=100)  # miejscowość: "Lublin, 4 grudnia 2026 r."
    contact_lines: list[str] = Field(default_factory=list, max_length=3)  # tel., e-mail, www

    @field_validator("address_lines", "contact_lines")
    @classmethod
    def _lines(cls, lines: list[str]) -> list[str]:
        kept = [line.strip() for line in lines if line.strip()]
        if any(len(line) > 200 for line in kept):
            raise ValueError("a line is longer than 200 characters")
        return kept


class Letterhead(LetterheadDetails):
    unit: str
    version: int = 0  # 0: never saved, the defaults
    updated_at: datetime | None = None
    updated_by: str | None = None

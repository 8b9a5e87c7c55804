"""The values of a letter's placeholders (models/letter_templates.py VOCABULARY), from the
case, the addressee, the unit's letterhead, the signer and the day, and the filling of a
template with them.

Filling is one pass of a regular expression over the template's text: each ``{{ name }}``
is replaced by its value as plain text; a value is never read again as a template. A
placeholder without a value (a case without an originating letter, a letter without an
addressee) is printed as "……" and listed in ``missing``, so that the person sees the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from ezd.models.cases import Case
from ezd.models.contractors import Contractor
from ezd.models.letter_templates import NAMES, PLACEHOLDER, Letterhead

GAP = "……"
MONTHS = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
          "października", "listopada", "grudnia")


def polish_date(day: date) -> str:
    """4 grudnia 2026 r."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} r."


def _letter_date(text: str | None) -> str:
    """The date on a letter as registered: a full ISO date in words, a partial one as it is."""
    if not text:
        return ""
    try:
        return polish_date(date.fromisoformat(text))
    except ValueError:
        return text


class Addressee(BaseModel):
    """Who the letter goes to, as printed: a name and the postal lines (or, without a
    postal address, the electronic one)."""

    name: str
    street: str | None = None
    postal_code: str | None = None
    town: str | None = None
    country: str | None = None
    ade: str | None = None
    esp_address: str | None = None

    @classmethod
    def of(cls, contractor: Contractor) -> "Addressee":
        name = contractor.name_display
        if contractor.kind == "person":  # the book sorts by surname; a letter names "Jan Kowalski"
            name = " ".join(p for p in (contractor.first_names, contractor.surname) if p).strip() or name
        return cls(name=name, street=contractor.street, postal_code=contractor.postal_code, town=contractor.town,
                   country=contractor.country, ade=contractor.ade, esp_address=contractor.esp_address)

    def postal_lines(self) -> list[str]:
        lines = [self.street or "", " ".join(p for p in (self.postal_code, self.town) if p)]
        if self.country and self.country.upper() not in ("PL", "POLSKA"):
            lines.append(self.country)
        return [line for line in lines if line.strip()]

    def block(self) -> list[str]:
        lines = self.postal_lines()
        if not lines:
            lines = [f"adres do e-Doręczeń: {self.ade}"] if self.ade else (
                [f"skrytka ePUAP: {self.esp_address}"] if self.esp_address else [])
        return [self.name, *lines]


class Signer(BaseModel):
    full_name: str
    position: str


@dataclass
class LetterFacts:
    unit_name: str
    letterhead: Letterhead
    case: Case | None
    addressee: Addressee | None
    signer: Signer | None
    day: date


def values_of(facts: LetterFacts) -> dict[str, str]:
    """Every name of the vocabulary with its value ("" where there is none)."""
    case, addressee, signer, head = facts.case, facts.addressee, facts.signer, facts.letterhead
    origin = case.origin if case else None
    values = {
        "data": polish_date(facts.day),
        "sprawa.znak": case.ref if case else "",
        "sprawa.tytul": case.title if case else "",
        "sprawa.data_wszczecia": polish_date(case.initiated_on) if case and case.initiated_on else "",
        "sprawa.termin": polish_date(case.deadline) if case and case.deadline else "",
        "sprawa.prowadzacy": case.officer_name if case else "",
        "pismo.nadawca": origin.sender if origin else "",
        "pismo.z_dnia": _letter_date(origin.letter_date) if origin else "",
        "pismo.znak": (origin.sender_reference or "") if origin else "",
        "pismo.data_wplywu": polish_date(origin.received_on) if origin and origin.received_on else "",
        "adresat.nazwa": addressee.name if addressee else "",
        "adresat.adres": ", ".join(addressee.postal_lines()) if addressee else "",
        "adresat.adres_do_doreczen": (addressee.ade or "") if addressee else "",
        "jednostka.nazwa": head.name or facts.unit_name,
        "jednostka.adres": ", ".join(head.address_lines),
        "jednostka.miejscowosc": head.place or "",
        "podpisujacy.imie_nazwisko": signer.full_name if signer else "",
        "podpisujacy.stanowisko": signer.position if signer else "",
    }
    assert set(values) == NAMES, "every placeholder of the vocabulary has its value"
    return values


@dataclass
class Filled:
    text: str
    used: list[str]
    missing: list[str]


def fill(text: str, values: dict[str, str]) -> Filled:
    used: list[str] = []
    missing: list[str] = []

    def put(match) -> str:  # noqa: ANN001 - re.Match
        name = match.group(1)
        if name not in used:
            used.append(name)
        value = values.get(name, "")
        if not value.strip():
            if name not in missing:
                missing.append(name)
            return GAP
        return value

    return Filled(PLACEHOLDER.sub(put, text), used, missing)


def date_line(letterhead: Letterhead, day: date) -> str:
    """Lublin, 4 grudnia 2026 r. (without a place in the letterhead: the date alone)."""
    return f"{letterhead.place}, {polish_date(day)}" if letterhead.place else polish_date(day)


def sample_facts(unit_name: str, letterhead: Letterhead, day: date, signer: Signer | None) -> tuple[Case, Addressee]:
    """A made-up case and addressee for a template's preview without a case."""
    from datetime import datetime, timezone

    from ezd.models.cases import CaseOrigin

    opened = datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc)
    case = Case(unit="PODGLAD", ref=f"DYR.000.1.{day.year}", cell="DYR", jrwa_symbol="000", jrwa_heading="Podgląd",
                category=None, plan_owner="CITY", plan_version=1, year=day.year, number=1,
                title="Przykładowa sprawa (podgląd szablonu)", officer="podglad",
                officer_name=signer.full_name if signer else "Jan Przykładowy", opened_at=opened, opened_by="podglad",
                initiated_on=day, deadline=None,
                origin=CaseOrigin(document_id="podglad", sender="Jan Kowalski", sender_reference="—",
                                  letter_date=day.isoformat(), received_on=day))
    addressee = Addressee(name="Jan Kowalski", street="ul. Przykładowa 1", postal_code="20-001", town="Lublin")
    return case, addressee

"""Demo data of the local stack: the units, their ePUAP boxes, the school JRWA, users."""

from __future__ import annotations

import csv
from importlib import resources
from typing import Iterable

from ezd.models.directory import Cell, Unit, User


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("ezd.resources.demo").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def demo_units() -> list[Unit]:
    return [
        Unit(
            symbol=row["symbol"],
            name=row["name"],
            kind=row["kind"],
            esp_address=row["esp_address"],
            ade=row.get("ade") or None,
            served_by_lceao=row.get("served_by_lceao", "").strip().lower() == "yes",
            archive=row.get("archive") or None,
        )
        for row in _rows("units-lublin.csv")
    ]


def demo_jrwa() -> list[dict[str, str]]:
    return _rows("jrwa-szkola.csv")


EDUCATION_DEPARTMENT = "WOIW"

_SCHOOL_CELLS = (
    ("DYR", "Dyrekcja"),
    ("SEK", "Sekretariat"),
    ("KAD", "Kadry"),
    ("KSI", "Księgowość"),
    ("ADM", "Administracja i archiwum"),
)
_DEPARTMENT_CELLS = (
    ("WO", "Wydział Oświaty i Wychowania"),
    ("WO-SEK", "Sekretariat Wydziału"),
    ("WO-AO", "Referat Arkuszy Organizacji"),
    ("WO-KAD", "Referat Kadr Oświaty"),
    ("WO-ADM", "Archiwum Wydziału"),
)

# One person per role in every unit: the registry desk, the director (manager and unit
# administrator), a case officer, the archivist, and a separate administrator.
_SCHOOL_PEOPLE = (
    ("sekretariat", "Anna Nowak", "sekretarz szkoły", ["registry_clerk"], "SEK"),
    ("dyrektor", "Piotr Wiśniewski", "dyrektor", ["manager", "unit_admin", "case_officer"], "DYR"),
    ("kadry", "Maria Wójcik", "specjalista ds. kadr", ["case_officer"], "KAD"),
    ("archiwum", "Ewa Zielińska", "archiwista", ["archivist"], "ADM"),
    ("admin", "Tomasz Lewandowski", "administrator systemu", ["unit_admin"], "ADM"),
)
_DEPARTMENT_PEOPLE = (
    ("sekretariat", "Joanna Kamińska", "inspektor – kancelaria", ["registry_clerk"], "WO-SEK"),
    ("dyrektor", "Krzysztof Zając", "dyrektor wydziału", ["manager", "unit_admin", "case_officer"], "WO"),
    ("arkusze", "Barbara Szymańska", "inspektor ds. arkuszy organizacji", ["case_officer"], "WO-AO"),
    ("archiwum", "Ewa Dąbrowska", "archiwista", ["archivist"], "WO-ADM"),
    ("admin", "Marek Kozłowski", "administrator systemu", ["unit_admin"], "WO-ADM"),
)


def _is_department(unit: Unit) -> bool:
    return unit.symbol == EDUCATION_DEPARTMENT


def demo_cells(units: Iterable[Unit]) -> list[Cell]:
    cells = []
    for unit in units:
        for symbol, name in _DEPARTMENT_CELLS if _is_department(unit) else _SCHOOL_CELLS:
            cells.append(Cell(unit=unit.symbol, symbol=symbol, name=name))
    return cells


def demo_users(units: Iterable[Unit]) -> list[User]:
    users = []
    for unit in units:
        for suffix, name, position, roles, cell in _DEPARTMENT_PEOPLE if _is_department(unit) else _SCHOOL_PEOPLE:
            users.append(
                User(login=f"{unit.symbol.lower()}.{suffix}", full_name=name, position=position, unit=unit.symbol,
                     roles=roles, cell=cell)  # type: ignore[arg-type]
            )
    return users


# The one password of every demo user of the local stack (printed by `make run`, in the
# README). Hashed once: the demo users share it, so they share its salt too; a password a
# user sets later gets a salt of its own.
DEMO_PASSWORD = "ezd-demo-2026"


def demo_credentials(users: Iterable[User]) -> list:
    from ezd.clock import now_utc
    from ezd.models.credentials import Credential
    from ezd.services.passwords import hash_password

    hashed = hash_password(DEMO_PASSWORD)
    return [Credential(login=user.login, password=hashed, changed_at=now_utc()) for user in users]


def demo_classification_rules() -> list:
    """The city's common rules (every unit may add its own in front of them)."""
    from ezd.models.routing import ClassificationRule

    def rule(rule_id: str, kind: str, pattern: str, symbol: str, priority: int, description: str) -> ClassificationRule:
        return ClassificationRule(rule_id=rule_id, owner="CITY", kind=kind, pattern=pattern, jrwa_symbol=symbol,  # type: ignore[arg-type]
                                  priority=priority, description=description)

    return [
        rule("aneks-arkusza", "title_words", "aneks arkusza organizacji", "410", 10, "Aneksy do arkusza organizacji"),
        rule("arkusz-organizacji", "title_words", "arkusz organizacji", "410", 20, "Arkusze organizacji"),
        rule("duplikat-swiadectwa", "title_words", "duplikat świadectwa", "433", 30, "Duplikaty świadectw"),
        rule("informacja-publiczna", "title_words", "informacji publicznej", "051", 40, "Wnioski o informację publiczną"),
        rule("skarga", "title_words", "skarga", "050", 50, "Skargi"),
        rule("rekrutacja", "title_words", "przyjęcie do szkoły", "430", 60, "Wnioski o przyjęcie"),
        rule("kuratorium", "sender", "Kuratorium Oświaty", "090", 70, "Pisma kuratorium (nadzór pedagogiczny)"),
        rule("formularz-rekrutacyjny", "form_namespace", "http://crd.gov.pl/wzor/2024/03/01/13123/", "430", 80,
             "Formularz ePUAP wniosku o przyjęcie"),
    ]


def demo_decretation_models() -> list:
    """Where documents go by class: the city's default for schools, and the education
    department's own model (arkusze organizacji → the organisation-sheets team)."""
    from ezd.models.routing import DecretationModelRule, Target

    def model(unit: str, prefix: str, cell: str, note: str) -> DecretationModelRule:
        return DecretationModelRule(unit=unit, jrwa_prefix=prefix, target=Target(cell=cell), note=note)

    return [
        model("CITY", "", "DYR", "Bez klasyfikacji lub bez modelu: do dyrektora"),
        model("CITY", "1", "KAD", "Sprawy kadrowe"),
        model("CITY", "3", "KSI", "Finanse"),
        model("CITY", "43", "SEK", "Sprawy uczniów"),
        model(EDUCATION_DEPARTMENT, "", "WO", "Do dyrektora wydziału"),
        model(EDUCATION_DEPARTMENT, "410", "WO-AO", "Arkusze organizacji i aneksy"),
        model(EDUCATION_DEPARTMENT, "1", "WO-KAD", "Kadry oświaty"),
    ]


def demo_letterheads(units: Iterable[Unit]) -> list:
    """Every demo unit writes from Lublin, with its electronic addresses under its name (the
    CSV has no street addresses: each administrator adds theirs). The starter templates
    need no writes (services/dispatch/letter_catalogue.py)."""
    from ezd.models.letter_templates import Letterhead

    return [Letterhead(unit=unit.symbol, name=unit.name, place="Lublin", version=1,
                       contact_lines=[f"skrytka ePUAP: {unit.esp_address}"]
                       + ([f"adres do e-Doręczeń: {unit.ade}"] if unit.ade else []))
            for unit in units]

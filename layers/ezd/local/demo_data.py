"""Demo data of the local stack: the units, their ePUAP boxes, the school JRWA, users."""

from __future__ import annotations

import csv
from importlib import resources
from typing import Iterable

from ezd.models.directory import Unit, User


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


# Three people per unit: the registry desk, the director, the archivist.
_DEMO_PEOPLE = (
    ("sekretariat", "Anna Nowak", "sekretarz szkoły", ["registry_clerk"]),
    ("dyrektor", "Piotr Wiśniewski", "dyrektor", ["manager", "unit_admin", "case_officer"]),
    ("archiwum", "Ewa Zielińska", "archiwista", ["archivist"]),
)


def demo_users(units: Iterable[Unit]) -> list[User]:
    users = []
    for unit in units:
        for suffix, name, position, roles in _DEMO_PEOPLE:
            users.append(
                User(login=f"{unit.symbol.lower()}.{suffix}", full_name=name, position=position, unit=unit.symbol, roles=roles)  # type: ignore[arg-type]
            )
    return users

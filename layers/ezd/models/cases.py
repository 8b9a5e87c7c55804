"""Cases (sprawy): matters handled in one JRWA leaf class by one komórka."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, model_validator

_WARSAW = ZoneInfo("Europe/Warsaw")

CaseStatus = Literal["open", "closed"]
DeadlinePresetName = Literal[
    "immediate", "certificate_7d", "one_month", "two_months", "appeal_one_month", "complaint_one_month", "none"
]


def case_reference(cell: str, jrwa_symbol: str, number: int, year: int) -> str:
    """Znak sprawy: KOMÓRKA.JRWA.NR.ROK, e.g. DYR.410.3.2026."""
    return f"{cell}.{jrwa_symbol}.{number}.{year}"


def case_audit_key(unit: str, ref: str) -> str:
    """Case references repeat across units (every school has its DYR.410.1.2026), so a
    case's audit chain is keyed by unit and reference."""
    return f"{unit}#{ref}"


class SuspensionPeriod(BaseModel):
    start: date
    end: date | None = None  # open: the clock is stopped
    reason: str


class CaseOrigin(BaseModel):
    """Od kogo wpłynęła: the letter that started the case, for the spis spraw."""

    document_id: str
    sender: str
    sender_reference: str | None = None
    letter_date: str | None = None
    registry_number: str | None = None
    received_on: date | None = None  # data wpływu of the letter (Polish date)


class Case(BaseModel):
    unit: str
    ref: str
    cell: str
    jrwa_symbol: str
    jrwa_heading: str
    category: str | None
    plan_owner: str
    plan_version: int
    year: int
    number: int
    title: str = Field(min_length=1, max_length=500)
    officer: str
    officer_name: str
    opened_at: datetime
    opened_by: str
    # The day the proceedings began (KPA art. 61 §3): the date of receipt of the letter
    # that started the case, or the opening day of a case of the authority's own
    # initiative. Deadlines run from it, not from the day the case was opened.
    initiated_on: date | None = None
    origin: CaseOrigin | None = None
    status: CaseStatus = "open"
    closed_at: datetime | None = None
    settlement: str | None = None  # sposób załatwienia
    settled_by: str | None = None  # the outgoing item (RPWy/N/YYYY) the case was settled by, if one
    deadline_preset: DeadlinePresetName = "none"
    deadline: date | None = None
    suspensions: list[SuspensionPeriod] = []
    documents_count: int = 0
    continues: str | None = None  # a case of an earlier year reopened under this reference
    continued_as: str | None = None
    reopened: list[datetime] = []
    version: int = 1

    @model_validator(mode="after")
    def _initiated(self) -> "Case":
        if self.initiated_on is None:
            # Cases stored before the day of initiation was kept began when they were opened.
            self.initiated_on = self.opened_at.astimezone(_WARSAW).date()
        return self


class CaseDocument(BaseModel):
    case_ref: str
    unit: str
    document_id: str
    registry_number: str | None
    title: str
    attached_at: datetime
    attached_by: str


class SpisLine(BaseModel):
    """One line of the spis spraw (the columns of the instrukcja kancelaryjna)."""

    lp: int
    znak_sprawy: str
    sprawa: str
    od_kogo_wplynela: str
    znak_pisma: str
    z_dnia: str
    data_wszczecia: str
    data_ostatecznego_zalatwienia: str
    uwagi: str


class SpisPage(BaseModel):
    """A page of the spis: its lines, how many cases the spis has, and where the next
    page starts (None on the last)."""

    lines: list[SpisLine]
    total: int
    next_after: int | None = None

"""Terms and case deadlines under the Kodeks postępowania administracyjnego (KPA).

The computations live in `ezd.services.deadlines`; these are the values they take and
give back, so that a deadline can be stored, shown and explained step by step.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TermUnit = Literal["days", "weeks", "months"]

_UNIT_LETTER: dict[str, str] = {"days": "d", "weeks": "w", "months": "m"}


class Term(BaseModel):
    """A term (termin) of `amount` days, weeks or months, as in KPA art. 57 §1-3."""

    model_config = ConfigDict(frozen=True)

    amount: int = Field(ge=0)
    unit: TermUnit

    def __str__(self) -> str:  # the short form `parse_term` reads: 7d, 2w, 1m
        return f"{self.amount}{_UNIT_LETTER[self.unit]}"


class DeadlinePreset(str, Enum):
    """Deadlines for settling a case (KPA art. 35; skargi i wnioski: art. 237)."""

    IMMEDIATE = "immediate"  # niezwłocznie: the evidence is at hand (art. 35 §2)
    CERTIFICATE_7D = "certificate_7d"  # zaświadczenie, 7 days (art. 217 §3)
    ONE_MONTH = "one_month"  # explanatory proceedings needed (art. 35 §3)
    TWO_MONTHS = "two_months"  # particularly complicated case (art. 35 §3)
    APPEAL_ONE_MONTH = "appeal_one_month"  # appeal, from its receipt (art. 35 §3)
    COMPLAINT_ONE_MONTH = "complaint_one_month"  # skargi i wnioski (art. 237 §1)


class Suspension(BaseModel):
    """A period not counted into a case deadline (KPA art. 35 §5).

    Covers suspension of proceedings and delays caused by the party or by reasons not
    attributable to the authority. The period is half-open, [start, end): `start` is the
    first day not counted and `end` the day the clock runs again, so it accounts for
    `(end - start).days` calendar days. `end` None means the clock is still stopped.
    """

    model_config = ConfigDict(frozen=True)

    start: date
    end: date | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Suspension:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"suspension ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def days(self) -> int | None:
        return None if self.end is None else (self.end - self.start).days


StepKind = Literal["start", "raw_end", "suspension", "extended", "roll", "stopped", "final"]


class DeadlineStep(BaseModel):
    """One step of a deadline computation, with a sentence that explains it."""

    kind: StepKind
    day: date | None = None
    text: str


class DeadlineExplanation(BaseModel):
    """How a last day was reached, for the case file and for the user who asks why."""

    event: date  # the event the term runs from (doręczenie, wszczęcie, wpływ...)
    term: Term
    preset: DeadlinePreset | None = None
    raw_end: date  # KPA art. 57 §1-3, before suspensions and the roll-forward
    suspension_days: int = 0
    suspended_end: date  # raw_end + suspension_days
    last_day: date | None  # None: the clock is stopped by an open suspension
    stopped: bool = False
    steps: list[DeadlineStep] = Field(default_factory=list)

    def lines(self) -> list[str]:
        return [step.text for step in self.steps]

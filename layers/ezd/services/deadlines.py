"""Terms and case deadlines under the KPA: pure functions, no I/O, no clock.

Legal basis and the interpretation chosen here:

* Art. 57 §1: a term in days does not count the day of the event; it ends after n days,
  so its last day is `event + n days`.
* Art. 57 §2: a term in weeks ends on the day of the last week that corresponds by name
  to the day of the event: `event + 7n days`.
* Art. 57 §3: a term in months ends on the day of the last month that corresponds by
  number to the day of the event, or on the month's last day if it has no such day
  (31 January + 1 month = 28/29 February). `relativedelta` clamps exactly that way.
* Art. 57 §4: if the last day falls on a Saturday or a public holiday (dzień ustawowo
  wolny od pracy; every Sunday is one), the next day that is neither is the last day.
  It is applied to the authority's case deadlines (art. 35) too, as the common practice
  of the registry is; the day is rolled until it is a working day.
* Art. 35 §5: periods of suspension and delays caused by the party or not attributable
  to the authority are not counted. Their calendar days are added to the raw end (before
  the roll-forward), each period being half-open [start, end): the day of suspension is
  the first day not counted, the day the proceedings resume counts again. Overlapping
  periods are merged so that no day is counted twice. An open period (no end) stops the
  clock: there is no last day until it closes.
* "Immediately" (niezwłocznie, art. 35 §2) is a term of 0 days: the opening day itself,
  or the next working day if the case was opened on a non-working day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

from ezd.models.deadlines import (
    DeadlineExplanation,
    DeadlinePreset,
    DeadlineStep,
    Suspension,
    Term,
)

__all__ = [
    "PRESET_TERMS",
    "case_deadline",
    "days_until",
    "due_within",
    "explain_case_deadline",
    "explain_term",
    "holiday_name",
    "is_overdue",
    "is_working_day",
    "next_working_day",
    "non_working_reason",
    "parse_term",
    "polish_holidays",
    "term_end",
]

PRESET_TERMS: dict[DeadlinePreset, Term] = {
    DeadlinePreset.IMMEDIATE: Term(amount=0, unit="days"),
    DeadlinePreset.CERTIFICATE_7D: Term(amount=7, unit="days"),
    DeadlinePreset.ONE_MONTH: Term(amount=1, unit="months"),
    DeadlinePreset.TWO_MONTHS: Term(amount=2, unit="months"),
    DeadlinePreset.APPEAL_ONE_MONTH: Term(amount=1, unit="months"),
    DeadlinePreset.COMPLAINT_ONE_MONTH: Term(amount=1, unit="months"),
}

# ---------------------------------------------------------------------------------------
# Terms

_TERM = re.compile(r"^\s*(\d{1,4})\s*([a-zA-Z]+)\s*$")
_UNITS: dict[str, str] = {
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "week": "weeks", "weeks": "weeks",
    "m": "months", "month": "months", "months": "months",
}


def parse_term(text: str) -> Term:
    """Read `7d`, `14d`, `2w`, `1m`, `2m` (or `7 days`, `1 month`); `0d` is immediately."""
    if not isinstance(text, str):
        raise ValueError(f"a term must be text such as '7d', '2w' or '1m', not {text!r}")
    match = _TERM.match(text)
    unit = _UNITS.get(match.group(2).lower()) if match else None
    if match is None or unit is None:
        raise ValueError(
            f"invalid term {text!r}: expected a whole number followed by d (days), "
            "w (weeks) or m (months), e.g. 7d, 14d, 2w, 1m"
        )
    return Term(amount=int(match.group(1)), unit=unit)


def _as_term(term: Term | str) -> Term:
    return parse_term(term) if isinstance(term, str) else term


# ---------------------------------------------------------------------------------------
# Calendar

# Christmas Eve became a public holiday from 2025 (Dz.U. 2024 poz. 1965, amending the act
# on days off work of 18 January 1951). `holidays` has it since 0.64; the guard below keeps
# the rule right should an older release ever be installed.
_CHRISTMAS_EVE_FROM = 2025
_CHRISTMAS_EVE_NAME = "Wigilia Bożego Narodzenia"

_WEEKDAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@lru_cache(maxsize=512)
def _holidays_of(year: int) -> dict[date, str]:
    # Polish names whatever the process locale, so that explanations are stable.
    found = {day: str(name) for day, name in holidays.Poland(years=year, language="pl").items()}
    eve = date(year, 12, 24)
    if year >= _CHRISTMAS_EVE_FROM and eve not in found:
        found[eve] = _CHRISTMAS_EVE_NAME
    return found


def polish_holidays(year: int) -> set[date]:
    """Public holidays of `year` by the act on days off work (not the ordinary Sundays)."""
    return set(_holidays_of(year))


def holiday_name(d: date) -> str | None:
    """The public holiday's Polish name, or None (an ordinary Sunday gives None)."""
    return _holidays_of(d.year).get(d)


def is_working_day(d: date) -> bool:
    """Neither a Saturday, nor a Sunday, nor a public holiday (KPA art. 57 §4)."""
    return d.weekday() < 5 and d not in _holidays_of(d.year)


def non_working_reason(d: date) -> str | None:
    """Why `d` is not a working day ('Saturday', 'Sunday', a holiday's name), or None."""
    parts = []
    if d.weekday() >= 5:
        parts.append(_WEEKDAY[d.weekday()])
    name = holiday_name(d)
    if name:
        parts.append(name)
    return ", ".join(parts) or None


def next_working_day(d: date) -> date:
    """`d` if it is a working day, otherwise the first working day after it."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


# ---------------------------------------------------------------------------------------
# Term ends


def _raw_end(event: date, term: Term) -> date:
    try:
        if term.unit == "days":
            return event + timedelta(days=term.amount)
        if term.unit == "weeks":
            return event + timedelta(weeks=term.amount)
        return event + relativedelta(months=term.amount)
    except (OverflowError, ValueError) as exc:
        raise ValueError(f"term {term} from {event} ends outside the calendar") from exc


def _merge(opened_on: date, periods: Iterable[Suspension | tuple[date, date | None]]
           ) -> tuple[list[Suspension], Suspension | None]:
    """Closed periods merged (no day counted twice), and the first open one if any."""
    items = [p if isinstance(p, Suspension) else Suspension(start=p[0], end=p[1]) for p in periods]
    for item in items:
        if item.start < opened_on:
            raise ValueError(f"a suspension cannot start ({item.start}) before the event ({opened_on})")
    open_ = min((p for p in items if p.end is None), key=lambda p: p.start, default=None)
    merged: list[Suspension] = []
    for item in sorted((p for p in items if p.end is not None), key=lambda p: p.start):
        if merged and item.start <= merged[-1].end:  # type: ignore[operator]
            last = merged[-1]
            merged[-1] = Suspension(start=last.start, end=max(last.end, item.end),  # type: ignore[type-var]
                                    reason=last.reason or item.reason)
        else:
            merged.append(item)
    return merged, open_


def explain_term(
    event: date,
    term: Term | str,
    suspensions: Iterable[Suspension | tuple[date, date | None]] = (),
    *,
    preset: DeadlinePreset | None = None,
) -> DeadlineExplanation:
    """The last day of `term` running from `event`, with each step of the computation."""
    term = _as_term(term)
    raw = _raw_end(event, term)
    steps = [DeadlineStep(kind="start", day=event, text=_start_text(event, term, preset))]
    steps.append(DeadlineStep(kind="raw_end", day=raw, text=_raw_text(event, term, raw)))

    closed, open_ = _merge(event, suspensions)
    if open_ is not None:
        steps.append(DeadlineStep(
            kind="stopped", day=open_.start,
            text=f"suspended since {open_.start.isoformat()} and not yet resumed: the clock is "
                 "stopped (art. 35 §5), there is no last day until it resumes",
        ))
        return DeadlineExplanation(event=event, term=term, preset=preset, raw_end=raw,
                                   suspension_days=sum(p.days or 0 for p in closed),
                                   suspended_end=raw, last_day=None, stopped=True, steps=steps)

    added = 0
    for period in closed:
        days = period.days or 0
        added += days
        why = f" ({period.reason})" if period.reason else ""
        steps.append(DeadlineStep(
            kind="suspension", day=period.start,
            text=f"+{days} day(s) not counted: {period.start.isoformat()} to "
                 f"{period.end.isoformat()} (exclusive){why}, art. 35 §5",  # type: ignore[union-attr]
        ))
    try:
        extended = raw + timedelta(days=added)
    except OverflowError as exc:
        raise ValueError("the suspensions push the deadline outside the calendar") from exc
    if added:
        steps.append(DeadlineStep(kind="extended", day=extended,
                                  text=f"end with {added} suspended day(s) added: {_fmt(extended)}"))

    last = extended
    while not is_working_day(last):
        following = last + timedelta(days=1)
        steps.append(DeadlineStep(
            kind="roll", day=following,
            text=f"{_fmt(last)} is not a working day ({non_working_reason(last)}): "
                 f"moved to {following.isoformat()} (art. 57 §4)",
        ))
        last = following
    steps.append(DeadlineStep(kind="final", day=last, text=f"last day: {_fmt(last)}"))
    return DeadlineExplanation(event=event, term=term, preset=preset, raw_end=raw,
                               suspension_days=added, suspended_end=extended, last_day=last,
                               steps=steps)


def term_end(event: date, term: Term | str) -> date:
    """The last day of a term under KPA art. 57 (including the roll-forward of §4)."""
    last = explain_term(event, term).last_day
    assert last is not None  # no suspensions, so the clock always runs
    return last


def explain_case_deadline(
    opened_on: date,
    preset: DeadlinePreset | str,
    suspensions: Iterable[Suspension | tuple[date, date | None]] = (),
) -> DeadlineExplanation:
    """The case deadline of art. 35 for `preset`, explained step by step."""
    preset = DeadlinePreset(preset)
    return explain_term(opened_on, PRESET_TERMS[preset], suspensions, preset=preset)


def case_deadline(
    opened_on: date,
    preset: DeadlinePreset | str,
    suspensions: Iterable[Suspension | tuple[date, date | None]] = (),
) -> date | None:
    """The last day to settle a case (art. 35), or None while an open suspension stops it.

    `immediate` gives the opening day itself (the next working day if it was opened on a
    non-working day). Closed suspensions [start, end) add their calendar days before the
    Saturday/holiday roll-forward.
    """
    return explain_case_deadline(opened_on, preset, suspensions).last_day


# ---------------------------------------------------------------------------------------
# Helpers for the overdue run. A None deadline (clock stopped) is never due nor overdue.


def days_until(deadline: date | None, today: date) -> int | None:
    """Days left until the deadline: 0 on the last day itself, negative once it passed."""
    return None if deadline is None else (deadline - today).days


def due_within(deadline: date | None, today: date, n: int) -> bool:
    """The deadline is today or within the next `n` days (and has not passed)."""
    left = days_until(deadline, today)
    return left is not None and 0 <= left <= n


def is_overdue(deadline: date | None, today: date) -> bool:
    """The last day has passed: the whole last day still counts as in time."""
    left = days_until(deadline, today)
    return left is not None and left < 0


# ---------------------------------------------------------------------------------------
# Wording


def _fmt(d: date) -> str:
    return f"{d.isoformat()} ({_WEEKDAY[d.weekday()]})"


def _start_text(event: date, term: Term, preset: DeadlinePreset | None) -> str:
    what = f"preset {preset.value}, term {term}" if preset else f"term {term}"
    return f"{what} from the event on {_fmt(event)}"


def _raw_text(event: date, term: Term, raw: date) -> str:
    if term.amount == 0:
        return f"immediately: the day of the event itself, {_fmt(raw)}"
    if term.unit == "days":
        return f"counting from the day after the event, day {term.amount} is {_fmt(raw)} (art. 57 §1)"
    if term.unit == "weeks":
        return f"the same weekday {term.amount} week(s) later: {_fmt(raw)} (art. 57 §2)"
    if raw.day != event.day:
        return (f"day {event.day} does not exist {term.amount} month(s) later: the month's "
                f"last day, {_fmt(raw)} (art. 57 §3)")
    return f"the same day-number {term.amount} month(s) later: {_fmt(raw)} (art. 57 §3)"

"""KPA terms and case deadlines (art. 57, art. 35): the functions and the CLI."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ezd.cli_commands import deadline as deadline_cli
from ezd.models.deadlines import DeadlinePreset, Suspension, Term
from ezd.services.deadlines import (
    case_deadline,
    days_until,
    due_within,
    explain_case_deadline,
    explain_term,
    holiday_name,
    is_overdue,
    is_working_day,
    next_working_day,
    non_working_reason,
    parse_term,
    polish_holidays,
    term_end,
)

D = date.fromisoformat

# ---------------------------------------------------------------------------- parse_term


@pytest.mark.parametrize(("text", "amount", "unit"), [
    ("7d", 7, "days"), ("14d", 14, "days"), ("2w", 2, "weeks"), ("1m", 1, "months"),
    ("2m", 2, "months"), ("0d", 0, "days"), (" 7D ", 7, "days"), ("1 month", 1, "months"),
    ("2 weeks", 2, "weeks"), ("30 days", 30, "days"),
])
def test_parse_term(text, amount, unit):
    assert parse_term(text) == Term(amount=amount, unit=unit)


@pytest.mark.parametrize("text", ["", "7", "d", "-1d", "1.5m", "7x", "1y", "7 dd", "m1", "12345d", "7d7d"])
def test_parse_term_rejects_bad_input(text):
    with pytest.raises(ValueError, match="invalid term"):
        parse_term(text)


def test_parse_term_rejects_non_text():
    with pytest.raises(ValueError, match="must be text"):
        parse_term(7)  # type: ignore[arg-type]


def test_term_prints_in_its_short_form():
    assert [str(parse_term(t)) for t in ("7 days", "2W", "1 month")] == ["7d", "2w", "1m"]


# ---------------------------------------------------------------------------- calendar

# Known dates, not derived from the library: Easter, Pentecost (Easter + 49), Corpus Christi
# (Easter + 60).
MOVABLE = {
    2025: (D("2025-04-20"), D("2025-04-21"), D("2025-06-08"), D("2025-06-19")),
    2026: (D("2026-04-05"), D("2026-04-06"), D("2026-05-24"), D("2026-06-04")),
    2027: (D("2027-03-28"), D("2027-03-29"), D("2027-05-16"), D("2027-05-27")),
}


@pytest.mark.parametrize("year", sorted(MOVABLE))
def test_movable_feasts(year):
    easter, easter_monday, pentecost, corpus_christi = MOVABLE[year]
    assert {easter, easter_monday, pentecost, corpus_christi} <= polish_holidays(year)
    assert corpus_christi - easter == timedelta(days=60)
    assert pentecost - easter == timedelta(days=49)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_fixed_holidays(year):
    fixed = {(1, 1), (1, 6), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26)}
    if year >= 2025:
        fixed.add((12, 24))
    found = polish_holidays(year)
    assert {date(year, m, d) for m, d in fixed} <= found
    assert len(found) == len(fixed) + 4  # plus Easter, Easter Monday, Pentecost, Corpus Christi


def test_christmas_eve_is_a_holiday_from_2025_only():
    assert D("2024-12-24") not in polish_holidays(2024)
    assert is_working_day(D("2024-12-24"))  # a Tuesday
    for year in (2025, 2026, 2030):
        assert date(year, 12, 24) in polish_holidays(year)
    assert holiday_name(D("2026-12-24")) == "Wigilia Bożego Narodzenia"


def test_working_days():
    assert is_working_day(D("2026-03-04"))  # Wednesday
    assert not is_working_day(D("2026-03-07"))  # Saturday
    assert not is_working_day(D("2026-03-08"))  # Sunday: always a public holiday
    assert not is_working_day(D("2026-06-04"))  # Corpus Christi, a Thursday
    assert not is_working_day(D("2026-11-11"))  # Independence Day, a Wednesday
    assert holiday_name(D("2026-03-08")) is None  # an ordinary Sunday is not a named holiday
    assert non_working_reason(D("2026-03-08")) == "Sunday"
    assert non_working_reason(D("2026-03-07")) == "Saturday"
    assert non_working_reason(D("2026-03-04")) is None
    assert next_working_day(D("2026-03-04")) == D("2026-03-04")
    assert next_working_day(D("2026-12-24")) == D("2026-12-28")


def test_polish_holidays_returns_a_fresh_set():
    polish_holidays(2026).add(D("2026-03-04"))
    assert is_working_day(D("2026-03-04"))


# ---------------------------------------------------------------------------- term_end


@pytest.mark.parametrize(("event", "term", "last"), [
    # 24 Dec (holiday from 2025), 25, 26 (Saturday), 27 Sunday -> Monday
    ("2026-12-23", "1d", "2026-12-28"),
    # 24 Dec 2024 was still a working day (Tuesday)
    ("2024-12-23", "1d", "2024-12-24"),
    # no 31 February: its last day, a Saturday -> Sunday -> Monday 2 March
    ("2026-01-31", "1m", "2026-03-02"),
    # leap year: 29 February 2024, a Thursday
    ("2024-01-31", "1m", "2024-02-29"),
    # 5 April Easter Sunday -> 6 Easter Monday -> 7 April
    ("2026-04-03", "2d", "2026-04-07"),
    # 1 November: a Sunday and All Saints' Day -> 2 November
    ("2026-10-30", "2d", "2026-11-02"),
    # 1 May Friday, 2 Saturday, 3 Sunday and Constitution Day -> 4 May
    ("2026-04-30", "1d", "2026-05-04"),
    ("2026-01-05", "1d", "2026-01-07"),  # Epiphany, a Tuesday
    ("2026-06-03", "1d", "2026-06-05"),  # Corpus Christi
    ("2026-08-01", "14d", "2026-08-17"),  # 15 August Saturday, 16 Sunday
    ("2026-03-02", "7d", "2026-03-09"),
    ("2026-03-04", "2w", "2026-03-18"),  # Wednesday to Wednesday
    ("2026-10-28", "2w", "2026-11-12"),  # Wednesday 11 November, Independence Day
    ("2026-03-15", "1m", "2026-04-15"),
    ("2026-03-31", "1m", "2026-04-30"),
    ("2025-12-31", "2m", "2026-03-02"),  # 28 February 2026 is a Saturday
    ("2026-03-04", "0d", "2026-03-04"),
    ("2026-03-07", "0d", "2026-03-09"),  # a Saturday: the next working day
])
def test_term_end(event, term, last):
    assert term_end(D(event), parse_term(term)) == D(last)
    assert term_end(D(event), term) == D(last)  # the text form is accepted too


def test_term_end_outside_the_calendar():
    with pytest.raises(ValueError, match="outside the calendar"):
        term_end(date(9999, 12, 1), "2m")


def test_explanation_names_the_holidays():
    explanation = explain_term(D("2026-12-23"), "1d")
    assert explanation.raw_end == D("2026-12-24")
    assert explanation.last_day == D("2026-12-28")
    rolls = [s for s in explanation.steps if s.kind == "roll"]
    assert [s.day for s in rolls] == [D("2026-12-25"), D("2026-12-26"), D("2026-12-27"), D("2026-12-28")]
    text = "\n".join(explanation.lines())
    assert "Wigilia Bożego Narodzenia" in text and "Sunday" in text and "art. 57 §4" in text
    assert explanation.steps[-1].kind == "final"


# ---------------------------------------------------------------------------- case deadlines


@pytest.mark.parametrize(("preset", "opened", "last"), [
    ("immediate", "2026-03-04", "2026-03-04"),
    ("immediate", "2026-03-07", "2026-03-09"),  # opened on a Saturday
    ("certificate_7d", "2026-03-02", "2026-03-09"),
    ("one_month", "2026-03-02", "2026-04-02"),
    ("appeal_one_month", "2026-03-02", "2026-04-02"),
    ("complaint_one_month", "2026-03-02", "2026-04-02"),
    ("two_months", "2026-03-02", "2026-05-04"),  # 2 May Saturday, 3 May Sunday and holiday
])
def test_case_deadline_presets(preset, opened, last):
    assert case_deadline(D(opened), preset) == D(last)
    assert case_deadline(D(opened), DeadlinePreset(preset)) == D(last)


def test_unknown_preset():
    with pytest.raises(ValueError):
        case_deadline(D("2026-03-02"), "three_weeks")


def test_suspension_days_are_added_before_the_roll_forward():
    # 1 month from 4 March is Saturday 4 April. Two days suspended: Monday 6 April, Easter
    # Monday, rolls to Tuesday 7 April (rolling first would give 9 April).
    suspension = (D("2026-03-10"), D("2026-03-12"))
    assert case_deadline(D("2026-03-04"), "one_month", [suspension]) == D("2026-04-07")
    explanation = explain_case_deadline(D("2026-03-04"), "one_month", [suspension])
    assert explanation.raw_end == D("2026-04-04")
    assert explanation.suspension_days == 2
    assert explanation.suspended_end == D("2026-04-06")
    assert explanation.preset is DeadlinePreset.ONE_MONTH


def test_suspensions_half_open_and_merged():
    opened = D("2026-03-02")  # one month: Thursday 2 April
    # [10, 20) is 10 days: 12 April Sunday -> 13 April
    assert case_deadline(opened, "one_month", [(D("2026-03-10"), D("2026-03-20"))]) == D("2026-04-13")
    # overlapping periods count each day once: [10, 25) = 15 days -> Friday 17 April
    both = [Suspension(start=D("2026-03-15"), end=D("2026-03-25"), reason="braki formalne"),
            (D("2026-03-10"), D("2026-03-20"))]
    explanation = explain_case_deadline(opened, "one_month", both)
    assert explanation.suspension_days == 15
    assert explanation.last_day == D("2026-04-17")
    # a period that resumes the same day does not count
    assert case_deadline(opened, "one_month", [(D("2026-03-10"), D("2026-03-10"))]) == D("2026-04-02")
    # disjoint periods add up: 3 + 4 = 7 -> Thursday 9 April
    assert case_deadline(opened, "one_month", [(D("2026-03-05"), D("2026-03-08")),
                                               (D("2026-03-20"), D("2026-03-24"))]) == D("2026-04-09")


def test_open_suspension_stops_the_clock():
    opened = D("2026-03-02")
    assert case_deadline(opened, "one_month", [(D("2026-03-10"), None)]) is None
    assert case_deadline(opened, "one_month", [(D("2026-03-03"), D("2026-03-05")),
                                               Suspension(start=D("2026-03-10"))]) is None
    explanation = explain_case_deadline(opened, "one_month", [(D("2026-03-10"), None)])
    assert explanation.stopped and explanation.last_day is None
    assert explanation.steps[-1].kind == "stopped"


def test_bad_suspensions():
    with pytest.raises(ValueError, match="before it starts"):
        case_deadline(D("2026-03-02"), "one_month", [(D("2026-03-10"), D("2026-03-09"))])
    with pytest.raises(ValueError, match="before the event"):
        case_deadline(D("2026-03-02"), "one_month", [(D("2026-03-01"), D("2026-03-09"))])


# ---------------------------------------------------------------------------- overdue helpers


def test_days_until_and_friends():
    deadline, today = D("2026-03-09"), D("2026-03-06")
    assert days_until(deadline, today) == 3
    assert due_within(deadline, today, 3) and not due_within(deadline, today, 2)
    assert due_within(deadline, deadline, 0)  # the last day itself
    assert not is_overdue(deadline, deadline)  # the whole last day is still in time
    assert is_overdue(deadline, D("2026-03-10"))
    assert days_until(deadline, D("2026-03-10")) == -1
    assert not due_within(deadline, D("2026-03-10"), 5)  # past, so overdue, not "due"
    # a stopped clock is neither due nor overdue
    assert days_until(None, today) is None
    assert not due_within(None, today, 30) and not is_overdue(None, today)


# ---------------------------------------------------------------------------- properties

_terms = st.one_of(
    st.builds(Term, amount=st.integers(0, 400), unit=st.just("days")),
    st.builds(Term, amount=st.integers(0, 60), unit=st.just("weeks")),
    st.builds(Term, amount=st.integers(0, 36), unit=st.just("months")),
)
_events = st.dates(min_value=date(2000, 1, 1), max_value=date(2096, 12, 31))


@settings(max_examples=300, deadline=None)
@given(event=_events, term=_terms)
def test_property_last_day_is_a_near_working_day(event, term):
    explanation = explain_term(event, term)
    last = explanation.last_day
    assert last is not None and is_working_day(last)
    assert last >= explanation.raw_end >= event
    # the longest run of non-working days (2000-2100) is 5: 24-28 December when the 24th
    # is a Wednesday (2025)
    assert (last - explanation.raw_end).days <= 5
    assert last == term_end(event, term)
    if is_working_day(explanation.raw_end):
        assert last == explanation.raw_end


@settings(max_examples=200, deadline=None)
@given(opened=_events, preset=st.sampled_from(list(DeadlinePreset)),
       periods=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 30)), max_size=3))
def test_property_suspensions_only_push_later(opened, preset, periods):
    suspensions = [(opened + timedelta(days=a), opened + timedelta(days=a + n)) for a, n in periods]
    plain = case_deadline(opened, preset)
    extended = explain_case_deadline(opened, preset, suspensions)
    assert extended.last_day is not None and plain is not None
    assert extended.suspension_days <= sum(n for _, n in periods)
    assert extended.last_day >= plain
    assert extended.last_day >= extended.raw_end + timedelta(days=extended.suspension_days)
    assert (extended.last_day - extended.suspended_end).days <= 5
    assert is_working_day(extended.last_day)


# ---------------------------------------------------------------------------- CLI


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ezd.cli_commands.deadline", *args],
                          capture_output=True, text=True, timeout=60)


def test_cli_prints_the_last_day_only():
    run = _cli("--from", "2026-12-23", "--term", "1d")
    assert run.returncode == 0, run.stderr
    assert run.stdout == "2026-12-28\n"


def test_cli_explain_and_json():
    run = _cli("--from", "2026-01-31", "--term", "1m", "--explain")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "2026-02-28" in lines[1] and "art. 57 §3" in lines[1]
    assert "Saturday" in run.stdout and lines[-1] == "last day: 2026-03-02 (Monday)"

    run = _cli("--from", "2026-03-02", "--preset", "one_month",
               "--suspension", "2026-03-10:2026-03-20", "--json")
    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout)
    assert body["last_day"] == "2026-04-13" and body["raw_end"] == "2026-04-02"
    assert body["suspension_days"] == 10 and body["term_text"] == "1m"
    assert body["preset"] == "one_month" and body["steps"][-1]["kind"] == "final"


def test_cli_rejects_a_bad_term():
    run = _cli("--from", "2026-03-02", "--term", "3x")
    assert run.returncode == 2
    assert run.stdout == "" and "invalid term '3x'" in run.stderr


def _registered() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ezd")
    deadline_cli.register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_register_as_a_subcommand(capsys):
    args = _registered().parse_args(["deadline", "--from", "2026-04-03", "--term", "2d"])
    assert args.func(args) == 0
    assert capsys.readouterr().out == "2026-04-07\n"

    args = _registered().parse_args(["deadline", "--from", "2026-03-02", "--preset", "one_month",
                                     "--suspension", "2026-03-10"])
    assert args.func(args) == 0
    assert capsys.readouterr().out == "stopped\n"

    args = _registered().parse_args(["deadline", "--from", "2026-03-02", "--term", "3d",
                                     "--suspension", "2026-03-01:2026-03-04"])
    assert args.func(args) == 2
    assert "before the event" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["deadline", "--from", "2026-13-01", "--term", "1d"],
    ["deadline", "--from", "2026-03-02"],  # neither --term nor --preset
    ["deadline", "--from", "2026-03-02", "--term", "1d", "--preset", "one_month"],
    ["deadline", "--from", "2026-03-02", "--term", "1d", "--explain", "--json"],
    ["deadline", "--from", "2026-03-02", "--term", "1d", "--suspension", "2026-03-10:2026-03-01"],
])
def test_cli_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        _registered().parse_args(argv)
    assert exit_.value.code == 2


def test_cli_main_in_process(capsys):
    assert deadline_cli.main(["--from", "2024-01-31", "--term", "1m"]) == 0
    assert capsys.readouterr().out == "2024-02-29\n"


def test_a_month_from_the_first_of_october_ends_on_the_second_of_november():
    """The issue's example: received 2026-10-01, one month: 1 November is All Saints'
    Day (and a Sunday), so the last day is Monday 2 November, whenever the case is opened."""
    assert case_deadline(date(2026, 10, 1), DeadlinePreset.ONE_MONTH) == date(2026, 11, 2)

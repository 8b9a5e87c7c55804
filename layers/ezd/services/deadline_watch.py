"""The scheduled deadline run: cases due within N days and overdue ones, and who is told."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel

from ezd.adapters import case_store, directory_store, registry_store, stats_store
from ezd.models.registry import Notification
from ezd.models.statistics import CASES_OVERDUE, month_of
from ezd.services.deadlines import days_until
from ezd.clock import WARSAW


class CaseDue(BaseModel):
    ref: str
    title: str
    officer: str
    deadline: date
    days_left: int
    overdue: bool


class DueReport(BaseModel):
    unit: str
    today: date
    within_days: int
    overdue: list[CaseDue]
    due_soon: list[CaseDue]


def due_report(unit: str, today: date, within_days: int) -> DueReport:
    """One index query: open cases whose deadline is on or before today + N."""
    last_day = (today + timedelta(days=within_days)).isoformat()
    rows = []
    for case in case_store.open_cases_due_by(unit, last_day):
        if case.deadline is None or case.status != "open":
            continue
        left = days_until(case.deadline, today)
        rows.append(CaseDue(ref=case.ref, title=case.title, officer=case.officer, deadline=case.deadline,
                            days_left=left, overdue=left < 0))
    rows.sort(key=lambda r: (r.deadline, r.ref))
    return DueReport(unit=unit, today=today, within_days=within_days,
                     overdue=[r for r in rows if r.overdue], due_soon=[r for r in rows if not r.overdue])


def notify_due(today: date, within_days: int, unit: str | None = None) -> list[DueReport]:
    """Tells each case's officer and the unit's managers. A notification's key is the
    day and the case, so running twice on one day tells nobody twice."""
    units = [unit] if unit else [u.symbol for u in directory_store.list_units()]
    reports = []
    stamp = datetime.combine(today, time(7, 0), tzinfo=WARSAW)
    for symbol in units:
        report = due_report(symbol, today, within_days)
        reports.append(report)
        # The statistics' "overdue" is this run's finding: the month keeps its last day's.
        stats_store.set_snapshot(symbol, month_of(today), CASES_OVERDUE, len(report.overdue), today)
        if not report.overdue and not report.due_soon:
            continue
        managers = [u.login for u in directory_store.list_users(symbol) if "manager" in u.roles]
        for row in [*report.overdue, *report.due_soon]:
            text = (f"Sprawa {row.ref} po terminie ({row.deadline}, {-row.days_left} dni)" if row.overdue
                    else f"Sprawa {row.ref}: termin {row.deadline} (za {row.days_left} dni)")
            for login in {row.officer, *managers}:
                registry_store.save_notification(Notification(unit=symbol, audience=f"USER#{login}", created_at=stamp,
                                                              case_ref=row.ref, message=text))
    return reports

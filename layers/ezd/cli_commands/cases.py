"""`ezd cases` (spis spraw) and `ezd overdue` (cases due soon and overdue)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date


def _operator(unit: str):
    """The CLI reads as the unit's registry would: through a principal of that unit."""
    from ezd.services.auth import Principal

    return Principal(login="cli", full_name="ezd CLI", position="operator", unit=unit,
                     roles=["registry_clerk", "manager", "case_officer", "archivist", "unit_admin"])


def cmd_cases(args: argparse.Namespace) -> int:
    from ezd.cli import _stack
    from ezd.services.spis import spis_csv, spis_spraw

    from ezd.clock import today

    _stack(args)
    year = args.year or today().year
    lines = spis_spraw(args.unit, args.cell, args.jrwa, year, _operator(args.unit))
    if args.format == "csv":
        sys.stdout.write(spis_csv(lines))
    elif args.format == "json":
        print(json.dumps([line.model_dump() for line in lines], ensure_ascii=False))
    else:
        print(f"Spis spraw {args.unit} {args.cell} {args.jrwa} {year}: {len(lines)}")
        for line in lines:
            print(f"{line.lp:>4}  {line.znak_sprawy:<22} {line.sprawa[:40]:<40} {line.od_kogo_wplynela[:24]:<24} "
                  f"{line.data_wszczecia}  {line.data_ostatecznego_zalatwienia or '—':<10}  {line.uwagi[:30]}")
    return 0


def cmd_overdue(args: argparse.Namespace) -> int:
    from ezd.cli import _stack
    from ezd.services.deadline_watch import due_report
    from ezd.clock import today as polish_today

    _stack(args)
    today = date.fromisoformat(args.today) if args.today else polish_today()
    report = due_report(args.unit, today, args.days)
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
        return 0
    print(f"{args.unit} {today}: {len(report.overdue)} po terminie, {len(report.due_soon)} z terminem w ciągu {args.days} dni")
    for row in [*report.overdue, *report.due_soon]:
        state = f"po terminie {-row.days_left} d" if row.overdue else f"za {row.days_left} d"
        print(f"  {row.ref:<22} {row.deadline}  {state:<16} {row.officer:<20} {row.title[:50]}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    cases = subparsers.add_parser("cases", help="the spis spraw of a komórka, JRWA class and year")
    cases.add_argument("--unit", required=True)
    cases.add_argument("--cell", required=True, help="komórka, e.g. DYR or WO-AO")
    cases.add_argument("--jrwa", required=True, help="JRWA class, e.g. 410")
    cases.add_argument("--year", type=int, help="the year of the spis (default: this year in Poland)")
    cases.add_argument("--format", choices=["table", "csv", "json"], default="table")
    cases.set_defaults(func=cmd_cases)

    overdue = subparsers.add_parser("overdue", help="cases overdue and due within N days")
    overdue.add_argument("--unit", required=True)
    overdue.add_argument("--days", type=int, default=7)
    overdue.add_argument("--today", help="YYYY-MM-DD (default: today)")
    overdue.add_argument("--json", action="store_true")
    overdue.set_defaults(func=cmd_overdue)

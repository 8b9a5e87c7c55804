"""`ezd statistics recount [--unit U] [--apply]`: the statistics' counters against what the
records count (JSON: the records read and every difference; --apply sets the counters).
Reads the whole table: run it when the system is quiet."""

from __future__ import annotations

import argparse
import json


def cmd_recount(args: argparse.Namespace) -> int:
    from ezd.cli import _stack
    from ezd.services.statistics_recount import recount

    _stack(args)
    report = recount(args.unit, apply=args.apply)
    print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
    return 0 if args.apply or not report.differences else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    statistics = subparsers.add_parser("statistics", help="the statistics' counters")
    actions = statistics.add_subparsers(dest="action", required=True)
    recount = actions.add_parser("recount", help="compare (and with --apply set) the counters with the records")
    recount.add_argument("--unit", help="only this unit's records and counters")
    recount.add_argument("--apply", action="store_true", help="set the counters to what the records count")
    recount.set_defaults(func=cmd_recount)

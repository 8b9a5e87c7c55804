"""`ezd register-lines reindex --unit U [--year Y] [--apply]`: the register lines' status and
JRWA class against the routing (JSON: the lines read and every difference; --apply writes
what the routing says). For lines registered before the register filtered on them."""

from __future__ import annotations

import argparse
import json


def cmd_reindex(args: argparse.Namespace) -> int:
    from ezd.cli import _stack
    from ezd.clock import today
    from ezd.services.register_reindex import reindex

    _stack(args)
    report = reindex(args.unit, args.year or today().year, apply=args.apply)
    print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
    return 0 if args.apply or not report.differences else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    register_parser = subparsers.add_parser("register-lines", help="the incoming register's lines")
    actions = register_parser.add_subparsers(dest="action", required=True)
    reindex = actions.add_parser("reindex", help="compare (and with --apply set) the lines' status and class")
    reindex.add_argument("--unit", required=True, help="the unit whose register it is")
    reindex.add_argument("--year", type=int, help="the register's year (default: this year in Poland)")
    reindex.add_argument("--apply", action="store_true", help="write on the lines what their routing says")
    reindex.set_defaults(func=cmd_reindex)

"""`ezd deadline`: the last day of a KPA term, with the reasons on request.

    ezd deadline --from 2026-12-23 --term 1d            -> 2026-12-28
    ezd deadline --from 2026-01-31 --term 1m --explain  -> the steps, one per line
    ezd deadline --from 2026-03-02 --preset one_month --suspension 2026-03-10:2026-03-20 --json

Standalone: `python -m ezd.cli_commands.deadline --from 2026-12-23 --term 1d`.
Pure computation: it needs no running stack.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from ezd.models.deadlines import DeadlinePreset, Suspension, Term


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}: expected YYYY-MM-DD") from None


def _term_arg(text: str) -> Term:
    from ezd.services.deadlines import parse_term

    try:
        return parse_term(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _suspension_arg(text: str) -> Suspension:
    start, sep, end = text.partition(":")
    try:
        return Suspension(start=_date_arg(start), end=_date_arg(end) if sep and end else None)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        message = exc.errors()[0]["msg"] if hasattr(exc, "errors") else str(exc)
        raise argparse.ArgumentTypeError(f"invalid suspension {text!r}: {message}") from None


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--from", dest="event", required=True, type=_date_arg, metavar="YYYY-MM-DD",
                        help="the event the term runs from (delivery, opening of the case...)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--term", type=_term_arg, metavar="T", help="7d, 14d, 2w, 1m, 2m (0d: immediately)")
    what.add_argument("--preset", choices=[p.value for p in DeadlinePreset],
                      help="a case deadline of KPA art. 35 instead of a bare term")
    parser.add_argument("--suspension", action="append", default=[], type=_suspension_arg,
                        metavar="START[:END]",
                        help="a period not counted (art. 35 §5), END exclusive; no END: still "
                             "suspended (repeatable)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--explain", action="store_true", help="print the steps of the computation")
    out.add_argument("--json", action="store_true", help="print a JSON object")
    parser.set_defaults(func=cmd_deadline)
    return parser


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `deadline` command to an `add_subparsers()` object."""
    parser = subparsers.add_parser("deadline", help="the last day of a KPA term (art. 57, art. 35)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    return add_arguments(parser)


def cmd_deadline(args: argparse.Namespace) -> int:
    from ezd.services.deadlines import explain_case_deadline, explain_term

    try:
        if args.preset:
            explanation = explain_case_deadline(args.event, args.preset, args.suspension)
        else:
            explanation = explain_term(args.event, args.term, args.suspension)
    except ValueError as exc:
        print(f"deadline: {exc}", file=sys.stderr)
        return 2
    if args.json:
        body = explanation.model_dump(mode="json")
        body["term_text"] = str(explanation.term)
        print(json.dumps(body, ensure_ascii=False))
    elif args.explain:
        for line in explanation.lines():
            print(line)
    else:
        print(explanation.last_day.isoformat() if explanation.last_day else "stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = add_arguments(argparse.ArgumentParser(
        prog="python -m ezd.cli_commands.deadline", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())

"""`ezd jrwa`: a unit's file plan (JRWA) against a running stack, as an operator.

    ezd jrwa list --unit SP30 [--version N [--owner CITY]] [--format table|csv|json]
    ezd jrwa show 410 --unit SP30
    ezd jrwa change --unit SP30 --set 4103 "Wycieczki zagraniczne" B5 --remove 093 --note "uchwała 12/2026"
    ezd jrwa import plan.csv --unit SP30 --note "nowy JRWA od 1 września"
    ezd jrwa export --unit SP30 [--out FILE]
    ezd jrwa versions --unit SP30

In `--set SYMBOL HEADING CATEGORY` a CATEGORY of "-" (or "") makes the class a group
heading without a category. `--set` adds the class or updates it; `--set` and `--remove`
apply in the order given. Changes are recorded as made by "cli:<operating system user>".
Standalone: `python -m ezd.cli_commands.jrwa ...`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any, Callable


def _actor() -> str:
    return "cli:" + getpass.getuser()


def _connect(args: argparse.Namespace) -> None:
    from ezd.cli import _stack

    _stack(args)


def _fail(exc: Exception) -> int:
    from ezd.errors import EzdError

    if isinstance(exc, EzdError):
        body = exc.to_dict()
    else:  # pydantic's ValidationError of a malformed change
        body = {"error_code": "VALIDATION_FAILED", "message": str(exc)}
    print(json.dumps(body, ensure_ascii=False), file=sys.stderr)
    return 1


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from pydantic import ValidationError

        from ezd.errors import EzdError

        _connect(args)
        try:
            return command(args)
        except (EzdError, ValidationError) as exc:
            return _fail(exc)
        except OSError as exc:
            print(json.dumps({"error_code": "FILE_ERROR", "message": str(exc)}, ensure_ascii=False), file=sys.stderr)
            return 1

    run.__name__ = command.__name__
    run.__doc__ = command.__doc__
    return run


def _plan(args: argparse.Namespace):
    from ezd.services import jrwa

    if getattr(args, "version", None):
        return jrwa.unit_plan_version(args.unit, args.version, getattr(args, "owner", None))
    return jrwa.current_plan(args.unit)


def _summary(unit: str, plan) -> dict[str, Any]:
    return {
        "unit": unit, "owner": plan.owner, "version": plan.version, "classes": len(plan.classes),
        "leaves": len(plan.leaves()), "published_at": plan.published_at, "published_by": plan.published_by,
        "note": plan.note, "based_on": plan.based_on.model_dump() if plan.based_on else None,
    }


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str), flush=True)


@_guarded
def cmd_list(args: argparse.Namespace) -> int:
    from ezd.services import jrwa

    plan = _plan(args)
    if args.format == "csv":
        sys.stdout.write(jrwa.export_csv(plan))
    elif args.format == "json":
        _print({"unit": args.unit, **plan.model_dump(mode="json")})
    else:
        print(f"JRWA {args.unit}: {plan.owner} v{plan.version}, {len(plan.classes)} classes, "
              f"{len(plan.leaves())} take cases")
        for c in plan.classes:
            label = "  " * (len(c.symbol) - 1) + c.symbol
            print(f"{label:<11} {c.category or '':<5} {c.heading}")
    return 0


@_guarded
def cmd_show(args: argparse.Namespace) -> int:
    from ezd.services import jrwa

    _print(jrwa.class_in(_plan(args), args.symbol).model_dump(mode="json"))
    return 0


class _AppendChange(argparse.Action):
    """--set and --remove share one ordered list of changes."""

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        changes = list(getattr(namespace, self.dest, None) or [])
        if option_string == "--remove":
            changes.append({"op": "remove", "symbol": values})
        else:
            symbol, heading, category = values
            category = category.strip()
            changes.append({"op": "set", "symbol": symbol, "heading": heading,
                            "category": None if category in ("", "-") else category})
        setattr(namespace, self.dest, changes)


@_guarded
def cmd_change(args: argparse.Namespace) -> int:
    from ezd.models.jrwa import JrwaChange
    from ezd.services import jrwa

    if not args.changes:
        return _fail(ValueError("give at least one --set or --remove"))
    plan = jrwa.change_plan(args.unit, [JrwaChange.model_validate(c) for c in args.changes], _actor(), args.note,
                            expected_version=args.expected_version)
    _print({**_summary(args.unit, plan), "diff": _diff_from_base(plan)})
    return 0


def _diff_from_base(plan) -> dict[str, Any] | None:
    from ezd.services import jrwa

    if plan.based_on is None:
        return None
    return jrwa.diff(jrwa.plan_version(plan.based_on.owner, plan.based_on.version), plan)


@_guarded
def cmd_import(args: argparse.Namespace) -> int:
    from ezd.services import jrwa

    plan = jrwa.import_csv(args.unit, Path(args.file).read_bytes(), _actor(), args.note,
                           expected_version=args.expected_version)
    _print({**_summary(args.unit, plan), "diff": _diff_from_base(plan)})
    return 0


@_guarded
def cmd_export(args: argparse.Namespace) -> int:
    from ezd.services import jrwa

    text = jrwa.export_csv(_plan(args))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(args.out)
    else:
        sys.stdout.write(text)
    return 0


@_guarded
def cmd_versions(args: argparse.Namespace) -> int:
    from ezd.services import jrwa

    for line in jrwa.versions(args.unit):
        _print(line.model_dump(mode="json"))
    return 0


def _version_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", type=int, help="an older version instead of the current one")
    parser.add_argument("--owner", help="the version's owner: the unit or CITY (default: the unit's own, else CITY)")


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `jrwa` command to an `add_subparsers()` object."""
    parser = subparsers.add_parser("jrwa", help="a unit's file plan (JRWA): list, show, change, import, export",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="jrwa_command", required=True)

    listing = sub.add_parser("list", help="the classes of the unit's plan")
    listing.add_argument("--unit", required=True)
    _version_args(listing)
    listing.add_argument("--format", choices=["table", "csv", "json"], default="table")
    listing.set_defaults(func=cmd_list)

    show = sub.add_parser("show", help="one class of the unit's plan")
    show.add_argument("symbol")
    show.add_argument("--unit", required=True)
    _version_args(show)
    show.set_defaults(func=cmd_show)

    change = sub.add_parser("change", help="publish a new version with classes set or removed")
    change.add_argument("--unit", required=True)
    change.add_argument("--set", dest="changes", nargs=3, action=_AppendChange, metavar=("SYMBOL", "HEADING", "CATEGORY"),
                        help='add or update a class; CATEGORY "-" for a group heading (repeatable)')
    change.add_argument("--remove", dest="changes", action=_AppendChange, metavar="SYMBOL",
                        help="remove a class without subclasses (repeatable)")
    change.add_argument("--note", required=True, help="why (recorded with the version)")
    change.add_argument("--expected-version", type=int, help="fail if the current version is another one")
    change.set_defaults(func=cmd_change, changes=[])

    importing = sub.add_parser("import", help="replace the unit's plan by a CSV (symbol,heading,category,notes)")
    importing.add_argument("file")
    importing.add_argument("--unit", required=True)
    importing.add_argument("--note", required=True, help="why (recorded with the version)")
    importing.add_argument("--expected-version", type=int, help="fail if the current version is another one")
    importing.set_defaults(func=cmd_import)

    export = sub.add_parser("export", help="the unit's plan as CSV")
    export.add_argument("--unit", required=True)
    _version_args(export)
    export.add_argument("--out", help="write to this file instead of standard output")
    export.set_defaults(func=cmd_export)

    history = sub.add_parser("versions", help="the unit's plan versions, one JSON line each")
    history.add_argument("--unit", required=True)
    history.set_defaults(func=cmd_versions)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ezd.cli_commands.jrwa")
    parser.add_argument("--stack", help="path of stack.json of a running local stack")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())

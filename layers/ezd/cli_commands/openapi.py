"""`ezd openapi`: the portal API's OpenAPI 3.1 document, generated from the Chalice app.

    ezd openapi > portal/openapi.json      (what `make portal` does; a test keeps them equal)
    ezd openapi --check-compat             breaking changes against the previous committed
                                           version, unless declared in docs/api-changes.md

It needs no running stack: it reads the routes of functions/api/app.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_openapi(args: argparse.Namespace) -> int:
    from ezd.api.openapi import render
    from ezd.local.portal import api_app
    from ezd.local.stack import repository_root

    text = render(api_app(repository_root()))
    if args.check_compat:
        return _check_compat(repository_root(), text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _check_compat(root: Path, text: str) -> int:
    """Exit 1 on a breaking change nobody declared; 0 when there is nothing to compare with."""
    import json

    from ezd.api.openapi_compat import breaking_changes, declared_keys
    from ezd.api.openapi_history import CHANGELOG, DOCUMENT, previous_version

    baseline = previous_version(root, text)
    if baseline.text is None:
        print(f"ezd openapi --check-compat: skipped: {baseline.where}", file=sys.stderr)
        return 0
    changelog = root / CHANGELOG
    declared = declared_keys(changelog.read_text(encoding="utf-8")) if changelog.is_file() else set()
    breaks = breaking_changes(json.loads(baseline.text), json.loads(text))
    for change in breaks:
        print(("declared: " if change.key in declared else "BREAKING: ") + change.key)
    missing = [change for change in breaks if change.key not in declared]
    print(f"{len(breaks)} breaking change(s) against {DOCUMENT} of {baseline.where[:12]}, "
          f"{len(missing)} not declared in {CHANGELOG}", file=sys.stderr)
    return 1 if missing else 0


def register(sub: argparse._SubParsersAction) -> None:
    command = sub.add_parser("openapi", help="print the portal API's OpenAPI document (generated from the code)")
    command.add_argument("--out", help="write it to this file instead")
    command.add_argument("--check-compat", action="store_true",
                         help="fail on a breaking change against the previous committed document "
                              "that docs/api-changes.md does not declare")
    command.set_defaults(func=cmd_openapi)

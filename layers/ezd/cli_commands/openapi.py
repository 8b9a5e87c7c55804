"""`ezd openapi`: the portal API's OpenAPI 3.1 document, generated from the Chalice app.

    ezd openapi > portal/openapi.json      (what `make portal` does; a test keeps them equal)

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
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    command = sub.add_parser("openapi", help="print the portal API's OpenAPI document (generated from the code)")
    command.add_argument("--out", help="write it to this file instead")
    command.set_defaults(func=cmd_openapi)

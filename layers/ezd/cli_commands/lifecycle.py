"""`ezd lifecycle run`: S3 lifecycle on the local stack now, instead of at its daily run.

    ezd lifecycle run                      -> what moved and what expired, per bucket (JSON)
    ezd lifecycle run --prefix uploads/    -> only the keys under a prefix

The stack runs the template's lifecycle rules on moto's buckets as S3 would (moto stores
them and never acts on them), at "now" of the stack's clock; see
docs/architecture.md, "Storage classes and lifecycle". In AWS, S3 does this by itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from typing import Any


def cmd_run(args: argparse.Namespace) -> int:
    from ezd.cli import _stack

    info = _stack(args)
    request = urllib.request.Request(
        f"{info.moto_url}/ezd-local/lifecycle", data=json.dumps({"prefix": args.prefix}).encode(),
        method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=args.timeout) as response:
            report = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        print(f"ezd lifecycle: {exc.code} {exc.read().decode('utf-8', 'replace')}", file=sys.stderr)
        return 1
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `lifecycle` command to an `add_subparsers()` object."""
    parser = subparsers.add_parser("lifecycle", help="run the buckets' S3 lifecycle rules on the local stack now",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="lifecycle_command", required=True)
    run = sub.add_parser("run", help="transition and expire what is due now")
    run.add_argument("--prefix", default="", help="only keys under this prefix")
    run.add_argument("--timeout", type=float, default=600)
    run.set_defaults(func=cmd_run)
    return parser

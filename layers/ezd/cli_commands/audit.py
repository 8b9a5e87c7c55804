"""`ezd audit`: verify and show the audit chains (metryka sprawy, document audit).

    ezd audit verify DYR.410.3.2026 --unit SP19  -> JSON result; exit 0 if intact, 1 if broken
    ezd audit verify --document <id>
    ezd audit anchor --unit SP19             -> sign the unit's chain heads into the locked bucket now
    ezd audit show DYR.410.3.2026 --format html > metryka.html
    ezd audit show --document <id> --format csv

A case reference means the case's chain (`CASE#<ref>`); `show` of a case prints the
metryka: the case's entries merged with those of the documents named in it. A raw object
id (`CASE#...`, `DOC#...`) is accepted as well. `verify` checks each chain by itself and
against the unit's latest signed anchor, and says what changed since it.

Standalone: `python -m ezd.cli_commands.audit [--stack stack.json] verify DYR.410.3.2026`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any
from ezd.clock import now_utc


def _object_id(args: argparse.Namespace) -> str:
    from ezd.services.audit import CASE_PREFIX, DOCUMENT_PREFIX, case_object, document_object

    if args.document:
        return document_object(args.document)
    if not args.object:
        raise SystemExit("audit: give a case reference or --document ID")
    if args.object.startswith((CASE_PREFIX, DOCUMENT_PREFIX)):
        return args.object
    # Case references repeat across units (every school has its DYR.410.1.2026): the
    # chain of a case is keyed by unit and reference.
    return case_object(f"{args.unit}#{args.object}" if args.unit else args.object)


def _activate(args: argparse.Namespace) -> None:
    from ezd.cli import _stack  # lazy: ezd.cli imports this module to register the command

    _stack(args)


def cmd_verify(args: argparse.Namespace) -> int:
    """A case is verified with the chains of the documents its log names (its metryka)."""
    from ezd.config import settings
    from ezd.services import audit, audit_anchor

    _activate(args)
    object_id = _object_id(args)
    ids = [object_id]
    if object_id.startswith(audit.CASE_PREFIX):
        ids += [audit.document_object(d) for d in audit.document_ids_of_case(audit.entries(object_id))]
    results = audit_anchor.verify_anchored(ids, settings())
    for result in results:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False), flush=True)
    broken = [r for r in results if not r.ok]
    for result in broken:
        if result.anchor_ok is False:
            print(f"audit: chain {result.object_id} differs from its anchor: {result.since_anchor}", file=sys.stderr)
            continue
        where = f"entry {result.first_broken_seq}" if result.first_broken_seq is not None else "the head"
        print(f"audit: chain {result.object_id} broken at {where}: {result.reason}", file=sys.stderr)
    return 1 if broken else 0


def cmd_anchor(args: argparse.Namespace) -> int:
    """Anchor a unit's chains now: the same function the daily schedule runs."""
    from ezd.adapters.aws import client
    from ezd.cli import _stack

    info = _stack(args)
    response = client("lambda").invoke(FunctionName=info.functions["AuditAnchorFunction"],
                                       Payload=json.dumps({"unit": args.unit, "force": True}).encode())
    body = json.loads(response["Payload"].read())
    print(json.dumps(body, ensure_ascii=False), flush=True)
    return 1 if response.get("FunctionError") else 0


def cmd_show(args: argparse.Namespace) -> int:
    from ezd.services import audit
    from ezd.services.metryka import CaseHeader, export_csv, export_json, header_from_entries, render_html

    _activate(args)
    object_id = _object_id(args)
    verified = None
    if object_id.startswith(audit.CASE_PREFIX):
        case_ref = object_id[len(audit.CASE_PREFIX):]
        own = audit.entries(object_id)
        documents = audit.document_ids_of_case(own)
        entries = audit.metryka_entries(case_ref, documents)
        header = header_from_entries(case_ref, own)
        if args.format == "html":
            verified = audit.verify_many([object_id, *(audit.document_object(d) for d in documents)])
    else:
        entries = audit.entries(object_id)
        header = CaseHeader(case_ref=object_id, title="Historia dokumentu")
        if args.format == "html":
            verified = [audit.verify(object_id)]
    if args.format == "html":
        text = render_html(header, entries, verification=verified, generated_at=now_utc())
    elif args.format == "csv":
        text = export_csv(entries)
    else:
        text = export_json(entries) + "\n"
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def _target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("object", nargs="?", metavar="OBJECT",
                        help="a case reference (znak sprawy), e.g. DYR.410.3.2026, or CASE#.../DOC#...")
    parser.add_argument("--document", metavar="ID", help="a document id instead of a case")
    parser.add_argument("--unit", help="the unit whose case it is (case references repeat across units)")


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = parser.add_subparsers(dest="audit_command", required=True)
    verify = sub.add_parser("verify", help="recompute a chain; exit 1 and name the first broken entry")
    _target(verify)
    verify.set_defaults(func=cmd_verify)
    anchor = sub.add_parser("anchor", help="sign the heads of a unit's chains into the locked anchor bucket now")
    anchor.add_argument("--unit", required=True)
    anchor.set_defaults(func=cmd_anchor)
    show = sub.add_parser("show", help="the metryka of a case, or the audit of a document")
    _target(show)
    show.add_argument("--format", choices=["html", "csv", "json"], default="json")
    show.set_defaults(func=cmd_show)
    return parser


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `audit` command to an `add_subparsers()` object."""
    parser = subparsers.add_parser("audit", help="verify and show the metryka / audit chains",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    return add_arguments(parser)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ezd.cli_commands.audit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", help="path of stack.json of a running local stack")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())

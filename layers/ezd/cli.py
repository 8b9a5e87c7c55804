"""`ezd`: the command line of the registry, working against a running stack.

It finds the stack through <repo>/.ezd/stack.json (written by `make run`) or
EZD_STACK_FILE, and calls the same services the Lambda handlers and the API use.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from ezd import clock
from ezd.local.stack import StackInfo, repository_root


def _stack(args: argparse.Namespace) -> StackInfo:
    path = Path(args.stack or os.environ.get("EZD_STACK_FILE") or repository_root() / ".ezd" / "stack.json")
    if not path.exists():
        sys.exit(f"no running stack found at {path}: start one with `make run`")
    info = StackInfo.load(path)
    info.activate()
    return info


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str), flush=True)


def cmd_intake(args: argparse.Namespace) -> int:
    """Deliver files to a unit's ESP inbox (as the public would) and wait for each."""
    from ezd.adapters import directory_store, registry_store
    from ezd.adapters.archive import sha256_hex
    from ezd.adapters.aws import client
    from ezd.adapters.epuap_client import EpuapSkrytkaClient
    from ezd.models.epuap import SenderProfile

    info = _stack(args)
    unit = directory_store.get_unit(args.unit)
    if unit is None:
        sys.exit(f"unknown unit {args.unit}")
    skrytka = EpuapSkrytkaClient(f"{info.epuap_url}/pk_external_ws/services/skrytka", podmiot="obywatel")
    sender = SenderProfile(identifier="ezd-cli", type="F", first_name="Jan", name="Kowalski", consent=True)
    started = clock.now_utc()
    pending: list[tuple[str, str]] = []
    for name in args.files:
        raw = Path(name).read_bytes()
        skrytka.nadaj(unit.esp_address, raw, Path(name).name, sender=sender)
        pending.append((name, sha256_hex(raw)))
    # Collect now rather than at the next scheduled minute: the same poller function.
    client("lambda").invoke(
        FunctionName=info.functions["EpuapPollerFunction"],
        Payload=json.dumps({"unit": unit.symbol, "source": "cli"}).encode(),
    )
    seen: dict[str, int] = {}
    failures = 0
    deadline = time.monotonic() + args.timeout
    for name, digest in pending:
        index = seen.get(digest, 0)
        seen[digest] = index + 1
        outcome = None
        while time.monotonic() < deadline:
            outcomes = sorted(registry_store.outcomes_for_content(unit.symbol, digest, since=started),
                              key=lambda o: o.processed_at)
            if len(outcomes) > index:
                outcome = outcomes[index]
                break
            time.sleep(0.2)
        if outcome is None:
            _print({"file": name, "status": "timeout", "registry_number": None, "document_id": None,
                    "error_code": "TIMEOUT", "signature": None, "certificate": None})
            failures += 1
            continue
        _print({
            "file": name,
            "status": outcome.status,
            "registry_number": outcome.registry_number,
            "document_id": outcome.document_id,
            "error_code": outcome.error_code,
            "error_message": outcome.error_message,
            "signature": outcome.signature,
            "certificate": outcome.certificate,
            "intake_id": outcome.intake_id,
        })
    return 1 if failures else 0


def cmd_registry(args: argparse.Namespace) -> int:
    from ezd.services.registry_queries import intake_report, report_csv

    _stack(args)
    day = date.fromisoformat(args.date) if args.date else clock.today()
    report = intake_report(args.unit, day)
    if args.format == "csv":
        sys.stdout.write(report_csv(report))
    elif args.format == "json":
        _print(report.model_dump(mode="json"))
    else:
        print(f"Raport podawczy {args.unit} {day}: {report.count} przesyłek")
        for line in report.lines:
            print(f"{line.registry_number:>14}  {line.received_at[11:19]}  {line.channel:<9} "
                  f"{line.sender[:30]:<30}  {line.sender_address[:30]:<30}  {line.title[:60]}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from ezd.local.stack import local_token

    info = _stack(args)
    try:
        print(local_token(info, args.user, args.minutes * 60 if args.minutes else None))
    except LookupError as exc:
        print(f"ezd token: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_poll(args: argparse.Namespace) -> int:
    from ezd.config import settings
    from ezd.services.epuap_polling import poll

    _stack(args)
    _print(poll(settings(), unit_symbol=args.unit).model_dump(mode="json"))
    return 0


def cmd_demo_letter(args: argparse.Namespace) -> int:
    from ezd.local.keys import ensure_demo_ca, revoked_demo_signer
    from ezd.samples.letters import make_letter, make_signer, sample_pdf, sign_letter

    attachments = [("zalacznik.pdf", sample_pdf(args.attachment_kb * 1024, seed=args.seed), "application/pdf")] \
        if args.attachment_kb else []
    xml = make_letter(title=args.title, attachments=attachments, sender_surname=args.surname)
    state = Path(args.state_dir or repository_root() / ".ezd")
    if args.signed == "trusted":
        xml = sign_letter(xml, make_signer("Jan Kowalski", ensure_demo_ca(state)))
    elif args.signed == "revoked":
        # Issued by the demo CA, whose CRL in the stack's trust store lists it.
        xml = sign_letter(xml, revoked_demo_signer(state))
    elif args.signed == "self-signed":
        xml = sign_letter(xml, make_signer("Jan Kowalski"))
    Path(args.out).write_bytes(xml)
    print(args.out)
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    """Forget the local stack's saved data (registers, documents, cases, workflows, ePUAP
    letters); the keys and the trust store stay. Refused while a stack runs on it."""
    from ezd.local.persistence import StateBusy, reset

    state = Path(args.state_dir or repository_root() / ".ezd")
    if not args.yes and sys.stdin.isatty():
        answer = input(f"Remove all saved data of the local stack in {state}/data? [y/N] ")
        if answer.strip().lower() not in ("y", "yes", "t", "tak"):
            print("nothing removed")
            return 1
    try:
        removed = reset(state)
    except StateBusy as busy:
        print(f"ezd reset: {busy}", file=sys.stderr)
        return 2
    print(f"removed {state}/data ({len(removed)} entries); kept {state}/keys and {state}/trust" if removed
          else f"no saved data in {state}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ezd", description="EZD for education")
    parser.add_argument("--stack", help="path of stack.json of a running local stack")
    sub = parser.add_subparsers(dest="command", required=True)

    intake = sub.add_parser("intake", help="deliver files to a unit's ePUAP inbox and wait for registration")
    intake.add_argument("files", nargs="+")
    intake.add_argument("--unit", required=True)
    intake.add_argument("--timeout", type=float, default=120)
    intake.set_defaults(func=cmd_intake)

    registry = sub.add_parser("registry", help="the daily intake report (raport podawczy)")
    registry.add_argument("--unit", required=True)
    registry.add_argument("--date", help="YYYY-MM-DD (default: today in Poland)")
    registry.add_argument("--format", choices=["table", "csv", "json"], default="table")
    registry.set_defaults(func=cmd_registry)

    token = sub.add_parser("token", help="a token for a user of the local stack (signed with its key)")
    token.add_argument("--user", required=True)
    token.add_argument("--minutes", type=int, help="lifetime (default 60)")
    token.set_defaults(func=cmd_token)

    poll = sub.add_parser("poll", help="collect waiting ePUAP letters now")
    poll.add_argument("--unit")
    poll.set_defaults(func=cmd_poll)

    demo = sub.add_parser("demo-letter", help="write a sample ePUAP letter")
    demo.add_argument("--out", required=True)
    demo.add_argument("--title", default="Aneks nr 1 do arkusza organizacji na rok szkolny 2026/2027")
    demo.add_argument("--surname", default="Kowalski")
    demo.add_argument("--signed", choices=["trusted", "revoked", "self-signed", "none"], default="trusted",
                      help="trusted: a demo CA signer; revoked: a demo CA signer on the CA's CRL")
    demo.add_argument("--attachment-kb", type=int, default=20)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--state-dir")
    demo.set_defaults(func=cmd_demo_letter)

    reset = sub.add_parser("reset", help="forget the local stack's saved data (keys and trust stay)")
    reset.add_argument("--state-dir", help="the stack's state directory (default: <repo>/.ezd)")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    reset.set_defaults(func=cmd_reset)

    from ezd.cli_commands import audit as audit_commands
    from ezd.cli_commands import cases as case_commands
    from ezd.cli_commands import deadline as deadline_commands
    from ezd.cli_commands import jrwa as jrwa_commands
    from ezd.cli_commands import lifecycle as lifecycle_commands
    from ezd.cli_commands import openapi as openapi_commands
    from ezd.cli_commands import outgoing as outgoing_commands
    from ezd.cli_commands import register as register_commands
    from ezd.cli_commands import statistics as statistics_commands

    audit_commands.register(sub)
    case_commands.register(sub)
    deadline_commands.register(sub)
    jrwa_commands.register(sub)
    lifecycle_commands.register(sub)
    openapi_commands.register(sub)
    outgoing_commands.register(sub)
    register_commands.register(sub)
    statistics_commands.register(sub)

    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())

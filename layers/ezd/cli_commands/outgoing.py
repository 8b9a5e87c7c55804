"""`ezd draft`, `ezd approve`, `ezd send` and `ezd outgoing`: answering from a script, as a
user of the local stack (`--as LOGIN`), through the portal API exactly as the browser does
(its token, its routes, its refusals and their codes).

    ezd draft --unit U --case REF --as LOGIN --title T --file F [--to ADDRESS]   → {"draft_id": ...}
    ezd approve DRAFT_ID --unit U --as LOGIN      submits a draft first if LOGIN may, then approves
    ezd send DRAFT_ID --unit U --as LOGIN [--channel auto|edoreczenia|epuap|epuap-official|post]
    ezd outgoing --unit U [--year Y] [--format json|csv]

`--to` is an entry of the unit's address book: its id, or an address it has (an e-delivery
address AE:PL-…, an ePUAP box /…/…), or a city unit's symbol. `send` seals an approved
document with the unit's seal, dispatches it and, for an electronic channel, waits until
the item is sent (a letter by post is done when it is in the registry desk's tray).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

CHANNELS = {"auto": None, "edoreczenia": "edoreczenia", "epuap": "epuap_nadaj", "epuap-official": "epuap_dorecz",
            "post": "post"}
# Where `send` stops waiting: delivered (or failed) for an electronic channel — the
# evidence of receipt is what a script waits for —, in the tray or posted for the post.
FINAL = ("delivered", "failed", "awaiting_postage", "posted")


class ApiRefused(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


class Session:
    """The API as one user of the local stack sees it."""

    def __init__(self, args: argparse.Namespace) -> None:
        from ezd.cli import _stack
        from ezd.local.stack import local_token

        self.info = _stack(args)
        self.token = local_token(self.info, args.as_user)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.info.api_url}{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace")
            try:
                raise ApiRefused(exc.code, json.loads(text)) from None
            except ValueError:
                raise ApiRefused(exc.code, text) from None
        return json.loads(raw) if raw else None

    def upload(self, unit: str, path: Path) -> str:
        content = path.read_bytes()
        ticket = self.call("POST", f"/units/{unit}/uploads",
                           {"filename": path.name, "size": len(content), "purpose": "draft"})
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in ticket["fields"].items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(ticket["url"], data=b"".join(parts), method="POST",
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(request, timeout=120):
            pass
        return ticket["upload_id"]


def _contractor_for(session: Session, unit: str, address: str) -> str:
    book = session.call("GET", f"/units/{unit}/contractors")["items"]
    for c in book:
        if address in (c["contractor_id"], c.get("ade"), c.get("esp_address"), f"unit-{address}"):
            return c["contractor_id"]
    raise ApiRefused(400, {"error_code": "VALIDATION_FAILED",
                           "message": f"no entry of {unit}'s address book has the address {address}: add it first"})


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _refused(exc: ApiRefused) -> int:
    print(json.dumps({"status": exc.status, **(exc.body if isinstance(exc.body, dict) else {"message": exc.body})},
                     ensure_ascii=False), file=sys.stderr)
    return 1


def cmd_draft(args: argparse.Namespace) -> int:
    session = Session(args)
    try:
        body: dict[str, Any] = {"title": args.title, "upload_id": session.upload(args.unit, Path(args.file))}
        if args.to:
            body["addressees"] = [{"contractor_id": _contractor_for(session, args.unit, args.to)}]
        created = session.call("POST", f"/units/{args.unit}/cases/{args.case}/outgoing", body)
    except ApiRefused as exc:
        return _refused(exc)
    document = created["document"]
    _print({"draft_id": document["outgoing_id"], "status": document["status"], "case_ref": document["case_ref"],
            "version": len(document["versions"]), "addressees": [a["name"] for a in document["addressees"]]})
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    session = Session(args)
    path = f"/units/{args.unit}/outgoing/{args.draft_id}"
    try:
        if session.call("GET", path)["document"]["status"] == "draft":
            session.call("POST", f"{path}/submit")
        decided = session.call("POST", f"{path}/decision", {"decision": "approved"})
    except ApiRefused as exc:
        return _refused(exc)
    _print({"draft_id": args.draft_id, "status": decided["document"]["status"]})
    return 0


def _item_line(item: dict[str, Any]) -> dict[str, Any]:
    ids = item.get("channel_ids") or {}
    return {"outgoing_number": item["registry_number"], "document_id": item["outgoing_id"],
            "case_ref": item["case_ref"], "channel": item["method"], "addressee": item["addressee_name"],
            "status": item["status"], "delivered_at": item.get("delivered_at"),
            "message_id": ids.get("edoreczenia_message_id") or ids.get("epuap_document_id"),
            "evidences": [{"type": e["code"], "received_at": e["at"], "sha256": e["sha256"]}
                          for e in item.get("evidences") or []]}


def cmd_send(args: argparse.Namespace) -> int:
    session = Session(args)
    path = f"/units/{args.unit}/outgoing/{args.draft_id}"
    try:
        document = session.call("GET", path)["document"]
        if document["status"] == "approved":
            document = session.call("POST", f"{path}/seal")["document"]
        method = CHANNELS[args.channel]
        choices = None if method is None else [{"addressee": n, "method": method}
                                                for n in range(len(document["addressees"]))]
        items = session.call("POST", f"{path}/dispatch", {"choices": choices})["items"]
        deadline = time.monotonic() + args.wait
        while any(i["status"] not in FINAL for i in items) and time.monotonic() < deadline:
            time.sleep(0.5)
            items = session.call("GET", path).get("items") or items
    except ApiRefused as exc:
        return _refused(exc)
    for item in items:
        _print(_item_line(item))
    return 0 if all(i["status"] in FINAL for i in items) else 3


def cmd_outgoing(args: argparse.Namespace) -> int:
    args.as_user = args.as_user or f"{args.unit.lower()}.sekretariat"
    session = Session(args)
    query = f"?year={args.year}" if args.year else ""
    try:
        if args.format == "csv":
            request = urllib.request.Request(
                f"{session.info.api_url}/units/{args.unit}/outgoing-register{query}{'&' if query else '?'}format=csv",
                headers={"Authorization": f"Bearer {session.token}"})
            with urllib.request.urlopen(request, timeout=120) as answer:
                sys.stdout.write(answer.read().decode("utf-8"))
            return 0
        page = session.call("GET", f"/units/{args.unit}/outgoing-register{query}")
    except ApiRefused as exc:
        return _refused(exc)
    except urllib.error.HTTPError as exc:
        print(f"HTTP {exc.code}", file=sys.stderr)
        return 1
    for item in sorted(page["items"], key=lambda i: i["number"]):
        _print(_item_line(item))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--unit", required=True)
        parser.add_argument("--as", dest="as_user", required=True, help="the login of the user who acts")

    draft = subparsers.add_parser("draft", help="draft an outgoing document in a case from a file")
    common(draft)
    draft.add_argument("--case", required=True, help="znak sprawy")
    draft.add_argument("--title", required=True)
    draft.add_argument("--file", required=True)
    draft.add_argument("--to", help="an address-book entry: its id, its AE:PL-… or ePUAP address, a city unit's symbol")
    draft.set_defaults(func=cmd_draft)

    approve = subparsers.add_parser("approve", help="approve a draft (submitting it first if it is still a draft)")
    approve.add_argument("draft_id")
    common(approve)
    approve.set_defaults(func=cmd_approve)

    send = subparsers.add_parser("send", help="seal (if approved), dispatch and wait until sent")
    send.add_argument("draft_id")
    common(send)
    send.add_argument("--channel", choices=list(CHANNELS), default="auto")
    send.add_argument("--wait", type=float, default=120.0, help="seconds to wait for an electronic send")
    send.set_defaults(func=cmd_send)

    outgoing = subparsers.add_parser("outgoing", help="the outgoing register of a year, one JSON object per line")
    outgoing.add_argument("--unit", required=True)
    outgoing.add_argument("--as", dest="as_user", default=None, help="who reads it (default: the unit's registry desk)")
    outgoing.add_argument("--year", type=int)
    outgoing.add_argument("--format", choices=["json", "csv"], default="json")
    outgoing.set_defaults(func=cmd_outgoing)

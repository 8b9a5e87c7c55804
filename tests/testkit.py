"""What the tests share beyond fixtures (tests/ is on sys.path, as pytest puts a conftest's
folder there): waiting for a condition, a tiny HTTP client of the portal API, and the
registry desk's client for paper letters
(upload a scan to S3 by its pre-signed POST, have an old date of receipt confirmed,
register the upload)."""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from ezd import clock


def wait_for(predicate: Any, what: str, timeout: float = 30.0) -> Any:
    """The predicate's first truthy value, polled every 0.1 s; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def real_clock(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a child process that runs a whole stack on the machine's clock.

    Under Debian's faketime every new process starts the faked clock again at the same
    moment, so a restarted stack would find its saved data minutes "in the future" (no
    real restart does that), and libfaketime's faked monotonic clock stalls the timed waits
    of a whole stack in a child. The stacks that tests start and stop as processes run on
    the real clock; the test process keeps whatever clock it was given.
    """
    env = {k: v for k, v in env.items() if not k.startswith("FAKETIME")}
    if "faketime" in env.get("LD_PRELOAD", ""):
        env["LD_PRELOAD"] = ":".join(p for p in env["LD_PRELOAD"].split(":") if "faketime" not in p)
    return env


def post_form(url: str, fields: dict[str, str], content: bytes, filename: str) -> int:
    """A browser's multipart/form-data POST of a file (what the portal does with an S3
    pre-signed POST)."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(url, data=b"".join(parts), method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: dict[str, str]
    raw: bytes


class Api:
    """A tiny HTTP client of the portal API."""

    def __init__(self, base_url: str, secret: str) -> None:
        self.base_url = base_url
        self.secret = secret

    def token(self, login: str) -> str:
        from ezd.services.auth import issue_token

        return issue_token(login, self.secret)

    def call(self, method: str, path: str, *, user: str | None = None, json_body: Any = None,
             raw: bytes | None = None, content_type: str | None = None, token: str | None = None) -> ApiResponse:
        headers = {}
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        if raw is not None:
            data = raw
            headers["Content-Type"] = content_type or "application/octet-stream"
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                payload = response.read()
                status = response.status
                response_headers = dict(response.headers)
        except urllib.error.HTTPError as exc:
            payload = exc.read()
            status = exc.code
            response_headers = dict(exc.headers)
        try:
            body = json.loads(payload) if payload else None
        except ValueError:
            body = payload.decode("utf-8", "replace")
        return ApiResponse(status=status, body=body, headers=response_headers, raw=payload)


class PaperDesk:
    """The registry desk registering scanned paper letters through the API: the scan goes
    to S3 by a pre-signed POST, the registration names the upload."""

    BACKDATE_LIMIT_DAYS = 30

    def __init__(self, api: Any) -> None:
        self.api = api

    def upload(self, unit: str, scan: bytes, *, clerk: str | None = None, filename: str = "skan.pdf") -> str:
        ticket = self.api.call("POST", f"/units/{unit}/uploads", user=clerk or f"{unit.lower()}.sekretariat",
                               json_body={"filename": filename, "size": len(scan)})
        assert ticket.status == 201, ticket.body
        assert post_form(ticket.body["url"], ticket.body["fields"], scan, filename) in (200, 201, 204)
        return ticket.body["upload_id"]

    def confirm_backdating(self, unit: str, upload_id: str, received_at: str, *, manager: str | None = None,
                           reason: str = "Pismo odnalezione w poczcie przekazanej z opóźnieniem") -> Any:

        day = clock.local_date(datetime.fromisoformat(received_at.replace("Z", "+00:00")))
        return self.api.call("POST", f"/units/{unit}/uploads/{upload_id}/backdating",
                             user=manager or f"{unit.lower()}.dyrektor",
                             json_body={"received_on": day.isoformat(), "reason": reason})

    def submit(self, unit: str, body: dict[str, Any], *, clerk: str | None = None, wait: int = 25,
               confirm_backdating: bool = True) -> Any:
        """Registers ``body`` ({scan | upload_id, filename, channel, received_at, metadata,
        duplicate_reason}); a date of receipt older than the desk may state alone is first
        confirmed by the unit's director (``confirm_backdating``)."""

        body = dict(body)
        scan, filename = body.pop("scan", None), body.pop("filename", "skan.pdf")
        upload_id = body.get("upload_id") or self.upload(unit, scan if scan is not None else self.new_scan(),
                                                         filename=filename)
        received_at = body.get("received_at")
        if confirm_backdating and isinstance(received_at, str):
            try:
                moment = datetime.fromisoformat(received_at.replace("Z", "+00:00"))
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is not None and \
                    (clock.today() - clock.local_date(moment)).days > self.BACKDATE_LIMIT_DAYS:
                confirmed = self.confirm_backdating(unit, upload_id, received_at)
                assert confirmed.status == 200, confirmed.body
        return self.api.call("POST", f"/units/{unit}/paper-letters?wait={wait}",
                             user=clerk or f"{unit.lower()}.sekretariat", json_body={**body, "upload_id": upload_id})

    @staticmethod
    def new_scan(size: int = 700) -> bytes:
        from ezd.samples.letters import sample_pdf

        return sample_pdf(size, seed=time.time_ns())

    def register(self, unit: str, *, title: str, clerk: str | None = None, access: str = "niepubliczny",
                 scan: bytes | None = None, wait: int = 25, **metadata: Any) -> Any:

        return self.submit(unit, {
            "scan": scan if scan is not None else self.new_scan(),
            "channel": "post",
            "received_at": clock.now_utc().isoformat(),
            "metadata": {"title": title, "access": access, "sender": {
                "kind": "person", "first_names": "Jan", "surname": "Kowalski", "town": "Lublin", "country": "PL"},
                **metadata},
        }, clerk=clerk, wait=wait)


@contextlib.contextmanager
def moto_sandbox(config: dict[str, Any] | None = None) -> Iterator[str]:
    """moto in this process (``mock_aws``) for a test that needs moto itself, not the system.

    The session's local stack serves from moto's global backends in this same process,
    and ``mock_aws`` resets all of them when it starts and when it stops: a test using it
    wiped the stack's tables for every test after it on the same worker. The sandbox works
    in an account of its own (``MOTO_ACCOUNT_ID``, read by moto per request), starts and
    stops without a reset, and removes only that account's data afterwards. Yields the
    account id."""
    from moto import mock_aws
    from moto.core.base_backend import BackendDict, backend_lock

    account = f"9{uuid.uuid4().int % 10**11:011d}"
    previous = os.environ.get("MOTO_ACCOUNT_ID")
    os.environ["MOTO_ACCOUNT_ID"] = account
    mock = mock_aws(config=config) if config else mock_aws()
    mock.start(reset=False)
    try:
        yield account
    finally:
        mock.stop(remove_data=False)
        if previous is None:
            os.environ.pop("MOTO_ACCOUNT_ID", None)
        else:
            os.environ["MOTO_ACCOUNT_ID"] = previous
        with backend_lock:
            for backends in list(BackendDict._instances):  # noqa: SLF001 - moto keeps no other list
                if account in backends:
                    dict.get(backends, account).reset()
                    del backends[account]

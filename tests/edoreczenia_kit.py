"""Helpers of the e-Doręczenia tests: a started simulator with a few addresses, a movable clock,
raw HTTP calls, and a subscriber that can be told to fail."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from ezd import clock
from ezd.local.edoreczenia import EdoreczeniaSimulator

# Two schools of the demo data (public bodies), a company outside the simulator (not a
# public body: deemed delivery applies to it) and a second one for rejections.
SP1 = "AE:PL-06026-77354-UMVTB-68"
SP2 = "AE:PL-45268-59693-WWZQP-84"
FIRM = "AE:PL-11111-22222-FIRMA-01"
REFUSER = "AE:PL-33333-44444-ODMOW-02"
CLIENT_ID, SECRET = "ezd-test", "test-secret-1"


class MovableClock:
    def __init__(self, start: datetime) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self.now = moment

    def advance(self, **kwargs: float) -> None:
        with self._lock:
            self.now = self.now + timedelta(**kwargs)


@dataclass
class Sim:
    sim: EdoreczeniaSimulator
    base: str
    clock: MovableClock

    @property
    def api(self) -> str:
        return self.sim.api_url

    def token(self, scope: str | None = None, client_id: str = CLIENT_ID, secret: str = SECRET) -> str:
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        if scope:
            form["scope"] = scope
        status, _, body = http("POST", self.base + "/oauth2/token", form=form)
        assert status == 200, body
        return json.loads(body)["access_token"]

    def call(self, method: str, address: str, path: str, body: Any = None, token: str | None = None,
             query: dict[str, Any] | None = None) -> tuple[int, Any]:
        url = f"{self.api}/{urllib.parse.quote(address, safe=':')}{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        status, headers, raw = http(method, url, body, token=token if token is not None else self.token())
        ctype = headers.get("Content-Type", "")
        return status, (json.loads(raw) if raw and "json" in ctype else raw)

    def control(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, _, raw = http(method, f"{self.base}/_sim/{path}", body)
        return status, json.loads(raw) if raw else None

    def sent_messages(self, owner: str) -> list[Any]:
        with self.sim.store.lock:
            return [m for m in self.sim.store.messages.values() if m.owner == owner and m.label == "SENT"]


def http(method: str, url: str, body: Any = None, *, token: str | None = None, form: dict[str, str] | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    h = dict(headers or {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        h["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if token:
        h["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers or {}), err.read()


def start_simulator(start: datetime, **kwargs: Any) -> Sim:
    moving = MovableClock(start)
    clock.set_source(moving)
    sim = EdoreczeniaSimulator(callback_first_delay=0.05, **kwargs)
    sim.register_address(SP1, "Szkoła Podstawowa nr 1", public=True)
    sim.register_address(SP2, "Szkoła Podstawowa nr 2", public=True)
    sim.register_address(FIRM, "Firma Sp. z o.o.", public=False, external=True)
    sim.register_address(REFUSER, "Odmowa S.A.", public=False, external=True, policy="reject")
    sim.register_client(CLIENT_ID, SECRET, [SP1, SP2])
    base = sim.start()
    return Sim(sim, base, moving)


def stop_simulator(s: Sim) -> None:
    s.sim.stop()
    clock.set_source(None)
    assert not s.sim.violations, "answers breaking the contract:\n" + "\n".join(s.sim.violations)


@dataclass
class Subscriber:
    """Receives callbacks; fails the first ``fail_first`` of them with a 500."""

    fail_first: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        payload = json.loads(Request(environ).get_data() or b"null")
        with self.lock:
            self.attempts += 1
            if self.attempts <= self.fail_first:
                return Response("down", status=500)(environ, start_response)
            self.received.append(payload)
        return Response(json.dumps({"status": "OK"}), content_type="application/json")(environ, start_response)


def serve(app: Any) -> tuple[str, Any]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_port}", stop

"""moto in server mode, with requests serialized and their changes journaled.

moto's backends are not thread-safe (concurrent DynamoDB transactions corrupt its state),
so every request except a Lambda invocation runs under one lock. Invocations are left
out because the function they run calls back into moto; holding the lock there would
deadlock.

With a journal (the stack's persistence), each request's changes are journaled while the
lock is still held — so the journal's order is the order of changes — and the response
waits, outside the lock, until they are on disk: other requests proceed meanwhile, and
requests that finish together share one fsync.

What the stack itself does to moto's backends (S3 lifecycle, ``lifecycle.py``) goes the
same way (``run_locked``); the operator reaches it by ``POST /ezd-local/<operation>``.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any, Callable, Iterable, Protocol, TypeVar

from werkzeug.serving import BaseWSGIServer, make_server

from ezd.local import in_process_http

T = TypeVar("T")

# The stack's own operations on moto (POST <moto>/ezd-local/<name>): the operator's, never a
# function's (a function's request names no such path in its role).
OPERATIONS_PATH = "/ezd-local/"

MOTO_CONFIG = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}


class RequestJournal(Protocol):
    failed: bool

    def commit(self) -> int:
        """Called under the server's lock after a request: journals its changes and
        returns what the response must wait for."""

    def wait(self, lsn: int) -> None:
        """Called outside the lock: returns once ``lsn`` is durable."""


def _request_handler() -> Any:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietMotoRequestHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: D401
            return None

    return QuietMotoRequestHandler


def _unavailable(start_response: Any) -> list[bytes]:
    body = b'{"__type":"ServiceUnavailable","message":"the local stack could not save its state; restart it"}'
    start_response("503 Service Unavailable", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class SerializedMotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, journal: RequestJournal | None = None) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self._app = DomainDispatcherApplication(create_backend_app)
        self._lock = threading.RLock()
        self._journal = journal
        # Set by the stack: checks each function's requests against its role (iam_enforcement.py).
        self.enforcer: Any = None
        # What the stack does to moto's backends itself (e.g. S3 lifecycle), by name: each
        # takes the request's JSON object, answers a JSON-serialisable result and goes
        # through ``run_locked``.
        self.operations: dict[str, Callable[[dict[str, Any]], Any]] = {}
        # Set by a benchmark: counts what each function's request would be billed (usage_meter.py).
        self.meter: Any = None
        self._server: BaseWSGIServer = make_server(
            host, port, self._wsgi, threaded=True, request_handler=_request_handler()
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)

    @property
    def lock(self) -> threading.RLock:
        """Held while a request runs in moto: whoever reads or writes moto's backends
        directly (loading the saved state, snapshots) takes it too."""
        return self._lock

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run_locked(self, operation: Callable[[], T]) -> T:
        """Runs ``operation`` on moto's backends as if it were a request: under the lock,
        what it changed journaled, returning once that is durable."""
        journal = self._journal
        if journal is not None and journal.failed:
            raise RuntimeError("the local stack could not save its state; restart it")
        with self._lock:
            try:
                result = operation()
            finally:
                lsn = journal.commit() if journal is not None else 0
        if lsn:
            journal.wait(lsn)  # type: ignore[union-attr]
        return result

    def _operation(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        operation = self.operations.get(environ.get("PATH_INFO", "")[len(OPERATIONS_PATH):])
        if environ.get("HTTP_X_EZD_FUNCTION"):  # iam_enforcement.FUNCTION_HEADER: no role grants these
            status, body = "403 Forbidden", {"message": "the stack's operations are the operator's"}
        elif operation is None or environ.get("REQUEST_METHOD") != "POST":
            status, body = "404 Not Found", {"message": f"operations: {sorted(self.operations)} (POST)"}
        else:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                arguments = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
                status, body = "200 OK", operation(arguments if isinstance(arguments, dict) else {})
            except Exception as exc:  # noqa: BLE001 - the operator sees why
                status, body = "500 Internal Server Error", {"message": f"{type(exc).__name__}: {exc}"}
        data = json.dumps(body, default=str).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(OPERATIONS_PATH):
            return self._operation(environ, start_response)
        if self.enforcer is not None:
            refused = self.enforcer.check(environ)
            if refused is not None:
                from ezd.local.iam_enforcement import access_denied

                return access_denied(environ, *refused, start_response)
            start_response = self._as_s3_answers(environ, start_response)
        if "/functions/" in path and path.endswith("/invocations"):
            return self._app(environ, start_response)
        journal = self._journal
        if journal is not None and journal.failed:
            return _unavailable(start_response)
        with self._lock:
            try:
                # Drain the response inside the lock: moto builds bodies lazily.
                meter = self.meter
                if meter is None:
                    body = list(self._app(environ, start_response))
                else:
                    body = meter.observe(self._app, environ, start_response)
            finally:
                # Also after a failure: whatever the request changed is journaled.
                lsn = journal.commit() if journal is not None else 0
        if lsn:
            # werkzeug sends the status and headers with the first body bytes, so nothing
            # has left yet: the response goes once what it reports is durable.
            journal.wait(lsn)  # type: ignore[union-attr]
        return body

    def _as_s3_answers(self, environ: dict[str, Any], start_response: Any) -> Any:
        """A function that may not list a bucket learns nothing of a missing object: S3
        answers 403, not 404 (so a HEAD-then-PUT needs s3:ListBucket, as in AWS)."""
        enforcer = self.enforcer

        def answer(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("404"):
                refused = enforcer.missing_object(environ)
                if refused is not None:
                    status, headers = "403 Forbidden", [("Content-Type", "application/xml")]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return answer

    def start(self) -> None:
        self._thread.start()
        # This process's own clients (the Lambda handlers, the pollers) skip the socket.
        in_process_http.register(self.url, self._wsgi)
        request = urllib.request.Request(
            self.url + "/moto-api/config",
            data=json.dumps(MOTO_CONFIG).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        in_process_http.unregister(self.url)
        self._server.shutdown()
        self._server.server_close()

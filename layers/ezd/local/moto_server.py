"""moto in server mode, with requests serialized.

moto's backends are not thread-safe (concurrent DynamoDB transactions corrupt its state),
so every request except a Lambda invocation runs under one lock. Invocations are left
out because the function they run calls back into moto; holding the lock there would
deadlock.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any, Iterable

from werkzeug.serving import BaseWSGIServer, make_server

MOTO_CONFIG = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}


def _request_handler() -> Any:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietMotoRequestHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: D401
            return None

    return QuietMotoRequestHandler


class SerializedMotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self._app = DomainDispatcherApplication(create_backend_app)
        self._lock = threading.RLock()
        self._server: BaseWSGIServer = make_server(
            host, port, self._wsgi, threaded=True, request_handler=_request_handler()
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if "/functions/" in path and path.endswith("/invocations"):
            return self._app(environ, start_response)
        with self._lock:
            # Drain the response inside the lock: moto builds bodies lazily.
            return list(self._app(environ, start_response))

    def start(self) -> None:
        self._thread.start()
        request = urllib.request.Request(
            self.url + "/moto-api/config",
            data=json.dumps(MOTO_CONFIG).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

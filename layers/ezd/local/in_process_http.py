"""botocore requests to the embedded moto server of this same process, without a socket.

The Lambda handlers of the embedded stack run in the stack's process, and so does moto's
server. Over HTTP, each of their ~40 requests per letter went through urllib3 and
http.client, a loopback socket, werkzeug's request handler thread and http.server's
header parsing — a quarter of the stack's CPU, and none of it anything AWS does. Here a
request whose URL is the in-process server's is handed to the server's WSGI callable as
a WSGI environ built from the very request botocore would have sent (method, path, query,
headers with the signature, body bytes), and the answer comes back as botocore's
``AWSResponse``. Everything that makes the stack faithful stays on the path: botocore's
serialisation and signing, the server's lock, the role check of each function's request
(``iam_enforcement``), the journal and its durability wait, and moto's own parsing.

Only requests of this process to a server registered here take this path; the ``ezd``
command, tests in other processes, the portal API and the ePUAP simulator speak HTTP.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from botocore.awsrequest import AWSResponse
from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY, should_preserve_original_header_name

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]

_servers: dict[str, WsgiApp] = {}  # "http://127.0.0.1:port" -> the server's WSGI callable
_lock = threading.Lock()
_installed = False


class _Body(io.BytesIO):
    """The raw response as botocore reads it: ``read(amt)`` for streaming bodies,
    ``stream()`` for the rest (urllib3's HTTPResponse has both)."""

    def stream(self, amt: int = 1024 * 1024, decode_content: bool | None = None) -> Iterable[bytes]:
        while chunk := self.read(amt):
            yield chunk


def register(base_url: str, app: WsgiApp) -> None:
    """Requests of this process to ``base_url`` go straight to ``app``."""
    with _lock:
        _servers[base_url.rstrip("/")] = app
    install()


def unregister(base_url: str) -> None:
    with _lock:
        _servers.pop(base_url.rstrip("/"), None)


def _server_for(url: str) -> WsgiApp | None:
    if not _servers:
        return None
    scheme, netloc = url.split("://", 1) if "://" in url else ("", url)
    return _servers.get(f"{scheme}://{netloc.split('/', 1)[0]}")


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        return body.read()
    return b"".join(body)


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes | bytearray) else str(value)


def environ_of(request: Any) -> dict[str, Any]:
    """The WSGI environ a WSGI server would make of ``request`` (PEP 3333)."""
    parts = urlsplit(request.url)
    body = _body_bytes(request.body)
    host = parts.netloc
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method.upper(),
        "SCRIPT_NAME": "",
        # As werkzeug's server: the path percent-decoded, its bytes as latin-1.
        "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
        "QUERY_STRING": parts.query,
        "RAW_URI": (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        "SERVER_NAME": parts.hostname or "127.0.0.1",
        "SERVER_PORT": str(parts.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)) if body else "",
    }
    environ["REQUEST_URI"] = environ["RAW_URI"]
    preserved: dict[str, str] = {}
    for raw_name, value in request.headers.items():
        name = _text(raw_name)
        key = name.upper().replace("-", "_")
        if "_" in name:
            # As moto's request handler: werkzeug drops such headers (X_Foo could spoof
            # X-Foo), but moto keeps S3 metadata names as they were spelt.
            if not should_preserve_original_header_name(name):
                continue
            preserved.setdefault(f"HTTP_{key}", name)
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = _text(value)
        elif key in ("CONTENT_LENGTH", "TRANSFER_ENCODING", "HOST"):
            continue  # the body is whole here; its length is the bytes themselves
        else:
            environ[f"HTTP_{key}"] = _text(value)
    if preserved:
        environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = preserved
    return environ


def call(app: WsgiApp, request: Any) -> AWSResponse:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        answer["status"], answer["headers"] = status, headers
        return lambda data: None  # the legacy write(); moto does not use it

    result = app(environ_of(request), start_response)
    try:
        content = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    headers: dict[str, str] = {}
    for name, value in answer["headers"]:
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    if request.method.upper() == "HEAD":
        content = b""
    return AWSResponse(request.url, int(answer["status"].split(" ", 1)[0]), headers, _Body(content))


def install() -> None:
    """botocore's endpoints send to a registered server without a socket, any other URL as before."""
    global _installed
    with _lock:
        if _installed:
            return
        from botocore.endpoint import Endpoint

        original = Endpoint._send

        def _send(self: Any, request: Any) -> Any:
            app = _server_for(request.url)
            if app is None:
                return original(self, request)
            return call(app, request)

        Endpoint._send = _send  # type: ignore[method-assign]
        _installed = True

"""The web portal in the local stack: its built files (portal/dist) served on the API's own
origin, as CloudFront serves them from S3 beside API Gateway in AWS.

``/`` is the single-page app's index and ``/assets/…`` (and any other file of the build)
its scripts and styles; every other path goes to the API unchanged, so the portal calls
the API without CORS. Also: the portal API's Chalice app as functions/api/app.py defines
it, for `ezd openapi` and the tests.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The portal bundles its scripts, styles and fonts: nothing is loaded from elsewhere.
# Mantine sets style attributes and a <style> of CSS variables, hence 'unsafe-inline' for
# styles only; scripts only from the portal's own files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def content_security_policy(storage_origin: str | None, login_origin: str | None = None) -> str:
    """The policy, opened to the document storage where the browser talks to it directly:
    scans are POSTed to S3 with a pre-signed form (connect-src), and files are previewed
    from short-lived links (img-src, frame-src). Nothing else is allowed from there. With
    a hosted login (``login_origin``) the portal also fetches its token endpoint."""
    policy = CONTENT_SECURITY_POLICY
    if login_origin:
        policy = policy.replace("connect-src 'self'", f"connect-src 'self' {login_origin}")
    if not storage_origin:
        return policy
    return (policy
            .replace("connect-src 'self'", f"connect-src 'self' {storage_origin}")
            .replace("img-src 'self' data: blob:", f"img-src 'self' data: blob: {storage_origin}")
            + f"; frame-src {storage_origin}")
NOT_BUILT = """<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>EZD</title></head>
<body><h1>Portal nie jest zbudowany</h1><p>Zbuduj go poleceniem <code>make portal</code>
(albo <code>npm ci &amp;&amp; npm run build</code> w katalogu <code>portal/</code>).</p></body></html>
"""


@dataclass(frozen=True)
class StaticFile:
    status: int
    headers: dict[str, str]
    body: bytes


class PortalFiles:
    """The built portal under ``dist``: what a GET of a path answers, or None for the API."""

    def __init__(self, dist: Path, storage_origin: str | None = None) -> None:
        self.dist = dist.resolve()
        self.storage_origin = storage_origin
        self.policy = content_security_policy(storage_origin)

    def allow_login_origin(self, login_origin: str | None) -> None:
        """The hosted login's origin joins connect-src (None: back to the local policy)."""
        self.policy = content_security_policy(self.storage_origin, login_origin)

    def lookup(self, raw_path: str) -> StaticFile | None:
        path = raw_path.split("?", 1)[0].split("#", 1)[0]
        if path in ("/", "/index.html"):
            index = self.dist / "index.html"
            if not index.is_file():
                return StaticFile(503, self._headers("text/html; charset=utf-8", cache="no-store"), NOT_BUILT.encode())
            return StaticFile(200, self._headers("text/html; charset=utf-8", cache="no-cache"), index.read_bytes())
        relative = path.lstrip("/")
        if not relative or ".." in relative.split("/") or "\\" in relative:
            return None
        candidate = (self.dist / relative).resolve()
        if not candidate.is_relative_to(self.dist) or not candidate.is_file():
            return None
        kind = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml", "application/json"):
            kind += "; charset=utf-8"
        # Vite names the assets by their content: they never change under the same name.
        cache = "public, max-age=31536000, immutable" if relative.startswith("assets/") else "no-cache"
        return StaticFile(200, self._headers(kind, cache=cache), candidate.read_bytes())

    def _headers(self, content_type: str, *, cache: str) -> dict[str, str]:
        return {
            "Content-Type": content_type,
            "Cache-Control": cache,
            "Content-Security-Policy": self.policy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }


def serve_portal_file(handler: Any, files: PortalFiles) -> bool:
    """Answers a GET/HEAD with a portal file if the path names one (True), else False."""
    found = files.lookup(handler.path)
    if found is None:
        return False
    handler.send_response(found.status)
    for name, value in found.headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(found.body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(found.body)
    return True


def api_app(root: Path) -> Any:
    """The Chalice app of functions/api/app.py (the ApiFunction's Handler), imported once per
    process under the same module name the in-process Lambda runtime gives it."""
    from ezd.local.lambda_runtime import _load_module

    return _load_module(root / "functions" / "api", "app").app

"""Each in-process function calls AWS under its own role, as in Lambda.

Locally every function shares one process and one set of credentials, so nothing would
notice a function calling what its role does not allow (the API writing to the
quarantine bucket without a grant, a locked put without s3:PutObjectRetention) until a
deployment failed. So the local stack tags each request with the function that makes it
(the in-process runtime and the API server say which function runs) and the moto server
checks it against that function's statements from the template (iam_policies.py), with
the resources AWS would authorize (iam_requests.py). Requests of no function (the CLI,
tests, the stack's own provisioning) are an operator's and are not checked.

It also records what each function really called, so a test can show that a role allows
no more than its code uses.
"""

from __future__ import annotations

import contextvars
import io
import json
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from ezd.local.iam_policies import Statement, allowed
from ezd.local.iam_requests import UNMAPPED, Permission, permissions_for

FUNCTION_HEADER = "X-Ezd-Function"
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("ezd_current_function", default=None)
_installed = False


@contextmanager
def acting_as(function_name: str) -> Iterator[None]:
    """Everything called inside is called by ``function_name``."""
    token = _current.set(function_name)
    try:
        yield
    finally:
        _current.reset(token)


def current_function() -> str | None:
    return _current.get()


def install_request_tagging() -> None:
    """Every botocore request (boto3's and pynamodb's clients alike) carries the function
    that makes it, if any."""
    global _installed
    if _installed:
        return
    from botocore.endpoint import Endpoint

    original = Endpoint.create_request

    def create_request(self: Any, params: dict[str, Any], operation_model: Any = None) -> Any:
        function = _current.get()
        if function:
            params.setdefault("headers", {})[FUNCTION_HEADER] = function
        return original(self, params, operation_model)

    Endpoint.create_request = create_request  # type: ignore[method-assign]
    # What one function read (a secret) is not handed to another from a shared cache.
    from ezd.adapters import aws

    aws.caller = current_function  # type: ignore[assignment]
    _installed = True


class Enforcer:
    """Checks each tagged request against its function's statements."""

    def __init__(self, statements: dict[str, list[Statement]], enforce: bool = True) -> None:
        self._statements = statements
        self.enforce = enforce
        self._lock = threading.Lock()
        self._used: dict[str, set[Permission]] = {}
        self._denied: list[tuple[str, Permission]] = []

    def check(self, environ: dict[str, Any]) -> tuple[str, list[Permission]] | None:
        """(function, the permissions it lacks) for a request that must be refused, else
        None. Buffers the body so that moto can still read it."""
        function = environ.get("HTTP_" + FUNCTION_HEADER.upper().replace("-", "_"))
        if not function:
            return None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        needed = permissions_for(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""),
                                 environ.get("QUERY_STRING", ""), headers, body)
        statements = self._statements.get(function, [])
        missing = [p for p in needed if p.action == UNMAPPED or not allowed(statements, p.action, p.resource)]
        with self._lock:
            self._used.setdefault(function, set()).update(p for p in needed if p not in missing)
            self._denied.extend((function, p) for p in missing)
        return (function, missing) if missing and self.enforce else None

    def missing_object(self, environ: dict[str, Any]) -> tuple[str, Permission] | None:
        """S3 tells a caller that an object is missing (404) only if it may list the
        bucket; without s3:ListBucket it answers 403. For a function's GET or HEAD that
        found nothing: (function, the ListBucket it lacks), or None when 404 stands."""
        function = environ.get("HTTP_" + FUNCTION_HEADER.upper().replace("-", "_"))
        if not function or environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("HTTP_X_AMZ_TARGET"):
            return None
        bucket = environ.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]
        needed = Permission("s3:ListBucket", f"arn:aws:s3:::{bucket}")
        if allowed(self._statements.get(function, []), needed.action, needed.resource):
            with self._lock:
                self._used.setdefault(function, set()).add(needed)
            return None
        with self._lock:
            self._denied.append((function, needed))
        return (function, needed) if self.enforce else None

    def used(self) -> dict[str, set[Permission]]:
        with self._lock:
            return {k: set(v) for k, v in self._used.items()}

    def denied(self) -> list[tuple[str, Permission]]:
        with self._lock:
            return list(self._denied)

    def reset(self) -> None:
        with self._lock:
            self._used.clear()
            self._denied.clear()

    def statements(self, function: str) -> list[Statement]:
        return list(self._statements.get(function, []))


def access_denied(environ: dict[str, Any], function: str, missing: list[Permission],
                  start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The answer AWS gives, in the protocol of the service asked."""
    what = "; ".join(f"{p.action} on {p.resource}" for p in missing)
    message = f"{function} is not authorized to perform: {what} (its role in infra/template.yaml does not allow it)"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
        start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                                           ("Content-Length", str(len(body)))])
        return [body]
    if environ.get("PATH_INFO", "").startswith("/2015-03-31/"):
        body = json.dumps({"Type": "User", "message": message}).encode()
        start_response("403 Forbidden", [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException"),
                                         ("Content-Length", str(len(body)))])
        return [body]
    body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>{message}</Message>'
            "</Error>").encode()
    start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]

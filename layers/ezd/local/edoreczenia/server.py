"""The e-Doręczenia User Agent API simulator over HTTP (werkzeug's threaded server).

Paths: the contract's operations under ``/api/v1`` (its ``servers`` URL), the OAuth2 token
endpoint at ``/oauth2/token``, the test control under ``/_sim/``. Every contract request
is checked against the operation (path, parameters, body) before it is handled and every
answer after: an answer that breaks the contract is recorded in ``violations`` (and, in
``strict`` mode, replaced by a 500), because it is a bug of the simulator.
State is in memory, guarded by the store's lock (one request at a time inside it).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, Iterable
from urllib.parse import unquote

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from ezd import clock
from ezd.local.edoreczenia import api, control, delivery, limits
from ezd.local.edoreczenia.auth import TOKEN_PATH, Authority, Refusal
from ezd.local.edoreczenia.contract import BASE_PATH, Contract, Match, default_contract
from ezd.local.edoreczenia.faults import FaultPlan, reset_connection
from ezd.local.edoreczenia.notifier import Notifier
from ezd.local.edoreczenia.state import ApiError, Mailbox, Store

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class ContractViolation(AssertionError):
    pass


class EdoreczeniaSimulator:
    def __init__(self, *, contract: Contract | None = None, strict: bool = True,
                 callback_max_attempts: int = 6, callback_first_delay: float = 0.2) -> None:
        self.contract = contract or default_contract()
        self.strict = strict
        self.authority = Authority()
        self.faults = FaultPlan()
        self.notifier = Notifier(check=self._callback_errors, max_attempts=callback_max_attempts,
                                 first_delay=callback_first_delay)
        self.store = Store(base_path=BASE_PATH, notify=self._notify)
        self.violations: list[str] = []
        self.requests = 0
        # Every request outside /_sim/, in order: when (the project's clock and the monotonic
        # one), method, path, query and status; how a test tells a polite client from a tight loop.
        self.request_log: list[dict[str, Any]] = []
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url: str | None = None

    # ------------------------------------------------------------------ set-up

    def register_address(self, address: str, name: str, *, public: bool = True, external: bool = False,
                         policy: str = "wait") -> None:
        if not limits.ADE.match(address):
            raise ValueError(f"{address!r} is not an e-delivery address (AE:PL-…)")
        if policy not in control.POLICIES:
            raise ValueError(f"policy must be one of {control.POLICIES}")
        with self.store.lock:
            if address not in self.store.mailboxes:
                self.store.mailboxes[address] = Mailbox(address, name, public, external, policy)

    def register_client(self, client_id: str, secret: str, addresses: list[str] | None = None) -> None:
        self.authority.register_client(client_id, secret, addresses)

    def set_policy(self, address: str, policy: str, reason: str | None = None) -> None:
        if policy not in control.POLICIES:
            raise ValueError(f"policy must be one of {control.POLICIES}")
        with self.store.lock:
            box = self.store.mailboxes.get(address)
            if box is None:
                raise ApiError("ADDRESS_NOT_FOUND", f"no mailbox {address}", status=404)
            box.policy = policy
            if reason:
                box.reject_reason = reason

    def mailbox_stats(self, address: str) -> dict[str, Any]:
        with self.store.lock:
            box = self.store.mailboxes.get(address)
            if box is None:
                raise ApiError("ADDRESS_NOT_FOUND", f"no mailbox {address}", status=404)
            mine = [m for m in self.store.messages.values() if m.owner == address]
            return {"address": address, "name": box.name, "public": box.public, "external": box.external,
                    "policy": box.policy, "inbox": sum(m.label == "INBOX" for m in mine),
                    "sent": sum(m.label == "SENT" for m in mine),
                    "drafts": sum(d.owner == address for d in self.store.drafts.values()),
                    "subscriptions": [dict(s) for s in box.subscriptions]}

    def stats(self) -> dict[str, Any]:
        with self.store.lock:
            return {"mailboxes": len(self.store.mailboxes), "drafts": len(self.store.drafts),
                    "sent": sum(m.label == "SENT" for m in self.store.messages.values()),
                    "received": sum(m.label == "INBOX" for m in self.store.messages.values()),
                    "evidences": len(self.store.evidences), "tokens_issued": self.authority.issued,
                    "requests": self.requests, "faults_injected": self.faults.injected,
                    "violations": list(self.violations)}

    # ------------------------------------------------------------------ callbacks

    def _notify(self, callback: str, url: str, object_id: str, payload: dict[str, Any]) -> None:
        self.notifier.enqueue(callback, url, payload, object_id)

    def _callback_errors(self, callback: str, payload: dict[str, Any]) -> list[str]:
        errors = self.contract.schema_errors(self.contract.callback_schema(callback), payload, f"{callback} payload")
        self.violations += errors
        return errors

    # ------------------------------------------------------------------ HTTP

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return self.wsgi_app(environ, start_response)

    def wsgi_app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = limits.MAX_UPLOAD_BYTES + 1024 * 1024
        path = request.path
        if path.startswith("/_sim/") or path == "/_sim":
            body = request.get_json(force=True, silent=True) if request.method in ("POST", "PUT") else {}
            parts = [unquote(p) for p in path[len("/_sim/"):].strip("/").split("/") if p]
            status, out = control.handle(self, request.method, parts, body if isinstance(body, dict) else {})
            return _json(out, status)(environ, start_response)
        self.requests += 1
        logged = {"at": clock.now_utc().isoformat(), "monotonic": time.monotonic(), "method": request.method,
                  "path": unquote(path), "query": request.query_string.decode("latin-1"), "status": None}
        self.request_log.append(logged)
        fault = self.faults.take(request.method, path)
        if fault in ("503", "429", "reset"):
            logged["status"] = "reset" if fault == "reset" else int(fault)
            if fault == "reset":
                reset_connection(environ)
                return []
            if fault == "429":
                return _json([{"error": "TOO_MANY_REQUESTS", "error_description": "slow down"}], 429,
                             {"Retry-After": "30"})(environ, start_response)
            return _json([{"error": "SERVICE_UNAVAILABLE", "error_description": "try again later"}], 503,
                         {"Retry-After": "1"})(environ, start_response)
        if path == TOKEN_PATH and request.method == "POST":
            status, out = self.authority.token(request.form.to_dict(), request.headers.get("Authorization"))
            response = _json(out, status, {"Cache-Control": "no-store"})
        elif path.startswith(BASE_PATH + "/"):
            response = self._api(request, path[len(BASE_PATH):])
        else:
            response = _json([{"error": "NOT_FOUND", "error_description": f"no resource {path}"}], 404)
        logged["status"] = response.status_code
        if fault == "reset_after":  # done, but the caller never hears it
            logged["status"] = "reset"
            reset_connection(environ)
            return []
        return response(environ, start_response)

    def _api(self, request: Request, path: str) -> Response:
        found = self.contract.match(request.method, path)
        if isinstance(found, str):
            status = 405 if found == "method_not_allowed" else 404
            # Outside every operation of the contract: answered in its error shape anyway.
            return _json([{"error": found.upper(), "error_description": f"{request.method} {path}"}], status)
        match: Match = found
        address = match.path_params.get("eDeliveryAddress")
        if address is not None:
            match.path_params["eDeliveryAddress"] = address = unquote(address)
        grant = self.authority.check(request.headers.get("Authorization"), match.operation.scopes, address)
        if isinstance(grant, Refusal):
            body = [{"error": grant.error, "error_description": grant.description}]
            return self._checked(match, _json(body, grant.status, {"WWW-Authenticate": grant.www_authenticate}))
        try:
            response = self._operation(request, match, address or "")
        except ApiError as exc:
            response = _json(exc.body(), 400)
        except Exception:
            log.exception("e-Doręczenia simulator error in %s %s", request.method, path)
            self.violations.append(f"{request.method} {match.operation.template}: unhandled error")
            response = _json([{"error": "INTERNAL", "error_description": "simulator error"}], 503)
        return self._checked(match, response)

    def _operation(self, request: Request, match: Match, address: str) -> Response:
        params, errors = self.contract.coerce_parameters(match, request.args.to_dict(flat=False))
        media = (request.mimetype or "").lower()
        body: Any = None
        files: dict[str, tuple[str, str, bytes]] = {}
        form: dict[str, str] = {}
        if media == "multipart/form-data":
            form = request.form.to_dict()
            files = {k: (f.filename or "", f.mimetype or "application/octet-stream", f.read())
                     for k, f in request.files.items()}
            body = {**form, **{k: "<binary>" for k in files}}
        elif request.content_length or request.get_data(cache=True):
            try:
                body = json.loads(request.get_data(cache=True))
            except ValueError:
                raise ApiError("INVALID_REQUEST", "the body is not JSON") from None
        errors += self.contract.request_body_errors(match, request.content_type or "", body)
        if errors:
            raise ApiError("INVALID_REQUEST", "; ".join(errors)[:2000])
        handler = api.HANDLERS.get((match.operation.method, match.operation.template))
        if handler is None:
            raise ApiError("NOT_SUPPORTED_BY_SIMULATOR", f"{match.operation.method} {match.operation.template}")
        with self.store.lock:
            self.store.mailbox(address)
            delivery.sweep(self.store)
            status, out = handler(api.Context(self.store, address, params, body, files, form))
        if isinstance(out, (bytes, bytearray)):
            return Response(bytes(out), status=status, content_type="application/octet-stream")
        if out is None:
            return Response(b"", status=status)
        return _json(out, status)

    def _checked(self, match: Match, response: Response) -> Response:
        data = response.get_data()
        media = (response.mimetype or "").lower()
        body: Any = data
        if media == "application/json":
            body = json.loads(data) if data else None
        errors = self.contract.response_errors(match, response.status_code, media, body if data else None)
        if errors:
            text = f"{match.operation.method} {match.operation.template} → {response.status_code}: {errors}"
            self.violations.append(text)
            log.error("the simulator's answer breaks the contract: %s", text)
            if self.strict:
                return Response(json.dumps({"contract_violation": text}), status=500,
                                content_type="application/json")
        return response

    # ------------------------------------------------------------------ server

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._server is not None:
            raise RuntimeError("simulator already started")
        self._server = make_server(host, port, self, threaded=True, request_handler=_QuietRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="edoreczenia-simulator", daemon=True)
        self._thread.start()
        self.notifier.start()
        self.base_url = f"http://{host}:{self._server.server_port}"
        return self.base_url

    def stop(self) -> None:
        self.notifier.stop()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None
        self.base_url = None

    @property
    def api_url(self) -> str:
        return f"{self._started()}{BASE_PATH}"

    @property
    def token_url(self) -> str:
        return f"{self._started()}{TOKEN_PATH}"

    def _started(self) -> str:
        if self.base_url is None:
            raise RuntimeError("simulator not started")
        return self.base_url


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json",
                    headers=headers or {})

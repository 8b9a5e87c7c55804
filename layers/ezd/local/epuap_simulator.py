"""A local ePUAP: WS-Pull, WS-Skrytka and WS-Doręczyciel over HTTP, speaking the published
SOAP contracts (``dorecz`` in ``epuap_dorecz_desk.py``).

It exists so that the intake can be developed and tested end to end without the real
service (which needs certificates and a registered system). It reproduces the behaviour
the project depends on:
- ``pobierzNastepny`` returns the head of the queue again and again until it is confirmed
  with ``potwierdzOdebranie`` (so duplicate delivery after a crash is a normal event);
- confirmation is by Base64 SHA-1 ``skrot`` of the content;
- in push mode ``nadaj`` hands the document to the receiver synchronously and keeps it for
  pull when the receiver does not accept it, so nothing is lost.
Its pushes are signed with WS-Security (``push_signer``), as real ePUAP's are, so the
receiving endpoint can refuse anything ePUAP did not send. It does not check the
WS-Security signatures of requests made to it; its UPP (in ``nadaj``'s answer, as the
optional ``zalacznik``) and UPD documents are its own unsigned XML.

State is in memory and guarded by one lock; the HTTP server is werkzeug's threaded one.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from ezd.clock import now_utc
from ezd.adapters import epuap_soap as soap
from ezd.adapters.epuap_client import post_soap
from ezd.adapters import epuap_doreczyciel
from ezd.adapters.epuap_soap import EpuapFault, EpuapUnavailable
from ezd.local.epuap_dorecz_desk import DORECZYCIEL_PATH, DoreczDesk
from ezd.models.epuap import STATUS_OK, EpuapStatus, NadajRequest, PulledDocument, PullQuery, SenderProfile

log = logging.getLogger(__name__)


class _QuietRequestHandler(WSGIRequestHandler):
    """No access-log line per SOAP call: the pollers call every minute for every unit."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None

PULL_PATH = "/pk_external_ws/services/pull"
SKRYTKA_PATH = "/pk_external_ws/services/skrytka"
_SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"
_OK = EpuapStatus(kod=STATUS_OK, komunikat="OK")

StartResponse = Callable[..., Any]


@dataclass
class _Waiting:
    document_id: str
    doc: PulledDocument


@dataclass
class _Box:
    podmiot: str
    box_name: str
    box_address: str
    queue: list[_Waiting] = field(default_factory=list)
    confirmed: int = 0
    pushed: int = 0
    push_failures: int = 0
    push_url: str | None = None


def _normalise_address(address: str) -> str:
    # Admin URLs carry the address as a path ("/sim/boxes/sp19lublin/SkrytkaESP"); the
    # ESP address itself always starts with a slash.
    return "/" + address.strip().strip("/")


def _now_ms() -> datetime:
    # Milliseconds: what goes over the wire, so a round trip compares equal.
    now = now_utc()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class EpuapSimulator:
    def __init__(self, *, push_timeout: float = 5.0, clock: Callable[[], datetime] = _now_ms,
                 push_signer: Callable[[bytes], bytes] | None = None) -> None:
        self._lock = threading.Lock()
        self._boxes: dict[str, _Box] = {}
        self._ids = itertools.count(1)
        self._clock = clock
        self.push_timeout = push_timeout
        self.push_signer = push_signer
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url: str | None = None
        self.dorecz = DoreczDesk(clock, lambda: next(self._ids))
        self._url_map = Map(
            [
                Rule(PULL_PATH, methods=["POST"], endpoint="pull"),
                Rule(SKRYTKA_PATH, methods=["POST"], endpoint="skrytka"),
                Rule(DORECZYCIEL_PATH, methods=["POST"], endpoint="doreczyciel"),
                Rule("/sim/dorecz/collect", methods=["POST"], endpoint="sim_dorecz_collect"),
                Rule("/sim/dorecz/orders", methods=["GET"], endpoint="sim_dorecz_orders"),
                Rule("/sim/boxes", methods=["POST"], endpoint="sim_register"),
                Rule("/sim/boxes/<path:address>", methods=["GET"], endpoint="sim_box"),
                Rule("/sim/push", methods=["POST"], endpoint="sim_push"),
            ],
            merge_slashes=False,
            strict_slashes=False,
        )

    # ------------------------------------------------------------------ state / admin

    def register_box(self, podmiot: str, box_name: str, box_address: str) -> None:
        address = _normalise_address(box_address)
        with self._lock:
            if address not in self._boxes:
                self._boxes[address] = _Box(podmiot=podmiot, box_name=box_name, box_address=address)

    def set_push(self, box_address: str, url: str | None) -> None:
        with self._lock:
            self._box(_normalise_address(box_address)).push_url = url

    def box_stats(self, box_address: str) -> dict[str, Any]:
        with self._lock:
            box = self._box(_normalise_address(box_address))
            return {
                "box_address": box.box_address,
                "podmiot": box.podmiot,
                "box_name": box.box_name,
                "waiting": len(box.queue),
                "confirmed": box.confirmed,
                "pushed": box.pushed,
                "push_failures": box.push_failures,
                "push_url": box.push_url,
            }

    def waiting(self, box_address: str) -> list[PulledDocument]:
        with self._lock:
            return [w.doc for w in self._box(_normalise_address(box_address)).queue]

    def _box(self, address: str) -> _Box:
        # Caller holds the lock.
        box = self._boxes.get(address)
        if box is None:
            raise EpuapFault(soap.WYJATEK_UNKNOWN_BOX, f"skrytka {address} nie istnieje")
        return box

    def _owned_box(self, query: PullQuery) -> _Box:
        box = self._box(query.box_address)
        # Real ePUAP only lets the owner of a box read it; the request names both.
        if box.podmiot != query.podmiot or box.box_name != query.box_name:
            raise EpuapFault(
                soap.WYJATEK_BOX_MISMATCH,
                f"podmiot {query.podmiot} / skrytka {query.box_name} nie jest właścicielem {query.box_address}",
            )
        return box

    # ------------------------------------------------------------------ WS-Pull

    def _pull(self, query: PullQuery) -> bytes:
        with self._lock:
            box = self._owned_box(query)
            if query.operation == soap.OP_PENDING:
                return soap.build_pending_response(_OK, len(box.queue))
            if query.operation == soap.OP_FETCH:
                if not box.queue:
                    empty = EpuapStatus(kod=soap.STATUS_QUEUE_EMPTY, komunikat="Brak dokumentów do pobrania")
                    return soap.build_fetch_response(empty, None)
                return soap.build_fetch_response(_OK, box.queue[0].doc)
            # potwierdzOdebranie
            for index, waiting in enumerate(box.queue):
                if waiting.doc.skrot == query.skrot:
                    del box.queue[index]
                    box.confirmed += 1
                    return soap.build_confirm_response(_OK)
            raise EpuapFault(soap.WYJATEK_UNKNOWN_SKROT, f"brak dokumentu o skrócie {query.skrot}")

    # ------------------------------------------------------------------ WS-Skrytka

    def _nadaj(self, req: NadajRequest) -> bytes:
        with self._lock:
            box = self._box(req.box_address)
            n = next(self._ids)
            push_url = box.push_url
        document_id, upp_id = f"SIM-DOC-{n:08d}", f"SIM-UPP-{n:08d}"
        upp = epuap_doreczyciel.build_upp(upp_id=upp_id, document_id=document_id, box_address=box.box_address,
                                          submitted_at=self._clock(), document_sha256=hashlib.sha256(req.content).hexdigest())
        if req.trial:
            # CzyProbne: checked and acknowledged, not delivered.
            return soap.build_skrytka_response(_OK, document_id, upp_id)
        sender = req.sender or SenderProfile(identifier=req.podmiot, type="P", name=req.podmiot, consent=True)
        doc = PulledDocument(
            sender_id=sender.identifier,
            sender_type=sender.type,
            sender_first_name=sender.first_name,
            sender_name=sender.name,
            sender_consent=sender.consent,
            sender_user=sender.user,
            sender_system=sender.system,
            delivered_at=self._clock(),
            box_name=box.box_name,
            box_address=box.box_address,
            reply_address=req.reply_address,
            is_test=False,
            extra_data=req.extra_data,
            filename=req.filename,
            content_type=req.content_type,
            content=req.content,
        )
        # The push happens outside the lock: the receiver may take seconds, or call us back.
        delivered = push_url is not None and self._push(push_url, doc)
        with self._lock:
            if delivered:
                box.pushed += 1
            else:
                if push_url is not None:
                    box.push_failures += 1
                box.queue.append(_Waiting(document_id=document_id, doc=doc))
        return soap.build_skrytka_response(_OK, document_id, upp_id, upp)

    # ------------------------------------------------------------------ WS-Doręczyciel

    def _deliver(self, address: str, doc: PulledDocument) -> None:
        # Caller holds the lock. An order's reply box (for the UPD) is the sender's own:
        # made on first use, owned by the podmiot its path names.
        address = _normalise_address(address)
        if address not in self._boxes:
            parts = address.strip("/").split("/")
            self._boxes[address] = _Box(podmiot=parts[0], box_name=parts[-1], box_address=address)
        n = next(self._ids)
        self._boxes[address].queue.append(_Waiting(document_id=f"SIM-DOC-{n:08d}", doc=doc))

    def _doreczyciel(self, body: bytes) -> bytes:
        req = epuap_doreczyciel.parse_request(body)
        with self._lock:
            self._box(_normalise_address(req.box_address))  # the addressee's box must exist
            order = self.dorecz.order(req.model_copy(update={"box_address": _normalise_address(req.box_address)}),
                                      self._deliver)
        return epuap_doreczyciel.build_response(_OK, order.document_id, order.order_id)

    def collect_at_once(self, box_address: str) -> None:
        """The owner of this box collects every dorecz at once (signs its UPD)."""
        with self._lock:
            self.dorecz.collect_at_once.add(_normalise_address(box_address))

    def collect_dorecz(self, *, order_id: str | None = None, box_address: str | None = None) -> list[str]:
        with self._lock:
            ids = [order_id] if order_id else self.dorecz.waiting_for(_normalise_address(box_address or ""))
            return [self.dorecz.collect(i, self._deliver).upd_id or "" for i in ids if i in self.dorecz.orders]

    def _push(self, url: str, doc: PulledDocument) -> bool:
        """True only when the receiver explicitly accepted (status kod 1)."""
        try:
            _, body = post_soap(url, soap.build_push_request(doc), soap.SOAP_ACTIONS[soap.OP_PUSH],
                                timeout=self.push_timeout, request_signer=self.push_signer)
            response = soap.parse_push_response(body)
        except (EpuapFault, EpuapUnavailable) as exc:
            log.warning("push to %s failed, document stays queued: %s", url, exc)
            return False
        except Exception:  # a broken receiver must never lose the document
            log.exception("push to %s failed unexpectedly, document stays queued", url)
            return False
        if not response.status.ok:
            log.warning("push to %s refused (%s), document stays queued", url, response.status)
        return response.status.ok

    # ------------------------------------------------------------------ HTTP

    def wsgi_app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = soap.MAX_SOAP_BYTES
        adapter = self._url_map.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException as exc:
            return exc(environ, start_response)
        if endpoint in ("pull", "skrytka", "doreczyciel"):
            response = self._soap(request, endpoint)
        else:
            response = self._admin(request, endpoint, args)
        return response(environ, start_response)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return self.wsgi_app(environ, start_response)

    def _soap(self, request: Request, service: str) -> Response:
        try:
            data = request.get_data(cache=False)
            if service == "doreczyciel":
                return Response(self._doreczyciel(data), status=200, content_type=_SOAP_CONTENT_TYPE)
            envelope = soap.parse_envelope(data)
            action = request.headers.get("SOAPAction")
            operation = soap.detect_operation(envelope, action)
            if service == "pull":
                if operation not in soap.PULL_OPERATIONS:
                    raise EpuapFault(soap.WYJATEK_UNKNOWN_OPERATION, f"{operation} nie należy do usługi pull")
                out = self._pull(soap.parse_pull_request(envelope, action))
            else:
                if operation not in soap.SKRYTKA_OPERATIONS:
                    raise EpuapFault(soap.WYJATEK_UNKNOWN_OPERATION, f"{operation} nie należy do usługi skrytka")
                out = self._nadaj(soap.parse_nadaj_request(envelope, action))
            return Response(out, status=200, content_type=_SOAP_CONTENT_TYPE)
        except EpuapFault as fault:
            # SOAP 1.1: faults travel with HTTP 500.
            return Response(soap.build_fault_from(fault), status=500, content_type=_SOAP_CONTENT_TYPE)
        except HTTPException as exc:  # e.g. body over max_content_length
            body = soap.build_fault(soap.WYJATEK_MALFORMED, exc.description or exc.name)
            return Response(body, status=500, content_type=_SOAP_CONTENT_TYPE)
        except Exception:
            log.exception("simulator error")
            body = soap.build_fault(soap.WYJATEK_SERVER, "internal simulator error", faultcode="Server")
            return Response(body, status=500, content_type=_SOAP_CONTENT_TYPE)

    def _admin(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response:
        """Non-contract helpers for tests and operators (JSON)."""
        try:
            if endpoint == "sim_box":
                return _json(self.box_stats(args["address"]))
            if endpoint == "sim_dorecz_orders":
                with self._lock:
                    return _json({"orders": self.dorecz.stats()})
            payload = request.get_json(force=True, silent=True)
            if not isinstance(payload, dict):
                return _json({"error": "JSON object expected"}, 400)
            if endpoint == "sim_dorecz_collect":
                upds = self.collect_dorecz(order_id=payload.get("order_id"), box_address=payload.get("box_address"))
                return _json({"upds": upds})
            if endpoint == "sim_register":
                self.register_box(str(payload["podmiot"]), str(payload["box_name"]), str(payload["box_address"]))
                return _json(self.box_stats(str(payload["box_address"])), 201)
            url = payload.get("url")
            self.set_push(str(payload["box_address"]), str(url) if url else None)
            return _json(self.box_stats(str(payload["box_address"])))
        except EpuapFault as fault:
            return _json({"error": fault.komunikat}, 404)
        except KeyError as missing:
            return _json({"error": f"missing field {missing}"}, 400)

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a daemon thread; returns the base URL (port 0 picks a free port)."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        # Through __call__, so a test may wrap ``wsgi_app`` (e.g. to record traffic).
        self._server = make_server(host, port, self, threaded=True, request_handler=_QuietRequestHandler)
        # A short poll interval keeps stop() fast (tests start and stop it many times).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="epuap-simulator", daemon=True
        )
        self._thread.start()
        self.base_url = f"http://{host}:{self._server.server_port}"
        return self.base_url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None
        self.base_url = None

    @property
    def pull_url(self) -> str:
        return f"{self._require_started()}{PULL_PATH}"

    @property
    def skrytka_url(self) -> str:
        return f"{self._require_started()}{SKRYTKA_PATH}"

    def _require_started(self) -> str:
        if self.base_url is None:
            raise RuntimeError("simulator not started")
        return self.base_url


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ezd.local.epuap_simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument(
        "--box",
        action="append",
        default=[],
        metavar="/PODMIOT/SKRYTKA",
        help="register an inbox; the podmiot and box name are taken from the address",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    sim = EpuapSimulator()
    for address in args.box:
        parts = _normalise_address(address).strip("/").split("/")
        if len(parts) != 2:
            parser.error(f"--box {address!r}: expected /podmiot/skrytka")
        sim.register_box(parts[0], parts[1], address)
    url = sim.start(args.host, args.port)
    print(f"ePUAP simulator at {url}{PULL_PATH} and {url}{SKRYTKA_PATH}", flush=True)
    try:
        assert sim._thread is not None
        sim._thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


if __name__ == "__main__":
    main()

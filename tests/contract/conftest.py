"""Fixtures of the ePUAP contract tests: the simulator, a push receiver, and an XSD checker.

Every SOAP message that crosses HTTP in these tests is recorded and, at teardown, the
``ob:``/``ext:`` elements of its Header and Body are validated against the published
obiektypk.xsd / obiektyExt.xsd (taken from /work/shared at test time only).
"""

from __future__ import annotations

import os

import io
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from lxml import etree
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from ezd.adapters import epuap_soap as soap
from ezd.local.epuap_simulator import EpuapSimulator
from ezd.models.epuap import EpuapStatus

# The repository's copies of the published contracts (standards/README.md): always there in
# a clean clone; the originals beside the checkout, when present, are compared with them.
STANDARDS = Path(os.environ.get("EZD_CONTRACTS_DIR") or Path(__file__).resolve().parent / "standards" / "epuap")
SHARED_STANDARDS = Path(__file__).resolve().parents[3] / "shared" / "standards" / "epuap"
UNIT_PODMIOT = "sp19lublin"
UNIT_BOX_NAME = "SkrytkaESP"
UNIT_BOX = "/sp19lublin/SkrytkaESP"
# Tests that send deliberately broken SOAP mark their requests with this header so the
# recorder does not hold them to the contract (their responses still are).
RAW_HEADER = "X-Contract-Test-Raw"


# ------------------------------------------------------------------ XSD validation


@pytest.fixture(scope="session")
def epuap_schema(tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    """The published XSDs, loaded. Missing ones fail every contract test: a contract test
    that cannot validate must not pass as if it had."""
    ob, ext = STANDARDS / "obiektypk.xsd", STANDARDS / "obiektyExt.xsd"
    missing = [str(p) for p in (ob, ext) if not p.is_file()]
    if missing:
        pytest.fail(f"the published ePUAP schemas are missing ({', '.join(missing)}): contract tests cannot run")
    # One schema covering both namespaces: a no-namespace driver that imports the two.
    driver = tmp_path_factory.mktemp("xsd") / "epuap-all.xsd"
    driver.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="{soap.OB_NS}" schemaLocation="{ob.as_uri()}"/>'
        f'<xs:import namespace="{soap.EXT_NS}" schemaLocation="{ext.as_uri()}"/>'
        "</xs:schema>",
        encoding="utf-8",
    )
    return etree.XMLSchema(etree.parse(str(driver)))


def _contract_parts(envelope: soap.Envelope) -> list[etree._Element]:
    """The elements of a message that the XSD governs."""
    parts: list[etree._Element] = []
    for el in (*envelope.headers, *envelope.body):
        ns = etree.QName(el).namespace
        if ns in (soap.OB_NS, soap.EXT_NS):
            parts.append(el)
        elif ns == soap.SIM_NS:  # simulator-only wrapper: its children are contract types
            parts.extend(c for c in el if isinstance(c.tag, str))
        elif el.tag == f"{{{soap.SOAP_NS}}}Fault":
            detail = el.find("detail")
            parts.extend(c for c in (detail if detail is not None else []) if isinstance(c.tag, str))
    return parts


def _known_deviation(el: etree._Element) -> etree._Element | None:
    """pobierzNastepny on an empty queue: the XSD makes every document field mandatory, so
    it cannot be expressed validly; the simulator sends only ``status``. Validate that
    status as a StatusTyp (via the global ob:StatusSkrytki) instead."""
    children = [c for c in el if isinstance(c.tag, str)]
    if el.tag == f"{{{soap.OB_NS}}}OdpowiedzPullPobierz" and [c.tag for c in children] == ["status"]:
        replacement = etree.Element(f"{{{soap.OB_NS}}}StatusSkrytki", nsmap={"ob": soap.OB_NS})
        replacement.extend(etree.fromstring(etree.tostring(children[0])))
        return replacement
    return None


def contract_errors(schema: etree.XMLSchema, message: bytes, what: str) -> list[str]:
    try:
        envelope = soap.parse_envelope(message)
    except soap.EpuapFault as exc:
        return [f"{what}: not a SOAP envelope ({exc.komunikat})"]
    errors: list[str] = []
    parts = _contract_parts(envelope)
    if not parts:
        errors.append(f"{what}: no ob:/ext: element in the message")
    for el in parts:
        standalone = etree.fromstring(etree.tostring(el))
        replacement = _known_deviation(standalone)
        if replacement is not None:
            standalone = replacement
        if not schema.validate(standalone):
            errors.append(f"{what} {etree.QName(el).localname}: {schema.error_log.filter_from_errors()}")
    return errors


@dataclass
class Exchange:
    path: str
    request: bytes
    raw: bool
    status: int
    response: bytes


@dataclass
class Recorder:
    """WSGI middleware that keeps every request and response body."""

    app: Callable[..., Any]
    # False for the push receiver: one of its modes answers with a deliberate non-SOAP 502.
    responses_must_be_soap: bool = True
    exchanges: list[Exchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        captured: dict[str, Any] = {}

        def _start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        out = b"".join(self.app(environ, _start))
        if not environ.get("PATH_INFO", "").startswith("/sim/"):  # the admin API is JSON
            with self.lock:
                self.exchanges.append(
                    Exchange(
                        path=environ.get("PATH_INFO", ""),
                        request=body,
                        raw=f"HTTP_{RAW_HEADER.upper().replace('-', '_')}" in environ,
                        status=captured.get("status", 0),
                        response=out,
                    )
                )
        return [out]

    def errors(self, schema: etree.XMLSchema) -> list[str]:
        found: list[str] = []
        for ex in self.exchanges:
            if not ex.raw:
                found += contract_errors(schema, ex.request, f"request to {ex.path}")
            if not self.responses_must_be_soap and not ex.response.lstrip().startswith(b"<"):
                continue
            found += contract_errors(schema, ex.response, f"response from {ex.path}")
        return found


def _assert_contract(recorder: Recorder, schema: etree.XMLSchema) -> None:
    errors = recorder.errors(schema)
    assert not errors, "messages violating obiektypk.xsd:\n" + "\n".join(errors)


# ------------------------------------------------------------------ servers


@dataclass
class Simulated:
    sim: EpuapSimulator
    base_url: str
    recorder: Recorder
    # The one inbox registered up front (a school's ESP).
    podmiot: str = UNIT_PODMIOT
    box_name: str = UNIT_BOX_NAME
    box_address: str = UNIT_BOX

    @property
    def pull_url(self) -> str:
        return self.sim.pull_url

    @property
    def skrytka_url(self) -> str:
        return self.sim.skrytka_url


@pytest.fixture
def simulator(epuap_schema: etree.XMLSchema) -> Iterator[Simulated]:
    sim = EpuapSimulator(push_timeout=2)
    sim.register_box(UNIT_PODMIOT, UNIT_BOX_NAME, UNIT_BOX)
    recorder = Recorder(sim.wsgi_app)
    sim.wsgi_app = recorder  # type: ignore[method-assign]  # served through sim.__call__
    base = sim.start("127.0.0.1", 0)
    try:
        yield Simulated(sim=sim, base_url=base, recorder=recorder)
    finally:
        sim.stop()
    _assert_contract(recorder, epuap_schema)


@dataclass
class PushReceiver:
    """A receiving system for push mode. ``mode``: accept | refuse | http_error."""

    mode: str = "accept"
    received: list[bytes] = field(default_factory=list)
    url: str = ""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        body = request.get_data()
        self.received.append(body)
        if self.mode == "http_error":
            return Response("boom", status=502)(environ, start_response)
        doc = soap.parse_push_request(body)
        if self.mode == "accept":
            out = soap.build_push_response(EpuapStatus(kod=1, komunikat="OK"), f"EZD-{doc.skrot[:8]}")
        else:
            out = soap.build_push_response(EpuapStatus(kod=500, komunikat="storage down"), None)
        return Response(out, content_type="text/xml; charset=utf-8")(environ, start_response)


def serve(app: Callable[..., Any]) -> tuple[str, Callable[[], None]]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return f"http://127.0.0.1:{server.server_port}", stop


@pytest.fixture
def serve_app() -> Iterator[Callable[[Callable[..., Any]], str]]:
    """Serve any WSGI app for the test's duration; returns its base URL."""
    stops: list[Callable[[], None]] = []

    def _serve(app: Callable[..., Any]) -> str:
        base, stop = serve(app)
        stops.append(stop)
        return base

    yield _serve
    for stop in stops:
        stop()


@pytest.fixture
def raw_post() -> Callable[[str, bytes, str | None], tuple[int, bytes]]:
    """POST bytes as SOAP without the clients (for hostile/malformed input)."""

    def _post(url: str, body: bytes, action: str | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "text/xml; charset=utf-8", RAW_HEADER: "1"}
        if action is not None:
            headers["SOAPAction"] = f'"{action}"'
        req = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    return _post


@pytest.fixture(scope="session")
def epuap_schema_file() -> Path:
    return STANDARDS / "obiektypk.xsd"


@pytest.fixture
def push_receiver(epuap_schema: etree.XMLSchema) -> Iterator[PushReceiver]:
    receiver = PushReceiver()
    recorder = Recorder(receiver, responses_must_be_soap=False)
    base, stop = serve(recorder)
    receiver.url = f"{base}/ezd/epuap/push"
    try:
        yield receiver
    finally:
        stop()
    _assert_contract(recorder, epuap_schema)


@pytest.fixture
def closed_port_url() -> str:
    """A URL where nothing listens (bind, read the port, close)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/pk_external_ws/services/pull"

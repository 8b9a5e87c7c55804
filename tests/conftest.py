"""Shared fixtures: one embedded local stack per test session (per xdist worker).

Tests that use the stack pick their own unit symbols so that registers do not interfere;
numbering assertions are always about a unit the test alone uses.
"""

from __future__ import annotations

import base64
import os
import shutil
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ezd import clock
# Api lives in testkit, so that a test module can use it without importing a conftest
# (tests/e2e has a conftest of its own, and `from conftest import` finds either).
from testkit import Api, PaperDesk

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    from ezd.local.stack import LocalStack

    # The electronic dispatch waits 1 s, 2 s, 4 s ... for evidences here (60 s first in a stack).
    local = LocalStack(tmp_path_factory.mktemp("ezd-stack"), api_port=0, run_schedules=False,
                       parameters={"DispatchWaitFirstSeconds": "1"})
    local.start()
    yield local
    local.stop()


@pytest.fixture(autouse=True)
def _no_faults_left(request: pytest.FixtureRequest):
    yield
    if "stack" in request.fixturenames:
        request.getfixturevalue("stack").runtime.clear_faults()


@pytest.fixture(scope="session")
def api(stack) -> Api:
    # The installation's own token key, as `ezd token` reads it.
    return Api(stack.info.api_url, Path(stack.info.token_key_file).read_text(encoding="ascii").strip())


def _routing_settled(routing_arn: str) -> bool:
    """The routing execution has ended, or was never started (the intake ended before
    it: a duplicate, a test delivery, a quarantined letter)."""
    from botocore.exceptions import ClientError

    from ezd.adapters import workflows

    try:
        return workflows.describe(routing_arn)["status"] != "RUNNING"
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
            return True
        raise


class Deliverer:
    """Sends letters into units' ePUAP inboxes through the simulator and collects them."""

    def __init__(self, stack) -> None:
        from ezd.adapters.epuap_client import EpuapSkrytkaClient

        self.stack = stack
        self.skrytka = EpuapSkrytkaClient(f"{stack.info.epuap_url}/pk_external_ws/services/skrytka", podmiot="obywatel")

    def send(self, unit: str, raw: bytes, filename: str = "pismo.xml") -> None:
        from ezd.adapters import directory_store
        from ezd.models.epuap import SenderProfile

        box = directory_store.get_unit(unit).esp_address
        sender = SenderProfile(identifier="test", type="F", first_name="Jan", name="Kowalski", consent=True)
        self.skrytka.nadaj(box, raw, filename, sender=sender)

    def poll(self, unit: str) -> Any:
        from ezd.config import settings
        from ezd.services.epuap_polling import poll

        return poll(settings(), unit_symbol=unit)

    def outcomes(self, unit: str, raw: bytes, count: int = 1, timeout: float = 60.0, since: datetime | None = None):
        from ezd.adapters import registry_store
        from ezd.adapters.archive import sha256_hex

        digest = sha256_hex(raw)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = registry_store.outcomes_for_content(unit, digest, since=since)
            if len(found) >= count:
                return sorted(found, key=lambda o: o.processed_at)
            time.sleep(0.1)
        raise AssertionError(f"no outcome for {unit}/{digest[:12]} within {timeout}s (have {len(found)})")

    def wait_finished(self, intake_id: str, timeout: float = 60.0) -> dict:
        """Waits until the intake's (Express) execution has ended and, if it started the
        routing, until that (Standard) execution has ended or waits for a person (its task
        token is stored with the document's routing): receipt and notice are done.
        Answers the intake execution's description."""
        from ezd.adapters import registry_store, routing_store, workflows

        machines = self.stack.provisioned.state_machines
        intake, routing = (f"{machines[m].replace(':stateMachine:', ':execution:')}:{intake_id}"
                           for m in ("IntakeStateMachine", "RoutingStateMachine"))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            description = workflows.describe(intake)
            if description["status"] != "RUNNING":
                if description["status"] != "SUCCEEDED" or _routing_settled(routing):
                    return description
            outcome = registry_store.outcome_of_intake(intake_id)
            if outcome is not None and outcome.document_id and outcome.status == "registered":
                state = routing_store.get_routing(outcome.document_id)
                if state is not None and state.pending_token:
                    return description
            time.sleep(0.1)
        raise AssertionError(f"execution {intake_id} neither ended nor waits for a person after {timeout}s")

    def deliver_as_received(self, unit: str, raw: bytes, delivered_at: datetime, filename: str = "pismo.xml"):
        """A letter that ePUAP received at ``delivered_at`` (its UPP time), collected now:
        what the poller hands to the intake after a box was not collected for a while."""
        from ezd.adapters import directory_store
        from ezd.config import settings
        from ezd.models.epuap import PulledDocument
        from ezd.services.delivery import accept_epuap_document

        box = directory_store.get_unit(unit)
        document = PulledDocument(
            sender_id="jan.kowalski", sender_type="F", sender_first_name="Jan", sender_name="Kowalski",
            delivered_at=delivered_at, box_name=box.box_name, box_address=box.esp_address,
            filename=filename, content_type="text/xml", content=raw,
        )
        request = accept_epuap_document(document, "pull", settings(), unit=box)
        self.wait_finished(request.intake_id)
        from ezd.adapters import registry_store

        return registry_store.outcome_of_intake(request.intake_id)

    def deliver(self, unit: str, raw: bytes, filename: str = "pismo.xml"):
        """Send, collect by WS-Pull, and wait for this delivery's outcome and execution."""
        before = clock.now_utc()
        self.send(unit, raw, filename)
        self.poll(unit)
        # The first outcome since sending is this delivery's registration; a concurrent
        # poll of the same box may collect the unconfirmed letter again (a `duplicate`).
        outcome = self.outcomes(unit, raw, since=before)[0]
        self.wait_finished(outcome.intake_id)
        return outcome


@pytest.fixture(scope="session")
def epuap_sign(stack):
    """Signs a SOAP envelope as the local ePUAP does (WS-Security with its certificate,
    the one the stack's push endpoint trusts)."""
    return stack.simulator.push_signer


@pytest.fixture(scope="session")
def deliverer(stack) -> Deliverer:
    return Deliverer(stack)


_letter_counter = iter(range(1, 10**9))
_letter_lock = threading.Lock()


@pytest.fixture
def unique_letter():
    """A distinct, signed-by-nobody letter each call (different bytes, different digest)."""
    from ezd.samples.letters import make_letter

    def make(title: str | None = None, **kwargs: Any) -> bytes:
        with _letter_lock:
            n = next(_letter_counter)
        return make_letter(title=title or f"Pismo testowe nr {n} z {time.time_ns()}", **kwargs)

    return make


@pytest.fixture(scope="session")
def paper_desk(api) -> PaperDesk:
    return PaperDesk(api)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- the browser tests of the portal (tests/e2e/test_portal*.py) ----------------------
# One chromium per test process, a fresh context per test (tests/portal_kit.py).


@pytest.fixture(scope="session")
def browser():
    from portal_kit import CHROMIUM, CHROMIUM_ARGS, ROOT
    from testkit import real_clock

    if not (ROOT / "portal" / "dist" / "index.html").is_file():
        pytest.fail("the portal is not built: `make portal` (npm ci && npm run build in portal/)")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no {CHROMIUM}: `make system-packages` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # The browser runs on the machine's clock even when the tests run under faketime
        # (libfaketime would also fake the clocks chromium's timers run on).
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                             env=real_clock(dict(os.environ)))
        yield browser
        browser.close()


@pytest.fixture
def page(browser, stack):
    # The browser's own zone is not Poland's: the portal shows Warsaw time all the same.
    context = browser.new_context(locale="pl-PL", timezone_id="America/New_York", reduced_motion="reduce",
                                  viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(stack.info.api_url + "/")
    yield page
    context.close()

"""The embedded stack keeps its data across a restart, and across kill -9.

Each stack here runs in its own process on its own state directory (a real restart is a
new process; and moto's backends are module-level, so a second stack cannot share a
process with the session's). The restart test runs its two halves as this file's own
``__main__`` (``python test_persistence.py before|after <state> <facts.json>``); the kill
test runs ``python -m ezd.local.run`` and the ``ezd`` command line, as a user would.

Units used here and nowhere else: SP56, SP57 (restart; SP57's users too), SP58 (kill).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: testkit, also when run as a script
from testkit import real_clock, wait_for  # noqa: E402

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
NUMBER = re.compile(r"^RPW/(\d+)/(\d{4})$")

pytestmark = [pytest.mark.stack]


def _python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "layers"), str(TESTS), env.get("PYTHONPATH", "")])
    env.pop("EZD_STACK_FILE", None)
    return real_clock(env)


def _run(args: list[str], timeout: float = 180, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=_python_env(), **kwargs)


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join([line for line in text.splitlines() if not line.startswith('{"')][-lines:])


# ============================================================================ restart

def test_a_restart_keeps_registers_documents_and_waiting_workflows(tmp_path: Path) -> None:
    state, facts = tmp_path / "state", tmp_path / "facts.json"
    for phase in ("before", "after"):
        done = _run([sys.executable, __file__, phase, str(state), str(facts)])
        assert done.returncode == 0, f"phase {phase} failed:\n{_tail(done.stdout)}\n{_tail(done.stderr)}"
    result = json.loads(facts.read_text())
    # The headline facts, once more where pytest reports them.
    assert result["after"]["next_number"] == result["before"]["last_number"] + 1
    assert result["after"]["routed"] is True


def _register(api: Any, unit: str, year: int, clerk: str) -> list[dict[str, Any]]:
    response = api.call("GET", f"/units/{unit}/registry?year={year}&limit=100", user=clerk)
    assert response.status == 200, response.body
    return [{k: item[k] for k in ("registry_number", "document_id", "received_at", "channel", "title")}
            for item in response.body["items"]]


def _object(bucket: str, key: str, version: str | None) -> dict[str, Any]:
    from ezd.adapters.aws import client

    s3 = client("s3")
    extra = {"VersionId": version} if version else {}
    head = s3.head_object(Bucket=bucket, Key=key, **extra)
    body = s3.get_object(Bucket=bucket, Key=key, **extra)["Body"].read()
    until = head.get("ObjectLockRetainUntilDate")
    return {"version_id": head.get("VersionId"), "sha256": hashlib.sha256(body).hexdigest(), "size": len(body),
            "content_type": head.get("ContentType"), "metadata": head.get("Metadata"),
            "lock_mode": head.get("ObjectLockMode"), "retain_until": until.isoformat() if until else None}


def _document_facts(document_id: str) -> dict[str, Any]:
    from ezd.adapters import registry_store
    from ezd.services import audit

    document = registry_store.get_document(document_id, consistent=True)
    assert document is not None, document_id
    blobs = [document.original, *document.attachments] + ([document.receipt] if document.receipt else [])
    verification = audit.verify(audit.document_object(document_id))
    return {
        "registry_number": document.entry.registry_number,
        "sha256": document.sha256,
        "objects": {f"{b.bucket}/{b.key}": _object(b.bucket, b.key, getattr(b, "version_id", None)) for b in blobs},
        "metryka_ok": verification.ok,
        "metryka_entries": verification.entries,
    }


def _execution(stack: Any, intake_id: str) -> tuple[str, str]:
    from ezd.adapters import workflows

    machine = stack.provisioned.state_machines["RoutingStateMachine"]
    arn = f"{machine.replace(':stateMachine:', ':execution:')}:{intake_id}"
    return arn, workflows.describe(arn)["status"]


USERS_ADMIN, USERS_PASSWORD = "sp57.admin", "Po-Restarcie-2026"


def _users_before(api: Any) -> dict[str, Any]:
    """SP57's administrator adds two users; one chooses a password, the other is deactivated."""
    made = []
    for name in ("trwaly", "wylaczony"):
        added = api.call("POST", "/units/SP57/users", user=USERS_ADMIN, json_body={
            "login": f"sp57.{name}", "full_name": "Jan Trwały", "position": "nauczyciel", "cell": "KAD",
            "roles": ["case_officer"], "email": "jan@example.org"})
        assert added.status == 201, added.body
        made.append(added.body)
    changed = api.call("POST", "/auth/password", json_body={
        "login": "sp57.trwaly", "password": made[0]["temporary_password"], "new_password": USERS_PASSWORD})
    assert changed.status == 200, changed.body
    assert api.call("POST", "/units/SP57/users/sp57.wylaczony/deactivate", user=USERS_ADMIN).status == 200
    history = api.call("GET", "/units/SP57/user-history", user=USERS_ADMIN).body
    return {"users": api.call("GET", "/units/SP57/users", user=USERS_ADMIN).body, "history": history,
            "disabled_password": made[1]["temporary_password"]}


def _users_after(api: Any, before: dict[str, Any]) -> None:
    assert api.call("GET", "/units/SP57/users", user=USERS_ADMIN).body == before["users"]
    assert api.call("GET", "/units/SP57/user-history", user=USERS_ADMIN).body == before["history"]
    logged_in = api.call("POST", "/auth/login", json_body={"login": "sp57.trwaly", "password": USERS_PASSWORD})
    assert logged_in.status == 200 and logged_in.body["user"]["unit"] == "SP57", logged_in.body
    refused = api.call("POST", "/auth/login", json_body={"login": "sp57.wylaczony",
                                                         "password": before["disabled_password"]})
    assert refused.status == 401, refused.body


def _phase_before(state: Path) -> dict[str, Any]:
    from conftest import Api, Deliverer, PaperDesk

    from ezd.adapters import directory_store, routing_store
    from ezd.local.stack import LocalStack
    from ezd.samples.letters import make_letter, sample_pdf

    stack = LocalStack(state, api_port=0, run_schedules=False)
    stack.start()
    try:
        assert stack.restored is not None and not stack.restored.resumed
        deliverer = Deliverer(stack)
        api = Api(stack.info.api_url, Path(stack.info.token_key_file).read_text(encoding="ascii").strip())
        unit, clerk = "SP56", "sp56.sekretariat"
        stamp = time.time_ns()
        # Classified by the city's rules, decreed by the model: waits for the addressee.
        waiting = deliverer.deliver(unit, make_letter(
            title=f"Skarga na hałas w czasie przerw ({stamp})",
            attachments=[("opis.pdf", sample_pdf(3000, seed=stamp % 1000), "application/pdf")]))
        # No rule places it: waits in the registry desk's queue.
        unclassified = deliverer.deliver(unit, make_letter(title=f"Pismo w sprawie różnej ({stamp})"))
        paper = PaperDesk(api).register(unit, title=f"Wniosek o zaświadczenie ({stamp})")
        assert paper.status == 201 and paper.body["status"] == "registered", paper.body
        # A letter sent to another unit and not yet collected: it waits in ePUAP.
        uncollected = make_letter(title=f"Pismo jeszcze w skrytce ({stamp})")
        deliverer.send("SP57", uncollected)

        numbers = [waiting.registry_number, unclassified.registry_number, paper.body["registry_number"]]
        year = int(NUMBER.match(numbers[0]).group(2))
        routing = routing_store.get_routing(waiting.document_id)
        assert routing is not None and routing.status == "awaiting_acceptance" and routing.pending_token
        documents = [waiting.document_id, unclassified.document_id, paper.body["document_id"]]
        box = directory_store.get_unit("SP57").esp_address
        return {
            "unit": unit, "year": year, "clerk": clerk, "numbers": numbers,
            "last_number": max(int(NUMBER.match(n).group(1)) for n in numbers),
            "register": _register(api, unit, year, clerk),
            "documents": {d: _document_facts(d) for d in documents},
            "waiting": {"document_id": waiting.document_id, "intake_id": waiting.intake_id,
                        "token": routing.pending_token, "execution": _execution(stack, waiting.intake_id)},
            "uncollected": {"box": box, "sha256": hashlib.sha256(uncollected).hexdigest()},
            "users": _users_before(api),
        }
    finally:
        stack.stop()


def _phase_after(state: Path, before: dict[str, Any]) -> dict[str, Any]:
    from conftest import Api, Deliverer

    from ezd.adapters import registry_store, routing_store, workflows
    from ezd.local.stack import LocalStack
    from ezd.samples.letters import make_letter

    stack = LocalStack(state, api_port=0, run_schedules=False)
    stack.start()
    try:
        assert stack.restored is not None and stack.restored.resumed, stack.restored
        api = Api(stack.info.api_url, Path(stack.info.token_key_file).read_text(encoding="ascii").strip())
        unit, year, clerk = before["unit"], before["year"], before["clerk"]
        assert _register(api, unit, year, clerk) == before["register"]
        _users_after(api, before["users"])  # added, changed, deactivated: as they were
        for document_id, facts in before["documents"].items():
            assert _document_facts(document_id) == facts, document_id
            assert facts["metryka_ok"]
        # The letter that waited in ePUAP is still there, byte for byte.
        waiting_in_box = stack.simulator.waiting(before["uncollected"]["box"])
        assert [hashlib.sha256(d.content).hexdigest() for d in waiting_in_box] == [before["uncollected"]["sha256"]]

        # The workflows that waited for people were started again and wait again.
        assert stack.persistence.wait_resumed(90), "the waiting workflows were not continued"
        waiting = before["waiting"]
        arn, status = _execution(stack, waiting["intake_id"])
        assert (arn, status) == (waiting["execution"][0], "RUNNING")
        routing = routing_store.get_routing(waiting["document_id"])
        assert routing.status == "awaiting_acceptance" and routing.pending_token
        assert routing.pending_token != waiting["token"], "the re-run must leave a fresh task token"

        # The next letter gets the next number, never one already given.
        deliverer = Deliverer(stack)
        after = deliverer.deliver(unit, make_letter(title=f"Pismo po restarcie ({time.time_ns()})"))
        next_number = int(NUMBER.match(after.registry_number).group(1))
        assert next_number == before["last_number"] + 1, after.registry_number

        # The addressee accepts; the continued workflow ends where it should.
        decretation = next(d for d in routing_store.decretations(waiting["document_id"]) if d.status == "pending")
        accepting = f"{unit.lower()}.dyrektor" if decretation.target.cell == "DYR" else decretation.target.login
        accepted = api.call("POST", f"/units/{unit}/documents/{waiting['document_id']}/accept", user=accepting)
        assert accepted.status == 200, accepted.body
        description = wait_for(lambda: (d := workflows.describe(arn))["status"] != "RUNNING" and d,
                                "the continued workflow did not end", 60)
        assert description["status"] == "SUCCEEDED", description
        routed = "Routed" in _states_entered(arn)

        # A re-run step wrote nothing twice: one registry notification per document.
        notes = [n.document_id for n in registry_store.list_notifications(unit, "registry", limit=100)]
        assert sorted(notes) == sorted([*before["documents"], after.document_id]), notes
        return {"next_number": next_number, "routed": routed}
    finally:
        stack.stop()


def _states_entered(arn: str) -> list[str]:
    from ezd.adapters.aws import client

    events = client("stepfunctions").get_execution_history(executionArn=arn)["events"]
    return [e.get("stateEnteredEventDetails", {}).get("name") for e in events if "stateEnteredEventDetails" in e]


def _main(argv: list[str]) -> None:
    phase, state, facts_file = argv[1], Path(argv[2]), Path(argv[3])
    facts = json.loads(facts_file.read_text()) if facts_file.exists() else {}
    facts[phase] = _phase_before(state) if phase == "before" else _phase_after(state, facts["before"])
    facts_file.write_text(json.dumps(facts, indent=2, default=str))


# ============================================================================ kill -9

def _start_stack_process(state: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    info_file = state / "stack.json"
    # The previous run's file goes first: the one that appears is this process's (compared
    # by presence, not by time: the test's clock may be faked, the stack's is not).
    info_file.unlink(missing_ok=True)
    launched = time.time_ns()
    log = open(state.parent / f"stack-{launched}.log", "wb")  # noqa: SIM115 - closed by the process end
    process = subprocess.Popen(
        [sys.executable, "-m", "ezd.local.run", "--state-dir", str(state), "--api-port", "0", "--moto-port", "0",
         "--epuap-port", "0", "--portal-port", "0", "--no-schedules"], stdout=log, stderr=subprocess.STDOUT, env=_python_env())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the stack exited: {(state.parent / log.name).read_text()[-3000:]}"
        if info_file.exists():
            try:
                info = json.loads(info_file.read_text())
            except ValueError:
                info = {}
            if info.get("api_url"):
                return process, info
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the stack did not start")


def _ezd(state: Path, *args: str, timeout: float = 120) -> list[dict[str, Any]]:
    done = _run([sys.executable, "-m", "ezd.cli", "--stack", str(state / "stack.json"), *args], timeout=timeout)
    assert done.returncode == 0, f"ezd {' '.join(args)}:\n{_tail(done.stdout)}\n{_tail(done.stderr)}"
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"file"')]


def _dynamodb(info: dict[str, Any]) -> Any:
    import boto3

    # An explicit client: this process's own adapters stay pointed at the session's stack.
    return boto3.client("dynamodb", endpoint_url=info["moto_url"], region_name=info["environment"]["AWS_REGION"],
                        aws_access_key_id="local", aws_secret_access_key="local")


def _register_items(info: dict[str, Any], unit: str, year: int) -> dict[int, dict[str, Any]]:
    items = _dynamodb(info).query(
        TableName=info["environment"]["EZD_TABLE"], KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"RPW#{unit}#{year}"}}, ConsistentRead=True)["Items"]
    return {int(item["SK"]["S"]): json.loads(item["data"]["S"]) for item in items}


def _content_of(info: dict[str, Any], document_id: str) -> str:
    item = _dynamodb(info).get_item(TableName=info["environment"]["EZD_TABLE"], ConsistentRead=True,
                                    Key={"PK": {"S": f"DOC#{document_id}"}, "SK": {"S": "META"}})["Item"]
    return json.loads(item["data"]["S"])["sha256"]


def _nadaj(info: dict[str, Any], unit: str, raw: bytes) -> None:
    """A member of the public sends a letter; once ePUAP answers, it must not be lost."""
    from ezd.adapters.epuap_client import EpuapSkrytkaClient
    from ezd.local.demo_data import demo_units
    from ezd.models.epuap import SenderProfile

    box = next(u.esp_address for u in demo_units() if u.symbol == unit)
    sender = SenderProfile(identifier="test", type="F", first_name="Jan", name="Kowalski", consent=True)
    EpuapSkrytkaClient(f"{info['epuap_url']}/pk_external_ws/services/skrytka", podmiot="obywatel").nadaj(
        box, raw, "pismo.xml", sender=sender)


def test_after_kill_9_every_acknowledged_number_is_kept_and_none_is_given_twice(tmp_path: Path) -> None:
    from ezd.samples.letters import make_letter

    state, unit = tmp_path / "state", "SP58"
    state.mkdir()
    letters = []
    for n in range(7):
        path = tmp_path / f"letter-{n}.xml"
        path.write_bytes(make_letter(title=f"Pismo {n} przed awarią ({time.time_ns()})"))
        letters.append(path)
    digests = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in letters)
    process, info = _start_stack_process(state)
    try:
        acknowledged = _ezd(state, "intake", *map(str, letters[:3]), "--unit", unit)
        assert [a["status"] for a in acknowledged] == ["registered"] * 3, acknowledged
        # Three more letters accepted by ePUAP, being collected and registered when it dies.
        for path in letters[3:6]:
            _nadaj(info, unit, path.read_bytes())
        collecting = subprocess.Popen([sys.executable, "-m", "ezd.cli", "--stack", str(state / "stack.json"), "poll",
                                       "--unit", unit], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      env=_python_env())
        time.sleep(2.5)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    collecting.kill()
    collecting.wait(timeout=30)

    process, info = _start_stack_process(state)
    try:
        # The next delivery's poll also collects whatever the crash left in the ePUAP box.
        last = _ezd(state, "intake", str(letters[6]), "--unit", unit)
        assert last[0]["status"] == "registered", last
        year = int(NUMBER.match(last[0]["registry_number"]).group(2))

        def all_registered() -> dict[int, dict[str, Any]] | None:
            entries = _register_items(info, unit, year)
            return entries if len(entries) >= len(letters) else None

        register = wait_for(all_registered, "every letter registered after the restart", 90)
        assert sorted(register) == list(range(1, 8)), sorted(register)  # no gap, no number twice
        for ack in acknowledged:
            number = int(NUMBER.match(ack["registry_number"]).group(1))
            assert register[number]["document_id"] == ack["document_id"], (ack, register[number])
        # Each letter exactly once: the seven entries are the seven letters.
        assert sorted(_content_of(info, e["document_id"]) for e in register.values()) == digests
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert process.returncode == 0


if __name__ == "__main__":
    sys.path.insert(0, str(TESTS))
    _main(sys.argv)

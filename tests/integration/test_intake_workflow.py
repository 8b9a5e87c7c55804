"""The intake state machine, run by moto from statemachines/intake.asl.json.

Each test uses units of its own so that the numbering it asserts is its alone.
"""

from __future__ import annotations

import concurrent.futures
import hashlib

import pytest
from lxml import etree
from signxml.xades import XAdESVerifier

from ezd.adapters import archive, register_lines, registry_store
from ezd.adapters.aws import client
from ezd.adapters.epuap_client import EpuapPullClient
from ezd.adapters.seal import split_seal_pem
from ezd.config import settings
from ezd.errors import TransientFault
from ezd.samples.letters import hostile_samples, make_signer, sample_pdf, sign_letter, tamper
from ezd.services.delivery import accept_epuap_document
from ezd import clock

# Dates matter here: CI runs this module again under several fixed clocks (Makefile).
pytestmark = pytest.mark.dates


def _register_numbers(unit: str, year: int) -> list[int]:
    page = register_lines.list_register(unit, year, limit=500)
    return sorted(e.number for e in page.items)


def _function(stack, logical_id: str) -> str:
    return stack.provisioned.functions[logical_id]


def test_signed_letter_is_registered_archived_receipted_and_notified(stack, deliverer, unique_letter):
    pdf = sample_pdf(30_000, seed=1)
    raw = sign_letter(unique_letter(attachments=[("arkusz.pdf", pdf, "application/pdf")]), make_signer("Jan Kowalski"))

    outcome = deliverer.deliver("SP1", raw)

    assert outcome.status == "registered"
    assert outcome.registry_number.startswith("RPW/1/")
    assert (outcome.signature, outcome.certificate) == ("valid", "untrusted")  # self-signed
    document = registry_store.get_document(outcome.document_id)
    entry = document.entry
    # The metadata the brief requires for an incoming item.
    assert entry.sender.surname == "Kowalski" and entry.sender.town and entry.sender.country
    assert entry.channel == "epuap" and entry.access and entry.format == "application/xml"
    assert entry.dcmi_type == "Text" and entry.attachments_count == 1
    assert entry.received_at.tzinfo is not None and entry.registered_at >= entry.received_at
    assert not set(entry.document_id) & set(" ()\\/*?:=,;")
    # The original byte for byte, content-addressed, under compliance retention.
    original = document.original
    assert original.key.endswith(hashlib.sha256(raw).hexdigest())
    assert archive.read(original.bucket, original.key) == raw
    retention = archive.retention_of(original.bucket, original.key)
    assert retention["Mode"] == "COMPLIANCE"
    assert retention["RetainUntilDate"] > clock.now_utc()
    # The attachment decoded, stored on its own.
    (attachment,) = document.attachments
    assert archive.read(attachment.bucket, attachment.key) == pdf
    assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()
    # The UPP receipt names the number and the digest and carries a valid seal.
    receipt = registry_store.get_document(outcome.document_id).receipt
    assert receipt is not None
    upp = archive.read(receipt.bucket, receipt.key)
    assert entry.registry_number.encode() in upp and hashlib.sha256(raw).hexdigest().encode() in upp
    seal_secret = client("secretsmanager").get_secret_value(SecretId=stack.info.environment["EZD_SEAL_SECRET_ARN"])
    _, cert_pem = split_seal_pem(seal_secret["SecretString"].encode())
    XAdESVerifier().verify(etree.fromstring(upp), x509_cert=cert_pem.decode())
    notes = registry_store.list_notifications("SP1", "registry")
    assert any(n.document_id == outcome.document_id for n in notes)


def test_trusted_tampered_and_unsigned_letters_are_all_registered_with_their_report(stack, deliverer, unique_letter):
    from ezd.local.keys import ensure_demo_ca

    ca = ensure_demo_ca(stack.state_dir)
    trusted = sign_letter(unique_letter(), make_signer("Anna Trusted", ca))
    tampered = tamper(sign_letter(unique_letter(), make_signer("Anna Trusted", ca)))
    unsigned = unique_letter()
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda raw: deliverer.deliver("SP2", raw), [trusted, tampered, unsigned]))
    reports = [(o.status, o.signature, o.certificate) for o in results]
    assert reports == [
        ("registered", "valid", "trusted"),
        ("registered", "invalid", reports[1][2]),
        ("registered", "absent", "none"),
    ]
    assert _register_numbers("SP2", results[0].registry_number and int(results[0].registry_number.split("/")[2])) == [1, 2, 3]


def test_concurrent_deliveries_get_consecutive_numbers(stack, deliverer, unique_letter):
    letters = [unique_letter() for _ in range(16)]
    before = clock.now_utc()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda raw: deliverer.send("SP3", raw), letters))
    deliverer.poll("SP3")
    outcomes = [deliverer.outcomes("SP3", raw, since=before)[0] for raw in letters]
    numbers = sorted(int(o.registry_number.split("/")[1]) for o in outcomes)
    assert numbers == list(range(1, 17))
    year = int(outcomes[0].registry_number.split("/")[2])
    assert _register_numbers("SP3", year) == list(range(1, 17))


def test_a_lost_race_for_a_number_learns_the_winner_from_the_failed_transaction(stack, deliverer, unique_letter,
                                                                              monkeypatch):
    """A register step that guessed an old counter (an eventual read, or another letter
    committed in between) is told the current one by the cancelled transaction itself:
    it takes the next number without reading the counter again."""
    unit = "SP16"
    first, second = deliverer.deliver(unit, unique_letter()), deliverer.deliver(unit, unique_letter())
    year = int(first.registry_number.split("/")[2])
    reads: list[bool] = []

    def stale_counter(unit_: str, year_: int, consistent: bool = False) -> int:
        reads.append(consistent)
        return 0  # as if the two letters above were not visible yet

    monkeypatch.setattr(registry_store, "current_counter", stale_counter)
    third = deliverer.deliver(unit, unique_letter())
    assert (first.registry_number, second.registry_number) == (f"RPW/1/{year}", f"RPW/2/{year}")
    assert third.status == "registered" and third.registry_number == f"RPW/3/{year}"
    assert reads == [False]  # one eventual read, none after the conflict
    assert _register_numbers(unit, year) == [1, 2, 3]


def test_second_pull_before_confirmation_is_a_duplicate_with_the_first_number(stack, deliverer, unique_letter):
    from ezd.adapters import directory_store

    raw = unique_letter()
    before = clock.now_utc()
    deliverer.send("SP4", raw)
    unit = directory_store.get_unit("SP4")
    pull = EpuapPullClient(f"{settings().epuap_endpoint}/pull", unit.podmiot, unit.box_name, unit.esp_address)
    # The poller stored and started the letter but died before potwierdzOdebranie...
    first = pull.fetch_next()
    accept_epuap_document(first, "pull", settings())
    # ...so ePUAP offers the same letter again on the next run, which confirms it.
    report = deliverer.poll("SP4")
    assert report.units[0].collected == 1
    assert pull.pending_count() == 0
    outcomes = deliverer.outcomes("SP4", raw, count=2, since=before)
    assert sorted(o.status for o in outcomes) == ["duplicate", "registered"]
    assert outcomes[0].registry_number == outcomes[1].registry_number
    assert outcomes[0].document_id == outcomes[1].document_id
    year = int(outcomes[0].registry_number.split("/")[2])
    assert _register_numbers("SP4", year) == [1]


def test_letter_stays_in_epuap_until_stored(stack, deliverer, unique_letter, monkeypatch):
    """potwierdzOdebranie only after the durable store: a failed store leaves it waiting."""
    from ezd.services import delivery

    raw = unique_letter()
    deliverer.send("SP5", raw)

    def broken_store(*args, **kwargs):
        raise TransientFault("staging bucket unavailable")

    monkeypatch.setattr(delivery.archive, "put_staged", broken_store)
    report = deliverer.poll("SP5")
    assert report.units[0].collected == 0 and "staging bucket unavailable" in report.units[0].error
    assert deliverer.stack.simulator.box_stats("/sp5lublin/SkrytkaESP")["waiting"] == 1
    monkeypatch.undo()
    before = clock.now_utc()
    deliverer.poll("SP5")
    assert deliverer.outcomes("SP5", raw, since=before)[0].status == "registered"
    assert deliverer.stack.simulator.box_stats("/sp5lublin/SkrytkaESP")["waiting"] == 0


def test_transient_fault_is_retried_by_the_state_machine(stack, deliverer, unique_letter):
    stack.runtime.inject_fault(_function(stack, "AcceptDeliveryFunction"), TransientFault, times=2)
    outcome = deliverer.deliver("SP6", unique_letter())
    assert outcome.status == "registered" and outcome.registry_number.startswith("RPW/1/")


def _register_step_answer(stack, intake_id: str) -> dict:
    """What the workflow's Register step answered last (after its retries)."""
    import json

    machine = stack.provisioned.state_machines["IntakeStateMachine"]
    arn = f"{machine.replace(':stateMachine:', ':execution:')}:{intake_id}"
    events = client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)["events"]
    exits = [e["stateExitedEventDetails"] for e in events
             if e["type"] == "TaskStateExited" and e["stateExitedEventDetails"]["name"] == "Register"]
    return json.loads(exits[-1]["output"])["registration"]


def test_register_step_retried_after_its_commit_does_not_skip_or_duplicate(stack, deliverer, unique_letter):
    # The register Lambda commits, then its answer is lost; Step Functions retries it. The
    # retry answers "registered" as the first attempt would have, so the letter gets its
    # receipt and its routing (a "duplicate" would end the workflow without either).
    from ezd.adapters import routing_store

    stack.runtime.inject_fault(_function(stack, "RegisterFunction"), TransientFault, times=1, after=True)
    first = deliverer.deliver("SP7", unique_letter())
    second = deliverer.deliver("SP7", unique_letter())
    assert (first.status, second.status) == ("registered", "registered")
    assert _register_step_answer(stack, first.intake_id)["status"] == "registered"
    assert registry_store.get_document(first.document_id).receipt is not None
    assert routing_store.get_routing(first.document_id) is not None
    assert [first.registry_number.split("/")[1], second.registry_number.split("/")[1]] == ["1", "2"]
    year = int(first.registry_number.split("/")[2])
    assert _register_numbers("SP7", year) == [1, 2]


def test_an_epuap_test_delivery_never_takes_a_number_of_the_real_register(stack, deliverer, unique_letter):
    """czyTestowe: ePUAP's test deliveries are checked (and answered to ePUAP) but never
    registered, archived or given a UPP."""
    from ezd.adapters import directory_store
    from ezd.models.epuap import PulledDocument

    unit = "SP22"
    year = clock.today().year
    before = registry_store.current_counter(unit, year)
    raw = unique_letter(title="Próbne doręczenie ePUAP")
    box = directory_store.get_unit(unit)
    document = PulledDocument(sender_id="epuap", sender_type="P", delivered_at=clock.now_utc(), box_name=box.box_name,
                              box_address=box.esp_address, filename="test.xml", content=raw, is_test=True)
    request = accept_epuap_document(document, "pull", settings(), unit=box)
    description = deliverer.wait_finished(request.intake_id)
    assert description["status"] == "SUCCEEDED"
    outcome = registry_store.outcome_of_intake(request.intake_id)
    assert outcome.status == "test" and outcome.registry_number is None and outcome.document_id is None
    assert registry_store.current_counter(unit, year) == before
    assert registry_store.find_first_registration(unit, hashlib.sha256(raw).hexdigest()) is None
    # The same letter delivered for real afterwards is registered normally.
    real = deliverer.deliver(unit, raw)
    assert real.status == "registered" and real.registry_number == f"RPW/{before + 1}/{year}"


def test_exhausted_retries_keep_the_original_and_register_nothing(stack, deliverer, unique_letter):
    stack.runtime.inject_fault(_function(stack, "AcceptDeliveryFunction"), RuntimeError, times=1)
    raw = unique_letter()
    outcome = deliverer.deliver("SP8", raw)
    assert outcome.status == "failed" and outcome.error_code == "INTAKE_FAILED"
    assert "RuntimeError" in outcome.error_message
    (record,) = [r for r in registry_store.list_quarantine("SP8") if r.intake_id == outcome.intake_id]
    assert archive.read(record.bucket, record.key) == raw
    assert registry_store.current_counter("SP8", clock.today().year) == 0


def _push_empty_document(api, deliverer, unit: str):
    """ePUAP's nadaj refuses an empty document, but a push delivery can carry one."""
    from ezd.adapters import directory_store
    from ezd.adapters.epuap_soap import build_push_request, parse_push_response
    from ezd.models.epuap import PulledDocument

    box = directory_store.get_unit(unit)
    document = PulledDocument(sender_id="jan.kowalski", sender_type="F", delivered_at=clock.now_utc(),
                              box_name=box.box_name, box_address=box.esp_address, filename="pusty.xml", content=b"")
    signed = deliverer.stack.simulator.push_signer(build_push_request(document))
    response = api.call("POST", f"/epuap/push/{unit}", raw=signed, content_type="text/xml")
    assert response.status == 200, response.raw
    intake_id = parse_push_response(response.raw).document_id
    return deliverer.outcomes(unit, b"")[-1] if intake_id else None


@pytest.mark.parametrize("case", sorted(hostile_samples()))
def test_hostile_input_is_quarantined_with_its_code(stack, api, deliverer, case):
    raw, expected_code = hostile_samples()[case]
    unit = "SP9"
    year = clock.today().year
    counter_before = registry_store.current_counter(unit, year)
    name = "pismo.xml" if case != "not_xml_pdf" else "pismo.pdf"
    outcome = deliverer.deliver(unit, raw, name) if raw else _push_empty_document(api, deliverer, unit)
    assert (outcome.status, outcome.error_code) == ("rejected", expected_code)
    assert outcome.registry_number is None
    (record,) = [r for r in registry_store.list_quarantine(unit) if r.intake_id == outcome.intake_id]
    assert record.error_code == expected_code and record.reason
    assert archive.read(record.bucket, record.key) == raw  # kept byte for byte
    assert archive.retention_of(record.bucket, record.key)["Mode"] == "COMPLIANCE"
    assert registry_store.current_counter(unit, year) == counter_before  # nothing half-registered


def test_oversize_document_is_rejected_under_a_configured_limit(stack, deliverer, unique_letter, monkeypatch):
    monkeypatch.setenv("EZD_MAX_DOCUMENT_BYTES", "20000")
    raw = unique_letter(attachments=[("duzy.pdf", sample_pdf(40_000, seed=3), "application/pdf")])
    outcome = deliverer.deliver("SP10", raw)
    assert (outcome.status, outcome.error_code) == ("rejected", "DOCUMENT_TOO_LARGE")


def test_archive_refuses_to_overwrite_and_offers_no_delete(stack):
    s = settings()
    key, digest = archive.put_locked_once(s.archive_bucket, b"first", retention_days=1)
    # Same bytes again: idempotent.
    assert archive.put_locked_once(s.archive_bucket, b"first", retention_days=1) == (key, digest)
    # moto's bulk delete can remove locked objects; the project must never try.
    assert not [name for name in dir(archive) if "delete" in name.lower() or "remove" in name.lower()]
    lock = client("s3").get_object_lock_configuration(Bucket=s.archive_bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    assert lock["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    quarantine_lock = client("s3").get_object_lock_configuration(Bucket=s.quarantine_bucket)
    assert quarantine_lock["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"


def test_a_deployed_stage_never_issues_an_unsealed_receipt(stack, monkeypatch):
    """Outside the local stage the seal is required: without one, the receipt step fails
    (the workflow's Catch leaves the letter registered, without a UPP) instead of
    issuing a receipt that proves nothing."""
    import json
    from pathlib import Path

    from ezd.models.intake import IntakeRequest, RegistrationResult
    from ezd.services.receipt import SealMissing, issue_receipt

    sample = json.loads((Path(__file__).resolve().parents[2] / "events" / "intake_receipt.json").read_text())
    monkeypatch.delenv("EZD_SEAL_SECRET_ARN", raising=False)
    prod = settings().model_copy(update={"stage": "prod"})
    with pytest.raises(SealMissing):
        issue_receipt(IntakeRequest.model_validate(sample["intake"]),
                      RegistrationResult.model_validate(sample["registration"]), prod, sample["letter"]["sha1_b64"])

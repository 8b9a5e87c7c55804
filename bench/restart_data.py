"""Synthetic but realistic registered letters for bench/restart.py.

Real letters are delivered first, one per unit, through the ePUAP simulator and the
real intake workflow; each leaves exactly what a registered letter leaves: the register
line, the document, the dedupe marker, the intake outcome, routing and its decretation,
audit entries and the chain's head, the registry desk's notification, the inbox item,
and four object versions (the staged delivery, the archived original, the attachment,
the UPP receipt). Those are the templates. Each synthetic letter copies its unit's
template with new identifiers (intake and document id, decretation id), a new registry
number, and new bytes (a different title in the letter, a different attachment and
receipt, so every object has its own SHA-256 and its own blob), and is written straight
into moto's backends under the server's lock and journaled by the stack's own commit —
the same records and files a real registration produces, without running the workflow
100,000 times.

A number of them also get an unfinished execution (what a letter waiting for its
addressee leaves), so the restart continues them as it would continue real ones.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

ACCOUNT, REGION = "123456789012", "eu-central-1"


@dataclass
class Template:
    unit: str
    document_id: str
    intake_id: str
    number: int
    year: int
    items: list[dict[str, Any]]  # AttributeValue images
    objects: dict[str, tuple[str, str, bytes, dict[str, Any]]]  # role -> (bucket, key, bytes, attributes)
    execution_input: str
    title: str
    decretation_id: str


def deliver_template(stack: Any, unit: str, title: str) -> Template:
    """One real letter through the simulator and the workflow, until it waits for its addressee."""
    from ezd.adapters import directory_store, registry_store, routing_store, workflows
    from ezd.adapters.archive import sha256_hex
    from ezd.adapters.epuap_client import EpuapSkrytkaClient
    from ezd.config import settings
    from ezd.models.epuap import SenderProfile
    from ezd.samples.letters import make_letter, sample_pdf
    from ezd.services.epuap_polling import poll

    raw = make_letter(title=title, attachments=[("zalacznik.pdf", sample_pdf(20 * 1024, seed=hash(unit) % 1000),
                                                 "application/pdf")])
    box = directory_store.get_unit(unit).esp_address
    EpuapSkrytkaClient(f"{stack.info.epuap_url}/pk_external_ws/services/skrytka", podmiot="obywatel").nadaj(
        box, raw, "pismo.xml", sender=SenderProfile(identifier="bench", type="F", first_name="Jan", name="Kowalski",
                                                    consent=True))
    poll(settings(), unit_symbol=unit)
    deadline = time.monotonic() + 120
    while True:
        outcomes = registry_store.outcomes_for_content(unit, sha256_hex(raw))
        routing = routing_store.get_routing(outcomes[0].document_id) if outcomes and outcomes[0].document_id else None
        if routing is not None and routing.pending_token:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the template letter of {unit} did not reach its addressee")
        time.sleep(0.2)
    outcome = outcomes[0]
    machine = stack.provisioned.state_machines["IntakeStateMachine"]
    execution = workflows.describe(f"{machine.replace(':stateMachine:', ':execution:')}:{outcome.intake_id}")
    return _capture(stack, unit, outcome.document_id, outcome.intake_id, execution["input"], title,
                    routing.current_decretation)


def _capture(stack: Any, unit: str, document_id: str, intake_id: str, execution_input: str, title: str,
             decretation_id: str) -> Template:
    from moto.dynamodb.models import dynamodb_backends
    from moto.s3.models import s3_backends

    from ezd.local.persistence.dynamodb_state import _plain

    table = dynamodb_backends[ACCOUNT][REGION].tables[stack.info.environment["EZD_TABLE"]]
    document = json.loads(table.items[_key("DOC#" + document_id)][_key("META")].attrs["data"].value)
    entry, sha = document["entry"], document["sha256"]
    items = []
    with stack.moto.lock:
        for partition_key, partition in table.items.items():
            pk = partition_key.value
            for item in partition.values():
                data = item.attrs.get("data")
                text = data.value if data is not None else ""
                if (document_id in pk or sha in pk or document_id in text) and not pk.startswith("COUNTER#"):
                    items.append({name: _plain(value) for name, value in item.attrs.items()})
        s3 = s3_backends[ACCOUNT]["aws"]
        objects = {}
        staged = json.loads(execution_input)["intake"]["staged"]
        roles = {"staged": (staged["bucket"], staged["key"]), "original": _blob(document["original"]),
                 "attachment": _blob(document["attachments"][0]), "receipt": _blob(document["receipt"])}
        for role, (bucket, key) in roles.items():
            version = s3.buckets[bucket].keys[key]
            objects[role] = (bucket, key, version.value, {
                "metadata": dict(version.metadata), "content_type": version.metadata.get("content-type"),
                "lock_mode": version.lock_mode, "lock_until": version.lock_until,
                "checksum": version.checksum_algorithm})
    return Template(unit=unit, document_id=document_id, intake_id=intake_id, number=entry["number"],
                    year=entry["year"], items=items, objects=objects, execution_input=execution_input,
                    title=title, decretation_id=decretation_id)


def _key(value: str) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType({"S": value})


def _blob(stored: dict[str, Any]) -> tuple[str, str]:
    return stored["bucket"], stored["key"]


def _renumber(value: Any, number: int) -> Any:
    if isinstance(value, dict):
        if "registry_number" in value and "number" in value:
            value["number"] = number
        for child in value.values():
            _renumber(child, number)
    elif isinstance(value, list):
        for child in value:
            _renumber(child, number)
    return value


class Cloner:
    """Writes synthetic letters copied from templates into moto, journaled by the stack."""

    def __init__(self, stack: Any) -> None:
        from moto.dynamodb.models import dynamodb_backends
        from moto.s3.models import s3_backends

        self.stack = stack
        self.table = dynamodb_backends[ACCOUNT][REGION].tables[stack.info.environment["EZD_TABLE"]]
        self.s3 = s3_backends[ACCOUNT]["aws"]
        self.bytes_written = 0

    def _object(self, template: Template, role: str, body: bytes, key: str, replace: list[tuple[str, str]]) -> Any:
        bucket, _, _, attributes = template.objects[role]
        version = self.s3.put_object(bucket, key, body, lock_mode=attributes["lock_mode"],
                                     lock_until=attributes["lock_until"], disable_notification=True)
        metadata = {name: _replaced(value, replace) for name, value in attributes["metadata"].items()}
        version.set_metadata(metadata)
        if attributes["checksum"]:
            version.checksum_algorithm = attributes["checksum"]
            version.checksum_value = base64.b64encode(hashlib.sha256(body).digest()).decode()
        self.bytes_written += len(body)
        return version

    def letter(self, template: Template, number: int) -> tuple[str, str | None]:
        """One synthetic registered letter (caller holds the server's lock). Returns the
        execution input it would have had."""
        intake_id = uuid.uuid4().hex
        document_id = f"{template.unit}-{intake_id}"
        title = f"{template.title} nr {number}"
        original = template.objects["original"][2].replace(template.title.encode(), title.encode(), 1)
        attachment = template.objects["attachment"][2][:-40] + secrets.token_hex(20).encode()
        receipt = template.objects["receipt"][2].replace(template.document_id.encode(), document_id.encode())
        shas = {role: hashlib.sha256(body).hexdigest()
                for role, body in (("original", original), ("attachment", attachment), ("receipt", receipt))}
        old = {role: hashlib.sha256(template.objects[role][2]).hexdigest() for role in shas}
        registry = f"RPW/{template.number}/{template.year}"
        replace = [(f"{old[r][:2]}/{old[r]}", f"{shas[r][:2]}/{shas[r]}") for r in shas]
        replace += [(old[r], shas[r]) for r in shas]
        replace += [(template.intake_id, intake_id), (template.decretation_id, uuid.uuid4().hex),
                    (f'"{registry}"', f'"RPW/{number}/{template.year}"'), (f" {registry} ", f" RPW/{number}/{template.year} "),
                    (json.dumps(template.title)[1:-1], json.dumps(title)[1:-1])]
        staged = self._object(template, "staged", original, f"incoming/{template.unit}/{shas['original']}", replace)
        for role, body in (("original", original), ("attachment", attachment), ("receipt", receipt)):
            self._object(template, role, body, f"sha256/{shas[role][:2]}/{shas[role]}", replace)
        for image in template.items:
            self.table.put_item(self._item(image, replace, number))
        intake = json.loads(_replaced(template.execution_input, replace))
        intake["intake"]["staged"]["version_id"] = staged.version_id
        return document_id, json.dumps(intake)

    @staticmethod
    def _item(image: dict[str, Any], replace: list[tuple[str, str]], number: int) -> dict[str, Any]:
        item = {}
        for name, value in image.items():
            ((kind, raw),) = value.items()
            if kind == "S":
                raw = _replaced(raw, replace)
                if name == "data" and '"registry_number"' in raw:
                    raw = json.dumps(_renumber(json.loads(raw), number))
            item[name] = {kind: raw}
        if item["PK"]["S"].startswith("RPW#"):  # the register line is keyed by its number
            padded = f"{number:09d}"
            item["SK"] = {"S": padded}
            item["GSI1SK"] = {"S": padded}
            item["GSI2SK"] = {"S": item["GSI2SK"]["S"].rsplit("#", 1)[0] + "#" + padded}
        return item

    def counter(self, unit: str, year: int, value: int) -> None:
        self.table.put_item({"PK": {"S": f"COUNTER#{unit}#RPW#{year}"}, "SK": {"S": "COUNTER"},
                             "kind": {"S": "counter"}, "value": {"N": str(value)}})


def _replaced(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text

"""The electronic channels of an outgoing item: what is handed to each, and what comes back.

Each function takes the register line and the signed files (name, media type, bytes) and
talks to its channel through the adapters only:

- e-Doręczenia (User Agent API): one message to the addressee's e-delivery address with the
  signed document and, for a non-XML document, its detached ``.xades`` as a second
  attachment beside it; the message carries our reference (``<unit>/<RPWy number>``) so a
  lost answer is resolved by looking it up, never by sending again. Its evidences are the
  evidences API's (A.1, BP.WX dowód wysłania, D.1, E.1, BP.OX dowód otrzymania, A.2).
- ePUAP WS-Skrytka ``nadaj`` to a public body's box: one ``Dokument`` per call, so a
  document with a detached signature travels as one ZIP of both (the usual form of a
  signed file with its signature in ePUAP); the UPP comes back in the answer.
- ePUAP WS-Doręczyciel ``dorecz`` to a person's box: the signed XML itself (enveloped
  XAdES); the UPD comes when the addressee collects it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from ezd.adapters import edoreczenia_mailbox, epuap_doreczyciel
from ezd.adapters.epuap_client import EpuapPullClient, EpuapSkrytkaClient
from ezd.clock import now_utc
from ezd.config import Settings
from ezd.models.directory import Unit
from ezd.models.edoreczenia import OutgoingAttachment, OutgoingMessage
from ezd.models.outgoing_register import OutgoingItem

# e-Doręczenia evidence types and their Polish names (the register shows them).
EVIDENCE_NAMES = {
    "A.1": "potwierdzenie przyjęcia do wysyłki", "A.2": "odrzucenie przesyłki",
    "BP.WX": "dowód wysłania", "BP.WP": "dowód wysłania",
    "D.1": "potwierdzenie udostępnienia", "E.1": "potwierdzenie odbioru",
    "BP.OX": "dowód otrzymania", "BP.OP": "dowód otrzymania",
    "UPP": "urzędowe poświadczenie przedłożenia", "UPD": "urzędowe poświadczenie doręczenia",
}
RECEIPTS = ("BP.OX", "BP.OP")  # dowód otrzymania: the legal moment of delivery
REJECTION = "A.2"
UPD_BOX_NAME = "UPD"
MAX_UPDS_PER_CHECK = 50


@dataclass
class SignedFileBytes:
    name: str
    mime: str
    content: bytes


@dataclass
class Fetched:
    """An evidence as its channel gave it, not archived yet."""

    code: str
    evidence_id: str
    at: datetime
    content: bytes
    filename: str
    reason: str | None = None


@dataclass
class SendOutcome:
    channel_ids: dict[str, str]
    evidences: list[Fetched] = field(default_factory=list)
    refused: str | None = None  # the channel refused the item: why


def reference(item: OutgoingItem) -> str:
    return f"{item.unit}/{item.registry_number}"


def _edoreczenia_client(sender: Unit, settings: Settings):
    if not sender.ade:
        raise edoreczenia_mailbox.EdoreczeniaNotConfigured(f"unit {sender.symbol} has no e-delivery address")
    return edoreczenia_mailbox.client_for(sender.ade, settings)


def _filename(name: str) -> str:
    # The service refuses spaces and a few characters in file names (models.edoreczenia).
    return "".join("_" if ch.isspace() or ch in '~"#%&*:<>?!/\\{|}' else ch for ch in name)[-128:]


def edoreczenia_send(item: OutgoingItem, sender: Unit, files: list[SignedFileBytes], settings: Settings,
                     *, look_up_first: bool) -> SendOutcome:
    if look_up_first:  # a retried step: did the last attempt get through?
        found = edoreczenia_find(item, sender, settings)
        if found is not None:
            return found
    client = _edoreczenia_client(sender, settings)
    ade = item.addressee_ade or item.addressee_address
    message = OutgoingMessage(
        recipients=[ade], subject=item.title, reference=reference(item), case_id=item.case_ref,
        text_body=f"Pismo {item.registry_number} w sprawie {item.case_ref}.",
        attachments=[OutgoingAttachment(filename=_filename(f.name), content=f.content, content_type=f.mime)
                     for f in files])
    receipt = client.send(message)
    message_id = receipt.message_ids.get(ade)
    if not message_id:
        return SendOutcome(channel_ids={}, refused="e-Doręczenia did not accept the message: "
                                                   f"{receipt.statuses.get(ade) or 'no message id'}")
    return _edoreczenia_outcome(item, sender, message_id, settings)


def _edoreczenia_outcome(item: OutgoingItem, sender: Unit, message_id: str, settings: Settings) -> SendOutcome:
    outcome = SendOutcome(channel_ids={"edoreczenia_message_id": message_id})
    outcome.evidences = edoreczenia_evidences(item, sender, message_id, settings)
    rejected = [e for e in outcome.evidences if e.code == REJECTION]
    if rejected:
        outcome.refused = rejected[0].reason or "e-Doręczenia rejected the message (A.2)"
    return outcome


def edoreczenia_find(item: OutgoingItem, sender: Unit, settings: Settings) -> SendOutcome | None:
    """The message a send with an unknown outcome left, found by our reference; None: not (yet)."""
    client = _edoreczenia_client(sender, settings)
    ade = item.addressee_ade or item.addressee_address
    found = [m for m in client.find_sent(reference(item), subject=item.title) if ade in m.recipients]
    return _edoreczenia_outcome(item, sender, found[0].message_id, settings) if found else None


def edoreczenia_evidences(item: OutgoingItem, sender: Unit, message_id: str, settings: Settings,
                          known: set[str] | None = None) -> list[Fetched]:
    client = _edoreczenia_client(sender, settings)
    fetched = []
    for info in client.evidences(message_id):
        if known and info.evidence_id in known:
            continue
        document = client.evidence_document(info)
        at = info.event_date or info.created or now_utc()
        fetched.append(Fetched(code=info.type, evidence_id=info.evidence_id, at=at, content=document.content,
                               filename=f"{info.type}-{info.evidence_id}.xml",
                               reason="; ".join(info.reason) or None))
    return fetched


def _one_document(files: list[SignedFileBytes], item: OutgoingItem) -> tuple[str, str, bytes]:
    if len(files) == 1:
        return files[0].name, files[0].mime, files[0].content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            info = zipfile.ZipInfo(f.name, date_time=(1980, 1, 1, 0, 0, 0))  # the same bytes on every retry
            archive.writestr(info, f.content)
    return f"{item.registry_number.replace('/', '-')}.zip", "application/zip", buffer.getvalue()


def epuap_nadaj(item: OutgoingItem, sender: Unit, files: list[SignedFileBytes], settings: Settings) -> SendOutcome:
    client = EpuapSkrytkaClient(f"{settings.epuap_endpoint.rstrip('/')}/skrytka", sender.podmiot)
    name, mime, content = _one_document(files, item)
    result = client.nadaj(item.addressee_address, content, name, reply_address=sender.esp_address, content_type=mime)
    outcome = SendOutcome(channel_ids={"epuap_document_id": result.document_id,
                                       **({"epuap_upp_id": result.upp_id} if result.upp_id else {})})
    if result.upp is not None:
        upp = epuap_doreczyciel.parse_upp(result.upp)
        outcome.evidences.append(Fetched(code="UPP", evidence_id=result.upp_id or result.document_id,
                                         at=upp.submitted_at if upp else now_utc(), content=result.upp,
                                         filename=f"UPP-{result.upp_id or result.document_id}.xml"))
    return outcome


def upd_box(sender: Unit) -> str:
    """The unit's box ePUAP delivers the UPDs of its dorecz orders to (AdresOdpowiedzi):
    pulled by the dispatch only, never by the intake's poll of the unit's main box."""
    return f"/{sender.podmiot}/{UPD_BOX_NAME}"


def epuap_dorecz(item: OutgoingItem, sender: Unit, files: list[SignedFileBytes], settings: Settings) -> SendOutcome:
    client = epuap_doreczyciel.DoreczycielClient(f"{settings.epuap_endpoint.rstrip('/')}/doreczyciel", sender.podmiot)
    signed = files[0]
    order = client.dorecz(item.addressee_address, signed.content, signed.name, reply_address=upd_box(sender),
                          document_id=reference(item), case_id=item.case_ref, content_type=signed.mime)
    return SendOutcome(channel_ids={"epuap_document_id": order.document_id, "epuap_order_id": order.order_id})


def collect_upds(sender: Unit, settings: Settings, take: Callable[[epuap_doreczyciel.Upd], None]) -> int:
    """Every UPD waiting in the unit's UPD box, each handed to ``take`` (which records it on
    its item, idempotently) and only then confirmed; anything else there is confirmed and
    logged, so it cannot block the box."""
    client = EpuapPullClient(f"{settings.epuap_endpoint.rstrip('/')}/pull", sender.podmiot, UPD_BOX_NAME,
                             upd_box(sender))
    taken = 0
    for _ in range(MAX_UPDS_PER_CHECK):
        document = client.fetch_next()
        if document is None:
            break
        upd = epuap_doreczyciel.parse_upd(document.content)
        if upd is not None:
            take(upd)
            taken += 1
        client.confirm(document.skrot)
    return taken

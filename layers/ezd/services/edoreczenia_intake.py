"""Collecting a message received at a unit's e-delivery address into the intake.

One path for both ways a message is learnt of — the subscription callback (through the
collect workflow) and the scheduled poll:
1. a message already marked collected is not asked for again (``edoreczenia_store``);
2. it is read in full (``fullExtended``: reading in full is what collects a message in
   the User Agent API), attachments too large to come inline are downloaded;
3. its evidences are listed and their files fetched; the evidence of receipt (the dowód
   otrzymania BP.OX, else E.1) gives the date of receipt. Without one yet, nothing is
   staged: ``EvidenceNotYet`` (a transient fault) and the next attempt asks again;
4. the envelope (services/edoreczenia_envelope.py) is staged and the intake started
   (services/delivery.py), and only then is the message marked collected.
A crash between 4's start and its marker collects the message again next time: the same
envelope bytes, which the register answers as a duplicate with the first number.
"""

from __future__ import annotations

from pydantic import BaseModel

from ezd.adapters import directory_store, edoreczenia_store
from ezd.adapters.edoreczenia_client import EdoreczeniaClient
from ezd.clock import now_utc
from ezd.config import Settings
from ezd.errors import TransientFault
from ezd.models.directory import Unit
from ezd.models.intake import EdoreczeniaDelivery
from ezd.services import edoreczenia_envelope
from ezd.services.delivery import accept_edoreczenia_message


class EvidenceNotYet(TransientFault):
    """The message has no evidence of receipt yet; its date of receipt cannot be known."""

    code = "EDORECZENIA_EVIDENCE_NOT_YET"


class Collected(BaseModel):
    message_id: str
    intake_id: str
    already: bool = False  # marked collected before: nothing was asked of the service


def _sender(address: str | None) -> tuple[str | None, str | None]:
    """The sender's name when the address is a unit of the city's directory (the service
    gives only the address; the directory keeps no town, so the register says "nieustalona"
    until a clerk corrects it)."""
    if not address:
        return None, None
    for unit in directory_store.list_units():
        if unit.ade == address:
            return unit.name, None
    return None, None


def collect_message(unit: Unit, client: EdoreczeniaClient, message_id: str, settings: Settings,
                    correlation_id: str | None = None) -> Collected:
    marker = edoreczenia_store.collected(unit.symbol, message_id)
    if marker is not None:
        return Collected(message_id=message_id, intake_id=str(marker["intake_id"]), already=True)
    (message,) = client.read_messages([message_id], fmt="fullExtended")
    files = []
    for attachment in message.attachments:
        content = attachment.content
        if content is None:  # over the inline limit: the binary download
            content = client.download_attachment(message_id, attachment.attachment_id)
        files.append((attachment.filename or attachment.attachment_id,
                      attachment.content_type or "application/octet-stream", content))
    evidences = [client.evidence_document(info) for info in client.evidences(message_id)]
    receipt = edoreczenia_envelope.receipt_evidence(evidences)
    if receipt is None or receipt.info.event_date is None:
        raise EvidenceNotYet(f"message {message_id} to {unit.symbol} has no evidence of receipt yet")
    sender_name, sender_town = _sender(message.sender)
    delivery = EdoreczeniaDelivery(
        address=client.address, message_id=message_id, sender_address=message.sender, sender_name=sender_name,
        sender_town=sender_town, subject=message.subject, submitted_at=message.submission_date,
        evidence_id=receipt.info.evidence_id, evidence_type=receipt.info.type, evidence_time=receipt.info.event_date)
    envelope = edoreczenia_envelope.build(client.address, message, files, evidences)
    request = accept_edoreczenia_message(unit, envelope, delivery, settings, correlation_id)
    edoreczenia_store.mark_collected(unit.symbol, message_id, request.intake_id, now_utc())
    return Collected(message_id=message_id, intake_id=request.intake_id)

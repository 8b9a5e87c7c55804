"""Sending and delivering in the simulated service, with the evidences each step issues.

For each addressee of a submission (one sent message per addressee, as the task lists):
- the addressee's box refuses (policy ``reject``, or no such address): A.2, "Odrzucona";
- otherwise A.1 (submission accepted) and, when the sender is a public body, BP.WX
  (dowód wysłania); the message lands in the addressee's box when that box is here;
- policy ``collect``: the addressee collects at once, E.1 and BP.OX (dowód otrzymania);
- otherwise D.1 (ready for pickup). A later collection (``collect``, or the addressee
  reading the message in full through the API) issues E.1 and BP.OX; for an addressee that
  is not a public body, when the clock passes the deemed-delivery moment (14 days after
  D.1, moved past weekends and holidays) a BP.OX of the deemed delivery is issued.
The evidences of the addressee's side (D.1, E.1, BP.OX) are listed with the addressee's
copy as well (``GET messages/{id}/evidences`` of its box, the evidence file by id): its
dowód otrzymania is what an EZD keeps with a received message.
Callers hold ``store.lock``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ezd.local.edoreczenia import limits
from ezd.local.edoreczenia.evidences import deemed_delivery_moment, evidence_xml
from ezd.local.edoreczenia.state import (
    LABEL_INBOX,
    LABEL_SENT,
    ApiError,
    Evidence,
    Mailbox,
    Store,
    StoredFile,
    StoredMessage,
    Task,
    message_digest,
)

DELIVERED, DEEMED, WAITING, REJECTED = "Doręczona", "Uznana za doręczoną", "Czeka na doręczenie", "Odrzucona"
# Evidences about the addressee's side of a delivery, listed with its copy of the message as well.
ADDRESSEE_EVIDENCES = frozenset({"D.1", "E.1", "BP.OX"})


def recipients_of(metadata: dict[str, Any]) -> list[str]:
    return [str((to or {}).get("eDeliveryAddress") or "") for to in metadata.get("to") or []]


def submit(store: Store, owner: str, metadata: dict[str, Any], text_body: str | None,
           files: list[StoredFile], *, from_outside: bool = False) -> dict[str, Any]:
    """Accept a message for sending: a task with one sent message per addressee.
    ``from_outside``: the sender is an address outside the simulator (test control)."""
    if (metadata.get("shippingService") or "electronic") != "electronic":
        raise ApiError("UNSUPPORTED_SHIPPING_SERVICE", "the simulator sends electronic messages only")
    recipients = recipients_of(metadata)
    problem = limits.recipients_problem(recipients)
    if problem:
        raise ApiError("INVALID_RECIPIENTS", problem)
    if not (metadata.get("subject") or "").strip():
        raise ApiError("MISSING_SUBJECT", "a message needs a subject")
    sender = store.mailboxes[owner] if from_outside else store.mailbox(owner)
    now = store.clock()
    task = Task(store.new_id("TASK"), owner, [])
    thread_id = metadata.get("threadId") or store.new_id("THR")
    digest = message_digest(metadata, text_body, files)
    for recipient in recipients:
        sent = StoredMessage(store.new_id("MSG"), owner, LABEL_SENT, owner, recipient, dict(metadata), text_body,
                             list(files), thread_id, digest, now, task_id=task.task_id)
        store.messages[sent.message_id] = sent
        _process(store, sender, sent, now)
        task.entries.append({"messageId": sent.message_id, "addressee": {"eDeliveryAddress": recipient},
                             "addresseeAde": recipient, "status": sent.status})
    store.tasks[task.task_id] = task
    return {"messageTaskId": task.task_id}


def _process(store: Store, sender: Mailbox, sent: StoredMessage, now: datetime) -> None:
    addressee = store.mailboxes.get(sent.recipient)
    if addressee is None or addressee.policy == "reject":
        reason = "Adres do doręczeń elektronicznych nie istnieje" if addressee is None else addressee.reject_reason
        sent.status, sent.status_description = REJECTED, reason
        _issue(store, sent, "A.2", now, reason=reason)
        return
    sent.submitted = sent.event_date = now
    sent.status = "Nadana"
    _issue(store, sent, "A.1", now)
    if sender.public:
        _issue(store, sent, "BP.WX", now)
        sent.status = "Wysłana"
    if not addressee.external:
        inbox = StoredMessage(store.new_id("MSG"), addressee.address, LABEL_INBOX, sent.sender, sent.recipient,
                              dict(sent.metadata), sent.text_body, list(sent.attachments), sent.thread_id,
                              sent.sha256, now, status="Doręczona", submitted=now, event_date=now,
                              peer=sent.message_id)
        sent.peer = inbox.message_id
        store.messages[inbox.message_id] = inbox
        _notify_subscribers(store, addressee, "onMessage", inbox.message_id,
                            {"id": inbox.message_id, "threadId": inbox.thread_id}, "NewMessage")
    if addressee.policy == "collect":
        collect(store, sent.message_id, now)
        return
    sent.status = WAITING
    sent.d1_at = now
    _issue(store, sent, "D.1", now)
    if not addressee.public:
        sent.deemed_at = deemed_delivery_moment(now)


def _issue(store: Store, sent: StoredMessage, kind: str, at: datetime, *, reason: str | None = None,
           deemed: bool = False) -> Evidence:
    evidence_id = store.new_id("EVD")
    xml = evidence_xml(evidence_id=evidence_id, evidence_type=kind, message_id=sent.message_id, event_time=at,
                       message_sha256=sent.sha256, sender=sent.sender, recipient=sent.recipient,
                       submission_time=sent.submitted, reason=reason, deemed=deemed)
    evidence = Evidence(evidence_id, sent.message_id, kind, store.clock(), at, sent.sender, sent.recipient, xml, reason)
    sent.evidences.append(evidence)
    inbox = store.messages.get(sent.peer or "")
    if kind in ADDRESSEE_EVIDENCES and inbox is not None:
        # The addressee has the evidences of its own receipt too (its dowód otrzymania).
        evidence.shared_message_id = inbox.message_id
        inbox.evidences.append(evidence)
    store.evidences[evidence_id] = evidence
    owner = store.mailboxes.get(sent.owner)
    if owner is not None:
        _notify_subscribers(store, owner, "onEvidence", evidence_id,
                            {"id": evidence_id, "type": kind}, "NewEvidence")
    return evidence


def _notify_subscribers(store: Store, box: Mailbox, callback: str, object_id: str, item: dict[str, Any],
                        notification_type: str) -> None:
    for sub in box.subscriptions:
        if sub["name"] == callback and sub["status"]:
            payload = {"eDeliveryAddress": box.address, "notificationType": notification_type, "notification": [item]}
            store.notify(callback, sub["url"], object_id, payload)


def sent_message(store: Store, message_id: str) -> StoredMessage:
    message = store.messages.get(message_id)
    if message is None:
        raise ApiError("MESSAGE_NOT_FOUND", f"no message {message_id}", message_id, status=404)
    if message.label == LABEL_INBOX:
        if message.peer is None:
            raise ApiError("NOT_APPLICABLE", f"{message_id} came from outside: nothing to collect", message_id, 409)
        message = store.messages[message.peer]
    return message


def collect(store: Store, message_id: str, at: datetime | None = None) -> StoredMessage:
    """The addressee collects the message: E.1 and BP.OX (a no-op when already delivered)."""
    sent = sent_message(store, message_id)
    if sent.status == REJECTED:
        raise ApiError("NOT_APPLICABLE", f"{sent.message_id} was rejected", sent.message_id, 409)
    if sent.receipt_date is not None:
        return sent
    at = at or store.clock()
    sent.receipt_date = at
    sent.status = DELIVERED
    _issue(store, sent, "E.1", at)
    _issue(store, sent, "BP.OX", at)
    if sent.peer and sent.peer in store.messages:
        store.messages[sent.peer].receipt_date = at
    return sent


def ignore(store: Store, message_id: str) -> StoredMessage:
    """The addressee will not collect: nothing happens until the deemed-delivery moment."""
    sent = sent_message(store, message_id)
    if sent.status != WAITING:
        raise ApiError("NOT_APPLICABLE", f"{sent.message_id} is not waiting for pickup ({sent.status})",
                       sent.message_id, 409)
    if sent.deemed_at is None:
        raise ApiError("NOT_APPLICABLE", "a public-body addressee has no deemed delivery", sent.message_id, 409)
    return sent


def sweep(store: Store) -> int:
    """Deemed deliveries whose moment the clock has passed; returns how many were issued."""
    now = store.clock()
    issued = 0
    for sent in list(store.messages.values()):
        if sent.label == LABEL_SENT and sent.deemed_at and sent.receipt_date is None and sent.deemed_at <= now:
            sent.receipt_date = sent.deemed_at
            sent.status = DEEMED
            _issue(store, sent, "BP.OX", sent.deemed_at, deemed=True,
                   reason="Uznana za doręczoną po upływie 14 dni od udostępnienia (D.1)")
            if sent.peer and sent.peer in store.messages:
                store.messages[sent.peer].receipt_date = sent.deemed_at
            issued += 1
    return issued


def deliver_incoming(store: Store, sender: str, recipient: str, subject: str, text_body: str | None,
                     files: list[tuple[str, str, bytes]], public_sender: bool = False) -> dict[str, Any]:
    """A message from outside to a mailbox here (test control): sent from ``sender``'s box."""
    store.mailbox(recipient)
    if sender not in store.mailboxes:
        store.mailboxes[sender] = Mailbox(sender, sender, public=public_sender, external=True)
    stored = [StoredFile(store.new_id("ATT"), store.new_id("FILE"), name, ctype, data, None, i + 1)
              for i, (name, ctype, data) in enumerate(files)]
    taken: set[str] = set()
    for f in stored:
        problem = limits.filename_problem(f.filename, taken)
        if problem:
            raise ApiError("INVALID_FILE_NAME", problem)
        taken.add(f.filename)
    metadata = {"subject": subject, "to": [{"eDeliveryAddress": recipient}], "shippingService": "electronic"}
    task = submit(store, sender, metadata, text_body, stored, from_outside=True)
    sent_id = store.tasks[task["messageTaskId"]].entries[0]["messageId"]
    sent = store.messages[sent_id]
    return {"sentMessageId": sent_id, "messageId": sent.peer, "status": sent.status}

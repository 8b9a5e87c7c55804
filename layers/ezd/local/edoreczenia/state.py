"""In-memory state of the simulated service: mailboxes, drafts, attachments, messages, evidences, tasks.

Every method is called with ``Store.lock`` held by the caller (the HTTP layer takes it
once per request), so a request sees and leaves a consistent state. Values handed out
are the contract's JSON (dicts), built here in one place.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from ezd.clock import now_utc
from ezd.local.edoreczenia import limits

LABEL_INBOX, LABEL_SENT = "INBOX", "SENT"


class ApiError(Exception):
    """A refusal the contract expresses: HTTP 400 with ``[ErrorInfo]``."""

    def __init__(self, error: str, description: str, message_id: str | None = None, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.message_id, self.status = error, description, message_id, status

    def body(self) -> list[dict[str, str]]:
        info = {"error": self.error, "error_description": self.description}
        if self.message_id:
            info["messageId"] = self.message_id
        return [info]


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Mailbox:
    address: str
    name: str
    public: bool = True  # a public body: dowód wysłania when sending; no deemed delivery when receiving
    external: bool = False  # outside this simulator: messages to it are not kept in a box here
    policy: str = "wait"  # on receiving: wait | collect | ignore | reject
    reject_reason: str = "Adresat odrzucił przesyłkę"
    subscriptions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StoredFile:
    attachment_id: str
    file_id: str
    filename: str
    content_type: str
    data: bytes
    description: str | None = None
    order: int = 1

    def metadata(self) -> dict[str, Any]:
        out = {"fileId": self.file_id, "filename": self.filename, "contentType": self.content_type,
               "size": len(self.data), "alg": "SHA-3", "hash": hashlib.sha3_256(self.data).hexdigest()}
        if self.description:
            out["description"] = self.description
        return out

    def attachment(self, with_content: bool) -> dict[str, Any]:
        file: dict[str, Any] = {"fileMetadata": self.metadata()}
        if with_content and len(self.data) <= limits.MAX_INLINE_BYTES:
            file["file"] = base64.b64encode(self.data).decode("ascii")
        return {"order": self.order, "attachmentId": self.attachment_id, "file": file}


@dataclass
class Draft:
    message_id: str
    owner: str
    metadata: dict[str, Any]
    text_body: str | None
    created: datetime
    attachments: list[StoredFile] = field(default_factory=list)


@dataclass
class Evidence:
    evidence_id: str
    message_id: str
    type: str
    created: datetime
    event_date: datetime
    sender: str
    recipient: str
    xml: bytes
    reason: str | None = None
    downloaded: bool = False
    # The addressee's copy of the message, when the evidence concerns the addressee too
    # (D.1, E.1, BP.OX): listed with that copy and readable by its mailbox.
    shared_message_id: str | None = None

    def json(self, base_path: str, owner: str, message_id: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "evidenceId": self.evidence_id, "messageId": message_id or self.message_id, "type": self.type,
            "createDate": iso(self.created), "eventDate": iso(self.event_date), "downloaded": self.downloaded,
            "externalData": f"{base_path}/{owner}/evidences/purde/{self.evidence_id}",
            "from": {"eDeliveryAddress": self.sender}, "to": {"eDeliveryAddress": self.recipient},
        }
        if self.reason:
            out["reasonDetails"] = [self.reason]
            out["reasonId"] = "1"
        return out


@dataclass
class StoredMessage:
    message_id: str
    owner: str
    label: str
    sender: str
    recipient: str
    metadata: dict[str, Any]  # the sender's messageMetadata: subject, additionalData, caseId, ...
    text_body: str | None
    attachments: list[StoredFile]
    thread_id: str
    sha256: str
    timestamp: datetime
    task_id: str | None = None
    status: str = "Przekazana do realizacji"
    status_description: str | None = None
    opened: bool = False
    submitted: datetime | None = None
    event_date: datetime | None = None
    receipt_date: datetime | None = None
    peer: str | None = None  # the other side's copy (inbox copy of a sent message, or the sent one)
    evidences: list[Evidence] = field(default_factory=list)
    d1_at: datetime | None = None
    deemed_at: datetime | None = None
    deleted: bool = False

    def json(self, fmt: str, base_path: str) -> dict[str, Any]:
        control: dict[str, Any] = {"messageType": "Message"}
        meta: dict[str, Any] = {"messageId": self.message_id, "shippingService": "electronic"}
        if fmt != "minimal":
            control.update(opened=self.opened, status=self.status, labels=[{"label": self.label}])
            if self.status_description:
                control["statusDescription"] = self.status_description
            if self.deemed_at is not None and self.receipt_date is None:
                control["daysToReceive"] = max(0, (self.deemed_at - now_utc()).days)
            meta.update({
                "from": {"eDeliveryAddress": self.sender}, "to": [{"eDeliveryAddress": self.recipient}],
                "subject": self.metadata.get("subject"), "threadId": self.thread_id,
                "refToMessageId": self.metadata.get("refToMessageId"), "timestamp": iso(self.timestamp),
                "submissionDate": iso(self.submitted), "eventDate": iso(self.event_date),
                "receiptDate": iso(self.receipt_date),
            })
        out: dict[str, Any] = {"messageControlData": control, "messageMetadata": meta}
        if fmt in ("full", "fullExtended"):
            control["messageTaskId"] = self.task_id
            for key in ("caseId", "additionalData"):
                if self.metadata.get(key) is not None:
                    meta[key] = self.metadata[key]
            if self.text_body is not None:
                out["textBody"] = self.text_body
            out["attachments"] = [a.attachment(fmt == "fullExtended") for a in self.attachments]
            out["evidences"] = [e.json(base_path, self.owner, self.message_id) for e in self.evidences]
        return _drop_none(out)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


@dataclass
class Task:
    task_id: str
    owner: str
    entries: list[dict[str, Any]]
    polls: int = 0


def decode_base64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError("INVALID_FILE_CONTENT", f"{what} is not valid base64") from None


def message_digest(metadata: dict[str, Any], text_body: str | None, files: list[StoredFile]) -> str:
    """sha256 of what was sent: the subject, the text and every attachment's name and bytes."""
    digest = hashlib.sha256()
    for part in (metadata.get("subject") or "", text_body or ""):
        digest.update(part.encode("utf-8") + b"\x00")
    for f in files:
        digest.update(f.filename.encode("utf-8") + b"\x00" + hashlib.sha256(f.data).digest())
    return digest.hexdigest()


class Store:
    """The data; the behaviour of sending and delivering is in ``delivery``."""

    def __init__(self, *, base_path: str, clock: Callable[[], datetime] = now_utc,
                 notify: Callable[[str, str, str, dict[str, Any]], None] | None = None) -> None:
        self.lock = threading.RLock()
        self.base_path = base_path
        self.clock = clock
        self.notify = notify or (lambda *args: None)
        self.mailboxes: dict[str, Mailbox] = {}
        self.drafts: dict[str, Draft] = {}
        self.messages: dict[str, StoredMessage] = {}
        self.tasks: dict[str, Task] = {}
        self.evidences: dict[str, Evidence] = {}
        self._ids = itertools.count(1)
        # Ids are unique across restarts too (the state is in memory, the EZD's markers of
        # collected messages are not): each start has its own tag, as real ids never repeat.
        self._run = secrets.token_hex(3).upper()
        self.pending_polls = 1  # a task answers PENDING this many times before FINISHED

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{self._run}-{next(self._ids):08d}"

    def mailbox(self, address: str) -> Mailbox:
        box = self.mailboxes.get(address)
        if box is None or box.external:
            raise ApiError("ADDRESS_NOT_FOUND", f"no mailbox {address} at this provider")
        return box

    # ------------------------------------------------------------------ drafts

    def draft(self, owner: str, draft_id: str) -> Draft:
        draft = self.drafts.get(draft_id)
        if draft is None or draft.owner != owner:
            raise ApiError("DRAFT_NOT_FOUND", f"no draft {draft_id}", draft_id)
        return draft

    def create_draft(self, owner: str, body: dict[str, Any]) -> dict[str, Any]:
        draft = Draft(self.new_id("DRF"), owner, dict(body.get("messageMetadata") or {}), body.get("textBody"),
                      self.clock())
        for attachment in body.get("attachments") or []:
            self.add_attachment(draft, attachment.get("file") or {})
        self.drafts[draft.message_id] = draft
        return {"messageId": draft.message_id}

    def update_draft(self, owner: str, draft_id: str, body: dict[str, Any]) -> dict[str, Any]:
        draft = self.draft(owner, draft_id)
        draft.metadata = dict(body.get("messageMetadata") or {})
        draft.text_body = body.get("textBody")
        return {"messageId": draft.message_id}

    def draft_json(self, draft: Draft, fmt: str) -> dict[str, Any]:
        meta = {"messageId": draft.message_id, "shippingService": draft.metadata.get("shippingService", "electronic")}
        out: dict[str, Any] = {"messageControlData": {"messageType": "Message"}, "messageMetadata": meta}
        if fmt != "minimal":
            meta.update({k: v for k, v in draft.metadata.items() if k not in ("messageId", "shippingService")})
            meta["from"] = {"eDeliveryAddress": draft.owner}
            meta["timestamp"] = iso(draft.created)
            out["messageControlData"]["labels"] = [{"label": "DRAFTS"}]
        if fmt == "full":
            if draft.text_body is not None:
                out["textBody"] = draft.text_body
            out["attachments"] = [a.attachment(False) for a in draft.attachments]
        return _drop_none(out)

    def add_attachment(self, draft: Draft, file_data: dict[str, Any], data: bytes | None = None) -> StoredFile:
        meta = file_data.get("fileMetadata") or {}
        if data is None:
            encoded = file_data.get("file")
            if not isinstance(encoded, str):
                raise ApiError("INVALID_FILE_CONTENT", "file (base64) is required")
            if len(encoded) > limits.MAX_INLINE_BYTES * 4 // 3 + 4:
                raise ApiError("FILE_TOO_LARGE", "over 15 MB: use the binary upload")
            data = decode_base64(encoded, "file")
            if len(data) > limits.MAX_INLINE_BYTES:
                raise ApiError("FILE_TOO_LARGE", "over 15 MB: use the binary upload")
        if len(data) > limits.MAX_UPLOAD_BYTES:
            raise ApiError("FILE_TOO_LARGE", "the file is larger than the provider accepts")
        if not data:
            raise ApiError("INVALID_FILE_CONTENT", "the file is empty")
        name = meta.get("filename")
        problem = limits.filename_problem(name, {a.filename for a in draft.attachments})
        if problem:
            raise ApiError("INVALID_FILE_NAME", problem, draft.message_id)
        declared = meta.get("hash")
        if declared and meta.get("alg", "SHA-3").upper() in ("SHA-3", "SHA3", "SHA3-256"):
            actual = hashlib.sha3_256(data)
            if declared not in (actual.hexdigest(), base64.b64encode(actual.digest()).decode()):
                raise ApiError("INVALID_FILE_HASH", "the declared hash does not match the file")
        stored = StoredFile(self.new_id("ATT"), str(meta.get("fileId") or self.new_id("FILE")), name,
                            meta.get("contentType") or "application/octet-stream", data,
                            meta.get("description"), len(draft.attachments) + 1)
        draft.attachments.append(stored)
        return stored

    # ------------------------------------------------------------------ messages

    def message(self, owner: str, message_id: str) -> StoredMessage:
        message = self.messages.get(message_id)
        if message is None or message.owner != owner or message.deleted:
            raise ApiError("MESSAGE_NOT_FOUND", f"no message {message_id}", message_id)
        return message

    def list_messages(self, owner: str, q: dict[str, Any]) -> dict[str, Any]:
        found = [m for m in self.messages.values() if m.owner == owner and not m.deleted]
        if q.get("label"):
            found = [m for m in found if m.label == q["label"]]
        if q.get("opened") is not None:
            found = [m for m in found if m.opened == q["opened"]]
        if q.get("subject"):
            found = [m for m in found if q["subject"].lower() in (m.metadata.get("subject") or "").lower()]
        for key, attr, op in (("submissionDateFrom", "submitted", "ge"), ("submissionDateTo", "submitted", "le"),
                              ("receiptDateFrom", "receipt_date", "ge"), ("receiptDateTo", "receipt_date", "le")):
            if q.get(key):
                limit = datetime.fromisoformat(q[key].replace("Z", "+00:00"))
                found = [m for m in found if getattr(m, attr) is not None
                         and (getattr(m, attr) >= limit if op == "ge" else getattr(m, attr) <= limit)]
        found.sort(key=lambda m: (m.timestamp, m.message_id), reverse=q.get("sortDirection", "desc") == "desc")
        offset, size = q.get("offset", 0), q.get("limit", 20)
        page = found[offset:offset + size]
        # The contract requires "resultSize" without declaring it; "total" is the declared one.
        return {"messages": [m.json(q.get("format", "minimal"), self.base_path) for m in page],
                "resultSize": len(page), "total": len(found)}

    def find_attachment(self, owner: str, message_id: str, attachment_id: str) -> StoredFile:
        files = (self.draft(owner, message_id).attachments if message_id in self.drafts
                 else self.message(owner, message_id).attachments)
        for f in files:
            if f.attachment_id == attachment_id:
                return f
        raise ApiError("ATTACHMENT_NOT_FOUND", f"no attachment {attachment_id} in {message_id}", message_id)

    def evidence_owners(self, evidence: Evidence) -> set[str]:
        """The mailboxes that may read an evidence: the sender's, and the addressee's for those it shares."""
        owners = {self.messages[evidence.message_id].owner}
        shared = self.messages.get(evidence.shared_message_id or "")
        if shared is not None:
            owners.add(shared.owner)
        return owners

    def evidence(self, owner: str, evidence_id: str) -> Evidence:
        evidence = self.evidences.get(evidence_id)
        if evidence is None or owner not in self.evidence_owners(evidence):
            raise ApiError("EVIDENCE_NOT_FOUND", f"no evidence {evidence_id}")
        return evidence

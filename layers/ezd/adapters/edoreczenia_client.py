"""Client of the e-Doręczenia User Agent API (uaapi 3.0.8) for one e-delivery address of ours.

Standard library only (urllib), like the ePUAP clients. The same code talks to the real
service and to the local simulator; only ``api_url``, ``token_url`` and the credentials
differ.

Rules it keeps:
- The OAuth2 client-credentials token is fetched once per process per client and scope
  set, shared by every instance and thread, refreshed a minute before it expires and
  once more when the service answers 401.
- Transient faults (connection refused/reset, timeouts, 5xx) are retried with back-off
  only for calls that cannot send anything twice: reads (GET, the attachment download)
  and the token. Creating a draft, adding an attachment and sending are never retried
  here: a ``TransientFault`` tells the workflow the step may be run again.
- A send whose answer is lost (``POST drafts/send`` reset, timed out or 5xx) is resolved
  by looking the message up — the sent messages carrying our reference in
  ``messageMetadata.additionalData`` — and by whether the draft still exists (a sent
  draft is gone). Never by sending again: if nothing was sent the caller gets
  ``EdoreczeniaSendNotAccepted`` and may send the draft; if it cannot be told,
  ``EdoreczeniaSendOutcomeUnknown``.
- Task status is polled with growing delays (the national service suffered from clients
  asking again and again); subscriptions are the way to learn of evidences.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from ezd import clock
from ezd.errors import EzdError, TransientFault, ValidationFailed
from ezd.models.edoreczenia import (
    ADE_PATTERN,
    MAX_INLINE_ATTACHMENT_BYTES,
    MAX_RECIPIENTS,
    REFERENCE_KEY,
    SCOPES,
    AttachmentInfo,
    EvidenceDocument,
    EvidenceInfo,
    MessageSummary,
    OutgoingAttachment,
    OutgoingMessage,
    SendReceipt,
    filename_problem,
)

_MAX_RESPONSE_BYTES = 200 * 1024 * 1024


# ---------------------------------------------------------------------------------- errors

class EdoreczeniaUnavailable(TransientFault):
    """Nothing was decided by the service (transport failure, 5xx); try the step again later."""

    code = "EDORECZENIA_UNAVAILABLE"


class EdoreczeniaRateLimited(TransientFault):
    """The service asks us to slow down (HTTP 429): nothing is retried at once; ``retry_after``
    seconds (its Retry-After, when given) is the earliest it wants to hear from us again."""

    code = "EDORECZENIA_RATE_LIMITED"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class EdoreczeniaRefused(EzdError):
    """The service refused the request (400 with its ErrorInfo); retrying the same will not help."""

    code = "EDORECZENIA_REFUSED"

    def __init__(self, message: str, *, service_error: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.service_error = service_error


class EdoreczeniaAuthFailed(EzdError):
    """The credentials or the token's scopes are not accepted (401 after a fresh token, 403)."""

    code = "EDORECZENIA_AUTH_FAILED"


class EdoreczeniaInvalidMessage(ValidationFailed):
    """Refused by the project's own pre-check, before anything was sent."""

    code = "EDORECZENIA_INVALID_MESSAGE"


class EdoreczeniaSendNotAccepted(TransientFault):
    """The answer to a send was lost, and the service shows it did not send: the draft may be sent."""

    code = "EDORECZENIA_SEND_NOT_ACCEPTED"


class EdoreczeniaSendOutcomeUnknown(EzdError):
    """The answer to a send was lost and the service cannot (yet) tell whether it sent. Do not send
    again: ask later with ``find_sent``."""

    code = "EDORECZENIA_SEND_OUTCOME_UNKNOWN"


class EdoreczeniaTaskPending(TransientFault):
    """The sending task did not finish within the wait; poll it again later."""

    code = "EDORECZENIA_TASK_PENDING"


# ---------------------------------------------------------------------------------- retry policy

@dataclass(frozen=True)
class Backoff:
    attempts: int = 4
    first: float = 0.2
    factor: float = 2.0
    cap: float = 5.0

    def delays(self) -> list[float]:
        return [min(self.cap, self.first * self.factor ** i) for i in range(self.attempts - 1)]


# ---------------------------------------------------------------------------------- tokens

@dataclass
class _Token:
    value: str
    expires_at: float


class _TokenCache:
    """One token per (token URL, client, scopes, secret) in the process; refreshed by one thread at a time."""

    REFRESH_MARGIN = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, ...], _Token] = {}
        self._key_locks: dict[tuple[str, ...], threading.Lock] = {}
        self.fetches = 0

    def get(self, key: tuple[str, ...], fetch: Callable[[], tuple[str, float]], *, stale: str | None = None) -> str:
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            token = self._tokens.get(key)
            if token is not None and token.value != stale and token.expires_at - self.REFRESH_MARGIN > clock.timestamp():
                return token.value
            value, lifetime = fetch()
            self.fetches += 1
            self._tokens[key] = _Token(value, clock.timestamp() + lifetime)
            return value

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


TOKENS = _TokenCache()


# ---------------------------------------------------------------------------------- client

class EdoreczeniaClient:
    def __init__(
        self,
        api_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        address: str,
        *,
        timeout: float = 30,
        backoff: Backoff = Backoff(),
        poll: Backoff = Backoff(attempts=12, first=0.1, factor=2.0, cap=10.0),
        sleep: Callable[[float], None] = time.sleep,
        scopes: tuple[str, ...] = SCOPES,
    ) -> None:
        if not ADE_PATTERN.match(address):
            raise EdoreczeniaInvalidMessage(f"{address!r} is not an e-delivery address", code="EDORECZENIA_ADDRESS_INVALID")
        self.api_url = api_url.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self._secret_digest = hashlib.sha256(client_secret.encode()).hexdigest()
        self.address = address
        self.timeout = timeout
        self.backoff = backoff
        self.poll = poll
        self.sleep = sleep
        self.scopes = tuple(sorted(scopes))

    # ------------------------------------------------------------------ transport

    def _token(self, stale: str | None = None) -> str:
        # The secret's digest is part of the key: other credentials never get this token.
        return TOKENS.get((self.token_url, self.client_id, " ".join(self.scopes), self._secret_digest),
                          self._fetch_token, stale=stale)

    def _fetch_token(self) -> tuple[str, float]:
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": " ".join(self.scopes)}).encode()
        basic = base64.b64encode(f"{self.client_id}:{self._secret}".encode()).decode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"}

        def once() -> tuple[str, float]:
            status, _, body = self._http("POST", self.token_url, form, headers)
            if status != 200:
                raise EdoreczeniaAuthFailed(f"token endpoint answered {status}: {body[:200]!r}")
            data = json.loads(body)
            return str(data["access_token"]), float(data.get("expires_in") or 300)

        return self._retrying(once)  # asking for a token twice sends nothing

    def _http(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, str, bytes]:
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - URL is configuration
                return response.status, response.headers.get("Content-Type", ""), response.read(_MAX_RESPONSE_BYTES)
        except urllib.error.HTTPError as err:
            body = err.read(_MAX_RESPONSE_BYTES) if err.fp is not None else b""
            if err.code == 429:
                raise EdoreczeniaRateLimited(f"e-Doręczenia HTTP 429 at {method} {url}",
                                             _seconds(err.headers.get("Retry-After") if err.headers else None)) from None
            if err.code >= 500:
                raise EdoreczeniaUnavailable(f"e-Doręczenia HTTP {err.code} at {method} {url}") from None
            return err.code, err.headers.get("Content-Type", "") if err.headers else "", body
        except (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError, http.client.HTTPException) as err:
            raise EdoreczeniaUnavailable(f"e-Doręczenia unreachable at {method} {url}: {err}") from None

    def _retrying(self, call: Callable[[], Any]) -> Any:
        delays = self.backoff.delays()
        while True:
            try:
                return call()
            except EdoreczeniaUnavailable:
                if not delays:
                    raise
                self.sleep(delays.pop(0))

    def _call(self, method: str, path: str, *, body: Any = None, query: dict[str, Any] | None = None,
              raw: bytes | None = None, content_type: str | None = None, retry: bool | None = None) -> Any:
        """One operation on our address; JSON answers parsed, binary ones returned as bytes."""
        retry = method == "GET" if retry is None else retry
        url = f"{self.api_url}/{urllib.parse.quote(self.address, safe=':')}{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: _q(v) for k, v in query.items() if v is not None})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"Accept": "application/json, application/octet-stream"}
        if data is not None:
            headers["Content-Type"] = content_type or "application/json"

        def once() -> Any:
            token = self._token()
            status, ctype, payload = self._http(method, url, data, {**headers, "Authorization": f"Bearer {token}"})
            if status == 401:  # expired or revoked early: one fresh token, then give up
                token = self._token(stale=token)
                status, ctype, payload = self._http(method, url, data, {**headers, "Authorization": f"Bearer {token}"})
            return self._answer(method, path, status, ctype, payload)

        return self._retrying(once) if retry else once()

    def _answer(self, method: str, path: str, status: int, ctype: str, payload: bytes) -> Any:
        if status in (401, 403):
            raise EdoreczeniaAuthFailed(f"{method} {path}: HTTP {status} {_error_text(payload)}")
        if status >= 400:
            info = _error_info(payload)
            error = info.get("error")
            raise EdoreczeniaRefused(f"{method} {path}: {error or status}: {info.get('error_description', '')}",
                                     service_error=error)
        if "application/json" in ctype:
            return json.loads(payload) if payload else None
        return payload

    # ------------------------------------------------------------------ sending

    @staticmethod
    def check(message: OutgoingMessage) -> None:
        """The service's limits, checked before anything leaves (stable codes)."""
        if len(message.recipients) > MAX_RECIPIENTS:
            raise EdoreczeniaInvalidMessage(f"{len(message.recipients)} recipients; at most {MAX_RECIPIENTS}",
                                            code="EDORECZENIA_TOO_MANY_RECIPIENTS")
        wrong = [r for r in message.recipients if not ADE_PATTERN.match(r)]
        if wrong:
            raise EdoreczeniaInvalidMessage(f"not e-delivery addresses: {', '.join(wrong)}",
                                            code="EDORECZENIA_ADDRESS_INVALID")
        names: set[str] = set()
        for attachment in message.attachments:
            problem = filename_problem(attachment.filename)
            if problem is None and attachment.filename in names:
                problem = "given twice"
            if problem:
                raise EdoreczeniaInvalidMessage(f"attachment name {attachment.filename!r}: {problem}",
                                                code="EDORECZENIA_ATTACHMENT_NAME")
            names.add(attachment.filename)

    def create_draft(self, message: OutgoingMessage) -> str:
        """A draft with every attachment (inline up to 15 MB, the binary upload above)."""
        self.check(message)
        metadata: dict[str, Any] = {
            "shippingService": "electronic",
            "to": [{"eDeliveryAddress": r} for r in message.recipients],
            "subject": message.subject,
            "additionalData": {REFERENCE_KEY: message.reference},
        }
        for key, value in (("threadId", message.thread_id), ("refToMessageId", message.ref_to_message_id),
                           ("caseId", message.case_id)):
            if value:
                metadata[key] = value
        body: dict[str, Any] = {"messageMetadata": metadata}
        if message.text_body is not None:
            body["textBody"] = message.text_body
        draft_id = str(self._call("POST", "/drafts", body=body)["messageId"])
        for attachment in message.attachments:
            self.add_attachment(draft_id, attachment)
        return draft_id

    def add_attachment(self, draft_id: str, attachment: OutgoingAttachment) -> str:
        draft = urllib.parse.quote(draft_id, safe="")
        if len(attachment.content) <= MAX_INLINE_ATTACHMENT_BYTES:
            file_metadata = {
                "fileId": str(uuid.uuid4()), "filename": attachment.filename, "contentType": attachment.content_type,
                "size": len(attachment.content), "alg": "SHA-3",
                "hash": hashlib.sha3_256(attachment.content).hexdigest(),
            }
            if attachment.description:
                file_metadata["description"] = attachment.description
            body = {"fileMetadata": file_metadata, "file": base64.b64encode(attachment.content).decode("ascii")}
            answer = self._call("POST", f"/drafts/{draft}/attachments", body=body)
        else:
            fields = {"filename": attachment.filename, "contentType": attachment.content_type,
                      "size": str(len(attachment.content)), "alg": "SHA-3"}
            raw, ctype = _multipart(fields, attachment)
            answer = self._call("POST", f"/{draft}/attachments/upload", raw=raw, content_type=ctype)
        return str(answer.get("attachmentId") or "")

    def send_draft(self, draft_id: str, message: OutgoingMessage) -> SendReceipt:
        """POST drafts/send once; a lost answer is resolved by lookup, never by sending again."""
        try:
            answer = self._call("POST", "/drafts/send", body={"messageId": draft_id})
        except EdoreczeniaUnavailable as lost:
            return self._resolve_lost_send(draft_id, message, lost)
        return SendReceipt(task_id=str(answer["messageTaskId"]))

    def _resolve_lost_send(self, draft_id: str, message: OutgoingMessage, lost: Exception) -> SendReceipt:
        for delay in [0.0, *self.backoff.delays()]:
            if delay:
                self.sleep(delay)
            found = self.find_sent(message.reference, subject=message.subject)
            if found:
                return SendReceipt(
                    task_id=found[0].task_id,
                    message_ids={m.recipients[0]: m.message_id for m in found if m.recipients},
                    statuses={m.recipients[0]: m.status or "" for m in found if m.recipients},
                    resolved_by_lookup=True,
                )
            if self.draft_exists(draft_id):
                raise EdoreczeniaSendNotAccepted(
                    f"draft {draft_id} was not sent (the answer to the send was lost: {lost}); it may be sent")
        raise EdoreczeniaSendOutcomeUnknown(
            f"draft {draft_id} is gone but no sent message carries reference {message.reference}: ask again later")

    def draft_exists(self, draft_id: str) -> bool:
        try:
            self._call("GET", f"/drafts/{urllib.parse.quote(draft_id, safe='')}", query={"format": "minimal"})
        except EdoreczeniaRefused as refused:
            if refused.service_error and "NOT_FOUND" in refused.service_error:
                return False
            raise
        return True

    def wait_task(self, task_id: str) -> SendReceipt:
        """Poll the task with growing delays until FINISHED; then one message per addressee."""
        task = urllib.parse.quote(task_id, safe="")
        for delay in [0.0, *self.poll.delays()]:
            if delay:
                self.sleep(delay)
            if self._call("GET", f"/messages/tasks/{task}/status")["messageTaskStatus"] == "FINISHED":
                entries = self._call("GET", f"/messages/tasks/{task}") or []
                receipt = SendReceipt(task_id=task_id)
                for entry in entries:
                    addressee = str(entry.get("addresseeAde") or (entry.get("addressee") or {}).get("eDeliveryAddress"))
                    if entry.get("messageId"):
                        receipt.message_ids[addressee] = str(entry["messageId"])
                    receipt.statuses[addressee] = str(entry.get("status") or entry.get("error") or "")
                return receipt
        raise EdoreczeniaTaskPending(f"task {task_id} still pending after {len(self.poll.delays()) + 1} polls")

    def send(self, message: OutgoingMessage) -> SendReceipt:
        """Draft, attachments, send, wait for the task: the whole sending of one message."""
        draft_id = self.create_draft(message)
        receipt = self.send_draft(draft_id, message)
        if receipt.resolved_by_lookup:
            return receipt
        assert receipt.task_id is not None
        return self.wait_task(receipt.task_id)

    def find_sent(self, reference: str, *, subject: str | None = None, max_pages: int = 20) -> list[MessageSummary]:
        """Sent messages carrying our reference (newest first). The metadata format does not
        include additionalData, so candidates are read in full, 50 at a time."""
        found: list[MessageSummary] = []
        for page in range(max_pages):
            listing = self._call("GET", "/messages", query={
                "label": "SENT", "format": "metadata", "subject": subject, "sortColumn": "timestamp",
                "sortDirection": "desc", "offset": page * 100, "limit": 100})
            ids = [m["messageMetadata"]["messageId"] for m in listing.get("messages", [])]
            for i in range(0, len(ids), 50):
                for full in self.read_messages(ids[i:i + 50]):
                    if full.reference == reference:
                        found.append(full)
            if len(ids) < 100:
                break
        return found

    # ------------------------------------------------------------------ reading

    def list_messages(self, *, label: str | None = None, fmt: str = "metadata", opened: bool | None = None,
                      offset: int = 0, limit: int = 100) -> list[MessageSummary]:
        listing = self._call("GET", "/messages", query={"label": label, "format": fmt, "opened": opened,
                                                         "offset": offset, "limit": limit})
        return [_summary(m) for m in listing.get("messages", [])]

    def list_received(self, *, since: datetime | None = None, offset: int = 0, limit: int = 50) -> list[MessageSummary]:
        """Received messages, oldest first, submitted at or after ``since`` (a cursor): one
        page of the inbox without reading (and so without collecting) any of them."""
        query = {"label": "INBOX", "format": "metadata", "sortColumn": "submissionDate", "sortDirection": "asc",
                 "offset": offset, "limit": limit,
                 "submissionDateFrom": since.isoformat(timespec="milliseconds").replace("+00:00", "Z") if since else None}
        return [_summary(m) for m in self._call("GET", "/messages", query=query).get("messages", [])]

    def read_messages(self, message_ids: list[str], fmt: str = "full") -> list[MessageSummary]:
        """Reading in full (``full``/``fullExtended``) marks a received message opened: that is collecting it."""
        if not message_ids:
            return []
        ids = ",".join(urllib.parse.quote(i, safe="") for i in message_ids)
        return [_summary(m) for m in self._call("GET", f"/messages/{ids}", query={"format": fmt})]

    def read_message(self, message_id: str, fmt: str = "full") -> MessageSummary:
        return self.read_messages([message_id], fmt)[0]

    def download_attachment(self, message_id: str, attachment_id: str) -> bytes:
        # A POST that only reads: safe to retry.
        return self._call("POST", "/attachments/download", body={"messageId": message_id, "attachmentId": attachment_id},
                          retry=True)

    def evidences(self, message_id: str) -> list[EvidenceInfo]:
        answer = self._call("GET", f"/messages/{urllib.parse.quote(message_id, safe='')}/evidences",
                            query={"sortColumn": "eventDate", "sortDirection": "asc"})
        return [_evidence(e) for e in answer.get("evidences", [])]

    def evidence_document(self, evidence: EvidenceInfo) -> EvidenceDocument:
        content = self._call("GET", f"/evidences/purde/{urllib.parse.quote(evidence.evidence_id, safe='')}")
        return EvidenceDocument(info=evidence, content=content)

    def evidence(self, evidence_id: str) -> EvidenceInfo:
        return _evidence(self._call("GET", f"/messages/evidences/{urllib.parse.quote(evidence_id, safe='')}")[0])

    # ------------------------------------------------------------------ subscriptions

    def subscribe(self, *, on_message: str | None = None, on_evidence: str | None = None) -> str:
        body = {k: v for k, v in (("messageCallbackUrl", on_message), ("evidenceCallbackUrl", on_evidence)) if v}
        # PUT replaces the callbacks it names: repeating it sends nothing.
        return str(self._call("PUT", "/message_subscriptions", body=body, retry=True)["subscriptionId"])


# ---------------------------------------------------------------------------------- mapping

def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: the caller's own back-off decides


def _q(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _error_info(payload: bytes) -> dict[str, Any]:
    try:
        data = json.loads(payload)
    except ValueError:
        return {}
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    return data if isinstance(data, dict) else {}


def _error_text(payload: bytes) -> str:
    info = _error_info(payload)
    return f"{info.get('error', '')} {info.get('error_description', '')}".strip()


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) and value else None


def _evidence(e: dict[str, Any]) -> EvidenceInfo:
    return EvidenceInfo(evidence_id=e["evidenceId"], message_id=e["messageId"], type=str(e.get("type") or ""),
                        event_date=_when(e.get("eventDate")), created=_when(e.get("createDate")),
                        reason=list(e.get("reasonDetails") or []))


def _summary(m: dict[str, Any]) -> MessageSummary:
    control, meta = m.get("messageControlData") or {}, m.get("messageMetadata") or {}
    attachments = []
    for a in m.get("attachments") or []:
        file = a.get("file") or {}
        fm = file.get("fileMetadata") or {}
        content = base64.b64decode(file["file"]) if file.get("file") else None
        attachments.append(AttachmentInfo(attachment_id=str(a.get("attachmentId")), filename=fm.get("filename"),
                                          content_type=fm.get("contentType"), size=fm.get("size"), content=content))
    return MessageSummary(
        message_id=str(meta.get("messageId")), status=control.get("status"), opened=control.get("opened"),
        labels=[lbl.get("label") for lbl in control.get("labels") or [] if lbl.get("label")],
        sender=(meta.get("from") or {}).get("eDeliveryAddress"),
        recipients=[t.get("eDeliveryAddress") for t in meta.get("to") or [] if t.get("eDeliveryAddress")],
        subject=meta.get("subject"), thread_id=meta.get("threadId"),
        submission_date=_when(meta.get("submissionDate")), event_date=_when(meta.get("eventDate")),
        receipt_date=_when(meta.get("receiptDate")), task_id=control.get("messageTaskId"),
        additional_data=dict(meta.get("additionalData") or {}), text_body=m.get("textBody"),
        attachments=attachments, evidences=[_evidence(e) for e in m.get("evidences") or []],
    )


def _multipart(fields: dict[str, str], attachment: OutgoingAttachment) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append((f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                  f'filename="{attachment.filename}"\r\nContent-Type: {attachment.content_type}\r\n\r\n').encode())
    parts.append(attachment.content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


__all__ = [
    "TOKENS", "Backoff", "EdoreczeniaAuthFailed", "EdoreczeniaClient", "EdoreczeniaInvalidMessage",
    "EdoreczeniaRateLimited",
    "EdoreczeniaRefused", "EdoreczeniaSendNotAccepted", "EdoreczeniaSendOutcomeUnknown", "EdoreczeniaTaskPending",
    "EdoreczeniaUnavailable",
]

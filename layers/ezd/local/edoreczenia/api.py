"""The User Agent API operations the simulator implements, keyed by the contract's (method, path).

Each handler gets the request context (typed parameters, parsed body, the mailbox
address) with the store's lock held, and returns (status, body): a dict or list for JSON,
bytes for ``application/octet-stream``. Operations of the contract that are not here are
answered with a contract-shaped 400 ``NOT_SUPPORTED_BY_SIMULATOR``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ezd.local.edoreczenia import delivery, limits
from ezd.local.edoreczenia.state import ApiError, Draft, Store

Result = tuple[int, Any]


@dataclass
class Context:
    store: Store
    address: str
    params: dict[str, Any]
    body: Any
    files: dict[str, tuple[str, str, bytes]]  # multipart files: field -> (filename, content type, bytes)
    form: dict[str, str]


def _ids(ctx: Context) -> list[str]:
    ids = ctx.params["messageId"]
    ids = ids if isinstance(ids, list) else [ids]
    if not ids:
        raise ApiError("INVALID_REQUEST", "no message id")
    if len(ids) > limits.MAX_BULK_IDS:
        raise ApiError("TOO_MANY_IDS", f"at most {limits.MAX_BULK_IDS} ids")
    return ids


# ------------------------------------------------------------------ messages

def list_messages(ctx: Context) -> Result:
    return 200, ctx.store.list_messages(ctx.address, ctx.params)


def send_message(ctx: Context) -> Result:
    body = ctx.body
    metadata = dict(body.get("messageMetadata") or {})
    # A message sent directly carries its attachments inline, held to the same rules as a draft's.
    holder = Draft("inline", ctx.address, metadata, body.get("textBody"), ctx.store.clock())
    for attachment in body.get("attachments") or []:
        ctx.store.add_attachment(holder, attachment.get("file") or {})
    return 202, delivery.submit(ctx.store, ctx.address, metadata, body.get("textBody"), holder.attachments)


def get_messages(ctx: Context) -> Result:
    fmt = ctx.params.get("format", "full")
    out = []
    for message_id in _ids(ctx):
        message = ctx.store.message(ctx.address, message_id)
        if fmt in ("full", "fullExtended") and not message.opened:
            message.opened = True  # reading in full is what opens a message
            if message.label == delivery.LABEL_INBOX and message.peer:
                delivery.collect(ctx.store, message.message_id)
        out.append(message.json(fmt, ctx.store.base_path))
    return 200, out


def delete_messages(ctx: Context) -> Result:
    out = []
    for message_id in _ids(ctx):
        ctx.store.message(ctx.address, message_id).deleted = True
        out.append({"messageId": message_id})
    return 200, out


def _task(ctx: Context):
    task = ctx.store.tasks.get(ctx.params["messageTaskId"])
    if task is None or task.owner != ctx.address:
        raise ApiError("TASK_NOT_FOUND", f"no task {ctx.params['messageTaskId']}")
    return task


def task_status(ctx: Context) -> Result:
    task = _task(ctx)
    task.polls += 1
    return 200, {"messageTaskStatus": "PENDING" if task.polls <= ctx.store.pending_polls else "FINISHED"}


def task_details(ctx: Context) -> Result:
    task = _task(ctx)
    if task.polls <= ctx.store.pending_polls:
        return 200, []  # still being processed: no messages yet
    return 200, [dict(e, status=ctx.store.messages[e["messageId"]].status) for e in task.entries]


# ------------------------------------------------------------------ drafts

def list_drafts(ctx: Context) -> Result:
    drafts = [d for d in ctx.store.drafts.values() if d.owner == ctx.address]
    offset, limit = ctx.params.get("offset", 0), ctx.params.get("limit", 20)
    page = drafts[offset:offset + limit]
    return 200, {"messages": [ctx.store.draft_json(d, "metadata") for d in page], "resultSize": len(page),
                 "total": len(drafts)}


def create_draft(ctx: Context) -> Result:
    return 200, ctx.store.create_draft(ctx.address, ctx.body)


def get_draft(ctx: Context) -> Result:
    draft = ctx.store.draft(ctx.address, ctx.params["messageId"])
    return 200, ctx.store.draft_json(draft, ctx.params.get("format", "full"))


def update_draft(ctx: Context) -> Result:
    return 200, ctx.store.update_draft(ctx.address, ctx.params["messageId"], ctx.body)


def delete_drafts(ctx: Context) -> Result:
    out = []
    for draft_id in _ids(ctx):
        ctx.store.draft(ctx.address, draft_id)
        del ctx.store.drafts[draft_id]
        out.append({"messageId": draft_id})
    return 200, out


def send_draft(ctx: Context) -> Result:
    draft = ctx.store.draft(ctx.address, ctx.body["messageId"])
    result = delivery.submit(ctx.store, ctx.address, draft.metadata, draft.text_body, draft.attachments)
    del ctx.store.drafts[draft.message_id]  # a draft is sent once: afterwards it is gone
    return 202, result


def add_draft_attachment(ctx: Context) -> Result:
    draft = ctx.store.draft(ctx.address, ctx.params["messageId"])
    stored = ctx.store.add_attachment(draft, ctx.body)
    return 200, {"attachmentId": stored.attachment_id, "fileMetadata": stored.metadata()}


def upload_attachment(ctx: Context) -> Result:
    draft = ctx.store.draft(ctx.address, ctx.params["messageId"])
    if "file" not in ctx.files:
        raise ApiError("INVALID_REQUEST", "multipart field 'file' is required")
    _, part_type, data = ctx.files["file"]
    meta = {"filename": ctx.form.get("filename"), "contentType": ctx.form.get("contentType") or part_type,
            "description": ctx.form.get("description")}
    stored = ctx.store.add_attachment(draft, {"fileMetadata": meta}, data=data)
    return 200, {"attachmentId": stored.attachment_id, "fileMetadata": stored.metadata()}


def get_draft_attachment(ctx: Context) -> Result:
    f = ctx.store.find_attachment(ctx.address, ctx.params["messageId"], ctx.params["attachmentId"])
    return 200, f.attachment(True)


def delete_draft_attachment(ctx: Context) -> Result:
    draft = ctx.store.draft(ctx.address, ctx.params["messageId"])
    f = ctx.store.find_attachment(ctx.address, draft.message_id, ctx.params["attachmentId"])
    draft.attachments.remove(f)
    return 200, f.metadata()


def delete_draft_attachments(ctx: Context) -> Result:
    draft = ctx.store.draft(ctx.address, ctx.params["messageId"])
    removed, draft.attachments = draft.attachments, []
    return 200, [f.metadata() for f in removed]


def get_message_attachment(ctx: Context) -> Result:
    ctx.store.message(ctx.address, ctx.params["messageId"])
    f = ctx.store.find_attachment(ctx.address, ctx.params["messageId"], ctx.params["attachmentId"])
    return 200, f.attachment(True)


def download_attachment(ctx: Context) -> Result:
    return 200, ctx.store.find_attachment(ctx.address, ctx.body["messageId"], ctx.body["attachmentId"]).data


# ------------------------------------------------------------------ evidences

def _evidence_filter(ctx: Context, evidences: list, message_id: str | None = None) -> list:
    if ctx.params.get("type"):
        evidences = [e for e in evidences if e.type == ctx.params["type"]]
    if ctx.params.get("downloaded") is not None:
        evidences = [e for e in evidences if e.downloaded == ctx.params["downloaded"]]
    evidences = sorted(evidences, key=lambda e: (e.event_date, e.evidence_id),
                       reverse=ctx.params.get("sortDirection") == "desc")
    return [e.json(ctx.store.base_path, ctx.address, message_id or _seen_as(ctx, e)) for e in evidences]


def _seen_as(ctx: Context, evidence) -> str:
    """The id of the message an evidence belongs to, as the asking mailbox knows it."""
    if ctx.store.messages[evidence.message_id].owner == ctx.address or not evidence.shared_message_id:
        return evidence.message_id
    return evidence.shared_message_id


def message_evidences(ctx: Context) -> Result:
    message = ctx.store.message(ctx.address, ctx.params["messageId"])
    return 200, {"evidences": _evidence_filter(ctx, message.evidences, message.message_id)}


def address_evidences(ctx: Context) -> Result:
    mine = [e for e in ctx.store.evidences.values()
            if ctx.address in ctx.store.evidence_owners(e) and not ctx.store.messages[e.message_id].deleted]
    return 200, {"evidences": _evidence_filter(ctx, mine)}


def evidence_by_id(ctx: Context) -> Result:
    evidence = ctx.store.evidence(ctx.address, ctx.params["evidenceId"])
    return 200, [evidence.json(ctx.store.base_path, ctx.address, _seen_as(ctx, evidence))]


def evidence_file(ctx: Context) -> Result:
    if ctx.params["messageType"] != "purde":
        raise ApiError("NOT_SUPPORTED_BY_SIMULATOR", "hybrid (PUH) evidences are not simulated")
    evidence = ctx.store.evidence(ctx.address, ctx.params["evidenceId"])
    evidence.downloaded = True
    return 200, evidence.xml


# ------------------------------------------------------------------ subscriptions

_CALLBACK_FIELDS = {"messageCallbackUrl": "onMessage", "evidenceCallbackUrl": "onEvidence",
                    "messageCreatedCallbackUrl": "onMessageCreated", "archiveCreatedCallbackUrl": "onArchiveCreated",
                    "inboxCallbackUrl": "onInbox"}


def put_subscription(ctx: Context) -> Result:
    box = ctx.store.mailbox(ctx.address)
    body = ctx.body or {}
    given = {name: body[f] for f, name in _CALLBACK_FIELDS.items() if body.get(f)}
    if not given:
        raise ApiError("INVALID_REQUEST", "no callback URL given")
    subscription_id = ctx.store.new_id("SUB")
    box.subscriptions = [s for s in box.subscriptions if s["name"] not in given]
    box.subscriptions += [{"id": subscription_id, "name": name, "url": url, "status": True}
                          for name, url in given.items()]
    return 200, {"subscriptionId": subscription_id}


def get_subscriptions(ctx: Context) -> Result:
    return 200, [dict(s) for s in ctx.store.mailbox(ctx.address).subscriptions]


def patch_subscription(ctx: Context) -> Result:
    box = ctx.store.mailbox(ctx.address)
    matching = [s for s in box.subscriptions if s["id"] == (ctx.body or {}).get("subscriptionId")]
    if not matching:
        raise ApiError("SUBSCRIPTION_NOT_FOUND", "no such subscription")
    for s in matching:
        s["status"] = bool(ctx.body["status"])
    return 200, None


def delete_subscriptions(ctx: Context) -> Result:
    ctx.store.mailbox(ctx.address).subscriptions = []
    return 200, None


HANDLERS: dict[tuple[str, str], Callable[[Context], Result]] = {
    ("GET", "/{eDeliveryAddress}/messages"): list_messages,
    ("POST", "/{eDeliveryAddress}/messages"): send_message,
    ("GET", "/{eDeliveryAddress}/messages/{messageId}"): get_messages,
    ("DELETE", "/{eDeliveryAddress}/messages/{messageId}"): delete_messages,
    ("GET", "/{eDeliveryAddress}/messages/tasks/{messageTaskId}"): task_details,
    ("GET", "/{eDeliveryAddress}/messages/tasks/{messageTaskId}/status"): task_status,
    ("GET", "/{eDeliveryAddress}/drafts"): list_drafts,
    ("POST", "/{eDeliveryAddress}/drafts"): create_draft,
    ("GET", "/{eDeliveryAddress}/drafts/{messageId}"): get_draft,
    ("PUT", "/{eDeliveryAddress}/drafts/{messageId}"): update_draft,
    ("DELETE", "/{eDeliveryAddress}/drafts/{messageId}"): delete_drafts,
    ("POST", "/{eDeliveryAddress}/drafts/send"): send_draft,
    ("POST", "/{eDeliveryAddress}/drafts/{messageId}/attachments"): add_draft_attachment,
    ("DELETE", "/{eDeliveryAddress}/drafts/{messageId}/attachments"): delete_draft_attachments,
    ("GET", "/{eDeliveryAddress}/drafts/{messageId}/attachments/{attachmentId}"): get_draft_attachment,
    ("DELETE", "/{eDeliveryAddress}/drafts/{messageId}/attachments/{attachmentId}"): delete_draft_attachment,
    ("POST", "/{eDeliveryAddress}/{messageId}/attachments/upload"): upload_attachment,
    ("GET", "/{eDeliveryAddress}/messages/{messageId}/attachments/{attachmentId}"): get_message_attachment,
    ("POST", "/{eDeliveryAddress}/attachments/download"): download_attachment,
    ("GET", "/{eDeliveryAddress}/messages/{messageId}/evidences"): message_evidences,
    ("GET", "/{eDeliveryAddress}/messages/evidences"): address_evidences,
    ("GET", "/{eDeliveryAddress}/messages/evidences/{evidenceId}"): evidence_by_id,
    ("GET", "/{eDeliveryAddress}/evidences/{messageType}/{evidenceId}"): evidence_file,
    ("PUT", "/{eDeliveryAddress}/message_subscriptions"): put_subscription,
    ("GET", "/{eDeliveryAddress}/message_subscriptions"): get_subscriptions,
    ("PATCH", "/{eDeliveryAddress}/message_subscriptions"): patch_subscription,
    ("DELETE", "/{eDeliveryAddress}/message_subscriptions"): delete_subscriptions,
}

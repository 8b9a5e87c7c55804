"""The e-Doręczenia subscription callback (``onMessage``): authenticate, then only start.

The contract (uaapi 3.0.8.1, ``PUT /{eDeliveryAddress}/message_subscriptions``) fixes the
callback's body — ``MessageStatement``: ``eDeliveryAddress``, ``notificationType`` and
``notification[]`` of ``{id, threadId, type}`` — but gives the subscriber no way to
authenticate the caller: ``SubscriptionCreate`` holds nothing but URLs. So the URL is the
credential (a capability URL): each mailbox is subscribed with
``<API>/edoreczenia/{unit}/on-message/{key}``, where ``key`` is an HMAC-SHA256 of the unit
and its address under a master secret kept in Secrets Manager (``EdoreczeniaCallbackSecretArn``;
the local stack generates one, a deployed stage has none unless it is set, and then every
callback is refused). A notification is accepted only at the URL of the mailbox it names.
Rotating the master secret changes every key; the next poll subscribes again with the new URLs.

Accepted notifications start the collect workflow (one Standard execution per message,
named after the unit and the message id — the same notification twice starts one) and
are answered at once with the contract's ``SuccessInfo``; the collecting, with its
retries, is the workflow's (services/edoreczenia_intake.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from pydantic import BaseModel, ConfigDict, Field

from ezd.adapters import directory_store, workflows
from ezd.adapters.edoreczenia_mailbox import callback_master_key
from ezd.config import Settings
from ezd.errors import EzdError, ValidationFailed
from ezd.models.directory import Unit

MAX_NOTIFICATIONS = 50  # the service's bulk limit
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
EVIDENCE_NOTIFICATIONS = frozenset({"NewEvidence"})


class CallbackRefused(EzdError):
    code = "EDORECZENIA_CALLBACK_KEY_INVALID"


class _Item(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1, max_length=200)
    threadId: str | None = None  # noqa: N815 - the contract's name
    type: str | None = None


class MessageStatement(BaseModel):
    """The contract's callback body."""

    model_config = ConfigDict(extra="allow")
    eDeliveryAddress: str  # noqa: N815
    notificationType: str  # noqa: N815
    electronicCount: int | None = None  # noqa: N815
    notification: list[_Item] = Field(default_factory=list, max_length=MAX_NOTIFICATIONS)


def callback_key(master: str, unit: Unit) -> str:
    mac = hmac.new(master.encode("utf-8"), f"edoreczenia-callback|{unit.symbol}|{unit.ade}".encode("utf-8"),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def callback_url(unit: Unit, settings: Settings) -> str | None:
    """Where the service is to call back for the unit's mailbox; None: no callbacks here."""
    master = callback_master_key(settings)
    if not master or not settings.edoreczenia_callback_url or not unit.ade:
        return None
    return f"{settings.edoreczenia_callback_url}/edoreczenia/{unit.symbol}/on-message/{callback_key(master, unit)}"


def execution_name(unit: str, message_id: str) -> str:
    return _NAME_UNSAFE.sub("_", f"{unit}-{message_id}")[:80]


def authenticate(unit_symbol: str, key: str, settings: Settings) -> Unit:
    unit = directory_store.get_unit(unit_symbol)
    master = callback_master_key(settings)
    # The same refusal whatever is wrong: a caller learns nothing of units or keys.
    if unit is None or not unit.ade or not master or not hmac.compare_digest(
            key.encode("utf-8"), callback_key(master, unit).encode("utf-8")):
        raise CallbackRefused("not a callback URL of this installation")
    return unit


def announce(unit: Unit, body: object, settings: Settings, correlation_id: str | None = None) -> dict[str, str]:
    """Starts the collection of each message an authenticated callback announces."""
    statement = MessageStatement.model_validate(body)
    if statement.eDeliveryAddress != unit.ade:
        raise ValidationFailed(f"the notification is for {statement.eDeliveryAddress}, not this unit's address")
    if statement.notificationType not in EVIDENCE_NOTIFICATIONS:
        if not settings.edoreczenia_collect_state_machine_arn:
            raise RuntimeError("EZD_EDORECZENIA_COLLECT_STATE_MACHINE_ARN is not set")
        for item in statement.notification:
            workflows.start(settings.edoreczenia_collect_state_machine_arn, execution_name(unit.symbol, item.id),
                            {"unit": unit.symbol, "message_ids": [item.id],
                             "correlation_id": correlation_id or execution_name(unit.symbol, item.id)})
    return {"status": "OK", "eDeliveryAddress": unit.ade or ""}

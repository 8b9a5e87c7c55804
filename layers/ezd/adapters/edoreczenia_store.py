"""DynamoDB state of the e-Doręczenia intake: per mailbox, the poll's cursor and back-off;
per received message, the marker that it was collected.

Keys (docs/data-model.md): ``EDOR#<unit>`` / ``POLL`` — the mailbox's poll state;
``EDOR#<unit>`` / ``MSG#<message id>`` — one collected message (its intake). GetItem and
PutItem only: nothing here is read by an index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from ezd.adapters.records_table import RecordItem, bind_table
from ezd.config import settings


class MailboxState(BaseModel):
    """What the scheduled poll remembers of one mailbox between runs."""

    unit: str
    # The submission time of the newest message collected in order: the next listing starts
    # there (messages at exactly that moment are told apart by their markers).
    cursor: datetime | None = None
    failures: int = 0  # consecutive failed runs; the back-off doubles with each
    not_before: datetime | None = None  # no request to the service for this mailbox before it
    last_error: str | None = None
    subscribed_url: str | None = None  # the callback URL the mailbox is subscribed with
    subscribed_at: datetime | None = None  # renewed daily: the service may have lost it


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _pk(unit: str) -> str:
    return f"EDOR#{unit}"


def get_state(unit: str) -> MailboxState:
    _bound()
    try:
        return MailboxState.model_validate(RecordItem.get(_pk(unit), "POLL", consistent_read=True).data)
    except RecordItem.DoesNotExist:
        return MailboxState(unit=unit)


def put_state(state: MailboxState) -> None:
    _bound()
    RecordItem(_pk(state.unit), "POLL", kind="edoreczenia_poll", data=state.model_dump(mode="json")).save()


def collected(unit: str, message_id: str) -> dict[str, Any] | None:
    """The marker of a message already taken into the intake, or None."""
    _bound()
    try:
        return RecordItem.get(_pk(unit), f"MSG#{message_id}", consistent_read=True).data
    except RecordItem.DoesNotExist:
        return None


def mark_collected(unit: str, message_id: str, intake_id: str, at: datetime) -> None:
    _bound()
    RecordItem(_pk(unit), f"MSG#{message_id}", kind="edoreczenia_message",
               data={"unit": unit, "message_id": message_id, "intake_id": intake_id,
                     "collected_at": at.isoformat()}).save()

"""DynamoDB access for the outgoing register and the postal dispatch book.

Lines are `RPWY#<unit>#<year>` / `<number:09d>`; the year's counter is
`COUNTER#<unit>#RPWY#<year>`. A line waiting for postage is in the registry desk's tray
(GSI1 `POSTTRAY#<unit>`); an electronic one whose workflow stopped waiting for its
evidences is in the scheduled check's list (GSI1 `DISPATCHWAIT`); a posted letter is in its day's postal book (GSI2
`POSTBOOK#<unit>#<day>`). Writes are given to services.audit.record as items with their
conditions, so the counter, the lines, the document and the metryka move together.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from ezd.adapters.records_table import RecordItem, bind_table
from ezd.config import settings
from ezd.models.outgoing_register import OutgoingItem


# Electronic items whose workflow stopped waiting for evidences: the scheduled check's list.
EVIDENCE_WAIT = "DISPATCHWAIT"


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _counter_key(unit: str, year: int) -> tuple[str, str]:
    return f"COUNTER#{unit}#RPWY#{year}", "COUNTER"


def current_counter(unit: str, year: int) -> int:
    _bound()
    try:
        return int(RecordItem.get(*_counter_key(unit, year), consistent_read=True).value or 0)
    except DoesNotExist:
        return 0


def counter_write(unit: str, year: int, expected: int, last: int) -> tuple[RecordItem, Any]:
    """The counter moved from ``expected`` to ``last``: fails if another dispatch took it."""
    _bound()
    item = RecordItem(*_counter_key(unit, year), kind="counter", value=last)
    return item, (RecordItem.pk.does_not_exist() if expected == 0 else RecordItem.value == expected)


def _line(item: OutgoingItem) -> RecordItem:
    waiting = item.status == "awaiting_postage"
    posted = item.postage is not None
    scheduled = item.status == "sent" and item.left_to_schedule
    return RecordItem(
        f"RPWY#{item.unit}#{item.year}", f"{item.number:09d}", kind="outgoing_item", value=item.version,
        gsi1pk=f"POSTTRAY#{item.unit}" if waiting else (EVIDENCE_WAIT if scheduled else None),
        gsi1sk=f"{item.registered_at.isoformat()}#{item.number:09d}" if waiting
        else (f"{item.unit}#{item.year}#{item.number:09d}" if scheduled else None),
        gsi2pk=f"POSTBOOK#{item.unit}#{item.postage.posted_on.isoformat()}" if posted else None,
        gsi2sk=f"{item.sent_at.isoformat() if item.sent_at else ''}#{item.year}#{item.number:09d}" if posted else None,
        data=item.model_dump(mode="json"),
    )


def line_write(item: OutgoingItem) -> tuple[RecordItem, Any]:
    """A new line must not exist; a changed one must still be the version it came from."""
    _bound()
    if item.version == 1:
        return _line(item), RecordItem.pk.does_not_exist()
    return _line(item), RecordItem.value == item.version - 1


class LineChanged(Exception):
    """The line is no longer the version it was read at."""


def save(item: OutgoingItem) -> None:
    """A changed line on its own (no metryka entry): bookkeeping of the dispatch workflow."""
    line, condition = line_write(item)
    try:
        line.save(condition=condition)
    except PutError as exc:
        if "ConditionalCheckFailed" in str(exc):
            raise LineChanged(f"{item.registry_number} changed meanwhile") from exc
        raise


def get(unit: str, year: int, number: int) -> OutgoingItem | None:
    _bound()
    try:
        return OutgoingItem.model_validate(RecordItem.get(f"RPWY#{unit}#{year}", f"{number:09d}",
                                                          consistent_read=True).data)
    except DoesNotExist:
        return None


def year_lines(unit: str, year: int) -> list[OutgoingItem]:
    _bound()
    return [OutgoingItem.model_validate(i.data) for i in RecordItem.query(f"RPWY#{unit}#{year}")]


def tray(unit: str) -> list[OutgoingItem]:
    _bound()
    return [OutgoingItem.model_validate(i.data) for i in RecordItem.gsi1.query(f"POSTTRAY#{unit}")]


def left_to_schedule(limit: int = 200) -> list[OutgoingItem]:
    _bound()
    return [OutgoingItem.model_validate(i.data) for i in RecordItem.gsi1.query(EVIDENCE_WAIT, limit=limit)]


def postal_book(unit: str, day: str) -> list[OutgoingItem]:
    _bound()
    return [OutgoingItem.model_validate(i.data) for i in RecordItem.gsi2.query(f"POSTBOOK#{unit}#{day}")]


def tracking_marker(unit: str, tracking_number: str, registry_number: str) -> tuple[RecordItem, Any]:
    """A numer nadawczy is used once in a unit: the marker's condition fails the second."""
    _bound()
    return (RecordItem(f"POSTNUM#{unit}#{tracking_number}", "POSTNUM", kind="tracking_number",
                       data={"registry_number": registry_number}), RecordItem.pk.does_not_exist())

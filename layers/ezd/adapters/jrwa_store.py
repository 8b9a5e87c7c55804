"""DynamoDB access for file plans (JRWA).

Items (see docs/data-model.md):

| item | PK | SK |
|---|---|---|
| class of a plan version | ``JRWA#<owner>#v<n>`` | ``<symbol>`` |
| snapshot of a published version | ``JRWASNAP#<owner>`` | ``v<n:06d>`` |
| history line of a published version | ``JRWAHIST#<owner>`` | ``v<n:06d>`` |
| a unit's current plan (pointer) | ``JRWACUR#<unit>`` | ``CURRENT`` (``value`` = version) |

Publishing a version is one transaction: the snapshot and the history line (both only if
absent) and the pointer (only if it still points at the version the change was based on).
So two administrators cannot both publish version n+1 and nothing is ever overwritten.
The per-class items are written afterwards from the snapshot (they are derived; readers
use the snapshot where there is one). The seeded city plan has class items only.
"""

from __future__ import annotations

from typing import Any, Iterable

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from ezd.adapters.records_table import RecordItem, bind_table, transaction_connection
from ezd.config import settings
from ezd.models.jrwa import JrwaClass

CITY_PLAN = "CITY"


class PublishConflict(Exception):
    """The pointer moved (or the version number was taken) since the change was read."""


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _plan_pk(owner: str, version: int) -> str:
    return f"JRWA#{owner}#v{version}"


def _version_sk(version: int) -> str:
    return f"v{version:06d}"


def _pointer_key(unit: str) -> tuple[str, str]:
    return f"JRWACUR#{unit}", "CURRENT"


def _class_item(owner: str, version: int, jrwa_class: JrwaClass) -> RecordItem:
    return RecordItem(_plan_pk(owner, version), jrwa_class.symbol, kind="jrwa_class",
                      data=jrwa_class.model_dump(mode="json"))


def put_plan(owner: str, version: int, classes: Iterable[JrwaClass]) -> None:
    """Writes the class items of a plan version (the seeding of the city plan uses this)."""
    _bound()
    with RecordItem.batch_write() as batch:
        for jrwa_class in classes:
            batch.save(_class_item(owner, version, jrwa_class))


def _class_items(owner: str, version: int) -> list[JrwaClass]:
    return [JrwaClass.model_validate(i.data)
            for i in RecordItem.query(_plan_pk(owner, version), consistent_read=True)
            if i.kind == "jrwa_class"]


def get_snapshot(owner: str, version: int) -> dict[str, Any] | None:
    """The published version's record with its classes, or None (seeded plans have none)."""
    _bound()
    try:
        item = RecordItem.get(f"JRWASNAP#{owner}", _version_sk(version), consistent_read=True)
    except DoesNotExist:
        return None
    return item.data


def get_plan(owner: str, version: int) -> list[JrwaClass]:
    """The classes of a plan version, sorted by symbol (empty if there is no such version)."""
    _bound()
    snapshot = get_snapshot(owner, version)
    if snapshot is not None:
        classes = [JrwaClass.model_validate(c) for c in snapshot["classes"]]
    else:
        classes = _class_items(owner, version)
    return sorted(classes, key=lambda c: c.symbol)


def get_class(owner: str, version: int, symbol: str) -> JrwaClass | None:
    _bound()
    try:
        item = RecordItem.get(_plan_pk(owner, version), symbol, consistent_read=True)
    except DoesNotExist:
        return None
    return JrwaClass.model_validate(item.data)


def get_pointer(unit: str) -> dict[str, Any] | None:
    """{owner, version, changed_at, changed_by, note} of the unit's current plan, or None."""
    _bound()
    pk, sk = _pointer_key(unit)
    try:
        item = RecordItem.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return None
    return item.data


def list_history(owner: str) -> list[dict[str, Any]]:
    """The history lines of the versions an owner published, oldest first."""
    _bound()
    return [i.data for i in RecordItem.query(f"JRWAHIST#{owner}", consistent_read=True)]


def latest_published(owner: str) -> int:
    """The highest version number the owner has published (0 if none)."""
    _bound()
    for item in RecordItem.query(f"JRWAHIST#{owner}", scan_index_forward=False, limit=1, consistent_read=True):
        return int(item.value or 0)
    return 0


def publish(owner: str, version: int, classes: list[JrwaClass], record: dict[str, Any],
            expected_version: int | None) -> None:
    """Publishes ``version`` of the owner's plan and points the owner's current plan at it.

    ``expected_version`` is the version the pointer must still carry (None: there must be
    no pointer yet, the owner still follows the plan it inherited).
    Raises PublishConflict when another publication came first.
    """
    _bound()
    snapshot = RecordItem(f"JRWASNAP#{owner}", _version_sk(version), kind="jrwa_snapshot", value=version,
                          data={**record, "classes": [c.model_dump(mode="json") for c in classes]})
    history = RecordItem(f"JRWAHIST#{owner}", _version_sk(version), kind="jrwa_version", value=version,
                         data=record)
    pk, sk = _pointer_key(owner)
    pointer = RecordItem(pk, sk, kind="jrwa_pointer", value=version,
                         data={"owner": owner, "version": version, "changed_at": record.get("published_at"),
                               "changed_by": record.get("published_by"), "note": record.get("note")})
    connection = transaction_connection()
    try:
        with TransactWrite(connection=connection) as tx:
            tx.save(snapshot, condition=RecordItem.pk.does_not_exist())
            tx.save(history, condition=RecordItem.pk.does_not_exist())
            if expected_version is None:
                tx.save(pointer, condition=RecordItem.pk.does_not_exist())
            else:
                tx.save(pointer, condition=RecordItem.value == expected_version)
    except TransactWriteError as exc:
        reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]
        if not reasons or any(code in ("ConditionalCheckFailed", "TransactionConflict") for code in reasons):
            raise PublishConflict(str(exc)) from exc
        raise
    # Derived per-class items; the snapshot above is already complete and authoritative.
    put_plan(owner, version, classes)

"""DynamoDB access for the quarantine quotas: what each source left there per hour.

| item | PK | SK |
|---|---|---|
| usage of an hour | `QUOTA#<source>` | `<YYYY-MM-DDTHH>` (UTC hour; `value` = count, `quota_bytes`) |

The counters are ADDed atomically and expire (TTL) a day after their hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist

from ezd.adapters.records_table import RecordItem, bind_table
from ezd.config import settings

KEEP_FOR = timedelta(days=1)


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _hour(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


def usage(source: str, moment: datetime) -> tuple[int, int]:
    """(count, bytes) the source left in the quarantine in the hour of ``moment``."""
    _bound()
    try:
        item = RecordItem.get(f"QUOTA#{source}", _hour(moment), consistent_read=True)
    except DoesNotExist:
        return 0, 0
    return int(item.value or 0), int(item.quota_bytes or 0)


def add(source: str, moment: datetime, size: int) -> None:
    _bound()
    item = RecordItem(f"QUOTA#{source}", _hour(moment))
    item.update(actions=[
        RecordItem.kind.set("quota"),
        RecordItem.value.add(1),
        RecordItem.quota_bytes.add(size),
        RecordItem.expires_at.set(int((moment + KEEP_FOR).timestamp())),
    ])


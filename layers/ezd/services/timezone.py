"""Polish legal time: dates of receipt and registers follow Europe/Warsaw."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def local_date(moment: datetime) -> date:
    return moment.astimezone(WARSAW).date()


def local_year(moment: datetime) -> int:
    return local_date(moment).year

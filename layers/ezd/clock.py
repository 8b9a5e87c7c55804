"""The one clock of the system: every "now" and "today" is read here.

Polish legal time: dates of receipt, registers, deadlines and case years follow
Europe/Warsaw, so "today" is the Warsaw date (at 00:30 in Warsaw the UTC date is still
yesterday). Stored moments are UTC.

The clock is injectable: ``frozen(moment)`` pins it (pure tests of services),
``set_source(fn)`` replaces it. The whole process — the embedded stack's in-process
Lambdas included — reads this one source, so a test process started under Debian's
``faketime`` moves every part of the system together.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Callable, Iterator
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


def _system_now() -> datetime:
    return datetime.now(timezone.utc)


_source: Callable[[], datetime] = _system_now
_lock = threading.Lock()


def now_utc() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    moment = _source()
    if moment.tzinfo is None:
        raise ValueError("the clock's source must return timezone-aware datetimes")
    return moment.astimezone(timezone.utc)


def timestamp() -> float:
    """Seconds since the epoch (token expiry and the like)."""
    return now_utc().timestamp()


def today() -> date:
    """Today's date in Poland."""
    return local_date(now_utc())


def local_date(moment: datetime) -> date:
    return moment.astimezone(WARSAW).date()


def local_year(moment: datetime) -> int:
    return local_date(moment).year


def set_source(source: Callable[[], datetime] | None) -> None:
    """Replaces the clock (None restores the system clock)."""
    global _source
    with _lock:
        _source = source or _system_now


@contextmanager
def frozen(moment: datetime) -> Iterator[datetime]:
    """Pins the clock at ``moment`` (timezone-aware) for the duration of the block."""
    if moment.tzinfo is None:
        raise ValueError("a frozen moment must be timezone-aware")
    previous = _source
    set_source(lambda: moment)
    try:
        yield moment
    finally:
        set_source(previous)

"""Quarantine quotas: no source can fill the locked quarantine.

Everything rejected is kept under a compliance lock that nobody can lift, so the
quarantine is a place where strangers could otherwise leave data nobody may delete. Only
authenticated input reaches it (ePUAP's signed pushes and its pull, the registry desk's
paper letters), and each source has an hourly allowance of rejected inputs (count and
bytes). A source over its allowance has its further input refused (429) and not stored
until the hour is over; other sources are unaffected.

Sources: `epuap-push:<unit>`, `epuap-pull:<unit>`, `paper:<login>`. The check happens when
input arrives and the charge when it is quarantined, so inputs in flight at that moment
may overshoot the allowance by their number; that bounds it well enough.
"""

from __future__ import annotations

from ezd.adapters import quota_store
from ezd.clock import now_utc
from ezd.config import Settings
from ezd.errors import EzdError


class QuotaExceeded(EzdError):
    code = "QUOTA_EXCEEDED"


def source_of(channel: str, unit: str, *, mode: str | None = None, clerk: str | None = None) -> str:
    if channel == "epuap":
        return f"epuap-{mode or 'pull'}:{unit}"
    if channel == "edoreczenia":
        return f"edoreczenia:{unit}"
    return f"paper:{clerk or unit}"


def check(source: str, settings: Settings) -> None:
    count, size = quota_store.usage(source, now_utc())
    if count >= settings.quarantine_quota_count or size >= settings.quarantine_quota_bytes:
        raise QuotaExceeded(f"{source} left {count} rejected inputs ({size} bytes) in the quarantine this hour; "
                            "further input is refused until the hour is over")


def charge(source: str | None, size: int) -> None:
    if source:
        quota_store.add(source, now_utc(), size)

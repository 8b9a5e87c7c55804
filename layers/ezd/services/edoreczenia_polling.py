"""The scheduled e-Doręczenia poll: the fallback for messages no callback announced.

Per unit mailbox, with its state persisted between runs (adapters/edoreczenia_store.py):
- **back-off**: a run that fails (the service unreachable, 5xx, 429, a refusal) sets
  ``not_before`` = now + min(cap, first × 2^(failures−1)), at least the service's
  ``Retry-After``; until then a scheduled run makes *no* request for that mailbox. A good
  run clears it. Nothing is retried inline (the client has one attempt per request): the
  national service suffered from systems asking again and again.
- **subscription**: a mailbox not yet subscribed with its current callback URL is
  subscribed first (``PUT message_subscriptions``, ``messageCallbackUrl``), and again
  once a day.
- **cursor**: the inbox is listed oldest first from the submission time of the last
  message collected in order; a listed message already marked collected is skipped
  without being read. So a collected message is never asked for again.
- each new message goes through services/edoreczenia_intake.py (the callback's path).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from ezd.adapters import directory_store, edoreczenia_store
from ezd.adapters.edoreczenia_client import EdoreczeniaClient, EdoreczeniaRateLimited
from ezd.adapters.edoreczenia_mailbox import client_for, configured
from ezd.adapters.edoreczenia_store import MailboxState
from ezd.clock import now_utc
from ezd.config import Settings
from ezd.errors import EzdError
from ezd.models.directory import Unit
from ezd.services.edoreczenia_callback import callback_url
from ezd.services.edoreczenia_intake import Collected, collect_message

MAX_PER_MAILBOX_AND_RUN = 50
# A subscription is renewed (PUT again, which replaces it) once a day, in case the service
# lost it (the local simulator's state does not survive a restart; a provider's may not).
RESUBSCRIBE_AFTER = timedelta(days=1)


class MailboxPollResult(BaseModel):
    unit: str
    listed: int = 0
    collected: int = 0
    intake_ids: list[str] = []
    error: str | None = None
    deferred_until: datetime | None = None  # in back-off: nothing was asked of the service
    subscribed: bool = False  # subscribed (again) in this run


class EdoreczeniaPollReport(BaseModel):
    mailboxes: list[MailboxPollResult]

    @property
    def collected(self) -> int:
        return sum(m.collected for m in self.mailboxes)


def backoff_delay(failures: int, settings: Settings, retry_after: float | None = None) -> timedelta:
    seconds = min(settings.edoreczenia_backoff_cap_seconds,
                  settings.edoreczenia_backoff_first_seconds * 2 ** max(0, failures - 1))
    if retry_after is not None:
        seconds = max(seconds, min(retry_after, settings.edoreczenia_backoff_cap_seconds))
    return timedelta(seconds=seconds)


def _subscribe(unit: Unit, client: EdoreczeniaClient, state: MailboxState, settings: Settings,
               now: datetime) -> bool:
    url = callback_url(unit, settings)
    if url is None or (state.subscribed_url == url and state.subscribed_at is not None
                       and now - state.subscribed_at < RESUBSCRIBE_AFTER):
        return False
    client.subscribe(on_message=url)
    state.subscribed_url, state.subscribed_at = url, now
    return True


def _collect_new(unit: Unit, client: EdoreczeniaClient, state: MailboxState, settings: Settings,
                 result: MailboxPollResult, correlation_id: str | None) -> None:
    for message in client.list_received(since=state.cursor, limit=MAX_PER_MAILBOX_AND_RUN):
        result.listed += 1
        collected: Collected = collect_message(unit, client, message.message_id, settings, correlation_id)
        if not collected.already:
            result.collected += 1
            result.intake_ids.append(collected.intake_id)
        if message.submission_date is not None and (state.cursor is None or message.submission_date > state.cursor):
            state.cursor = message.submission_date  # only past what is collected: a failure stops here


def poll_mailbox(unit: Unit, settings: Settings, correlation_id: str | None = None) -> MailboxPollResult:
    result = MailboxPollResult(unit=unit.symbol)
    state = edoreczenia_store.get_state(unit.symbol)
    before = state.model_copy()
    now = now_utc()
    if state.not_before is not None and now < state.not_before:
        result.deferred_until = state.not_before
        return result
    assert unit.ade
    try:
        client = client_for(unit.ade, settings)
        result.subscribed = _subscribe(unit, client, state, settings, now)
        _collect_new(unit, client, state, settings, result, correlation_id)
    except (EzdError, OSError) as exc:
        # One mailbox's trouble must not stop the others; the message stays in the service.
        state.failures += 1
        retry_after = exc.retry_after if isinstance(exc, EdoreczeniaRateLimited) else None
        state.not_before = now + backoff_delay(state.failures, settings, retry_after)
        state.last_error = result.error = f"{type(exc).__name__}: {exc}"[:500]
        result.deferred_until = state.not_before
    else:
        state.failures, state.not_before, state.last_error = 0, None, None
    if state != before:  # a quiet mailbox costs one read a run, no write
        edoreczenia_store.put_state(state)
    return result


def poll(settings: Settings, unit_symbol: str | None = None, correlation_id: str | None = None) -> EdoreczeniaPollReport:
    if not configured(settings):
        return EdoreczeniaPollReport(mailboxes=[])
    if unit_symbol:
        unit = directory_store.get_unit(unit_symbol)
        units = [unit] if unit else []
    else:
        units = directory_store.list_units()
    return EdoreczeniaPollReport(mailboxes=[poll_mailbox(u, settings, correlation_id) for u in units if u.ade])


def collect(settings: Settings, unit_symbol: str, message_ids: list[str],
            correlation_id: str | None = None) -> list[Collected]:
    """The collect workflow's step: the messages a callback announced. A failure raises
    (the workflow's Retry, then the scheduled poll, take it up)."""
    unit = directory_store.get_unit(unit_symbol)
    if unit is None or not unit.ade:
        raise EzdError(f"no unit {unit_symbol} with an e-delivery address", code="UNKNOWN_RECIPIENT")
    client = client_for(unit.ade, settings)
    return [collect_message(unit, client, message_id, settings, correlation_id) for message_id in message_ids]

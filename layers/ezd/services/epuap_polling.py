"""The scheduled WS-Pull run: collect what waits in the units' ePUAP inboxes.

For each letter: pobierzNastepny, durable store and workflow start, and only then
potwierdzOdebranie with the letter's skrot. If anything before the confirmation fails,
ePUAP keeps offering the letter and the next run collects it again; the register step
answers such a repeat as a duplicate with the first number.
"""

from __future__ import annotations

from pydantic import BaseModel

from ezd.adapters import directory_store
from ezd.adapters.epuap_client import EpuapPullClient
from ezd.config import Settings
from ezd.errors import EzdError
from ezd.models.directory import Unit
from ezd.services.delivery import accept_epuap_document

MAX_PER_UNIT_AND_RUN = 200


class UnitPollResult(BaseModel):
    unit: str
    waiting: int = 0
    collected: int = 0
    intake_ids: list[str] = []
    error: str | None = None


class PollReport(BaseModel):
    units: list[UnitPollResult]

    @property
    def collected(self) -> int:
        return sum(u.collected for u in self.units)


def poll_unit(unit: Unit, settings: Settings, correlation_id: str | None = None) -> UnitPollResult:
    client = EpuapPullClient(
        f"{settings.epuap_endpoint.rstrip('/')}/pull", unit.podmiot, unit.box_name, unit.esp_address
    )
    result = UnitPollResult(unit=unit.symbol)
    try:
        result.waiting = client.pending_count()
        while result.waiting and result.collected < MAX_PER_UNIT_AND_RUN:
            document = client.fetch_next()
            if document is None:
                break
            request = accept_epuap_document(document, "pull", settings, correlation_id, unit=unit)
            client.confirm(document.skrot)
            result.collected += 1
            result.intake_ids.append(request.intake_id)
    except (EzdError, OSError) as exc:
        # One unit's trouble must not stop the others; the letter stays in ePUAP.
        result.error = f"{type(exc).__name__}: {exc}"
    return result


def poll(settings: Settings, unit_symbol: str | None = None, correlation_id: str | None = None) -> PollReport:
    if unit_symbol:
        unit = directory_store.get_unit(unit_symbol)
        units = [unit] if unit else []
    else:
        units = directory_store.list_units()
    return PollReport(units=[poll_unit(u, settings, correlation_id) for u in units])

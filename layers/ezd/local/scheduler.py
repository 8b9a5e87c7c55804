"""Fires the template's schedules locally.

moto stores EventBridge rules but never fires them; this runs each schedule's target
(a Lambda function) at its rate through the Lambda API, as EventBridge would.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable

from ezd.local.provision import Schedule

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_SECONDS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def interval_seconds(expression: str) -> int:
    match = _RATE.match(expression.strip())
    if not match:
        raise ValueError(f"only rate() schedules run locally, not {expression!r}")
    return int(match.group(1)) * _SECONDS[match.group(2)]


class LocalScheduler:
    def __init__(self, schedules: list[Schedule], invoke: Callable[[str, str], Any], speedup: float = 1.0) -> None:
        self._schedules = schedules
        self._invoke = invoke
        self._speedup = max(speedup, 0.001)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for schedule in self._schedules:
            thread = threading.Thread(target=self._run, args=(schedule,), name=f"schedule-{schedule.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run(self, schedule: Schedule) -> None:
        period = interval_seconds(schedule.expression) / self._speedup
        while not self._stop.wait(period):
            try:
                self._invoke(schedule.function_name, schedule.input)
            except Exception as exc:  # noqa: BLE001 - a failed run must not stop the schedule
                print(f"schedule {schedule.name} failed: {exc}")

    def stop(self) -> None:
        self._stop.set()

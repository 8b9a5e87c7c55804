"""Fires the template's schedules locally.

moto stores EventBridge rules but never fires them; this runs each schedule's target
(a Lambda function) at its rate through the Lambda API, as EventBridge would. It also runs
what AWS does by itself and moto not at all: S3 lifecycle, daily (``LocalTask``).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Callable

from ezd.local.provision import Schedule

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_SECONDS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def interval_seconds(expression: str) -> int:
    match = _RATE.match(expression.strip())
    if not match:
        raise ValueError(f"only rate() schedules run locally, not {expression!r}")
    return int(match.group(1)) * _SECONDS[match.group(2)]


@dataclass
class LocalTask:
    """Work of a service that AWS does on its own: first ``first_after`` seconds after the
    start (a stack that runs for an afternoon still gets its daily run), then every
    ``interval`` seconds (both divided by the speedup)."""

    name: str
    interval: float
    run: Callable[[], Any]
    first_after: float = 60.0


class LocalScheduler:
    def __init__(self, schedules: list[Schedule], invoke: Callable[[str, str], Any], speedup: float = 1.0,
                 tasks: list[LocalTask] | None = None) -> None:
        self._schedules = schedules
        self._invoke = invoke
        self._speedup = max(speedup, 0.001)
        self._tasks = tasks or []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for schedule in self._schedules:
            thread = threading.Thread(target=self._run, args=(schedule,), name=f"schedule-{schedule.name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        for task in self._tasks:
            thread = threading.Thread(target=self._run_task, args=(task,), name=f"task-{task.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run_task(self, task: LocalTask) -> None:
        wait = task.first_after / self._speedup
        while not self._stop.wait(wait):
            try:
                task.run()
            except Exception as exc:  # noqa: BLE001 - a failed run must not stop the next
                print(f"task {task.name} failed: {exc}")
            wait = task.interval / self._speedup

    def _run(self, schedule: Schedule) -> None:
        period = interval_seconds(schedule.expression) / self._speedup
        while not self._stop.wait(period):
            try:
                self._invoke(schedule.function_name, schedule.input)
            except Exception as exc:  # noqa: BLE001 - a failed run must not stop the schedule
                print(f"schedule {schedule.name} failed: {exc}")

    def stop(self) -> None:
        self._stop.set()

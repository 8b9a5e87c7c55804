"""Step Functions executions: in AWS they are durable; here each start and each end is
journaled, and after a restart every execution that had not ended is started again with
the same name and input.

Why re-run rather than restore: moto's interpreter keeps an execution's position as
Python threads and objects that cannot be saved. Re-running is safe because every step
of the workflows is idempotent (the register step recognises its own commit, the
receipt step reuses an issued receipt, routing returns its existing state, a wait for a
person stores a fresh task token or completes at once when the person already decided),
so a re-run ends where the original stood — typically waiting in a ``.waitForTaskToken``
state with a new token in the document's routing item.

Records: ``("sfn", "start", execution arn, state machine arn, name, input)`` and
``("sfn", "end", execution arn)``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

KIND = "sfn"
Record = tuple[Any, ...]
Append = Callable[[list[Record]], Any]


@dataclass(frozen=True)
class Unfinished:
    execution_arn: str
    state_machine_arn: str
    name: str
    input: str


class ExecutionTracker:
    """Knows which executions have started and not ended; journals both events."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._unfinished: dict[str, Unfinished] = {}  # insertion order = start order
        # The execution objects started in this process, by arn: an end counts only if it
        # is theirs (a thread of a stopped stack's execution may still end later).
        self._live: dict[str, Any] = {}
        self._append: Append | None = None
        self._frozen = False

    # -- recording ----------------------------------------------------------------------

    def attach(self, append: Append) -> None:
        """From now on, starts and ends are journaled through ``append``."""
        with self._lock:
            self._append = append
            self._frozen = False

    def freeze(self) -> None:
        """The stack is stopping: executions failing because moto goes away have not
        really ended, and must be continued after the restart."""
        with self._lock:
            self._frozen = True
            self._append = None

    def started(self, execution: Any) -> None:
        with self._lock:
            if self._frozen or self._append is None:
                return
            entry = Unfinished(execution.execution_arn, execution.state_machine_arn, execution.name,
                               execution.execution_input)
            self._unfinished[entry.execution_arn] = entry
            self._live[entry.execution_arn] = execution
            self._append([(KIND, "start", entry.execution_arn, entry.state_machine_arn, entry.name, entry.input)])

    def ended(self, execution: Any) -> None:
        with self._lock:
            arn = execution.execution_arn
            if self._frozen or self._append is None or self._live.get(arn) is not execution:
                return
            del self._live[arn]
            if self._unfinished.pop(arn, None) is not None:
                self._append([(KIND, "end", arn)])

    # -- state ----------------------------------------------------------------------------

    def apply(self, record: Record) -> None:
        if record[1] == "start":
            _, _, arn, machine, name, payload = record
            self._unfinished[arn] = Unfinished(arn, machine, name, payload)
        else:
            self._unfinished.pop(record[2], None)

    def unfinished(self) -> list[Unfinished]:
        with self._lock:
            return list(self._unfinished.values())

    def snapshot_records(self) -> list[Record]:
        return [(KIND, "start", e.execution_arn, e.state_machine_arn, e.name, e.input) for e in self.unfinished()]


_tracker: ExecutionTracker | None = None
_installed = False


def install_hooks(tracker: ExecutionTracker) -> None:
    """Reports starts and ends of moto's executions to ``tracker``."""
    global _tracker, _installed
    _tracker = tracker
    if _installed:
        return
    from moto.stepfunctions.parser.api import ExecutionStatus
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original_start = StepFunctionsParserBackend.start_execution
    original_terminated = BaseExecutionWorkerCommunication.terminated

    def start_execution(self: Any, *args: Any, **kwargs: Any) -> Any:
        execution = original_start(self, *args, **kwargs)
        # An idempotent repeat returns the running execution; recording it again is harmless.
        if _tracker is not None and execution.exec_status == ExecutionStatus.RUNNING:
            _tracker.started(execution)
        return execution

    def terminated(self: Any) -> None:
        original_terminated(self)
        if _tracker is not None:
            _tracker.ended(self.execution)

    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign]
    BaseExecutionWorkerCommunication.terminated = terminated  # type: ignore[method-assign]
    _installed = True


class Resumer:
    """Starts the unfinished executions again, a few at a time, in the background.

    An execution counts as settled once it ended or is waiting for a task token (its
    latest event is ``TaskSubmitted``); only then is the next one started, so a restart
    after a busy day does not start thousands of workflows at once.
    """

    def __init__(self, client: Any, executions: list[Unfinished], *, window: int = 4,
                 settle_timeout: float = 120.0) -> None:
        self._client = client
        self._queue = list(executions)
        self._window = window
        self._settle_timeout = settle_timeout
        self._stop = threading.Event()
        self.done = threading.Event()
        self.resumed = 0
        self.failed: list[tuple[str, str]] = []
        self._thread = threading.Thread(target=self._run, name="resume-executions", daemon=True)

    def start(self) -> None:
        if not self._queue:
            self.done.set()
            return
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _settled(self, arn: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            if self._client.describe_execution(executionArn=arn)["status"] != "RUNNING":
                return True
            # moto ignores reverseOrder and maxResults: the whole history, oldest first.
            events = self._client.get_execution_history(executionArn=arn)["events"]
        except ClientError:
            return True
        return bool(events) and events[-1]["type"] == "TaskSubmitted"

    def _run(self) -> None:
        from botocore.exceptions import ClientError

        in_flight: dict[str, float] = {}
        try:
            while (self._queue or in_flight) and not self._stop.is_set():
                while self._queue and len(in_flight) < self._window:
                    entry = self._queue.pop(0)
                    try:
                        self._client.start_execution(stateMachineArn=entry.state_machine_arn, name=entry.name,
                                                     input=entry.input)
                        in_flight[entry.execution_arn] = time.monotonic()
                        self.resumed += 1
                    except ClientError as exc:
                        # e.g. the state machine left the template: keep it for a later start.
                        log.warning("cannot continue execution %s: %s", entry.execution_arn, exc)
                        self.failed.append((entry.execution_arn, str(exc)))
                if self._stop.wait(0.1):
                    break
                now = time.monotonic()
                for arn, since in list(in_flight.items()):
                    if now - since > self._settle_timeout or self._settled(arn):
                        del in_flight[arn]
        except Exception:  # the stack may be stopping under us
            if not self._stop.is_set():
                log.exception("continuing executions failed")
        finally:
            self.done.set()

"""moto's ``Wait`` state, waiting in steps of ``time.sleep`` instead of one timed Event wait.

moto's interpreter waits a ``Wait`` state's seconds with ``threading.Event.wait(timeout)``,
interruptible when the execution is stopped. That is a wait on an absolute deadline of a
clock the process may not share with the kernel: under a shifted clock (libfaketime, as
the date tests run ``TZ=UTC faketime '2027-04-30 23:30:00' pytest``) the deadline lies
months away and the state never ends. Retry intervals already use ``time.sleep`` (a
relative sleep) and are not affected. Here the Wait sleeps in slices of at most 0.2 s,
relative, and checks between them whether the execution is still running, so a stopped
execution still ends its wait within a slice. The seconds waited are the state's own:
nothing is shortened (tests shorten the dispatch's waits by the template's parameter).
tests/unit/test_moto_sfn_wait.py runs a definition with a Wait state through it.
"""

from __future__ import annotations

import time
from typing import Any

SLICE_SECONDS = 0.2
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    WaitFunction._wait_interval = _wait_interval  # type: ignore[method-assign]
    _installed = True


def _wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
    deadline = time.monotonic() + max(0, wait_seconds)
    while env.is_running():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(SLICE_SECONDS, left))

"""What every benchmark measures the same way: percentiles, CPU time, peak memory."""

from __future__ import annotations

import resource
import sys
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def cpu_seconds() -> float:
    """CPU time of this whole process (all threads), user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def bench_stack(prefix: str) -> tuple[Any, Any]:
    """A state directory of its own and an embedded stack in it (not started), with the
    per-request log lines of its servers quietened: (directory, LocalStack)."""
    import logging
    import tempfile
    import warnings
    from pathlib import Path

    from ezd.local.stack import LocalStack

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    temp = Path(tempfile.mkdtemp(prefix=prefix))
    return temp, LocalStack(temp / "stack", api_port=0, run_schedules=False)

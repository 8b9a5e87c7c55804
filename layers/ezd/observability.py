"""Powertools wiring shared by every handler: one logger, tracer and metrics per function.

The correlation id of a workflow is its intake id; every step logs with it, so one
letter's path through the functions can be followed in the logs.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

__all__ = ["Logger", "Metrics", "Tracer", "MetricUnit", "tools"]


def tools(service: str) -> tuple[Logger, Tracer, Metrics]:
    return Logger(service=service), Tracer(service=service), Metrics(service=service)

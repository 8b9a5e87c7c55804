"""Intake step after registration: propose the JRWA class by the unit's rules."""

from typing import Any

from ezd.observability import MetricUnit, tools
from ezd.services.routing import start_routing

logger, tracer, metrics = tools("intake-classify")


@logger.inject_lambda_context(correlation_id_path="correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = start_routing(event["document_id"])
    metrics.add_metric(name=f"Documents_{state.status}", unit=MetricUnit.Count, value=1)
    jrwa = state.classification.jrwa_symbol if state.classification else None
    logger.info("classification", extra={"status": state.status, "jrwa": jrwa})
    return {"status": "unclassified" if state.status == "unclassified" else "classified", "jrwa": jrwa}

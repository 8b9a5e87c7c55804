"""Scheduled daily (and on demand): sign the heads of the units' audit chains into the
locked anchor bucket, so the metryka can be checked against something outside the table."""

from typing import Any

from ezd.config import settings
from ezd.observability import MetricUnit, tools
from ezd.services.audit_anchor import anchor_all, anchor_unit

logger, tracer, metrics = tools("audit-anchor")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("unit"):
        runs = [anchor_unit(event["unit"], settings(), force=bool(event.get("force")))]
    else:
        runs = anchor_all(settings())
    written = [r for r in runs if r.key]
    metrics.add_metric(name="AuditAnchorsWritten", unit=MetricUnit.Count, value=len(written))
    logger.info("anchored", extra={"units": len(runs), "written": len(written)})
    return {"units": len(runs), "written": [r.model_dump() for r in written]}

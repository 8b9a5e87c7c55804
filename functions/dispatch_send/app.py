"""The electronic dispatch workflow's steps (statemachines/dispatch.asl.json): send an
outgoing item through its channel, check for its evidences, record a failure."""

from typing import Any

from ezd.config import settings
from ezd.observability import MetricUnit, tools
from ezd.services.dispatch import electronic

logger, tracer, metrics = tools("dispatch-send")


@logger.inject_lambda_context(correlation_id_path="correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("source") == "schedule":  # the lines whose workflow stopped waiting
        report = electronic.scheduled(settings())
        metrics.add_metric(name="OutgoingItemsDelivered", unit=MetricUnit.Count, value=report["delivered"])
        logger.info("scheduled evidence check", extra=report)
        return report
    step = str(event.get("step") or "")
    unit, year, number = str(event["unit"]), int(event["year"]), int(event["number"])
    if step == "send":
        answer = electronic.send(unit, year, number, settings())
        metrics.add_metric(name="OutgoingItemsSent", unit=MetricUnit.Count, value=int(answer["status"] != "failed"))
    elif step == "check":
        answer = electronic.check(unit, year, number, int(event.get("attempt") or 0), settings())
    elif step == "leave":
        answer = electronic.leave(unit, year, number)
    elif step == "fail":
        error = event.get("error") or {}
        answer = electronic.fail(unit, year, number, str(error.get("Error") or "DispatchFailed"),
                                 str(error.get("Cause") or ""))
        metrics.add_metric(name="OutgoingItemsFailed", unit=MetricUnit.Count, value=1)
    else:
        raise ValueError(f"unknown dispatch step {step!r}")
    logger.info("dispatch step", extra={"step": step, "unit": unit, "year": year, "number": number,
                                        "status": answer["status"]})
    return answer

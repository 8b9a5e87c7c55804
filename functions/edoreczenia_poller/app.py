"""e-Doręczenia intake: the scheduled poll of the units' mailboxes (with back-off), and the
collect workflow's step for the messages a subscription callback announced."""

from typing import Any

from ezd.config import settings
from ezd.observability import MetricUnit, tools
from ezd.services.edoreczenia_polling import collect, poll

logger, tracer, metrics = tools("edoreczenia-poller")


@logger.inject_lambda_context(correlation_id_path="correlation_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    correlation_id = event.get("correlation_id") or context.aws_request_id
    if event.get("message_ids"):  # from the collect workflow: a callback announced these
        done = collect(settings(), str(event["unit"]), [str(m) for m in event["message_ids"]], correlation_id)
        metrics.add_metric(name="EdoreczeniaMessagesCollected", unit=MetricUnit.Count,
                           value=sum(1 for c in done if not c.already))
        logger.info("collected", extra={"unit": event["unit"], "messages": [c.model_dump() for c in done]})
        return {"unit": event["unit"], "collected": [c.model_dump() for c in done]}
    report = poll(settings(), unit_symbol=event.get("unit"), correlation_id=correlation_id)
    metrics.add_metric(name="EdoreczeniaMessagesCollected", unit=MetricUnit.Count, value=report.collected)
    for mailbox in report.mailboxes:
        if mailbox.error:
            logger.warning("poll failed; backing off", extra={"unit": mailbox.unit, "error": mailbox.error,
                                                             "not_before": str(mailbox.deferred_until)})
    return report.model_dump(mode="json")

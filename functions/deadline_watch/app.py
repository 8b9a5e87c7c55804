"""Scheduled daily: cases due soon and overdue; their officers and managers are told."""

from datetime import date
from typing import Any

from ezd.observability import MetricUnit, tools
from ezd.services.deadline_watch import notify_due
from ezd import clock

logger, tracer, metrics = tools("deadline-watch")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    today = date.fromisoformat(event["today"]) if event.get("today") else clock.today()
    reports = notify_due(today, int(event.get("within_days", 7)), event.get("unit"))
    overdue = sum(len(r.overdue) for r in reports)
    metrics.add_metric(name="CasesOverdue", unit=MetricUnit.Count, value=overdue)
    metrics.add_metric(name="CasesDueSoon", unit=MetricUnit.Count, value=sum(len(r.due_soon) for r in reports))
    return {"units": len(reports), "overdue": overdue,
            "reports": [r.model_dump(mode="json") for r in reports if r.overdue or r.due_soon]}

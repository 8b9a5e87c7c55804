"""Routes of classification, decretation, queues and the personal inbox."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from ezd.adapters import registry_store
from ezd.api.common import Blueprint, handled, int_param, json_body, principal_in, query
from ezd.api.openapi import responds
from ezd.errors import NotFound
from ezd.models.routing import ClassificationRule, Decretation, DecretationKind, DecretationModelRule, Target
from ezd.services import access, routing, routing_config, routing_views
from ezd.services.classification import LetterFacts

blueprint = Blueprint(__name__)


def _principal_in(unit: str):
    return principal_in(blueprint.current_request, unit)


def _document_in(unit: str, document_id: str, principal) -> None:
    """The document is the unit's and the caller may know it (404 otherwise)."""
    access.open_document(unit, document_id, principal)


class ClassificationBody(BaseModel):
    jrwa_symbol: str | None = Field(default=None, pattern=r"^\d{1,4}$")


class DecretationBody(BaseModel):
    login: str | None = None
    cell: str | None = None
    kind: DecretationKind = "do_zalatwienia"
    note: str | None = Field(default=None, max_length=2000)
    deadline: date | None = None


class ReturnBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class Acknowledged(BaseModel):
    """A copy "do wiadomości" read and cleared from the inbox."""

    acknowledged: str  # the decretation's id


@blueprint.route("/units/{unit}/documents/{document_id}/routing")
@responds(routing_views.RoutingView)
@handled
def routing_of(unit: str, document_id: str) -> dict[str, Any]:
    """Where the document stands, and every decretation of it."""
    principal = _principal_in(unit)
    _document_in(unit, document_id, principal)
    return routing_views.routing_view(document_id, principal).model_dump(mode="json")


@blueprint.route("/units/{unit}/documents/{document_id}/classification", methods=["POST"])
@handled
def classify(unit: str, document_id: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    _document_in(unit, document_id, principal)
    body = ClassificationBody.model_validate(json_body(blueprint.current_request))
    return routing.classify(document_id, principal, body.jrwa_symbol).model_dump(mode="json", exclude={"pending_token"})


@blueprint.route("/units/{unit}/documents/{document_id}/decretations", methods=["POST"])
@handled
def decree(unit: str, document_id: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    _document_in(unit, document_id, principal)
    body = DecretationBody.model_validate(json_body(blueprint.current_request))
    target = Target(login=body.login, cell=body.cell)
    return routing.decree(document_id, principal, target, body.kind, body.note, body.deadline).model_dump(mode="json")


@blueprint.route("/units/{unit}/documents/{document_id}/accept", methods=["POST"])
@responds(Decretation)
@handled
def accept(unit: str, document_id: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    _document_in(unit, document_id, principal)
    return routing.accept(document_id, principal).model_dump(mode="json")


@blueprint.route("/units/{unit}/documents/{document_id}/return", methods=["POST"])
@responds(Decretation)
@handled
def give_back(unit: str, document_id: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    _document_in(unit, document_id, principal)
    body = ReturnBody.model_validate(json_body(blueprint.current_request))
    return routing.return_decretation(document_id, principal, body.reason).model_dump(mode="json")


@blueprint.route("/units/{unit}/documents/{document_id}/decretations/{decretation_id}/acknowledge", methods=["POST"])
@responds(Acknowledged)
@handled
def acknowledge(unit: str, document_id: str, decretation_id: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    _document_in(unit, document_id, principal)
    routing.acknowledge(document_id, decretation_id, principal)
    return {"acknowledged": decretation_id}


@blueprint.route("/units/{unit}/queues/{name}")
@responds(routing_views.QueueAnswer)
@handled
def queue(unit: str, name: str) -> dict[str, Any]:
    """A queue of the unit: `registry` (to classify) or `managers` (to decree)."""
    principal = _principal_in(unit)
    if name not in ("registry", "managers"):
        raise NotFound(f"no queue {name}")
    items = routing_views.queue_of(unit, principal, name)
    return {"items": [routing_views.snapshot(i).model_dump(mode="json") for i in items]}


@blueprint.route("/units/{unit}/decretation-targets")
@responds(routing_views.DecretationTargets)
@handled
def decretation_targets(unit: str) -> dict[str, Any]:
    """Whom the unit's managers can decree to: its active people and its komórki."""
    principal = _principal_in(unit)
    return routing_views.decretation_targets(unit, principal).model_dump(mode="json")


@blueprint.route("/units/{unit}/inbox")
@responds(routing_views.InboxAnswer)
@handled
def inbox(unit: str) -> dict[str, Any]:
    """The caller's own items and their komórka's, newest first."""
    principal = _principal_in(unit)
    limit = int_param(query(blueprint.current_request).get("limit"), "limit", 100)
    return {"items": [i.model_dump(mode="json") for i in routing_views.inbox_of(principal, limit)]}


@blueprint.route("/units/{unit}/my-notifications")
@handled
def my_notifications(unit: str) -> dict[str, Any]:
    principal = _principal_in(unit)
    items = registry_store.list_notifications(unit, f"USER#{principal.login}")
    return {"items": [n.model_dump(mode="json") for n in items]}


class RulesBody(BaseModel):
    rules: list[ClassificationRule]


class ModelBody(BaseModel):
    rules: list[DecretationModelRule]


@blueprint.route("/units/{unit}/classification-rules", methods=["GET", "PUT"])
@responds(routing_config.RuleSet)
@handled
def classification_rules(unit: str) -> dict[str, Any]:
    """The unit's own rules (tried first) and the city's; PUT replaces the unit's (admin)."""
    principal = _principal_in(unit)
    if blueprint.current_request.method == "PUT":
        body = RulesBody.model_validate(json_body(blueprint.current_request))
        return routing_config.set_rules(unit, principal, body.rules).model_dump(mode="json")
    return routing_config.rule_set(unit, principal).model_dump(mode="json")


class PreviewBody(BaseModel):
    """A letter's facts as the rules see them, and optionally a draft of the unit's rules."""

    title: str = Field(min_length=1, max_length=1000)
    sender_names: list[str] = []
    form_namespace: str | None = None
    rules: list[ClassificationRule] | None = None


@blueprint.route("/units/{unit}/classification-rules/preview", methods=["POST"])
@responds(routing_config.RulePreview)
@handled
def preview_classification(unit: str) -> dict[str, Any]:
    """Which rule would classify such a letter: the saved rules, or the draft in `rules`."""
    principal = _principal_in(unit)
    body = PreviewBody.model_validate(json_body(blueprint.current_request))
    facts = LetterFacts(unit=unit, title=body.title, sender_names=body.sender_names, form_namespace=body.form_namespace)
    return routing_config.preview(unit, principal, facts, body.rules).model_dump(mode="json")


@blueprint.route("/units/{unit}/decretation-model", methods=["GET", "PUT"])
@responds(routing_config.DecretationModel)
@handled
def unit_decretation_model(unit: str) -> dict[str, Any]:
    """Where documents go by JRWA prefix; the city's model until the unit has its own."""
    principal = _principal_in(unit)
    if blueprint.current_request.method == "PUT":
        body = ModelBody.model_validate(json_body(blueprint.current_request))
        return routing_config.set_decretation_model(unit, principal, body.rules).model_dump(mode="json")
    return routing_config.decretation_model(unit, principal).model_dump(mode="json")

"""DynamoDB access for classification rules, decretation models, routing and inboxes.

Every change of a document's routing is one transaction: the routing state, the
decretation, and the inbox entries move together, so a person never sees a task that
is no longer theirs.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from ezd.adapters import register_lines
from ezd.adapters.records_table import RecordItem, bind_table, transaction_connection
from ezd.adapters import stats_store
from ezd.config import settings
from ezd.models.routing import ClassificationRule, Decretation, DecretationModelRule, InboxItem, RoutingState
from ezd.models.statistics import decretation_counts

QUEUE_OF_STATUS = {"unclassified": "registry", "awaiting_decretation": "managers"}


class RoutingConflict(Exception):
    """The routing changed under us (someone else acted first)."""


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


# --- rules and models ------------------------------------------------------------------

def put_rules(rules: list[ClassificationRule]) -> None:
    _bound()
    with RecordItem.batch_write() as batch:
        for rule in rules:
            batch.save(RecordItem(f"RULES#{rule.owner}", f"{rule.priority:05d}#{rule.rule_id}", kind="classification_rule",
                                  data=rule.model_dump(mode="json")))


def list_rules(owner: str) -> list[ClassificationRule]:
    _bound()
    return [ClassificationRule.model_validate(i.data) for i in RecordItem.query(f"RULES#{owner}")]


def put_decretation_models(models: list[DecretationModelRule]) -> None:
    _bound()
    with RecordItem.batch_write() as batch:
        for model in models:
            batch.save(RecordItem(f"DMODEL#{model.unit}", f"PREFIX#{model.jrwa_prefix or '*'}", kind="decretation_model",
                                  data=model.model_dump(mode="json")))


def list_decretation_models(unit: str) -> list[DecretationModelRule]:
    _bound()
    return [DecretationModelRule.model_validate(i.data) for i in RecordItem.query(f"DMODEL#{unit}")]


# --- routing state ---------------------------------------------------------------------

def _routing_item(state: RoutingState) -> RecordItem:
    queue = QUEUE_OF_STATUS.get(state.status)
    return RecordItem(
        f"DOC#{state.document_id}",
        "ROUTING",
        kind="routing",
        value=state.version,
        gsi1pk=f"QUEUE#{state.unit}#{queue}" if queue else None,
        gsi1sk=f"{state.updated_at.isoformat()}#{state.document_id}" if queue else None,
        data=state.model_dump(mode="json"),
    )


def get_routing(document_id: str, consistent: bool = True) -> RoutingState | None:
    _bound()
    try:
        return RoutingState.model_validate(RecordItem.get(f"DOC#{document_id}", "ROUTING", consistent_read=consistent).data)
    except DoesNotExist:
        return None


def _mark_line(tx: TransactWrite, state: RoutingState) -> None:
    register_lines.mark_line_in_transaction(
        tx, state.unit, state.registry_number, state.status,
        state.classification.jrwa_symbol if state.classification else None)


def _line_changes(new: RoutingState, previous: RoutingState) -> bool:
    """Whether the register line shows something else after this change."""
    symbol = (lambda s: s.classification.jrwa_symbol if s.classification else None)
    return new.status != previous.status or symbol(new) != symbol(previous)


def create_routing(state: RoutingState) -> bool:
    """Writes the first routing state, and its status and class on the register line;
    False if it exists already (a retried step)."""
    _bound()
    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            tx.save(_routing_item(state), condition=RecordItem.pk.does_not_exist())
            _mark_line(tx, state)
    except TransactWriteError as exc:
        reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            return False
        raise
    return True


def queue(unit: str, name: str, limit: int = 100) -> list[RoutingState]:
    _bound()
    items = RecordItem.gsi1.query(f"QUEUE#{unit}#{name}", scan_index_forward=False, limit=limit)
    return [RoutingState.model_validate(i.data) for i in items]


def _inbox_item(item: InboxItem) -> RecordItem:
    return RecordItem(f"INBOX#{item.unit}#{item.owner}", f"{item.created_at.isoformat()}#{item.item_id}",
                      kind="inbox", data=item.model_dump(mode="json"))


def _decretation_item(decretation: Decretation) -> RecordItem:
    return RecordItem(f"DOC#{decretation.document_id}", f"DECR#{decretation.seq:04d}", kind="decretation",
                      data=decretation.model_dump(mode="json"))


def commit_routing(
    previous: RoutingState,
    new_state: RoutingState,
    *,
    decretations: list[Decretation] = (),
    add_inbox: list[InboxItem] = (),
    remove_inbox: list[InboxItem] = (),
) -> None:
    """Replaces the routing state (if nobody changed it since the version it was read at:
    ``new_state.version - 1``) with decretations and inbox entries, atomically; and the
    register line when its status or class changes from the ``previous`` state."""
    _bound()
    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            tx.save(_routing_item(new_state), condition=RecordItem.value == new_state.version - 1)
            if _line_changes(new_state, previous):
                _mark_line(tx, new_state)
            for decretation in decretations:
                tx.save(_decretation_item(decretation))
            for item in add_inbox:
                tx.save(_inbox_item(item))
            for item in remove_inbox:
                tx.delete(_inbox_item(item))
            stats_store.add_to_transaction(tx, decretation_counts(decretations))
    except TransactWriteError as exc:
        raise RoutingConflict(str(exc)) from exc


def decretations(document_id: str) -> list[Decretation]:
    _bound()
    items = RecordItem.query(f"DOC#{document_id}", RecordItem.sk.startswith("DECR#"), consistent_read=True)
    return [Decretation.model_validate(i.data) for i in items]


def inbox(unit: str, owner: str, limit: int = 100) -> list[InboxItem]:
    _bound()
    items = RecordItem.query(f"INBOX#{unit}#{owner}", scan_index_forward=False, limit=limit)
    return [InboxItem.model_validate(i.data) for i in items]


def put_inbox(item: InboxItem) -> None:
    _bound()
    _inbox_item(item).save()


def remove_inbox(item: InboxItem) -> None:
    _bound()
    _inbox_item(item).delete()




def replace_rules(owner: str, rules: list[ClassificationRule]) -> None:
    """A unit's rule set as one configuration: the old rules go, the new ones come."""
    _bound()
    with RecordItem.batch_write() as batch:
        for item in RecordItem.query(f"RULES#{owner}"):
            batch.delete(item)
    put_rules(rules)


def replace_decretation_models(unit: str, models: list[DecretationModelRule]) -> None:
    _bound()
    with RecordItem.batch_write() as batch:
        for item in RecordItem.query(f"DMODEL#{unit}"):
            batch.delete(item)
    put_decretation_models(models)

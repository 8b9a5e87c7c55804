"""Corrections to moto for the local stack: same behaviour, without costs that grow
with the amount of data (which make a local year of intake take days).

moto's TransactWriteItems deep-copies the whole table for every item of every
transaction, to roll back on failure: each transaction costs time proportional to the
table's size (a second per transaction with a few thousand items). The local server
runs one request at a time (see moto_server.py), so the same all-or-nothing semantics
come from checking every condition first and writing only when all hold, as DynamoDB
itself does; a write that still fails restores just the items it touched.

moto's Query sorts every item of the table before it looks at the key condition
(``moto_query``): a base-table query reads only the window of its partition that moto's
own loop would reach, from keys kept in order (O(log p + Limit)); an index query reads the
table in one unsorted pass, which moto sorts itself.

Per-request costs outside DynamoDB: the Step Functions interpreter parses the definition
for every execution and every JSONPath each time it is evaluated (``moto_sfn_patches``),
builds a new boto3 client for every Lambda and Step Functions task, and invokes functions
that run in this process over HTTP (``moto_sfn_lambda``); the server dispatcher lists
moto's package directory several times per request.

One behaviour is fixed rather than sped up: a ``Wait`` state waits in relative sleeps
(``moto_sfn_wait``), since moto's timed Event wait never ends under a shifted clock.
"""

from __future__ import annotations

import copy
from typing import Any

from ezd.local import moto_query, moto_sfn_lambda, moto_sfn_patches, moto_sfn_wait

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    moto_query.install()
    moto_sfn_patches.install()
    moto_sfn_wait.install()
    _reuse_step_functions_clients()
    _cache_module_list()
    _installed = True


def _reuse_step_functions_clients() -> None:
    """One boto3 client per region and service for the interpreter's service tasks
    (Lambda invoke, states:startExecution), instead of a new one, with its service model
    loaded again, for every task of every execution."""
    import threading

    from moto.core.models import botocore_stubber
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_sfn
    from moto.stepfunctions.parser.asl.utils import boto_client

    original = boto_client.boto_client_for
    clients: dict[tuple[str, str, bool], Any] = {}
    lock = threading.Lock()

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        # moto's own factory ignores the state's credentials too (fixed local keys). It
        # makes a client for the server, or one without an endpoint while moto's in-process
        # mock intercepts calls: each is kept apart, or one would go where the other cannot.
        key = (region, service, bool(botocore_stubber.enabled))
        with lock:
            if key not in clients:
                made = original(region=region, service=service)
                if service == "lambda" and not key[2]:  # the server's functions run in this process
                    made = moto_sfn_lambda.DirectLambdaClient(made, region)
                clients[key] = made
            return clients[key]

    for module in (lambda_eval_utils, state_task_service_sfn):
        module.boto_client_for = boto_client_for  # type: ignore[attr-defined]


def _cache_module_list() -> None:
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules  # type: ignore[assignment]


def _key_of(backend: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return op["Key"]
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models import get_filter_expression as condition_of

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    planned: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    errors: list[tuple[Any, Any, Any]] = []
    # Phase 1: every condition against the state before the transaction.
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        key = _key_of(self, op_type, op)
        marker = (op["TableName"], str(dict(sorted(key.items()))))
        if marker in seen:
            raise MultipleTransactionsException()
        seen.add(marker)
        current = self.get_item(op["TableName"], key)
        expression = op.get("ConditionExpression")
        if expression is not None:
            check = condition_of(expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues"))
            if not check.expr(current):
                old = current.to_json()["Attributes"] if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" else None
                errors.append(("ConditionalCheckFailed", ConditionalCheckFailed().message, old))
                continue
        errors.append((None, None, None))
        planned.append((op_type, op, key))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    # Phase 2: the writes; on a failure, put back what was touched.
    touched: list[tuple[str, dict[str, Any], Any]] = []
    try:
        for op_type, op, key in planned:
            table_name = op["TableName"]
            if op_type == "ConditionCheck":
                continue
            touched.append((table_name, key, copy.deepcopy(self.get_item(table_name, key))))
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if op_type == "Put":
                self.put_item(table_name, op["Item"], expression_attribute_names=names, expression_attribute_values=values)
            elif op_type == "Delete":
                self.delete_item(table_name, key, expression_attribute_names=names, expression_attribute_values=values)
            else:
                self.update_item(table_name, key, update_expression=op["UpdateExpression"],
                                 expression_attribute_names=names, expression_attribute_values=values)
    except Exception:
        for table_name, key, before in reversed(touched):
            if before is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, before.to_json()["Attributes"])
        raise

"""What a run of the embedded stack would be billed for in AWS: a usage meter.

Off unless someone attaches it (the benchmarks do, with ``--meter``): the moto server
then hands it each request of a function (tagged by iam_enforcement.py, so the
benchmark's own observation and the stack's provisioning are not counted), inside the
server's lock, where the items a request touches can be read before and after it. It
counts, the way AWS bills them:

- DynamoDB on demand: write request units ``ceil(size / 1 KB)`` per item written, of the
  larger of the item before and after (PutItem, UpdateItem; DeleteItem: the item
  deleted; at least one), twice in a TransactWriteItems (ConditionCheck items too); a
  conditional write that fails still consumes (the item's size, one unit if it does not
  exist); a cancelled transaction consumes the prepare phase of each of its items (one
  standard write each, see ``FAILED_TRANSACTION_FACTOR``); every global or local
  secondary index whose entry changes is one more write of the projected entry (a put,
  a delete, both when its key changes, or an update by the larger of the two). Read
  request units ``ceil(size / 4 KB)``, half for an eventually consistent read, twice in
  a transaction; a Query or Scan by the summed size of the items it evaluated (before
  any filter), each request at least one unit. Item sizes by DynamoDB's rules
  (``item_size``).
- S3: requests by price tier (PUT, COPY, POST, LIST / GET, HEAD and the rest; DELETE is
  free), and at the end the bytes stored by bucket, storage class and key prefix, every
  version counted, with each bucket's lifecycle rules so that a cost model can move
  them on.
- Lambda: invocations per function, their duration (wall clock of the in-process
  handler, billed rounded up to 1 ms, and the thread's CPU time), at the function's
  MemorySize and architecture from the template.
- Step Functions, from the execution histories of the executions started while attached:
  for STANDARD machines the state transitions (every state entered, plus each retry of a
  Task); for EXPRESS machines the requests and the execution duration, billed in 100 ms
  steps.

Nothing here changes what a request does or answers; a failure of the meter itself is
recorded in ``errors`` and never reaches the caller.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Iterator

from ezd.local.iam_enforcement import FUNCTION_HEADER, acting_as
from ezd.local.template import ACCOUNT_ID, REGION

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
# A transaction cancelled (a condition failed, a conflict) has done its prepare phase
# on its items: one standard write each ("two underlying writes of every item: one to
# prepare the transaction and one to commit it", DynamoDB developer guide, Capacity
# management for transactions). Counted as 1x; the commit (the second 1x) never happens.
FAILED_TRANSACTION_FACTOR = 1
EXPRESS_MEMORY_MB = 64  # Express workflows are billed in 64 MB chunks; ours are small
EXPRESS_BILLING_STEP_MS = 100
SMALL_OBJECT_BYTES = 128 * 1024  # S3 does not transition smaller objects by default
_FUNCTION_ENVIRON = "HTTP_" + FUNCTION_HEADER.upper().replace("-", "_")


# --------------------------------------------------------------------------- item sizes


def _type_value(value: Any) -> tuple[str, Any]:
    if isinstance(value, dict):
        ((kind, inner),) = value.items()
        return kind, inner
    return value.type, value.value  # moto's DynamoType


def _binary_size(value: Any) -> int:
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    try:
        return len(base64.b64decode(value, validate=True))
    except (ValueError, TypeError):
        return len(str(value).encode("utf-8"))


def number_size(text: str) -> int:
    """About one byte per two significant digits, plus one (leading and trailing zeroes trimmed)."""
    try:
        digits = Decimal(str(text)).normalize().as_tuple().digits
    except InvalidOperation:
        digits = tuple(c for c in str(text) if c.isdigit())
    significant = len(digits) if any(digits) else 1
    return math.ceil(significant / 2) + 1


def value_size(value: Any) -> int:
    """Size of one attribute value (without its name), DynamoDB's item-size rules."""
    kind, inner = _type_value(value)
    if kind == "S":
        return len(str(inner).encode("utf-8"))
    if kind == "N":
        return number_size(inner)
    if kind == "B":
        return _binary_size(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(v).encode("utf-8")) for v in inner)
    if kind == "NS":
        return sum(number_size(v) for v in inner)
    if kind == "BS":
        return sum(_binary_size(v) for v in inner)
    if kind == "L":
        # 3 bytes for the list, 1 byte for each element
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(attributes: dict[str, Any]) -> int:
    """Bytes of an item as DynamoDB counts them: attribute names plus values."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in attributes.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int) -> int:
    return max(1, math.ceil(size / READ_UNIT_BYTES))


# --------------------------------------------------------------------------- indexes


class _Index:
    def __init__(self, name: str, key_attrs: list[str], table_keys: list[str], projection: dict[str, Any]) -> None:
        self.name = name
        self.key_attrs = key_attrs
        self.kind = (projection or {}).get("ProjectionType", "ALL")
        self.attrs = set(key_attrs) | set(table_keys) | set((projection or {}).get("NonKeyAttributes", []))


class _Snapshot:
    """An item as it was: each attribute's size and a canonical form to compare."""

    def __init__(self, attrs: dict[str, Any]) -> None:
        self.sizes = {name: len(name.encode("utf-8")) + value_size(v) for name, v in attrs.items()}
        self.forms = {name: json.dumps(_plain(v), sort_keys=True, default=str) for name, v in attrs.items()}

    @property
    def size(self) -> int:
        return sum(self.sizes.values())

    def entry(self, index: _Index) -> dict[str, str] | None:
        if any(k not in self.forms for k in index.key_attrs):
            return None  # sparse: no entry in this index
        if index.kind == "ALL":
            return self.forms
        return {k: v for k, v in self.forms.items() if k in index.attrs}

    def entry_size(self, entry: dict[str, str]) -> int:
        return sum(self.sizes[k] for k in entry)


def _plain(value: Any) -> Any:
    kind, inner = _type_value(value)
    if kind == "L":
        return {kind: [_plain(v) for v in inner]}
    if kind == "M":
        return {kind: {k: _plain(v) for k, v in inner.items()}}
    if isinstance(inner, (bytes, bytearray)):
        return {kind: base64.b64encode(inner).decode("ascii")}
    return {kind: inner}


def index_write_units(before: _Snapshot | None, after: _Snapshot | None, index: _Index) -> int:
    """Writes an index takes for one item change (DynamoDB guide: GSI write consumption)."""
    old = before.entry(index) if before else None
    new = after.entry(index) if after else None
    if old is None and new is None:
        return 0
    if old is None:
        return write_units(after.entry_size(new))  # type: ignore[union-attr]
    if new is None:
        return write_units(before.entry_size(old))  # type: ignore[union-attr]
    if any(old.get(k) != new.get(k) for k in index.key_attrs):
        return write_units(before.entry_size(old)) + write_units(after.entry_size(new))  # type: ignore[union-attr]
    if old == new:
        return 0
    return write_units(max(before.entry_size(old), after.entry_size(new)))  # type: ignore[union-attr]


# --------------------------------------------------------------------------- S3 requests


def s3_tier(method: str, path: str, query: str) -> str:
    """"tier1" (PUT, COPY, POST, LIST), "tier2" (GET, HEAD, everything else) or "free" (DELETE)."""
    params = {part.split("=", 1)[0] for part in query.split("&") if part}
    parts = path.lstrip("/").split("/", 1)
    has_key = len(parts) > 1 and parts[1] != ""
    if method == "DELETE" or (method == "POST" and "delete" in params):
        return "free"
    if method in ("PUT", "POST"):
        return "tier1"
    if method == "GET" and not has_key and ("list-type" in params or "versions" in params or "uploads" in params
                                            or not params - {"prefix", "delimiter", "max-keys", "marker",
                                                             "encoding-type"}):
        return "tier1"  # a LIST
    return "tier2"


def _signed_service(environ: dict[str, Any]) -> str:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) > 3:
            return scope[3]
    query = environ.get("QUERY_STRING", "")
    if "X-Amz-Credential=" in query:
        scope = query.split("X-Amz-Credential=", 1)[1].split("&", 1)[0].replace("%2F", "/").split("/")
        if len(scope) > 3:
            return scope[3]
    return ""


# --------------------------------------------------------------------------- the meter


class _Table:
    def __init__(self) -> None:
        self.wru: Counter[str] = Counter()
        self.rru: Counter[str] = Counter()
        self.operations: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()

    def to_json(self) -> dict[str, Any]:
        return {
            "wru": {k: round(v, 3) for k, v in sorted(self.wru.items())},
            "rru": {k: round(v, 3) for k, v in sorted(self.rru.items())},
            "wru_total": round(sum(self.wru.values()), 3),
            "rru_total": round(sum(self.rru.values()), 3),
            "operations": dict(sorted(self.operations.items())),
            "failed": dict(sorted(self.failed.items())),
        }


class _Function:
    def __init__(self) -> None:
        self.invocations = 0
        self.errors = 0
        self.billed_ms = 0
        self.wall_ms = 0.0
        self.cpu_ms = 0.0


class UsageMeter:
    """Counts what one run would be billed for; see the module's docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self._stack: Any = None
        self._original_invoke: Any = None
        self._patched: list[tuple[Any, str, Any]] = []
        self._tables: dict[str, _Table] = defaultdict(_Table)
        self._indexes: dict[str, list[_Index]] = {}
        self._keys: dict[str, list[str]] = {}
        self._s3: dict[str, Counter[str]] = defaultdict(Counter)
        self._s3_operations: dict[str, Counter[str]] = defaultdict(Counter)
        self._functions: dict[str, _Function] = defaultdict(_Function)
        self._memory: dict[str, int] = {}
        self._architecture: dict[str, str] = {}
        self._machine_types: dict[str, str] = {}
        self._requests: Counter[str] = Counter()
        self._requests_by_function: dict[str, Counter[str]] = defaultdict(Counter)
        self._baseline_executions: set[str] = set()
        self._baseline_storage: dict[str, Any] = {}
        self._baseline_tables: dict[str, Any] = {}
        self.errors: Counter[str] = Counter()
        self.started_at = 0.0
        self._last_activity = time.monotonic()

    # ---------------------------------------------------------------- attach

    def attach(self, stack: Any) -> "UsageMeter":
        """Starts counting on a started LocalStack (its moto server and its functions)."""
        self._stack = stack
        self.started_at = time.time()
        runtime = stack.runtime
        for name, spec in getattr(runtime, "_specs", {}).items():  # noqa: SLF001 - our own runtime
            self._memory[name] = int(spec.memory_mb)
        self._architecture, self._machine_types = self._from_template(stack)
        with stack.moto.lock:
            self._read_table_schemas()
            self._baseline_executions = {arn for arn, _ in self._executions()}
            self._baseline_storage = self._s3_storage()
            self._baseline_tables = self._table_storage()
        self._original_invoke = runtime.invoke

        def metered_invoke(function_name: str, payload: Any) -> tuple[bytes, bool]:
            name = function_name.split(":")[6] if function_name.startswith("arn:") else function_name
            with self._timed(name) as outcome:
                result = self._original_invoke(function_name, payload)
                outcome["failed"] = bool(result[1])
                return result

        runtime.invoke = metered_invoke  # type: ignore[method-assign]
        self._patch_reads()
        stack.moto.meter = self
        return self

    def detach(self) -> None:
        if self._stack is None:
            return
        self._stack.moto.meter = None
        self._stack.runtime.invoke = self._original_invoke  # type: ignore[method-assign]
        for owner, attribute, original in reversed(self._patched):
            setattr(owner, attribute, original)
        self._patched.clear()
        self._stack = None

    @staticmethod
    def _from_template(stack: Any) -> tuple[dict[str, str], dict[str, str]]:
        """Each function's architecture and each state machine's type, as deployed: the
        template says (moto runs every machine alike)."""
        from ezd.local.template import load_template

        try:
            doc = load_template(stack.root / "infra" / "template.yaml")
        except Exception:  # noqa: BLE001 - then x86_64 and STANDARD, the services' defaults
            return {}, {}
        default = ((doc.get("Globals") or {}).get("Function") or {}).get("Architectures") or ["x86_64"]
        functions = dict(getattr(stack.provisioned, "functions", {}) or {})
        machines = {k: v.rsplit(":", 1)[-1] for k, v in (getattr(stack.provisioned, "state_machines", {}) or {}).items()}
        architectures, types = {}, {}
        for logical_id, resource in (doc.get("Resources") or {}).items():
            props = resource.get("Properties") or {}
            if resource.get("Type") == "AWS::Serverless::Function" and logical_id in functions:
                architectures[functions[logical_id]] = str((props.get("Architectures") or default)[0])
            elif resource.get("Type") == "AWS::Serverless::StateMachine" and logical_id in machines:
                types[machines[logical_id]] = str(props.get("Type") or "STANDARD").upper()
        return architectures, types

    # ---------------------------------------------------------------- Lambda

    @contextlib.contextmanager
    def _timed(self, name: str) -> Iterator[dict[str, bool]]:
        outcome = {"failed": False}
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield outcome
        except BaseException:
            outcome["failed"] = True
            raise
        finally:
            wall_ms = (time.perf_counter() - wall) * 1000
            cpu_ms = (time.thread_time() - cpu) * 1000
            with self._lock:
                self._last_activity = time.monotonic()
                f = self._functions[name]
                f.invocations += 1
                f.errors += int(outcome["failed"])
                f.wall_ms += wall_ms
                f.cpu_ms += cpu_ms
                f.billed_ms += max(1, math.ceil(wall_ms))

    @contextlib.contextmanager
    def invocation(self, function_name: str) -> Iterator[None]:
        """Something a Lambda does in AWS run here in-process (the benchmark's pollers):
        counted as an invocation of that function, its calls made under its role."""
        with acting_as(function_name), self._timed(function_name):
            yield

    # ---------------------------------------------------------------- requests

    def observe(self, app: Callable[..., Iterable[bytes]], environ: dict[str, Any], start_response: Any) -> list[bytes]:
        """Runs one request in moto (under the server's lock) and counts it, if a function made it."""
        function = environ.get(_FUNCTION_ENVIRON)
        if not function:
            return list(app(environ, start_response))
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        body = b""
        if target:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
        status: list[str] = []

        def recording_start_response(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code)
            return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

        plan = None
        if target.startswith("DynamoDB_"):
            plan = self._guard("dynamodb-before", lambda: self._dynamodb_before(target.split(".", 1)[1], body))
        self._local.evaluated = []
        try:
            response = list(app(environ, recording_start_response))
        finally:
            evaluated = self._local.evaluated
            self._local.evaluated = None
        code = int(status[0].split()[0]) if status else 500
        operation = self._operation(environ, target)
        with self._lock:
            self._last_activity = time.monotonic()
            self._requests[operation] += 1
            self._requests_by_function[function][operation] += 1
        if target.startswith("DynamoDB_") and plan is not None:
            self._guard("dynamodb-after", lambda: self._dynamodb_after(plan, code, response, evaluated))
        elif not target and _signed_service(environ) == "s3":
            self._guard("s3", lambda: self._s3_request(environ, operation))
        return response

    def _guard(self, what: str, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - the meter never breaks a request
            with self._lock:
                self.errors[f"{what}: {type(exc).__name__}: {exc}"[:200]] += 1
            return None

    @staticmethod
    def _operation(environ: dict[str, Any], target: str) -> str:
        if target:
            service = target.split("_", 1)[0].split(".", 1)[0].lower()
            service = {"dynamodb": "dynamodb", "awsstepfunctions": "states"}.get(service, service)
            return f"{service}:{target.rsplit('.', 1)[-1]}"
        path = environ.get("PATH_INFO", "")
        if path.startswith("/2015-03-31/functions/"):
            return "lambda:" + ("Invoke" if path.endswith("/invocations") else environ.get("REQUEST_METHOD", "?"))
        service = _signed_service(environ) or "unsigned"
        return f"{service}:{environ.get('REQUEST_METHOD', '?')}"

    # ---------------------------------------------------------------- S3

    def _s3_request(self, environ: dict[str, Any], operation: str) -> None:
        path = environ.get("PATH_INFO", "")
        bucket = path.lstrip("/").split("/", 1)[0]
        tier = s3_tier(environ.get("REQUEST_METHOD", "GET"), path, environ.get("QUERY_STRING", ""))
        with self._lock:
            self._s3[bucket][tier] += 1
            self._s3_operations[bucket][operation] += 1

    # ---------------------------------------------------------------- DynamoDB

    def _backend(self) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[ACCOUNT_ID][REGION]

    def _read_table_schemas(self) -> None:
        backend = self._backend()
        for name, table in backend.tables.items():
            keys = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
            self._keys[name] = keys
            self._indexes[name] = [
                _Index(index.name, list(index.schema_key_attrs), keys, index.projection)
                for index in list(table.indexes) + list(table.global_indexes)
            ]

    def _snapshot(self, table: str, key: dict[str, Any]) -> _Snapshot | None:
        item = self._backend().get_item(table, key)
        return _Snapshot(item.attrs) if item is not None else None

    def _key_of(self, table: str, item: dict[str, Any]) -> dict[str, Any]:
        if table not in self._keys:
            self._read_table_schemas()
        return {k: item[k] for k in self._keys[table] if k in item}

    def _indexes_of(self, table: str) -> list[_Index]:
        if table not in self._indexes:
            self._read_table_schemas()
        return self._indexes.get(table, [])

    def _dynamodb_before(self, operation: str, body: bytes) -> dict[str, Any]:
        request = json.loads(body or b"{}")
        writes: list[dict[str, Any]] = []  # table, key, kind, before
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            table = request["TableName"]
            key = request["Key"] if operation != "PutItem" else self._key_of(table, request["Item"])
            writes.append({"table": table, "key": key, "kind": operation, "before": self._snapshot(table, key)})
        elif operation == "BatchWriteItem":
            for table, requests in request.get("RequestItems", {}).items():
                for entry in requests:
                    if "PutRequest" in entry:
                        key = self._key_of(table, entry["PutRequest"]["Item"])
                        kind = "PutItem"
                    else:
                        key, kind = entry["DeleteRequest"]["Key"], "DeleteItem"
                    writes.append({"table": table, "key": key, "kind": kind, "before": self._snapshot(table, key)})
        elif operation == "TransactWriteItems":
            for entry in request.get("TransactItems", []):
                ((kind, op),) = entry.items()
                table = op["TableName"]
                key = self._key_of(table, op["Item"]) if kind == "Put" else op["Key"]
                writes.append({"table": table, "key": key, "kind": kind, "before": self._snapshot(table, key),
                               "new_size": item_size(op["Item"]) if kind == "Put" else 0})
        return {"operation": operation, "request": request, "writes": writes}

    def _dynamodb_after(self, plan: dict[str, Any], code: int, response: list[bytes], evaluated: list[Any] | None) -> None:
        operation, request = plan["operation"], plan["request"]
        error = ""
        if code >= 400:
            try:
                error = str(json.loads(b"".join(response) or b"{}").get("__type", "")).rsplit("#", 1)[-1]
            except ValueError:
                error = "?"
        counted: list[tuple[str, str, float]] = []  # table, category, units
        tables = {w["table"] for w in plan["writes"]} or {request.get("TableName", "?")}
        if operation in ("GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"):
            if code < 400:
                counted.extend(self._reads(operation, request, evaluated or []))
                if operation in ("BatchGetItem", "TransactGetItems"):
                    tables = {t for t, _, _ in counted} or tables
        elif plan["writes"]:
            counted.extend(self._writes(operation, plan["writes"], code, error))
        with self._lock:
            for table in tables:
                self._tables[table].operations[operation] += 1
                if error:
                    self._tables[table].failed[f"{operation}:{error}"] += 1
            for table, category, units in counted:
                bucket = self._tables[table].rru if category.startswith("read") else self._tables[table].wru
                bucket[category.split(":", 1)[1]] += units

    def _writes(self, operation: str, writes: list[dict[str, Any]], code: int, error: str) -> list[tuple[str, str, float]]:
        out: list[tuple[str, str, float]] = []
        transactional = operation == "TransactWriteItems"
        if code >= 400:
            if transactional and error == "TransactionCanceledException":
                for w in writes:
                    size = max(w["before"].size if w["before"] else 0, w.get("new_size", 0))
                    out.append((w["table"], "write:failed_transaction", FAILED_TRANSACTION_FACTOR * write_units(size)))
            elif error == "ConditionalCheckFailedException":
                for w in writes:
                    out.append((w["table"], "write:failed_conditional", write_units(w["before"].size if w["before"] else 0)))
            return out
        for w in writes:
            before = w["before"]
            after = self._snapshot(w["table"], w["key"]) if w["kind"] not in ("DeleteItem", "Delete") else None
            if w["kind"] == "ConditionCheck":
                after = before
                size = before.size if before else 0
            else:
                size = max(before.size if before else 0, after.size if after else 0)
            if transactional:
                out.append((w["table"], "write:transactional", 2 * write_units(size)))
            else:
                out.append((w["table"], "write:standard", write_units(size)))
            if w["kind"] == "ConditionCheck":
                continue
            for index in self._indexes_of(w["table"]):
                units = index_write_units(before, after, index)
                if units:
                    out.append((w["table"], "write:index", units))
        return out

    def _reads(self, operation: str, request: dict[str, Any], evaluated: list[Any]) -> list[tuple[str, str, float]]:
        out: list[tuple[str, str, float]] = []
        if operation == "GetItem":
            item = self._snapshot(request["TableName"], request["Key"])
            strong = bool(request.get("ConsistentRead"))
            units = read_units(item.size if item else 0) * (1 if strong else 0.5)
            out.append((request["TableName"], "read:strong" if strong else "read:eventual", units))
        elif operation == "BatchGetItem":
            for table, spec in request.get("RequestItems", {}).items():
                strong = bool(spec.get("ConsistentRead"))
                for key in spec.get("Keys", []):
                    item = self._snapshot(table, key)
                    out.append((table, "read:strong" if strong else "read:eventual",
                                read_units(item.size if item else 0) * (1 if strong else 0.5)))
        elif operation == "TransactGetItems":
            for entry in request.get("TransactItems", []):
                get = entry["Get"]
                item = self._snapshot(get["TableName"], get["Key"])
                out.append((get["TableName"], "read:transactional", 2 * read_units(item.size if item else 0)))
        else:  # Query, Scan: the items evaluated, before any filter
            strong = bool(request.get("ConsistentRead")) and not request.get("IndexName")
            size = sum(item_size_of(item) for item in evaluated)
            units = read_units(size) * (1 if strong else 0.5)
            out.append((request["TableName"], "read:strong" if strong else "read:eventual", units))
        return out

    def _patch_reads(self) -> None:
        """moto's Query and Scan filter and project before they answer; the meter needs
        the items they evaluated, so it lets them run unfiltered and filters itself."""
        from moto.dynamodb.comparisons import get_filter_expression
        from moto.dynamodb.models import DynamoDBBackend

        meter = self
        original_query, original_scan = DynamoDBBackend.query, DynamoDBBackend.scan

        def query(backend: Any, table_name: str, hash_key_dict: Any, range_comparison: Any, range_value_dicts: Any,
                  limit: int, exclusive_start_key: Any, scan_index_forward: bool, projection_expressions: Any,
                  index_name: Any = None, consistent_read: bool = False, expr_names: Any = None,
                  expr_values: Any = None, filter_expression: Any = None, **kwargs: Any) -> Any:
            if getattr(meter._local, "evaluated", None) is None:
                return original_query(backend, table_name, hash_key_dict, range_comparison, range_value_dicts, limit,
                                      exclusive_start_key, scan_index_forward, projection_expressions, index_name,
                                      consistent_read, expr_names, expr_values, filter_expression, **kwargs)
            items, scanned, last = original_query(backend, table_name, hash_key_dict, range_comparison,
                                                  range_value_dicts, limit, exclusive_start_key, scan_index_forward,
                                                  None, index_name, consistent_read, expr_names, expr_values, None,
                                                  **kwargs)
            meter._local.evaluated.extend(items)
            return _filtered(items, filter_expression, expr_names, expr_values, projection_expressions), scanned, last

        def scan(backend: Any, table_name: str, filters: Any, limit: int, exclusive_start_key: Any,
                 filter_expression: Any, expr_names: Any, expr_values: Any, index_name: Any, consistent_read: bool,
                 projection_expression: Any, segments: Any) -> Any:
            if getattr(meter._local, "evaluated", None) is None or filters:
                return original_scan(backend, table_name, filters, limit, exclusive_start_key, filter_expression,
                                     expr_names, expr_values, index_name, consistent_read, projection_expression,
                                     segments)
            items, scanned, last = original_scan(backend, table_name, filters, limit, exclusive_start_key, None,
                                                 expr_names, expr_values, index_name, consistent_read, None, segments)
            meter._local.evaluated.extend(items)
            return _filtered(items, filter_expression, expr_names, expr_values, projection_expression), scanned, last

        def _filtered(items: list[Any], expression: Any, names: Any, values: Any, projection: Any) -> list[Any]:
            if expression:
                condition = get_filter_expression(expression, names, values)
                items = [item for item in items if condition.expr(item)]
            if projection:
                items = [item.project(projection) for item in items]
            return items

        for attribute, replacement, original in (("query", query, original_query), ("scan", scan, original_scan)):
            self._patched.append((DynamoDBBackend, attribute, original))
            setattr(DynamoDBBackend, attribute, replacement)

    # ---------------------------------------------------------------- what is kept at the end

    def _executions(self) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        for module, attribute in (("moto.stepfunctions.parser.models", "stepfunctions_parser_backends"),
                                  ("moto.stepfunctions.models", "stepfunction_backends")):
            try:
                backends = getattr(__import__(module, fromlist=[attribute]), attribute)
                backend = backends[ACCOUNT_ID][REGION]
            except (ImportError, AttributeError, KeyError):
                continue
            for machine in list(backend.state_machines):
                for execution in list(machine.executions):
                    if id(execution) in seen:
                        continue
                    seen.add(id(execution))
                    yield execution.execution_arn, execution

    def _step_functions(self, now: datetime) -> dict[str, Any]:
        machines: dict[str, dict[str, Any]] = {}
        for arn, execution in self._executions():
            if arn in self._baseline_executions:
                continue
            machine = arn.split(":")[6]
            kind = self._machine_types.get(machine) or str(getattr(execution.state_machine, "type", "")
                                                           or "STANDARD").upper()
            m = machines.setdefault(machine, {"type": kind, "executions": 0, "transitions": 0, "retries": 0,
                                              "running_at_end": 0, "duration_ms": 0.0, "billed_duration_ms": 0,
                                              "states_entered": Counter()})
            m["executions"] += 1
            status = str(getattr(getattr(execution, "exec_status", None), "value", "") or "")
            if status == "RUNNING":
                m["running_at_end"] += 1
            start = execution.start_date
            stop = getattr(execution, "stop_date", None) or now
            if isinstance(start, datetime) and isinstance(stop, datetime):
                duration = max(0.0, (stop - start).total_seconds() * 1000)
                m["duration_ms"] += duration
                m["billed_duration_ms"] += max(1, math.ceil(duration / EXPRESS_BILLING_STEP_MS)) * EXPRESS_BILLING_STEP_MS
            entered, retries, per_state = transitions(_history(execution))
            m["transitions"] += entered + retries
            m["retries"] += retries
            m["states_entered"].update(per_state)
        for m in machines.values():
            m["states_entered"] = dict(m["states_entered"].most_common())
            m["duration_ms"] = round(m["duration_ms"], 1)
            if m["type"] == "EXPRESS":
                m["memory_mb"] = EXPRESS_MEMORY_MB
                m["billed_gb_s"] = round(m["billed_duration_ms"] / 1000 * math.ceil(EXPRESS_MEMORY_MB / 64) * 64 / 1024, 6)
        return machines

    @staticmethod
    def _s3_storage() -> dict[str, Any]:
        from moto.s3.models import s3_backends

        out: dict[str, Any] = {}
        for name, bucket in s3_backends[ACCOUNT_ID]["global"].buckets.items():
            groups: Counter[tuple[str, str, str, str]] = Counter()
            sizes: Counter[tuple[str, str, str, str]] = Counter()
            for key, versions in bucket.keys.iterlists():
                prefix = key.split("/", 1)[0] + "/" if "/" in key else ""
                for position, version in enumerate(reversed(versions)):
                    if not hasattr(version, "size") or getattr(version, "is_delete_marker", False):
                        continue
                    size = int(version.size)
                    group = (str(version.storage_class or "STANDARD"), prefix,
                             "current" if position == 0 else "noncurrent",
                             "small" if size < SMALL_OBJECT_BYTES else "large")
                    groups[group] += 1
                    sizes[group] += size
            out[name] = {"|".join(k): {"objects": groups[k], "bytes": sizes[k]} for k in sorted(groups)}
        return out

    def _table_storage(self) -> dict[str, Any]:
        out = {}
        for name, table in self._backend().tables.items():
            items = base = 0
            index_bytes: Counter[str] = Counter()
            index_items: Counter[str] = Counter()
            for item in table.all_items() if hasattr(table, "all_items") else []:
                snapshot = _Snapshot(item.attrs)
                items += 1
                base += snapshot.size
                for index in self._indexes.get(name, []):
                    entry = snapshot.entry(index)
                    if entry is not None:
                        index_items[index.name] += 1
                        index_bytes[index.name] += snapshot.entry_size(entry)
            out[name] = {"items": items, "bytes": base, "index_items": dict(index_items), "index_bytes": dict(index_bytes)}
        return out

    @staticmethod
    def _versioning() -> dict[str, str]:
        from moto.s3.models import s3_backends

        return {name: str(bucket.versioning_status or "")
                for name, bucket in s3_backends[ACCOUNT_ID]["global"].buckets.items()}

    def _lifecycles(self) -> dict[str, Any]:
        from ezd.adapters.aws import client

        out = {}
        s3 = client("s3")
        for bucket in self._baseline_storage.keys() | self._s3_storage().keys():
            try:
                out[bucket] = s3.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])
            except Exception:  # noqa: BLE001 - no lifecycle configuration
                out[bucket] = []
        return out

    def wait_until_idle(self, quiet_s: float = 6.0, timeout_s: float = 600.0) -> bool:
        """Waits until no function has run or called AWS for ``quiet_s`` (longer than the
        workflows' first retry intervals): what the run set going has come to rest."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                idle = time.monotonic() - self._last_activity
            if idle >= quiet_s:
                return True
            time.sleep(min(1.0, quiet_s - idle + 0.05))
        return False

    # ---------------------------------------------------------------- the result

    def collect(self, documents: int | None = None) -> dict[str, Any]:
        """The usage so far, as JSON-ready data (what ``bench/cost_model.py`` reads)."""
        stack = self._stack
        now = datetime.now(timezone.utc)
        with stack.moto.lock:
            machines = self._guard("stepfunctions", lambda: self._step_functions(now)) or {}
            storage_end = self._guard("s3-storage", self._s3_storage) or {}
            tables_end = self._guard("dynamodb-storage", self._table_storage) or {}
            versioning = self._guard("s3-versioning", self._versioning) or {}
        lifecycles = self._guard("s3-lifecycle", self._lifecycles) or {}
        with self._lock:
            functions = {
                name: {
                    "memory_mb": self._memory.get(name, 128),
                    "architecture": self._architecture.get(name, "x86_64"),
                    "invocations": f.invocations,
                    "errors": f.errors,
                    "billed_ms": f.billed_ms,
                    "wall_ms": round(f.wall_ms, 1),
                    "cpu_ms": round(f.cpu_ms, 1),
                }
                for name, f in sorted(self._functions.items())
            }
            s3 = {
                bucket: {
                    "requests": dict(self._s3.get(bucket, {})),
                    "operations": dict(self._s3_operations.get(bucket, {})),
                    "storage_start": self._baseline_storage.get(bucket, {}),
                    "storage_end": storage_end.get(bucket, {}),
                    "versioning": versioning.get(bucket, ""),
                    "lifecycle_rules": lifecycles.get(bucket, []),
                }
                for bucket in sorted(set(self._s3) | set(storage_end) | set(self._baseline_storage))
            }
            dynamodb = {
                name: {
                    **self._tables[name].to_json(),
                    "indexes": [i.name for i in self._indexes.get(name, [])],
                    "storage_start": self._baseline_tables.get(name, {}),
                    "storage_end": tables_end.get(name, {}),
                }
                for name in sorted(set(self._tables) | set(tables_end))
            }
            return {
                "meter": "ezd.local.usage_meter",
                "version": 1,
                "region": REGION,
                "documents": documents,
                "started_at": datetime.fromtimestamp(self.started_at, timezone.utc).isoformat(timespec="seconds"),
                "collected_at": now.isoformat(timespec="seconds"),
                "seconds": round(now.timestamp() - self.started_at, 1),
                "rules": {
                    "failed_transaction_factor": FAILED_TRANSACTION_FACTOR,
                    "express_memory_mb": EXPRESS_MEMORY_MB,
                    "lambda_duration": "wall clock of the in-process handler, rounded up to 1 ms per invocation",
                },
                "lambda": functions,
                "stepfunctions": machines,
                "dynamodb": dynamodb,
                "s3": s3,
                "requests": dict(self._requests.most_common()),
                "requests_by_function": {k: dict(v.most_common()) for k, v in sorted(self._requests_by_function.items())},
                "errors": dict(self.errors),
            }


def item_size_of(item: Any) -> int:
    """Size of a moto Item (or a wire-format attribute dict)."""
    attrs = item.attrs if hasattr(item, "attrs") else item
    return item_size(attrs)


def _history(execution: Any) -> list[dict[str, Any]]:
    try:
        return list(execution.to_history_output().get("events", []))
    except Exception:  # noqa: BLE001 - an execution that has not started has no history
        return []


def transitions(events: Iterable[dict[str, Any]]) -> tuple[int, int, Counter[str]]:
    """(states entered, retries of tasks, entries per state) of one execution's history.

    A retry shows as a task scheduled again within the same state entry."""
    entered = retries = 0
    per_state: Counter[str] = Counter()
    scheduled_in_entry = 0
    for event in events:
        kind = str(getattr(event.get("type"), "value", event.get("type")))
        if kind.endswith("StateEntered"):
            entered += 1
            scheduled_in_entry = 0
            details = event.get("stateEnteredEventDetails") or {}
            per_state[str(details.get("name", "?"))] += 1
        elif kind in ("LambdaFunctionScheduled", "TaskScheduled", "ActivityScheduled"):
            scheduled_in_entry += 1
            if scheduled_in_entry > 1:
                retries += 1
    return entered, retries, per_state

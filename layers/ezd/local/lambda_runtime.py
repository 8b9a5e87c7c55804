"""Runs Lambda functions in-process behind moto's Lambda API.

moto without Docker answers every invoke with a canned reply. Here its invoke imports the
function's handler from the template's CodeUri and calls it, and a raised exception is
reported the way real Lambda reports it (``x-amz-function-error`` and an ``errorType``
named after the exception) so that the ASL's ``Retry``/``Catch`` match on it.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from ezd.local.iam_enforcement import acting_as


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    arn: str
    code_dir: Path
    handler: str  # "module.attribute", as in the template
    memory_mb: int = 512
    timeout_s: int = 60


class LambdaContext:
    """The attributes of the real context object that our handlers and Powertools read."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = self.aws_request_id
        self._timeout_ms = spec.timeout_s * 1000

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms


@dataclass
class InjectedFault:
    """A failure the local stack injects into a function's next invocations.

    ``after=True`` runs the handler first and then fails, like a Lambda whose work
    succeeded but whose answer was lost: the workflow retries a step that already acted.
    """

    error: type[Exception]
    times: int
    after: bool = False


class InProcessLambdas:
    def __init__(self) -> None:
        self._specs: dict[str, FunctionSpec] = {}
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}
        self._import_lock = threading.Lock()
        self._faults: dict[str, InjectedFault] = {}
        self._faults_lock = threading.Lock()

    def inject_fault(self, function_name: str, error: type[Exception], times: int = 1, after: bool = False) -> None:
        with self._faults_lock:
            self._faults[function_name] = InjectedFault(error=error, times=times, after=after)

    def clear_faults(self) -> None:
        with self._faults_lock:
            self._faults.clear()

    def _take_fault(self, name: str) -> InjectedFault | None:
        with self._faults_lock:
            fault = self._faults.get(name)
            if fault is None or fault.times <= 0:
                return None
            fault.times -= 1
            return fault

    def register(self, spec: FunctionSpec) -> None:
        self._specs[spec.name] = spec

    def handler(self, name: str) -> Callable[[Any, Any], Any]:
        """The callable named by a registered function's Handler (imported once)."""
        return self._handler(name)

    def _handler(self, name: str) -> Callable[[Any, Any], Any]:
        with self._import_lock:
            if name not in self._handlers:
                spec = self._specs[name]
                module_name, attribute = spec.handler.rsplit(".", 1)
                module = _load_module(spec.code_dir, module_name)
                self._handlers[name] = getattr(module, attribute)
            return self._handlers[name]

    def invoke(self, function_name: str, payload: bytes | str | None) -> tuple[bytes, bool]:
        """Returns the response payload and whether the function failed."""
        name = function_name.split(":")[6] if function_name.startswith("arn:") else function_name
        if name not in self._specs:
            return _error_payload("ResourceNotFoundException", f"Function not found: {name}"), True
        event = json.loads(payload) if payload else {}
        fault = self._take_fault(name)
        try:
            if fault is not None and not fault.after:
                raise fault.error(f"injected fault before {name}")
            with acting_as(name):  # what it calls, it calls under its own role
                result = self._handler(name)(event, LambdaContext(self._specs[name]))
            if fault is not None and fault.after:
                raise fault.error(f"injected fault after {name} completed")
        except Exception as exc:  # noqa: BLE001 - every failure becomes a Lambda error
            return _error_payload(type(exc).__name__, str(exc), traceback.format_exc()), True
        return json.dumps(result, default=str).encode("utf-8"), False


def _error_payload(error_type: str, message: str, trace: str = "") -> bytes:
    return json.dumps(
        {"errorType": error_type, "errorMessage": message, "stackTrace": trace.splitlines()[-20:]}
    ).encode("utf-8")


def _load_module(code_dir: Path, module_name: str) -> ModuleType:
    # Every function has an app.py: give each its own module name so they do not clash.
    unique = f"ezd_function_{code_dir.name}_{module_name}"
    if unique in sys.modules:
        return sys.modules[unique]
    spec = importlib.util.spec_from_file_location(unique, code_dir / f"{module_name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {module_name} from {code_dir}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    spec.loader.exec_module(module)
    return module


_installed: InProcessLambdas | None = None


def install(runtime: InProcessLambdas) -> None:
    """Routes moto's Docker-less Lambda backend to ``runtime``."""
    global _installed
    from moto.awslambda_simple.models import LambdaSimpleBackend

    _installed = runtime

    def invoke(self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any) -> bytes:
        assert _installed is not None
        # The backend must still know the function, as real Lambda would.
        self.get_function(function_name, qualifier)
        payload, failed = _installed.invoke(function_name, body)
        if failed:
            response_headers["x-amz-function-error"] = "Unhandled"
        response_headers["Content-Length"] = str(len(payload))
        return payload

    LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]

"""moto's Step Functions interpreter, without parsing the same text again and again.

moto (a copy of LocalStack's ASL interpreter) parses a state machine's definition with
ANTLR and builds its program anew for every execution (~45 ms for the intake), and builds
a new JSONPath parser (PLY) for every path it evaluates (~0.8 ms each, ~45 paths a
letter). Both are pure functions of their text, so each text is parsed once:

* ``AmazonStateLanguageParser.parse(definition)`` returns the same (program, parse tree)
  for the same definition. The program is shared by the executions of that definition, as
  moto already shares it between the concurrent iterations of a Map or the branches of a
  Parallel within one execution: evaluation keeps its state in the execution's
  ``Environment`` (stack, heap, frames, event history, context object), not in the
  program's components. Checked: no component's method assigns to the component or its
  containers after ``from_state_props`` (the parse), except ``EvalComponent.heap_key``, a
  random id made at first use, by which retriers keep their attempt counts in the
  execution's heap. Made lazily it is a race between two executions starting together
  (each could keep counts under a key the other then replaces), so every component's key is
  made once, at the parse, before the program is shared. ``Pass`` hands on its ``Result``
  object itself, as moto always did within an execution; the next state's input is a
  deep copy (``States.reset``), and ``ResultPath`` deep-copies what it writes.
  tests/unit/test_moto_sfn_patches.py runs the same definitions with and without this and
  compares every output and history, also concurrently, and checks that executions leave
  the cached program as it was.
* ``jsonpath_ng.ext.parse`` (``extract_json``: InputPath, OutputPath, Parameters, Choice
  variables, intrinsic arguments) and ``jsonpath_ng.parse`` (``ResultPath``) return the same
  expression object for the same path: ``find`` and ``update_or_create`` build new
  ``DatumInContext`` objects and change only the data, never the expression.

Each cache is guarded by a lock (executions run in their own threads); a definition
that fails to parse is not cached (it fails again, as before).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

MAX_DEFINITIONS = 256
MAX_PATHS = 8192

_definitions_lock = threading.Lock()
_paths_lock = threading.Lock()  # another lock: parsing a definition parses paths too
_programs: OrderedDict[str, tuple[Any, Any]] = OrderedDict()
_paths: dict[tuple[str, str], Any] = {}
_installed = False
enabled = True  # tests compare against moto's own parsing by switching this off


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.utils import json_path

    AmazonStateLanguageParser.parse = staticmethod(_cached_definition(AmazonStateLanguageParser.parse))
    json_path.parse = _cached_path("ext", json_path.parse)
    result_path.parse = _cached_path("plain", result_path.parse)
    _installed = True


def clear() -> None:
    with _definitions_lock:
        _programs.clear()
    with _paths_lock:
        _paths.clear()


def _cached_definition(parse: Callable[[str], tuple[Any, Any]]) -> Callable[[str], tuple[Any, Any]]:
    def cached(definition: str) -> tuple[Any, Any]:
        if not enabled:
            return parse(definition)
        with _definitions_lock:  # held while parsing: executions that start together parse it once
            found = _programs.get(definition)
            if found is not None:
                _programs.move_to_end(definition)
                return found
            found = parse(definition)
            _make_heap_keys(found[0])
            _programs[definition] = found
            if len(_programs) > MAX_DEFINITIONS:
                _programs.popitem(last=False)
            return found

    return cached


def _cached_path(grammar: str, parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def cached(path: str) -> Any:
        if not enabled:
            return parse(path)
        key = (grammar, path)
        found = _paths.get(key)
        if found is None:
            with _paths_lock:
                found = _paths.get(key)
                if found is None:
                    found = parse(path)
                    if len(_paths) >= MAX_PATHS:
                        _paths.clear()
                    _paths[key] = found
        return found

    return cached


def _make_heap_keys(program: Any) -> None:
    """Gives every component of the program its heap key now (see the module's doc)."""
    from moto.stepfunctions.parser.asl.component.component import Component
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    seen: set[int] = set()
    pending = [program]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, (list, tuple, set, frozenset)):
            pending.extend(node)
        elif isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, Component):
            if isinstance(node, EvalComponent):
                node.heap_key  # noqa: B018 - made on first access
            pending.extend(vars(node).values())

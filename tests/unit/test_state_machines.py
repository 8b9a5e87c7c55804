"""The ASL files are well-formed workflows: every transition names a state that exists,
and every state can be reached (a typo in a ``Next`` fails only at run time in moto)."""

import json
from pathlib import Path

import pytest

MACHINES = sorted((Path(__file__).resolve().parents[2] / "statemachines").glob("*.asl.json"))


def _targets(state: dict) -> list[str]:
    found = [state.get("Next"), state.get("Default")]
    found += [c["Next"] for c in state.get("Catch", [])] + [c["Next"] for c in state.get("Choices", [])]
    return [t for t in found if t]


@pytest.mark.parametrize("path", MACHINES, ids=lambda p: p.name)
def test_every_transition_names_a_state_and_every_state_is_reachable(path):
    definition = json.loads(path.read_text(encoding="utf-8"))
    states = definition["States"]
    assert definition["StartAt"] in states
    for name, state in states.items():
        for target in _targets(state):
            assert target in states, f"{name} → {target}"
    seen, todo = set(), [definition["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_targets(states[name]))
    assert seen == set(states), f"unreachable: {set(states) - seen}"

"""Each function's IAM permissions, read from the template as SAM would deploy them.

`Policies` of an `AWS::Serverless::Function` holds SAM policy templates (S3ReadPolicy,
DynamoDBCrudPolicy, ...) and inline statements. SAM's own definitions of the templates
(aws-sam-translator's policy_templates.json) expand them here, so the local stack
enforces exactly the statements a deployment would attach to the function's role.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ezd.local.template import Template


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def matches(self, action: str, resource: str) -> bool:
        return any(_glob(a, action, ignore_case=True) for a in self.actions) and \
            any(_glob(r, resource) for r in self.resources)


def _glob(pattern: str, value: str, ignore_case: bool = False) -> bool:
    # IAM wildcards: * any run of characters, ? one character; actions are case-insensitive.
    regex = "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(regex, value, re.IGNORECASE if ignore_case else 0) is not None


@lru_cache(maxsize=1)
def _sam_templates() -> dict[str, Any]:
    text = resources.files("samtranslator").joinpath("policy_templates_data/policy_templates.json").read_text("utf-8")
    return json.loads(text)["Templates"]


def _substitute(value: Any, parameters: dict[str, Any], template: Template) -> Any:
    """A SAM policy template's definition with its parameters and pseudo parameters filled in."""
    if isinstance(value, dict) and len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref":
            return parameters[arg] if arg in parameters else template.resolve({"Ref": arg})
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else arg
            bound = {k: _substitute(v, parameters, template) for k, v in variables.items()}

            def replace(match: re.Match[str]) -> str:
                name = match.group(1)
                return str(bound[name]) if name in bound else str(template.resolve({"Ref": name}))

            return re.sub(r"\$\{([^}!]+)\}", replace, text)
    if isinstance(value, dict):
        return {k: _substitute(v, parameters, template) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, parameters, template) for v in value]
    return value


def _statements(document: dict[str, Any]) -> list[Statement]:
    found = []
    for raw in document.get("Statement", []):
        actions = raw["Action"] if isinstance(raw["Action"], list) else [raw["Action"]]
        targets = raw.get("Resource", "*")
        targets = targets if isinstance(targets, list) else [targets]
        found.append(Statement(effect=raw["Effect"], actions=tuple(actions), resources=tuple(str(t) for t in targets)))
    return found


def function_statements(template: Template) -> dict[str, list[Statement]]:
    """{function name: the statements of its role}."""
    policies: dict[str, list[Statement]] = {}
    sam = _sam_templates()
    for function in template.of_type("AWS::Serverless::Function"):
        statements: list[Statement] = []
        for policy in template.resolve(function.properties.get("Policies") or []):
            if isinstance(policy, str):
                raise ValueError(f"{function.logical_id}: managed policy {policy} cannot be enforced locally")
            if "Statement" in policy:
                statements.extend(_statements(policy))
                continue
            (name, parameters), = policy.items()
            statements.extend(_statements(_substitute(sam[name]["Definition"], parameters, template)))
        policies[function.name] = statements
    return policies


def allowed(statements: list[Statement], action: str, resource: str) -> bool:
    """IAM's evaluation for what the template uses: an explicit Deny wins, else an Allow
    is needed, else the request is implicitly denied. A ``resource`` with a wildcard (a
    callback whose task token names no state machine) is allowed by any statement on a
    resource it covers."""
    if "*" in resource:
        relevant = [s for s in statements if any(_glob(a, action, ignore_case=True) for a in s.actions)
                    and any(r == "*" or _glob(resource, r) for r in s.resources)]
    else:
        relevant = [s for s in statements if s.matches(action, resource)]
    return any(s.effect == "Allow" for s in relevant) and not any(s.effect == "Deny" for s in relevant)

"""Reads infra/template.yaml, the single source of truth for resources.

The local stack creates exactly what this template declares. CloudFormation intrinsic
functions are resolved here for the small set the template uses (Ref, GetAtt, Sub, and
the conditions: If, Equals, Not, And, Or, Condition, AWS::NoValue),
because moto's CloudFormation skips SAM resources and ignores Object Lock and
Step Functions substitutions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ACCOUNT_ID = "123456789012"
REGION = "eu-central-1"


class _Tagged(dict):
    """An intrinsic function read from a YAML short tag (!Ref, !GetAtt, !Sub...)."""


def _tag_constructor(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return _Tagged({name: value})


class _TemplateLoader(yaml.SafeLoader):
    pass


_TemplateLoader.add_multi_constructor("!", _tag_constructor)


class _NoValue:
    """AWS::NoValue: the property or list item that holds it is dropped."""


NO_VALUE = _NoValue()


def load_template(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_TemplateLoader)  # noqa: S506 - SafeLoader subclass


@dataclass
class ResolvedResource:
    logical_id: str
    type: str
    properties: dict[str, Any]
    name: str
    arn: str
    metadata: dict[str, Any] = field(default_factory=dict)


_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Serverless::StateMachine": "Name",
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::Logs::LogGroup": "LogGroupName",
}


class Template:
    """A template with its parameters bound and intrinsic functions resolvable."""

    def __init__(self, path: Path, stack_name: str, parameters: dict[str, str] | None = None):
        self.path = path
        self.base_dir = path.parent
        self.stack_name = stack_name
        self.raw = load_template(path)
        self.parameters = self._bind_parameters(parameters or {})
        self.conditions: dict[str, bool] = {}
        for name in self.raw.get("Conditions") or {}:
            self._condition(name)
        self.resources: dict[str, ResolvedResource] = {}
        self._name_resources()

    def _bind_parameters(self, overrides: dict[str, str]) -> dict[str, Any]:
        bound: dict[str, Any] = {}
        for key, spec in (self.raw.get("Parameters") or {}).items():
            bound[key] = overrides.get(key, spec.get("Default"))
        unknown = set(overrides) - set(bound)
        if unknown:
            raise KeyError(f"unknown template parameters: {sorted(unknown)}")
        return bound

    def _pseudo(self) -> dict[str, str]:
        return {
            "AWS::StackName": self.stack_name,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Region": REGION,
            "AWS::Partition": "aws",
        }

    def _condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self._evaluate(self.raw["Conditions"][name]))
        return self.conditions[name]

    def _evaluate(self, value: Any) -> Any:
        """A condition expression (Fn::Equals/Not/And/Or, Condition) to its value."""
        if isinstance(value, dict) and len(value) == 1:
            (key, arg), = value.items()
            if key == "Fn::Equals":
                left, right = (self.resolve(a) for a in arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self._evaluate(arg[0])
            if key == "Fn::And":
                return all(self._evaluate(a) for a in arg)
            if key == "Fn::Or":
                return any(self._evaluate(a) for a in arg)
            if key in ("Condition", "Fn::Condition"):
                return self._condition(arg)
        return self.resolve(value)

    def _name_resources(self) -> None:
        for logical_id, spec in self.raw["Resources"].items():
            if "Condition" in spec and not self._condition(spec["Condition"]):
                continue  # not created in this stack
            rtype = spec["Type"]
            props = spec.get("Properties") or {}
            prop = _NAME_PROPERTY.get(rtype)
            name = self.resolve(props[prop]) if prop and prop in props else f"{self.stack_name}-{logical_id}"
            self.resources[logical_id] = ResolvedResource(
                logical_id=logical_id,
                type=rtype,
                properties=props,
                name=name,
                arn=self._arn(rtype, name),
                metadata=spec.get("Metadata") or {},
            )

    @staticmethod
    def _arn(rtype: str, name: str) -> str:
        return {
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}",
            "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
            "AWS::Serverless::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}",
            "AWS::Serverless::StateMachine": f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}",
            "AWS::Serverless::LayerVersion": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:layer:{name}:1",
            "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}:*",
        }.get(rtype, name)

    def _ref(self, target: str) -> Any:
        if target == "AWS::NoValue":
            return NO_VALUE
        pseudo = self._pseudo()
        if target in pseudo:
            return pseudo[target]
        if target in self.parameters:
            return self.parameters[target]
        resource = self.resources[target]
        # Ref of a state machine or a layer is its ARN; of the rest, its name.
        if resource.type in ("AWS::Serverless::StateMachine", "AWS::Serverless::LayerVersion"):
            return resource.arn
        return resource.name

    def _get_att(self, logical_id: str, attribute: str) -> str:
        resource = self.resources[logical_id]
        if attribute == "Arn":
            return resource.arn
        if attribute == "Name":
            return resource.name
        raise KeyError(f"GetAtt {logical_id}.{attribute} is not supported locally")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                (key, arg), = value.items()
                if key == "Ref":
                    return self._ref(arg)
                if key == "Fn::GetAtt":
                    logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                    return self._get_att(logical_id, attribute)
                if key == "Fn::Sub":
                    return self._sub(arg)
                if key == "Fn::If":
                    name, when_true, when_false = arg
                    return self.resolve(when_true if self._condition(name) else when_false)
            resolved = {k: self.resolve(v) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not NO_VALUE]
        return value

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name:
                return str(self._get_att(*name.split(".", 1)))
            return str(self._ref(name))

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    def of_type(self, rtype: str) -> list[ResolvedResource]:
        return [r for r in self.resources.values() if r.type == rtype]

    def globals_for_functions(self) -> dict[str, Any]:
        return (self.raw.get("Globals") or {}).get("Function") or {}

    def function_environment(self, function: ResolvedResource) -> dict[str, str]:
        merged: dict[str, Any] = {}
        merged.update(((self.globals_for_functions().get("Environment") or {}).get("Variables")) or {})
        merged.update(((function.properties.get("Environment") or {}).get("Variables")) or {})
        return {k: str(self.resolve(v)) for k, v in merged.items()}

    def code_dir(self, function: ResolvedResource) -> Path:
        return (self.base_dir / function.properties["CodeUri"]).resolve()

"""Reads `template.yaml` the way the local stack needs it: resources, routes, environment.

CloudFormation short tags (`!Ref`, `!Sub`, `!GetAtt`, ...) become their long form
(`{"Ref": ...}`, `{"Fn::Sub": ...}`), and `Resolver` evaluates the intrinsic functions against
local values: parameters (defaults or local overrides), pseudo parameters of a fake account and
region, and the physical ids of the resources the local stack created.

    template = load_template(ROOT / "template.yaml")
    resolver = Resolver(template, parameter_overrides={"WebBaseUrl": "http://127.0.0.1:3000"})
    resolver.resolve({"Fn::Sub": "${AWS::StackName}/pseudonymisation-key"})  # 'ameli-local/pseudonymisation-key'
    [route.path for route in api_routes(template)]                             # ['/v1/health', '/v1/signups', ...]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

STACK_NAME = "ameli-local"
REGION = "eu-west-3"
ACCOUNT_ID = "123456789012"  # moto's default account
PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"


class TemplateError(Exception):
    """The template cannot be understood locally (unknown reference, unsupported intrinsic...)."""


# -- YAML with CloudFormation tags ----------------------------------------------------------------

class _CfnLoader(yaml.SafeLoader):
    """A SafeLoader that turns `!Tag value` into the long form `{"Fn::Tag": value}`."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    except (OSError, yaml.YAMLError) as error:
        raise TemplateError(f"{path}: cannot read the template: {error}") from None
    if not isinstance(document, dict) or "Resources" not in document:
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources)")
    return document


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == resource_type
    }


# -- intrinsic functions --------------------------------------------------------------------------

_NO_VALUE = object()
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass
class Resolver:
    """Evaluates intrinsic functions with local values.

    `physical_ids` maps a logical id to what `Ref` returns (a table name, an ARN...);
    `attributes` maps `(logical_id, attribute)` to what `GetAtt` returns.
    """

    template: dict[str, Any]
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    physical_ids: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)
    stack_name: str = STACK_NAME
    region: str = REGION
    account_id: str = ACCOUNT_ID

    def parameter_values(self) -> dict[str, str]:
        values = {}
        for name, spec in (self.template.get("Parameters") or {}).items():
            if name in self.parameter_overrides:
                values[name] = self.parameter_overrides[name]
            elif "Default" in spec:
                values[name] = str(spec["Default"])
        return values

    def check_parameters(self) -> None:
        """Every parameter has a value that satisfies its `AllowedPattern` / `AllowedValues`."""
        values = self.parameter_values()
        for name, spec in (self.template.get("Parameters") or {}).items():
            if name not in values:
                raise TemplateError(f"parameter {name} has no default and no local value")
            value = values[name]
            pattern = spec.get("AllowedPattern")
            if pattern and not re.fullmatch(pattern, value):
                raise TemplateError(f"parameter {name}: value {value!r} does not match {pattern}")
            allowed = spec.get("AllowedValues")
            if allowed and value not in [str(v) for v in allowed]:
                raise TemplateError(f"parameter {name}: value {value!r} is not one of {allowed}")

    def _pseudo(self, name: str) -> Any:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:{PARTITION}:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local"
            ),
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::NoValue": _NO_VALUE,
        }.get(name)

    def ref(self, name: str) -> Any:
        pseudo = self._pseudo(name)
        if pseudo is not None:
            return pseudo
        parameters = self.parameter_values()
        if name in parameters:
            return parameters[name]
        if name in self.physical_ids:
            return self.physical_ids[name]
        if name in self.template.get("Resources", {}):
            return f"{self.stack_name}-{name}-local"  # not emulated: an id as CloudFormation would generate
        raise TemplateError(f"!Ref {name}: unknown parameter or resource")

    def get_att(self, logical_id: str, attribute: str) -> str:
        if (logical_id, attribute) in self.attributes:
            return self.attributes[(logical_id, attribute)]
        if logical_id in self.template.get("Resources", {}):
            return f"{self.stack_name}-{logical_id}-{attribute}-local"  # not emulated
        raise TemplateError(f"!GetAtt {logical_id}.{attribute}: unknown resource")

    def exists(self, resource: dict[str, Any]) -> bool:
        """False for a resource whose `Condition` is false (CloudFormation does not create it)."""
        return "Condition" not in resource or self.condition(resource["Condition"])

    def condition(self, name: str) -> bool:
        conditions = self.template.get("Conditions") or {}
        if name not in conditions:
            raise TemplateError(f"unknown condition {name}")
        return bool(self.resolve(conditions[name]))

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], {k: self.resolve(v) for k, v in (argument[1] or {}).items()}
        else:
            text, variables = argument, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function evaluated (`AWS::NoValue` entries removed)."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Condition":
                return self.condition(argument)
            if key == "Fn::Sub":
                return self._sub(argument)
            if key == "Fn::GetAtt":
                logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.get_att(logical_id, attribute)
            if key == "Fn::Join":
                separator, items = argument
                return str(separator).join(str(item) for item in self.resolve(items))
            if key == "Fn::Select":
                index, items = argument
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                separator, text = argument
                return str(self.resolve(text)).split(separator)
            if key == "Fn::If":
                name, when_true, when_false = argument
                return self.resolve(when_true if self.condition(name) else when_false)
            if key == "Fn::Equals":
                left, right = self.resolve(argument)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.resolve(argument[0])
            if key == "Fn::And":
                return all(self.resolve(item) for item in argument)
            if key == "Fn::Or":
                return any(self.resolve(item) for item in argument)
            if key.startswith("Fn::"):
                raise TemplateError(f"{key} is not supported by the local stack")
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not _NO_VALUE}


# -- functions and routes -------------------------------------------------------------------------

@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: str
    handler: str  # "app.lambda_handler"
    memory_size: int
    timeout: int
    environment: dict[str, Any]  # the function's own variables (intrinsics not yet resolved)
    layers: tuple[str, ...] = ()  # logical ids of the template's layers (`!Ref SharedLayer`)


@dataclass(frozen=True)
class Route:
    """One `Events` entry of `Type: Api`: `POST /v1/signups/{signup_id}/proof` -> a function."""

    path: str  # as in the template, with {param} segments
    method: str  # upper case, or "ANY"
    function: str  # logical id
    event_name: str


def _globals(template: dict[str, Any]) -> dict[str, Any]:
    return ((template.get("Globals") or {}).get("Function")) or {}


def global_environment(template: dict[str, Any]) -> dict[str, Any]:
    return dict(((_globals(template).get("Environment") or {}).get("Variables")) or {})


def functions(template: dict[str, Any]) -> dict[str, FunctionSpec]:
    defaults = _globals(template)
    found = {}
    for logical_id, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        properties = resource.get("Properties") or {}
        code_uri = properties.get("CodeUri", defaults.get("CodeUri"))
        handler = properties.get("Handler", defaults.get("Handler"))
        if not isinstance(code_uri, str) or not isinstance(handler, str):
            raise TemplateError(f"{logical_id}: CodeUri and Handler must be plain strings locally")
        found[logical_id] = FunctionSpec(
            logical_id=logical_id,
            code_uri=code_uri,
            handler=handler,
            memory_size=int(properties.get("MemorySize", defaults.get("MemorySize", 128))),
            timeout=int(properties.get("Timeout", defaults.get("Timeout", 3))),
            environment=dict(((properties.get("Environment") or {}).get("Variables")) or {}),
            layers=tuple(layer["Ref"] for layer in properties.get("Layers", defaults.get("Layers")) or []
                         if isinstance(layer, dict) and "Ref" in layer),
        )
    return found


def layer_folders(template: dict[str, Any]) -> dict[str, str]:
    """Logical id of each layer -> its `ContentUri` (in the built template: its folder in the build)."""
    return {logical_id: str((resource.get("Properties") or {}).get("ContentUri"))
            for logical_id, resource in resources_of_type(template, "AWS::Serverless::LayerVersion").items()}


def api_routes(template: dict[str, Any]) -> list[Route]:
    routes = []
    for logical_id, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        for event_name, event in ((resource.get("Properties") or {}).get("Events") or {}).items():
            if event.get("Type") != "Api":
                continue
            properties = event.get("Properties") or {}
            method = str(properties.get("Method", "any")).upper()
            routes.append(Route(str(properties["Path"]), method, logical_id, event_name))
    return routes

"""Reads `template.yaml` the way the local stack needs it: resources, routes, environment.

CloudFormation short tags (`!Ref`, `!Sub`, `!GetAtt`, ...) become their long form
(`{"Ref": ...}`, `{"Fn::Sub": ...}`), and `Resolver` evaluates the intrinsic functions with moto's
CloudFormation against local values: parameters (defaults or local overrides), pseudo parameters of a
fake account and region, conditions, and the physical ids of the resources the local stack created.

    template = load_template(ROOT / "template.yaml")
    resolver = Resolver(template, parameter_overrides={"WebBaseUrl": "http://127.0.0.1:3000"})
    resolver.resolve({"Fn::Sub": "${AWS::StackName}/pseudonymisation-key"})  # 'ameli-local/pseudonymisation-key'
    [route.path for route in api_routes(template)]                             # ['/v1/health', '/v1/signups', ...]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from moto.cloudformation.exceptions import MissingParameterError
from moto.cloudformation.parsing import ResourceMap, clean_json

STACK_NAME = "ameli-local"
REGION = "eu-west-3"
ACCOUNT_ID = "123456789012"  # moto's default account


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


# -- intrinsic functions: moto's CloudFormation evaluates them ---------------------------------------

class _LocalResource:
    """What `!Ref` and `!GetAtt` of one resource give locally: the id and attributes of the resource the
    local stack created, else ids as CloudFormation would generate them (the resource is not emulated)."""

    def __init__(self, resolver: Resolver, logical_id: str) -> None:
        self.resolver, self.logical_id = resolver, logical_id

    @property
    def physical_resource_id(self) -> str:
        return self.resolver.physical_ids.get(self.logical_id, f"{self.resolver.stack_name}-{self.logical_id}-local")

    def get_cfn_attribute(self, attribute: str) -> str:
        return self.resolver.attributes.get(
            (self.logical_id, attribute), f"{self.resolver.stack_name}-{self.logical_id}-{attribute}-local")


class _LocalResourceMap(ResourceMap):
    """moto's map of a stack's parameters, conditions and resources, holding the local stack's resources
    instead of creating them in moto (the local stack creates what it emulates itself: `local.aws`)."""

    def __init__(self, resolver: Resolver, parameters: dict[str, str]) -> None:
        stack_id = f"arn:aws:cloudformation:{resolver.region}:{resolver.account_id}:stack/{resolver.stack_name}/local"
        super().__init__(stack_id, resolver.stack_name, parameters, {}, resolver.region, resolver.account_id,
                         resolver.template, None)
        self.resolver = resolver

    def __getitem__(self, key: str) -> Any:
        if key in self._parsed_resources:  # pseudo parameters and parameters
            return self._parsed_resources[key]
        if key in self._resource_json_map or key in self.resolver.physical_ids:
            return _LocalResource(self.resolver, key)
        raise TemplateError(f"{key}: unknown parameter or resource")


def _without_no_value(value: Any) -> Any:
    """moto drops `AWS::NoValue` from objects; CloudFormation drops it from lists too."""
    if isinstance(value, list):
        return [_without_no_value(item) for item in value if item is not None]
    if isinstance(value, dict):
        return {key: _without_no_value(item) for key, item in value.items()}
    return value


class Resolver:
    """Evaluates intrinsic functions with local values, by moto's CloudFormation (`clean_json`): parameters
    (defaults or local overrides), pseudo parameters of a fake account and region, conditions, and the ids
    of the resources the local stack created.

    `physical_ids` maps a logical id to what `Ref` returns (a table name, an ARN...);
    `attributes` maps `(logical_id, attribute)` to what `GetAtt` returns.
    """

    def __init__(self, template: dict[str, Any], parameter_overrides: dict[str, str] | None = None,
                 stack_name: str = STACK_NAME, region: str = REGION, account_id: str = ACCOUNT_ID) -> None:
        self.template = template
        self.stack_name, self.region, self.account_id = stack_name, region, account_id
        self.physical_ids: dict[str, str] = {}
        self.attributes: dict[tuple[str, str], str] = {}
        self._map = _LocalResourceMap(self, dict(parameter_overrides or {}))
        try:
            self._map.load_parameters()
            self._map.load_conditions()
        except MissingParameterError as error:
            raise TemplateError(f"{error.message}: it has no default and no local value") from None

    def parameter_values(self) -> dict[str, str]:
        return {name: str(value) for name, value in self._map.resolved_parameters.items()}

    def check_parameters(self) -> None:
        """Every parameter's value satisfies its `AllowedPattern` / `AllowedValues` (moto checks neither)."""
        values = self.parameter_values()
        for name, spec in (self.template.get("Parameters") or {}).items():
            pattern, allowed = spec.get("AllowedPattern"), spec.get("AllowedValues")
            if pattern and not re.fullmatch(pattern, values[name]):
                raise TemplateError(f"parameter {name}: value {values[name]!r} does not match {pattern}")
            if allowed and values[name] not in [str(v) for v in allowed]:
                raise TemplateError(f"parameter {name}: value {values[name]!r} is not one of {allowed}")

    def condition(self, name: str) -> bool:
        if name not in self._map.lazy_condition_map:
            raise TemplateError(f"unknown condition {name}")
        return bool(self._map.lazy_condition_map[name])

    def exists(self, resource: dict[str, Any]) -> bool:
        """False for a resource whose `Condition` is false (CloudFormation does not create it)."""
        return "Condition" not in resource or self.condition(resource["Condition"])

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function evaluated (`AWS::NoValue` entries removed)."""
        return _without_no_value(clean_json(value, self._map))


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

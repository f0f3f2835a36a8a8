"""Prints template.yaml as CloudFormation receives it after the SAM transform, as JSON.

Run by the SAM CLI's own interpreter (.venv-sam/bin/python), so the translator is the one `sam deploy`
uses; the topology tests read its output. Usage: python translate.py template.yaml [Name=value ...]
"""

import json
import os
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """The template grants inline statements only: a managed policy name would need IAM to resolve."""

    def load(self) -> dict:
        return {}


def _as_packaged(template: dict, root: str) -> None:
    """What `sam package` changes before the transform: code folders become S3 objects; the state
    machine's definition is kept inline so that its topology can be read."""
    for logical_id, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
                properties[key] = f"s3://artifacts/{logical_id}.zip"
        if isinstance(properties.get("DefinitionUri"), str):
            with open(os.path.join(root, properties.pop("DefinitionUri")), encoding="utf-8") as definition:
                properties["Definition"] = json.load(definition)


def main(path: str, overrides: list[str]) -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")  # the translator's ARNs need a region, never credentials
    with open(path, encoding="utf-8") as template_file:
        template = yaml_parse(template_file.read())
    _as_packaged(template, os.path.dirname(os.path.abspath(path)))
    parameters = {name: spec["Default"] for name, spec in template.get("Parameters", {}).items() if "Default" in spec}
    parameters.update(item.split("=", 1) for item in overrides)
    try:
        translated = transform(template, parameters, NoManagedPolicies())
    except InvalidDocumentException as error:
        sys.exit("; ".join(str(cause) for cause in error.causes))
    json.dump(translated, sys.stdout, indent=1, sort_keys=True, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

"""Reading a CloudFormation or SAM template, with the line and column of every resource.

cfn-lint's decoder does the reading (YAML with the short intrinsic forms, or JSON): it
keeps source marks on every node, which is what lets a result point at the resource in
the pull request. Where it is stricter than CloudFormation, CloudFormation wins: a mapping
with a duplicate key (real public templates have them) is read with the later value, and
a warning says so. A SAM template is transformed by aws-sam-translator, AWS's own library
(through cfn-lint's wrapper, which gives local code paths the S3 form the translator
expects); its generated resources point at the SAM resource they came from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from auditor.process import UsageError

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


class TemplateError(UsageError):
    """A template that cannot be evaluated: one line, with file and line where known."""


@dataclass(frozen=True)
class Location:
    """Where a resource is written: ``file:line:column`` (1-based)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column}


@dataclass
class LoadedTemplate:
    path: str
    body: dict[str, Any]
    locations: dict[str, Location]  # logical id -> where it is written
    warnings: list[str] = field(default_factory=list)
    transformed: bool = False  # SAM: the body is the translator's output


def _mark(node: Any) -> tuple[int, int] | None:
    mark = getattr(node, "start_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else None


def _tolerant_loads(text: str, path: str) -> Any:
    """cfn-lint's YAML loader with its duplicate-key check off (the later value wins)."""
    from cfnlint.decode import cfn_yaml

    class Tolerant(cfn_yaml.CfnFullLoader):
        def flatten_mapping(self, node):
            super().flatten_mapping(node)
            node.using_merge = True  # cfn-lint skips its duplicate check on merged maps

    loader = Tolerant(text, path)
    loader.add_multi_constructor("!", cfn_yaml.multi_constructor)
    return loader.get_single_data()


def _first_problem(matches: list, path: str) -> str:
    match = matches[0]
    line = getattr(match, "linenumber", 0) or 0
    where = f"{path}:{line}" if line else path
    message = str(getattr(match, "message", match))
    return f"{where}: not a CloudFormation template ({message})"


def decode(path: str) -> tuple[dict, list[str]]:
    """The template's body and the warnings of reading it; `TemplateError` when it is
    neither YAML nor JSON, or not a template."""
    from cfnlint.decode import decode as cfn_decode

    if not os.path.isfile(path):
        raise TemplateError(f"{path}: no such file")
    body, matches = cfn_decode(path)
    warnings: list[str] = []
    if matches and all("Duplicate found" in str(getattr(m, "message", "")) for m in matches):
        lines = sorted({getattr(m, "linenumber", 0) for m in matches})
        with open(path, encoding="utf-8") as handle:
            body = _tolerant_loads(handle.read(), path)
        warnings.append(f"{path}: duplicate keys (lines {', '.join(map(str, lines))}): "
                        "CloudFormation deploys such a template, so it is read with the "
                        "later value of each (cfn-lint rejects it)")
    elif matches:
        raise TemplateError(_first_problem(matches, path))
    if not isinstance(body, dict) or not isinstance(body.get("Resources"), dict):
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources section)")
    return body, warnings


def resource_locations(body: dict, path: str) -> dict[str, Location]:
    found = {}
    for key in body.get("Resources") or {}:
        mark = _mark(key)
        found[str(key)] = Location(path, *(mark or (1, 1)))
    return found


def is_sam(body: dict) -> bool:
    transform = body.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in names


def sam_transform(body: dict, path: str, region: str) -> dict:
    """The CloudFormation the SAM transform makes of ``body`` (aws-sam-translator)."""
    from cfnlint.template.transforms._sam import Transform

    before = os.environ.get("AWS_DEFAULT_REGION")
    try:
        transform = Transform(path, body, region)  # the wrapper sets AWS_DEFAULT_REGION
        problems = transform.transform_template()
    finally:
        if before is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = before
    if problems:
        raise TemplateError(f"{path}: the SAM transform failed: "
                            f"{getattr(problems[0], 'message', problems[0])}")
    return transform.template()


def _sam_locations(generated: dict, source: dict[str, Location]) -> dict[str, Location]:
    """A generated resource points at the SAM resource whose logical id starts its own
    (``ApiFunction`` -> ``ApiFunctionRole``, ``ApiFunctionAliaslive``)."""
    found = {}
    by_length = sorted(source, key=len, reverse=True)
    for logical in generated.get("Resources") or {}:
        owner = next((s for s in by_length if str(logical).startswith(s)), None)
        if owner is not None:
            found[str(logical)] = source[owner]
    return found


def load(path: str, region: str) -> LoadedTemplate:
    body, warnings = decode(path)
    locations = resource_locations(body, path)
    if is_sam(body):
        generated = sam_transform(body, path, region)
        return LoadedTemplate(path, generated, _sam_locations(generated, locations), warnings,
                              transformed=True)
    return LoadedTemplate(path, body, locations, warnings)

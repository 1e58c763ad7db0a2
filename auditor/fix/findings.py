"""The failures of a findings report, as a fix plan reads them.

Everything a plan needs is in the report: ``edge-audit fix`` makes no AWS call. A report
is checked against the findings schema first, so a plan is never built from a document
the tool did not write (or one a newer version wrote and this one cannot read).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from auditor.fix.model import Closes
from auditor.report.json_report import validate


class ReportError(Exception):
    """The file is not a findings report this version can plan from (exit 2)."""


@dataclass(frozen=True)
class Finding:
    rule_id: str
    arn: str
    type: str
    name: str
    account: str
    region: str
    evidence: dict[str, Any]
    related: tuple[str, ...]
    remediation: str
    message: str
    title: str
    location: dict | None = None  # edge-audit iac: where it is written
    stack: dict | None = None  # CloudFormation's {name, logical_id}, from its tags

    @property
    def closes(self) -> Closes:
        return Closes(self.rule_id, self.arn, self.name)


@dataclass(frozen=True)
class Failures:
    report_id: str
    source: str  # aws | iac
    findings: tuple[Finding, ...]
    complete: bool
    tags_read: bool  # False: the scan could not read CloudFormation's tags
    # (rule id, resource ARN) -> evidence of the passing results: what a step may undo
    passing: dict[tuple[str, str], dict] = field(default_factory=dict)
    # ARN -> (name, location, stack) of every resource a result is about (passes too): a
    # step that changes a resource next to its finding's looks up that resource's own stack
    # or place in the template here
    resources: dict[str, tuple[str, dict | None, dict | None]] = field(default_factory=dict)

    def of(self, *rule_ids: str) -> list[Finding]:
        return [f for f in self.findings if f.rule_id in rule_ids]


def read(path: str) -> Failures:
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path} is not JSON (line {exc.lineno}): write it with "
                          "--format json") from exc
    try:
        validate(doc)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the document"
        raise ReportError(f"{path} is not an edge-audit findings report ({where}: "
                          f"{exc.message[:120]})") from exc
    return failures_of(doc)


def failures_of(doc: dict[str, Any]) -> Failures:
    scan = doc["scan"]
    findings = tuple(
        Finding(rule_id=r["rule_id"], arn=r["resource"]["arn"], type=r["resource"]["type"],
                name=r["resource"]["name"], account=r["account"], region=r["region"],
                evidence=r["evidence"], related=tuple(r["related"]),
                remediation=r["remediation"], message=r["message"], title=r["title"],
                location=r["resource"].get("location"),
                stack=r["resource"].get("cloudformation"))
        for r in doc["results"] if r["status"] == "fail")
    tags_failed = any(e["operation"] == "resourcegroupstaggingapi:GetResources"
                      for e in scan["errors"])
    passing = {(r["rule_id"], r["resource"]["arn"]): r["evidence"] for r in doc["results"]
               if r["status"] == "pass"}
    resources = {r["resource"]["arn"]: (r["resource"]["name"], r["resource"].get("location"),
                                        r["resource"].get("cloudformation"))
                 for r in doc["results"]}
    return Failures(scan["id"], scan.get("source", "aws"), findings, scan["complete"],
                    tags_read=not tags_failed, passing=passing, resources=resources)


def listener_of(rule_arn: str) -> str:
    """The listener ARN a listener rule ARN sits under."""
    return rule_arn.replace(":listener-rule/", ":listener/").rsplit("/", 1)[0]


def name_of_arn(arn: str) -> str:
    return arn.rsplit("/", 2)[-2] if arn.count("/") >= 2 else arn.rsplit("/", 1)[-1]

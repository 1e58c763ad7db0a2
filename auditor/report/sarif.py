"""SARIF 2.1.0 (``--format sarif``): one run, for GitHub code scanning on a pull request.

Every rule that ran is a ``reportingDescriptor`` with its help text; every failure is a
result at the file, line and column of the template resource (``edge-audit iac``), or at
the resource's ARN as a logical location (a live scan). A result that could not be judged
(``error``) is a ``review`` result, not a pass; a suppressed failure carries its
suppression. ``partialFingerprints`` key on (rule, resource), so a finding that moves in
the file stays the same alert.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from auditor import TOOL_NAME, __version__
from auditor.findings import Result, Severity, Status
from auditor.scan import Report
from auditor.secrets import scrub

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/edge-auditor/edge-auditor"
LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
# GitHub sorts code scanning alerts by this property (0.1-10, CVSS-like bands)
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "3.0", Severity.INFO: "0.5"}


def _descriptor(rule) -> dict[str, Any]:
    return {
        "id": rule.id, "name": rule.slug,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.remediation}\n\nRecommendation ({rule.cites}): "
                         f"{rule.recommendation}",
                 "markdown": f"**How to fix it.** {rule.remediation}\n\n"
                             f"**Recommendation ({rule.cites}).** {rule.recommendation}"},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["security", "aws", rule.area.lower()],
                       "security-severity": SECURITY_SEVERITY[rule.severity],
                       "precision": "high"},
    }


def _uri(path: str) -> str:
    """A path relative to the working directory (where code scanning roots the repo)."""
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return relative.replace(os.sep, "/")


def _location(result: Result) -> dict[str, Any]:
    where = result.resource.location
    logical = {"name": result.resource.name, "fullyQualifiedName": result.resource.arn,
               "kind": "resource"}
    if where:
        return {"physicalLocation": {"artifactLocation": {"uri": _uri(where["file"])},
                                     "region": {"startLine": where["line"],
                                                "startColumn": where["column"]}},
                "logicalLocations": [logical]}
    return {"logicalLocations": [logical]}


def _fingerprint(result: Result) -> str:
    key = "\x00".join((result.rule_id, result.account, result.resource.name,
                       (result.resource.location or {}).get("file", result.resource.arn)))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _result(result: Result, index: dict[str, int]) -> dict[str, Any]:
    review = result.status is Status.ERROR
    message = (f"Could not be judged: {result.message}" if review else result.message)
    out: dict[str, Any] = {
        "ruleId": result.rule_id, "message": {"text": message},
        "locations": [_location(result)],
        "partialFingerprints": {"edgeAuditor/v1": _fingerprint(result)},
        "properties": {"severity": result.severity.value, "status": result.status.value,
                       "resourceType": result.resource.type,
                       "related": list(result.related)},
    }
    if result.rule_id in index:
        out["ruleIndex"] = index[result.rule_id]
    if review:
        out["kind"], out["level"] = "review", "none"
    else:
        out["kind"], out["level"] = "fail", LEVELS[result.severity]
    if result.suppression is not None:
        out["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": result.suppression.reason}]
    return out


def document(report: Report) -> dict[str, Any]:
    rules = list(report.rules)
    index = {r.id: i for i, r in enumerate(rules)}
    shown = [r for r in report.results
             if r.status in (Status.FAIL, Status.ERROR, Status.SUPPRESSED)]
    scan = report.scan
    run: dict[str, Any] = {
        "tool": {"driver": {"name": TOOL_NAME, "version": __version__,
                            "semanticVersion": __version__, "informationUri": INFORMATION_URI,
                            "rules": [_descriptor(r) for r in rules]}},
        "results": [_result(r, index) for r in shown],
        "invocations": [{"executionSuccessful": report.complete,
                         "startTimeUtc": scan.started_at.isoformat().replace("+00:00", "Z"),
                         "endTimeUtc": scan.finished_at.isoformat().replace("+00:00", "Z"),
                         "toolExecutionNotifications": [
                             {"level": "note", "message": {
                                 "text": f"{n['rule_id']} not applicable before deploy: "
                                         f"{n['reason']}"}} for n in scan.not_applicable]}],
        "properties": {"scanId": scan.id, "source": scan.source},
    }
    if scan.inputs:
        run["artifacts"] = [{"location": {"uri": _uri(p)}} for p in scan.inputs]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    text = json.dumps(document(report), indent=2, ensure_ascii=False)
    return scrub(text, report.secrets) + "\n"

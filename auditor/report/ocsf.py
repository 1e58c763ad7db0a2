"""``--format ocsf``: OCSF Detection Finding (class 2004, schema 1.3), for Security Lake
and SIEMs. A JSON array of events, one per result.

Statuses map onto OCSF's finding status: fail -> New, suppressed -> Suppressed,
pass -> Resolved, error -> Other ("Not evaluated": the check could not see its data).
The finding ``uid`` is the same stable id the ASFF output uses.
"""

from __future__ import annotations

import json
from typing import Any

from auditor import TOOL_NAME, __version__
from auditor.findings import Result, Status
from auditor.report.shared import finding_id, partition_of, real_region, scrubbed
from auditor.scan import Report

OCSF_VERSION = "1.3.0"
CATEGORY_UID, CLASS_UID = 2, 2004  # Findings / Detection Finding
SEVERITY_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
ACTIVITY = {Status.FAIL: (1, "Create"), Status.SUPPRESSED: (2, "Update"),
            Status.ERROR: (2, "Update"), Status.PASS: (3, "Close")}
STATUS = {Status.FAIL: (1, "New"), Status.SUPPRESSED: (3, "Suppressed"),
          Status.PASS: (4, "Resolved"), Status.ERROR: (99, "Not evaluated")}


def _millis(moment) -> int:
    return int(moment.timestamp() * 1000)


def event(result: Result, report: Report) -> dict[str, Any]:
    activity_id, activity = ACTIVITY[result.status]
    status_id, status = STATUS[result.status]
    scan = report.scan
    out: dict[str, Any] = {
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "activity_id": activity_id,
        "activity_name": activity,
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": f"Detection Finding: {activity}",
        "time": _millis(scan.finished_at),
        "severity_id": SEVERITY_ID[result.severity.value],
        "severity": result.severity.value.capitalize()
        if result.severity.value != "info" else "Informational",
        "status_id": status_id,
        "status": status,
        "message": result.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": TOOL_NAME, "vendor_name": TOOL_NAME, "version": __version__},
            "uid": f"{scan.id}/{finding_id(result)}",
            "correlation_uid": scan.id,
        },
        "finding_info": {
            "uid": finding_id(result),
            "title": f"{result.rule_id} {result.title}",
            "desc": result.message,
            "types": [result.rule],
            "analytic": {"uid": result.rule_id, "name": result.rule, "type_id": 1,
                         "type": "Rule"},
        },
        "cloud": {"provider": "AWS", "account": {"uid": result.account, "type_id": 10,
                                                 "type": "AWS Account"},
                  "region": real_region(result.region)},
        "resources": [{"uid": result.resource.arn, "type": result.resource.type,
                       "name": result.resource.name,
                       "cloud_partition": partition_of(result.resource.arn),
                       "region": real_region(result.region)}]
        + [{"uid": arn, "cloud_partition": partition_of(arn)} for arn in result.related],
        "remediation": {"desc": result.remediation},
        "evidences": [{"data": result.evidence}] if result.evidence else [],
        "unmapped": {"recommendation": result.recommendation,
                     "edge_auditor_status": result.status.value},
    }
    if result.rule_pack is not None:
        out["unmapped"]["rule_pack"] = result.rule_pack.as_dict()
    sup = result.suppression
    if sup is not None:
        state = "expired" if sup.expired else "until"
        out["status_detail"] = f"suppression {state} {sup.expires.isoformat()}: {sup.reason}"
    if result.baseline:
        out["unmapped"]["baseline"] = result.baseline
    return scrubbed(out, report.secrets)


def events(report: Report) -> list[dict[str, Any]]:
    return [event(r, report) for r in report.results]


def render(report: Report) -> str:
    return json.dumps(events(report), indent=2, ensure_ascii=False) + "\n"

"""``--format asff``: the AWS Security Finding Format, for Security Hub.

One finding per result, with a stable ``Id`` per (account, rule, resource), so importing
the next scan updates the findings instead of duplicating them. A pass is the resolved
state of its finding: it is written with ``RecordState: ARCHIVED``. A failure, a
suppressed failure (``Workflow: SUPPRESSED``) and an error (``Compliance: NOT_AVAILABLE``:
the check could not see its data) are ``ACTIVE``.

Field limits follow the BatchImportFindings API: Title 256, Description 1024,
ProductFields 50 entries of at most 2048 characters.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.findings import Result, Status
from auditor.inventory import (
    T_ACCOUNT,
    T_ALIAS,
    T_DISTRIBUTION,
    T_FUNCTION,
    T_LOAD_BALANCER,
    T_REST_API,
    T_VERSION,
)
from auditor.report.shared import finding_id, iso_z, partition_of, real_region, scrubbed
from auditor.scan import Report
from auditor.session import GLOBAL_SERVICE_REGION

SCHEMA_VERSION = "2018-10-08"
TYPES = ["Software and Configuration Checks/AWS Security Best Practices"]
RESOURCE_TYPES = {
    T_LOAD_BALANCER: "AwsElbv2LoadBalancer",
    T_DISTRIBUTION: "AwsCloudFrontDistribution",
    T_FUNCTION: "AwsLambdaFunction",
    T_ALIAS: "AwsLambdaFunction",
    T_VERSION: "AwsLambdaFunction",
    T_REST_API: "AwsApiGatewayRestApi",
    T_ACCOUNT: "AwsAccount",
}  # target groups have no ASFF type: "Other"
COMPLIANCE = {Status.PASS: "PASSED", Status.FAIL: "FAILED", Status.SUPPRESSED: "FAILED",
              Status.ERROR: "NOT_AVAILABLE"}
SEVERITY = {"critical": "CRITICAL", "high": "HIGH", "medium": "MEDIUM", "low": "LOW",
            "info": "INFORMATIONAL"}


def product_arn(partition: str, region: str, account: str) -> str:
    """The default product of an account: findings a customer imports themselves."""
    return f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finding(result: Result, report: Report, region: str, importer: str | None = None) -> dict:
    """One result as an ASFF finding, to be imported into ``region`` by ``importer``
    (the caller's account; by default the result's own)."""
    partition = partition_of(result.resource.arn)
    scan = report.scan
    fields = {
        "edge-auditor/RuleId": result.rule_id,
        "edge-auditor/Rule": result.rule,
        "edge-auditor/Status": result.status.value,
        "edge-auditor/Recommendation": result.recommendation,
        "edge-auditor/ScanId": scan.id,
        "edge-auditor/Evidence": _cut(json.dumps(result.evidence, sort_keys=True,
                                                 default=str), 2048),
    }
    if result.rule_pack is not None:
        fields["edge-auditor/RulePack"] = " ".join(
            filter(None, (result.rule_pack.name, result.rule_pack.version)))
    if result.suppression is not None:
        fields["edge-auditor/SuppressionReason"] = _cut(result.suppression.reason, 2048)
        fields["edge-auditor/SuppressionExpires"] = result.suppression.expires.isoformat()
    if result.baseline:
        fields["edge-auditor/Baseline"] = result.baseline
    out: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(result),
        "ProductArn": product_arn(partition, region, importer or result.account),
        "ProductName": "edge-auditor",
        "CompanyName": "edge-auditor",
        "GeneratorId": f"edge-auditor/{result.rule_id}",
        "AwsAccountId": result.account,
        "Types": list(TYPES),
        "CreatedAt": iso_z(scan.started_at),
        "UpdatedAt": iso_z(scan.finished_at),
        "Severity": {"Label": SEVERITY[result.severity.value]},
        "Title": _cut(f"{result.rule_id} {result.title}", 256),
        "Description": _cut(result.message, 1024),
        "Remediation": {"Recommendation": {"Text": _cut(result.remediation, 512)}},
        "ProductFields": fields,
        "Resources": [{
            "Type": RESOURCE_TYPES.get(result.resource.type, "Other"),
            "Id": result.resource.arn,
            "Partition": partition,
            "Region": real_region(result.region),
        }],
        "Compliance": {"Status": COMPLIANCE[result.status]},
        "RecordState": "ARCHIVED" if result.status is Status.PASS else "ACTIVE",
        "Region": region,
    }
    if result.status is Status.SUPPRESSED:
        out["Workflow"] = {"Status": "SUPPRESSED"}
    # The other pieces of the fit (the ALB of a distribution's finding, ...): ASFF allows
    # 32 resources; the first is the one the result is about.
    out["Resources"] += [_related(arn) for arn in result.related[:31]]
    return scrubbed(out, report.secrets)


def _related(arn: str) -> dict[str, str]:
    parts = arn.split(":")
    if ":loadbalancer/app/" in arn:
        kind = "AwsElbv2LoadBalancer"
    else:
        kind = {"cloudfront": "AwsCloudFrontDistribution",
                "lambda": "AwsLambdaFunction"}.get(parts[2], "Other")
    return {"Type": kind, "Id": arn, "Partition": partition_of(arn),
            "Region": parts[3] or GLOBAL_SERVICE_REGION}


def home_region(report: Report) -> str:
    regions = [real_region(r) for r in report.scan.regions]
    return regions[0] if regions else "us-east-1"


def findings(report: Report, region: str | None = None,
             importer: str | None = None) -> list[dict]:
    region = region or home_region(report)
    return [finding(r, report, region, importer) for r in report.results]


def render(report: Report) -> str:
    return json.dumps(findings(report), indent=2, ensure_ascii=False) + "\n"

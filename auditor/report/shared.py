"""What the dashboard formats (ASFF, OCSF, CSV) share: stable ids, and the scrub."""

from __future__ import annotations

from typing import Any

from auditor.findings import Result
from auditor.inventory import GLOBAL_REGION
from auditor.report.json_report import scrubbed
from auditor.session import GLOBAL_SERVICE_REGION

__all__ = ["finding_id", "iso_z", "partition_of", "real_region", "scrubbed"]


def finding_id(result: Result) -> str:
    """The same for the same (rule, resource) in every scan, so a re-run updates a finding
    in Security Hub or a SIEM instead of adding a duplicate."""
    return f"edge-auditor/{result.account}/{result.rule_id}/{result.resource.arn}"


def partition_of(arn: str) -> str:
    return arn.split(":", 2)[1] or "aws"


def real_region(region: str) -> str:
    """CloudFront results carry region ``global``; dashboards want a real region."""
    return GLOBAL_SERVICE_REGION if region == GLOBAL_REGION else region


def iso_z(moment: Any) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")

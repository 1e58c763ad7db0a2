"""``--publish securityhub``: the findings imported into Security Hub, kept in step.

Each (account, rule, resource) has one finding with a stable ``Id``
(`auditor.report.shared.finding_id`), so the nightly import updates it rather than adding
another. What is sent:

- every failure, suppressed failure and error, ``ACTIVE`` (a suppressed one with
  ``Workflow: SUPPRESSED``, an error with ``Compliance: NOT_AVAILABLE``);
- every pass whose finding is ``ACTIVE`` in Security Hub now: it was resolved, so it is
  sent again ``ARCHIVED``;
- every ``ACTIVE`` finding of ours that this scan looked for (same account, rule and
  region) and no longer found (the resource is gone): ``ARCHIVED``.

Passes that were never failures are not sent: they would be archived findings nobody asked
for, and Security Hub bills per finding ingested. ``BatchImportFindings`` takes at most
100 findings a call; findings it refuses are counted and make the delivery fail.

``BatchImportFindings`` sets ``Workflow`` only when it creates a finding; on an existing
one it ignores it. So a suppression added (or expired) after a finding was first imported
is applied with ``BatchUpdateFindings``: ``SUPPRESSED`` with the reason as the note, or
back to ``NEW`` when the suppression expired.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from auditor.baseline import covered
from auditor.inventory import GLOBAL_REGION
from auditor.publish import Delivery, DeliveryError
from auditor.report.asff import findings, home_region, product_arn
from auditor.report.shared import finding_id, iso_z
from auditor.scan import Report

BATCH = 100  # BatchImportFindings' limit


@dataclass(frozen=True)
class Published:
    region: str
    imported: int
    archived: int  # of the imported: findings closed by this scan
    workflow_updates: int = 0  # existing findings suppressed, or reopened on expiry


def batches(items: list[dict], size: int = BATCH) -> Iterator[list[dict]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def active_findings(hub, product: str) -> dict[str, dict[str, Any]]:
    """Our findings that are ACTIVE in Security Hub now, by Id. The filter is applied
    again here: an emulator that ignores filters must not make us archive others'."""
    pages = hub.get_paginator("get_findings").paginate(
        Filters={"ProductArn": [{"Value": product, "Comparison": "EQUALS"}],
                 "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
                 "GeneratorId": [{"Value": "edge-auditor/", "Comparison": "PREFIX"}]},
        PaginationConfig={"PageSize": 100})
    return {f["Id"]: f for page in pages for f in page["Findings"]
            if f.get("ProductArn") == product and f.get("RecordState") == "ACTIVE"
            and f.get("GeneratorId", "").startswith("edge-auditor/")}


def _looked_for(finding: dict[str, Any], report: Report) -> bool:
    """Whether this scan would have judged the finding's (account, rule, resource)."""
    scan = report.scan
    resource = (finding.get("Resources") or [{}])[0]
    edge = resource.get("Type") == "AwsCloudFrontDistribution"
    return covered(scan.accounts, scan.rules, scan.regions, finding.get("AwsAccountId", ""),
                   finding["GeneratorId"].removeprefix("edge-auditor/"),
                   GLOBAL_REGION if edge else resource.get("Region", ""))


def to_send(report: Report, region: str, importer: str,
            active: dict[str, dict[str, Any]]) -> tuple[list[dict], int]:
    """What to import: (findings, how many of them archive a finding)."""
    current = findings(report, region, importer)
    seen = {f["Id"] for f in current}
    send = [f for f in current if f["RecordState"] == "ACTIVE" or f["Id"] in active]
    gone = [{**f, "RecordState": "ARCHIVED", "UpdatedAt": iso_z(report.scan.finished_at)}
            for fid, f in active.items() if fid not in seen and _looked_for(f, report)]
    archived = sum(1 for f in send if f["RecordState"] == "ARCHIVED") + len(gone)
    return send + gone, archived


def workflow_changes(report: Report,
                     active: dict[str, dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
    """(status, note, ids) for existing findings whose workflow this scan changes."""
    changes: dict[tuple[str, str], list[str]] = {}
    for result in report.results:
        current = active.get(finding_id(result))
        sup = result.suppression
        if current is None or sup is None:
            continue
        state = current.get("Workflow", {}).get("Status", "NEW")
        if not sup.expired and state != "SUPPRESSED":
            key = ("SUPPRESSED", f"edge-auditor suppression until {sup.expires}: {sup.reason}")
        elif sup.expired and state == "SUPPRESSED":
            key = ("NEW", f"edge-auditor suppression expired {sup.expires}: {sup.reason}")
        else:
            continue
        changes.setdefault(key, []).append(finding_id(result))
    return [(status, note[:512], ids) for (status, note), ids in changes.items()]


def publish(delivery: Delivery, report: Report, region: str | None = None) -> Published:
    region = region or home_region(report)
    try:
        identity = delivery.client("sts", region).get_caller_identity()
        importer = identity["Account"]
        partition = identity["Arn"].split(":")[1]
        hub = delivery.client("securityhub", region)
        active = active_findings(hub, product_arn(partition, region, importer))
        send, archived = to_send(report, region, importer, active)
        failed: list[dict[str, Any]] = []
        for batch in batches(send):
            answer = hub.batch_import_findings(Findings=batch)
            failed += answer.get("FailedFindings", [])
        product = product_arn(partition, region, importer)
        updated = 0
        for status, note, ids in workflow_changes(report, active):
            for start in range(0, len(ids), BATCH):
                chunk = ids[start:start + BATCH]
                answer = hub.batch_update_findings(
                    FindingIdentifiers=[{"Id": i, "ProductArn": product} for i in chunk],
                    Workflow={"Status": status},
                    Note={"Text": note, "UpdatedBy": "edge-auditor"})
                failed += [{"Id": u["FindingIdentifier"]["Id"], "ErrorCode": u["ErrorCode"],
                            "ErrorMessage": u["ErrorMessage"]}
                           for u in answer.get("UnprocessedFindings", [])]
                updated += len(chunk)
    except (ClientError, BotoCoreError) as exc:
        raise DeliveryError(f"Security Hub in {region}: {exc}") from exc
    if failed:
        codes = sorted({f.get("ErrorCode", "?") for f in failed})
        raise DeliveryError(f"Security Hub in {region} refused {len(failed)} of {len(send)} "
                            f"findings ({', '.join(codes)}): {failed[0].get('ErrorMessage')}")
    return Published(region, len(send), archived, updated)

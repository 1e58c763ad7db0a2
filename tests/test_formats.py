"""--format csv, asff and ocsf: shapes checked against the real schemas where one exists
offline (botocore's Security Hub model through Stubber, OCSF's generated models)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import boto3
import pytest
from botocore.stub import Stubber
from ocsf_emitter._models import DetectionFinding

from auditor.findings import Status, Suppression
from auditor.report import renderer
from auditor.report.asff import findings
from auditor.report.csv_report import COLUMNS
from auditor.report.ocsf import events
from auditor.secrets import Secret
from tests.reports import ALB, DIST, report, result

ALL_STATES = (
    result(),
    result("CF-001", Status.PASS, DIST),
    result("HC-006", Status.ERROR),
    result("ALB-011", Status.SUPPRESSED,
           suppression=Suppression("public by design", date(2027, 1, 1), "resource *")),
)


# ---------------------------------------------------------------- CSV

def test_csv_has_a_row_per_result_with_the_documented_columns():
    rows = list(csv.reader(io.StringIO(renderer("csv")(report(*ALL_STATES)))))
    assert tuple(rows[0]) == COLUMNS
    assert [r[COLUMNS.index("status")] for r in rows[1:]] == ["fail", "pass", "error",
                                                              "suppressed"]
    suppressed = rows[4]
    assert suppressed[COLUMNS.index("suppression_reason")] == "public by design"
    assert suppressed[COLUMNS.index("suppression_expires")] == "2027-01-01"


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "+1", "-1+2", "@SUM(A1)"])
def test_csv_cells_cannot_become_spreadsheet_formulas(name):
    hostile = result(message=name)
    [_, row] = list(csv.reader(io.StringIO(renderer("csv")(report(hostile)))))
    assert row[COLUMNS.index("message")] == "'" + name


# ---------------------------------------------------------------- ASFF

def test_asff_findings_are_valid_batch_import_input():
    """Stubber checks the request against botocore's Security Hub model: required
    members, types and minimum lengths, as the real API's client would."""
    found = findings(report(*ALL_STATES))
    hub = boto3.client("securityhub", region_name="us-east-1")
    with Stubber(hub) as stub:
        stub.add_response("batch_import_findings",
                          {"FailedCount": 0, "SuccessCount": len(found), "FailedFindings": []},
                          {"Findings": found})
        hub.batch_import_findings(Findings=found)
        stub.assert_no_pending_responses()


def test_asff_maps_each_status():
    by_rule = {f["GeneratorId"].split("/")[1]: f for f in findings(report(*ALL_STATES))}
    assert by_rule["BYP-001"]["Compliance"]["Status"] == "FAILED"
    assert by_rule["BYP-001"]["RecordState"] == "ACTIVE"
    assert by_rule["CF-001"]["RecordState"] == "ARCHIVED"  # a pass resolves its finding
    assert by_rule["CF-001"]["Resources"][0]["Region"] == "us-east-1"  # not "global"
    assert by_rule["CF-001"]["Resources"][0]["Type"] == "AwsCloudFrontDistribution"
    assert by_rule["HC-006"]["Compliance"]["Status"] == "NOT_AVAILABLE"
    assert by_rule["ALB-011"]["Workflow"] == {"Status": "SUPPRESSED"}
    assert by_rule["ALB-011"]["ProductFields"]["edge-auditor/SuppressionReason"] == (
        "public by design")
    assert by_rule["BYP-001"]["Severity"] == {"Label": "CRITICAL"}
    assert [r["Id"] for r in by_rule["BYP-001"]["Resources"]] == [ALB, DIST]


def test_asff_ids_are_stable_across_scans_and_unique_per_rule_and_resource():
    first = findings(report(*ALL_STATES, scan_id="a"))
    second = findings(report(*ALL_STATES, scan_id="b"))
    assert [f["Id"] for f in first] == [f["Id"] for f in second]
    assert len({f["Id"] for f in first}) == len(first)


def test_asff_respects_the_api_length_limits():
    long = result(message="x" * 5000, title="t" * 400)
    [finding] = findings(report(long))
    assert len(finding["Title"]) <= 256 and len(finding["Description"]) <= 1024
    assert all(len(v) <= 2048 for v in finding["ProductFields"].values())


# ---------------------------------------------------------------- OCSF

def test_ocsf_events_are_detection_findings_by_the_schema():
    for event in events(report(*ALL_STATES)):
        DetectionFinding.model_validate(event)  # raises on a missing or mistyped field
        assert event["class_uid"] == 2004 and event["category_uid"] == 2
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"]
        assert event["metadata"]["version"].startswith("1.")
        assert event["metadata"]["product"]["name"] == "edge-auditor"


def test_ocsf_maps_status_and_severity():
    by_rule = {e["finding_info"]["analytic"]["uid"]: e for e in events(report(*ALL_STATES))}
    assert (by_rule["BYP-001"]["status"], by_rule["BYP-001"]["severity_id"]) == ("New", 5)
    assert by_rule["CF-001"]["status"] == "Resolved"
    assert by_rule["ALB-011"]["status_id"] == 3  # Suppressed
    assert "public by design" in by_rule["ALB-011"]["status_detail"]
    assert by_rule["HC-006"]["status_id"] == 99


def test_a_schema_violation_is_caught_by_the_ocsf_model():
    """The OCSF check can fail: a broken event is refused."""
    [event] = events(report(result()))
    del event["finding_info"]
    with pytest.raises(ValueError, match="finding_info"):
        DetectionFinding.model_validate(event)


# ---------------------------------------------------------------- secrets

@pytest.mark.parametrize("fmt", ["csv", "asff", "ocsf", "json", "table", "html"])
def test_no_format_writes_a_secret_it_was_given(fmt):
    value = "s3cr3t-Origin-Verify-Value-1234567"
    leaky = result(message=f"header value {value} seen", evidence={"value": value})
    text = renderer(fmt)(report(leaky, secrets=(Secret(value),)))
    assert value not in text
    if fmt in ("asff", "ocsf", "json"):
        json.loads(text)

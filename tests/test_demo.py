"""The demo shows the seeded mistakes under the right ids and nothing on the hardened app."""

from __future__ import annotations

import json

import pytest

from auditor.demo import run_demo
from auditor.findings import Status
from auditor.report import renderer
from auditor.report.json_report import validate
from auditor.rules import load_rules


@pytest.fixture(scope="module")
def report():
    return run_demo(load_rules())


def _failing(report, app: str, info: bool = False) -> set[str]:
    """Failing rule ids on one app's resources; info-level advice only when asked."""
    return {r.rule_id for r in report.results
            if r.status is Status.FAIL and (info or r.severity.value != "info")
            and (r.resource.name.startswith(f"{app}-")
                 or any(f"/{app}-alb/" in a for a in r.related))}


def test_demo_is_complete_and_schema_valid(report):
    assert report.complete
    doc = json.loads(renderer("json")(report))
    validate(doc)
    assert doc["summary"]["by_status"]["error"] == 0


def test_demo_findings_by_app(report):
    # The hardened app: nothing but the reuse article's advice to go internal (info).
    assert _failing(report, "shop", info=True) == {"ALB-011"}
    assert _failing(report, "legacy", info=True) >= {
        "BYP-001", "BYP-002", "BYP-003", "BYP-006", "BYP-007", "BYP-008", "TG-001", "HC-001",
        "HC-003", "HC-004", "HC-005", "HC-006", "LIM-001", "LIM-002", "LIM-004", "WAF-001",
        "CF-001", "CF-003", "CF-005", "CF-006", "CF-007", "ALB-001", "ALB-003", "ALB-005",
        "ALB-006", "LMB-001", "MON-001", "MON-003", "COST-001",
        # catalogue 1.1
        "TG-002", "LMB-002", "LMB-003", "LMB-004", "LMB-005"}
    # mid-rotation: the value sent is not accepted, the one accepted is not sent; and its
    # HTTPS origin is the raw ALB name, which no certificate can cover
    assert _failing(report, "billing") == {"BYP-004", "BYP-010", "CF-008"}
    assert _failing(report, "kiosk") >= {"BYP-009", "BYP-010", "ALB-012", "ALB-013",
                                         "TG-003"}
    assert _failing(report, "tools") == {"BYP-005", "WAF-006"}


def test_demo_links_a_path_across_accounts(report):
    """The partner app's distribution is in the edge account; its origin is a Route 53 name
    of the workload account. One graph: fronted, and judged on the whole path."""
    from auditor.demo import DEMO_EDGE_ACCOUNT, DEMO_WORKLOAD_ACCOUNT, PARTNER_DOMAIN

    assert report.scan.accounts == (DEMO_WORKLOAD_ACCOUNT, DEMO_EDGE_ACCOUNT)
    by_rule = {r.rule_id: r for r in report.results if r.resource.name == "partner-alb"}
    assert by_rule["BYP-005"].status is Status.PASS and "WAF-006" not in by_rule
    [link] = by_rule["BYP-005"].evidence["links"]
    assert (link["linked_by"], link["via"], link["distribution_account"]) == (
        "route53", [PARTNER_DOMAIN], DEMO_EDGE_ACCOUNT)
    for rule_id in ("BYP-001", "BYP-003", "BYP-004", "SG-001", "SG-002"):
        assert by_rule[rule_id].status is Status.PASS, rule_id
    # match-viewer behind behaviours that all redirect to HTTPS: HTTPS (catalogue 1.1)
    [byp008] = [r for r in report.results if r.rule_id == "BYP-008"
                and r.account == DEMO_EDGE_ACCOUNT]
    assert byp008.status is Status.PASS
    assert byp008.evidence["origins"][0]["effective_protocol"] == "HTTPS"
    # hardened: info-level advice only ("partner-api" is the shared REST API's APIGW-001)
    assert _failing(report, "partner") == {"APIGW-001"}


def test_demo_fails_each_new_rule_where_it_belongs(report):
    """Every 1.1 rule fails at least once in the demo, on the resource it is about; SG-003
    cannot, since moto has no CloudFront VPC origins (its tests use Stubber)."""
    where = {r.rule_id: r.resource.name for r in report.results if r.status is Status.FAIL}
    assert where["BYP-009"] == where["ALB-012"] == where["ALB-013"] == "kiosk-alb"
    assert where["TG-003"] == "kiosk-retired"
    assert where["LMB-003"] == "legacy-upload"
    assert where["LMB-004"] == where["LMB-005"] == "legacy-app"
    assert where["LMB-002"] == "legacy-alb"
    assert {r.resource.name for r in report.results
            if r.rule_id == "TG-002" and r.status is Status.FAIL} == {"legacy-app",
                                                                     "legacy-upload"}
    assert {r.resource.name for r in report.results if r.rule_id == "BYP-010"
            and r.status is Status.FAIL} == {"kiosk-alb", "billing-alb"}
    cf008 = next(r for r in report.results if r.rule_id == "CF-008" and r.status is Status.FAIL)
    assert cf008.evidence["mismatched"][0]["uncovered"][0].endswith(".elb.amazonaws.com")
    assert "SG-003" not in {r.rule_id for r in report.results}  # no VPC origin in moto


def test_demo_shows_every_phase_2_area(report):
    areas = {r.rule_id.split("-")[0] for r in report.results if r.status is Status.FAIL}
    assert {"CF", "ALB", "MON", "COST", "LMB", "APIGW"} <= areas


def test_demo_output_carries_no_secret(report):
    values = [s.reveal() for s in report.secrets]
    assert len(values) >= 4
    for fmt in ("json", "table"):
        text = renderer(fmt)(report)
        assert not any(v in text for v in values)


def test_demo_command_exit_code(capsys):
    from auditor.cli import run

    assert run(["demo", "--rules", "BYP-005"]) == 0
    assert "BYP-005" in capsys.readouterr().out
    assert run(["demo", "--rules", "BYP-001", "--fail-on", "critical"]) == 1


def test_the_demo_prints_nothing_on_stderr_but_its_report(tmp_path):
    """The README's first command: the fake account's own server logs (moto's tracebacks
    for an operation it lacks) never reach the user's terminal."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "auditor", "demo", "--rules", "BYP-003"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0 and "BYP-003" in proc.stdout
    assert proc.stderr == ""

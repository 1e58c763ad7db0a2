"""The demo shows the seeded mistakes under the right ids and nothing on the hardened app."""

from __future__ import annotations

import json

import pytest

from auditor.demo import run_demo
from auditor.findings import Status
from auditor.report import renderer
from auditor.report.json_report import validate
from rules import load_rules


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
        "ALB-006", "LMB-001", "MON-001", "MON-003", "COST-001"}
    assert _failing(report, "billing") == {"BYP-004"}
    assert _failing(report, "tools") == {"BYP-005", "WAF-006"}


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

"""``edge-audit iac`` on a real CDK cloud assembly: tests/iac_cdk/app.py, synthesized here
with aws-cdk-lib (its L2 constructs: ApplicationLoadBalancer, LambdaTarget, Distribution
with a LoadBalancerV2Origin), read as ``cdk.out``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.iac.estate import Options
from auditor.iac.source import collect_templates, evaluate_templates
from auditor.packs import load_registry

APP = Path(__file__).parent / "iac_cdk" / "app.py"


@pytest.fixture(scope="module")
def assembly(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cdk") / "cdk.out"
    done = subprocess.run([sys.executable, str(APP), str(out)], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def report(assembly):
    rules = list(load_registry(plugins=False).rules)
    run, run_rules = collect_templates([str(assembly)], Options(), rules)
    return evaluate_templates(run, run_rules)


def verdict(report, rule: str, stack: str, prefix: str):
    found = [r for r in report.results if r.rule_id == rule
             and r.resource.location and Path(r.resource.location["file"]).name
             == f"{stack}.template.json" and r.resource.name.startswith(prefix)]
    assert len(found) == 1, [(r.rule_id, r.resource.name) for r in found]
    return found[0]


def test_every_stack_of_the_assembly_is_read(report):
    assert {Path(p).name for p in report.scan.inputs} == {
        "ApiStack.template.json", "EdgeStack.template.json", "HardenedStack.template.json"}


def test_a_cross_stack_reference_links_the_distribution_to_its_alb(report):
    """EdgeStack's origin is an Fn::ImportValue of ApiStack's ALB DNS name: followed, it
    fronts that ALB (BYP-005 quiet), and the origin sends no header (BYP-002 fails)."""
    assert verdict(report, "BYP-005", "ApiStack", "Alb").status.value == "pass"
    assert verdict(report, "BYP-002", "EdgeStack", "Cdn").status.value == "fail"


@pytest.mark.parametrize("rule, prefix", [("BYP-001", "Alb"), ("BYP-003", "Alb"),
                                          ("LIM-002", "Handler"), ("BYP-007", "Handler")])
def test_the_naive_stack_fails(report, rule, prefix):
    assert verdict(report, rule, "ApiStack", prefix).status.value == "fail"


@pytest.mark.parametrize("rule, prefix", [("BYP-001", "Alb"), ("BYP-003", "Alb"),
                                          ("BYP-004", "Alb"), ("BYP-009", "Alb"),
                                          ("LIM-002", "Handler")])
def test_the_hardened_stack_passes(report, rule, prefix):
    found = verdict(report, rule, "HardenedStack", prefix)
    assert found.status.value == "pass", found.message


def test_the_secret_in_the_assembly_never_reaches_the_report(report):
    from auditor.report import renderer

    secret = "cdk-origin-secret-" + "k3" * 12
    for fmt in ("json", "sarif", "table", "csv"):
        assert secret not in renderer(fmt)(report)

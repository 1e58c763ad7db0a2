"""End to end: a moto server in its own process on 127.0.0.1, seeded over HTTP through
boto3, scanned by the installed ``edge-audit`` command reached by endpoint URL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace

import boto3
import pytest

from auditor.demo.operations import seed_dns
from auditor.demo.seed import AppSpec, FunctionSpec, Seeder
from auditor.report.json_report import validate
from tests.conftest import FAKE_ENV
from tests.test_collectors import LEGACY, MOTO_LACKS
from tests.test_iam_policy import iam_action, policy_actions

pytestmark = pytest.mark.server
GOOD_DOMAIN = "origin.good.example.com"

APPS = (
    # Hardened, with AWS's correction: its origin is a name of its own (a Route 53 alias)
    # that the listener's certificate covers, not the raw ALB name (CF-008).
    AppSpec("good", "us-east-1", functions=(FunctionSpec("api", "/api/*"),),
            origin_domain=GOOD_DOMAIN),
    # The collector tests' legacy app, with the phase 2 mistakes too.
    replace(LEGACY, name="bad", origin_protocol="match-viewer", alb_waf=True,
            alb_hardening=False, viewer_protocol="allow-all", keepalive=5, logging=False,
            alarms=False, throttles=10),
    AppSpec(
        "rotated", "us-east-1", functions=(FunctionSpec("api", "/api/*"),), alb_value_mismatch=True
    ),
    AppSpec(
        "naked",
        "eu-west-1",
        functions=(FunctionSpec("api", "/api/*"),),
        cloudfront=False,
        ingress="world",
        edge_waf=False,
    ),
)


@pytest.fixture(scope="module")
def seeded_server(moto_server):
    session = boto3.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    seeder = Seeder(session, moto_server)
    apps = {spec.name: seeder.seed(spec) for spec in APPS}
    seed_dns(seeder, "good.example.com", {GOOD_DOMAIN: ["dualstack." + apps["good"].dns_name]})
    return moto_server, apps


def edge_audit(
    *args: str, endpoint_env: str | None = None, **extra_env: str
) -> subprocess.CompletedProcess:
    exe = shutil.which("edge-audit")
    assert exe, "the package must be installed (pip install -e '.[test]')"
    env = {**os.environ, **FAKE_ENV, **extra_env}
    env.pop("AWS_ENDPOINT_URL", None)
    if endpoint_env:
        env["AWS_ENDPOINT_URL"] = endpoint_env
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def json_scan(seeded_server, tmp_path_factory):
    endpoint, apps = seeded_server
    out = tmp_path_factory.mktemp("scan") / "findings.json"
    proc = edge_audit(
        "scan",
        "--endpoint-url",
        endpoint,
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--format",
        "json",
        "--output",
        str(out),
    )
    return proc, json.loads(out.read_text()), apps


def failing(doc, app: str) -> set[str]:
    """Rule ids failing above info on resources of one app (by name, or related to its
    ALB); info results are advice (ALB-009..011, COST-001) that is true of small apps."""
    found = set()
    for r in doc["results"]:
        if r["status"] != "fail" or r["severity"] == "info":
            continue
        mine = r["resource"]["name"].startswith(f"{app}-") or any(
            f"/{app}-alb/" in arn for arn in r["related"]
        )
        if mine:
            found.add(r["rule_id"])
    return found


def test_scan_validates_and_is_complete_but_for_what_moto_lacks(json_scan):
    proc, doc, _ = json_scan
    validate(doc)
    assert proc.returncode == 3, proc.stderr  # incomplete: moto has no provisioned concurrency
    errors = {r["rule_id"] for r in doc["results"] if r["status"] == "error"}
    # moto serves none of the APIs they read
    assert errors == {"HC-006", "CF-006", "BYP-006", "LMB-005"}
    assert doc["scan"]["complete"] is False
    assert {e["operation"] for e in doc["scan"]["errors"]} == MOTO_LACKS
    assert doc["scan"]["regions"] == ["us-east-1", "eu-west-1"]


def test_catalogue_results_per_app(json_scan):
    _, doc, _ = json_scan
    assert failing(doc, "good") == set()
    assert failing(doc, "bad") >= {
        "BYP-001",
        "BYP-002",
        "BYP-003",
        "BYP-007",
        "BYP-008",
        "TG-001",
        "HC-001",
        "HC-003",
        "HC-004",
        "HC-005",
        "LIM-001",
        "LIM-002",
        "WAF-002",
    }
    # mid-rotation, and over HTTPS to the raw ALB name no certificate can cover
    assert failing(doc, "rotated") == {"BYP-004", "BYP-010", "CF-008"}
    assert failing(doc, "naked") == {"BYP-005", "WAF-006"}


def test_every_operation_called_is_in_the_read_only_policy(json_scan):
    _, doc, _ = json_scan
    called = {iam_action(op) for op in doc["scan"]["operations"]}
    assert called and called <= policy_actions()


def test_no_secret_in_any_output(seeded_server, json_scan):
    endpoint, apps = seeded_server
    secrets = [v for app in apps.values() for v in app.secret_values]
    assert len(secrets) >= 3
    table = edge_audit("scan", "--endpoint-url", endpoint, "--region", "us-east-1", "--verbose")
    texts = [json.dumps(json_scan[1]), table.stdout, table.stderr, json_scan[0].stderr]
    for text in texts:
        for value in secrets:
            assert value not in text


def test_table_output_and_aws_endpoint_url_env(seeded_server):
    endpoint, _ = seeded_server
    proc = edge_audit(
        "scan", "--region", "us-east-1", "--rules", "BYP-001,BYP-004", endpoint_env=endpoint
    )
    assert proc.returncode == 1, proc.stderr  # complete (HC-006 not selected), critical fails
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("Can the functions be reached around CloudFront?")
    assert any(line.split()[:2] == ["severity", "rule"] for line in lines)
    assert any(line.startswith("CRITICAL") and "BYP-001" in line for line in lines)
    assert any("BYP-004" in line and "rotated-alb" in line for line in lines)
    assert "INCOMPLETE" not in proc.stdout


def test_unreachable_endpoint_is_incomplete_not_pass():
    proc = edge_audit(
        "scan",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--region",
        "us-east-1",
        AWS_MAX_ATTEMPTS="2",
    )
    assert proc.returncode == 3
    assert "could not run" in proc.stderr and "Traceback" not in proc.stderr


def test_collect_then_evaluate_equals_scan(json_scan, seeded_server, tmp_path):
    endpoint, apps = seeded_server
    snap = tmp_path / "snapshot.json"
    collected = edge_audit("collect", "--endpoint-url", endpoint, "--region", "us-east-1",
                           "--region", "eu-west-1", "-o", str(snap))
    assert collected.returncode == 3, collected.stderr  # moto lacks some read APIs
    text = snap.read_text()
    assert not any(v in text for app in apps.values() for v in app.secret_values)
    offline = edge_audit("evaluate", str(snap), "--format", "json")
    assert offline.returncode == json_scan[0].returncode
    doc = json.loads(offline.stdout)
    validate(doc)
    assert doc["results"] == json_scan[1]["results"]

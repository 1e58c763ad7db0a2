"""Under faults, the scan sees what a clean run sees; a denied call errors exactly the
results that need it. Through the benchmark's fake AWS (bench/proxy.py) over moto."""

from __future__ import annotations

import boto3
import pytest

from auditor.report.json_report import result_dict
from auditor.rules import load_rules
from auditor.scan import collect, evaluate
from auditor.session import AwsContext
from bench.generate import seed
from bench.proxy import FakeAws, Faults

REGIONS = ["us-east-1", "eu-west-1"]
CREDS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
RULES = load_rules()


@pytest.fixture(scope="module")
def account(moto_server):
    seed(moto_server, 4)
    return moto_server


def scan_through(upstream: str, faults: Faults):
    with FakeAws(upstream, latency=0, throttle=False, faults=faults) as fake:
        ctx = AwsContext(boto3.Session(region_name="us-east-1", **CREDS),
                         endpoint_url=fake.endpoint)
        collection, _ = collect(ctx, REGIONS)
        return evaluate(collection, RULES), fake.stats, ctx.stats


def comparable(report):
    return sorted((r["rule_id"], r["resource"]["arn"], r["status"], r["message"])
                   for r in map(result_dict, report.results))


def test_throttles_5xx_and_resets_change_no_result(account):
    clean, _, _ = scan_through(account, Faults())
    faulty, proxy, client = scan_through(account, Faults(
        throttle_rate=0.10, server_error_rate=0.02, reset_rate=0.01, seed=11))
    assert sum(proxy.throttled.values()) > 10 and proxy.faults["5xx"] > 0
    assert client.retries > 0
    assert comparable(faulty) == comparable(clean)


def test_one_denied_operation_errors_exactly_what_needs_it(account):
    clean, _, _ = scan_through(account, Faults())
    denied, _, _ = scan_through(account, Faults(deny=frozenset({"lambda:GetPolicy"})))
    before = {(k[0], k[1]): k for k in comparable(clean)}
    after = {(k[0], k[1]): k for k in comparable(denied)}
    assert before.keys() == after.keys()
    changed = {key for key in before if before[key] != after[key]}
    assert changed and {rule for rule, _ in changed} == {"BYP-007"}
    assert all(after[key][2] == "error" and "AccessDenied" in after[key][3]
               for key in changed)
    assert not denied.complete


def _edge_audit(endpoint: str, out, *extra: str):
    import os
    import shutil
    import subprocess

    from tests.conftest import FAKE_ENV

    env = {**os.environ, **FAKE_ENV, "AWS_ACCESS_KEY_ID": "bench",
           "AWS_SECRET_ACCESS_KEY": "bench"}
    env.pop("AWS_SESSION_TOKEN", None)
    return subprocess.Popen(
        [shutil.which("edge-audit"), "scan", "--endpoint-url", endpoint, "--region",
         "us-east-1", "--region", "eu-west-1", "--format", "json", "-o", str(out), *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _incomplete_report(path):
    import json

    from auditor.report.json_report import validate

    doc = json.loads(path.read_text())
    validate(doc)
    assert doc["scan"]["complete"] is False
    assert any(e["code"] == "NotReached" for e in doc["scan"]["errors"])
    return doc


def test_timeout_bounds_the_scan_and_reports_what_was_not_reached(account, tmp_path):
    import time

    out = tmp_path / "findings.json"
    with FakeAws(account, latency=0.5, throttle=False) as fake:
        started = time.monotonic()
        proc = _edge_audit(fake.endpoint, out, "--timeout", "2")
        proc.wait(timeout=60)
        took = time.monotonic() - started
    assert proc.returncode == 3, proc.stderr.read()
    assert took < 15  # a full scan at 0.5 s a call takes far longer
    doc = _incomplete_report(out)
    assert any(r["status"] == "error" and "--timeout" in r["message"] for r in doc["results"])


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_a_signal_leaves_a_complete_report_marked_incomplete(account, tmp_path, signum):
    import signal
    import time

    out = tmp_path / "findings.json"
    with FakeAws(account, latency=0.5, throttle=False) as fake:
        proc = _edge_audit(fake.endpoint, out)
        time.sleep(3)
        proc.send_signal(getattr(signal, signum))
        proc.wait(timeout=60)
    assert proc.returncode == 3, proc.stderr.read()
    _incomplete_report(out)
    assert [p.name for p in tmp_path.iterdir()] == ["findings.json"]  # no temp file left


def test_resources_deleted_mid_scan_give_errors_not_passes(account):
    clean, _, _ = scan_through(account, Faults())
    raced, proxy, _ = scan_through(account, Faults(errors={
        "elbv2:DescribeTargetHealth": ("TargetGroupNotFound", 400),
        "elbv2:DescribeListeners": ("LoadBalancerNotFound", 400),
        "lambda:GetFunction": ("ResourceNotFoundException", 404),
        "cloudfront:GetDistributionConfig": ("NoSuchDistribution", 404)}))
    assert proxy.faults
    before = {(k[0], k[1]): k[2] for k in comparable(clean)}
    after = {(k[0], k[1]): k[2] for k in comparable(raced)}
    # No result passes in the raced scan that the clean scan did not see pass...
    assert all(before.get(key) == "pass" for key, status in after.items() if status == "pass")
    # ...and the rules that need the vanished data say error, not pass.
    for rule_id in ("BYP-001", "BYP-003", "CF-007"):
        assert {s for (r, _), s in after.items() if r == rule_id} == {"error"}, rule_id
    assert not raced.complete

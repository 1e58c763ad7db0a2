"""Under faults, the scan sees what a clean run sees; a denied call errors exactly the
results that need it. Through the benchmark's fake AWS (bench/proxy.py) over moto."""

from __future__ import annotations

import boto3
import pytest

from auditor.report.json_report import result_dict
from auditor.scan import collect, evaluate
from auditor.session import AwsContext
from bench.generate import seed
from bench.proxy import FakeAws, Faults
from rules import load_rules

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

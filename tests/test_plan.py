"""--rules narrows the collection: each rule alone makes fewer calls and gets the same
results as in a full scan (so every rule declares all the data it reads)."""

from __future__ import annotations

import pytest

from auditor.collect.plan import Plan
from auditor.report.json_report import result_dict
from auditor.rules import load_rules
from auditor.scan import collect, evaluate
from auditor.session import AwsContext
from tests.test_collectors import HARDENED, LEGACY

RULES = load_rules()


@pytest.fixture(scope="module")
def account():
    from moto import mock_aws

    from auditor.demo.seed import Seeder

    with mock_aws():
        import boto3

        from tests.moto_gaps import answer_unserved

        session = answer_unserved(boto3.Session(region_name="us-east-1", aws_access_key_id="a",
                                                aws_secret_access_key="b"))
        seeder = Seeder(session)
        for spec in (HARDENED, LEGACY):
            seeder.seed(spec)
        full_ctx = AwsContext(session)
        full, _ = collect(full_ctx, ["us-east-1"])
        yield session, evaluate(full, RULES), full_ctx.stats.calls


def _key(result):
    return result.rule_id, result.resource.arn


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_a_rule_alone_gets_the_same_results_with_fewer_calls(account, rule):
    session, full, full_calls = account
    ctx = AwsContext(session)
    alone, _ = collect(ctx, ["us-east-1"], rules=[rule])
    narrowed = [result_dict(r) for r in evaluate(alone, [rule]).results]
    expected = [result_dict(r) for r in full.results if r.rule_id == rule.id]
    assert narrowed == expected
    assert ctx.stats.calls < full_calls


def test_a_path_rule_reads_no_lambda_and_no_cloudwatch(account):
    session, _, _ = account
    ctx = AwsContext(session)
    collect(ctx, ["us-east-1"], rules=[r for r in RULES if r.id == "BYP-005"])
    services = {op.split(":")[0] for op in ctx.stats.operations}
    # tag:GetResources: CloudFormation's stack tag, one call a region (a fix plan's input)
    assert services == {"sts", "elbv2", "cloudfront", "resourcegroupstaggingapi"}


def test_rest_api_rule_reads_no_path():
    plan = Plan.for_rules([r for r in RULES if r.id == "APIGW-001"])
    assert not plan.path and plan.facets == {"rest_apis"}


def test_unknown_facet_is_refused():
    from dataclasses import replace

    with pytest.raises(ValueError, match="unknown facets"):
        Plan.for_rules([replace(RULES[0], needs=("nope",))])

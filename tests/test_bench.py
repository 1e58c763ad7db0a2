"""The benchmark's fake AWS and the scanner's pacing, kept honest by tests."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from auditor.pacing import LIMITS, Limit, Pacer, TokenBucket, bucket_id
from bench.generate import seed
from bench.minimum import count, minimum_calls
from bench.proxy import FakeAws, Faults

CALLS = [("elbv2", "describe_load_balancers", {}), ("ec2", "describe_regions", {}),
         ("lambda", "get_policy", {"FunctionName": "x"}), ("cloudwatch", "describe_alarms", {}),
         ("wafv2", "list_web_acls", {"Scope": "REGIONAL"}),
         ("cloudfront", "list_distributions", {}), ("route53", "list_hosted_zones", {}),
         ("apigateway", "get_rest_apis", {})]


@pytest.mark.parametrize("service, method, params", CALLS, ids=[c[0] for c in CALLS])
def test_throttles_are_answered_as_aws_does(moto_server, service, method, params):
    with FakeAws(moto_server, latency=0, faults=Faults(throttle_rate=1.0)) as fake:
        client = boto3.Session(region_name="us-east-1").client(
            service, endpoint_url=fake.endpoint,
            config=Config(retries={"mode": "standard", "max_attempts": 2}))
        with pytest.raises(ClientError) as info:
            getattr(client, method)(**params)
    error = info.value.response
    assert error["ResponseMetadata"]["RetryAttempts"] >= 1  # botocore saw a throttle, retried
    assert error["Error"]["Code"] in {"Throttling", "ThrottlingException",
                                      "RequestLimitExceeded", "TooManyRequestsException"}


def test_token_bucket_serves_its_rate():
    now = [0.0]
    bucket = TokenBucket(Limit(4, 2, "test"), clock=lambda: now[0],
                         sleep=lambda s: now.__setitem__(0, now[0] + s))
    for _ in range(10):
        bucket.take()
    assert now[0] == pytest.approx((10 - 4) / 2)


def test_buckets_are_per_account_region_and_shared_where_aws_shares_them():
    lambda_a = bucket_id("1", "us-east-1", "lambda", "GetFunctionUrlConfig")
    lambda_b = bucket_id("1", "us-east-1", "lambda", "GetProvisionedConcurrencyConfig")
    assert lambda_a == lambda_b  # the control plane's 15 per second, shared
    assert bucket_id("1", "us-east-1", "lambda", "GetPolicy") != lambda_a
    assert bucket_id("1", "eu-west-1", "cloudfront", "X") == bucket_id("1", "us-east-1",
                                                                      "cloudfront", "Y")
    assert bucket_id("2", "us-east-1", "elbv2", "DescribeRules") != bucket_id(
        "1", "us-east-1", "elbv2", "DescribeRules")
    assert all(limit.source for limit in LIMITS.values())


def test_paced_scan_through_aws_limits_is_not_throttled_and_makes_the_minimum(moto_server):
    from auditor.scan import collect
    from auditor.session import AwsContext

    creds = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    seed(moto_server, 6)
    counts = count(moto_server, ("us-east-1", "eu-west-1"), creds)
    with FakeAws(moto_server, latency=0.005, throttle=True) as fake:
        ctx = AwsContext(boto3.Session(region_name="us-east-1", **creds),
                         endpoint_url=fake.endpoint, pacer=Pacer())
        collect(ctx, ["us-east-1", "eu-west-1"])
        throttled = sum(fake.stats.throttled.values())
    albs = [counts.albs // 2, counts.albs - counts.albs // 2]
    minimum = minimum_calls(counts, albs, [0, 0])
    assert throttled == 0
    assert ctx.stats.calls <= 1.1 * minimum, (ctx.stats.calls, minimum)

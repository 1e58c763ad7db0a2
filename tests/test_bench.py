"""The benchmark's fake AWS and the scanner's pacing, kept honest by tests."""

from __future__ import annotations

import threading
from collections import defaultdict

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from auditor.pacing import LIMITS, Limit, Pacer, TokenBucket, bucket_id, bucket_key
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


class VirtualClock:
    """Time that passes only when the pacer sleeps: the test judges the pacer's schedule,
    not the machine's load (a loaded CI box delays requests in flight, which says nothing
    about the pacer; the benchmark measures real throttles)."""

    def __init__(self) -> None:
        self.now, self._lock = 0.0, threading.Lock()

    def time(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:  # at least a microsecond: a tiny delay would vanish in the sum
            self.now += max(seconds, 1e-6)


class RecordingPacer(Pacer):
    """A pacer on a virtual clock that records when it let each call go, per AWS bucket."""

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__(clock=clock.time, sleep=clock.sleep)
        self.clock, self.granted = clock, defaultdict(list)

    def wait(self, account, region, service, operation) -> None:
        super().wait(account, region, service, operation)
        ident = bucket_id(account, region, service, operation)
        if ident is not None:
            with self._lock:
                self.granted[ident].append((self.clock.time(), service, operation))


def over_aws_limits(granted) -> list[str]:
    """Replay each bucket's grants through AWS's own bucket (full size and rate, not the
    pacer's margin): a call with no token there is one AWS would throttle."""
    found = []
    for ident, grants in granted.items():
        _, service, operation = grants[0]
        limit = LIMITS[bucket_key(service, operation)]
        tokens, last = float(limit.bucket), 0.0
        for when, _, name in sorted(grants):
            tokens = min(limit.bucket, tokens + (when - last) * limit.rate)
            last = when
            if tokens < 1 - 1e-9:
                found.append(f"{ident} {name} at {when:.3f}s")
            tokens -= 1
    return found


def test_the_pacer_keeps_a_scan_inside_aws_limits_and_makes_the_minimum(moto_server):
    from auditor.scan import collect
    from auditor.session import AwsContext

    creds = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    seed(moto_server, 6)
    counts = count(moto_server, ("us-east-1", "eu-west-1"), creds)
    pacer = RecordingPacer(VirtualClock())
    ctx = AwsContext(boto3.Session(region_name="us-east-1", **creds),
                     endpoint_url=moto_server, pacer=pacer)
    collect(ctx, ["us-east-1", "eu-west-1"])
    paced = sum(n for op, n in ctx.stats.operations.items()
                if bucket_key(*op.split(":")) is not None)  # every call AWS meters
    assert sum(map(len, pacer.granted.values())) == paced > 0.9 * ctx.stats.calls
    assert over_aws_limits(pacer.granted) == []
    assert pacer.clock.now > 0  # some bucket did make it wait: the replay judged pacing
    albs = [counts.albs // 2, counts.albs - counts.albs // 2]
    minimum = minimum_calls(counts, albs, [0, 0])
    assert ctx.stats.calls <= 1.1 * minimum, (ctx.stats.calls, minimum)


def test_the_replay_finds_a_burst_beyond_a_bucket():
    ident = bucket_id("1", "us-east-1", "elbv2", "DescribeRules")
    limit = LIMITS[bucket_key("elbv2", "DescribeRules")]
    burst = {ident: [(0.0, "elbv2", "DescribeRules")] * (int(limit.bucket) + 1)}
    assert len(over_aws_limits(burst)) == 1
    spaced = {ident: [(i / limit.rate, "elbv2", "DescribeRules")
                      for i in range(int(limit.bucket) + 5)]}
    assert over_aws_limits(spaced) == []

"""AWS's API rate limits, and a client-side pacer that keeps a scan inside them.

AWS throttles control-plane calls per account and region with token buckets. A scan that
sends faster than the bucket refills gets throttled, and botocore's retries then slow it
down after the fact. Pacing each (account, region, bucket) up front costs nothing when the
limit is far, and saves the retries when it is near.

The figures below are AWS's documented defaults where AWS documents one (cited), and marked
``assumed`` where it does not. The benchmark's proxy enforces the same table, so its goals
are stated against these numbers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    bucket: float  # tokens the bucket holds (burst)
    rate: float  # tokens added per second
    source: str


ELB_DOC = "ELB API throttling: non-mutating bucket 40, refill 10/s (elb-api-throttling)"
EC2_DOC = "EC2 API throttling: non-mutating actions bucket 100, refill 20/s, per API"
LAMBDA_DOC = ("Lambda quotas: GetFunction 100/s; GetPolicy 15/s; other control-plane APIs "
              "15/s in total")
CW_DOC = "CloudWatch quotas: GetMetricData 50 TPS, DescribeAlarms 9 TPS"
WAF_DOC = "WAFv2 GetWebACLForResource: 1 request per second (tight quota)"
R53_DOC = "Route 53 API: 5 requests per second per account"
ASSUMED = "assumed: AWS publishes no figure"

# (botocore service name, bucket name) -> limit. The bucket name is the operation for
# per-API buckets, or a shared name when several operations draw from one bucket.
LIMITS: dict[tuple[str, str], Limit] = {
    ("elbv2", "describe"): Limit(40, 10, ELB_DOC),
    ("ec2", "*"): Limit(100, 20, EC2_DOC),
    ("lambda", "GetFunction"): Limit(100, 100, LAMBDA_DOC),
    ("lambda", "GetPolicy"): Limit(15, 15, LAMBDA_DOC),
    ("lambda", "control"): Limit(15, 15, LAMBDA_DOC),
    ("cloudwatch", "GetMetricData"): Limit(50, 50, CW_DOC),
    ("cloudwatch", "DescribeAlarms"): Limit(9, 9, CW_DOC),
    ("wafv2", "GetWebACLForResource"): Limit(1, 1, WAF_DOC),
    ("wafv2", "*"): Limit(10, 10, ASSUMED),
    ("route53", "account"): Limit(5, 5, R53_DOC),
    ("cloudfront", "account"): Limit(10, 10, ASSUMED),
    ("apigateway", "account"): Limit(10, 10, ASSUMED),
    ("sts", "account"): Limit(100, 100, ASSUMED),
}
GLOBAL_SERVICES = {"route53", "cloudfront"}  # one bucket per account, whatever the region


def bucket_key(service: str, operation: str) -> tuple[str, str] | None:
    """Which bucket an operation draws from (None: no known limit)."""
    if service == "elbv2":
        return ("elbv2", "describe")
    if service == "ec2":
        return ("ec2", "*")
    if service == "lambda":
        own = operation in ("GetPolicy", "GetFunction")
        return ("lambda", operation if own else "control")
    for candidate in ((service, operation), (service, "*"), (service, "account")):
        if candidate in LIMITS:
            return candidate
    return None


def bucket_id(account: str, region: str, service: str, operation: str) -> tuple | None:
    key = bucket_key(service, operation)
    if key is None:
        return None
    scope = "global" if service in GLOBAL_SERVICES else region
    bucket = key[1] if key[1] != "*" else operation
    return (account, scope, service, bucket)


class TokenBucket:
    """A thread-safe token bucket; ``take`` blocks until a token is there."""

    def __init__(self, limit: Limit, clock=time.monotonic, sleep=time.sleep) -> None:
        self.limit = limit
        self.tokens = float(limit.bucket)
        self._clock, self._sleep = clock, sleep
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.limit.bucket, self.tokens + (now - self._stamp) * self.limit.rate)
        self._stamp = now

    def try_take(self) -> bool:
        with self._lock:
            self._refill()
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False

    def take(self) -> float:
        """Wait for a token; return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                if self.tokens >= 1:
                    self.tokens -= 1
                    return waited
                delay = (1 - self.tokens) / self.limit.rate
            self._sleep(delay)
            waited += delay


class Pacer:
    """Client-side buckets, a little inside AWS's (``margin``), keyed like AWS's."""

    def __init__(self, margin: float = 0.95, limits: dict | None = None,
                 clock=time.monotonic, sleep=time.sleep) -> None:
        self.margin = margin
        self.limits = limits or LIMITS
        self._clock, self._sleep = clock, sleep  # a test's virtual clock: no real waits
        self._buckets: dict[tuple, TokenBucket] = {}
        self._lock = threading.Lock()
        self.waited = 0.0

    def bucket(self, account: str, region: str, service: str, operation: str):
        ident = bucket_id(account, region, service, operation)
        if ident is None:
            return None
        with self._lock:
            if ident not in self._buckets:
                limit = self.limits[bucket_key(service, operation)]
                paced = Limit(max(1.0, limit.bucket * self.margin), limit.rate * self.margin,
                              limit.source)
                self._buckets[ident] = TokenBucket(paced, self._clock, self._sleep)
            return self._buckets[ident]

    def wait(self, account: str, region: str, service: str, operation: str) -> None:
        bucket = self.bucket(account, region, service, operation)
        if bucket is not None:
            waited = bucket.take()
            if waited:
                with self._lock:
                    self.waited += waited

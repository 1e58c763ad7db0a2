"""The time AWS's own limits impose on a scan: no client can finish sooner.

For each account and region (and each account, for the global services), every bucket
of `auditor.pacing.LIMITS` must serve the calls that draw from it: a bucket of size B
refilling at R per second serves n calls in at least (n - B) / R seconds. Scopes run in
parallel, so the bound is the largest of these, plus the latency of the longest chain of
calls that each need the previous answer.
"""

from __future__ import annotations

from collections import Counter

from auditor.pacing import LIMITS, bucket_id, bucket_key

# sts -> target groups -> load balancers -> listeners -> rules -> target health ->
# the function's configuration, policy, URLs and provisioned concurrency (one after the
# other) -> list distributions is parallel -> distribution config -> monitoring -> ACL.
CHAIN = 14


def limit_bound(scoped: Counter, latency: float) -> tuple[float, str]:
    """(seconds, which bucket binds) for calls counted by (key, region, service, op)."""
    per_bucket: Counter = Counter()
    for (key, region, service, op), n in scoped.items():
        ident = bucket_id(key, region, service, op)
        if ident is not None:
            per_bucket[ident] += n
    worst, which = 0.0, "-"
    for ident, n in per_bucket.items():
        _, scope, service, bucket = ident
        limit = LIMITS[bucket_key(service, bucket)]
        seconds = max(0.0, (n - limit.bucket) / limit.rate)
        if seconds > worst:
            worst, which = seconds, f"{service}:{bucket} in {scope} ({n} calls)"
    return worst + CHAIN * latency, which

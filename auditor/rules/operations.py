"""MON, COST and APIGW: what the pattern looks like in operation.

rec. 10 names three metrics to watch (CloudFront cache hit ratio, ALB target response
time, Lambda concurrent executions); rec. 1 says the pattern pays off above about 30 M
requests a month; the reuse article bounds REST API reuse at 10 stages.
"""

from __future__ import annotations

from auditor.cost import estimate
from auditor.findings import Severity, Verdict
from auditor.gaps import DataUnavailable, Unavailable, need
from auditor.inventory import (
    AlarmWatch,
    Distribution,
    LambdaFunction,
    LoadBalancer,
    RestApi,
    alb_dimensions,
    distribution_dimensions,
    elb_dimension,
    metric_key,
)
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import path_related
from auditor.topology import Topology


def _alarms(value: tuple[AlarmWatch, ...] | Unavailable | None) -> tuple[AlarmWatch, ...]:
    if value is None:
        raise DataUnavailable(
            Unavailable("cloudwatch:DescribeAlarms", "NotCollected", "alarms were not read")
        )
    return need(value)


def _watching(alarms, namespace: str, metric: str, **dims: str) -> list[str]:
    """Names of alarms on ``metric`` whose dimensions include ``dims`` (all of them)."""
    return sorted(
        {
            a.alarm
            for a in alarms
            if a.namespace == namespace
            and a.metric == metric
            and all(a.dimensions.get(k) == v for k, v in dims.items())
        }
    )


def check_target_response_alarm(topo: Topology, alb: LoadBalancer, params: Params):
    alarms = _alarms(topo.region_of(alb).alarms)
    found = _watching(
        alarms, "AWS/ApplicationELB", "TargetResponseTime", LoadBalancer=elb_dimension(alb.arn)
    )
    if not found:
        return Verdict.fail("No alarm watches the ALB's TargetResponseTime", alarms=[])
    return Verdict.ok("TargetResponseTime is watched", alarms=found)


def check_concurrency_alarm(topo: Topology, fn: LambdaFunction, params: Params):
    alarms = _alarms(topo.region_of(fn).alarms)
    account = [
        a.alarm
        for a in alarms
        if a.namespace == "AWS/Lambda" and a.metric == "ConcurrentExecutions" and not a.dimensions
    ]
    function = _watching(alarms, "AWS/Lambda", "ConcurrentExecutions", FunctionName=fn.name)
    found = sorted(set(account) | set(function))
    if not found:
        return Verdict.fail(
            "No alarm watches Lambda ConcurrentExecutions (account or function)", alarms=[]
        )
    return Verdict.ok("Concurrent executions are watched", alarms=found)


def check_cache_hit_alarm(topo: Topology, dist: Distribution, params: Params):
    paths = topo.edge_paths_of_distribution(dist)
    if not paths:
        return None
    alarms = _alarms(topo.edge_alarms(dist))
    found = _watching(alarms, "AWS/CloudFront", "CacheHitRate", DistributionId=dist.id)
    related = path_related(paths, dists=False)
    if not found:
        return Verdict.fail("No alarm watches the distribution's CacheHitRate", related, alarms=[])
    return Verdict.ok("CacheHitRate is watched", related, alarms=found)


def check_below_break_even(topo: Topology, alb: LoadBalancer, params: Params):
    paths = topo.edge_paths_of_alb(alb)
    if not paths:
        return None
    days, month = params["window_days"], 30
    origin_key = metric_key("RequestCount", alb_dimensions(alb.arn))
    series = topo.region_metrics(alb)
    origin = monthly(series, origin_key, days, month)
    dists = {p.distribution.arn: p.distribution for p in paths}
    viewer = sum(
        monthly(topo.edge_metrics(d), metric_key("Requests", distribution_dimensions(d)), days,
                month)
        for d in dists.values()
    )
    rates = [
        v
        for d in dists.values()
        for v in topo.edge_metrics(d).values(
            metric_key("CacheHitRate", distribution_dimensions(d)), days)
    ]
    requests = max(viewer, origin)
    if rates:
        hit = sum(rates) / len(rates) / 100
    else:
        hit = 1 - origin / viewer if viewer > origin > 0 else 0.0
    evidence = estimate(requests, hit).as_evidence()
    evidence.update(
        window_days=days,
        origin_requests_per_month=round(origin),
        break_even_requests=params["break_even_requests"],
    )
    related = path_related(paths, albs=False)
    recorded = series.span(origin_key, days) or any(
        topo.edge_metrics(d).span(metric_key("Requests", distribution_dimensions(d)), days)
        for d in dists.values())
    if not recorded:  # 1.1: no datapoint is no measurement, not "0.0 M requests"
        return Verdict.ok(
            f"No traffic was recorded in the last {days} days (no CloudWatch datapoint): "
            "the volume cannot be compared with the break-even", related,
            window_days=days, datapoints=0)
    if requests < params["break_even_requests"]:
        return Verdict.fail(
            f"About {requests / 1e6:.1f} M requests a month, below the "
            f"{params['break_even_requests'] / 1e6:g} M where this pattern pays "
            "off: API Gateway HTTP API is simpler and cheaper here",
            related,
            **evidence,
        )
    return Verdict.ok(
        f"About {requests / 1e6:.1f} M requests a month: above the break-even", related, **evidence
    )


def monthly(series, key: str, days: int, month: int) -> float:
    """A month of a daily count, scaled from the days the window actually covers."""
    span = series.span(key, days)
    return series.total(key, days) * month / span if span else 0.0


def check_stage_quota(topo: Topology, api: RestApi, params: Params):
    evidence = {"stages": api.stage_count, "quota": params["quota"]}
    if api.stage_count >= params["min_stages"]:
        return Verdict.fail(f"{api.stage_count} of {params['quota']} stages in use", **evidence)
    return Verdict.ok(f"{api.stage_count} of {params['quota']} stages in use", **evidence)


REC10 = "rec. 10: watch cache hit ratio, target response time and concurrent executions"

RULES = (
    Rule(
        "MON-001",
        "no-target-response-alarm",
        Severity.LOW,
        "No alarm on the ALB's target response time",
        "rec. 10",
        REC10,
        "Target response time is where cold starts and slow functions show first.",
        "Create a CloudWatch alarm on AWS/ApplicationELB TargetResponseTime (p99) for the ALB.",
        SubjectKind.LAMBDA_ALB,
        check_target_response_alarm,
        needs=("alarms",),
    ),
    Rule(
        "MON-002",
        "no-concurrency-alarm",
        Severity.LOW,
        "No alarm on Lambda concurrent executions",
        "rec. 10",
        REC10,
        "Concurrency warns before the regional limit throttles every function in the account.",
        "Create an alarm on AWS/Lambda ConcurrentExecutions (account-wide or per function).",
        SubjectKind.TARGET_FUNCTION,
        check_concurrency_alarm,
        needs=("targets", "alarms"),
    ),
    Rule(
        "MON-003",
        "no-cache-hit-alarm",
        Severity.LOW,
        "No alarm on the distribution's cache hit rate",
        "rec. 10",
        REC10,
        "The cache hit rate is the pattern's saving; a drop means every request reaches Lambda.",
        "Enable additional metrics and alarm on AWS/CloudFront CacheHitRate (in us-east-1).",
        SubjectKind.EDGE_DISTRIBUTION,
        check_cache_hit_alarm,
        needs=("edge_alarms",),
    ),
    Rule(
        "COST-001",
        "pattern-below-break-even",
        Severity.INFO,
        "Traffic below the pattern's break-even",
        "rec. 1",
        "rec. 1: use the pattern above about 30 M requests a month",
        "Below the break-even, the ALB's fixed cost and CloudFront's per-request price make "
        "the pattern dearer than API Gateway HTTP API.",
        "Unless routing, caching or WAF needs justify it, serve through API Gateway HTTP API "
        "or CloudFront + function URL; the evidence has the five monthly estimates.",
        SubjectKind.LAMBDA_ALB,
        check_below_break_even,
        params={"break_even_requests": 30_000_000, "window_days": 14},
        needs=("region_metrics", "edge_metrics"),
    ),
    Rule(
        "APIGW-001",
        "stage-quota",
        Severity.LOW,
        "REST API close to its stages quota",
        "reuse",
        "reuse: 10 stages per REST API (soft quota) bound environments per API",
        "Sharing one REST API across environments runs into the stage quota.",
        "Request a quota increase, or give environments their own APIs.",
        SubjectKind.REST_API,
        check_stage_quota,
        params={"min_stages": 8, "quota": 10},
        needs=("rest_apis",),
    ),
)

"""One setting, one call: health checks (HC-*), target group and ALB attributes (TG-001,
ALB-*), the distribution's behaviours and origins (CF-*), and the alarms (MON-*).

Distribution edits go through ``cf_edit``: the config and its ETag are fetched when the
script runs, only the named fields change, and the update carries ``--if-match``.
"""

from __future__ import annotations

from auditor.collect.cloudfront import CACHING_DISABLED_ID
from auditor.fix.context import Context, distribution_edit
from auditor.fix.findings import Finding
from auditor.fix.model import Call, Closes, Phase, Shell, Step
from auditor.session import GLOBAL_SERVICE_REGION

HEALTH = {  # rule -> (ModifyTargetGroup parameter, evidence key of the recommended value,
    #          CloudFormation property)
    "HC-001": ("HealthCheckIntervalSeconds", "min_interval_seconds",
               "HealthCheckIntervalSeconds"),
    "HC-003": ("UnhealthyThresholdCount", "min_unhealthy_threshold", "UnhealthyThresholdCount"),
    "HC-004": ("HealthyThresholdCount", "max_healthy_threshold", "HealthyThresholdCount"),
}
ALB_ATTRIBUTES = {  # rule -> (attribute, value, what it changes)
    "ALB-003": ("routing.http.drop_invalid_header_fields.enabled", "true",
                "Requests with header names that are not valid HTTP lose those headers."),
    "ALB-005": ("deletion_protection.enabled", "true",
                "The ALB cannot be deleted until this is turned off again (stacks too)."),
    "ALB-013": ("waf.fail_open.enabled", "false",
                "When the ALB cannot reach WAF, requests are refused instead of passed "
                "unchecked."),
}


def build(ctx: Context) -> list[Step]:
    steps: list[Step] = []
    for f in ctx.failures.findings:
        if f.rule_id in HEALTH:
            steps.append(_health(ctx, f, *HEALTH[f.rule_id]))
        elif f.rule_id == "HC-005":
            steps.append(ctx.step(
                f, Phase.RISKY, f"{f.name}: health-check path / -> /health", (f.closes,),
                "The handler must answer 200 at /health first, or the target is marked "
                "unhealthy. Written commented out unless --accept-risk HC-005.",
                calls=[Call("elbv2", "ModifyTargetGroup", f.region,
                            {"TargetGroupArn": f.arn, "HealthCheckPath": "/health"})],
                change="HealthCheckPath: /health", accept_risk="HC-005"))
        elif f.rule_id == "TG-001":
            steps += _multi_value(ctx, f)
        elif f.rule_id in ALB_ATTRIBUTES:
            key, value, risk = ALB_ATTRIBUTES[f.rule_id]
            steps.append(_alb_attributes(ctx, f, {key: value}, risk))
        elif f.rule_id == "ALB-006":
            bucket = ctx.parameter("ALB_LOG_BUCKET")
            steps.append(_alb_attributes(ctx, f, {
                "access_logs.s3.enabled": "true", "access_logs.s3.bucket": bucket,
                "access_logs.s3.prefix": f.name},
                "Logs are written to the bucket (its policy must let Elastic Load "
                "Balancing write; S3 storage is charged).",
                title=f"{f.name}: access logs to the ALB_LOG_BUCKET bucket"))
        elif f.rule_id == "ALB-012":
            steps += _require_login(ctx, f)
        elif f.rule_id.startswith("CF-") or f.rule_id.startswith("MON-"):
            step = _edge(ctx, f)
            if step is not None:
                steps.append(step)
    return steps


def _health(ctx: Context, f: Finding, parameter: str, key: str, prop: str) -> Step:
    value = f.evidence[key]
    return ctx.step(
        f, Phase.SETTINGS, f"{f.name}: {parameter} -> {value}", (f.closes,),
        "Fewer health-check invocations of the function; the target is judged on more "
        "evidence.",
        calls=[Call("elbv2", "ModifyTargetGroup", f.region,
                    {"TargetGroupArn": f.arn, parameter: value})],
        change=f"{prop}: {value}")


def _multi_value(ctx: Context, f: Finding) -> list[Step]:
    warning = Step(
        Phase.RISKY, f"Before TG-001 on {f.name}: the handler must answer with "
        "multiValueHeaders", (), "With multi-value headers on, the ALB sends the function "
        "multiValueHeaders and multiValueQueryStringParameters instead of headers and "
        "queryStringParameters, and reads only multiValueHeaders from its answer: a handler "
        "that still answers with headers loses every response header.",
        manual="Change the handler to read event['multiValueHeaders'] and answer with "
               "'multiValueHeaders' (lists of values); deploy it; then run the next step "
               "(make the plan with --accept-risk TG-001 to have it written uncommented).",
        kind_override="warning", account=f.account, serves=(f.closes,))
    change = ctx.step(
        f, Phase.RISKY, f"{f.name}: turn multi-value headers on", (f.closes,),
        "Repeated headers (Set-Cookie) and query parameters reach the function and the "
        "viewer. Written commented out unless --accept-risk TG-001.",
        calls=[Call("elbv2", "ModifyTargetGroupAttributes", f.region, {
            "TargetGroupArn": f.arn,
            "Attributes": [{"Key": "lambda.multi_value_headers.enabled", "Value": "true"}]})],
        change="TargetGroupAttributes: lambda.multi_value_headers.enabled = true",
        accept_risk="TG-001")
    return [warning, change]


def _alb_attributes(ctx: Context, f: Finding, values: dict[str, str], risk: str,
                   title: str = "") -> Step:
    shown = ", ".join(f"{k}={v}" for k, v in values.items())
    return ctx.step(
        f, Phase.SETTINGS, title or f"{f.name}: {shown}", (f.closes,), risk,
        calls=[Call("elbv2", "ModifyLoadBalancerAttributes", f.region, {
            "LoadBalancerArn": f.arn,
            "Attributes": [{"Key": k, "Value": v} for k, v in values.items()]})],
        change="LoadBalancerAttributes: " + shown)


def _require_login(ctx: Context, f: Finding) -> list[Step]:
    rules = f.evidence.get("rules", [])
    return [ctx.step(
        f, Phase.RISKY, f"{f.name}: rule {r['rule_priority']} sends a visitor without a "
        "login to sign in", (f.closes,) if i == len(rules) - 1 else (),
        "A request without a session is redirected to the identity provider instead of "
        "reaching the function (an API client without a browser gets 401). Written "
        "commented out unless --accept-risk ALB-012.",
        serves=[f.closes],
        calls=[Call("elbv2", "ModifyRule", f.region, {"RuleArn": r["rule_arn"]},
                    {"Actions": "the rule's actions, OnUnauthenticatedRequest authenticate, "
                                "UseExistingClientSecret true"})],
        shell=[Shell("alb_require_login", (f.region, r["rule_arn"]))],
        change="AuthenticateOidcConfig / AuthenticateCognitoConfig "
               "OnUnauthenticatedRequest: authenticate",
        resource_type="AWS::ElasticLoadBalancingV2::ListenerRule",
        logical_id=f"the listener rule at priority {r['rule_priority']}",
        accept_risk="ALB-012") for i, r in enumerate(rules)]


def _cf_edit(ctx: Context, f: Finding, title: str, risk: str, edit: dict, what: str,
             change: str, reveals=()) -> Step:
    calls, shell = distribution_edit(f.name, edit, what)
    return ctx.step(f, Phase.SETTINGS, title, (f.closes,), risk, reveals=reveals,
                    calls=calls, shell=shell, change=change)


def _edge(ctx: Context, f: Finding) -> Step | None:
    ev, dist = f.evidence, f.name
    if f.rule_id == "CF-001":
        paths = ev["behaviors"]
        return _cf_edit(ctx, f, f"{dist}: behaviours {', '.join(paths)} redirect HTTP to HTTPS",
                        "Viewers asking over HTTP are redirected (301) to HTTPS.",
                        {"op": "viewer_https", "paths": paths},
                        f"ViewerProtocolPolicy redirect-to-https on {', '.join(paths)}",
                        f"ViewerProtocolPolicy: redirect-to-https on {', '.join(paths)}")
    if f.rule_id == "CF-003":
        origins = [o["origin_id"] for o in ev.get("origins", [])]
        if len(origins) != 1:
            return None
        return _cf_edit(ctx, f, f"{dist}: origin {origins[0]} keep-alive -> 60 s",
                        "Connections to the ALB are reused longer; nothing else changes.",
                        {"op": "keepalive", "origin": origins[0], "seconds": 60},
                        f"origin {origins[0]} OriginKeepaliveTimeout 60",
                        f"Origin {origins[0]} CustomOriginConfig OriginKeepaliveTimeout: 60")
    if f.rule_id == "CF-005":
        paths = [b["path_pattern"] for b in ev.get("behaviors", [])]
        cached = ctx.failures.passing.get(("CF-004", f.arn), {}).get("cached")
        last = cached is not None and set(cached) <= set(paths)
        return _cf_edit(ctx, f, f"{dist}: stop caching {', '.join(paths)}",
                        "Every request on these paths reaches the origin (more Lambda "
                        "invocations); a behaviour with a cache policy gets AWS's "
                        "CachingDisabled, one with legacy settings TTLs of 0." + (
                            " These are the only cached paths: afterwards nothing is "
                            "cached (CF-004, info) until shareable paths get a cache "
                            "policy." if last else ""),
                        {"op": "no_cache", "paths": paths, "policy": CACHING_DISABLED_ID},
                        f"{', '.join(paths)} not cached",
                        f"CacheBehavior {', '.join(paths)}: CachePolicyId "
                        f"{CACHING_DISABLED_ID} (CachingDisabled)",
                        reveals=[Closes("CF-004", f.arn, f.name)] if last else ())
    if f.rule_id == "CF-006":
        return ctx.step(
            f, Phase.SETTINGS, f"{dist}: turn additional metrics on", (f.closes,),
            "Adds CacheHitRate and error-rate metrics; CloudWatch charges for them.",
            calls=[Call("cloudfront", "CreateMonitoringSubscription", GLOBAL_SERVICE_REGION, {
                "DistributionId": dist, "MonitoringSubscription": {
                    "RealtimeMetricsSubscriptionConfig": {
                        "RealtimeMetricsSubscriptionStatus": "Enabled"}}})],
            change="AWS::CloudFront::MonitoringSubscription with RealtimeMetricsSubscription"
                   "Status Enabled", resource_type="AWS::CloudFront::MonitoringSubscription")
    if f.rule_id == "CF-007":
        bucket = ctx.parameter("CF_LOG_BUCKET")
        return _cf_edit(ctx, f, f"{dist}: standard logging to the CF_LOG_BUCKET bucket",
                        "Access logs are written to S3 (storage is charged).",
                        {"op": "logging", "bucket": bucket, "prefix": f"{dist}/"},
                        "Logging enabled", f"Logging: Bucket <bucket>.s3.amazonaws.com, "
                        f"Prefix {dist}/")
    if f.rule_id in ("MON-001", "MON-002", "MON-003"):
        return _alarm(ctx, f)
    return None


def _alarm(ctx: Context, f: Finding) -> Step:
    topic = ctx.parameter("ALARM_TOPIC_ARN")
    if f.rule_id == "MON-001":
        dimension = f.arn.split(":loadbalancer/", 1)[-1]
        spec = dict(AlarmName=f"edge-audit-{f.name}-target-response-time",
                    Namespace="AWS/ApplicationELB", MetricName="TargetResponseTime",
                    Dimensions=[{"Name": "LoadBalancer", "Value": dimension}],
                    ExtendedStatistic="p99", Threshold=2.0,
                    ComparisonOperator="GreaterThanThreshold")
        region, what = f.region, "p99 TargetResponseTime over 2 s for 3 of 5 minutes"
    elif f.rule_id == "MON-002":
        spec = dict(AlarmName=f"edge-audit-{f.region}-lambda-concurrency",
                    Namespace="AWS/Lambda", MetricName="ConcurrentExecutions",
                    Statistic="Maximum", Threshold=800.0,
                    ComparisonOperator="GreaterThanThreshold")
        region, what = f.region, "ConcurrentExecutions over 800 (80 % of the default quota)"
    else:
        spec = dict(AlarmName=f"edge-audit-{f.name}-cache-hit-rate",
                    Namespace="AWS/CloudFront", MetricName="CacheHitRate",
                    Dimensions=[{"Name": "DistributionId", "Value": f.name},
                                {"Name": "Region", "Value": "Global"}],
                    Statistic="Average", Threshold=50.0,
                    ComparisonOperator="LessThanThreshold")
        region, what = GLOBAL_SERVICE_REGION, "CacheHitRate under 50 % for 3 of 5 minutes"
    spec.update(Period=60, EvaluationPeriods=5, DatapointsToAlarm=3,
                TreatMissingData="notBreaching", AlarmActions=[topic])
    return ctx.step(
        f, Phase.ALARMS, f"{f.name}: alarm on {spec['MetricName']}", (f.closes,),
        f"A new alarm ({what}; tune the threshold to your traffic) notifies the "
        "ALARM_TOPIC_ARN topic.",
        calls=[Call("cloudwatch", "PutMetricAlarm", region, spec)],
        change=f"AWS::CloudWatch::Alarm on {spec['Namespace']} {spec['MetricName']} ({what})",
        resource_type="AWS::CloudWatch::Alarm", logical_id=spec["AlarmName"])

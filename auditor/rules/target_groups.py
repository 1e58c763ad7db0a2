"""TG and HC: Lambda target-group settings and health checks.

ALB drops repeated headers and query parameters unless multi-value headers are on (rec. 4).
Health checks on Lambda are real invocations that can land on a cold function; the
deep-dive's table recommends interval 60-300 s, timeout 10 s, thresholds 3 and 3, and a
light dedicated path (rec. 5), and provisioned concurrency where cold starts hurt (rec. 6).
"""

from __future__ import annotations

from auditor.findings import Severity, Verdict
from auditor.gaps import need
from auditor.inventory import LambdaFunction, TargetGroup
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import alb_arns_of, rule_evidence
from auditor.topology import Topology

MULTI_VALUE = "lambda.multi_value_headers.enabled"

# AWS's defaults for a Lambda target group's health check, used where a field is absent
# (ELB's CreateTargetGroup reference, TargetType lambda). 1.1: the unhealthy threshold
# defaults to 5, not the 2 of the deep-dive's table, and an absent field is no error.
DEFAULTS = {"interval": 35, "timeout": 30, "healthy_threshold": 5, "unhealthy_threshold": 5,
            "path": "/"}


def check_multi_value_headers(topo: Topology, tg: TargetGroup, params: Params) -> Verdict | None:
    attributes = need(tg.attributes)
    albs = list(tg.load_balancer_arns)
    if MULTI_VALUE not in attributes:
        return Verdict.fail(
            "Multi-value headers are off (attribute absent; AWS default false): "
            "repeated headers and query parameters are silently dropped",
            albs,
            attribute=MULTI_VALUE,
            value=None,
            aws_default=True,
        )
    value = attributes[MULTI_VALUE]
    if value.lower() != "true":
        return Verdict.fail(
            "Multi-value headers are off: repeated headers (Set-Cookie) and "
            "query parameters are silently dropped",
            albs,
            attribute=MULTI_VALUE,
            value=value,
        )
    return Verdict.ok("Multi-value headers are on", albs, attribute=MULTI_VALUE, value=value)


def _health_check_rule(field: str, label: str, param: str, too_far, describe: str):
    """A check of one health-check field against the threshold parameter ``param``."""

    def check(topo: Topology, tg: TargetGroup, params: Params) -> Verdict | None:
        hc = tg.health_check
        if not hc.enabled:
            return None
        raw = getattr(hc, field)
        value = raw if raw is not None else DEFAULTS[label]
        limit = params.get(param)
        evidence = {label: value, "aws_default": raw is None, param: limit}
        albs = list(tg.load_balancer_arns)
        if too_far(value, limit):
            return Verdict.fail(
                f"Health-check {label} is {value!r}: {describe.format(limit)}", albs, **evidence
            )
        return Verdict.ok(f"Health-check {label} is {value!r}", albs, **evidence)

    check.__name__ = f"check_health_check_{label}"
    return check


def check_cold_start_exposure(topo: Topology, fn: LambdaFunction, params: Params) -> Verdict | None:
    albs = alb_arns_of(topo, fn)
    if not fn.can_have_provisioned_concurrency:
        return Verdict.fail(
            "Registered without an alias or version, so provisioned "
            "concurrency cannot apply: health checks and users meet cold starts",
            albs,
            qualifier=fn.qualifier or "(unqualified)",
            provisioned_concurrency=None,
        )
    configured = need(fn.provisioned_concurrency)
    if not configured:
        return Verdict.fail(
            f"No provisioned concurrency on {fn.qualifier}: health checks and "
            "users meet cold starts",
            albs,
            qualifier=fn.qualifier,
            provisioned_concurrency=configured or 0,
        )
    return Verdict.ok(
        f"{configured} provisioned execution environment(s) on {fn.qualifier}",
        albs,
        qualifier=fn.qualifier,
        provisioned_concurrency=configured,
    )


def _unqualified(arn: str) -> bool:
    """The bare function ARN or its ``$LATEST``: no alias, no published version."""
    from auditor.collect.awslambda import split_arn

    qualifier = split_arn(arn)[1]
    return qualifier in (None, "$LATEST")


def check_unqualified_target(topo: Topology, tg: TargetGroup, params: Params) -> Verdict | None:
    targets = need(tg.targets)
    if not targets:
        return None  # nothing registered: TG-003's concern
    bare = [t for t in targets if _unqualified(t)]
    albs = list(tg.load_balancer_arns)
    if bare:
        return Verdict.fail(
            "The target group registers the function without an alias or version: every "
            "deploy changes the code under live traffic at once, with no weighted rollout, "
            "and provisioned concurrency cannot apply", albs, unqualified_targets=bare)
    return Verdict.ok("Every target is an alias or a published version", albs,
                      targets=list(targets))


def check_empty_target_group(topo: Topology, tg: TargetGroup, params: Params) -> Verdict | None:
    routes = [(li, rule) for alb in topo.albs_of_target_group(tg)
              for li, rule in topo.forwarding_rules(alb) if tg.arn in rule.forward_target_groups]
    if not routes:
        return None  # no rule sends it traffic (a weight of 0 included)
    targets = need(tg.targets)
    albs = list(tg.load_balancer_arns)
    evidence = {"rules": [rule_evidence(li.port, r) for li, r in routes]}
    if not targets:
        return Verdict.fail(
            f"No function is registered, yet {len(routes)} rule(s) forward here: every "
            "request on those routes is answered 503", albs, **evidence)
    return Verdict.ok(f"{len(targets)} target(s) registered", albs, **evidence)


REC5 = "rec. 5: health checks every 60 s or longer, tolerant of cold starts"
REMEDY_HC = (
    "aws elbv2 modify-target-group --health-check-interval-seconds 60 "
    "--health-check-timeout-seconds 10 --healthy-threshold-count 3 "
    "--unhealthy-threshold-count 3 --health-check-path /health"
)

RULES = (
    Rule(
        "TG-001",
        "multi-value-headers-disabled",
        Severity.MEDIUM,
        "Lambda target group drops repeated headers",
        "rec. 4, FM",
        "rec. 4: enable multi-value headers on every Lambda target group",
        "With the flag off the function sees only the last Set-Cookie, the last repeated query "
        "parameter: data vanishes without an error.",
        "First make the handler read multiValueHeaders and multiValueQueryStringParameters "
        "and answer with multiValueHeaders: with the flag on, the ALB sends the event in "
        "that shape and expects the response in it, so the flag is not free under a "
        "hand-written handler (frameworks' ALB adapters handle both shapes). Then: aws elbv2 "
        f"modify-target-group-attributes --attributes Key={MULTI_VALUE},Value=true.",
        SubjectKind.LAMBDA_TARGET_GROUP,
        check_multi_value_headers,
        needs=("tg_attributes",),
    ),
    Rule(
        "TG-002",
        "unqualified-target",
        Severity.LOW,
        "Lambda target group registers the bare function",
        "rec. 6, AWS",
        "rec. 6: register an alias, so provisioned concurrency and weighted rollouts apply",
        "A target group that registers the function (or $LATEST) runs whatever was deployed "
        "last: each deploy reaches all live traffic at the same moment, a rollback is "
        "another deploy, and provisioned concurrency, which applies only to a version or "
        "an alias (AWS, \"Configuring provisioned concurrency\"), cannot be used.",
        "Publish a version, point an alias at it, and register the alias in a new target "
        "group; shift the rule's weights to it (ForwardConfig) and only then deregister "
        "the bare function: AWS fails the requests in flight on a deregistered Lambda "
        "target, so never deregister under traffic.",
        SubjectKind.LAMBDA_TARGET_GROUP,
        check_unqualified_target,
        needs=("targets",),
    ),
    Rule(
        "TG-003",
        "empty-target-group",
        Severity.MEDIUM,
        "Lambda target group with no function registered",
        "FM, AWS",
        "FM: every route must reach a function",
        "A rule that forwards to a target group without a target gets 503 from the ALB for "
        "every request (AWS, \"Troubleshoot your Application Load Balancers\": HTTP 503, "
        "target groups have no registered targets). It is how a half-finished deploy or a "
        "deregistration left behind looks.",
        "Register the function (its alias) in the target group, with the invoke permission "
        "for elasticloadbalancing.amazonaws.com scoped to the target group; or, if the "
        "route is retired, remove the rule that forwards to it.",
        SubjectKind.LAMBDA_TARGET_GROUP,
        check_empty_target_group,
        needs=("targets",),
    ),
    Rule(
        "HC-001",
        "health-check-interval-short",
        Severity.LOW,
        "Health checks invoke the function more often than every 60 s",
        "rec. 5",
        REC5,
        "Every health check is a paid invocation; the 35 s default adds invocations and cold "
        "start exposure for nothing real traffic does not already show.",
        REMEDY_HC,
        SubjectKind.LAMBDA_TARGET_GROUP,
        _health_check_rule(
            "interval_seconds",
            "interval",
            "min_interval_seconds",
            lambda v, limit: v < limit,
            "recommended {} s or more",
        ),
        params={"min_interval_seconds": 60},
    ),
    Rule(
        "HC-002",
        "health-check-timeout-short",
        Severity.MEDIUM,
        "Health-check timeout shorter than a cold start",
        "rec. 5, FM",
        REC5,
        "A timeout under 10 s fails the check while a cold function is still starting, and "
        "the target is marked unhealthy.",
        REMEDY_HC,
        SubjectKind.LAMBDA_TARGET_GROUP,
        _health_check_rule(
            "timeout_seconds",
            "timeout",
            "min_timeout_seconds",
            lambda v, limit: v < limit,
            "a cold start can outlast it (recommended {} s)",
        ),
        params={"min_timeout_seconds": 10},
    ),
    Rule(
        "HC-003",
        "unhealthy-threshold-low",
        Severity.MEDIUM,
        "One slow cold start marks the target unhealthy",
        "rec. 5, FM",
        REC5,
        "With an unhealthy threshold under 3, a single slow cold start flaps the target to "
        "unhealthy and the ALB answers 503.",
        REMEDY_HC,
        SubjectKind.LAMBDA_TARGET_GROUP,
        _health_check_rule(
            "unhealthy_threshold",
            "unhealthy_threshold",
            "min_unhealthy_threshold",
            lambda v, limit: v < limit,
            "recommended {}",
        ),
        params={"min_unhealthy_threshold": 3},
    ),
    Rule(
        "HC-004",
        "healthy-threshold-high",
        Severity.LOW,
        "Slow recovery after a transient failure",
        "rec. 5",
        REC5,
        "A healthy threshold above 3 keeps a recovered function out of service for several "
        "more intervals.",
        REMEDY_HC,
        SubjectKind.LAMBDA_TARGET_GROUP,
        _health_check_rule(
            "healthy_threshold",
            "healthy_threshold",
            "max_healthy_threshold",
            lambda v, limit: v > limit,
            "recommended {}",
        ),
        params={"max_healthy_threshold": 3},
    ),
    Rule(
        "HC-005",
        "health-check-path-root",
        Severity.LOW,
        "Health check calls the application's root path",
        "rec. 5",
        REC5,
        "The root path usually runs real application logic (and its database calls) on every "
        "check; a dedicated light handler answers fast and cheaply.",
        REMEDY_HC,
        SubjectKind.LAMBDA_TARGET_GROUP,
        _health_check_rule(
            "path",
            "path",
            "root_paths",
            lambda v, paths: v in paths,
            "use a light dedicated path such as /health",
        ),
        params={"root_paths": ["", "/"]},
    ),
    Rule(
        "HC-006",
        "cold-start-exposure",
        Severity.INFO,
        "Health-checked function has no provisioned concurrency",
        "rec. 6",
        "rec. 6: provisioned concurrency for latency-sensitive endpoints",
        "Without warm environments, health checks and users meet cold starts; the health "
        "check deadlock (cold -> unhealthy -> no traffic -> cold) becomes possible.",
        "Register an alias in the target group and configure provisioned concurrency on it "
        "(aws lambda put-provisioned-concurrency-config).",
        SubjectKind.HEALTH_CHECKED_FUNCTION,
        check_cold_start_exposure,
        needs=("targets", "provisioned"),
    ),
)

"""ALB: listener and load-balancer settings of Lambda ALBs, quotas, and consolidation.

The settings rules mirror Security Hub's ELB controls, scoped to the ALBs of the pattern;
the quota rules come from the reuse article (100 rules per listener, soft; 100 target
groups per ALB, hard); the consolidation rules from the deep-dive's rec. 8 and rec. 9.
"""

from __future__ import annotations

from auditor.findings import Severity, Verdict
from auditor.gaps import need
from auditor.inventory import LoadBalancer
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import alb_attribute, path_related
from auditor.topology import Topology

OLD_TLS = {"SSLv3", "TLSv1", "TLSv1.1"}


def check_http_listener_serves(topo: Topology, alb: LoadBalancer, params: Params):
    if not alb.internet_facing:
        return None
    serving = []
    for listener in need(alb.listeners):
        if listener.protocol != "HTTP":
            continue
        # 1.1: a redirect to HTTPS or a fixed response (a 403 that refuses plain HTTP) serves
        # nothing; only a forward sends requests to the functions over HTTP.
        forwards = [r.priority for r in need(listener.rules)
                    if r.forward_target_groups or "forward" in r.action_types
                    or r.action_type == "forward"]
        if forwards:
            serving.append({"port": listener.port, "forwarding_rules": forwards})
    if serving:
        return Verdict.fail(
            "HTTP listener forwards requests instead of redirecting to HTTPS",
            http_listeners=serving)
    return Verdict.ok("No HTTP listener forwards: each redirects or answers a fixed response")


def check_tls_policy_outdated(topo: Topology, alb: LoadBalancer, params: Params):
    listeners = [li for li in need(alb.listeners) if li.protocol == "HTTPS"]
    if not listeners:
        return None
    weak = []
    for listener in listeners:
        protocols = topo.ssl_protocols(alb, listener.ssl_policy)
        if OLD_TLS & set(protocols):
            weak.append(
                {
                    "port": listener.port,
                    "ssl_policy": listener.ssl_policy,
                    "protocols": sorted(protocols),
                }
            )
    if weak:
        return Verdict.fail("HTTPS listener accepts TLS older than 1.2", listeners=weak)
    return Verdict.ok(
        "HTTPS listeners require TLS 1.2 or later",
        policies=sorted({li.ssl_policy for li in listeners}),
    )


def _attribute_rule(key: str, default: str, bad, fail: str, ok: str):
    def check(topo: Topology, alb: LoadBalancer, params: Params) -> Verdict | None:
        value, is_default = alb_attribute(alb, key, default)
        evidence = {"attribute": key, "value": value, "aws_default": is_default}
        if bad(value.lower()):
            return Verdict.fail(
                fail + (" (attribute absent: AWS default)" if is_default else ""), **evidence
            )
        return Verdict.ok(ok, **evidence)

    check.__name__ = "check_" + key.replace(".", "_")
    return check


def check_listener_rule_quota(topo: Topology, alb: LoadBalancer, params: Params):
    """1.1: the quota is per load balancer (summed over its listeners), and the applied
    value is read where it can be: a raised quota raises the bar."""
    applied = topo.region_of(alb).alb_rules_quota
    quota = need(applied) if applied is not None else None
    quota = quota or params["quota"]
    limit = quota * params["threshold_percent"] / 100
    counts = {
        li.port: sum(1 for r in need(li.rules) if not r.is_default) for li in need(alb.listeners)
    }
    total = sum(counts.values())
    evidence = {
        "rules": total,
        "rules_per_listener": counts,
        "quota": quota,
        "quota_source": "DescribeAccountLimits" if applied else "default",
        "threshold_percent": params["threshold_percent"],
    }
    if total >= limit:
        return Verdict.fail(f"The ALB holds {total} of {quota} rules (all listeners)",
                            **evidence)
    return Verdict.ok(f"The ALB holds {total} of {quota} rules", **evidence)


def check_target_group_quota(topo: Topology, alb: LoadBalancer, params: Params):
    limit = params["limit"] * params["threshold_percent"] / 100
    count = alb.target_group_count
    evidence = {
        "target_groups": count,
        "limit": params["limit"],
        "threshold_percent": params["threshold_percent"],
    }
    if count >= limit:
        return Verdict.fail(
            f"{count} of the hard limit of {params['limit']} target groups in "
            "use: the next functions will not fit",
            **evidence,
        )
    return Verdict.ok(f"{count} of {params['limit']} target groups in use", **evidence)


AUTH_ACTIONS = {"authenticate-oidc", "authenticate-cognito", "jwt-validation"}


def _needs_the_alb(topo: Topology, alb: LoadBalancer) -> list[str]:
    """What the ALB does that a function URL cannot: authentication actions, mutual TLS,
    host-based routing to several hosts."""
    found = []
    listeners = need(alb.listeners)
    if any(li.mutual_auth_mode not in ("", "off") for li in listeners):
        found.append("mutual TLS")
    rules = [r for li in listeners for r in need(li.rules)]
    if any(AUTH_ACTIONS & set(r.action_types) for r in rules):
        found.append("authentication actions")
    hosts = {h for r in rules for h in (*r.host_headers, *r.host_regexes)}
    if len(hosts) > 1:
        found.append("host-based routing")
    return found


def check_single_function_alb(topo: Topology, alb: LoadBalancer, params: Params):
    groups = topo.lambda_target_groups_of(alb)
    evidence = {"lambda_target_groups": len(groups), "target_groups": alb.target_group_count}
    if alb.target_group_count != 1 or len(groups) != 1:
        return Verdict.ok(f"The ALB has {alb.target_group_count} target group(s)", groups,
                          **evidence)
    uses = _needs_the_alb(topo, alb)
    if uses:
        return Verdict.ok(f"One Lambda target group, but the ALB provides {', '.join(uses)}",
                          groups, alb_features=uses, **evidence)
    return Verdict.fail(
        "The ALB's only target group is one Lambda function and it uses nothing a function "
        "URL lacks: CloudFront + a function URL gives the same without the ALB's fixed cost",
        groups,
        **evidence,
    )


def check_consolidate_albs(topo: Topology, alb: LoadBalancer, params: Params):
    """1.1: only ALBs that could be merged are paired: same account, region, VPC and
    scheme; "few" counts target groups of any type."""
    few = params["max_functions"]
    mine = alb.target_group_count
    if mine > few:
        return Verdict.ok(f"Has {mine} target groups", target_groups=mine)
    small = [
        other
        for other in topo.lambda_albs().items
        if (other.account, other.region, other.vpc_id, other.scheme)
        == (alb.account, alb.region, alb.vpc_id, alb.scheme)
        and other.target_group_count <= few
    ]
    others = [o.arn for o in small if o.arn != alb.arn]
    if others:
        return Verdict.fail(
            f"{len(small)} {alb.scheme} Lambda ALBs in one VPC ({alb.vpc_id or 'unknown'}) "
            f"of {alb.region} each have {few} or fewer target groups: each pays the fixed "
            "hourly fee",
            others,
            target_groups=mine,
            small_albs=[o.name for o in small],
        )
    return Verdict.ok("No other small Lambda ALB of the same scheme in its VPC",
                      target_groups=mine)


def check_prefer_vpc_origin(topo: Topology, alb: LoadBalancer, params: Params):
    paths = topo.edge_paths_of_alb(alb)
    if not paths:
        return None
    related = path_related(paths, albs=False)
    if alb.internet_facing and any(not p.via_vpc_origin for p in paths):
        return Verdict.fail(
            "Fronted ALB is internet-facing: an internal ALB behind a "
            "CloudFront VPC origin could not be reached around the edge at all",
            related,
            scheme=alb.scheme,
        )
    return Verdict.ok("Reached only through CloudFront", related, scheme=alb.scheme)


ELB_CONTROL = "Security Hub {}: {}"

RULES = (
    Rule(
        "ALB-001",
        "http-listener-serves",
        Severity.MEDIUM,
        "HTTP listener serves instead of redirecting",
        "ELB.1",
        ELB_CONTROL.format("ELB.1", "HTTP listeners redirect to HTTPS"),
        "Requests sent to the HTTP listener travel unencrypted, tokens and cookies included.",
        "Make the HTTP listener's default action a redirect to HTTPS (port 443, 301) and "
        "remove its forwarding rules.",
        SubjectKind.LAMBDA_ALB,
        check_http_listener_serves,
    ),
    Rule(
        "ALB-002",
        "tls-policy-outdated",
        Severity.MEDIUM,
        "HTTPS listener allows TLS older than 1.2",
        "ELB.17",
        ELB_CONTROL.format("ELB.17", "listeners use a TLS 1.2+ security policy"),
        "TLS 1.0 and 1.1 are deprecated and weaken every connection that negotiates them.",
        "Use ELBSecurityPolicy-TLS13-1-2-2021-06 (or a newer TLS 1.2+ policy).",
        SubjectKind.LAMBDA_ALB,
        check_tls_policy_outdated,
        needs=("ssl_policies",),
    ),
    Rule(
        "ALB-003",
        "invalid-headers-kept",
        Severity.MEDIUM,
        "ALB forwards invalid HTTP header fields",
        "ELB.4",
        ELB_CONTROL.format("ELB.4", "drop invalid HTTP header fields"),
        "Header names that are not valid HTTP reach the function and can smuggle requests "
        "past parsers that disagree on them.",
        "Set routing.http.drop_invalid_header_fields.enabled to true.",
        SubjectKind.LAMBDA_ALB,
        _attribute_rule(
            "routing.http.drop_invalid_header_fields.enabled",
            "false",
            lambda v: v != "true",
            "Invalid header fields are forwarded",
            "Invalid header fields are dropped",
        ),
        needs=("lb_attributes",),
    ),
    Rule(
        "ALB-004",
        "desync-mode-monitor",
        Severity.MEDIUM,
        "HTTP desync mitigation only monitors",
        "ELB.12",
        ELB_CONTROL.format("ELB.12", "desync mitigation in defensive or strictest mode"),
        "In monitor mode the ALB lets ambiguous requests through: request smuggling is "
        "logged, not stopped.",
        "Set routing.http.desync_mitigation_mode to defensive or strictest.",
        SubjectKind.LAMBDA_ALB,
        _attribute_rule(
            "routing.http.desync_mitigation_mode",
            "defensive",
            lambda v: v == "monitor",
            "Desync mitigation is in monitor mode",
            "Desync mitigation blocks ambiguous requests",
        ),
        needs=("lb_attributes",),
    ),
    Rule(
        "ALB-005",
        "deletion-protection-off",
        Severity.LOW,
        "ALB can be deleted without a guard",
        "ELB.6",
        ELB_CONTROL.format("ELB.6", "deletion protection enabled"),
        "One mistaken delete takes every function behind the ALB offline and changes its "
        "DNS name, which CloudFront's origin points to.",
        "Set deletion_protection.enabled to true.",
        SubjectKind.LAMBDA_ALB,
        _attribute_rule(
            "deletion_protection.enabled",
            "false",
            lambda v: v != "true",
            "Deletion protection is off",
            "Deletion protection is on",
        ),
        needs=("lb_attributes",),
    ),
    Rule(
        "ALB-006",
        "access-logs-off",
        Severity.LOW,
        "ALB access logs are off",
        "ELB.5",
        ELB_CONTROL.format("ELB.5", "access logging enabled"),
        "Without access logs, direct (bypass) requests and 5xx responses leave no trace.",
        "Set access_logs.s3.enabled to true with an S3 bucket.",
        SubjectKind.LAMBDA_ALB,
        _attribute_rule(
            "access_logs.s3.enabled",
            "false",
            lambda v: v != "true",
            "Access logs are off",
            "Access logs are on",
        ),
        needs=("lb_attributes",),
    ),
    Rule(
        "ALB-007",
        "listener-rule-quota",
        Severity.MEDIUM,
        "Listener close to its rules quota",
        "reuse, AWS",
        "reuse: the rules quota bounds how many routes one ALB can serve",
        "When the quota is reached, the next route cannot be deployed until it is raised. "
        "AWS counts it per load balancer (rules-per-application-load-balancer, default 100, "
        "adjustable), not per listener as the reuse article has it.",
        "Request a quota increase, or split routes across ALBs.",
        SubjectKind.LAMBDA_ALB,
        check_listener_rule_quota,
        params={"quota": 100, "threshold_percent": 80},
        needs=("alb_limits",),
    ),
    Rule(
        "ALB-008",
        "target-group-quota",
        Severity.HIGH,
        "ALB close to its target-group hard limit",
        "reuse",
        "reuse: 100 target groups per ALB is a hard limit; one per Lambda function",
        "With one target group per function, the ALB cannot take more functions and the "
        "limit cannot be raised.",
        "Plan a second ALB (and origin) before the limit, or consolidate functions.",
        SubjectKind.LAMBDA_ALB,
        check_target_group_quota,
        params={"limit": 100, "threshold_percent": 80},
    ),
    Rule(
        "ALB-009",
        "single-function-alb",
        Severity.INFO,
        "ALB serves a single Lambda function",
        "rec. 9",
        "rec. 9: CloudFront + function URL for single-function use cases",
        "An ALB for one function pays the fixed hourly fee for routing it does not use.",
        "Put CloudFront in front of a function URL (with origin access control) instead.",
        SubjectKind.LAMBDA_ALB,
        check_single_function_alb,
    ),
    Rule(
        "ALB-010",
        "consolidate-albs",
        Severity.INFO,
        "Several small Lambda ALBs in one region",
        "rec. 8",
        "rec. 8: consolidate APIs onto a single ALB with host and path routing",
        "Each ALB pays the fixed fee (about $16 a month); target groups on one ALB cost "
        "nothing extra.",
        "Move the functions behind one ALB, routed by host or path.",
        SubjectKind.LAMBDA_ALB,
        check_consolidate_albs,
        params={"max_functions": 2},
    ),
    Rule(
        "ALB-011",
        "prefer-vpc-origin",
        Severity.INFO,
        "Fronted ALB is internet-facing",
        "reuse",
        "reuse: an internal ALB behind a CloudFront VPC origin is the strongest bypass guard",
        "An internet-facing ALB relies on the security group and header check being right; "
        "an internal one has no public address to attack.",
        "Make the ALB internal and point CloudFront at it through a VPC origin.",
        SubjectKind.LAMBDA_ALB,
        check_prefer_vpc_origin,
    ),
)

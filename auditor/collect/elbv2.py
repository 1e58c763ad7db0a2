"""Elastic Load Balancing v2: the ALBs that serve Lambda, their listeners, rules and
Lambda target groups.

Starts from the target groups: only an ALB with a Lambda target group attached can be a
Lambda ALB, so listeners, rules and attributes are fetched for those ALBs alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.collect.base import Calls
from auditor.collect.plan import Plan, skipped
from auditor.gaps import Unavailable
from auditor.inventory import (
    HeaderCondition,
    HealthCheck,
    Listener,
    ListenerRule,
    LoadBalancer,
    TargetGroup,
)
from auditor.secrets import Secret

OPERATIONS = (
    "elbv2:DescribeTargetGroups",
    "elbv2:DescribeLoadBalancers",
    "elbv2:DescribeListeners",
    "elbv2:DescribeRules",
    "elbv2:DescribeLoadBalancerAttributes",
    "elbv2:DescribeTargetGroupAttributes",
    "elbv2:DescribeTargetHealth",
    "elbv2:DescribeSSLPolicies",
    "elbv2:DescribeAccountLimits",
)
RULES_QUOTA = "rules-per-application-load-balancer"


def _values(condition: dict, config_key: str) -> list[str]:
    return list((condition.get(config_key) or {}).get("Values") or condition.get("Values") or [])


def parse_rule(raw: dict) -> ListenerRule:
    headers, paths, methods, others = [], [], [], []
    hosts, host_regexes, sources = [], [], []
    for cond in raw.get("Conditions") or []:
        field = cond.get("Field", "")
        if field == "http-header":
            cfg = cond.get("HttpHeaderConfig") or {}
            # RegexValues may stand in the config or at the condition level (1.1)
            regexes = [*(cfg.get("RegexValues") or []), *(cond.get("RegexValues") or [])]
            headers.append(
                HeaderCondition(
                    name=cfg.get("HttpHeaderName", ""),
                    values=tuple(Secret(v) for v in cfg.get("Values") or []),
                    regex_values=tuple(Secret(v) for v in regexes),
                )
            )
            continue
        if field == "host-header":
            hosts.extend(_values(cond, "HostHeaderConfig"))
            host_regexes.extend([*((cond.get("HostHeaderConfig") or {}).get("RegexValues")
                                   or []), *(cond.get("RegexValues") or [])])
        elif field == "source-ip":
            sources.extend(_values(cond, "SourceIpConfig"))
        if field == "path-pattern":
            paths.extend(_values(cond, "PathPatternConfig"))
            paths.extend((cond.get("PathPatternConfig") or {}).get("RegexValues") or [])
        elif field == "http-request-method":
            methods.extend(_values(cond, "HttpRequestMethodConfig"))
        elif field == "query-string":
            pairs = (cond.get("QueryStringConfig") or {}).get("Values") or []
            others.append(
                "query-string="
                + ",".join(f"{p.get('Key', '')}={p.get('Value', '')}" for p in pairs)
            )
        else:
            config = {"host-header": "HostHeaderConfig", "source-ip": "SourceIpConfig"}
            others.append(f"{field}=" + ",".join(_values(cond, config.get(field, ""))))
    actions = sorted(raw.get("Actions") or [], key=lambda a: a.get("Order", 0))
    targets: list[str] = []
    for action in actions:
        if action.get("Type") != "forward":
            continue
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups")
        if groups:
            targets += [g["TargetGroupArn"] for g in groups if g.get("Weight", 1) != 0]
        elif action.get("TargetGroupArn"):
            targets.append(action["TargetGroupArn"])
    return ListenerRule(
        arn=raw["RuleArn"],
        priority=str(raw.get("Priority", "")),
        is_default=bool(raw.get("IsDefault")),
        action_type=actions[-1].get("Type", "") if actions else "",
        redirect_protocol=(actions[-1].get("RedirectConfig") or {}).get("Protocol")
        if actions and actions[-1].get("Type") == "redirect" else None,
        forward_target_groups=tuple(dict.fromkeys(targets)),
        header_conditions=tuple(headers),
        path_patterns=tuple(paths),
        methods=tuple(m.upper() for m in methods),
        other_conditions=tuple(sorted(others)),
        host_headers=tuple(h.lower() for h in hosts),
        host_regexes=tuple(host_regexes),
        source_ips=tuple(sources),
        action_types=tuple(a.get("Type", "") for a in actions),
        unauthenticated_allowed=tuple(_allows_unauthenticated(actions)),
    )


AUTH_CONFIGS = {"authenticate-oidc": "AuthenticateOidcConfig",
                "authenticate-cognito": "AuthenticateCognitoConfig"}


def _allows_unauthenticated(actions: list[dict]) -> list[str]:
    """The authenticate actions that let a request without a session through
    (``OnUnauthenticatedRequest`` ``allow``; AWS's default is ``authenticate``)."""
    return [a["Type"] for a in actions if a.get("Type") in AUTH_CONFIGS
            and (a.get(AUTH_CONFIGS[a["Type"]]) or {}).get("OnUnauthenticatedRequest",
                                                            "authenticate").lower() == "allow"]


def _attributes(calls: Calls, region: str, plan: Plan, facet: str, method: str,
                **params: str) -> dict[str, str] | Unavailable:
    """A resource's attributes as a dict, if the plan needs them."""
    if facet not in plan:
        return skipped(facet)
    response = calls.call("elbv2", region, method, resource=next(iter(params.values())),
                          **params)
    if isinstance(response, Unavailable):
        return response
    return {a["Key"]: a.get("Value", "") for a in response.get("Attributes") or []}


def _health_check(raw: dict) -> HealthCheck:
    return HealthCheck(
        enabled=bool(raw.get("HealthCheckEnabled")),
        interval_seconds=raw.get("HealthCheckIntervalSeconds"),
        timeout_seconds=raw.get("HealthCheckTimeoutSeconds"),
        healthy_threshold=raw.get("HealthyThresholdCount"),
        unhealthy_threshold=raw.get("UnhealthyThresholdCount"),
        path=raw.get("HealthCheckPath"),
    )


def _listeners(calls: Calls, region: str, lb_arn: str) -> tuple[Listener, ...] | Unavailable:
    raw = calls.paginate(
        "elbv2", region, "describe_listeners", "Listeners", resource=lb_arn, LoadBalancerArn=lb_arn
    )
    if isinstance(raw, Unavailable):
        return raw
    listeners = []
    for item in raw:
        rules = calls.paginate(
            "elbv2",
            region,
            "describe_rules",
            "Rules",
            resource=item["ListenerArn"],
            ListenerArn=item["ListenerArn"],
        )
        parsed = rules if isinstance(rules, Unavailable) else tuple(parse_rule(r) for r in rules)
        listeners.append(
            Listener(
                item["ListenerArn"], int(item.get("Port", 0)), item.get("Protocol", ""), parsed,
                ssl_policy=item.get("SslPolicy") or "",
                mutual_auth_mode=(item.get("MutualAuthentication") or {}).get("Mode") or "off",
            )
        )
    return tuple(listeners)


@dataclass(frozen=True)
class Listings:
    """A region's target groups and the ALBs that serve Lambda (raw API shapes)."""

    groups: list[dict]  # every target group of the region
    lambda_groups: list[dict]  # Lambda target groups attached to a kept ALB
    balancers: list[dict]  # application load balancers with a Lambda target group


def listings(calls: Calls, region: str) -> Listings | Unavailable:
    """Starts from the target groups: only an ALB with a Lambda target group attached can
    be a Lambda ALB, so everything else is read for those ALBs alone."""
    groups = calls.paginate("elbv2", region, "describe_target_groups", "TargetGroups")
    if isinstance(groups, Unavailable):
        return groups
    attached = [g for g in groups if g.get("TargetType") == "lambda" and g.get("LoadBalancerArns")]
    candidates = {arn for g in attached for arn in g["LoadBalancerArns"]}
    if not candidates:
        return Listings(groups, [], [])
    lbs = calls.paginate("elbv2", region, "describe_load_balancers", "LoadBalancers")
    if isinstance(lbs, Unavailable):
        return lbs
    wanted = [raw for raw in lbs if raw["LoadBalancerArn"] in candidates
              and raw.get("Type", "application") == "application"]
    kept = {raw["LoadBalancerArn"] for raw in wanted}
    return Listings(groups, [g for g in attached if kept & set(g["LoadBalancerArns"])], wanted)


def target_health(calls: Calls, region: str, raw: dict) -> tuple[str, ...] | Unavailable:
    arn = raw["TargetGroupArn"]
    health = calls.call("elbv2", region, "describe_target_health", resource=arn,
                        TargetGroupArn=arn)
    if isinstance(health, Unavailable):
        return health
    return tuple(d["Target"]["Id"] for d in health.get("TargetHealthDescriptions") or [])


def target_group(calls: Calls, region: str, account: str, plan: Plan, raw: dict,
                 targets: tuple[str, ...] | Unavailable) -> TargetGroup:
    arn = raw["TargetGroupArn"]
    attributes = _attributes(calls, region, plan, "tg_attributes",
                             "describe_target_group_attributes", TargetGroupArn=arn)
    return TargetGroup(
        arn=arn, name=raw.get("TargetGroupName", ""), target_type="lambda", account=account,
        region=region, load_balancer_arns=tuple(raw.get("LoadBalancerArns") or ()),
        health_check=_health_check(raw), attributes=attributes, targets=targets)


def balancer(calls: Calls, region: str, account: str, plan: Plan, groups: list,
             raw: dict) -> LoadBalancer:
    arn = raw["LoadBalancerArn"]
    attributes = _attributes(calls, region, plan, "lb_attributes",
                             "describe_load_balancer_attributes", LoadBalancerArn=arn)
    return LoadBalancer(
        arn=arn, name=raw.get("LoadBalancerName", ""), dns_name=raw.get("DNSName", ""),
        scheme=raw.get("Scheme", ""), account=account, region=region,
        security_group_ids=tuple(raw.get("SecurityGroups") or ()),
        listeners=_listeners(calls, region, arn), attributes=attributes,
        target_group_count=sum(arn in (g.get("LoadBalancerArns") or []) for g in groups),
        vpc_id=raw.get("VpcId", ""))


def rules_quota(calls: Calls, region: str) -> int | Unavailable | None:
    """The applied rules-per-ALB quota of the region (raised quotas included)."""
    limits = calls.paginate("elbv2", region, "describe_account_limits", "Limits")
    if isinstance(limits, Unavailable):
        return limits
    found = [int(float(li["Max"])) for li in limits if li.get("Name") == RULES_QUOTA
             and li.get("Max")]
    return found[0] if found else None


def ssl_policies(calls: Calls, region: str, balancers) -> dict[str, tuple[str, ...]] | Unavailable:
    """The TLS protocols of every predefined policy an HTTPS listener uses."""
    names = sorted({li.ssl_policy for lb in balancers if isinstance(lb.listeners, tuple)
                    for li in lb.listeners if li.ssl_policy})
    if not names:
        return {}
    raw = calls.paginate("elbv2", region, "describe_ssl_policies", "SslPolicies", Names=names)
    if isinstance(raw, Unavailable):
        return raw
    return {p["Name"]: tuple(p.get("SslProtocols") or []) for p in raw}

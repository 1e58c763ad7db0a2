"""BYP: can a request reach the Lambda functions without passing through CloudFront?

The deep-dive's rec. 3 asks for two locks on every fronted ALB: a security group that only
admits CloudFront's origin-facing prefix list, and a secret header that CloudFront adds and
a listener rule checks. These rules check both locks, the ways around them (function URLs,
loose invoke permissions) and whether the secret travels in clear text.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from auditor.findings import Severity, Verdict
from auditor.gaps import need
from auditor.headers import condition_checks
from auditor.inventory import Distribution, LambdaFunction, LoadBalancer
from auditor.rule import Params, Rule, SubjectKind
from auditor.topology import Topology
from rules._common import (
    fronted_internet_paths,
    is_world,
    path_evidence,
    path_related,
    rule_evidence,
    sg_arn,
)

ELB_SERVICE = "elasticloadbalancing.amazonaws.com"
SCOPING_KEYS = {"aws:sourcearn", "aws:sourceaccount"}


def check_alb_open_to_internet(topo: Topology, alb: LoadBalancer, params: Params) -> Verdict | None:
    paths = fronted_internet_paths(topo, alb)
    if paths is None:
        return None
    ports = topo.listener_ports(alb)
    openings = []
    for group in topo.security_groups_of(alb):
        for perm in group.ingress:
            world = [c for c in (*perm.ipv4_cidrs, *perm.ipv6_cidrs) if is_world(c)]
            admitted = [p for p in ports if perm.admits_port(p)]
            if world and admitted:
                openings.append(
                    {"security_group": group.group_id, "ports": admitted, "sources": world}
                )
    related = path_related(paths, albs=False)
    related += [sg_arn(topo, alb, g) for g in alb.security_group_ids]
    if openings:
        return Verdict.fail(
            f"Security group admits listener port(s) {_ports(openings)} from the whole internet, "
            "so CloudFront, WAF and Shield can be skipped",
            related,
            open_permissions=openings,
            listener_ports=ports,
        )
    return Verdict.ok(
        "No security group admits a listener port from 0.0.0.0/0 or ::/0",
        related,
        listener_ports=ports,
    )


def _ports(openings: list[dict]) -> str:
    return ", ".join(str(p) for p in sorted({p for o in openings for p in o["ports"]}))


def check_origin_header_missing(
    topo: Topology, dist: Distribution, params: Params
) -> Verdict | None:
    paths = topo.edge_paths_of_distribution(dist)
    if not paths:
        return None
    origins = [
        dict(
            path_evidence(p),
            custom_headers=[h.name for h in p.origin.custom_headers],
            vpc_origin=p.via_vpc_origin,
        )
        for p in paths
    ]
    # A VPC origin cannot be reached from the internet: it needs no secret to prove itself.
    bare = [o for o in origins if not o["custom_headers"] and not o["vpc_origin"]]
    related = path_related(paths, dists=False)
    if bare:
        names = ", ".join(o["origin_id"] for o in bare)
        return Verdict.fail(
            f"Origin(s) {names} send no custom header the ALB could verify",
            related,
            origins=origins,
        )
    return Verdict.ok("Every ALB origin sends a custom header", related, origins=origins)


def check_origin_header_not_enforced(
    topo: Topology, alb: LoadBalancer, params: Params
) -> Verdict | None:
    paths = fronted_internet_paths(topo, alb)
    if paths is None:
        return None
    unguarded: dict[str, dict] = {}
    for path in paths:
        sent = path.origin.custom_headers
        for listener, rule in topo.forwarding_rules(alb):
            if not any(condition_checks(c, sent) for c in rule.header_conditions):
                unguarded.setdefault(
                    rule.arn,
                    dict(rule_evidence(listener.port, rule), default_action=rule.is_default),
                )
    headers_sent = sorted({h.name for p in paths for h in p.origin.custom_headers})
    related = path_related(paths, albs=False)
    if unguarded:
        return Verdict.fail(
            f"{len(unguarded)} rule(s) forward to Lambda without checking a header CloudFront "
            "sends: a direct request reaches the function",
            related,
            unguarded_rules=list(unguarded.values()),
            headers_sent=headers_sent,
        )
    return Verdict.ok(
        "Every rule that forwards to Lambda checks a header CloudFront sends",
        related,
        headers_sent=headers_sent,
    )


def check_origin_header_mismatch(
    topo: Topology, alb: LoadBalancer, params: Params
) -> Verdict | None:
    paths = topo.edge_paths_of_alb(alb)
    if not paths:
        return None
    broken = []
    checked = 0
    for path in paths:
        sent = path.origin.custom_headers
        routes: dict[tuple, list] = {}
        for listener, rule in topo.forwarding_rules(alb):
            checks = [i for i, c in enumerate(rule.header_conditions) if condition_checks(c, sent)]
            if checks:
                routes.setdefault((listener.arn, rule.route_key), []).append(
                    (listener, rule, checks)
                )
        for members in routes.values():
            checked += 1
            if any(
                all(topo.header_accepted(path, rule, i) for i in checks)
                for _, rule, checks in members
            ):
                continue
            conditions = [r.header_conditions[i] for _, r, checks in members for i in checks]
            broken.append(
                dict(
                    path_evidence(path),
                    rules=[rule_evidence(li.port, r) for li, r, _ in members],
                    headers=sorted({c.name for c in conditions}),
                    value_sent="present",
                    values_accepted=sum(c.accepted_count for c in conditions),
                    match=False,
                )
            )
    related = path_related(paths, albs=False)
    if broken:
        return Verdict.fail(
            "The header value CloudFront sends matches no value the ALB accepts: requests "
            "through CloudFront fall to the default action",
            related,
            mismatched_routes=broken,
        )
    return Verdict.ok(
        f"Header values match on all {checked} header-checked route(s)",
        related,
        routes_checked=checked,
    )


def check_alb_not_behind_cloudfront(
    topo: Topology, alb: LoadBalancer, params: Params
) -> Verdict | None:
    if not alb.internet_facing:
        return None
    paths = topo.edge_paths_of_alb(alb)
    if not paths:
        return Verdict.fail(
            "Internet-facing Lambda ALB is the origin of no CloudFront distribution",
            dns_name=alb.dns_name,
        )
    return Verdict.ok(
        f"Fronted by {len(paths)} CloudFront origin(s)",
        path_related(paths, albs=False),
        distributions=sorted({p.distribution.id for p in paths}),
        links=[path_evidence(p) for p in paths],
    )


def check_function_url_public(topo: Topology, fn: LambdaFunction, params: Params) -> Verdict | None:
    urls = need(fn.urls)
    public = [u for u in urls if u.auth_type == "NONE"]
    evidence = {
        "function_urls": [
            {"qualifier": u.qualifier or "(unqualified)", "auth_type": u.auth_type} for u in urls
        ]
    }
    albs = [a.arn for a in topo.albs_of_function(fn)]
    if public:
        return Verdict.fail(
            "Function URL with AuthType NONE: anyone can call the function "
            "around CloudFront, WAF and the ALB",
            albs,
            **evidence,
        )
    if urls:
        return Verdict.ok("Function URL requires IAM auth", albs, **evidence)
    return Verdict.ok("No function URL", albs, **evidence)


def _invokes(actions) -> bool:
    return any(fnmatchcase("lambda:invokefunction", a.lower()) for a in actions)


def check_invoke_permission_unscoped(
    topo: Topology, fn: LambdaFunction, params: Params
) -> Verdict | None:
    statements = need(fn.policy)
    loose = [
        s.sid or "(no sid)"
        for s in statements
        if s.effect == "Allow"
        and _invokes(s.actions)
        and any(p in (ELB_SERVICE, "*") for p in s.principals)
        and not SCOPING_KEYS & set(s.condition_keys)
    ]
    albs = [a.arn for a in topo.albs_of_function(fn)]
    if loose:
        return Verdict.fail(
            "Resource policy lets any load balancer (or anyone) invoke the "
            "function: no AWS:SourceArn or AWS:SourceAccount condition",
            albs,
            statements=loose,
        )
    return Verdict.ok(
        "Invoke permissions for Elastic Load Balancing are scoped",
        albs,
        statements_checked=len(statements),
    )


def check_origin_not_https(topo: Topology, dist: Distribution, params: Params) -> Verdict | None:
    paths = topo.edge_paths_of_distribution(dist)
    if not paths:
        return None
    origins = [
        dict(path_evidence(p), origin_protocol_policy=p.origin.protocol_policy,
             effective_protocol=topo.effective_protocol(p)) for p in paths
    ]
    clear = [o for o in origins if o["effective_protocol"] == "HTTP"]
    related = path_related(paths, dists=False)
    if clear:
        return Verdict.fail(
            "Origin(s) reach the ALB over plain HTTP: the secret header and "
            "the data cross the internet unencrypted",
            related,
            origins=origins,
        )
    return Verdict.ok("CloudFront reaches every ALB origin over HTTPS", related,
                      origins=origins)


REC3 = "rec. 3: lock down the ALB with the CloudFront prefix list and a secret origin header"

RULES = (
    Rule(
        "BYP-001",
        "alb-open-to-internet",
        Severity.CRITICAL,
        "Fronted ALB reachable from the whole internet",
        "rec. 3",
        REC3,
        "Anyone who finds the ALB's DNS name can skip CloudFront, WAF, Shield and geo rules.",
        "Replace 0.0.0.0/0 and ::/0 ingress on the listener ports with the "
        "com.amazonaws.global.cloudfront.origin-facing managed prefix list.",
        SubjectKind.LAMBDA_ALB,
        check_alb_open_to_internet,
        needs=("security_groups",),
    ),
    Rule(
        "BYP-002",
        "origin-header-missing",
        Severity.HIGH,
        "CloudFront sends no secret header to the ALB",
        "rec. 3",
        REC3,
        "Without a header only CloudFront knows, the ALB cannot tell CloudFront's requests from "
        "anyone else's coming from CloudFront's address ranges.",
        "Add a custom origin header (for example X-Origin-Verify) with a random value kept in "
        "Secrets Manager, and require it in the ALB's listener rules.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_origin_header_missing,
    ),
    Rule(
        "BYP-003",
        "origin-header-not-enforced",
        Severity.HIGH,
        "ALB forwards to Lambda without checking CloudFront's header",
        "rec. 3",
        REC3,
        "A header that no listener rule checks stops nothing: direct requests still reach "
        "the functions.",
        "Add an http-header condition on the origin header to every rule that forwards to "
        "Lambda, and make the default action a fixed 403 response.",
        SubjectKind.LAMBDA_ALB,
        check_origin_header_not_enforced,
    ),
    Rule(
        "BYP-004",
        "origin-header-mismatch",
        Severity.HIGH,
        "ALB rejects the header value CloudFront sends",
        "FM",
        "FM: intermittent 403s after a header rotation; coordinate the rotation",
        "CloudFront's requests match no header-checking rule and fall to the default action: "
        "the outage a half-finished secret rotation causes.",
        "Make the rule accept both the old and the new value during a rotation, update "
        "CloudFront, then remove the old value.",
        SubjectKind.LAMBDA_ALB,
        check_origin_header_mismatch,
    ),
    Rule(
        "BYP-005",
        "alb-not-behind-cloudfront",
        Severity.MEDIUM,
        "Internet-facing Lambda ALB has no CloudFront in front",
        "rec. 2",
        "rec. 2: always put CloudFront in front of the ALB",
        "Without CloudFront there is no edge cache, no edge WAF, no Shield at the edge and no "
        "edge TLS; the ALB only routes.",
        "Create a CloudFront distribution with the ALB as an https-only origin, then lock the "
        "ALB down to it (BYP-001, BYP-003).",
        SubjectKind.LAMBDA_ALB,
        check_alb_not_behind_cloudfront,
    ),
    Rule(
        "BYP-006",
        "function-url-public",
        Severity.HIGH,
        "Target function has a public function URL",
        "rec. 3",
        REC3,
        "A function URL with AuthType NONE is a second, unguarded front door to the same code.",
        "Delete the function URL, or set its AuthType to AWS_IAM (with CloudFront origin "
        "access control if CloudFront must call it).",
        SubjectKind.TARGET_FUNCTION,
        check_function_url_public,
        needs=("targets", "function_urls"),
    ),
    Rule(
        "BYP-007",
        "alb-invoke-permission-unscoped",
        Severity.MEDIUM,
        "Any load balancer may invoke the target function",
        "rec. 3",
        REC3,
        "Without a source condition, a load balancer in any account can be pointed at the "
        "function and invoke it.",
        "Add an AWS:SourceArn condition naming the target group (lambda add-permission "
        "--source-arn) to the elasticloadbalancing.amazonaws.com statement.",
        SubjectKind.TARGET_FUNCTION,
        check_invoke_permission_unscoped,
        needs=("targets", "function_policy"),
    ),
    Rule(
        "BYP-008",
        "origin-not-https",
        Severity.HIGH,
        "CloudFront reaches the ALB over plain HTTP",
        "rec. 3",
        REC3,
        "An http-only origin, or a match-viewer origin that some behaviour lets viewers reach "
        "over HTTP, sends the secret header and the payload in clear text across the "
        "internet, where anyone on the path can copy the header. (1.1: match-viewer behind "
        "behaviours that all redirect to HTTPS always connects over HTTPS, and passes.)",
        "Set the origin protocol policy to https-only and give the ALB an HTTPS listener with "
        "an ACM certificate.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_origin_not_https,
    ),
)

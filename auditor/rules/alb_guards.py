"""ALB: the guards in front of the functions that can be configured to let requests by.

An ``authenticate-oidc`` or ``authenticate-cognito`` action with ``OnUnauthenticatedRequest``
``allow`` passes a request without a session on to the target (AWS, "Authenticate users
using an Application Load Balancer"); a web ACL with ``waf.fail_open.enabled`` lets
requests through unchecked when the ALB cannot reach WAF (AWS, "Application Load Balancer
attributes": WAF fail open). Either is fine by design in some places, and a bypass when
the guard is the only one.
"""

from __future__ import annotations

from auditor.findings import Severity, Verdict
from auditor.inventory import LoadBalancer
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import alb_attribute, path_evidence, rule_evidence, sent_header_names
from auditor.topology import Topology

FAIL_OPEN = "waf.fail_open.enabled"


def check_auth_allows_unauthenticated(topo: Topology, alb: LoadBalancer, params: Params):
    open_rules, authenticating = [], 0
    for listener, rule in topo.forwarding_rules(alb):
        if any(t.startswith("authenticate-") for t in rule.action_types):
            authenticating += 1
        if rule.unauthenticated_allowed:
            open_rules.append(dict(rule_evidence(listener.port, rule),
                                   actions=list(rule.unauthenticated_allowed)))
    related = [tg.arn for tg in topo.target_groups_of(alb)]
    if open_rules:
        return Verdict.fail(
            f"{len(open_rules)} rule(s) authenticate with OnUnauthenticatedRequest allow: a "
            "request without a login is forwarded to the function all the same", related,
            rules=open_rules)
    return Verdict.ok("No authenticating rule lets unauthenticated requests through",
                      related, authenticating_rules=authenticating)


def check_waf_fail_open(topo: Topology, alb: LoadBalancer, params: Params):
    paths = topo.edge_paths_of_alb(alb)
    if not paths:
        return None
    acl = topo.alb_web_acl(alb)
    if acl is None:
        return None  # no web ACL on the ALB: nothing to fail open
    value, default = alb_attribute(alb, FAIL_OPEN, "false")
    names = sent_header_names(paths)
    header_check = sorted({c.name for c in acl.header_checks if c.name.lower() in names})
    unguarded = [path_evidence(p) for p in paths
                 if any(layer is None for _, layer in topo.edge_web_acls(p.distribution))]
    evidence = {"attribute": FAIL_OPEN, "value": value, "aws_default": default,
                "web_acl": acl.name, "web_acl_header_checks": header_check,
                "edge_paths_without_edge_web_acl": unguarded}
    related = sorted({p.distribution.arn for p in paths})
    if value.lower() != "true":
        return Verdict.ok("WAF fails closed on this ALB", related, **evidence)
    if header_check or unguarded:
        why = ("it is the header check that keeps direct requests out" if header_check
               else "it is the only web ACL on an edge path")
        return Verdict.fail(
            f"WAF fails open on this ALB, and its web ACL {acl.name} matters: {why}. When "
            "the ALB cannot reach WAF, requests pass unchecked", related, **evidence)
    return Verdict.ok("WAF fails open, but the ALB's web ACL is neither the header check "
                      "nor the only web ACL of an edge path", related, **evidence)


RULES = (
    Rule(
        "ALB-012",
        "auth-allows-unauthenticated",
        Severity.MEDIUM,
        "ALB authentication lets unauthenticated requests through",
        "AWS",
        "AWS: an authenticate action protects the route only when it denies or "
        "authenticates requests without a session",
        "With OnUnauthenticatedRequest allow, the ALB forwards a request that has no valid "
        "session cookie to the function without the user claims headers (AWS, "
        "\"Authenticate users using an Application Load Balancer\"). Anything the function "
        "does not check itself is served to anyone.",
        "Set OnUnauthenticatedRequest to authenticate (browsers) or deny (APIs) on the "
        "rule's authenticate action. If anonymous access is intended (a page that works for "
        "both), make sure the function checks the x-amzn-oidc-* headers, and suppress this "
        "result with that reason.",
        SubjectKind.LAMBDA_ALB,
        check_auth_allows_unauthenticated,
    ),
    Rule(
        "ALB-013",
        "waf-fail-open",
        Severity.MEDIUM,
        "ALB's web ACL fails open where it is a guard that matters",
        "AWS",
        "AWS: WAF fail open trades protection for availability",
        "With waf.fail_open.enabled the ALB forwards requests it could not get a WAF "
        "verdict for (AWS, \"Application Load Balancer attributes\"). Where the ALB's web "
        "ACL holds the secret-header check, or is the only web ACL a request meets, a WAF "
        "outage or throttle opens the origin to everyone.",
        "Set waf.fail_open.enabled to false (aws elbv2 modify-load-balancer-attributes), "
        "accepting 500s from the ALB while WAF cannot answer; or move the header check into "
        "a listener rule condition and put a web ACL on the distribution, so this one is "
        "defence in depth.",
        SubjectKind.LAMBDA_ALB,
        check_waf_fail_open,
        needs=("lb_attributes", "alb_waf", "edge_waf"),
    ),
)

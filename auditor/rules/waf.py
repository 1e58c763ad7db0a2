"""WAF: is there a web ACL on every edge path, and is it at the right layer?

rec. 2 and the deep-dive's WAF placement advice: rate limits, geo rules and bot control
belong on the distribution, at the edge; a regional ACL on the ALB is only for rules that
need what CloudFront does not forward, and an ACL on both layers pays for WAF twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.findings import Severity, Verdict
from auditor.gaps import DataUnavailable, Unavailable, need
from auditor.inventory import ClassicWebAcl, Distribution, LoadBalancer, WebAcl
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import path_related
from auditor.topology import EdgePath, Topology


def _acl_name(acl) -> str | None:
    if acl is None:
        return None
    return acl.name if isinstance(acl, WebAcl) else acl.acl_id


@dataclass(frozen=True)
class Layers:
    """The web ACLs along a distribution's edge paths: at the edge (the distribution's,
    or each tenant's for a multi-tenant distribution, 1.1), and one per ALB."""

    edges: list[tuple[str, WebAcl | ClassicWebAcl | None]]
    albs: list[tuple[EdgePath, WebAcl | None]]

    @property
    def related(self) -> list[str]:
        return path_related([p for p, _ in self.albs], dists=False)

    @property
    def bare_edges(self) -> list[str]:
        return [label for label, acl in self.edges if acl is None]

    @property
    def evidence(self) -> dict:
        if [label for label, _ in self.edges] == ["distribution"]:
            edge: object = _acl_name(self.edges[0][1])
        else:
            edge = {label: _acl_name(acl) for label, acl in self.edges}
        return {
            "distribution_web_acl": edge,
            "load_balancer_web_acls": {p.alb.name: _acl_name(a) for p, a in self.albs},
        }

    def verdict(self, failed: bool, fail_message: str, ok_message: str) -> Verdict:
        make = Verdict.fail if failed else Verdict.ok
        return make(fail_message if failed else ok_message, self.related, **self.evidence)


def _where(labels: list[str]) -> str:
    return "the distribution" if labels == ["distribution"] else "tenant(s) " + ", ".join(labels)


def _layers(topo: Topology, dist: Distribution) -> Layers | None:
    paths = topo.edge_paths_of_distribution(dist)
    if not paths:
        return None
    edges = topo.edge_web_acls(dist)
    if not edges:
        return None  # a multi-tenant distribution with no enabled tenant serves no one
    return Layers(edges, [(p, topo.alb_web_acl(p.alb)) for p in paths])


def check_edge_path_without_waf(
    topo: Topology, dist: Distribution, params: Params
) -> Verdict | None:
    layers = _layers(topo, dist)
    if layers is None:
        return None
    bare_albs = [p.alb.name for p, acl in layers.albs if acl is None]
    failed = bool(layers.bare_edges and bare_albs)
    return layers.verdict(
        failed,
        f"No web ACL on {_where(layers.bare_edges)} nor on ALB(s) {', '.join(bare_albs)}",
        "Every edge path has a web ACL",
    )


def check_waf_only_at_alb(topo: Topology, dist: Distribution, params: Params) -> Verdict | None:
    layers = _layers(topo, dist)
    if layers is None:
        return None
    alb_only = bool(layers.bare_edges) and any(acl is not None for _, acl in layers.albs)
    return layers.verdict(
        alb_only,
        f"WAF sits only on the ALB for {_where(layers.bare_edges)}: rate limits and geo and "
        "bot rules act after the traffic has crossed to the region",
        "WAF is not only at the ALB",
    )


def check_waf_at_both_layers(topo: Topology, dist: Distribution, params: Params) -> Verdict | None:
    layers = _layers(topo, dist)
    if layers is None:
        return None
    doubled = [p.alb.name for p, acl in layers.albs if acl is not None]
    edged = [label for label, acl in layers.edges if acl is not None]
    return layers.verdict(
        bool(edged) and bool(doubled),
        f"Web ACLs on {_where(edged)} and on ALB(s) {', '.join(doubled)}: WAF is paid twice",
        "WAF is evaluated at one layer",
    )


def _edge_acls(topo: Topology, dist: Distribution) -> list[tuple[str, WebAcl]] | None:
    """The edge web ACLs of a distribution with edge paths (WAF Classic: error)."""
    if not topo.edge_paths_of_distribution(dist):
        return None
    found = []
    for label, acl in topo.edge_web_acls(dist):
        if isinstance(acl, ClassicWebAcl):
            raise DataUnavailable(
                Unavailable(
                    "waf:GetWebACL",
                    "NotSupported",
                    "the distribution uses a WAF Classic web ACL, whose rules are not read",
                )
            )
        if acl is not None:
            found.append((label, acl))
    return found or None


def _acl_evidence(acls: list[tuple[str, WebAcl]]) -> dict:
    acl = acls[0][1]
    evidence = {"web_acl": acl.name, "rules": list(acl.rule_names),
                "counting_rules": list(acl.counting_rules), "rule_groups": list(acl.rule_groups)}
    if [label for label, _ in acls] != ["distribution"]:
        evidence["tenant_web_acls"] = {label: a.name for label, a in acls}
    return evidence


def _rate_limited(topo: Topology, dist: Distribution, acl: WebAcl) -> bool:
    if acl.has_rate_based_rule:
        return True
    groups = topo.edge_rule_groups(dist)
    for arn in acl.rule_groups:  # Firewall Manager's groups and customer groups alike
        if arn not in groups:
            raise DataUnavailable(Unavailable("wafv2:GetRuleGroup", "NotCollected",
                                              f"rule group {arn} was not read"))
        if need(groups[arn]):
            return True
    return False


def check_edge_waf_without_rate_limit(topo: Topology, dist: Distribution, params: Params):
    acls = _edge_acls(topo, dist)
    if acls is None:
        return None
    evidence = _acl_evidence(acls)
    missing = [label for label, acl in acls if not _rate_limited(topo, dist, acl)]
    related = sorted({acl.arn for _, acl in acls})
    if missing:
        return Verdict.fail(f"The web ACL of {_where(missing)} has no acting rate-based rule "
                            "(rules in Count mode protect nothing)", related, **evidence)
    return Verdict.ok("The edge web ACL has an acting rate-based rule (at the top level or "
                      "in a rule group)", related, **evidence)


def check_edge_waf_without_managed_rules(topo: Topology, dist: Distribution, params: Params):
    acls = _edge_acls(topo, dist)
    if acls is None:
        return None
    evidence = _acl_evidence(acls)
    missing = [label for label, acl in acls if not acl.has_managed_rule_group]
    related = sorted({acl.arn for _, acl in acls})
    if missing:
        return Verdict.fail(f"The web ACL of {_where(missing)} uses no acting managed rule "
                            "group (a group overridden to Count protects nothing)", related,
                            **evidence)
    return Verdict.ok("The edge web ACL uses acting managed rule groups", related, **evidence)


def check_public_alb_without_waf(
    topo: Topology, alb: LoadBalancer, params: Params
) -> Verdict | None:
    if not alb.internet_facing or topo.edge_paths_of_alb(alb):
        return None
    acl = topo.alb_web_acl(alb)
    if acl is None:
        return Verdict.fail(
            "Internet-facing Lambda ALB with no CloudFront and no web ACL: "
            "nothing filters requests before the functions",
            web_acl=None,
        )
    return Verdict.ok(f"Regional web ACL {acl.name} is attached", [acl.arn], web_acl=acl.name)


PLACEMENT = "WAF placement: rate, geo and bot rules at CloudFront; ALB only for what CF hides"
REC2 = "rec. 2: always put CloudFront (and its WAF) in front of the ALB"

RULES = (
    Rule(
        "WAF-001",
        "edge-path-without-waf",
        Severity.HIGH,
        "Edge path with no web ACL at any layer",
        "rec. 2",
        REC2,
        "No layer of the path filters requests: injection, scanners and floods reach the "
        "functions.",
        "Associate a WAFv2 web ACL (scope CLOUDFRONT, in us-east-1) with the distribution.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_edge_path_without_waf,
        needs=("edge_waf", "alb_waf"),
    ),
    Rule(
        "WAF-002",
        "waf-only-at-alb",
        Severity.MEDIUM,
        "WAF only on the ALB, not at the edge",
        "WAF placement",
        PLACEMENT,
        "Requests are filtered only after crossing to the region; rate limits and geo rules "
        "at the ALB cost more and protect less.",
        "Move rate-based, geo and bot rules to a CLOUDFRONT-scope web ACL on the "
        "distribution; keep on the ALB only rules that need what CloudFront does not forward.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_waf_only_at_alb,
        needs=("edge_waf", "alb_waf"),
    ),
    Rule(
        "WAF-003",
        "waf-at-both-layers",
        Severity.INFO,
        "WAF at both CloudFront and the ALB",
        "WAF placement",
        PLACEMENT,
        "Each request is inspected, and paid for, twice.",
        "Keep the edge ACL; keep a regional ACL only for rules that need headers or body "
        "content CloudFront does not forward.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_waf_at_both_layers,
        needs=("edge_waf", "alb_waf"),
    ),
    Rule(
        "WAF-004",
        "edge-waf-without-rate-limit",
        Severity.MEDIUM,
        "Edge web ACL has no rate-based rule",
        "WAF placement",
        PLACEMENT,
        "ALB does not throttle per route; without a rate-based rule a flood reaches Lambda "
        "and its concurrency limit. Only acting rules count (1.1): a rule in Count mode, or "
        "a rule group overridden to Count, protects nothing; rate rules inside referenced "
        "rule groups (Firewall Manager's included) count.",
        "Add a rate-based rule (per IP, optionally scoped to expensive paths) to the "
        "distribution's web ACL.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_edge_waf_without_rate_limit,
        needs=("edge_waf",),
    ),
    Rule(
        "WAF-005",
        "edge-waf-without-managed-rules",
        Severity.LOW,
        "Edge web ACL uses no managed rule group",
        "WAF placement",
        PLACEMENT,
        "AWS managed rule groups (common rule set, known bad inputs, IP reputation) cover "
        "the usual attacks at low effort.",
        "Add AWSManagedRulesCommonRuleSet and AWSManagedRulesKnownBadInputsRuleSet to the "
        "distribution's web ACL.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_edge_waf_without_managed_rules,
        needs=("edge_waf",),
    ),
    Rule(
        "WAF-006",
        "public-alb-without-waf",
        Severity.HIGH,
        "Public Lambda ALB with no CloudFront and no WAF",
        "rec. 2",
        REC2,
        "Nothing filters requests on their way to the functions.",
        "Put CloudFront with a web ACL in front (rec. 2), or at least attach a regional "
        "web ACL to the ALB.",
        SubjectKind.LAMBDA_ALB,
        check_public_alb_without_waf,
        needs=("alb_waf",),
    ),
)

"""SG: do the ALB's security groups admit CloudFront, and only CloudFront?

rec. 3's network lock is the CloudFront origin-facing managed prefix list. SG-001 finds the
other sources a fronted ALB still admits; SG-002 finds the opposite mistake, a lock so tight
that CloudFront itself cannot connect on the port its origin settings use.
"""

from __future__ import annotations

from auditor.findings import Severity, Verdict
from auditor.inventory import IngressPermission, LoadBalancer
from auditor.rule import Params, Rule, SubjectKind
from auditor.topology import Topology
from rules._common import (
    fronted_internet_paths,
    is_world,
    path_evidence,
    path_related,
)


def _other_sources(perm: IngressPermission, cloudfront: set[str]) -> list[str]:
    """Sources other than CloudFront's prefix lists; world-open ones are BYP-001's."""
    sources = [c for c in (*perm.ipv4_cidrs, *perm.ipv6_cidrs) if not is_world(c)]
    sources += [p for p in perm.prefix_list_ids if p not in cloudfront]
    sources += list(perm.group_ids)
    return sources


def check_sg_not_prefix_list(topo: Topology, alb: LoadBalancer, params: Params) -> Verdict | None:
    paths = fronted_internet_paths(topo, alb)
    if paths is None:
        return None
    lists = topo.cloudfront_sources(alb)
    ports = topo.listener_ports(alb)
    extra = []
    for group in topo.security_groups_of(alb):
        for perm in group.ingress:
            admitted = [p for p in ports if perm.admits_port(p)]
            others = _other_sources(perm, {v for v in lists.values() if v})
            if admitted and others:
                extra.append(
                    {"security_group": group.group_id, "ports": admitted, "sources": others}
                )
    evidence = {
        "cloudfront_prefix_list": lists["ipv4"] or "not found in region",
        "listener_ports": ports,
    }
    if lists["ipv6"]:
        evidence["cloudfront_ipv6_prefix_list"] = lists["ipv6"]
    related = path_related(paths, albs=False)
    if extra:
        return Verdict.fail(
            "Listener ports admit sources other than the CloudFront origin-facing prefix list",
            related,
            other_sources=extra,
            **evidence,
        )
    return Verdict.ok(
        "Listener ports admit only the CloudFront prefix list (or nothing wider)",
        related,
        **evidence,
    )


FAMILIES = {"ipv4": ("ipv4",), "ipv6": ("ipv6",), "dualstack": ("ipv4", "ipv6")}


def _admits_cloudfront(perm: IngressPermission, family: str, prefix_list: str | None) -> bool:
    """Whether the permission's sources cover every CloudFront address of the family: its
    managed list, or a CIDR of length 0 (1.1: an office range or a private CIDR, which
    is "public" or not, never covers CloudFront)."""
    if prefix_list and prefix_list in perm.prefix_list_ids:
        return True
    cidrs = perm.ipv4_cidrs if family == "ipv4" else perm.ipv6_cidrs
    return any(is_world(c) for c in cidrs)


def check_origin_port_blocked(topo: Topology, alb: LoadBalancer, params: Params) -> Verdict | None:
    paths = fronted_internet_paths(topo, alb)
    if paths is None:
        return None
    lists = topo.cloudfront_sources(alb)
    listener_ports = set(topo.listener_ports(alb))
    groups = topo.security_groups_of(alb)
    blocked = []
    for path in paths:
        port = topo.origin_port(path)
        if port is None:
            continue
        where = dict(path_evidence(path), port=port,
                     effective_protocol=topo.effective_protocol(path),
                     ip_address_type=path.origin.ip_address_type)
        if port not in listener_ports:
            blocked.append(dict(where, problem="no listener"))
            continue
        for family in FAMILIES.get(path.origin.ip_address_type, ("ipv4",)):
            if not any(perm.admits_port(port) and _admits_cloudfront(perm, family, lists[family])
                       for g in groups for perm in g.ingress):
                blocked.append(dict(where, family=family,
                                    problem="no security-group rule admits CloudFront"))
    related = path_related(paths, albs=False)
    if blocked:
        return Verdict.fail(
            "CloudFront cannot connect on the port its origin uses: every cache miss fails",
            related,
            blocked=blocked,
            listener_ports=sorted(listener_ports),
        )
    return Verdict.ok(
        "The origin port has a listener and admits CloudFront",
        related,
        listener_ports=sorted(listener_ports),
    )


RULES = (
    Rule(
        "SG-001",
        "alb-sg-not-prefix-list",
        Severity.MEDIUM,
        "Fronted ALB admits sources besides CloudFront",
        "rec. 3",
        "rec. 3: admit only the CloudFront managed prefix list at the network layer",
        "Every extra CIDR, prefix list or security group on the listener ports is a way to "
        "the functions that skips the edge.",
        "Remove the other ingress sources on the listener ports; keep the "
        "com.amazonaws.global.cloudfront.origin-facing prefix list.",
        SubjectKind.LAMBDA_ALB,
        check_sg_not_prefix_list,
        needs=("security_groups", "prefix_list"),
    ),
    Rule(
        "SG-002",
        "origin-port-blocked",
        Severity.MEDIUM,
        "CloudFront cannot reach the ALB on its origin port",
        "FM",
        "FM: CloudFront 502/504 when the origin port is closed to CloudFront",
        "If the port CloudFront connects to has no listener, or no ingress rule that admits "
        "CloudFront's addresses, every request that misses the cache fails.",
        "Add a listener on the origin's port (HTTPSPort when CloudFront connects over HTTPS) "
        "and admit the CloudFront origin-facing prefix list of the origin's address family "
        "on it (com.amazonaws.global.ipv6.cloudfront.origin-facing for IPv6).",
        SubjectKind.LAMBDA_ALB,
        check_origin_port_blocked,
        needs=("security_groups", "prefix_list"),
    ),
)

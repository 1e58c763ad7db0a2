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
    is_public,
    is_world,
    path_evidence,
    path_related,
)


def _other_sources(perm: IngressPermission, prefix_list_id: str | None) -> list[str]:
    """Sources other than the CloudFront prefix list; world-open ones are BYP-001's."""
    sources = [c for c in (*perm.ipv4_cidrs, *perm.ipv6_cidrs) if not is_world(c)]
    sources += [p for p in perm.prefix_list_ids if p != prefix_list_id]
    sources += list(perm.group_ids)
    return sources


def check_sg_not_prefix_list(topo: Topology, alb: LoadBalancer, params: Params) -> Verdict | None:
    paths = fronted_internet_paths(topo, alb)
    if paths is None:
        return None
    prefix_list = topo.prefix_list_id(alb.region)
    ports = topo.listener_ports(alb)
    extra = []
    for group in topo.security_groups_of(alb):
        for perm in group.ingress:
            admitted = [p for p in ports if perm.admits_port(p)]
            others = _other_sources(perm, prefix_list)
            if admitted and others:
                extra.append(
                    {"security_group": group.group_id, "ports": admitted, "sources": others}
                )
    evidence = {
        "cloudfront_prefix_list": prefix_list or "not found in region",
        "listener_ports": ports,
    }
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


def _origin_ports(policy: str | None, http_port: int, https_port: int) -> list[int]:
    if policy == "https-only":
        return [https_port]
    if policy == "http-only":
        return [http_port]
    if policy == "match-viewer":
        return [http_port, https_port]
    return []


def _admits_cloudfront(perm: IngressPermission, prefix_list: str | None) -> bool:
    if prefix_list and prefix_list in perm.prefix_list_ids:
        return True
    return any(is_public(c) for c in (*perm.ipv4_cidrs, *perm.ipv6_cidrs))


def check_origin_port_blocked(topo: Topology, alb: LoadBalancer, params: Params) -> Verdict | None:
    paths = fronted_internet_paths(topo, alb)
    if paths is None:
        return None
    prefix_list = topo.prefix_list_id(alb.region)
    listener_ports = set(topo.listener_ports(alb))
    groups = topo.security_groups_of(alb)
    blocked = []
    for path in paths:
        origin = path.origin
        for port in _origin_ports(origin.protocol_policy, origin.http_port, origin.https_port):
            if port not in listener_ports:
                blocked.append(dict(path_evidence(path), port=port, problem="no listener"))
            elif not any(
                perm.admits_port(port) and _admits_cloudfront(perm, prefix_list)
                for g in groups
                for perm in g.ingress
            ):
                blocked.append(
                    dict(
                        path_evidence(path),
                        port=port,
                        problem="no security-group rule admits CloudFront",
                    )
                )
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
        "Add a listener on the origin's port (HTTPSPort for https-only) and admit the "
        "CloudFront prefix list on it.",
        SubjectKind.LAMBDA_ALB,
        check_origin_port_blocked,
        needs=("security_groups", "prefix_list"),
    ),
)

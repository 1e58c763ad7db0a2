"""Helpers the rule packs share: address classes, related ARNs, evidence shapes."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from auditor.gaps import need
from auditor.inventory import LambdaFunction, LoadBalancer
from auditor.topology import EdgePath, Topology


def is_world(cidr: str) -> bool:
    """0.0.0.0/0 or ::/0 (any CIDR of prefix length 0)."""
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def sg_arn(topo: Topology, alb: LoadBalancer, group_id: str) -> str:
    return f"arn:{topo.partition}:ec2:{alb.region}:{alb.account}:security-group/{group_id}"


def path_related(paths: Iterable[EdgePath], *, albs: bool = True, dists: bool = True) -> list[str]:
    """ARNs of the other resources on these edge paths, in a stable order."""
    arns: list[str] = []
    for path in paths:
        if dists and path.distribution.arn not in arns:
            arns.append(path.distribution.arn)
        if albs and path.alb.arn not in arns:
            arns.append(path.alb.arn)
    return arns


def path_evidence(path: EdgePath) -> dict:
    """Which edge path, and how its origin was linked to the ALB (``linked_by``)."""
    found = {
        "distribution": path.distribution.id,
        "origin_id": path.origin.origin_id,
        "load_balancer": path.alb.name,
        "load_balancer_arn": path.alb.arn,  # what a fix plan edits (auditor.fix)
        "linked_by": path.linked_by,
    }
    if path.via:
        found["via"] = list(path.via)
    if path.cross_account:
        found["distribution_account"] = path.distribution.account
    if path.distribution.staging:
        found["staging"] = True  # continuous deployment's staging copy
    return found


def rule_evidence(listener_port: int, rule) -> dict:
    return {
        "listener_port": listener_port,
        "rule_priority": rule.priority,
        "rule_arn": rule.arn,
    }


def fronted_internet_paths(topo: Topology, alb: LoadBalancer) -> list[EdgePath] | None:
    """The edge paths of an internet-facing ALB; None when it is internal or not fronted."""
    if not alb.internet_facing:
        return None
    return topo.edge_paths_of_alb(alb) or None


def alb_arns_of(topo: Topology, fn: LambdaFunction) -> list[str]:
    """The Lambda ALBs a target function serves: the related resources of its results."""
    return [a.arn for a in topo.albs_of_function(fn)]


def alb_attribute(alb: LoadBalancer, key: str, default: str) -> tuple[str, bool]:
    """(value, whether it is AWS's documented default because the key was absent)."""
    attributes = need(alb.attributes)
    return (attributes[key], False) if key in attributes else (default, True)


def sent_header_names(paths: Iterable[EdgePath]) -> set[str]:
    """The custom header names (lower case) the fronting origins send."""
    return {h.name.lower() for p in paths for h in p.origin.custom_headers}

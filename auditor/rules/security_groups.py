"""SG: do the ALB's security groups admit CloudFront, and only CloudFront?

rec. 3's network lock is the CloudFront origin-facing managed prefix list. SG-001 finds the
other sources a fronted ALB still admits; SG-002 finds the opposite mistake, a lock so tight
that CloudFront itself cannot connect on the port its origin settings use.
"""

from __future__ import annotations

import ipaddress

from auditor.findings import Severity, Verdict
from auditor.gaps import DataUnavailable, Unavailable, need
from auditor.inventory import IngressPermission, LoadBalancer
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import (
    fronted_internet_paths,
    is_world,
    path_evidence,
    path_related,
    sg_arn,
)
from auditor.topology import Topology


class _CloudFront:
    """CloudFront's sources in an ALB's region (catalogue 1.1): the managed origin-facing
    lists, and what lies inside their entries (a customer copy, or CIDRs within them)."""

    def __init__(self, topo: Topology, alb: LoadBalancer) -> None:
        self.lists = topo.cloudfront_sources(alb)
        self.ids = {v for v in self.lists.values() if v}
        self._entries = topo.region_of(alb).prefix_list_entries

    def entries(self, list_id: str) -> list:
        value = self._entries.get(list_id)
        if value is None:
            raise DataUnavailable(Unavailable("ec2:GetManagedPrefixListEntries", "NotCollected",
                                              f"entries of prefix list {list_id} not read"))
        return [ipaddress.ip_network(c, strict=False) for c in need(value)]

    def ranges(self, family: str | None = None) -> list:
        return [net for fam, list_id in self.lists.items() if list_id
                and (family is None or fam == family) for net in self.entries(list_id)]

    def holds(self, cidr: str) -> bool:
        """A CIDR inside CloudFront's ranges: a copy of (part of) them."""
        net = ipaddress.ip_network(cidr, strict=False)
        return any(net.version == r.version and net.subnet_of(r) for r in self.ranges())

    def is_copy(self, list_id: str) -> bool:
        """A customer-managed list every entry of which lies inside CloudFront's ranges."""
        entries = self.entries(list_id)
        return bool(entries) and all(self.holds(str(e)) for e in entries)

    def covers(self, perm: IngressPermission, family: str) -> bool:
        """Whether the permission admits every CloudFront address of the family: its
        managed list, a copy, or CIDRs holding all its entries (0.0.0.0/0 needs none)."""
        if self.lists.get(family) and self.lists[family] in perm.prefix_list_ids:
            return True
        cidrs = perm.ipv4_cidrs if family == "ipv4" else perm.ipv6_cidrs
        if any(is_world(c) for c in cidrs):
            return True
        if any(p not in self.ids and self.is_copy(p) for p in perm.prefix_list_ids):
            return True
        if not cidrs:
            return False
        nets = [ipaddress.ip_network(c, strict=False) for c in cidrs]
        wanted = self.ranges(family)
        return bool(wanted) and all(any(w.version == n.version and w.subnet_of(n) for n in nets)
                                    for w in wanted)


def _other_sources(perm: IngressPermission, cloudfront: _CloudFront) -> list[str]:
    """Sources other than CloudFront's (its lists, copies of them, CIDRs inside them);
    world-open ones are BYP-001's."""
    sources = [c for c in (*perm.ipv4_cidrs, *perm.ipv6_cidrs)
               if not is_world(c) and not cloudfront.holds(c)]
    sources += [p for p in perm.prefix_list_ids
                if p not in cloudfront.ids and not cloudfront.is_copy(p)]
    sources += list(perm.group_ids)
    return sources


def check_sg_not_prefix_list(topo: Topology, alb: LoadBalancer, params: Params) -> Verdict | None:
    paths = fronted_internet_paths(topo, alb)
    if paths is None:
        return None
    cloudfront = _CloudFront(topo, alb)
    lists = cloudfront.lists
    ports = topo.listener_ports(alb)
    extra = []
    for group in topo.security_groups_of(alb):
        for perm in group.ingress:
            admitted = [p for p in ports if perm.admits_port(p)]
            others = _other_sources(perm, cloudfront) if admitted else []
            if admitted and others:
                extra.append(
                    {"security_group": group.group_id, "ports": admitted, "sources": others,
                     "protocol": perm.protocol, "from_port": perm.from_port,
                     "to_port": perm.to_port}
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


def check_origin_port_blocked(topo: Topology, alb: LoadBalancer, params: Params) -> Verdict | None:
    paths = fronted_internet_paths(topo, alb)
    if paths is None:
        return None
    cloudfront = _CloudFront(topo, alb)
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
            if not any(perm.admits_port(port) and cloudfront.covers(perm, family)
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


def check_vpc_origin_sg_blocks(topo: Topology, alb: LoadBalancer, params: Params):
    from auditor.vpc_gate import BLOCKED, UNKNOWN, gate_of

    gates = [(p, gate_of(topo, p)) for p in topo.edge_paths_of_alb(alb)]
    gates = [(p, g) for p, g in gates if g is not None]
    if not gates:
        return None  # no VPC origin reaches this (internal) ALB
    seen = [dict(path_evidence(p), service_group=g.group_id or None,
                 ports={str(k): v for k, v in g.ports.items()}) for p, g in gates]
    related = path_related([p for p, _ in gates], albs=False)
    related += [sg_arn(topo, alb, g) for g in alb.security_group_ids]
    blocked = [s for s, (_, g) in zip(seen, gates, strict=True) if BLOCKED in g.ports.values()]
    if blocked:
        missing = any(not g.group_id for _, g in gates)
        why = (" (the VPC has no CloudFront-VPCOrigins-Service-SG: the VPC origin was "
               "never deployed in it)" if missing else "")
        return Verdict.fail(
            "No security-group rule admits the VPC origin's port from CloudFront's service "
            f"group{why}: every request that misses the cache fails", related,
            vpc_origins=seen)
    if any(UNKNOWN in g.ports.values() for _, g in gates):
        raise DataUnavailable(Unavailable(
            "ec2:DescribeNetworkInterfaces", "Undetermined",
            "the port is admitted only by CIDRs, and the VPC origin's network interfaces "
            "were not found to tell whether they hold them"))
    return Verdict.ok("The ALB admits its VPC origin on the port it connects to", related,
                      vpc_origins=seen)


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
    Rule(
        "SG-003",
        "vpc-origin-sg-blocks",
        Severity.MEDIUM,
        "Internal ALB does not admit its CloudFront VPC origin",
        "reuse, AWS",
        "reuse: a VPC origin keeps the ALB private; AWS: its security group must admit "
        "CloudFront's service group",
        "A VPC origin reaches the internal ALB from network interfaces in the ALB's VPC "
        "that carry the group CloudFront-VPCOrigins-Service-SG (AWS, \"Restrict access "
        "with VPC origins\"). Their addresses are private, so the origin-facing prefix "
        "list does not admit them; without a rule for that group (or CIDRs holding those "
        "interfaces) on the port the VPC origin uses, every cache miss fails.",
        "Add an ingress rule to the ALB's security group on the VPC origin's port (HTTPSPort "
        "for https-only) with CloudFront-VPCOrigins-Service-SG as the source; it exists in "
        "the VPC once the VPC origin is deployed.",
        SubjectKind.LAMBDA_ALB,
        check_vpc_origin_sg_blocks,
        needs=("security_groups", "vpc_origin_access"),
    ),
)

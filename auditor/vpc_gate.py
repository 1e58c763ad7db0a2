"""Does an internal ALB's security group let its CloudFront VPC origin in? (SG-003)

The VPC origin connects from network interfaces in the ALB's VPC that carry the group
``CloudFront-VPCOrigins-Service-SG``; an ingress rule on the port it uses must admit them,
by that group or by CIDRs that hold every one of their addresses.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from auditor.gaps import DataUnavailable, Unavailable, need

GROUP, CIDR, BLOCKED, UNKNOWN = "service-group", "cidr", "blocked", "undetermined"


@dataclass(frozen=True)
class Gate:
    group_id: str  # the service group in the ALB's VPC ("" where there is none)
    ports: dict[int, str]  # port CloudFront connects to -> how it is admitted
    addresses_read: bool

    @property
    def needs_addresses(self) -> bool:
        return UNKNOWN in self.ports.values() and not self.addresses_read


def _ports(topo, path, endpoint) -> list[int]:
    """The ports the VPC origin connects to: by its protocol policy, and for
    ``match-viewer`` by the viewer protocol of the behaviours that route to it."""
    if endpoint.protocol_policy == "https-only":
        return [endpoint.https_port]
    if endpoint.protocol_policy == "http-only":
        return [endpoint.http_port]
    behaviors = topo.behaviors_to(path)
    if behaviors and all(b.viewer_protocol_policy in ("redirect-to-https", "https-only")
                         for b in behaviors):
        return [endpoint.https_port]
    return sorted({endpoint.http_port, endpoint.https_port})


def _holds(cidrs: list[str], address: str) -> bool:
    ip = ipaddress.ip_address(address)
    for cidr in cidrs:
        try:
            if ip in ipaddress.ip_network(cidr, strict=False):
                return True
        except ValueError:
            continue
    return False


def gated(path) -> bool:
    """A VPC origin to an internal ALB: the paths SG-003 judges (an internet-facing ALB
    behind a VPC origin is BYP-001's concern)."""
    return path.via_vpc_origin and not path.alb.internet_facing


def gate_of(topo, path, quiet: bool = False) -> Gate | None:
    """How the path's VPC origin gets through the ALB's groups; None for a path that is
    not a VPC origin to an internal ALB. ``quiet``: None instead of raising on a gap (the
    collector asks before everything is read)."""
    if not gated(path):
        return None
    try:
        return _gate(topo, path)
    except DataUnavailable:
        if quiet:
            return None
        raise


def _gate(topo, path) -> Gate:
    endpoints = topo.vpc_origin_endpoints(path.distribution)
    if path.origin.vpc_origin_id not in endpoints:
        raise DataUnavailable(Unavailable("cloudfront:GetVpcOrigin", "NotCollected",
                                          f"VPC origin {path.origin.vpc_origin_id} not read"))
    endpoint = need(endpoints[path.origin.vpc_origin_id])
    groups = topo.region_of(path.alb).vpc_origin_groups
    if groups is None or (not isinstance(groups, Unavailable) and path.alb.vpc_id not in groups):
        raise DataUnavailable(Unavailable("ec2:DescribeSecurityGroups", "NotCollected",
                                          "the VPC origins' service group was not looked up"))
    service = need(groups)[path.alb.vpc_id]
    ingress = [perm for sg in topo.security_groups_of(path.alb) for perm in sg.ingress]
    found: dict[int, str] = {}
    for port in _ports(topo, path, endpoint):
        on_port = [perm for perm in ingress if perm.admits_port(port)]
        if service.group_id and any(service.group_id in perm.group_ids for perm in on_port):
            found[port] = GROUP
            continue
        cidrs = [c for perm in on_port for c in perm.ipv4_cidrs]
        if any(c.endswith("/0") for c in cidrs):
            found[port] = CIDR  # admits every address (BYP-001 judges that for the internet)
        elif not cidrs or not service.group_id:
            found[port] = BLOCKED
        elif service.addresses is None:
            found[port] = UNKNOWN
        else:
            held = need(service.addresses)
            found[port] = CIDR if held and all(_holds(cidrs, a) for a in held) else (
                UNKNOWN if not held else BLOCKED)
    return Gate(service.group_id, found, service.addresses is not None)

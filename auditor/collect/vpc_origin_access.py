"""Can a CloudFront VPC origin reach its internal ALB? (SG-003)

CloudFront reaches a VPC origin from network interfaces it creates in the origin's VPC,
which carry the CloudFront-managed group ``CloudFront-VPCOrigins-Service-SG`` (AWS,
"Restrict access with VPC origins"); their addresses are private addresses of the VPC, not
CloudFront's public ranges, so the origin-facing prefix list does not admit them. Read,
only for VPC origins that reach an internal Lambda ALB:

- ``cloudfront:GetVpcOrigin`` once per such VPC origin, in the account that lists it: the
  port and protocol it connects with;
- ``ec2:DescribeSecurityGroups`` once per account and region, filtered by that group name
  and the ALBs' VPCs;
- ``ec2:DescribeNetworkInterfaces`` (filtered by the group) only where an ALB admits the
  port from CIDRs and not from the group: whether the CIDRs hold those interfaces.
"""

from __future__ import annotations

from dataclasses import replace

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.inventory import Inventory, VpcOriginEndpoint, VpcOriginServiceGroup
from auditor.session import GLOBAL_SERVICE_REGION

OPERATIONS = ("cloudfront:GetVpcOrigin", "ec2:DescribeNetworkInterfaces")
SERVICE_GROUP = "CloudFront-VPCOrigins-Service-SG"


def endpoint(calls: Calls, vpc_origin_id: str) -> VpcOriginEndpoint | Unavailable:
    response = calls.call("cloudfront", GLOBAL_SERVICE_REGION, "get_vpc_origin",
                          resource=vpc_origin_id, Id=vpc_origin_id)
    if isinstance(response, Unavailable):
        return response
    config = (response.get("VpcOrigin") or {}).get("VpcOriginEndpointConfig") or {}
    return VpcOriginEndpoint(config.get("OriginProtocolPolicy", "match-viewer"),
                             int(config.get("HTTPPort", 80)), int(config.get("HTTPSPort", 443)))


def service_groups(calls: Calls, region: str, vpc_ids: list[str]
                   ) -> dict[str, VpcOriginServiceGroup] | Unavailable:
    """VPC id -> the CloudFront-managed group there (group id "" where there is none)."""
    raw = calls.paginate("ec2", region, "describe_security_groups", "SecurityGroups",
                         Filters=[{"Name": "group-name", "Values": [SERVICE_GROUP]},
                                  {"Name": "vpc-id", "Values": sorted(vpc_ids)}])
    if isinstance(raw, Unavailable):
        return raw
    found = {v: VpcOriginServiceGroup("") for v in vpc_ids}
    for group in raw:
        found[group.get("VpcId", "")] = VpcOriginServiceGroup(group["GroupId"])
    return found


def addresses(calls: Calls, region: str, group_id: str) -> tuple[str, ...] | Unavailable:
    raw = calls.paginate("ec2", region, "describe_network_interfaces", "NetworkInterfaces",
                         resource=group_id, Filters=[{"Name": "group-id", "Values": [group_id]}])
    if isinstance(raw, Unavailable):
        return raw
    return tuple(sorted({a["PrivateIpAddress"] for eni in raw
                         for a in eni.get("PrivateIpAddresses") or [] if "PrivateIpAddress" in a}))


def _vpc_origin_paths(topo):
    from auditor.vpc_gate import gated

    return [p for p in topo.all_edge_paths() if gated(p)]


def attach(inventories: list[Inventory], calls: dict[str, Calls]) -> list[Inventory]:
    """The VPC origins' endpoints and the service groups of their ALBs' VPCs; the
    inventories as they are where no VPC origin reaches an internal Lambda ALB."""
    from auditor.topology import Topology

    paths = _vpc_origin_paths(Topology(*inventories))
    if not paths:
        return inventories
    origins: dict[str, set[str]] = {}
    vpcs: dict[tuple[str, str], set[str]] = {}
    for p in paths:
        origins.setdefault(p.distribution.account, set()).add(p.origin.vpc_origin_id)
        vpcs.setdefault((p.alb.account, p.alb.region), set()).add(p.alb.vpc_id)
    out = []
    for inv in inventories:
        own = calls.get(inv.account)
        if own is None:
            out.append(inv)
            continue
        endpoints = {i: endpoint(own, i) for i in sorted(origins.get(inv.account, ()))}
        regions = tuple(
            replace(r, vpc_origin_groups=service_groups(own, r.region,
                                                        sorted(vpcs[(inv.account, r.region)])))
            if (inv.account, r.region) in vpcs else r for r in inv.regions)
        out.append(replace(inv, regions=regions, failures=tuple(own.failures),
                           vpc_origin_endpoints={**inv.vpc_origin_endpoints, **endpoints}))
    return _with_addresses(out, calls)


def _with_addresses(inventories: list[Inventory], calls: dict[str, Calls]) -> list[Inventory]:
    """Where an ALB admits its VPC origin's port from CIDRs but not from the service group,
    read the group's interface addresses: they decide whether the CIDRs admit CloudFront."""
    from auditor.topology import Topology
    from auditor.vpc_gate import gate_of

    topo = Topology(*inventories)
    wanted: dict[tuple[str, str], set[str]] = {}
    for p in _vpc_origin_paths(topo):
        gate = gate_of(topo, p, quiet=True)
        if gate is not None and gate.needs_addresses:
            wanted.setdefault((p.alb.account, p.alb.region), set()).add(p.alb.vpc_id)
    if not wanted:
        return inventories
    out = []
    for inv in inventories:
        regions = []
        for r in inv.regions:
            key = (inv.account, r.region)
            groups = r.vpc_origin_groups
            if key in wanted and isinstance(groups, dict):
                groups = {vpc: replace(g, addresses=addresses(calls[inv.account], r.region,
                                                              g.group_id))
                          if vpc in wanted[key] and g.group_id else g
                          for vpc, g in groups.items()}
                r = replace(r, vpc_origin_groups=groups)
            regions.append(r)
        out.append(replace(inv, regions=tuple(regions),
                           failures=tuple(calls[inv.account].failures)
                           if inv.account in calls else inv.failures))
    return out

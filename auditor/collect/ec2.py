"""EC2: the ALBs' security groups, and the CloudFront origin-facing prefix list's id.

The prefix list is looked up by name in each region: its id differs per region.
"""

from __future__ import annotations

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.inventory import IngressPermission, SecurityGroup

OPERATIONS = ("ec2:DescribeSecurityGroups", "ec2:DescribeManagedPrefixLists", "ec2:DescribeRegions",
              "ec2:GetManagedPrefixListEntries")
CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
CLOUDFRONT_IPV6_PREFIX_LIST = "com.amazonaws.global.ipv6.cloudfront.origin-facing"
FILTER_VALUES_MAX = 200


def parse_permission(raw: dict) -> IngressPermission:
    return IngressPermission(
        protocol=str(raw.get("IpProtocol", "-1")).lower(),
        from_port=raw.get("FromPort"),
        to_port=raw.get("ToPort"),
        ipv4_cidrs=tuple(r["CidrIp"] for r in raw.get("IpRanges") or []),
        ipv6_cidrs=tuple(r["CidrIpv6"] for r in raw.get("Ipv6Ranges") or []),
        prefix_list_ids=tuple(p["PrefixListId"] for p in raw.get("PrefixListIds") or []),
        group_ids=tuple(g["GroupId"] for g in raw.get("UserIdGroupPairs") or [] if "GroupId" in g),
    )


def security_groups(
    calls: Calls, region: str, group_ids: list[str]
) -> dict[str, SecurityGroup] | Unavailable:
    """The named groups; a filter (not GroupIds) so one deleted group fails nothing."""
    found: dict[str, SecurityGroup] = {}
    ids = sorted(set(group_ids))
    for start in range(0, len(ids), FILTER_VALUES_MAX):
        chunk = ids[start : start + FILTER_VALUES_MAX]
        raw = calls.paginate(
            "ec2",
            region,
            "describe_security_groups",
            "SecurityGroups",
            Filters=[{"Name": "group-id", "Values": chunk}],
        )
        if isinstance(raw, Unavailable):
            return raw
        for group in raw:
            found[group["GroupId"]] = SecurityGroup(
                group["GroupId"],
                group.get("GroupName", ""),
                tuple(parse_permission(p) for p in group.get("IpPermissions") or []),
            )
    return found


def cloudfront_prefix_list_ids(calls: Calls, region: str
                               ) -> tuple[str | Unavailable | None, str | Unavailable | None]:
    """(IPv4 list id, IPv6 list id) of CloudFront's origin-facing ranges, in one call."""
    raw = calls.paginate(
        "ec2",
        region,
        "describe_managed_prefix_lists",
        "PrefixLists",
        Filters=[{"Name": "prefix-list-name",
                  "Values": [CLOUDFRONT_PREFIX_LIST, CLOUDFRONT_IPV6_PREFIX_LIST]}],
    )
    if isinstance(raw, Unavailable):
        return raw, raw
    ids = {p.get("PrefixListName"): p["PrefixListId"] for p in raw}
    return ids.get(CLOUDFRONT_PREFIX_LIST), ids.get(CLOUDFRONT_IPV6_PREFIX_LIST)


def prefix_list_entries(calls: Calls, region: str, list_id: str) -> tuple[str, ...] | Unavailable:
    raw = calls.paginate("ec2", region, "get_managed_prefix_list_entries", "Entries",
                         resource=list_id, PrefixListId=list_id)
    if isinstance(raw, Unavailable):
        return raw
    return tuple(e["Cidr"] for e in raw if e.get("Cidr"))


def entries_needed(groups, cloudfront_ids: set[str]) -> list[str]:
    """The prefix lists whose entries decide whether a source is CloudFront's: CloudFront's
    own (to compare with) and the customer lists the groups reference, and only when some
    group admits a source other than CloudFront's lists or the whole internet."""
    from ipaddress import ip_network

    others: set[str] = set()
    candidates = False
    for group in groups.values():
        for perm in group.ingress:
            others |= set(perm.prefix_list_ids) - cloudfront_ids
            candidates = candidates or bool(set(perm.prefix_list_ids) - cloudfront_ids) or any(
                ip_network(c, strict=False).prefixlen for c in (*perm.ipv4_cidrs,
                                                                *perm.ipv6_cidrs))
    if not candidates:
        return []
    return sorted(cloudfront_ids) + sorted(others)


def enabled_regions(calls: Calls, region: str) -> list[str] | Unavailable:
    response = calls.call("ec2", region, "describe_regions", AllRegions=False)
    if isinstance(response, Unavailable):
        return response
    return sorted(
        r["RegionName"]
        for r in response.get("Regions") or []
        if r.get("OptInStatus") != "not-opted-in"
    )

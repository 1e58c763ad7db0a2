"""EC2 from ``AWS::EC2::SecurityGroup`` (inline rules) and ``AWS::EC2::SecurityGroupIngress``
resources, and CloudFront's origin-facing prefix lists.

The prefix lists are AWS's, one id per region and the same in every account: the ids of
the regions below are known (``com.amazonaws.global.cloudfront.origin-facing``); in any
other region the id is known only at deploy time, and so are the lists' entries (AWS
changes them).
"""

from __future__ import annotations

from typing import Any

from auditor.collect.ec2 import CLOUDFRONT_PREFIX_LIST
from auditor.iac.answers import Answers, deploy_time, known, number, text
from auditor.iac.estate import Resource

GROUP = "AWS::EC2::SecurityGroup"
INGRESS = "AWS::EC2::SecurityGroupIngress"
PREFIX_LIST = "AWS::EC2::PrefixList"

# com.amazonaws.global.cloudfront.origin-facing, by region (the same id in every account)
CLOUDFRONT_PREFIX_LISTS = {
    "us-east-1": "pl-3b927c52", "us-east-2": "pl-b6a144df", "us-west-1": "pl-4ea04527",
    "us-west-2": "pl-82a045eb", "eu-west-1": "pl-4fa04526", "eu-west-2": "pl-93a247fa",
    "eu-central-1": "pl-a3a144ca", "ap-southeast-1": "pl-31a34658",
    "ap-southeast-2": "pl-b8a742d1", "ap-northeast-1": "pl-58a04531",
}
PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp"}


def permission(rule: dict, where: str) -> dict:
    """One CloudFormation ingress rule as the API's ``IpPermission``."""
    protocol = text(known(rule.get("IpProtocol", "-1"), f"{where}.IpProtocol")).lower()
    protocol = PROTOCOLS.get(protocol, protocol)
    item: dict[str, Any] = {"IpProtocol": protocol, "IpRanges": [], "Ipv6Ranges": [],
                            "PrefixListIds": [], "UserIdGroupPairs": []}
    if protocol not in ("-1", "all"):
        item["FromPort"] = number(rule.get("FromPort"), f"{where}.FromPort", -1)
        item["ToPort"] = number(rule.get("ToPort"), f"{where}.ToPort", -1)
    for key, field, inner in (("CidrIp", "IpRanges", "CidrIp"),
                              ("CidrIpv6", "Ipv6Ranges", "CidrIpv6"),
                              ("SourcePrefixListId", "PrefixListIds", "PrefixListId"),
                              ("SourceSecurityGroupId", "UserIdGroupPairs", "GroupId")):
        # A CIDR must be known (an unknown one may be 0.0.0.0/0); an unknown prefix list
        # or group reads as its reason, an id that matches nothing.
        check = known if key.startswith("Cidr") else (lambda value, what: value)
        value = check(rule.get(key), f"{where}.{key}")
        # one source in CloudFormation; Terraform's rules may list several
        for source in value if isinstance(value, list) else [] if value is None else [value]:
            item[field].append({inner: text(check(source, f"{where}.{key}"))})
    return item


class Network:
    def __init__(self, answers: Answers) -> None:
        self.a = answers

    def _group(self, group: Resource) -> dict:
        rules = [permission(r, f"{group.logical}.SecurityGroupIngress")
                 for r in known(group.props.get("SecurityGroupIngress") or [],
                                f"{group.logical}.SecurityGroupIngress")
                 if isinstance(r, dict)]
        gid = text(group.ref())
        for extra in self.a.of_type(INGRESS, group.place.region):
            if text(extra.props.get("GroupId")) == gid:
                rules.append(permission(extra.props, extra.logical))
        return {"GroupId": gid, "GroupName": text(group.props.get("GroupName") or
                                                 group.logical),
                "VpcId": text(group.props.get("VpcId")), "IpPermissions": rules}

    def describe_security_groups(self, region: str, Filters: list | None = None,
                                 GroupIds: list | None = None, **_: Any) -> dict:
        wanted = set(GroupIds or [])
        names: set[str] = set()
        for f in Filters or []:
            if f.get("Name") == "group-id":
                wanted |= set(f.get("Values") or [])
            elif f.get("Name") == "group-name":
                names |= set(f.get("Values") or [])
        groups = [self._group(g) for g in self.a.of_type(GROUP, region)]
        return {"SecurityGroups": [g for g in groups if g["GroupId"] in wanted
                                   or g["GroupName"] in names]}

    def describe_managed_prefix_lists(self, region: str, **_: Any) -> dict:
        found = CLOUDFRONT_PREFIX_LISTS.get(region)
        if found is None:
            raise deploy_time(f"the id of CloudFront's origin-facing prefix list in {region}")
        return {"PrefixLists": [{"PrefixListId": found, "PrefixListName":
                                 CLOUDFRONT_PREFIX_LIST, "AddressFamily": "IPv4"}]}

    def get_managed_prefix_list_entries(self, region: str, PrefixListId: str,
                                        **_: Any) -> dict:
        for own in self.a.of_type(PREFIX_LIST, region):
            if text(own.ref()) == PrefixListId:
                entries = known(own.props.get("Entries") or [], f"{own.logical}.Entries")
                return {"Entries": [{"Cidr": text((e or {}).get("Cidr"))} for e in entries]}
        raise deploy_time(f"the entries of prefix list {PrefixListId}")

    def describe_network_interfaces(self, region: str, **_: Any) -> dict:
        raise deploy_time("the addresses of CloudFront's VPC origin network interfaces")


def register(answers: Answers) -> None:
    network = Network(answers)
    for name in ("describe_security_groups", "describe_managed_prefix_lists",
                 "get_managed_prefix_list_entries", "describe_network_interfaces"):
        answers.handlers[("ec2", name)] = getattr(network, name)

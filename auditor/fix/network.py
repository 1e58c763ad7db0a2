"""The ALB's security groups (BYP-001, SG-001): CloudFront's prefix list first, then the
rest goes. Revoking first would cut CloudFront off until the new rule exists.

The origin-facing IPv4 list weighs about 55 rules against the group's quota (60 by
default), which is why the plan adds one rule per listener port rather than a range.
"""

from __future__ import annotations

from auditor.fix.context import Context
from auditor.fix.findings import Finding
from auditor.fix.model import Call, Phase, Shell, Step

WORLD = {"0.0.0.0/0", "::/0"}


def build(ctx: Context) -> list[Step]:
    steps: list[Step] = []
    admitted: set[tuple[str, int, str]] = set()
    for f in ctx.failures.of("BYP-001", "SG-001"):
        entries = f.evidence.get("open_permissions" if f.rule_id == "BYP-001"
                                 else "other_sources", [])
        lists = [v for k, v in f.evidence.items()
                 if k in ("cloudfront_prefix_list", "cloudfront_ipv6_prefix_list")
                 and str(v).startswith("pl-")]
        if not lists:
            steps.append(_unknown_list(f))
            continue
        for entry in entries:
            for port in entry["ports"]:
                for pl in lists:
                    key = (entry["security_group"], port, pl)
                    if key in admitted:
                        continue
                    admitted.add(key)
                    steps.append(_admit(ctx, f, entry["security_group"], port, pl))
        for i, entry in enumerate(entries):
            steps.append(_revoke(ctx, f, entry, last=i == len(entries) - 1, lists=lists))
    return steps


def _admit(ctx: Context, f: Finding, group: str, port: int, pl: str) -> Step:
    permission = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                  "PrefixListIds": [{"PrefixListId": pl,
                                     "Description": "CloudFront origin-facing"}]}
    return ctx.step(
        f, Phase.NETWORK_ADD, f"{group}: admit CloudFront's prefix list {pl} on port {port}",
        (), "Adds a source; removes none. The list counts as about 55 rules against the "
        "group's quota of rules (60 by default): the call fails, changing nothing, if the "
        "group has no room.",
        calls=[Call("ec2", "AuthorizeSecurityGroupIngress", f.region,
                    {"GroupId": group, "IpPermissions": [permission]})],
        shell=[Shell("sg_admit", (f.region, group, str(port), pl))],
        serves=[f.closes],
        change=f"Security group {group} of {f.name}: add SecurityGroupIngress IpProtocol tcp, "
               f"FromPort/ToPort {port}, SourcePrefixListId {pl}",
        resource_type="AWS::EC2::SecurityGroup", logical_id=f"the security group {group}")


def _revoke(ctx: Context, f: Finding, entry: dict, last: bool, lists: list[str]) -> Step:
    sources = entry["sources"]
    permission: dict = {"IpProtocol": entry.get("protocol", "tcp")}
    if entry.get("from_port") is not None:
        permission.update(FromPort=entry["from_port"], ToPort=entry["to_port"])
    v4 = [s for s in sources if ":" not in s and not s.startswith(("pl-", "sg-"))]
    v6 = [s for s in sources if ":" in s]
    if v4:
        permission["IpRanges"] = [{"CidrIp": c} for c in v4]
    if v6:
        permission["Ipv6Ranges"] = [{"CidrIpv6": c} for c in v6]
    pls = [s for s in sources if s.startswith("pl-")]
    if pls:
        permission["PrefixListIds"] = [{"PrefixListId": p} for p in pls]
    groups = [s for s in sources if s.startswith("sg-")]
    if groups:
        permission["UserIdGroupPairs"] = [{"GroupId": g} for g in groups]
    world = f.rule_id == "BYP-001"
    span = (f"ports {entry.get('from_port')}-{entry.get('to_port')}"
            if entry.get("from_port") != entry.get("to_port") else f"port {entry['ports'][0]}")
    return ctx.step(
        f, Phase.NETWORK_REVOKE,
        f"{entry['security_group']}: revoke {', '.join(sources)} on {span}",
        (f.closes,) if last else (),
        ("Direct requests from the internet stop reaching the ALB; CloudFront's are "
         "admitted by its prefix list (added above)." if world else
         "These sources (a VPN, a monitor, another service?) stop reaching the listener "
         "ports: make sure nothing you need uses them."),
        calls=[Call("ec2", "RevokeSecurityGroupIngress", f.region,
                    {"GroupId": entry["security_group"], "IpPermissions": [permission]})],
        shell=[Shell("sg_admits", (f.region, entry["security_group"], ",".join(lists))),
               Shell("CALL", ("0",))],
        preconditions=[f"{entry['security_group']} admits {', '.join(lists)}"],
        serves=[f.closes],
        change=f"Security group {entry['security_group']} of {f.name}: remove the "
               f"SecurityGroupIngress from {', '.join(sources)}",
        resource_type="AWS::EC2::SecurityGroup",
        logical_id=f"the security group {entry['security_group']}",
        accept_risk=None if world else "SG-001")


def _unknown_list(f: Finding) -> Step:
    return Step(Phase.MANUAL, f"{f.rule_id} {f.name}: find CloudFront's prefix list first",
                (f.closes,), "The scan did not read the origin-facing prefix list's id in "
                f"{f.region}, so the plan cannot name it.",
                manual="aws ec2 describe-managed-prefix-lists --region " + f.region +
                " --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront."
                "origin-facing; then admit it on the listener ports before revoking "
                "anything. " + f.remediation)

"""The fewest calls a complete scan of an account can make, from its resource counts.

Read straight from the moto server (uncounted: the benchmark looking at its own account).
For every scanned region r, with ALBs, Lambda target groups (TG), functions registered as
aliases (F_alias) or bare (F_bare), listeners (L), regional web ACLs and REST APIs:

    sts:GetCallerIdentity                                   1
    elbv2  DescribeTargetGroups                            1            (one page)
           DescribeLoadBalancers                            1            (if any Lambda TG)
           per Lambda ALB: DescribeListeners + attributes   2 x ALB
           per listener: DescribeRules                      L
           per Lambda TG: attributes + target health        2 x TG
           DescribeSSLPolicies                              1            (any HTTPS listener)
           DescribeAccountLimits (applied rules quota)      1            (if any Lambda ALB)
    ec2    DescribeSecurityGroups + prefix lists            2            (if any Lambda ALB;
                                                                         both families, 1 call)
    lambda per function: GetFunction + policy + URL listing
           + reserved concurrency                           4 x F  (every alias's URL at once)
           per alias: provisioned concurrency               1 x F_alias
           per alias whose unqualified function has a URL: that policy   (none seeded)
    wafv2  min(ALBs, 1 + 2 x regional ACLs)                 per-ALB, or list + resources
                                                            and rules of each ACL
    cloudwatch GetMetricData (500 queries a call) + alarms  ceil(q / 500) + 1  (per region;
                                                            q: 3 per ALB, 1 per TG, and
                                                            Throttles + Duration per F)
    apigateway GetRestApis + GetStages per API              1 + APIs
    tag    GetResources (CloudFormation's stack tag)         1  (and 1 in us-east-1 for
                                                                 CloudFront when not scanned)

and once per account: ListDistributions (100 a page); per edge distribution its config and
monitoring subscription (2 x D); GetWebACL per distinct edge ACL; GetRuleGroup per
distinct rule group those reference and GetOriginRequestPolicy per distinct custom origin
request policy (none seeded); GetMetricData for the edge metrics (ceil(2D / 500)); the
us-east-1 alarms come from the region's when scanned. Route 53 is read only for custom
origin domains (none seeded): ListHostedZones once per account asked, and
ListResourceRecordSets once per name and account whose zones hold it. Listener
certificates (DescribeListenerCertificates per HTTPS listener, acm:DescribeCertificate per
certificate) are read for the listeners HTTPS edge paths connect to (CF-008): one
DescribeListenerCertificates per such listener (H) and one acm:DescribeCertificate per
distinct certificate on them (C). VPC origins (GetVpcOrigin, the service group, its
interfaces) are read only for a VPC origin to an internal ALB (none seeded: moto lacks them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import boto3


@dataclass
class Counts:
    albs: int = 0
    listeners: int = 0
    target_groups: int = 0
    functions: int = 0
    aliased: int = 0
    regional_acls: int = 0
    rest_apis: int = 0
    regions: int = 0
    distributions: int = 0
    edge_acls: int = 0
    https_edge_listeners: int = 0
    edge_certificates: int = 0
    tag_regions: int = 0  # CloudFormation's stack tag: the scanned regions, and us-east-1


def count(endpoint: str, regions, credentials: dict) -> Counts:
    session = boto3.Session(**credentials)
    counts = Counts(regions=len(regions),
                    tag_regions=len({*regions, "us-east-1"}))
    https_listeners: dict[tuple[str, int], tuple[str, str]] = {}  # (ALB DNS, port) -> listener
    for region in regions:
        elb = session.client("elbv2", region_name=region, endpoint_url=endpoint)
        tgs = [g for p in elb.get_paginator("describe_target_groups").paginate()
               for g in p["TargetGroups"] if g["TargetType"] == "lambda" and g["LoadBalancerArns"]]
        albs = {a for g in tgs for a in g["LoadBalancerArns"]}
        counts.albs += len(albs)
        counts.target_groups += len(tgs)
        dns = {lb["LoadBalancerArn"]: lb["DNSName"].lower() for lb in elb.describe_load_balancers(
            LoadBalancerArns=sorted(albs))["LoadBalancers"]} if albs else {}
        for alb in albs:
            listeners = elb.describe_listeners(LoadBalancerArn=alb)["Listeners"]
            counts.listeners += len(listeners)
            https_listeners.update({(dns[alb], li["Port"]): (region, li["ListenerArn"])
                                    for li in listeners if li["Protocol"] == "HTTPS"})
        for g in tgs:
            for t in elb.describe_target_health(TargetGroupArn=g["TargetGroupArn"])[
                    "TargetHealthDescriptions"]:
                counts.functions += 1
                counts.aliased += t["Target"]["Id"].count(":") > 6
        waf = session.client("wafv2", region_name=region, endpoint_url=endpoint)
        counts.regional_acls += len(waf.list_web_acls(Scope="REGIONAL")["WebACLs"])
        api = session.client("apigateway", region_name=region, endpoint_url=endpoint)
        counts.rest_apis += len(api.get_rest_apis()["items"])
    cf = session.client("cloudfront", region_name="us-east-1", endpoint_url=endpoint)
    dists = cf.list_distributions()["DistributionList"].get("Items") or []
    counts.distributions = len(dists)
    counts.edge_acls = len({d["WebACLId"] for d in dists if d.get("WebACLId")})
    edge = {https_listeners[(o["DomainName"].lower().removeprefix("dualstack."),
                             o["CustomOriginConfig"]["HTTPSPort"])]
            for d in dists for o in d["Origins"]["Items"]
            if (o.get("CustomOriginConfig") or {}).get("OriginProtocolPolicy") == "https-only"
            and (o["DomainName"].lower().removeprefix("dualstack."),
                 o["CustomOriginConfig"]["HTTPSPort"]) in https_listeners}
    counts.https_edge_listeners = len(edge)
    certs = set()
    for region, listener in edge:
        elb = session.client("elbv2", region_name=region, endpoint_url=endpoint)
        certs |= {c["CertificateArn"] for c in elb.describe_listener_certificates(
            ListenerArn=listener)["Certificates"]}
    counts.edge_certificates = len(certs)
    return counts


def _waf(albs: int, acls: int) -> int:
    return albs if albs <= 2 or 1 + 2 * acls >= albs else 1 + 2 * acls


def minimum_calls(c: Counts, albs_per_region: list[int], acls_per_region: list[int]) -> int:
    """A region without a Lambda ALB costs its two listings (target groups, REST APIs)."""
    per_region = sum(
        2 + (1 + 1 + 2 + _waf(albs, acls) + 1 + 1 + 1 if albs else 0)
        for albs, acls in zip(albs_per_region, acls_per_region, strict=True))
    queries = 4 * c.albs + c.target_groups + 2 * c.functions  # ALB x3, TG, function x2
    return (1 + per_region + 2 * c.albs + c.listeners + 2 * c.target_groups
            + 4 * c.functions + c.aliased + c.https_edge_listeners + c.edge_certificates
            + math.ceil(queries / 500) + c.rest_apis
            + math.ceil(c.distributions / 100) + 2 * c.distributions + c.edge_acls
            + math.ceil(2 * c.distributions / 500) + c.tag_regions)

"""What to collect: the union of what the selected rules need.

Every rule names the optional data it reads (``Rule.needs``); the base (the ALBs, their
listeners and rules, the Lambda target groups, the distributions and the links between
them) is read for any rule that judges the request path. A scan narrowed with ``--rules``
then makes only the calls its rules need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

FACETS = {
    "lb_attributes": "elbv2:DescribeLoadBalancerAttributes",
    "ssl_policies": "elbv2:DescribeSSLPolicies",
    "alb_limits": "elbv2:DescribeAccountLimits",
    "tg_attributes": "elbv2:DescribeTargetGroupAttributes",
    "targets": "elbv2:DescribeTargetHealth",
    "function_config": "lambda:GetFunction",
    "function_policy": "lambda:GetPolicy",
    "function_urls": "lambda:ListFunctionUrlConfigs",
    "provisioned": "lambda:GetProvisionedConcurrencyConfig",
    "function_concurrency": "lambda:GetFunctionConcurrency",
    "security_groups": "ec2:DescribeSecurityGroups",
    "prefix_list": "ec2:DescribeManagedPrefixLists",
    "alb_waf": "wafv2:GetWebACLForResource",
    "edge_waf": "wafv2:GetWebACL",
    "region_metrics": "cloudwatch:GetMetricData",
    "edge_metrics": "cloudwatch:GetMetricData",
    "alarms": "cloudwatch:DescribeAlarms",
    "edge_alarms": "cloudwatch:DescribeAlarms",
    "edge_logging": "cloudfront:GetDistributionConfig",
    "edge_monitoring": "cloudfront:GetMonitoringSubscription",
    "cache_policies": "cloudfront:GetCachePolicy",
    "request_policies": "cloudfront:GetOriginRequestPolicy",
    "rest_apis": "apigateway:GetRestApis",
    "listener_certificates": "elbv2:DescribeListenerCertificates",
    "vpc_origin_access": "cloudfront:GetVpcOrigin",
}
FUNCTION_FACETS = {"function_config", "function_policy", "function_urls", "provisioned",
                   "function_concurrency"}


@dataclass(frozen=True)
class Plan:
    path: bool  # read the request path (ALBs, listeners, rules, TGs, distributions)
    facets: frozenset[str]
    tag_keys: frozenset[str] = frozenset()  # tags the suppressions match on (none: no call)
    pack_facets: tuple = ()  # the rule packs' facets to collect (auditor.facets.Facet)

    def __contains__(self, facet: str) -> bool:
        return facet in self.facets

    @classmethod
    def everything(cls, pack_facets: Iterable = ()) -> Plan:
        """All built-in data, and every facet of the loaded packs (``collect``)."""
        return cls(True, frozenset(FACETS), pack_facets=tuple(pack_facets))

    @classmethod
    def for_rules(cls, rules: Iterable, pack_facets: Iterable = ()) -> Plan:
        """What ``rules`` read; ``pack_facets``: the loaded packs' facets, of which only
        those a selected rule needs are collected."""
        rules = list(rules)
        declared = {f.name: f for f in pack_facets}
        needs = frozenset(f for r in rules for f in r.needs)
        unknown = needs - set(FACETS) - set(declared)
        if unknown:
            raise ValueError(f"unknown facets: {sorted(unknown)}")
        facets = needs & set(FACETS)
        path = any(r.subject.value != "rest_api" for r in rules)
        if facets & FUNCTION_FACETS:
            facets |= {"targets"}
        return cls(path, frozenset(facets),
                   pack_facets=tuple(declared[n] for n in sorted(needs & set(declared))))


def skipped(facet: str):
    """What stands in for data the selected rules do not need (never read by them)."""
    from auditor.gaps import Unavailable

    return Unavailable(FACETS[facet], "NotCollected", "not needed by the selected rules")

"""WAFv2: the distributions' web ACLs (scope CLOUDFRONT, read in us-east-1) and each
Lambda ALB's regional web ACL (``GetWebACLForResource``, one call per ALB)."""

from __future__ import annotations

from auditor.collect.base import ABSENT, Calls
from auditor.gaps import Unavailable
from auditor.inventory import ClassicWebAcl, WebAcl
from auditor.session import GLOBAL_SERVICE_REGION

OPERATIONS = ("wafv2:GetWebACL", "wafv2:GetWebACLForResource")


def parse_web_acl(raw: dict) -> WebAcl:
    rules = list(raw.get("Rules") or [])
    statements = [r.get("Statement") or {} for r in rules]
    fms = [
        *(raw.get("PreProcessFirewallManagerRuleGroups") or []),
        *(raw.get("PostProcessFirewallManagerRuleGroups") or []),
    ]
    fms_statements = [(g.get("FirewallManagerStatement") or {}) for g in fms]
    return WebAcl(
        arn=raw.get("ARN", ""),
        name=raw.get("Name", ""),
        has_rate_based_rule=any("RateBasedStatement" in s for s in statements),
        has_managed_rule_group=any(
            "ManagedRuleGroupStatement" in s for s in (*statements, *fms_statements)
        ),
        rule_names=tuple(r.get("Name", "") for r in rules),
    )


def _arn_parts(arn: str) -> tuple[str, str] | None:
    """(name, id) of ``arn:aws:wafv2:us-east-1:acct:global/webacl/NAME/ID``."""
    resource = arn.split(":", 5)[-1].split("/")
    if len(resource) == 4 and resource[1] == "webacl":
        return resource[2], resource[3]
    return None


def edge_web_acl(calls: Calls, acl_id: str) -> WebAcl | ClassicWebAcl | Unavailable:
    if not acl_id.startswith("arn:"):
        return ClassicWebAcl(acl_id)
    parts = _arn_parts(acl_id)
    if parts is None:
        return Unavailable("wafv2:GetWebACL", "InvalidArn", f"not a web ACL ARN: {acl_id}")
    name, acl_uuid = parts
    response = calls.call(
        "wafv2",
        GLOBAL_SERVICE_REGION,
        "get_web_acl",
        resource=acl_id,
        Name=name,
        Scope="CLOUDFRONT",
        Id=acl_uuid,
    )
    if isinstance(response, Unavailable):
        return response
    return parse_web_acl(response.get("WebACL") or {})


def alb_web_acl(calls: Calls, region: str, alb_arn: str) -> WebAcl | Unavailable | None:
    response = calls.call(
        "wafv2", region, "get_web_acl_for_resource", resource=alb_arn, ResourceArn=alb_arn
    )
    if isinstance(response, Unavailable):
        return response
    if response is ABSENT or not response.get("WebACL"):
        return None
    return parse_web_acl(response["WebACL"])

"""WAFv2: the distributions' web ACLs (scope CLOUDFRONT, read in us-east-1) and each
Lambda ALB's regional web ACL (``GetWebACLForResource``, one call per ALB)."""

from __future__ import annotations

from auditor.collect.base import ABSENT, Calls
from auditor.gaps import Unavailable
from auditor.inventory import ClassicWebAcl, WafHeaderCheck, WebAcl
from auditor.secrets import Secret
from auditor.session import GLOBAL_SERVICE_REGION

OPERATIONS = ("wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:ListWebACLs",
              "wafv2:ListResourcesForWebACL", "wafv2:GetRuleGroup")


def _acts(rule: dict) -> bool:
    """A rule that acts: not in Count mode, and not a rule group overridden to Count."""
    return "Count" not in (rule.get("Action") or {}) and \
        "Count" not in (rule.get("OverrideAction") or {})


def _header_match(statement: dict) -> tuple[str, Secret, str, tuple[str, ...]] | None:
    """(header name, search string, positional constraint, text transformations) of a
    byte match on one header."""
    match = statement.get("ByteMatchStatement") or {}
    header = (match.get("FieldToMatch") or {}).get("SingleHeader") or {}
    if not header.get("Name"):
        return None
    raw = match.get("SearchString", b"")
    value = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    transforms = sorted(match.get("TextTransformations") or [],
                        key=lambda t: t.get("Priority", 0))
    return (header["Name"], Secret(value), match.get("PositionalConstraint", "EXACTLY"),
            tuple(t.get("Type", "NONE") for t in transforms))


def header_checks(raw: dict) -> tuple[WafHeaderCheck, ...]:
    """The statements that require a header (catalogue "Header check"): an allowing rule
    matching it behind a blocking default action, or a blocking rule on its absence."""
    blocks_by_default = "Block" in (raw.get("DefaultAction") or {})
    found = []
    for rule in raw.get("Rules") or []:
        action, statement = rule.get("Action") or {}, rule.get("Statement") or {}
        match = None
        if blocks_by_default and "Allow" in action:
            match = _header_match(statement)
        elif "Block" in action and "NotStatement" in statement:
            match = _header_match((statement["NotStatement"] or {}).get("Statement") or {})
        if match:
            name, value, positional, transforms = match
            found.append(WafHeaderCheck(name, (value,), positional,
                                        transformations=transforms))
    return tuple(found)


def parse_web_acl(raw: dict) -> WebAcl:
    rules = list(raw.get("Rules") or [])
    acting = [r for r in rules if _acts(r)]
    statements = [r.get("Statement") or {} for r in acting]
    fms = [g for g in (*(raw.get("PreProcessFirewallManagerRuleGroups") or []),
                       *(raw.get("PostProcessFirewallManagerRuleGroups") or [])) if _acts(g)]
    fms_statements = [(g.get("FirewallManagerStatement") or {}) for g in fms]
    groups = [s["RuleGroupReferenceStatement"].get("ARN", "")
              for s in (*statements, *fms_statements) if "RuleGroupReferenceStatement" in s]
    return WebAcl(
        arn=raw.get("ARN", ""),
        name=raw.get("Name", ""),
        has_rate_based_rule=any("RateBasedStatement" in s for s in statements),
        has_managed_rule_group=any(
            "ManagedRuleGroupStatement" in s for s in (*statements, *fms_statements)
        ),
        rule_names=tuple(r.get("Name", "") for r in rules),
        rule_groups=tuple(dict.fromkeys(g for g in groups if g)),
        counting_rules=tuple(r.get("Name", "") for r in rules if not _acts(r)),
        header_checks=header_checks(raw),
    )


def rule_group_rate_limited(calls: Calls, arn: str) -> bool | Unavailable:
    """Whether a referenced rule group (scope CLOUDFRONT) holds an acting rate-based rule."""
    response = calls.call("wafv2", GLOBAL_SERVICE_REGION, "get_rule_group", resource=arn,
                          ARN=arn)
    if isinstance(response, Unavailable):
        return response
    rules = (response.get("RuleGroup") or {}).get("Rules") or []
    return any(_acts(r) and "RateBasedStatement" in (r.get("Statement") or {}) for r in rules)


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


def alb_web_acls(calls: Calls, region: str, alb_arns: list[str],
                 runner=None) -> dict[str, WebAcl | Unavailable | None]:
    """Each ALB's regional web ACL, by whichever strategy needs fewer calls.

    ``GetWebACLForResource`` is one call per ALB and tightly rate-limited (1 per second).
    Listing the region's web ACLs and the resources of each costs 1 + (number of ACLs)
    calls; where that is fewer, it is used, and if it fails (an IAM policy without the
    list permissions, an endpoint without the API) the per-ALB calls are made instead.
    """
    if len(alb_arns) > 2:
        by_acl = _by_listing(calls, region, alb_arns)
        if by_acl is not None:
            return by_acl
    return {arn: alb_web_acl(calls, region, arn) for arn in alb_arns} if runner is None \
        else dict(zip(alb_arns, runner.map(lambda a: alb_web_acl(calls, region, a), alb_arns),
                      strict=True))


def _by_listing(calls: Calls, region: str, alb_arns: list[str]):
    acls = []
    marker = ""
    while True:
        page = calls.call("wafv2", region, "list_web_acls", quiet=True, Scope="REGIONAL",
                          Limit=100, **({"NextMarker": marker} if marker else {}))
        if isinstance(page, Unavailable):
            return None
        acls += page.get("WebACLs") or []
        marker = page.get("NextMarker") or ""
        if not marker or not page.get("WebACLs"):
            break
    if 1 + 2 * len(acls) >= len(alb_arns):  # list, then resources and rules of each
        return None
    found: dict[str, WebAcl | Unavailable | None] = dict.fromkeys(alb_arns)
    for acl in acls:
        response = calls.call("wafv2", region, "list_resources_for_web_acl", quiet=True,
                              WebACLArn=acl["ARN"], ResourceType="APPLICATION_LOAD_BALANCER")
        if isinstance(response, Unavailable):
            return None
        ours = [arn for arn in response.get("ResourceArns") or [] if arn in found]
        if not ours:
            continue
        # Its rules matter (a header check there guards the ALB, BYP-003): read them once.
        full = calls.call("wafv2", region, "get_web_acl", resource=acl["ARN"],
                          Name=acl.get("Name", ""), Scope="REGIONAL", Id=acl.get("Id", ""))
        parsed = full if isinstance(full, Unavailable) else parse_web_acl(
            full.get("WebACL") or {})
        for arn in ours:
            found[arn] = parsed
    return found

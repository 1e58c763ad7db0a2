"""Catalogue 1.1's corrected terms, through the collectors, on API-shaped data: botocore's
Stubber validates every response against the service model, so the shapes are ones AWS
returns (condition-level RegexValues, staging and disabled distributions, the
GetFunction fallback, the applied rules quota)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from botocore.stub import Stubber

from auditor.collect import awslambda, cloudfront, elbv2
from auditor.collect.base import Calls
from auditor.collect.plan import Plan
from auditor.engine import evaluate
from auditor.findings import Status
from auditor.gaps import Unavailable
from auditor.rules import load_rules
from tests.scenario import (
    ALB_ARN,
    ALB_DNS,
    FIXED_403_DEFAULT,
    LISTENER_ARN,
    SECRET,
    TG_ARN,
    Scenario,
    rule,
)

RULES = {r.id: r for r in load_rules()}
REGION = "us-east-1"


def _listener_with(ctx, conditions: list[dict], actions: list[dict] | None = None):
    calls = Calls(ctx, "111122223333")
    client = ctx.client("elbv2", REGION)
    with Stubber(client) as stub:
        stub.add_response("describe_listeners", {"Listeners": [{
            "ListenerArn": LISTENER_ARN, "LoadBalancerArn": ALB_ARN, "Port": 443,
            "Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "MutualAuthentication": {"Mode": "verify"}}]}, {"LoadBalancerArn": ALB_ARN})
        stub.add_response("describe_rules", {"Rules": [
            {"RuleArn": LISTENER_ARN + "/r10", "Priority": "10", "IsDefault": False,
             "Conditions": conditions,
             "Actions": actions or [{"Type": "forward", "TargetGroupArn": TG_ARN}]},
            {"RuleArn": LISTENER_ARN + "/default", "Priority": "default", "IsDefault": True,
             "Conditions": [], "Actions": [{"Type": "fixed-response", "FixedResponseConfig": {
                 "StatusCode": "403"}}]}]}, {"ListenerArn": LISTENER_ARN})
        listeners = elbv2._listeners(calls, REGION, ALB_ARN)
    return listeners


def test_condition_level_regex_values_are_accepted_values(ctx):
    [listener] = _listener_with(ctx, [
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}},
        {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Origin-Verify"},
         "RegexValues": ["^" + SECRET + "$"]}])
    [condition] = listener.rules[0].header_conditions
    assert condition.accepted_count == 1  # it parsed as zero accepted values before 1.1
    assert listener.mutual_auth_mode == "verify"
    inventory = Scenario(listeners=(listener,)).build()
    for rule_id in ("BYP-003", "BYP-004"):
        [result] = evaluate(inventory, [RULES[rule_id]])
        assert result.status is Status.PASS, (rule_id, result.message)


def test_a_regex_that_only_some_readings_accept_is_an_error_not_a_verdict(ctx):
    [listener] = _listener_with(ctx, [
        {"Field": "http-header", "HttpHeaderConfig": {
            "HttpHeaderName": "X-Origin-Verify", "RegexValues": [SECRET[4:20]]}}])
    [result] = evaluate(Scenario(listeners=(listener,)).build(), [RULES["BYP-004"]])
    assert result.status is Status.ERROR and "Undetermined" in result.message
    assert SECRET[4:20] not in result.message


def test_host_source_ip_and_auth_conditions_are_read(ctx):
    [listener] = _listener_with(ctx, [
        {"Field": "host-header", "HostHeaderConfig": {"Values": ["API.example.com"]}},
        {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}}], [
        {"Type": "authenticate-oidc", "Order": 1, "AuthenticateOidcConfig": {
            "Issuer": "https://idp", "AuthorizationEndpoint": "https://idp/a",
            "TokenEndpoint": "https://idp/t", "UserInfoEndpoint": "https://idp/u",
            "ClientId": "c"}},
        {"Type": "forward", "Order": 2, "TargetGroupArn": TG_ARN}])
    rule = listener.rules[0]
    assert rule.host_headers == ("api.example.com",)
    assert rule.source_ips == ("10.0.0.0/8",)
    assert rule.action_types == ("authenticate-oidc", "forward")


CERT = "arn:aws:acm:us-east-1:111122223333:certificate/0f0e0d0c"


def _distribution_summary(**changes) -> dict:
    origin = {"Id": "alb", "DomainName": ALB_DNS, "CustomHeaders": {"Quantity": 0},
              "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                     "OriginProtocolPolicy": "https-only",
                                     "IpAddressType": "dualstack",
                                     "OriginMtlsConfig": {"ClientCertificateArn": CERT}},
              "ConnectionAttempts": 2, "ResponseCompletionTimeout": 60}
    return {"Id": "E1EXAMPLE", "ARN": "arn:aws:cloudfront::111122223333:distribution/E1EXAMPLE",
            "Status": "Deployed", "LastModifiedTime": "2026-11-01", "DomainName":
            "d111.cloudfront.net", "Aliases": {"Quantity": 1, "Items": ["shop.example.com"]},
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {"TargetOriginId": "alb",
                                     "ViewerProtocolPolicy": "redirect-to-https",
                                     "OriginRequestPolicyId": "custom-orp"},
            "CacheBehaviors": {"Quantity": 0}, "CustomErrorResponses": {"Quantity": 0},
            "Comment": "", "PriceClass": "PriceClass_All", "Enabled": True,
            "ViewerCertificate": {}, "Restrictions": {"GeoRestriction": {
                "RestrictionType": "none", "Quantity": 0}},
            "WebACLId": "", "HttpVersion": "http2", "IsIPV6Enabled": True, "Staging": False,
            **changes}


def _listed(ctx, *summaries):
    client = ctx.client("cloudfront", REGION)
    with Stubber(client) as stub:
        stub.add_response("list_distributions", {"DistributionList": {
            "Marker": "", "MaxItems": 100, "IsTruncated": False,
            "Quantity": len(summaries), "Items": list(summaries)}}, {})
        return cloudfront.collect(Calls(ctx, "111122223333"), "111122223333")


def test_enabled_staging_aliases_and_origin_settings_are_read(ctx):
    [dist] = _listed(ctx, _distribution_summary(Staging=True))
    assert dist.enabled and dist.staging and dist.aliases == ("shop.example.com",)
    [origin] = dist.origins
    assert (origin.ip_address_type, origin.connection_attempts,
            origin.response_completion_timeout_seconds) == ("dualstack", 2, 60)
    assert origin.mtls_certificate == CERT
    assert dist.behaviors[0].origin_request_policy_id == "custom-orp"
    # a staging distribution fronts like its primary, and says so
    inventory = Scenario(distributions=(replace(
        Scenario().distribution(), staging=True),)).build()
    [result] = evaluate(inventory, [RULES["BYP-005"]])
    assert result.status is Status.PASS and result.evidence["links"][0]["staging"] is True


def test_a_disabled_distribution_fronts_nothing(ctx):
    [dist] = _listed(ctx, _distribution_summary(Enabled=False))
    assert not dist.enabled
    scenario = Scenario(distributions=(replace(Scenario().distribution(), enabled=False),))
    [byp005] = evaluate(scenario.build(), [RULES["BYP-005"]])
    assert byp005.status is Status.FAIL  # nothing serves in front of it
    # and the stale header of a disabled distribution is not compared (BYP-004)
    assert evaluate(scenario.build(), [RULES["BYP-004"]]) == []


def test_get_function_denied_falls_back_to_get_function_configuration(ctx):
    calls = Calls(ctx, "111122223333")
    client = ctx.client("lambda", REGION)
    arn = "arn:aws:lambda:us-east-1:111122223333:function:api:live"
    plan = replace(Plan.everything(), facets=frozenset({"function_config"}))
    with Stubber(client) as stub:
        stub.add_client_error("get_function", "AccessDeniedException", "not allowed",
                              expected_params={"FunctionName": "api", "Qualifier": "live"})
        stub.add_response("get_function_configuration", {"FunctionName": "api",
                                                         "Timeout": 40},
                          {"FunctionName": "api", "Qualifier": "live"})
        fn = awslambda.collect_function(calls, REGION, "111122223333", arn, plan)
    assert fn.timeout_seconds == 40
    assert calls.failures == []  # recovered: no error in scan.errors


def test_both_function_reads_denied_is_an_error(ctx):
    calls = Calls(ctx, "111122223333")
    client = ctx.client("lambda", REGION)
    arn = "arn:aws:lambda:us-east-1:111122223333:function:api:live"
    plan = replace(Plan.everything(), facets=frozenset({"function_config"}))
    with Stubber(client) as stub:
        stub.add_client_error("get_function", "AccessDeniedException", "no")
        stub.add_client_error("get_function_configuration", "AccessDeniedException", "no")
        fn = awslambda.collect_function(calls, REGION, "111122223333", arn, plan)
    [result] = evaluate(Scenario(timeout=fn.timeout_seconds).build(), [RULES["LIM-001"]])
    assert result.status is Status.ERROR and "GetFunctionConfiguration" in result.message


def test_applied_rules_quota_is_read(ctx):
    calls = Calls(ctx, "111122223333")
    client = ctx.client("elbv2", REGION)
    with Stubber(client) as stub:
        stub.add_response("describe_account_limits", {"Limits": [
            {"Name": "target-groups", "Max": "3000"},
            {"Name": "rules-per-application-load-balancer", "Max": "200"}]}, {})
        assert elbv2.rules_quota(calls, REGION) == 200


def test_cost_without_any_datapoint_says_no_traffic_was_recorded():
    scenario = Scenario(edge_metrics={})
    [result] = evaluate(scenario.build(), [RULES["COST-001"]])
    assert result.status is Status.PASS and "No traffic was recorded" in result.message
    assert "0.0 M" not in result.message


# ------------------------------------------------------------------ WAF (Stubber)

VIS = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
ACL_ARN = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/origin-verify/1111"
GROUP_ARN = "arn:aws:wafv2:us-east-1:111122223333:global/rulegroup/rate/2222"
WAF_SECRET = "waf-origin-secret-value-5e6f7a8b"


def _web_acl(rules: list[dict], default: str = "Allow", **extra) -> dict:
    return {"Name": "acl", "Id": "1111", "ARN": ACL_ARN, "DefaultAction": {default: {}},
            "Rules": rules, "VisibilityConfig": VIS, "Capacity": 10, **extra}


def _header_rule(action: str, value: str, negate: bool = False) -> dict:
    match = {"ByteMatchStatement": {
        "SearchString": value.encode(), "FieldToMatch": {"SingleHeader": {
            "Name": "x-origin-verify"}},
        "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
        "PositionalConstraint": "EXACTLY"}}
    statement = {"NotStatement": {"Statement": match}} if negate else match
    return {"Name": "verify", "Priority": 0, "Statement": statement,
            "Action": {action: {}}, "VisibilityConfig": VIS}


def _alb_acl(ctx, acl: dict):
    from auditor.collect import wafv2

    client = ctx.client("wafv2", REGION)
    with Stubber(client) as stub:
        stub.add_response("get_web_acl_for_resource", {"WebACL": acl}, {"ResourceArn": ALB_ARN})
        return wafv2.alb_web_acl(Calls(ctx, "111122223333"), REGION, ALB_ARN)


UNCHECKED = Scenario().but(rules=(rule(headers=()), FIXED_403_DEFAULT))


@pytest.mark.parametrize("acl, expect", [
    (_web_acl([_header_rule("Allow", SECRET)], default="Block"), Status.PASS),
    (_web_acl([_header_rule("Block", SECRET, negate=True)]), Status.PASS),
    (_web_acl([_header_rule("Block", "short", negate=True)]), Status.FAIL),  # guessable
    (_web_acl([_header_rule("Count", SECRET)], default="Block"), Status.FAIL),  # not a guard
    (_web_acl([]), Status.FAIL),
])
def test_a_header_check_in_the_albs_web_acl_guards_every_rule(ctx, acl, expect):
    parsed = _alb_acl(ctx, acl)
    inventory = UNCHECKED.but(alb_acl=parsed).build()
    [result] = evaluate(inventory, [RULES["BYP-003"]])
    assert result.status is expect, result.message


def test_the_waf_search_string_is_a_secret_like_any_other(ctx):
    import json

    from auditor.headers import seal
    from auditor.scan import Collection, now
    from auditor.snapshot import dumps

    parsed = _alb_acl(ctx, _web_acl([_header_rule("Allow", WAF_SECRET)], default="Block"))
    inventory = UNCHECKED.but(alb_acl=parsed).build()
    sealed, secrets = seal(inventory)
    assert WAF_SECRET in {s.reveal() for s in secrets}
    text = dumps(Collection("id", now(), now(), (REGION,), 0, 0, {}, (sealed,)))
    assert WAF_SECRET not in text and WAF_SECRET.encode().hex() not in text
    check = sealed.regions[0].alb_web_acls[ALB_ARN].header_checks[0]
    assert (check.values, check.value_count, check.weak_count) == ((), 1, 0)
    [result] = evaluate(sealed, [RULES["BYP-003"]])
    assert result.status is Status.PASS and WAF_SECRET not in json.dumps(result.evidence)


def _edge_scenario(ctx, acl: dict, group_response=None):
    """The scenario with its edge ACL read through the collector (and its rule group)."""
    from auditor.collect import wafv2

    client = ctx.client("wafv2", "us-east-1")
    calls = Calls(ctx, "111122223333")
    with Stubber(client) as stub:
        stub.add_response("get_web_acl", {"WebACL": acl, "LockToken": "t"},
                          {"Name": "edge", "Scope": "CLOUDFRONT", "Id": "aaaa-bbbb"})
        parsed = wafv2.edge_web_acl(calls, Scenario().distribution().web_acl_id)
        groups = {}
        for arn in parsed.rule_groups:
            if group_response == "denied":
                stub.add_client_error("get_rule_group", "WAFNonexistentItemException", "gone")
            else:
                stub.add_response("get_rule_group", group_response, {"ARN": arn})
            groups[arn] = wafv2.rule_group_rate_limited(calls, arn)
    return Scenario(edge_acl=parsed), groups


RATE = {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}}
MANAGED = {"ManagedRuleGroupStatement": {"VendorName": "AWS",
                                         "Name": "AWSManagedRulesCommonRuleSet"}}


def _rule(name, statement, action=None, override=None):
    rule = {"Name": name, "Priority": len(name), "Statement": statement, "VisibilityConfig": VIS}
    if override:
        rule["OverrideAction"] = {override: {}}
    else:
        rule["Action"] = {action or "Block": {}}
    return rule


def _waf_result(scenario, groups, rule_id):
    inventory = replace(scenario.build(), edge_rule_groups=groups)
    [result] = evaluate(inventory, [RULES[rule_id]])
    return result


def test_count_mode_rules_protect_nothing(ctx):
    acl = _web_acl([_rule("rate", RATE, action="Count"),
                    _rule("common", MANAGED, override="Count")])
    scenario, groups = _edge_scenario(ctx, {**acl, "ARN": Scenario().distribution().web_acl_id})
    assert _waf_result(scenario, groups, "WAF-004").status is Status.FAIL
    assert _waf_result(scenario, groups, "WAF-005").status is Status.FAIL
    assert _waf_result(scenario, groups, "WAF-004").evidence["counting_rules"] == [
        "rate", "common"]


def test_a_rate_rule_in_a_firewall_manager_group_counts(ctx):
    fms = [{"Name": "fms", "Priority": 1, "OverrideAction": {"None": {}},
            "VisibilityConfig": VIS, "FirewallManagerStatement": {
                "RuleGroupReferenceStatement": {"ARN": GROUP_ARN}}}]
    acl = _web_acl([_rule("common", MANAGED, override="None")],
                   PreProcessFirewallManagerRuleGroups=fms, ManagedByFirewallManager=True)
    group = {"RuleGroup": {"Name": "rate", "Id": "2222", "ARN": GROUP_ARN, "Capacity": 5,
                           "VisibilityConfig": VIS, "Rules": [_rule("r", RATE)]}}
    scenario, groups = _edge_scenario(ctx, acl, group)
    assert _waf_result(scenario, groups, "WAF-004").status is Status.PASS
    assert _waf_result(scenario, groups, "WAF-005").status is Status.PASS


def test_an_unreadable_rule_group_is_an_error(ctx):
    acl = _web_acl([_rule("group", {"RuleGroupReferenceStatement": {"ARN": GROUP_ARN}},
                          override="None")])
    scenario, groups = _edge_scenario(ctx, acl, "denied")
    result = _waf_result(scenario, groups, "WAF-004")
    assert result.status is Status.ERROR and "wafv2:GetRuleGroup" in result.message


def test_standard_logging_v2_is_a_delivery_whose_source_is_the_distribution(ctx):
    dist_arn = Scenario().distribution().arn
    client = ctx.client("logs", "us-east-1")
    with Stubber(client) as stub:
        stub.add_response("describe_delivery_sources", {"deliverySources": [
            {"name": "cf-src", "service": "cloudfront", "logType": "ACCESS_LOGS",
             "resourceArns": [dist_arn]},
            {"name": "idle-src", "service": "cloudfront", "logType": "ACCESS_LOGS",
             "resourceArns": ["arn:aws:cloudfront::111122223333:distribution/EOTHER"]}]}, {})
        stub.add_response("describe_deliveries", {"deliveries": [
            {"id": "d1", "deliverySourceName": "cf-src",
             "deliveryDestinationArn": "arn:aws:logs:us-east-1:111122223333:"
                                       "delivery-destination:s3"}]}, {})
        found = cloudfront.logging_v2_sources(Calls(ctx, "111122223333"))
    assert found == {dist_arn}  # a source no delivery uses logs nothing


def test_prefix_list_entries_are_read_only_when_a_group_needs_them(ctx):
    from auditor.collect import ec2
    from auditor.inventory import IngressPermission, SecurityGroup

    cf = {"pl-3b927c52", "pl-5da64334"}
    only_cf = {"sg-1": SecurityGroup("sg-1", "alb", (IngressPermission(
        "tcp", 443, 443, prefix_list_ids=("pl-3b927c52",)),))}
    world = {"sg-1": SecurityGroup("sg-1", "alb", (IngressPermission(
        "tcp", 443, 443, ipv4_cidrs=("0.0.0.0/0",)),))}
    copy = {"sg-1": SecurityGroup("sg-1", "alb", (IngressPermission(
        "tcp", 443, 443, prefix_list_ids=("pl-0copy",)),))}
    assert ec2.entries_needed(only_cf, cf) == [] and ec2.entries_needed(world, cf) == []
    assert ec2.entries_needed(copy, cf) == ["pl-3b927c52", "pl-5da64334", "pl-0copy"]
    client = ctx.client("ec2", REGION)
    with Stubber(client) as stub:
        stub.add_response("get_managed_prefix_list_entries", {"Entries": [
            {"Cidr": "13.32.0.0/15"}, {"Cidr": "52.84.0.0/15"}]},
            {"PrefixListId": "pl-3b927c52"})
        found = ec2.prefix_list_entries(Calls(ctx, "111122223333"), REGION, "pl-3b927c52")
    assert found == ("13.32.0.0/15", "52.84.0.0/15")


def test_every_alias_url_is_listed_in_one_call_with_its_own_policy(ctx):
    """ListFunctionUrlConfigs answers for the function and all its aliases; a URL of
    another qualifier is judged by that qualifier's resource policy (GetPolicy)."""
    arn = "arn:aws:lambda:us-east-1:111122223333:function:api:live"
    base = "arn:aws:lambda:us-east-1:111122223333:function:api"
    public = ('{"Version":"2012-10-17","Statement":[{"Sid":"FunctionURLAllowPublicAccess",'
              '"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl",'
              '"Resource":"' + base + ':beta","Condition":{"StringEquals":'
              '{"lambda:FunctionUrlAuthType":"NONE"}}}]}')
    client = ctx.client("lambda", REGION)
    plan = replace(Plan.everything(), facets=frozenset({"function_urls", "function_policy"}))
    with Stubber(client) as stub:
        stub.add_client_error("get_policy", "ResourceNotFoundException", "none",
                              http_status_code=404,
                              expected_params={"FunctionName": "api", "Qualifier": "live"})
        stub.add_response("list_function_url_configs", {"FunctionUrlConfigs": [
            {"FunctionUrl": "https://abcdefgh.lambda-url.us-east-1.on.aws/", "FunctionArn": base,
             "CreationTime": "2026-01-01", "LastModifiedTime": "2026-01-01",
             "AuthType": "AWS_IAM", "InvokeMode": "BUFFERED"},
            {"FunctionUrl": "https://bcdefghi.lambda-url.us-east-1.on.aws/",
             "FunctionArn": base + ":beta", "CreationTime": "2026-01-01",
             "LastModifiedTime": "2026-01-01", "AuthType": "NONE",
             "InvokeMode": "RESPONSE_STREAM"}]}, {"FunctionName": "api"})
        stub.add_client_error("get_policy", "ResourceNotFoundException", "none",
                              http_status_code=404, expected_params={"FunctionName": "api"})
        stub.add_response("get_policy", {"Policy": public},
                          {"FunctionName": "api", "Qualifier": "beta"})
        fn = awslambda.collect_function(Calls(ctx, "111122223333"), REGION, "111122223333",
                                        arn, plan)
        stub.assert_no_pending_responses()
    assert [(u.qualifier, u.auth_type, u.invoke_mode) for u in fn.urls] == [
        (None, "AWS_IAM", "BUFFERED"), ("beta", "NONE", "RESPONSE_STREAM")]
    [result] = evaluate(Scenario(urls=fn.urls, policy=fn.policy).build(), [RULES["BYP-006"]])
    assert result.status is Status.FAIL and "beta" in result.message


# ------------------------------------------------------------------ multi-tenant (1.1)

TENANT_ACL = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/tenant-b/cccc"


def _tenant_inventory(*tenants, tenant_acl=None):
    from auditor.inventory import WebAcl

    scenario = Scenario()
    dist = replace(scenario.distribution(), connection_mode="tenant-only", tenants=tenants)
    inventory = scenario.but(distributions=(dist,)).build()
    acls = dict(inventory.edge_web_acls)
    acls[TENANT_ACL] = tenant_acl or WebAcl(TENANT_ACL, "tenant-b", False, True)
    return replace(inventory, edge_web_acls=acls)


def test_tenants_are_read_with_their_web_acl_customisations(ctx):
    dist = Scenario().distribution()
    client = ctx.client("cloudfront", REGION)
    with Stubber(client) as stub:
        stub.add_response("list_distribution_tenants", {"DistributionTenantList": [
            {"Id": "dt-1", "DistributionId": dist.id, "Name": "tenant-a",
             "Arn": "arn:aws:cloudfront::111122223333:distribution-tenant/dt-1",
             "Domains": [{"Domain": "a.example.com", "Status": "active"}],
             "Customizations": {"WebAcl": {"Action": "disable"}}, "Enabled": True,
             "CreatedTime": "2026-01-01", "LastModifiedTime": "2026-01-01", "ETag": "e"},
            {"Id": "dt-2", "DistributionId": dist.id, "Name": "tenant-b",
             "Arn": "arn:aws:cloudfront::111122223333:distribution-tenant/dt-2",
             "Domains": [{"Domain": "b.example.com", "Status": "active"}],
             "Customizations": {"WebAcl": {"Action": "override", "Arn": TENANT_ACL}},
             "Enabled": True, "CreatedTime": "2026-01-01", "LastModifiedTime": "2026-01-01",
             "ETag": "e"}]}, {"AssociationFilter": {"DistributionId": dist.id}})
        found = cloudfront.tenants(Calls(ctx, "111122223333"), dist)
    assert [(t.name, t.web_acl_action, t.web_acl_arn, t.domains) for t in found] == [
        ("tenant-a", "disable", "", ("a.example.com",)),
        ("tenant-b", "override", TENANT_ACL, ("b.example.com",))]


def test_a_tenant_that_disables_waf_has_no_edge_layer():
    from auditor.inventory import Tenant

    inventory = _tenant_inventory(Tenant("dt-1", "tenant-a", True, web_acl_action="disable"),
                                  Tenant("dt-2", "tenant-b", True))
    [waf001] = evaluate(inventory, [RULES["WAF-001"]])
    assert waf001.status is Status.FAIL and "tenant-a" in waf001.message
    [waf004] = evaluate(inventory, [RULES["WAF-004"]])  # tenant-b uses the distribution's
    assert waf004.status is Status.PASS


def test_a_tenant_override_is_judged_by_its_own_web_acl():
    from auditor.inventory import Tenant

    inventory = _tenant_inventory(Tenant("dt-1", "tenant-a", True),
                                  Tenant("dt-2", "tenant-b", True, web_acl_action="override",
                                         web_acl_arn=TENANT_ACL))
    [waf004] = evaluate(inventory, [RULES["WAF-004"]])
    assert waf004.status is Status.FAIL and "tenant-b" in waf004.message
    assert waf004.evidence["tenant_web_acls"] == {"tenant-a": "edge", "tenant-b": "tenant-b"}
    [waf001] = evaluate(inventory, [RULES["WAF-001"]])
    assert waf001.status is Status.PASS


def test_unread_tenants_are_an_error():
    scenario = Scenario()
    dist = replace(scenario.distribution(), connection_mode="tenant-only",
                   tenants=Unavailable("cloudfront:ListDistributionTenants", "AccessDenied",
                                       "no"))
    inventory = scenario.but(distributions=(dist,)).build()
    for rule_id in ("WAF-001", "WAF-004"):
        [result] = evaluate(inventory, [RULES[rule_id]])
        assert result.status is Status.ERROR and "ListDistributionTenants" in result.message


def test_a_tenant_domain_is_a_host_the_alb_sees_when_host_is_forwarded():
    from auditor.inventory import Tenant
    from tests.scenario import BEHAVIORS, header_condition

    forwarded = (replace(BEHAVIORS[0],
                         origin_request_policy_id="216adef6-5c7f-47e4-b989-5492eafa07d3"),)
    stale = replace(rule("5", headers=(header_condition("an-old-value-nobody-sends-3b"),),
                         paths=("/t/*",)), host_headers=("b.example.com",))
    scenario = Scenario(behaviors=forwarded, rules=(rule(), stale, FIXED_403_DEFAULT))
    for domains, expect in ((("b.example.com",), Status.FAIL), (("c.example.com",), Status.PASS)):
        dist = replace(scenario.distribution(), connection_mode="tenant-only",
                       tenants=(Tenant("dt-2", "tenant-b", True, domains),))
        [result] = evaluate(scenario.but(distributions=(dist,)).build(), [RULES["BYP-004"]])
        assert result.status is expect, (domains, result.message)

"""Firing, quiet and out-of-scope cases for every rule, over hand-built inventories.

``expect`` is the status of the rule's result for the scenario's one subject: "fail",
"pass", "error", or "none" (the rule does not apply, so it gives no result). The
registry test checks that every rule has at least one "fail" and one "pass" case here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from auditor.inventory import (
    FunctionUrl,
    HealthCheck,
    IngressPermission,
    MetricSeries,
    OriginHeader,
    PolicyStatement,
    WebAcl,
)
from auditor.secrets import Secret
from tests.scenario import (
    ALB_DNS,
    BEHAVIORS,
    EDGE_ACL_ARN,
    FIXED_403_DEFAULT,
    GOOD_HEALTH,
    IPV6_PREFIX_LIST,
    LAST_DAY,
    PREFIX_INGRESS,
    PREFIX_LIST,
    SCOPED_POLICY,
    SECRET,
    TG_ARN,
    WORLD_INGRESS,
    Scenario,
    alb_metric,
    denied,
    header_condition,
    rule,
)

BASE = Scenario()
ALB_ACL = WebAcl(
    "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/alb/cccc", "alb", False, True
)
HTTPS_LISTENER = BASE.alb().listeners[0]
PUBLIC_URL_GRANT = PolicyStatement(
    "FunctionURLAllowPublicAccess", "Allow", ("lambda:InvokeFunctionUrl",), ("*",),
    ("lambda:functionurlauthtype",), url_auth_type="NONE")
UNSCOPED = (
    PolicyStatement(
        "elb", "Allow", ("lambda:InvokeFunction",), ("elasticloadbalancing.amazonaws.com",), ()
    ),
)


@dataclass(frozen=True)
class Case:
    rule: str
    expect: str
    name: str
    scenario: Scenario

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.expect}-{self.name}"


def hc(**changes) -> Scenario:
    from dataclasses import replace

    return BASE.but(health=replace(GOOD_HEALTH, **changes))


CASES = [
    # --- BYP-001 alb-open-to-internet
    Case("BYP-001", "fail", "ipv4-world", BASE.but(ingress=(WORLD_INGRESS,))),
    Case(
        "BYP-001",
        "fail",
        "ipv6-world",
        BASE.but(ingress=(IngressPermission("tcp", 443, 443, ipv6_cidrs=("::/0",)),)),
    ),
    Case(
        "BYP-001",
        "fail",
        "all-traffic",
        BASE.but(ingress=(IngressPermission("-1", None, None, ipv4_cidrs=("0.0.0.0/0",)),)),
    ),
    Case("BYP-001", "pass", "prefix-list-only", BASE),
    Case(
        "BYP-001",
        "pass",
        "world-on-other-port",
        BASE.but(
            ingress=(PREFIX_INGRESS, IngressPermission("tcp", 22, 22, ipv4_cidrs=("0.0.0.0/0",)))
        ),
    ),
    Case("BYP-001", "none", "internal", BASE.but(scheme="internal", ingress=(WORLD_INGRESS,))),
    Case("BYP-001", "none", "not-fronted", BASE.but(fronted=False, ingress=(WORLD_INGRESS,))),
    Case(
        "BYP-001",
        "error",
        "sg-denied",
        BASE.but(security_groups=denied("ec2:DescribeSecurityGroups")),
    ),
    Case(
        "BYP-001",
        "error",
        "distributions-denied",
        BASE.but(distributions=denied("cloudfront:ListDistributions")),
    ),
    # --- BYP-002 origin-header-missing
    Case("BYP-002", "fail", "no-headers", BASE.but(origin_headers=())),
    Case("BYP-002", "pass", "header-sent", BASE),
    # 1.1: origin mTLS verified by the listener proves the request came from CloudFront
    Case("BYP-002", "pass", "origin-mtls-verified", BASE.but(
        origin_headers=(), origin_mtls="arn:aws:acm:us-east-1:111122223333:certificate/c1",
        listeners=(replace(HTTPS_LISTENER, mutual_auth_mode="verify"),))),
    Case("BYP-002", "fail", "origin-mtls-not-verified", BASE.but(
        origin_headers=(), origin_mtls="arn:aws:acm:us-east-1:111122223333:certificate/c1",
        listeners=(replace(HTTPS_LISTENER, mutual_auth_mode="passthrough"),))),
    Case("BYP-002", "none", "not-fronted", BASE.but(fronted=False)),
    # --- BYP-003 origin-header-not-enforced
    Case(
        "BYP-003",
        "fail",
        "rule-without-header",
        BASE.but(rules=(rule(headers=()), FIXED_403_DEFAULT)),
    ),
    Case(
        "BYP-003",
        "fail",
        "default-forwards",
        BASE.but(rules=(rule(), rule(default=True, target=TG_ARN))),
    ),
    Case(
        "BYP-003",
        "fail",
        "checks-other-header",
        BASE.but(
            rules=(rule(headers=(header_condition(SECRET, name="X-Other"),)), FIXED_403_DEFAULT)
        ),
    ),
    Case("BYP-003", "fail", "nothing-sent", BASE.but(origin_headers=())),
    Case("BYP-003", "pass", "every-rule-checks", BASE),
    Case(
        "BYP-003",
        "pass",
        "name-case-differs",
        BASE.but(
            rules=(
                rule(headers=(header_condition(SECRET, name="x-origin-VERIFY"),)),
                FIXED_403_DEFAULT,
            )
        ),
    ),
    Case("BYP-003", "none", "internal", BASE.but(scheme="internal", rules=(rule(headers=()),))),
    Case("BYP-003", "error", "rules-denied", BASE.but(listeners=denied("elbv2:DescribeListeners"))),
    # --- BYP-004 origin-header-mismatch
    Case(
        "BYP-004",
        "fail",
        "old-value-only",
        BASE.but(rules=(rule(headers=(header_condition("old-value-0000"),)), FIXED_403_DEFAULT)),
    ),
    Case(
        "BYP-004",
        "fail",
        "regex-misses",
        BASE.but(
            rules=(rule(headers=(header_condition(regex=("^other-.*$",)),)), FIXED_403_DEFAULT)
        ),
    ),
    Case("BYP-004", "pass", "exact", BASE),
    Case(
        "BYP-004",
        "pass",
        "wildcard",
        BASE.but(rules=(rule(headers=(header_condition("S3CR3T-origin-*"),)), FIXED_403_DEFAULT)),
    ),
    Case(
        "BYP-004",
        "pass",
        "question-mark",
        BASE.but(rules=(rule(headers=(header_condition(SECRET[:-1] + "?"),)), FIXED_403_DEFAULT)),
    ),
    Case(
        "BYP-004",
        "pass",
        "regex",
        BASE.but(
            rules=(rule(headers=(header_condition(regex=("^s3cr3t-.*$",)),)), FIXED_403_DEFAULT)
        ),
    ),
    Case(
        "BYP-004",
        "pass",
        "rotation-both-values",
        BASE.but(
            rules=(
                rule("10", headers=(header_condition("old-value-0000"),)),
                rule("11", headers=(header_condition(SECRET),)),
                FIXED_403_DEFAULT,
            )
        ),
    ),
    Case(
        "BYP-004",
        "pass",
        "one-of-three-values",
        BASE.but(
            rules=(
                rule(headers=(header_condition("a-old-value", SECRET, "c-next"),)),
                FIXED_403_DEFAULT,
            )
        ),
    ),
    Case("BYP-004", "none", "not-fronted", BASE.but(fronted=False)),
    # --- BYP-005 alb-not-behind-cloudfront
    Case("BYP-005", "fail", "no-distribution", BASE.but(fronted=False)),
    # no record resolves it, and the listener's *.example.com certificate cannot cover it
    Case("BYP-005", "fail", "origin-elsewhere", BASE.but(origin_domain="other.example.net")),
    Case("BYP-005", "pass", "fronted", BASE),
    Case(
        "BYP-005",
        "pass",
        "dualstack-upper-case",
        BASE.but(origin_domain=("dualstack." + ALB_DNS).upper()),
    ),
    Case("BYP-005", "none", "internal", BASE.but(scheme="internal", fronted=False)),
    Case(
        "BYP-005",
        "error",
        "distributions-denied",
        BASE.but(distributions=denied("cloudfront:ListDistributions")),
    ),
    # --- BYP-006 function-url-public (1.1: the resource policy decides, as AWS does)
    Case("BYP-006", "fail", "unqualified-url-none-public-grant", BASE.but(
        urls=(FunctionUrl(None, "NONE", (PUBLIC_URL_GRANT,)),))),
    Case("BYP-006", "fail", "alias-url-none", BASE.but(
        urls=(FunctionUrl(None, "AWS_IAM", ()), FunctionUrl("live", "NONE")),
        policy=(*SCOPED_POLICY, PUBLIC_URL_GRANT))),
    Case("BYP-006", "fail", "iam-url-open-to-any-principal", BASE.but(
        urls=(FunctionUrl("live", "AWS_IAM"),), policy=(*SCOPED_POLICY, replace(
            PUBLIC_URL_GRANT, url_auth_type="AWS_IAM",
            condition_keys=("lambda:functionurlauthtype",))))),
    Case("BYP-006", "pass", "none-url-without-grant-answers-403", BASE.but(
        urls=(FunctionUrl("live", "NONE"),))),
    Case("BYP-006", "pass", "iam-url-narrowed-to-org", BASE.but(
        urls=(FunctionUrl("live", "AWS_IAM"),), policy=(*SCOPED_POLICY, replace(
            PUBLIC_URL_GRANT, url_auth_type="AWS_IAM",
            condition_keys=("lambda:functionurlauthtype", "aws:principalorgid"))))),
    Case("BYP-006", "pass", "no-url", BASE),
    Case("BYP-006", "pass", "iam-url", BASE.but(urls=(FunctionUrl(None, "AWS_IAM", ()),))),
    Case("BYP-006", "error", "url-denied", BASE.but(urls=denied("lambda:ListFunctionUrlConfigs"))),
    Case("BYP-006", "error", "url-policy-denied", BASE.but(
        urls=(FunctionUrl(None, "NONE", denied("lambda:GetPolicy")),))),
    # --- BYP-007 alb-invoke-permission-unscoped
    Case("BYP-007", "fail", "no-condition", BASE.but(policy=UNSCOPED)),
    Case(
        "BYP-007",
        "fail",
        "anyone",
        BASE.but(policy=(PolicyStatement("all", "Allow", ("lambda:*",), ("*",), ()),)),
    ),
    Case("BYP-007", "pass", "source-arn", BASE),
    # 1.1: the target group is always in the function's account: SourceAccount scopes nothing
    Case("BYP-007", "fail", "source-account-alone", BASE.but(policy=(replace(
        UNSCOPED[0], condition_keys=("aws:sourceaccount",)),))),
    Case("BYP-007", "fail", "source-arn-wildcard-target-group", BASE.but(policy=(replace(
        SCOPED_POLICY[0], source_arns=(TG_ARN.rsplit("/", 2)[0] + "/*",)),))),
    Case("BYP-007", "pass", "function-url-grant-is-byp-006s", BASE.but(policy=(
        PUBLIC_URL_GRANT, replace(PUBLIC_URL_GRANT, actions=("lambda:InvokeFunction",),
                                  condition_keys=("lambda:invokedviafunctionurl",))))),
    Case("BYP-007", "pass", "no-policy", BASE.but(policy=())),
    Case("BYP-007", "error", "policy-denied", BASE.but(policy=denied("lambda:GetPolicy"))),
    # --- BYP-008 origin-not-https
    Case("BYP-008", "fail", "http-only", BASE.but(origin_protocol="http-only")),
    Case("BYP-008", "fail", "match-viewer-allow-all", BASE.but(
        origin_protocol="match-viewer",
        behaviors=(BEHAVIORS[0], replace(BEHAVIORS[1], viewer_protocol_policy="allow-all")))),
    # 1.1: every behaviour redirects to HTTPS, so match-viewer always connects over HTTPS
    Case("BYP-008", "pass", "match-viewer-https-behaviours", BASE.but(
        origin_protocol="match-viewer")),
    Case("BYP-008", "pass", "https-only", BASE),
    # --- SG-001 alb-sg-not-prefix-list
    Case(
        "SG-001",
        "fail",
        "private-cidr",
        BASE.but(
            ingress=(PREFIX_INGRESS, IngressPermission("tcp", 443, 443, ipv4_cidrs=("10.0.0.0/8",)))
        ),
    ),
    Case(
        "SG-001",
        "fail",
        "group-reference",
        BASE.but(
            ingress=(PREFIX_INGRESS, IngressPermission("tcp", 443, 443, group_ids=("sg-0aaa",)))
        ),
    ),
    Case(
        "SG-001",
        "fail",
        "other-prefix-list",
        BASE.but(ingress=(IngressPermission("tcp", 443, 443, prefix_list_ids=("pl-0other",)),)),
    ),
    Case("SG-001", "pass", "prefix-list-only", BASE),
    Case("SG-001", "pass", "ipv6-cloudfront-list", BASE.but(ingress=(
        PREFIX_INGRESS, IngressPermission("tcp", 443, 443, prefix_list_ids=(IPV6_PREFIX_LIST,))))),
    Case("SG-001", "pass", "world-is-byp-001s", BASE.but(ingress=(WORLD_INGRESS,))),
    # 1.1: a customer copy of CloudFront's ranges, or CIDRs inside them, are CloudFront's
    Case("SG-001", "pass", "customer-copy-of-cloudfront", BASE.but(
        ingress=(IngressPermission("tcp", 443, 443, prefix_list_ids=("pl-0copy",)),),
        prefix_entries={**BASE.prefix_entries, "pl-0copy": ("13.32.0.0/16", "52.84.0.0/15")})),
    Case("SG-001", "pass", "cidr-inside-cloudfront", BASE.but(ingress=(
        PREFIX_INGRESS, IngressPermission("tcp", 443, 443, ipv4_cidrs=("13.33.0.0/16",))))),
    Case("SG-001", "fail", "copy-with-one-foreign-entry", BASE.but(
        ingress=(IngressPermission("tcp", 443, 443, prefix_list_ids=("pl-0copy",)),),
        prefix_entries={**BASE.prefix_entries, "pl-0copy": ("13.32.0.0/16", "10.0.0.0/8")})),
    Case("SG-001", "error", "entries-denied", BASE.but(
        ingress=(IngressPermission("tcp", 443, 443, prefix_list_ids=("pl-0copy",)),),
        prefix_entries={**BASE.prefix_entries,
                        "pl-0copy": denied("ec2:GetManagedPrefixListEntries")})),
    Case("SG-001", "none", "internal", BASE.but(scheme="internal")),
    Case(
        "SG-001",
        "error",
        "prefix-list-denied",
        BASE.but(prefix_list=denied("ec2:DescribeManagedPrefixLists")),
    ),
    # --- SG-002 origin-port-blocked
    Case(
        "SG-002",
        "fail",
        "no-listener-on-443",
        BASE.but(
            listener_ports=(80,),
            ingress=(IngressPermission("tcp", 80, 80, prefix_list_ids=(PREFIX_LIST,)),),
        ),
    ),
    Case(
        "SG-002",
        "fail",
        "private-cidr-only",
        BASE.but(ingress=(IngressPermission("tcp", 443, 443, ipv4_cidrs=("10.0.0.0/8",)),)),
    ),
    Case(
        "SG-002",
        "fail",
        "group-only",
        BASE.but(ingress=(IngressPermission("tcp", 443, 443, group_ids=("sg-0aaa",)),)),
    ),
    Case("SG-002", "pass", "prefix-list", BASE),
    # 1.1: a public range that is not all of CloudFront's does not let CloudFront in
    Case(
        "SG-002",
        "fail",
        "office-range-is-not-cloudfront",
        BASE.but(ingress=(IngressPermission("tcp", 443, 443, ipv4_cidrs=("13.32.0.0/15",)),)),
    ),
    Case("SG-002", "pass", "world-covers-cloudfront", BASE.but(ingress=(WORLD_INGRESS,))),
    Case("SG-002", "pass", "customer-copy-admits-cloudfront", BASE.but(
        ingress=(IngressPermission("tcp", 443, 443, prefix_list_ids=("pl-0copy",)),),
        prefix_entries={**BASE.prefix_entries, "pl-0copy": ("13.32.0.0/15", "52.84.0.0/15")})),
    Case("SG-002", "pass", "cidrs-holding-every-entry", BASE.but(ingress=(IngressPermission(
        "tcp", 443, 443, ipv4_cidrs=("13.0.0.0/8", "52.0.0.0/8", "120.52.0.0/16")),))),
    Case("SG-002", "error", "cloudfront-entries-denied", BASE.but(
        ingress=(IngressPermission("tcp", 443, 443, ipv4_cidrs=("13.0.0.0/8",)),),
        prefix_entries={**BASE.prefix_entries,
                        PREFIX_LIST: denied("ec2:GetManagedPrefixListEntries")})),
    Case("SG-002", "fail", "ipv6-origin-ipv4-list-only", BASE.but(origin_ip_type="ipv6")),
    Case("SG-002", "fail", "dualstack-origin-ipv4-list-only",
         BASE.but(origin_ip_type="dualstack")),
    Case("SG-002", "pass", "dualstack-origin-both-lists", BASE.but(
        origin_ip_type="dualstack", ingress=(PREFIX_INGRESS, IngressPermission(
            "tcp", 443, 443, prefix_list_ids=(IPV6_PREFIX_LIST,))))),
    Case("SG-002", "fail", "http-origin-port-80-closed", BASE.but(
        origin_protocol="http-only", listener_ports=(443, 80))),
    Case("SG-002", "pass", "match-viewer-https-behaviours-use-443", BASE.but(
        origin_protocol="match-viewer")),
    Case("SG-002", "error", "prefix-list-denied",
         BASE.but(prefix_list=denied("ec2:DescribeManagedPrefixLists"))),
    Case("SG-002", "none", "not-fronted", BASE.but(fronted=False)),
    # --- TG-001 multi-value-headers-disabled
    Case(
        "TG-001",
        "fail",
        "false",
        BASE.but(tg_attributes={"lambda.multi_value_headers.enabled": "false"}),
    ),
    Case("TG-001", "fail", "absent", BASE.but(tg_attributes={})),
    Case("TG-001", "pass", "true", BASE),
    Case(
        "TG-001",
        "error",
        "denied",
        BASE.but(tg_attributes=denied("elbv2:DescribeTargetGroupAttributes")),
    ),
    # --- HC-001..HC-005
    Case("HC-001", "fail", "default-35", hc(interval_seconds=35)),
    Case("HC-001", "fail", "absent-means-35", hc(interval_seconds=None)),
    Case("HC-001", "pass", "60", BASE),
    Case("HC-001", "none", "health-checks-off", hc(enabled=False, interval_seconds=35)),
    Case("HC-002", "fail", "5", hc(timeout_seconds=5)),
    Case("HC-002", "pass", "10", BASE),
    Case("HC-002", "pass", "default-30", hc(timeout_seconds=None)),
    Case("HC-002", "none", "health-checks-off", hc(enabled=False, timeout_seconds=2)),
    Case("HC-003", "fail", "2", hc(unhealthy_threshold=2)),
    Case("HC-003", "pass", "3", BASE),
    # 1.1: an absent threshold takes AWS's Lambda default of 5 (it raised KeyError before)
    Case("HC-003", "pass", "default-5", hc(unhealthy_threshold=None)),
    Case("HC-003", "none", "health-checks-off", hc(enabled=False, unhealthy_threshold=1)),
    Case("HC-003", "error", "targets-listing-denied",
         BASE.but(target_groups=denied("elbv2:DescribeTargetGroups"))),
    Case("HC-004", "fail", "5", hc(healthy_threshold=5)),
    Case("HC-004", "pass", "3", BASE),
    Case("HC-004", "fail", "default-5", hc(healthy_threshold=None)),
    Case("HC-004", "none", "health-checks-off", hc(enabled=False, healthy_threshold=9)),
    Case("HC-005", "fail", "root", hc(path="/")),
    Case("HC-005", "fail", "empty", hc(path="")),
    Case("HC-005", "pass", "health", BASE),
    # --- HC-006 cold-start-exposure
    Case("HC-006", "fail", "none-configured", BASE.but(provisioned=None)),
    Case(
        "HC-006",
        "fail",
        "unqualified",
        BASE.but(
            function_arn="arn:aws:lambda:us-east-1:111122223333:function:web-api",
            targets=("arn:aws:lambda:us-east-1:111122223333:function:web-api",),
            provisioned=None,
        ),
    ),
    Case("HC-006", "pass", "configured", BASE),
    Case(
        "HC-006",
        "none",
        "health-checks-off",
        BASE.but(health=HealthCheck(False, None, None, None, None, None), provisioned=None),
    ),
    Case(
        "HC-006",
        "error",
        "denied",
        BASE.but(provisioned=denied("lambda:GetProvisionedConcurrencyConfig")),
    ),
    # --- LIM-001 lambda-timeout-over-idle-timeout
    Case("LIM-001", "fail", "120-over-default-60", BASE.but(timeout=120, alb_attributes={})),
    Case("LIM-001", "fail", "90-over-60", BASE.but(timeout=90)),
    Case("LIM-001", "pass", "25", BASE),
    Case(
        "LIM-001",
        "pass",
        "120-under-180",
        BASE.but(timeout=120, alb_attributes={"idle_timeout.timeout_seconds": "180"}),
    ),
    Case(
        "LIM-001",
        "error",
        "config-denied",
        BASE.but(timeout=denied("lambda:GetFunction")),
    ),
    # --- LIM-002 lambda-timeout-over-origin-timeout
    Case("LIM-002", "fail", "45-over-30", BASE.but(timeout=45)),
    Case("LIM-002", "pass", "25-under-30", BASE),
    Case("LIM-002", "pass", "45-under-60", BASE.but(timeout=45, origin_read_timeout=60)),
    Case("LIM-002", "none", "not-fronted", BASE.but(timeout=45, fronted=False)),
    # --- LIM-004 upload-route-to-lambda
    Case("LIM-004", "fail", "post", BASE.but(rules=(rule(methods=("POST",)), FIXED_403_DEFAULT))),
    Case(
        "LIM-004",
        "fail",
        "upload-path",
        BASE.but(rules=(rule(paths=("/api/Upload/*",)), FIXED_403_DEFAULT)),
    ),
    Case("LIM-004", "pass", "get-api", BASE.but(rules=(rule(methods=("GET",)), FIXED_403_DEFAULT))),
    # 1.1: upload words are path segments, not substrings
    Case("LIM-004", "pass", "profile-is-not-file", BASE.but(
        rules=(rule(paths=("/api/profile/*",)), FIXED_403_DEFAULT))),
    Case("LIM-004", "fail", "files-segment", BASE.but(
        rules=(rule(paths=("/api/files*",)), FIXED_403_DEFAULT))),
    Case("LIM-004", "pass", "importer-is-not-import", BASE.but(
        rules=(rule(paths=("/importer/*",)), FIXED_403_DEFAULT))),
    # --- WAF-001..WAF-006
    Case("WAF-001", "fail", "no-acl", BASE.but(edge_acl=None, alb_acl=None)),
    Case("WAF-001", "pass", "edge-acl", BASE),
    Case("WAF-001", "pass", "alb-acl", BASE.but(edge_acl=None, alb_acl=ALB_ACL)),
    Case("WAF-001", "none", "not-fronted", BASE.but(fronted=False)),
    Case("WAF-001", "error", "edge-acl-denied", BASE.but(edge_acl=denied("wafv2:GetWebACL"))),
    Case("WAF-002", "fail", "alb-only", BASE.but(edge_acl=None, alb_acl=ALB_ACL)),
    Case("WAF-002", "pass", "edge-only", BASE),
    Case("WAF-002", "pass", "neither-is-waf-001s", BASE.but(edge_acl=None)),
    Case(
        "WAF-002",
        "error",
        "alb-acl-denied",
        BASE.but(edge_acl=None, alb_acl=denied("wafv2:GetWebACLForResource")),
    ),
    Case("WAF-003", "fail", "both", BASE.but(alb_acl=ALB_ACL)),
    Case("WAF-003", "pass", "edge-only", BASE),
    Case(
        "WAF-004",
        "fail",
        "no-rate-rule",
        BASE.but(edge_acl=WebAcl(EDGE_ACL_ARN, "edge", False, True)),
    ),
    Case("WAF-004", "pass", "rate-rule", BASE),
    Case("WAF-004", "none", "no-edge-acl", BASE.but(edge_acl=None)),
    Case(
        "WAF-005",
        "fail",
        "no-managed-group",
        BASE.but(edge_acl=WebAcl(EDGE_ACL_ARN, "edge", True, False)),
    ),
    Case("WAF-005", "pass", "managed-group", BASE),
    Case("WAF-006", "fail", "public-no-acl", BASE.but(fronted=False)),
    Case("WAF-006", "pass", "public-with-acl", BASE.but(fronted=False, alb_acl=ALB_ACL)),
    Case("WAF-006", "none", "fronted", BASE),
    Case("WAF-006", "none", "internal", BASE.but(fronted=False, scheme="internal")),
]

# Headers CloudFront sends whose values must never show in any output.
SECRET_VALUES = [SECRET, "old-value-0000", "S3CR3T-origin-*"]
_ = OriginHeader, Secret  # re-exported for case authors

# ---------------------------------------------------------------- phase 2
from auditor.inventory import (  # noqa: E402
    AlarmWatch,
    Behavior,
    CachePolicy,
    Listener,
    RestApi,
)
from tests.scenario import (  # noqa: E402
    ALARMS,
    ALB_ARN,
    BEHAVIORS,
    CACHING_DISABLED,
    CACHING_OPTIMIZED,
    HARDENED_ATTRIBUTES,
    LISTENER_ARN,
    dist_metric,
    fn_metric,
)

ALL_DISABLED = (Behavior("*", "alb", "redirect-to-https", CACHING_DISABLED),)
REDIRECT_DEFAULT = rule(default=True, target="")
REDIRECT_DEFAULT = type(REDIRECT_DEFAULT)(**{**REDIRECT_DEFAULT.__dict__,
                                             "action_type": "redirect",
                                             "redirect_protocol": "HTTPS"})
HTTP_REDIRECT = Listener(f"{LISTENER_ARN}-80", 80, "HTTP", (REDIRECT_DEFAULT,))
HTTPS = Listener(f"{LISTENER_ARN}-443", 443, "HTTPS", (rule(), FIXED_403_DEFAULT),
                 "ELBSecurityPolicy-TLS13-1-2-2021-06")
OLD_TLS = "ELBSecurityPolicy-2016-08"
API = RestApi("a1b2c3", "partner", "111122223333", "us-east-1", 9)
OTHER_ALB = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/other/99"


def attrs(**changes) -> dict:
    return {**HARDENED_ATTRIBUTES, **{k.replace("__", "."): v for k, v in changes.items()}}


def many_rules(n: int):
    return tuple(rule(str(i), paths=(f"/r{i}/*",)) for i in range(1, n + 1)) + (
        FIXED_403_DEFAULT,)


def second_alb(tg_count: int, **other_changes):
    """A second small Lambda ALB in the region (for ALB-010); both have few groups."""
    scenario = BASE.but(target_group_count=1)
    alb = scenario.alb()
    other = type(alb)(**{**alb.__dict__, "arn": OTHER_ALB, "name": "other",
                         "dns_name": "other-1.us-east-1.elb.amazonaws.com",
                         "target_group_count": tg_count, **other_changes})
    tg = type(BASE.build().regions[0].target_groups[0])
    groups = [tg(f"{TG_ARN}-o{i}", f"o{i}", "lambda", "111122223333", "us-east-1",
                 (OTHER_ALB,), BASE.health) for i in range(tg_count)]
    rules_ = tuple(rule(str(i + 1), target=g.arn) for i, g in enumerate(groups))
    other = type(alb)(**{**other.__dict__, "listeners": (
        Listener(f"{LISTENER_ARN}-o", 443, "HTTPS", rules_ + (FIXED_403_DEFAULT,),
                 "ELBSecurityPolicy-TLS13-1-2-2021-06"),)})
    base_tg = BASE.build().regions[0].target_groups[0]
    return scenario.but(load_balancers=(alb, other), target_groups=(base_tg, *groups))



def two_distributions():
    """The scenario's distribution, and a second one that sends another header name."""
    first = BASE.distribution()
    origin = replace(first.origins[0], custom_headers=(
        OriginHeader("X-Edge-Key", Secret("another-long-origin-secret-0c1d")),))
    return (first, replace(first, id="E2EXAMPLE", arn=first.arn.replace("E1", "E2"),
                           origins=(origin,)))


ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"


CASES += [
    # --- CF-001 viewer-http-allowed
    Case("CF-001", "fail", "allow-all", BASE.but(behaviors=(
        Behavior("*", "alb", "allow-all", CACHING_DISABLED),))),
    Case("CF-001", "fail", "through-origin-group", BASE.but(
        origin_groups={"failover": ("alb", "backup")},
        behaviors=(Behavior("*", "failover", "allow-all", CACHING_DISABLED),))),
    Case("CF-001", "pass", "redirect", BASE),
    Case("CF-001", "pass", "allow-all-to-other-origin", BASE.but(behaviors=BEHAVIORS + (
        Behavior("/static/*", "s3", "allow-all", CACHING_OPTIMIZED),))),
    Case("CF-001", "none", "not-fronted", BASE.but(fronted=False)),
    # --- CF-002 origin-tls-outdated
    Case("CF-002", "fail", "tls1", BASE.but(origin_ssl=("TLSv1", "TLSv1.2"))),
    Case("CF-002", "fail", "tls11", BASE.but(origin_ssl=("TLSv1.1",))),
    Case("CF-002", "pass", "tls12", BASE),
    # 1.1: an HTTP origin never negotiates TLS: BYP-008 is its finding, not this rule's
    Case("CF-002", "none", "http-only-origin", BASE.but(
        origin_protocol="http-only", origin_ssl=("TLSv1",))),
    Case("CF-002", "fail", "match-viewer-https", BASE.but(
        origin_protocol="match-viewer", origin_ssl=("TLSv1",))),
    # --- CF-003 origin-keepalive-short
    Case("CF-003", "fail", "default-5", BASE.but(origin_keepalive=5)),
    Case("CF-003", "pass", "30", BASE),
    # --- CF-004 no-caching-anywhere
    Case("CF-004", "fail", "all-disabled", BASE.but(behaviors=ALL_DISABLED)),
    Case("CF-004", "fail", "legacy-zero-ttl", BASE.but(behaviors=(
        Behavior("*", "alb", "https-only", "", (0, 0, 0)),))),
    Case("CF-004", "pass", "catalog-cached", BASE),
    Case("CF-004", "error", "custom-policy-denied", BASE.but(
        behaviors=(Behavior("*", "alb", "https-only", "custom-1"),),
        cache_policies={"custom-1": denied("cloudfront:GetCachePolicy")})),
    # --- CF-005 personal-path-cached
    Case("CF-005", "fail", "auth-optimized", BASE.but(behaviors=BEHAVIORS + (
        Behavior("/api/auth/*", "alb", "https-only", CACHING_OPTIMIZED),))),
    Case("CF-005", "fail", "custom-ttl", BASE.but(
        behaviors=(*BEHAVIORS, Behavior("/users/*", "alb", "https-only", "custom-1")),
        cache_policies={CACHING_DISABLED: CachePolicy(CACHING_DISABLED, "d", 0, 0, 0),
                        CACHING_OPTIMIZED: CachePolicy(CACHING_OPTIMIZED, "o", 1, 86400, 1),
                        "custom-1": CachePolicy("custom-1", "c", 0, 60, 300)})),
    Case("CF-005", "pass", "auth-disabled", BASE.but(behaviors=BEHAVIORS + (
        Behavior("/api/auth/*", "alb", "https-only", CACHING_DISABLED),))),
    Case("CF-005", "pass", "no-personal-paths", BASE),
    # --- CF-006 cache-metrics-off
    Case("CF-006", "fail", "off", BASE.but(realtime_metrics=False)),
    Case("CF-006", "pass", "on", BASE),
    Case("CF-006", "error", "denied", BASE.but(realtime_metrics=denied(
        "cloudfront:GetMonitoringSubscription"))),
    # --- CF-007 logging-off
    Case("CF-007", "fail", "off", BASE.but(logging=False)),
    Case("CF-007", "pass", "on", BASE),
    # 1.1: standard logging v2 and real-time logs count too
    Case("CF-007", "pass", "logging-v2", BASE.but(logging=False, logging_v2=True)),
    Case("CF-007", "pass", "real-time-logs", BASE.but(logging=False, behaviors=(replace(
        BEHAVIORS[0], realtime_log_config="arn:aws:cloudfront::111122223333:realtime-log-"
        "config/edge"), BEHAVIORS[1]))),
    Case("CF-007", "error", "logging-v2-denied", BASE.but(logging=False, logging_v2=denied(
        "logs:DescribeDeliveries"))),
    Case("CF-007", "none", "not-fronted", BASE.but(fronted=False, logging=False)),
    Case("CF-007", "error", "denied", BASE.but(logging=denied(
        "cloudfront:GetDistributionConfig"))),
    # --- ALB-001 http-listener-serves
    Case("ALB-001", "fail", "http-forwards", BASE.but(listener_ports=(443, 80))),
    Case("ALB-001", "pass", "http-redirects", BASE.but(listeners=(HTTPS, HTTP_REDIRECT))),
    Case("ALB-001", "pass", "https-only", BASE),
    # 1.1: an HTTP listener that only answers a fixed 403 serves nothing
    Case("ALB-001", "pass", "http-fixed-403", BASE.but(listeners=(HTTPS, Listener(
        f"{LISTENER_ARN}-80", 80, "HTTP", (FIXED_403_DEFAULT,))))),
    Case("ALB-001", "error", "rules-denied", BASE.but(listeners=(HTTPS, Listener(
        f"{LISTENER_ARN}-80", 80, "HTTP", denied("elbv2:DescribeRules"))))),
    Case("ALB-001", "none", "internal", BASE.but(scheme="internal", listener_ports=(80,))),
    # --- ALB-002 tls-policy-outdated
    Case("ALB-002", "fail", "2016-08", BASE.but(ssl_policy=OLD_TLS, ssl_policies={
        OLD_TLS: ("TLSv1.2", "TLSv1.1", "TLSv1")})),
    Case("ALB-002", "pass", "tls13", BASE),
    Case("ALB-002", "none", "no-https-listener", BASE.but(listener_ports=(80,))),
    Case("ALB-002", "error", "policy-unknown", BASE.but(ssl_policies={})),
    # --- ALB-003..006 attributes
    Case("ALB-003", "fail", "absent-default-false", BASE.but(alb_attributes={})),
    Case("ALB-003", "pass", "true", BASE),
    Case("ALB-004", "fail", "monitor", BASE.but(alb_attributes=attrs(
        routing__http__desync_mitigation_mode="monitor"))),
    Case("ALB-004", "pass", "absent-default-defensive", BASE),
    Case("ALB-004", "pass", "strictest", BASE.but(alb_attributes=attrs(
        routing__http__desync_mitigation_mode="strictest"))),
    Case("ALB-005", "fail", "false", BASE.but(alb_attributes=attrs(
        deletion_protection__enabled="false"))),
    Case("ALB-005", "pass", "true", BASE),
    Case("ALB-006", "fail", "absent", BASE.but(alb_attributes={})),
    Case("ALB-006", "pass", "true", BASE),
    Case("ALB-006", "error", "denied", BASE.but(alb_attributes=denied(
        "elbv2:DescribeLoadBalancerAttributes"))),
    # --- ALB-007 listener-rule-quota
    Case("ALB-007", "fail", "80-rules", BASE.but(rules=many_rules(80))),
    Case("ALB-007", "pass", "79-rules", BASE.but(rules=many_rules(79))),
    # 1.1: the quota is per ALB, summed over its listeners, and may have been raised
    Case("ALB-007", "fail", "summed-over-listeners", BASE.but(listeners=(
        Listener(f"{LISTENER_ARN}-443", 443, "HTTPS", many_rules(40), HTTPS.ssl_policy),
        Listener(f"{LISTENER_ARN}-8443", 8443, "HTTPS", many_rules(40), HTTPS.ssl_policy)))),
    Case("ALB-007", "pass", "raised-quota", BASE.but(rules=many_rules(80), rules_quota=200)),
    Case("ALB-007", "fail", "applied-quota-lower", BASE.but(rules=many_rules(40),
                                                            rules_quota=50)),
    Case("ALB-007", "error", "limits-denied", BASE.but(
        rules_quota=denied("elbv2:DescribeAccountLimits"))),
    # --- ALB-008 target-group-quota
    Case("ALB-008", "fail", "80", BASE.but(target_group_count=80)),
    Case("ALB-008", "pass", "79", BASE.but(target_group_count=79)),
    # --- ALB-009 single-function-alb
    Case("ALB-009", "fail", "one", BASE.but(target_group_count=1)),
    # 1.1: target groups of any type count, and an ALB feature a URL lacks keeps it
    Case("ALB-009", "pass", "other-target-groups", BASE),
    Case("ALB-009", "pass", "oidc-auth", BASE.but(target_group_count=1, rules=(
        replace(rule(), action_types=("authenticate-oidc", "forward")), FIXED_403_DEFAULT))),
    Case("ALB-009", "pass", "hosts", BASE.but(target_group_count=1, rules=(
        replace(rule("1"), host_headers=("a.example.com",)),
        replace(rule("2"), host_headers=("b.example.com",)), FIXED_403_DEFAULT))),
    Case("ALB-009", "pass", "three", BASE.but(rules=(
        rule("1"), rule("2", target=TG_ARN + "-b"), rule("3", target=TG_ARN + "-c"),
        FIXED_403_DEFAULT), target_groups=tuple(
        type(BASE.build().regions[0].target_groups[0])(
            arn, arn[-6:], "lambda", "111122223333", "us-east-1", (ALB_ARN,), BASE.health)
        for arn in (TG_ARN, TG_ARN + "-b", TG_ARN + "-c")))),
    # --- ALB-010 consolidate-albs
    Case("ALB-010", "fail", "two-small-albs", second_alb(1)),
    Case("ALB-010", "pass", "alone", BASE.but(target_group_count=1)),
    Case("ALB-010", "pass", "other-vpc", second_alb(1, vpc_id="vpc-0other")),
    Case("ALB-010", "pass", "other-scheme", second_alb(1, scheme="internal")),
    Case("ALB-010", "pass", "many-groups", BASE),
    # --- ALB-011 prefer-vpc-origin
    Case("ALB-011", "fail", "internet-facing", BASE),
    Case("ALB-011", "pass", "internal-vpc-origin", BASE.but(
        scheme="internal", vpc_origin_id="vo-1", vpc_origins={"vo-1": ALB_ARN})),
    Case("ALB-011", "none", "not-fronted", BASE.but(fronted=False)),
    Case("ALB-011", "error", "vpc-origins-denied", BASE.but(
        vpc_origin_id="vo-1", vpc_origins=denied("cloudfront:ListVpcOrigins"))),
    # --- LMB-001 throttles-observed
    Case("LMB-001", "fail", "throttled", BASE.but(metrics={fn_metric("Throttles"): 12})),
    Case("LMB-001", "pass", "zero", BASE.but(metrics={fn_metric("Throttles"): 0})),
    Case("LMB-001", "error", "denied", BASE.but(metrics=denied("cloudwatch:GetMetricData"))),
    # --- MON-001..003
    Case("MON-001", "fail", "no-alarm", BASE.but(alarms=ALARMS[1:])),
    Case("MON-001", "fail", "other-alb", BASE.but(alarms=(AlarmWatch(
        "x", "AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": "app/other/1"}),))),
    Case("MON-001", "pass", "alarm", BASE),
    Case("MON-001", "error", "denied", BASE.but(alarms=denied("cloudwatch:DescribeAlarms"))),
    Case("MON-002", "fail", "no-alarm", BASE.but(alarms=ALARMS[:1])),
    Case("MON-002", "pass", "account-alarm", BASE),
    Case("MON-002", "pass", "function-alarm", BASE.but(alarms=(AlarmWatch(
        "f", "AWS/Lambda", "ConcurrentExecutions", {"FunctionName": "web-api"}),))),
    Case("MON-003", "fail", "no-alarm", BASE.but(edge_alarms=())),
    Case("MON-003", "pass", "alarm", BASE),
    Case("MON-003", "error", "denied", BASE.but(edge_alarms=denied(
        "cloudwatch:DescribeAlarms"))),
    # --- COST-001 pattern-below-break-even
    Case("COST-001", "fail", "2M-a-month", BASE.but(edge_metrics={
        dist_metric("Requests"): 1e6})),
    Case("COST-001", "pass", "young-distribution", BASE.but(edge_metrics=MetricSeries(
        14, LAST_DAY, {dist_metric("Requests"): {"2026-11-19": 1.5e6, "2026-11-20": 1.5e6}}))),
    # 1.1: no datapoint at all is no measurement: it passes and says so
    Case("COST-001", "pass", "no-datapoint", BASE.but(edge_metrics={})),
    Case("COST-001", "pass", "40M-a-month", BASE),
    Case("COST-001", "pass", "origin-count-only", BASE.but(
        edge_metrics={}, metrics={alb_metric("RequestCount"): 20e6})),
    Case("COST-001", "error", "edge-metrics-denied", BASE.but(edge_metrics=denied(
        "cloudwatch:GetMetricData"))),
    # --- APIGW-001 stage-quota
    Case("APIGW-001", "fail", "9-stages", BASE.but(rest_apis=(API,))),
    Case("APIGW-001", "pass", "3-stages", BASE.but(rest_apis=(
        RestApi("a1b2c3", "partner", "111122223333", "us-east-1", 3),))),
    Case("APIGW-001", "error", "denied", BASE.but(rest_apis=denied("apigateway:GetRestApis"))),
    # --- links: VPC origins and Route 53 (judged through BYP-005 and BYP-001)
    Case("BYP-005", "pass", "route53-alias", BASE.but(
        origin_domain="api.example.com",
        dns_targets={"api.example.com": ("dualstack." + ALB_DNS,)})),
    Case("BYP-005", "fail", "route53-elsewhere", BASE.but(
        origin_domain="api.example.com", dns_targets={"api.example.com": ("x.example.net",)})),
    Case("BYP-005", "error", "route53-denied", BASE.but(
        origin_domain="api.example.com", dns_targets=denied("route53:ListHostedZones"))),
    Case("BYP-002", "pass", "vpc-origin-needs-no-header", BASE.but(
        scheme="internal", vpc_origin_id="vo-1", vpc_origins={"vo-1": ALB_ARN},
        origin_headers=())),
    Case("BYP-008", "pass", "vpc-origin", BASE.but(
        scheme="internal", vpc_origin_id="vo-1", vpc_origins={"vo-1": ALB_ARN})),
    Case("LIM-004", "error", "rules-denied", BASE.but(listeners=(Listener(
        LISTENER_ARN, 443, "HTTPS", denied("elbv2:DescribeRules")),))),
    # --- BYP-003, 1.1: per ALB, reachable routes, weak values
    Case("BYP-003", "pass", "second-distribution-other-name", BASE.but(
        distributions=two_distributions())),
    Case("BYP-003", "pass", "private-source-ip-rule-unguarded", BASE.but(rules=(
        rule(), replace(rule("20", headers=(), paths=("/admin/*",)),
                        source_ips=("10.0.0.0/8", "fd00::/8")), FIXED_403_DEFAULT))),
    Case("BYP-003", "fail", "public-source-ip-rule-unguarded", BASE.but(rules=(
        rule(), replace(rule("20", headers=(), paths=("/admin/*",)),
                        source_ips=("10.0.0.0/8", "203.0.113.0/24")), FIXED_403_DEFAULT))),
    Case("BYP-003", "fail", "accepts-any-value", BASE.but(rules=(
        rule(headers=(header_condition("*"),)), FIXED_403_DEFAULT))),
    Case("BYP-003", "fail", "short-guessable-value", BASE.but(rules=(
        rule(headers=(header_condition("s3cr3t*"),)), FIXED_403_DEFAULT))),
    Case("BYP-003", "fail", "regex-accepts-anything", BASE.but(rules=(
        rule(headers=(header_condition(regex=(".*",)),)), FIXED_403_DEFAULT))),
    Case("BYP-003", "pass", "strong-regex", BASE.but(rules=(
        rule(headers=(header_condition(regex=("^" + SECRET + "$",)),)), FIXED_403_DEFAULT))),
    # --- BYP-004, 1.1: reachable routes only; regex readings
    Case("BYP-004", "pass", "mismatch-on-other-listener-not-compared", BASE.but(listeners=(
        HTTPS, Listener(f"{LISTENER_ARN}-8443", 8443, "HTTPS", (
            rule("5", headers=(header_condition("an-old-value-nobody-sends-9f3a"),)),
            FIXED_403_DEFAULT), HTTPS.ssl_policy)))),
    Case("BYP-004", "pass", "mismatch-for-other-host-not-compared", BASE.but(rules=(
        rule(), replace(rule("5", headers=(header_condition("an-old-value-nobody-sends"),),
                             paths=("/t/*",)), host_headers=("tenant-b.example.com",)),
        FIXED_403_DEFAULT))),
    Case("BYP-004", "fail", "mismatch-for-the-origin-host", BASE.but(origin_domain=ALB_DNS, rules=(
        rule(), replace(rule("5", headers=(header_condition("an-old-value-nobody-sends"),),
                             paths=("/t/*",)), host_headers=("web-*.elb.amazonaws.com",)),
        FIXED_403_DEFAULT))),
    Case("BYP-004", "fail", "viewer-host-forwarded", BASE.but(
        aliases=("shop.example.com",),
        behaviors=(replace(BEHAVIORS[0], origin_request_policy_id=ALL_VIEWER),),
        rules=(rule(), replace(rule("5", headers=(header_condition("an-old-value-nobody"),),
                                    paths=("/t/*",)), host_headers=("shop.example.com",)),
               FIXED_403_DEFAULT))),
    Case("BYP-004", "pass", "viewer-host-not-forwarded", BASE.but(
        aliases=("shop.example.com",),
        rules=(rule(), replace(rule("5", headers=(header_condition("an-old-value-nobody"),),
                                    paths=("/t/*",)), host_headers=("shop.example.com",)),
               FIXED_403_DEFAULT))),
    Case("BYP-004", "error", "request-policy-denied", BASE.but(
        request_policies={"custom-orp": denied("cloudfront:GetOriginRequestPolicy")},
        behaviors=(replace(BEHAVIORS[0], origin_request_policy_id="custom-orp"),),
        rules=(rule(), replace(rule("5", paths=("/t/*",)), host_headers=("x.example.com",)),
               FIXED_403_DEFAULT))),
    Case("BYP-004", "pass", "anchored-regex-every-reading", BASE.but(rules=(
        rule(headers=(header_condition(regex=("^" + SECRET + "$",)),)), FIXED_403_DEFAULT))),
    Case("BYP-004", "error", "regex-case-undetermined", BASE.but(rules=(
        rule(headers=(header_condition(regex=(SECRET.upper(),)),)), FIXED_403_DEFAULT))),
    Case("BYP-004", "fail", "regex-matches-in-no-reading", BASE.but(rules=(
        rule(headers=(header_condition(regex=("^nothing-like-it-at-all$",)),)),
        FIXED_403_DEFAULT))),
]
_ = dist_metric


# ---------------------------------------------------------------- catalogue 1.1: new rules
from auditor.gaps import Unavailable  # noqa: E402
from auditor.inventory import (  # noqa: E402
    VpcOriginEndpoint,
    VpcOriginServiceGroup,
    WafHeaderCheck,
)

SERVICE_SG = "sg-0cf0vpc0rigin5000"
VPC = "vpc-0a1b2c3d"
BARE_FN = "arn:aws:lambda:us-east-1:111122223333:function:web-api"
BASE_TG = BASE.build().regions[0].target_groups[0]
# a target group no load balancer uses: no Lambda ALB, target group or target function
UNATTACHED = BASE.but(target_groups=(replace(BASE_TG, load_balancer_arns=()),))
HEADER_ACL = WebAcl("arn:aws:wafv2:us-east-1:111122223333:regional/webacl/origin/dddd",
                    "origin-verify", False, False,
                    header_checks=(WafHeaderCheck("X-Origin-Verify", (Secret(SECRET),)),))


def vpc_origin(**changes) -> Scenario:
    """An internal ALB reached through VPC origin vo-1 (https-only, 443), whose VPC holds
    CloudFront's service group; the ALB's group admits that group on 443 unless changed."""
    fields = dict(
        scheme="internal", vpc_origin_id="vo-1", vpc_origins={"vo-1": ALB_ARN},
        origin_headers=(),
        vpc_origin_endpoints={"vo-1": VpcOriginEndpoint("https-only", 80, 443)},
        vpc_origin_groups={VPC: VpcOriginServiceGroup(SERVICE_SG)},
        ingress=(IngressPermission("tcp", 443, 443, group_ids=(SERVICE_SG,)),))
    return BASE.but(**{**fields, **changes})


def authenticating(unauthenticated: str) -> Scenario:
    """The Lambda route authenticates with OIDC first; ``allow`` lets a request without a
    session through."""
    base = rule()
    routed = replace(base, action_types=("authenticate-oidc", "forward"),
                     unauthenticated_allowed=("authenticate-oidc",)
                     if unauthenticated == "allow" else ())
    return BASE.but(rules=(routed, FIXED_403_DEFAULT))


def duration(max_ms: float) -> dict[str, float]:
    """Every day's longest run is ``max_ms`` (series() spreads a total over 14 days)."""
    return {fn_metric("Duration"): 14 * max_ms}


CASES += [
    # --- BYP-009 origin-secret-weak (judged at sealing; 16 literal characters)
    Case("BYP-009", "fail", "short-value", BASE.but(
        rules=(rule(headers=(header_condition("abc123"),)), FIXED_403_DEFAULT))),
    Case("BYP-009", "fail", "wildcard", BASE.but(
        rules=(rule(headers=(header_condition("*"),)), FIXED_403_DEFAULT))),
    Case("BYP-009", "fail", "waf-starts-with-short", BASE.but(
        rules=(rule(headers=()), FIXED_403_DEFAULT), alb_acl=replace(
            HEADER_ACL, header_checks=(WafHeaderCheck("X-Origin-Verify", (Secret("s3c"),),
                                                      "STARTS_WITH"),)))),
    Case("BYP-009", "pass", "long-random-value", BASE),
    Case("BYP-009", "pass", "weak-rule-but-strong-web-acl", BASE.but(
        rules=(rule(headers=(header_condition("abc"),)), FIXED_403_DEFAULT),
        alb_acl=HEADER_ACL)),
    Case("BYP-009", "none", "not-fronted", BASE.but(fronted=False)),
    Case("BYP-009", "error", "alb-web-acl-denied", BASE.but(
        alb_acl=denied("wafv2:GetWebACLForResource"))),
    # --- BYP-010 stale-origin-secret-accepted
    Case("BYP-010", "fail", "old-value-left-after-rotation", BASE.but(
        rules=(rule(headers=(header_condition(SECRET, "old-value-0000"),)),
               FIXED_403_DEFAULT))),
    Case("BYP-010", "fail", "web-acl-keeps-the-old-value", BASE.but(alb_acl=replace(
        HEADER_ACL, header_checks=(WafHeaderCheck("X-Origin-Verify", (
            Secret(SECRET), Secret("old-value-0000"))),)))),
    Case("BYP-010", "pass", "only-what-is-sent", BASE),
    Case("BYP-010", "pass", "web-acl-lowercase-transform", BASE.but(alb_acl=replace(
        HEADER_ACL, header_checks=(WafHeaderCheck("X-Origin-Verify", (Secret(SECRET),),
                                                  transformations=("LOWERCASE",)),)))),
    Case("BYP-010", "none", "not-fronted", BASE.but(fronted=False)),
    Case("BYP-010", "error", "regex-undetermined", BASE.but(rules=(
        rule(headers=(header_condition(regex=(SECRET.upper(),)),)), FIXED_403_DEFAULT))),
    Case("BYP-010", "error", "alb-web-acl-denied", BASE.but(
        alb_acl=denied("wafv2:GetWebACLForResource"))),
    # --- CF-008 origin-certificate-mismatch
    Case("CF-008", "fail", "raw-elb-name-over-https", BASE.but(origin_domain=ALB_DNS)),
    Case("CF-008", "fail", "certificate-for-another-name", BASE.but(
        certificate_names=("www.example.org",))),
    Case("CF-008", "fail", "wildcard-is-one-level", BASE.but(
        origin_domain="a.origin.example.com",
        dns_targets={"a.origin.example.com": (ALB_DNS,)})),
    Case("CF-008", "fail", "host-forwarded-alias-uncovered", BASE.but(
        aliases=("shop.example.net",),
        behaviors=(replace(BEHAVIORS[0], origin_request_policy_id=ALL_VIEWER),))),
    Case("CF-008", "pass", "own-domain-covered", BASE),
    Case("CF-008", "pass", "host-forwarded-alias-covered", BASE.but(
        aliases=("shop.example.com",), behaviors=(
            replace(BEHAVIORS[0], origin_request_policy_id=ALL_VIEWER),))),
    Case("CF-008", "none", "http-only-origin", BASE.but(origin_protocol="http-only",
                                                         origin_domain=ALB_DNS)),
    Case("CF-008", "error", "certificate-denied", BASE.but(
        certificate_names=denied("acm:DescribeCertificate"))),
    Case("CF-008", "error", "not-in-acm", BASE.but(certificate_names=Unavailable(
        "acm:DescribeCertificate", "NotInAcm", "an IAM server certificate"))),
    # --- SG-003 vpc-origin-sg-blocks
    Case("SG-003", "fail", "prefix-list-only", vpc_origin(ingress=(PREFIX_INGRESS,))),
    Case("SG-003", "fail", "service-group-on-wrong-port", vpc_origin(ingress=(
        IngressPermission("tcp", 80, 80, group_ids=(SERVICE_SG,)),))),
    Case("SG-003", "fail", "no-service-group-in-vpc", vpc_origin(
        vpc_origin_groups={VPC: VpcOriginServiceGroup("")})),
    Case("SG-003", "pass", "service-group-admitted", vpc_origin()),
    Case("SG-003", "pass", "vpc-cidr-holds-the-interfaces", vpc_origin(
        ingress=(IngressPermission("tcp", 443, 443, ipv4_cidrs=("10.0.0.0/16",)),),
        vpc_origin_groups={VPC: VpcOriginServiceGroup(SERVICE_SG, ("10.0.3.17",))})),
    Case("SG-003", "none", "internet-facing-alb", BASE),
    Case("SG-003", "error", "vpc-origin-denied", vpc_origin(
        vpc_origin_endpoints={"vo-1": denied("cloudfront:GetVpcOrigin")})),
    Case("SG-003", "error", "interfaces-denied", vpc_origin(
        ingress=(IngressPermission("tcp", 443, 443, ipv4_cidrs=("10.0.0.0/16",)),),
        vpc_origin_groups={VPC: VpcOriginServiceGroup(
            SERVICE_SG, denied("ec2:DescribeNetworkInterfaces"))})),
    # --- TG-002 unqualified-target
    Case("TG-002", "fail", "bare-function", BASE.but(targets=(BARE_FN,))),
    Case("TG-002", "fail", "latest", BASE.but(targets=(BARE_FN + ":$LATEST",))),
    Case("TG-002", "pass", "alias", BASE),
    Case("TG-002", "pass", "version", BASE.but(targets=(BARE_FN + ":7",))),
    Case("TG-002", "none", "nothing-registered", BASE.but(targets=())),
    Case("TG-002", "none", "not-on-a-load-balancer", UNATTACHED),
    Case("TG-002", "error", "denied", BASE.but(targets=denied("elbv2:DescribeTargetHealth"))),
    # --- TG-003 empty-target-group
    Case("TG-003", "fail", "nothing-registered", BASE.but(targets=())),
    Case("TG-003", "pass", "registered", BASE),
    Case("TG-003", "none", "no-rule-forwards-here", BASE.but(
        targets=(), rules=(rule(target=""), FIXED_403_DEFAULT))),
    Case("TG-003", "error", "denied", BASE.but(targets=denied("elbv2:DescribeTargetHealth"))),
    # --- ALB-012 auth-allows-unauthenticated
    Case("ALB-012", "fail", "oidc-allow", authenticating("allow")),
    Case("ALB-012", "pass", "oidc-authenticate", authenticating("authenticate")),
    Case("ALB-012", "pass", "no-authentication", BASE),
    Case("ALB-012", "none", "not-a-lambda-alb", UNATTACHED),
    Case("ALB-012", "error", "listeners-denied", BASE.but(
        listeners=denied("elbv2:DescribeListeners"))),
    # --- ALB-013 waf-fail-open
    Case("ALB-013", "fail", "header-check-fails-open", BASE.but(
        alb_acl=HEADER_ACL, alb_attributes=attrs(waf__fail_open__enabled="true"))),
    Case("ALB-013", "fail", "only-web-acl-fails-open", BASE.but(
        edge_acl=None, alb_acl=ALB_ACL, alb_attributes=attrs(waf__fail_open__enabled="true"))),
    Case("ALB-013", "pass", "fails-closed", BASE.but(alb_acl=HEADER_ACL)),
    Case("ALB-013", "pass", "fails-open-behind-an-edge-acl", BASE.but(
        alb_acl=ALB_ACL, alb_attributes=attrs(waf__fail_open__enabled="true"))),
    Case("ALB-013", "none", "no-alb-web-acl", BASE.but(
        alb_attributes=attrs(waf__fail_open__enabled="true"))),
    Case("ALB-013", "none", "not-fronted", BASE.but(fronted=False, alb_acl=HEADER_ACL)),
    Case("ALB-013", "error", "attributes-denied", BASE.but(
        alb_acl=HEADER_ACL, alb_attributes=denied("elbv2:DescribeLoadBalancerAttributes"))),
    # --- LMB-002 target-errors-observed (replaces LIM-003)
    Case("LMB-002", "fail", "target-group-errors", BASE.but(metrics={
        alb_metric("LambdaUserError", tg=True): 7})),
    Case("LMB-002", "fail", "load-balancer-errors", BASE.but(metrics={
        alb_metric("LambdaUserError"): 3})),
    Case("LMB-002", "pass", "zero", BASE.but(metrics={alb_metric("LambdaUserError"): 0})),
    Case("LMB-002", "none", "not-a-lambda-alb", UNATTACHED),
    Case("LMB-002", "error", "denied", BASE.but(metrics=denied("cloudwatch:GetMetricData"))),
    # --- LMB-003 reserved-concurrency-zero
    Case("LMB-003", "fail", "zero", BASE.but(reserved=0)),
    Case("LMB-003", "pass", "none-reserved", BASE),
    Case("LMB-003", "pass", "some-reserved", BASE.but(reserved=50)),
    Case("LMB-003", "none", "not-a-target", UNATTACHED.but(reserved=0)),
    Case("LMB-003", "error", "denied", BASE.but(
        reserved=denied("lambda:GetFunctionConcurrency"))),
    # --- LMB-004 timeout-reached (95 % of the 25 s timeout)
    Case("LMB-004", "fail", "ran-into-the-timeout", BASE.but(metrics=duration(25000))),
    Case("LMB-004", "fail", "96-percent", BASE.but(metrics=duration(24000))),
    Case("LMB-004", "pass", "well-under", BASE.but(metrics=duration(3200))),
    Case("LMB-004", "pass", "no-invocations", BASE),
    Case("LMB-004", "none", "not-a-target", UNATTACHED.but(metrics=duration(25000))),
    Case("LMB-004", "error", "metrics-denied", BASE.but(
        metrics=denied("cloudwatch:GetMetricData"))),
    Case("LMB-004", "error", "configuration-denied", BASE.but(
        timeout=denied("lambda:GetFunction"), metrics=duration(25000))),
    # --- LMB-005 streaming-behind-alb
    Case("LMB-005", "fail", "response-stream-url", BASE.but(urls=(
        FunctionUrl("live", "AWS_IAM", invoke_mode="RESPONSE_STREAM"),))),
    Case("LMB-005", "pass", "buffered-url", BASE.but(urls=(FunctionUrl("live", "AWS_IAM"),))),
    Case("LMB-005", "pass", "no-url", BASE),
    Case("LMB-005", "none", "not-a-target", UNATTACHED.but(urls=(
        FunctionUrl("live", "AWS_IAM", invoke_mode="RESPONSE_STREAM"),))),
    Case("LMB-005", "error", "urls-denied", BASE.but(
        urls=denied("lambda:ListFunctionUrlConfigs"))),
]

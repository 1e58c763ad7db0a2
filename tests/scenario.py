"""Hand-built inventories for rule tests: one fronted Lambda ALB, hardened by default.

Each field is one setting the rules judge; a test changes the field it is about and
leaves the rest hardened, so a firing case fires for the reason it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from auditor.collect.cloudfront import managed_cache_policy
from auditor.gaps import Unavailable
from auditor.inventory import (
    AlarmWatch,
    Behavior,
    Distribution,
    FunctionUrl,
    HeaderCondition,
    HealthCheck,
    IngressPermission,
    Inventory,
    LambdaFunction,
    Listener,
    ListenerRule,
    LoadBalancer,
    MetricSeries,
    Origin,
    OriginHeader,
    PolicyStatement,
    RegionInventory,
    SecurityGroup,
    TargetGroup,
    WebAcl,
    alb_dimensions,
    elb_dimension,
    metric_key,
)
from auditor.secrets import Secret

ACCOUNT = "111122223333"
REGION = "us-east-1"
PREFIX_LIST = "pl-3b927c52"
IPV6_PREFIX_LIST = "pl-5da64334"
SECRET = "s3cr3t-origin-verify-value-7f1c"
ALB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/web/1234567890abcdef"
ALB_DNS = "web-1234567890.us-east-1.elb.amazonaws.com"
ORIGIN_DOMAIN = "origin.example.com"
TG_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web-api/0123456789abcdef"
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:web-api:live"
DIST_ARN = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1EXAMPLE"
EDGE_ACL_ARN = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/edge/aaaa-bbbb"
LISTENER_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/web/1234/443"

PREFIX_INGRESS = IngressPermission("tcp", 443, 443, prefix_list_ids=(PREFIX_LIST,))
WORLD_INGRESS = IngressPermission("tcp", 443, 443, ipv4_cidrs=("0.0.0.0/0",))
GOOD_HEALTH = HealthCheck(True, 60, 10, 3, 3, "/health")
SCOPED_POLICY = (
    PolicyStatement(
        "elb",
        "Allow",
        ("lambda:InvokeFunction",),
        ("elasticloadbalancing.amazonaws.com",),
        ("aws:sourcearn",),
        (f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web-api/0123456789abcdef",),
    ),
)
EDGE_ACL = WebAcl(EDGE_ACL_ARN, "edge", True, True, ("rate", "common"))
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
TLS13 = "ELBSecurityPolicy-TLS13-1-2-2021-06"
BEHAVIORS = (Behavior("*", "alb", "redirect-to-https", CACHING_DISABLED),
             Behavior("/api/catalog/*", "alb", "https-only", CACHING_OPTIMIZED))
HARDENED_ATTRIBUTES = {"idle_timeout.timeout_seconds": "60",
                       "routing.http.drop_invalid_header_fields.enabled": "true",
                       "deletion_protection.enabled": "true", "access_logs.s3.enabled": "true"}
ALARMS = (AlarmWatch("latency", "AWS/ApplicationELB", "TargetResponseTime",
                     {"LoadBalancer": elb_dimension(ALB_ARN)}),
          AlarmWatch("concurrency", "AWS/Lambda", "ConcurrentExecutions", {}))
EDGE_ALARMS = (AlarmWatch("hits", "AWS/CloudFront", "CacheHitRate",
                          {"DistributionId": "E1EXAMPLE", "Region": "Global"}),)


def header_condition(
    *values: str, name: str = "X-Origin-Verify", regex: tuple[str, ...] = ()
) -> HeaderCondition:
    return HeaderCondition(name, tuple(Secret(v) for v in values), tuple(Secret(v) for v in regex))


def rule(
    priority: str = "10",
    *,
    headers: tuple[HeaderCondition, ...] | None = None,
    paths: tuple[str, ...] = ("/api/*",),
    methods: tuple[str, ...] = (),
    target: str = TG_ARN,
    default: bool = False,
) -> ListenerRule:
    if headers is None:
        headers = () if default else (header_condition(SECRET),)
    return ListenerRule(
        arn=f"{LISTENER_ARN.replace(':listener/', ':listener-rule/')}/{priority}",
        priority="default" if default else priority,
        is_default=default,
        action_type="forward" if target else "fixed-response",
        forward_target_groups=(target,) if target else (),
        header_conditions=headers,
        path_patterns=() if default else paths,
        methods=methods,
    )


FIXED_403_DEFAULT = rule(default=True, target="")


@dataclass
class Scenario:
    scheme: str = "internet-facing"
    ingress: tuple[IngressPermission, ...] = (PREFIX_INGRESS,)
    listener_ports: tuple[int, ...] = (443,)
    rules: tuple[ListenerRule, ...] = field(default_factory=lambda: (rule(), FIXED_403_DEFAULT))
    alb_attributes: dict[str, str] | Unavailable = field(
        default_factory=lambda: dict(HARDENED_ATTRIBUTES))
    ssl_policy: str = TLS13
    ssl_policies: dict | Unavailable = field(
        default_factory=lambda: {TLS13: ("TLSv1.3", "TLSv1.2")})
    target_group_count: int = 3
    behaviors: tuple[Behavior, ...] = BEHAVIORS
    origin_groups: dict = field(default_factory=dict)
    origin_ssl: tuple[str, ...] = ("TLSv1.2",)
    origin_keepalive: int = 30
    logging: bool | Unavailable | None = True
    realtime_metrics: bool | Unavailable | None = True
    cache_policies: dict | None = None  # None: the managed policies the behaviours use
    alarms: Any = ALARMS
    edge_alarms: Any = EDGE_ALARMS
    rest_apis: Any = ()
    vpc_origin_id: str | None = None
    vpc_origins: Any = field(default_factory=dict)
    vpc_origin_endpoints: Any = field(default_factory=dict)  # GetVpcOrigin, by id
    vpc_origin_groups: Any = None  # VPC id -> CloudFront-VPCOrigins-Service-SG (None: not read)
    # A hardened origin is a name of one's own (a Route 53 alias to the ALB) that the
    # HTTPS listener's ACM certificate covers (CF-008): never the raw *.elb.amazonaws.com.
    dns_targets: Any = field(default_factory=lambda: {ORIGIN_DOMAIN: (ALB_DNS,)})
    fronted: bool = True
    origin_domain: str = ORIGIN_DOMAIN
    certificate_names: Any = ("*.example.com",)  # of the HTTPS listener (None: not read)
    reserved: int | Unavailable | None = None  # GetFunctionConcurrency
    origin_headers: tuple[OriginHeader, ...] = (OriginHeader("X-Origin-Verify", Secret(SECRET)),)
    origin_protocol: str = "https-only"
    origin_read_timeout: int = 30
    edge_acl: WebAcl | Unavailable | None = EDGE_ACL
    alb_acl: WebAcl | Unavailable | None = None
    tg_attributes: dict[str, str] | Unavailable = field(
        default_factory=lambda: {"lambda.multi_value_headers.enabled": "true"}
    )
    health: HealthCheck = GOOD_HEALTH
    targets: tuple[str, ...] | Unavailable = (FN_ARN,)
    function_arn: str = FN_ARN
    timeout: int | Unavailable = 25
    policy: Any = SCOPED_POLICY
    urls: tuple[FunctionUrl, ...] | Unavailable = ()
    provisioned: int | Unavailable | None = 2
    metrics: dict[str, float] | Unavailable | None = field(default_factory=dict)  # key -> total
    edge_metrics: dict[str, float] | Unavailable | None = field(
        default_factory=lambda: {dist_metric("Requests"): 20e6})
    security_groups: dict | Unavailable | None = None  # None: built from ``ingress``
    prefix_list: str | Unavailable | None = PREFIX_LIST
    rules_quota: int | Unavailable | None = None
    request_policies: Any = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    logging_v2: Any = False
    origin_mtls: str = ""
    # GetManagedPrefixListEntries: CloudFront's lists (a few of their real entries) and a
    # customer list of other addresses
    prefix_entries: Any = field(default_factory=lambda: {
        PREFIX_LIST: ("13.32.0.0/15", "52.84.0.0/15", "120.52.22.96/27"),
        IPV6_PREFIX_LIST: ("2600:9000::/28",),
        "pl-0other": ("198.51.100.0/24",)})
    ipv6_prefix_list: str | Unavailable | None = IPV6_PREFIX_LIST
    origin_ip_type: str = "ipv4"
    distributions: Any = None  # None: built from the fields above
    listeners: Any = None  # None: built from ``listener_ports`` and ``rules``
    load_balancers: Any = None
    target_groups: Any = None

    def but(self, **changes: Any) -> Scenario:
        return replace(self, **changes)

    def alb(self) -> LoadBalancer:
        listeners = self.listeners
        if listeners is None:
            listeners = tuple(
                Listener(f"{LISTENER_ARN}-{p}", p, "HTTPS" if p == 443 else "HTTP", self.rules,
                         self.ssl_policy if p == 443 else "",
                         certificate_names=self.certificate_names if p == 443 else None)
                for p in self.listener_ports
            )
        return LoadBalancer(
            ALB_ARN,
            "web",
            ALB_DNS,
            self.scheme,
            ACCOUNT,
            REGION,
            ("sg-0123456789abcdef0",),
            listeners,
            self.alb_attributes,
            self.target_group_count,
            "vpc-0a1b2c3d",
        )

    def function(self) -> LambdaFunction:
        name, _, qualifier = self.function_arn.split(":function:")[1].partition(":")
        return LambdaFunction(
            self.function_arn,
            name,
            qualifier or None,
            ACCOUNT,
            REGION,
            self.timeout,
            self.policy,
            self.urls,
            self.provisioned,
            self.reserved,
        )

    def distribution(self) -> Distribution:
        origin = Origin("alb", self.origin_domain, self.origin_headers,
                        None if self.vpc_origin_id else self.origin_protocol, 80, 443,
                        self.origin_read_timeout, self.origin_keepalive,
                        vpc_origin_id=self.vpc_origin_id, ssl_protocols=self.origin_ssl,
                        ip_address_type=self.origin_ip_type,
                        mtls_certificate=self.origin_mtls)
        acl_id = EDGE_ACL_ARN if self.edge_acl is not None else ""
        return Distribution("E1EXAMPLE", DIST_ARN, "d111.cloudfront.net", ACCOUNT, (origin,),
                            acl_id, self.behaviors, self.origin_groups, self.logging,
                            self.realtime_metrics, logging_v2=self.logging_v2,
                            aliases=self.aliases)

    def build(self) -> Inventory:
        tg = TargetGroup(
            TG_ARN,
            "web-api",
            "lambda",
            ACCOUNT,
            REGION,
            (ALB_ARN,),
            self.health,
            self.tg_attributes,
            self.targets,
        )
        groups = self.security_groups
        if groups is None:
            groups = {
                "sg-0123456789abcdef0": SecurityGroup("sg-0123456789abcdef0", "alb", self.ingress)
            }
        fn = self.function()
        region = RegionInventory(
            REGION,
            self.load_balancers if self.load_balancers is not None else (self.alb(),),
            self.target_groups if self.target_groups is not None else (tg,),
            security_groups=groups, cloudfront_prefix_list_id=self.prefix_list,
            cloudfront_ipv6_prefix_list_id=self.ipv6_prefix_list,
            alb_rules_quota=self.rules_quota,
            prefix_list_entries=self.prefix_entries,
            functions={fn.arn: fn}, alb_web_acls={ALB_ARN: self.alb_acl},
            metrics=series(self.metrics), ssl_policies=self.ssl_policies, alarms=self.alarms,
            rest_apis=self.rest_apis, vpc_origin_groups=self.vpc_origin_groups)
        distributions = self.distributions
        if distributions is None:
            distributions = (self.distribution(),) if self.fronted else ()
        edge_acls = {EDGE_ACL_ARN: self.edge_acl} if self.edge_acl is not None else {}
        policies = self.cache_policies
        if policies is None:
            policies = {b.cache_policy_id: managed_cache_policy(b.cache_policy_id)
                        for b in self.behaviors if b.cache_policy_id}
        return Inventory(ACCOUNT, "aws", (region,), distributions, edge_acls,
                         edge_metrics=series(self.edge_metrics), edge_alarms=self.edge_alarms,
                         cache_policies=policies, vpc_origins=self.vpc_origins,
                         dns_targets=self.dns_targets,
                         origin_request_policies=self.request_policies,
                         vpc_origin_endpoints=self.vpc_origin_endpoints)


def denied(operation: str) -> Unavailable:
    return Unavailable(operation, "AccessDenied", "User is not authorized to perform this action")


LAST_DAY = "2026-11-20"


def series(totals):
    """A MetricSeries spreading each total evenly over the 14 days (or the value as is)."""
    if not isinstance(totals, dict):
        return totals
    from datetime import date, timedelta

    end = date.fromisoformat(LAST_DAY)
    days = [(end - timedelta(days=i)).isoformat() for i in range(14)]
    return MetricSeries(14, LAST_DAY, {k: dict.fromkeys(days, v / 14) for k, v in totals.items()})


def alb_metric(metric: str, tg: bool = False) -> str:
    return metric_key(metric, alb_dimensions(ALB_ARN, TG_ARN if tg else None))


def dist_metric(metric: str) -> str:
    return metric_key(metric, {"DistributionId": "E1EXAMPLE", "Region": "Global"})


def fn_metric(metric: str) -> str:
    return metric_key(metric, {"FunctionName": "web-api", "Resource": "web-api:live"})

"""The inventory: frozen dataclasses holding just the fields the rules read.

Built by the collectors, read by the topology and the rules. A field typed
``X | Unavailable`` may hold the reason it could not be collected instead of the data;
read it with `auditor.gaps.need`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.gaps import Unavailable
from auditor.metrics import (  # noqa: F401  (re-exported: the model's public names)
    AlarmWatch,
    MetricSeries,
    alb_dimensions,
    distribution_dimensions,
    elb_dimension,
    function_dimensions,
    metric_key,
)
from auditor.secrets import Secret

# CloudFormation type names: the resource types of the JSON contract.
T_LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
T_TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
T_DISTRIBUTION = "AWS::CloudFront::Distribution"
T_FUNCTION = "AWS::Lambda::Function"
T_ALIAS = "AWS::Lambda::Alias"
T_VERSION = "AWS::Lambda::Version"
T_REST_API = "AWS::ApiGateway::RestApi"
T_ACCOUNT = "AWS::Organizations::Account"

GLOBAL_REGION = "global"


def NOT_READ(operation: str, what: str) -> Unavailable:
    """The stand-in for data a collector did not (yet) read: a rule that needs it fails
    closed, and a snapshot of an older version that lacks it cannot pass."""
    return Unavailable(operation, "NotCollected", f"{what} was not read")


@dataclass(frozen=True)
class ResourceRef:
    """What a result is about."""

    arn: str
    type: str
    name: str
    account: str
    region: str
    # Where the resource is written, for results of ``edge-audit iac``: {file, line,
    # column} (auditor.iac.template.Location.as_dict); None for a deployed resource.
    location: dict | None = field(default=None, compare=False)
    # The CloudFormation stack that manages it ({name, logical_id}, from its
    # aws:cloudformation:* tags); None when untagged or the tags were not read.
    stack: dict | None = field(default=None, compare=False)


# ---------------------------------------------------------------- security groups


@dataclass(frozen=True)
class IngressPermission:
    """One ingress permission of a security group (protocol, port range, sources)."""

    protocol: str  # "tcp", "udp", "icmp", "-1" (all)
    from_port: int | None
    to_port: int | None
    ipv4_cidrs: tuple[str, ...] = ()
    ipv6_cidrs: tuple[str, ...] = ()
    prefix_list_ids: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()

    def admits_port(self, port: int) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        if self.protocol not in ("tcp", "6"):
            return False
        if self.from_port is None or self.to_port is None:
            return True
        if self.from_port == -1:
            return True
        return self.from_port <= port <= self.to_port


@dataclass(frozen=True)
class SecurityGroup:
    group_id: str
    name: str
    ingress: tuple[IngressPermission, ...]


# ---------------------------------------------------------------- load balancers


class SecretStrength:
    """What a header check's accepted values are worth, for both kinds of check (a listener
    rule's condition, a web ACL's match): how many are weak, how many only the deployment
    can tell (a template's ``{{resolve:...}}``, a Terraform variable). Before sealing they
    are counted from the values; after, the counts are all that is left."""

    weak_count: int
    undetermined_count: int
    accepted_count: int

    def _held(self) -> tuple[Secret, ...]:
        raise NotImplementedError

    def weak_count_at(self, min_literals: int) -> int:
        raise NotImplementedError

    @property
    def weak_values(self) -> int:
        """Accepted values anyone could guess (catalogue "Weak accepted value")."""
        if self.weak_count >= 0:
            return self.weak_count
        from auditor.headers import MIN_LITERALS

        return self.weak_count_at(MIN_LITERALS)

    @property
    def undetermined_values(self) -> int:
        if self.undetermined_count >= 0:
            return self.undetermined_count
        from auditor.headers import MIN_LITERALS

        return self.undetermined_at(MIN_LITERALS)

    def undetermined_at(self, min_literals: int) -> int:
        """Accepted values whose strength only the deployment tells: neither weak nor
        strong."""
        from auditor.headers import undetermined

        return sum(undetermined(v.reveal(), min_literals) for v in self._held())

    @property
    def all_weak(self) -> bool:
        """Every accepted value is weak: the check guards nothing (BYP-003, BYP-009)."""
        return self.accepted_count == 0 or self.weak_values == self.accepted_count


@dataclass(frozen=True)
class HeaderCondition(SecretStrength):
    """An ALB ``http-header`` condition. The accepted values are secrets: sealing the
    inventory drops them and keeps only how many there were."""

    name: str
    values: tuple[Secret, ...] = ()
    regex_values: tuple[Secret, ...] = ()
    value_count: int = -1  # -1: count the values held
    weak_count: int = -1  # how many accepted values are weak (sealing keeps only this)
    undetermined_count: int = -1  # values known only at deploy time, strength untold

    @property
    def accepted_count(self) -> int:
        if self.value_count >= 0:
            return self.value_count
        return len(self.values) + len(self.regex_values)

    def _held(self) -> tuple[Secret, ...]:
        return self.values + self.regex_values

    def weak_count_at(self, min_literals: int) -> int:
        """Weak accepted values at a threshold (needs the values: before sealing)."""
        from auditor.headers import weak_pattern, weak_value

        return (sum(weak_value(v.reveal(), min_literals) for v in self.values)
                + sum(weak_pattern(v.reveal(), min_literals) for v in self.regex_values))


@dataclass(frozen=True)
class ListenerRule:
    arn: str
    priority: str  # "1".."50000" or "default"
    is_default: bool
    action_type: str  # type of the last (terminal) action: forward, redirect, fixed-response
    redirect_protocol: str | None = None  # "HTTPS", "HTTP" or "#{protocol}" for a redirect
    forward_target_groups: tuple[str, ...] = ()  # ARNs with a non-zero weight
    header_conditions: tuple[HeaderCondition, ...] = ()
    path_patterns: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    other_conditions: tuple[str, ...] = ()  # a stable text form of host, query, source-ip
    host_headers: tuple[str, ...] = ()  # host-header values (wildcards) of the rule
    host_regexes: tuple[str, ...] = ()  # host-header RegexValues
    source_ips: tuple[str, ...] = ()  # source-ip CIDRs of the rule
    action_types: tuple[str, ...] = ()  # every action, in order (authenticate-*, forward)
    # authenticate-oidc / authenticate-cognito actions whose OnUnauthenticatedRequest is
    # ``allow``: the request goes on to the target without a login (ALB-012)
    unauthenticated_allowed: tuple[str, ...] = ()

    @property
    def route_key(self) -> tuple:
        """The rule's conditions other than headers, with its targets: what it routes."""
        return (
            self.path_patterns,
            self.methods,
            self.other_conditions,
            tuple(sorted(self.forward_target_groups)),
        )


@dataclass(frozen=True)
class Listener:
    arn: str
    port: int
    protocol: str
    rules: tuple[ListenerRule, ...] | Unavailable
    ssl_policy: str = ""
    mutual_auth_mode: str = "off"  # off | passthrough | verify
    # names (domain and SANs) on its certificates; None: not read (read for the HTTPS
    # listeners that edge paths reach: CF-008, and link 4 of an unresolved HTTPS origin)
    certificate_names: tuple[str, ...] | Unavailable | None = None


@dataclass(frozen=True)
class LoadBalancer:
    arn: str
    name: str
    dns_name: str
    scheme: str  # internet-facing | internal
    account: str
    region: str
    security_group_ids: tuple[str, ...]
    listeners: tuple[Listener, ...] | Unavailable
    attributes: dict[str, str] | Unavailable
    target_group_count: int = 0  # every target group attached, of any target type
    vpc_id: str = ""

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.arn, T_LOAD_BALANCER, self.name, self.account, self.region)

    @property
    def internet_facing(self) -> bool:
        return self.scheme == "internet-facing"


@dataclass(frozen=True)
class HealthCheck:
    enabled: bool
    interval_seconds: int | None
    timeout_seconds: int | None
    healthy_threshold: int | None
    unhealthy_threshold: int | None
    path: str | None


@dataclass(frozen=True)
class TargetGroup:
    arn: str
    name: str
    target_type: str
    account: str
    region: str
    load_balancer_arns: tuple[str, ...]
    health_check: HealthCheck
    attributes: dict[str, str] | Unavailable = field(default_factory=dict)
    targets: tuple[str, ...] | Unavailable = ()  # registered Lambda ARNs, as registered

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.arn, T_TARGET_GROUP, self.name, self.account, self.region)


# ---------------------------------------------------------------- Lambda


@dataclass(frozen=True)
class PolicyStatement:
    """The fields of a resource-policy statement BYP-006 and BYP-007 read (no secrets)."""

    sid: str
    effect: str
    actions: tuple[str, ...]
    principals: tuple[str, ...]  # service names and AWS principals, "*" for anyone
    condition_keys: tuple[str, ...]  # lower-cased condition keys
    source_arns: tuple[str, ...] = ()  # values of aws:SourceArn conditions
    url_auth_type: str | None = None  # the lambda:FunctionUrlAuthType it is limited to


@dataclass(frozen=True)
class FunctionUrl:
    qualifier: str | None  # None: the unqualified function's URL
    auth_type: str
    # The resource policy of the URL's own qualifier, where that is not the registered
    # one (the unqualified URL of an alias target); None: the function's own policy.
    policy: tuple[PolicyStatement, ...] | Unavailable | None = None
    invoke_mode: str = "BUFFERED"  # RESPONSE_STREAM: the handler streams (LMB-005)


@dataclass(frozen=True)
class LambdaFunction:
    """A target function as registered: unqualified, a version or an alias."""

    arn: str  # as registered in the target group
    name: str
    qualifier: str | None  # alias name, version number, "$LATEST" or None
    account: str
    region: str
    timeout_seconds: int | Unavailable
    policy: tuple[PolicyStatement, ...] | Unavailable
    urls: tuple[FunctionUrl, ...] | Unavailable
    provisioned_concurrency: int | Unavailable | None  # None: none configured
    # ReservedConcurrentExecutions (GetFunctionConcurrency, per function, every qualifier
    # shares it); None: no reservation. Not read until the collector says otherwise.
    reserved_concurrency: int | Unavailable | None = field(
        default_factory=lambda: NOT_READ("lambda:GetFunctionConcurrency",
                                         "reserved concurrency"))

    @property
    def ref(self) -> ResourceRef:
        if self.qualifier in (None, "$LATEST"):
            kind = T_FUNCTION
        elif self.qualifier.isdigit():
            kind = T_VERSION
        else:
            kind = T_ALIAS
        name = self.name if self.qualifier is None else f"{self.name}:{self.qualifier}"
        return ResourceRef(self.arn, kind, name, self.account, self.region)

    @property
    def can_have_provisioned_concurrency(self) -> bool:
        return self.qualifier not in (None, "$LATEST")


# ---------------------------------------------------------------- WAF


@dataclass(frozen=True)
class WafHeaderCheck(SecretStrength):
    """A web ACL statement that requires a header before a request passes: an allowing
    rule behind a blocking default, or a blocking rule on its absence (``NotStatement``).
    The search strings are secrets: sealing keeps only how many, and how many are weak."""

    name: str  # the header (SingleHeader.Name)
    values: tuple[Secret, ...] = ()
    positional: str = "EXACTLY"
    value_count: int = -1
    weak_count: int = -1
    transformations: tuple[str, ...] = ()  # TextTransformations types, in priority order
    undetermined_count: int = -1

    @property
    def accepted_count(self) -> int:
        return self.value_count if self.value_count >= 0 else len(self.values)

    def _held(self) -> tuple[Secret, ...]:
        return self.values

    def weak_count_at(self, min_literals: int) -> int:
        """Weak search strings at a threshold (needs the values: before sealing)."""
        from auditor.headers import weak_search_string

        return sum(weak_search_string(v.reveal(), self.positional, min_literals)
                   for v in self.values)


@dataclass(frozen=True)
class WebAcl:
    """A web ACL's acting rules (1.1: a rule in Count mode, or a rule group whose override
    is Count, protects nothing, so it is not counted here)."""

    arn: str
    name: str
    has_rate_based_rule: bool
    has_managed_rule_group: bool
    rule_names: tuple[str, ...] = ()
    rule_groups: tuple[str, ...] = ()  # acting RuleGroupReferenceStatement ARNs (FMS too)
    counting_rules: tuple[str, ...] = ()  # rules in Count mode, named for the evidence
    header_checks: tuple[WafHeaderCheck, ...] = ()
    rules_read: bool = True  # False: known from a listing, its rules not read


@dataclass(frozen=True)
class ClassicWebAcl:
    """A WAF Classic ACL id on a distribution: present, but its rules are not read."""

    acl_id: str


# ---------------------------------------------------------------- CloudFront


@dataclass(frozen=True)
class OriginHeader:
    name: str
    value: Secret | None  # None once the inventory is sealed


@dataclass(frozen=True)
class Origin:
    origin_id: str
    domain_name: str
    custom_headers: tuple[OriginHeader, ...]
    protocol_policy: str | None  # None for S3 and VPC origins
    http_port: int
    https_port: int
    read_timeout_seconds: int
    keepalive_timeout_seconds: int
    vpc_origin_id: str | None = None
    ssl_protocols: tuple[str, ...] = ()
    connection_attempts: int = 3
    response_completion_timeout_seconds: int | None = None  # None: not set (no limit)
    ip_address_type: str = "ipv4"  # ipv4 | ipv6 | dualstack: which address family it dials
    mtls_certificate: str = ""  # OriginMtlsConfig.ClientCertificateArn: CloudFront's client cert


# AWS-managed origin request policies: whether each forwards the viewer's Host header.
MANAGED_REQUEST_POLICIES = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3": True,  # Managed-AllViewer
    "33f36d7e-f396-46d9-90e0-52428a34d9dc": True,  # AllViewerAndCloudFrontHeaders-2022-06
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": False,  # AllViewerExceptHostHeader
    "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": False,  # CORS-S3Origin
    "59781a5b-3903-41f3-afcb-af62929ccde1": False,  # CORS-CustomOrigin
    "acba4595-bd28-49b8-b9fe-13317c0390fa": False,  # UserAgentRefererHeaders
    "775133bc-15f2-49f9-abea-afb2e0bf67d2": False,  # Elemental-MediaTailor-PersonalizedManifests
}


@dataclass(frozen=True)
class Behavior:
    """A cache behaviour: which origin (or origin group) a path goes to, and how."""

    path_pattern: str  # "*" for the default behaviour
    target_origin_id: str
    viewer_protocol_policy: str
    cache_policy_id: str = ""
    legacy_ttls: tuple[int, int, int] | None = None  # (min, default, max) without a policy
    origin_request_policy_id: str = ""
    legacy_forwards_host: bool = False  # ForwardedValues.Headers holds Host (or *)
    realtime_log_config: str = ""  # a real-time log configuration's ARN


@dataclass(frozen=True)
class CachePolicy:
    id: str
    name: str
    min_ttl: int
    default_ttl: int
    max_ttl: int


@dataclass(frozen=True)
class Tenant:
    """A tenant of a multi-tenant distribution (``ConnectionMode`` ``tenant-only``): its
    web ACL customisation decides its WAF layer (``override`` with its own ACL, ``disable``
    for none, or nothing: the distribution's)."""

    id: str
    name: str
    enabled: bool
    domains: tuple[str, ...] = ()
    web_acl_action: str = ""  # "", "override" or "disable"
    web_acl_arn: str = ""


@dataclass(frozen=True)
class Distribution:
    id: str
    arn: str
    domain_name: str
    account: str
    origins: tuple[Origin, ...]
    web_acl_id: str  # "" when none; an ARN for WAFv2, a bare id for WAF Classic
    behaviors: tuple[Behavior, ...] = ()
    origin_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Read for edge distributions only; None where not read.
    logging_enabled: bool | Unavailable | None = None
    realtime_metrics: bool | Unavailable | None = None
    # standard logging v2: a CloudWatch Logs delivery whose source is the distribution;
    # read only where neither legacy logging nor a real-time log configuration is on
    logging_v2: bool | Unavailable | None = None
    enabled: bool = True  # a disabled distribution fronts nothing
    staging: bool = False  # continuous deployment's staging copy: fronts like its primary
    connection_mode: str = "direct"  # "tenant-only": a multi-tenant distribution
    tenants: tuple[Tenant, ...] | Unavailable | None = None  # read for tenant-only ones
    aliases: tuple[str, ...] = ()  # the viewer Host names (CNAMEs)

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.arn, T_DISTRIBUTION, self.id, self.account, GLOBAL_REGION)


# ---------------------------------------------------------------- CloudWatch


@dataclass(frozen=True)
class RestApi:
    id: str
    name: str
    account: str
    region: str
    stage_count: int

    @property
    def ref(self) -> ResourceRef:
        arn = f"arn:aws:apigateway:{self.region}::/restapis/{self.id}"
        return ResourceRef(arn, T_REST_API, self.name, self.account, self.region)


# ---------------------------------------------------------------- the whole


@dataclass(frozen=True)
class VpcOriginEndpoint:
    """How a CloudFront VPC origin connects to its load balancer (GetVpcOrigin)."""

    protocol_policy: str  # http-only | https-only | match-viewer
    http_port: int
    https_port: int


@dataclass(frozen=True)
class VpcOriginServiceGroup:
    """The group CloudFront creates in a VPC for VPC origins, and the private addresses of
    its network interfaces (read only where a CIDR rule, not a group reference, might be
    what admits them)."""

    group_id: str  # "": the VPC has no such group (no VPC origin was ever set up in it)
    addresses: tuple[str, ...] | Unavailable | None = None


@dataclass(frozen=True)
class RegionInventory:
    region: str
    load_balancers: tuple[LoadBalancer, ...] | Unavailable
    target_groups: tuple[TargetGroup, ...] | Unavailable
    security_groups: dict[str, SecurityGroup] | Unavailable = field(default_factory=dict)
    cloudfront_prefix_list_id: str | Unavailable | None = None
    # com.amazonaws.global.ipv6.cloudfront.origin-facing, read in the same call
    cloudfront_ipv6_prefix_list_id: str | Unavailable | None = None
    # prefix list id -> its CIDRs (GetManagedPrefixListEntries): CloudFront's lists and the
    # customer lists the ALBs' groups use, read only where a group admits something else
    prefix_list_entries: dict[str, tuple[str, ...] | Unavailable] = field(default_factory=dict)
    functions: dict[str, LambdaFunction] = field(default_factory=dict)
    alb_web_acls: dict[str, WebAcl | Unavailable | None] = field(default_factory=dict)
    metrics: MetricSeries | Unavailable | None = None  # None: no selected rule needed metrics
    ssl_policies: dict[str, tuple[str, ...]] | Unavailable = field(default_factory=dict)
    alarms: tuple[AlarmWatch, ...] | Unavailable | None = None
    rest_apis: tuple[RestApi, ...] | Unavailable = ()
    # The applied rules-per-ALB quota (elbv2:DescribeAccountLimits); None: not read
    alb_rules_quota: int | Unavailable | None = None
    # VPC id -> CloudFront-VPCOrigins-Service-SG there, for VPCs of internal ALBs that a
    # VPC origin reaches (SG-003); None: not read
    vpc_origin_groups: dict[str, VpcOriginServiceGroup] | Unavailable | None = None
    # Rule packs' facets (auditor.facets): facet name -> the JSON data its collector
    # returned here, or why it could not
    pack_data: dict[str, Any] = field(default_factory=dict)
    pack_gaps: dict[str, Unavailable] = field(default_factory=dict)


@dataclass(frozen=True)
class CallFailure:
    """A failed AWS call, for ``scan.errors``: where, which call and why."""

    account: str
    region: str
    operation: str
    code: str
    message: str
    resource: str = ""


@dataclass(frozen=True)
class Inventory:
    account: str
    partition: str
    regions: tuple[RegionInventory, ...]
    distributions: tuple[Distribution, ...] | Unavailable
    edge_web_acls: dict[str, WebAcl | ClassicWebAcl | Unavailable] = field(default_factory=dict)
    # referenced rule group ARN -> whether it holds an acting rate-based rule
    edge_rule_groups: dict[str, bool | Unavailable] = field(default_factory=dict)
    failures: tuple[CallFailure, ...] = ()
    # Set by sealing: whether each (origin, ALB header condition) pair accepts the value
    # the origin sends, keyed by auditor.headers.match_key; None where the regex readings
    # disagree (undetermined); secrets are gone by then.
    header_matches: dict[str, bool | None] = field(default_factory=dict)
    # Set by sealing too, per accepted value of every header check guarding an ALB (keyed
    # by auditor.headers.value_key): whether some distribution fronting that ALB sends a
    # value it accepts (BYP-010); None where the readings disagree.
    header_values_sent: dict[str, bool | None] = field(default_factory=dict)
    # The literal-character threshold the weakness verdicts were computed with (BYP-009's
    # min_literals when the inventory was sealed); 0 before sealing.
    weak_min_literals: int = 0
    sealed: bool = False
    cache_policies: dict[str, CachePolicy | Unavailable] = field(default_factory=dict)
    # origin request policy id -> whether it forwards the viewer's Host header
    origin_request_policies: dict[str, bool | Unavailable] = field(default_factory=dict)
    vpc_origins: dict[str, str] | Unavailable = field(default_factory=dict)  # id -> endpoint ARN
    # VPC origin id -> its ports and protocol (GetVpcOrigin), for VPC origins that reach an
    # internal Lambda ALB (SG-003)
    vpc_origin_endpoints: dict[str, VpcOriginEndpoint | Unavailable] = field(
        default_factory=dict)
    # Route 53: domain -> every name its alias or CNAME records point to (all records of a
    # weighted, latency, failover, geolocation or multivalue set), from this account's
    # public zones; chains are followed hop by hop across every inventory of a run.
    dns_targets: dict[str, tuple[str, ...]] | Unavailable = field(default_factory=dict)
    edge_metrics: MetricSeries | Unavailable | None = None  # CloudFront, in us-east-1
    edge_alarms: tuple[AlarmWatch, ...] | Unavailable | None = None  # alarms in us-east-1
    # ARN -> tags, read only for the tag keys that suppressions name (auditor.suppress)
    tags: dict[str, dict[str, str]] | Unavailable = field(default_factory=dict)

    def secrets(self) -> list[Secret]:
        """Every secret the inventory holds, for the reporters' last-line scrub."""
        found: list[Secret] = []
        if not isinstance(self.distributions, Unavailable):
            for dist in self.distributions:
                for origin in dist.origins:
                    found.extend(h.value for h in origin.custom_headers if h.value)
        for region in self.regions:
            for acl in region.alb_web_acls.values():
                if isinstance(acl, WebAcl):
                    found.extend(v for check in acl.header_checks for v in check.values)
            if isinstance(region.load_balancers, Unavailable):
                continue
            for lb in region.load_balancers:
                if isinstance(lb.listeners, Unavailable):
                    continue
                for listener in lb.listeners:
                    if isinstance(listener.rules, Unavailable):
                        continue
                    for rule in listener.rules:
                        for cond in rule.header_conditions:
                            found.extend(cond.values)
                            found.extend(cond.regex_values)
        return found

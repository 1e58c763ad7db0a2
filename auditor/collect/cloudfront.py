"""CloudFront: distributions with their origins, behaviours and web ACL id.

``ListDistributions`` carries most of what the rules read, so one paginated call per
account covers every distribution. Details only edge distributions need (logging,
real-time metrics, custom cache policies, VPC origins) are fetched for those alone.
CloudFront is global: its API lives in us-east-1.
"""

from __future__ import annotations

from auditor.collect.base import ABSENT, Calls
from auditor.gaps import Unavailable
from auditor.inventory import (
    MANAGED_REQUEST_POLICIES,
    Behavior,
    CachePolicy,
    Distribution,
    Origin,
    OriginHeader,
    Tenant,
)
from auditor.secrets import Secret
from auditor.session import GLOBAL_SERVICE_REGION

OPERATIONS = ("cloudfront:ListDistributions", "cloudfront:GetDistributionConfig",
              "cloudfront:GetMonitoringSubscription", "cloudfront:GetCachePolicy",
              "cloudfront:ListVpcOrigins", "cloudfront:GetOriginRequestPolicy",
              "logs:DescribeDeliverySources", "logs:DescribeDeliveries",
              "cloudfront:ListDistributionTenants")
READ_TIMEOUT_DEFAULT = 30
KEEPALIVE_DEFAULT = 5
CF = GLOBAL_SERVICE_REGION

# AWS-managed cache policies (id -> name, min, default, max TTL): read without a call.
CACHING_DISABLED_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
MANAGED_CACHE_POLICIES = {
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": ("Managed-CachingDisabled", 0, 0, 0),
    "658327ea-f89d-4fab-a63d-7e88639e58f6": ("Managed-CachingOptimized", 1, 86400, 31536000),
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": (
        "Managed-CachingOptimizedForUncompressedObjects", 1, 86400, 31536000),
    "08627262-05a9-4f76-9ded-b50ca2e3a84f": ("Managed-Elemental-MediaPackage", 0, 86400,
                                             31536000),
    "2e54312d-136d-493c-8eb9-b001f22f67d2": ("Managed-Amplify", 2, 2, 600),
    "83da9c7e-98b4-4e11-a168-04f0df8e2c65": ("Managed-UseOriginCacheControlHeaders", 0, 0,
                                             31536000),
    "4cc15a8a-d715-48a4-82b8-cc0b614638fe": (
        "Managed-UseOriginCacheControlHeaders-QueryStrings", 0, 0, 31536000),
}


def origin_request_policy(calls: Calls, policy_id: str) -> bool | Unavailable:
    """Whether the policy forwards the viewer's Host header to the origin."""
    if policy_id in MANAGED_REQUEST_POLICIES:
        return MANAGED_REQUEST_POLICIES[policy_id]
    response = calls.call("cloudfront", CF, "get_origin_request_policy", resource=policy_id,
                          Id=policy_id)
    if isinstance(response, Unavailable):
        return response
    cfg = ((response.get("OriginRequestPolicy") or {}).get("OriginRequestPolicyConfig") or {})
    headers = cfg.get("HeadersConfig") or {}
    behavior = headers.get("HeaderBehavior", "none")
    names = {h.lower() for h in _items(headers.get("Headers"))}
    if behavior in ("allViewer", "allViewerAndWhitelistCloudFront"):
        return True
    if behavior == "allExcept":
        return "host" not in names
    return behavior == "whitelist" and "host" in names


def managed_cache_policy(policy_id: str) -> CachePolicy | None:
    known = MANAGED_CACHE_POLICIES.get(policy_id)
    return CachePolicy(policy_id, *known) if known else None


def _items(container: dict | None) -> list:
    return list((container or {}).get("Items") or [])


def parse_origin(raw: dict) -> Origin:
    custom = raw.get("CustomOriginConfig")
    vpc = raw.get("VpcOriginConfig") or {}
    cfg = custom or vpc
    return Origin(
        origin_id=raw.get("Id", ""), domain_name=raw.get("DomainName", ""),
        custom_headers=tuple(OriginHeader(h["HeaderName"], Secret(h.get("HeaderValue", "")))
                             for h in _items(raw.get("CustomHeaders"))),
        protocol_policy=custom.get("OriginProtocolPolicy") if custom else None,
        http_port=int((custom or {}).get("HTTPPort", 80)),
        https_port=int((custom or {}).get("HTTPSPort", 443)),
        read_timeout_seconds=int(cfg.get("OriginReadTimeout", READ_TIMEOUT_DEFAULT)),
        keepalive_timeout_seconds=int(cfg.get("OriginKeepaliveTimeout", KEEPALIVE_DEFAULT)),
        vpc_origin_id=vpc.get("VpcOriginId"),
        ssl_protocols=tuple(_items((custom or {}).get("OriginSslProtocols"))),
        connection_attempts=int(raw.get("ConnectionAttempts", 3)),
        response_completion_timeout_seconds=raw.get("ResponseCompletionTimeout"),
        ip_address_type=(custom or {}).get("IpAddressType") or "ipv4",
        mtls_certificate=((custom or {}).get("OriginMtlsConfig") or {}).get(
            "ClientCertificateArn") or "")


def parse_behavior(raw: dict, path: str | None = None) -> Behavior:
    policy = raw.get("CachePolicyId") or ""
    legacy = None
    if not policy and "MinTTL" in raw:
        legacy = (int(raw.get("MinTTL") or 0), int(raw.get("DefaultTTL") or 0),
                  int(raw.get("MaxTTL") or 0))
    legacy_headers = {h.lower() for h in _items(
        (raw.get("ForwardedValues") or {}).get("Headers"))}
    return Behavior(path_pattern=path or raw.get("PathPattern") or "*",
                    target_origin_id=raw.get("TargetOriginId", ""),
                    viewer_protocol_policy=raw.get("ViewerProtocolPolicy", ""),
                    cache_policy_id=policy, legacy_ttls=legacy,
                    origin_request_policy_id=raw.get("OriginRequestPolicyId") or "",
                    legacy_forwards_host=bool(legacy_headers & {"host", "*"}),
                    realtime_log_config=raw.get("RealtimeLogConfigArn") or "")


def parse_distribution(raw: dict, account: str) -> Distribution:
    behaviors = [parse_behavior(raw.get("DefaultCacheBehavior") or {}, "*")]
    behaviors += [parse_behavior(b) for b in _items(raw.get("CacheBehaviors"))]
    groups = {g.get("Id", ""): tuple(m.get("OriginId", "") for m in _items(g.get("Members")))
              for g in _items(raw.get("OriginGroups"))}
    return Distribution(
        id=raw["Id"], arn=raw["ARN"], domain_name=raw.get("DomainName", ""), account=account,
        origins=tuple(parse_origin(o) for o in _items(raw.get("Origins"))),
        web_acl_id=raw.get("WebACLId") or "", behaviors=tuple(behaviors), origin_groups=groups,
        enabled=bool(raw.get("Enabled", True)), staging=bool(raw.get("Staging", False)),
        connection_mode=raw.get("ConnectionMode") or "direct",
        aliases=tuple(_items(raw.get("Aliases"))))


def collect(calls: Calls, account: str) -> tuple[Distribution, ...] | Unavailable:
    raw = calls.paginate("cloudfront", CF, "list_distributions", "DistributionList.Items")
    if isinstance(raw, Unavailable):
        return raw
    return tuple(parse_distribution(d, account) for d in raw)


def logging_enabled(calls: Calls, dist: Distribution) -> bool | Unavailable:
    """Standard logging (legacy, to S3) as the distribution's config states it."""
    response = calls.call("cloudfront", CF, "get_distribution_config", resource=dist.arn,
                          Id=dist.id)
    if isinstance(response, Unavailable):
        return response
    return bool(((response.get("DistributionConfig") or {}).get("Logging") or {}).get("Enabled"))


def realtime_metrics(calls: Calls, dist: Distribution) -> bool | Unavailable:
    """Whether the additional metrics (cache hit rate among them) are on."""
    response = calls.call("cloudfront", CF, "get_monitoring_subscription", resource=dist.arn,
                          absent=("NoSuchMonitoringSubscription",), DistributionId=dist.id)
    if response is ABSENT:
        return False
    if isinstance(response, Unavailable):
        return response
    config = (response.get("MonitoringSubscription") or {}).get(
        "RealtimeMetricsSubscriptionConfig") or {}
    return config.get("RealtimeMetricsSubscriptionStatus") == "Enabled"


def cache_policy(calls: Calls, policy_id: str) -> CachePolicy | Unavailable:
    known = managed_cache_policy(policy_id)
    if known:
        return known
    response = calls.call("cloudfront", CF, "get_cache_policy", resource=policy_id,
                          Id=policy_id)
    if isinstance(response, Unavailable):
        return response
    cfg = (response.get("CachePolicy") or {}).get("CachePolicyConfig") or {}
    return CachePolicy(policy_id, cfg.get("Name", ""), int(cfg.get("MinTTL", 0)),
                       int(cfg.get("DefaultTTL", 0)), int(cfg.get("MaxTTL", 0)))


def vpc_origins(calls: Calls) -> dict[str, str] | Unavailable:
    """VPC origin id -> the ARN of the load balancer (or instance) it reaches."""
    found: dict[str, str] = {}
    marker = ""
    while True:  # botocore has no paginator for ListVpcOrigins: follow NextMarker
        response = calls.call("cloudfront", CF, "list_vpc_origins",
                              **({"Marker": marker} if marker else {}))
        if isinstance(response, Unavailable):
            return response
        page = response.get("VpcOriginList") or {}
        found.update({v["Id"]: v.get("OriginEndpointArn", "") for v in page.get("Items") or []})
        marker = page.get("NextMarker") or ""
        if not page.get("IsTruncated") or not marker:
            return found


def logging_v2_sources(calls: Calls) -> set[str] | Unavailable:
    """The distributions with a standard-logging v2 delivery: CloudWatch Logs delivery
    sources (service ``cloudfront``) that some delivery uses. Two listings per account,
    in us-east-1, answer for every distribution."""
    sources = calls.paginate("logs", CF, "describe_delivery_sources", "deliverySources")
    if isinstance(sources, Unavailable):
        return sources
    by_name = {s.get("name", ""): set(s.get("resourceArns") or []) for s in sources
               if s.get("service", "cloudfront") == "cloudfront"}
    if not by_name:
        return set()
    deliveries = calls.paginate("logs", CF, "describe_deliveries", "deliveries")
    if isinstance(deliveries, Unavailable):
        return deliveries
    used = {d.get("deliverySourceName", "") for d in deliveries}
    return {arn for name, arns in by_name.items() if name in used for arn in arns}


def tenants(calls: Calls, dist: Distribution) -> tuple[Tenant, ...] | Unavailable:
    """The tenants of a multi-tenant distribution, with their web ACL customisations."""
    raw = calls.paginate("cloudfront", CF, "list_distribution_tenants", "DistributionTenantList",
                         resource=dist.arn, AssociationFilter={"DistributionId": dist.id})
    if isinstance(raw, Unavailable):
        return raw
    found = []
    for item in raw:
        acl = (item.get("Customizations") or {}).get("WebAcl") or {}
        found.append(Tenant(item.get("Id", ""), item.get("Name", ""),
                            bool(item.get("Enabled", True)),
                            tuple(d.get("Domain", "") for d in item.get("Domains") or []),
                            acl.get("Action", ""), acl.get("Arn", "")))
    return tuple(found)

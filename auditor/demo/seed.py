"""Builds applications of the pattern in an AWS account through the public API (boto3).

Used by the demo to seed its fake account, and by the tests to seed moto. Each
`AppSpec` knob is one of the settings the rules judge, so a spec reads as the list of
what is right or wrong with that application.
"""

from __future__ import annotations

import io
import json
import secrets
import threading
import zipfile
from dataclasses import dataclass, field
from typing import Any

import boto3

from auditor.demo.operations import seed_operations

PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
ROLE_NAME = "edge-demo-lambda"
HARDENED_HEALTH = {
    "HealthCheckIntervalSeconds": 60,
    "HealthCheckTimeoutSeconds": 10,
    "HealthyThresholdCount": 3,
    "UnhealthyThresholdCount": 3,
    "HealthCheckPath": "/health",
}
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
SEEDED_DAYS = 7
# Health checks on, every setting left at AWS's default.
DEFAULT_HEALTH: dict[str, Any] = {}
HANDLER = "def handler(event, context):\n    return {'statusCode': 200}\n"
# An identity provider the demo's authenticate-oidc actions name (never called)
OIDC = {"Issuer": "https://idp.example.com", "AuthorizationEndpoint": "https://idp.example.com/a",
        "TokenEndpoint": "https://idp.example.com/t",
        "UserInfoEndpoint": "https://idp.example.com/u", "ClientId": "edge-demo",
        "ClientSecret": "not-a-secret-demo-client"}


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    path: str | None  # a path-pattern rule; None: the listener's default action
    timeout: int = 25
    alias: str | None = "live"  # registered qualifier; None registers the bare function
    provisioned: int = 0
    url_auth: str | None = None  # "NONE" or "AWS_IAM" creates a function URL
    scoped_permission: bool = True  # AWS:SourceArn on the ELB invoke permission
    methods: tuple[str, ...] = ()
    reserved: int | None = None  # reserved concurrency (0: the function cannot run)
    invoke_mode: str = "BUFFERED"  # of its function URL; RESPONSE_STREAM: a streaming handler
    errors: int = 0  # LambdaUserError on its target group over the seeded week
    max_duration_ms: float = 0  # each day's longest run (CloudWatch Duration, Maximum)


@dataclass(frozen=True)
class AppSpec:
    name: str
    region: str
    functions: tuple[FunctionSpec, ...]
    cloudfront: bool = True
    origin_protocol: str = "https-only"
    origin_header: str | None = "X-Origin-Verify"
    alb_checks_header: bool = True
    alb_value_mismatch: bool = False  # the ALB accepts an old value CloudFront no longer sends
    ingress: str = "prefix-list"  # "prefix-list" or "world"
    https: bool = True
    multi_value: bool = True
    health: dict[str, Any] | None = field(default_factory=lambda: dict(HARDENED_HEALTH))
    edge_waf: bool = True
    alb_waf: bool = False
    read_timeout: int = 30
    # Phase 2 settings: hardened by default, except where a plain moto server lacks the API.
    alb_hardening: bool = True  # drop invalid headers, deletion protection, access logs
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    viewer_protocol: str = "redirect-to-https"
    keepalive: int = 30
    cached_paths: tuple[tuple[str, str], ...] = (("/api/catalog/*", CACHING_OPTIMIZED),)
    logging: bool = True
    realtime_metrics: bool = False  # needs GetMonitoringSubscription (the demo serves it)
    alarms: bool = True
    monthly_requests: int = 45_000_000  # CloudWatch traffic seeded over the last week
    throttles: int = 0
    http_redirect: bool = False  # a second listener on :80 that redirects to HTTPS
    tags: dict[str, str] = field(default_factory=dict)  # on the ALB, functions, distribution
    origin_domain: str | None = None  # the origin's domain (a Route 53 name); None: the ALB's
    # Catalogue 1.1 settings
    weak_secret: bool = False  # CloudFront sends, and the ALB accepts, a short guessable value
    stale_value: bool = False  # the ALB still accepts an old value besides the one sent
    unauthenticated: str | None = None  # "allow": OIDC on each route lets no-login requests by
    waf_fail_open: bool = False  # waf.fail_open.enabled on the ALB
    empty_route: str | None = None  # a path forwarded to a Lambda target group with no target


@dataclass
class SeededApp:
    spec: AppSpec
    alb_arn: str = ""
    distribution_arn: str = ""
    target_groups: dict[str, str] = field(default_factory=dict)  # function name -> TG ARN
    targets: dict[str, str] = field(default_factory=dict)  # function name -> registered ARN
    secret_values: list[str] = field(default_factory=list)
    dns_name: str = ""  # the ALB's
    edge: Seeder | None = None  # the account holding the distribution, when not this one


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", HANDLER)
    return buffer.getvalue()


class Seeder:
    """Creates apps in one account reached through ``session`` (and an endpoint)."""

    def __init__(self, session: boto3.Session, endpoint_url: str | None = None,
                 shared_network: bool = False) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        self.shared_network = shared_network  # one VPC per region for every app (benchmark)
        self._role_arn: str | None = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._networks: dict[str, tuple[str, list[str]]] = {}
        self._lock = threading.RLock()

    def client(self, service: str, region: str) -> Any:
        with self._lock:  # boto3 sessions are not thread-safe; their clients are
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self.session.client(service, region_name=region,
                                                         endpoint_url=self.endpoint_url)
            return self._clients[key]

    def _vpc(self, region: str) -> tuple[str, list[str]]:
        with self._lock:
            if self.shared_network and region in self._networks:
                return self._networks[region]
            ec2 = self.client("ec2", region)
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            zones = [z["ZoneName"] for z in
                     ec2.describe_availability_zones()["AvailabilityZones"]]
            subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                                         AvailabilityZone=zones[i])["Subnet"]["SubnetId"]
                       for i in range(2)]
            self._networks[region] = (vpc, subnets)
            return vpc, subnets

    def role_arn(self) -> str:
        if self._role_arn is None:
            iam = self.client("iam", "us-east-1")
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
            self._role_arn = iam.create_role(
                RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust)
            )["Role"]["Arn"]
        return self._role_arn

    # ------------------------------------------------------------------ network + ALB

    def _network(self, spec: AppSpec) -> tuple[list[str], str]:
        ec2 = self.client("ec2", spec.region)
        vpc, subnets = self._vpc(spec.region)
        group = ec2.create_security_group(
            GroupName=f"{spec.name}-alb", VpcId=vpc, Description=f"{spec.name} ALB"
        )["GroupId"]
        port = 443 if spec.https else 80
        if spec.ingress == "world":
            ec2.authorize_security_group_ingress(
                GroupId=group,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": p,
                        "ToPort": p,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    }
                    for p in sorted({80, port})
                ],
            )
        else:
            lists = ec2.describe_managed_prefix_lists(
                Filters=[{"Name": "prefix-list-name", "Values": [PREFIX_LIST]}]
            )["PrefixLists"]
            ec2.authorize_security_group_ingress(
                GroupId=group,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": port,
                        "ToPort": port,
                        "PrefixListIds": [{"PrefixListId": lists[0]["PrefixListId"]}],
                    }
                ],
            )
        return subnets, group

    def _function(self, spec: AppSpec, fn: FunctionSpec, seeded: SeededApp) -> str:
        region = spec.region
        lam, elb = self.client("lambda", region), self.client("elbv2", region)
        name = f"{spec.name}-{fn.name}"
        arn = lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=self.role_arn(),
            Handler="index.handler",
            Code={"ZipFile": _zip()},
            Timeout=fn.timeout,
        )["FunctionArn"]
        target = arn
        if fn.alias:
            version = lam.publish_version(FunctionName=name)["Version"]
            target = lam.create_alias(FunctionName=name, Name=fn.alias, FunctionVersion=version)[
                "AliasArn"
            ]
            if fn.provisioned:
                lam.put_provisioned_concurrency_config(
                    FunctionName=name,
                    Qualifier=fn.alias,
                    ProvisionedConcurrentExecutions=fn.provisioned,
                )
        health = {"HealthCheckEnabled": spec.health is not None, **(spec.health or {})}
        tg = elb.create_target_group(
            Name=f"{spec.name}-{fn.name}"[:32], TargetType="lambda", **health
        )["TargetGroups"][0]["TargetGroupArn"]
        elb.modify_target_group_attributes(
            TargetGroupArn=tg,
            Attributes=[
                {
                    "Key": "lambda.multi_value_headers.enabled",
                    "Value": "true" if spec.multi_value else "false",
                }
            ],
        )
        permission: dict[str, Any] = {"SourceArn": tg} if fn.scoped_permission else {}
        if fn.alias:
            permission["Qualifier"] = fn.alias
        lam.add_permission(
            FunctionName=name,
            StatementId="elb-invoke",
            Action="lambda:InvokeFunction",
            Principal="elasticloadbalancing.amazonaws.com",
            **permission,
        )
        elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": target}])
        if fn.reserved is not None:
            lam.put_function_concurrency(FunctionName=name,
                                         ReservedConcurrentExecutions=fn.reserved)
        if fn.url_auth:
            url = {"Qualifier": fn.alias} if fn.alias else {}
            lam.create_function_url_config(FunctionName=name, AuthType=fn.url_auth,
                                           InvokeMode=fn.invoke_mode, **url)
            if fn.url_auth == "NONE":  # what the console adds: without it the URL is a 403
                lam.add_permission(FunctionName=name, StatementId="FunctionURLAllowPublicAccess",
                                   Action="lambda:InvokeFunctionUrl", Principal="*",
                                   FunctionUrlAuthType="NONE", **url)
        seeded.target_groups[fn.name] = tg
        seeded.targets[fn.name] = target
        return tg

    def _listener(self, spec: AppSpec, alb: str, seeded: SeededApp, sent: str | None) -> None:
        region = spec.region
        elb = self.client("elbv2", region)
        groups = {fn.name: self._function(spec, fn, seeded) for fn in spec.functions}
        default = next((fn for fn in spec.functions if fn.path is None), None)
        default_action = (
            {"Type": "forward", "TargetGroupArn": groups[default.name]}
            if default
            else {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "403"}}
        )
        listener: dict[str, Any] = {"Protocol": "HTTP", "Port": 80}
        if spec.https:
            cert = self.client("acm", region).request_certificate(
                DomainName=f"{spec.name}.example.com",
                SubjectAlternativeNames=[f"{spec.name}.example.com", f"*.{spec.name}.example.com"],
            )["CertificateArn"]
            listener = {
                "Protocol": "HTTPS",
                "Port": 443,
                "Certificates": [{"CertificateArn": cert}],
                "SslPolicy": spec.ssl_policy,
            }
        listener_arn = elb.create_listener(
            LoadBalancerArn=alb, DefaultActions=[default_action], **listener
        )["Listeners"][0]["ListenerArn"]
        if spec.http_redirect and spec.https:
            elb.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=80, DefaultActions=[{
                "Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                       "StatusCode": "HTTP_301"}}])
        accepted = [sent] if sent else []
        if spec.alb_value_mismatch:
            accepted = [secrets.token_urlsafe(24)]
            seeded.secret_values.append(accepted[0])
        if spec.stale_value and sent:
            accepted.append(secrets.token_urlsafe(24))  # the value before the last rotation
            seeded.secret_values.append(accepted[-1])
        routes = [(fn.path, groups[fn.name], fn.methods) for fn in spec.functions if fn.path]
        if spec.empty_route:
            routes.append((spec.empty_route, elb.create_target_group(
                Name=f"{spec.name}-retired"[:32], TargetType="lambda")["TargetGroups"][0][
                "TargetGroupArn"], ()))
        for priority, (path, group, methods) in enumerate(routes, start=10):
            conditions: list[dict[str, Any]] = [
                {"Field": "path-pattern", "PathPatternConfig": {"Values": [path]}}
            ]
            if spec.origin_header and spec.alb_checks_header and accepted:
                conditions.append(
                    {
                        "Field": "http-header",
                        "HttpHeaderConfig": {
                            "HttpHeaderName": spec.origin_header,
                            "Values": accepted,
                        },
                    }
                )
            if methods:
                conditions.append(
                    {
                        "Field": "http-request-method",
                        "HttpRequestMethodConfig": {"Values": list(methods)},
                    }
                )
            actions: list[dict[str, Any]] = [
                {"Type": "forward", "TargetGroupArn": group, "Order": 2}]
            if spec.unauthenticated:
                actions.insert(0, {"Type": "authenticate-oidc", "Order": 1,
                                   "AuthenticateOidcConfig": dict(
                                       OIDC, OnUnauthenticatedRequest=spec.unauthenticated)})
            elb.create_rule(
                ListenerArn=listener_arn,
                Priority=priority,
                Conditions=conditions,
                Actions=actions,
            )

    # ------------------------------------------------------------------ WAF + CloudFront

    def _web_acl(self, name: str, scope: str, region: str) -> str:
        visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True}
        rules = [
            {
                "Name": "rate-limit",
                "Priority": 0,
                "Action": {"Block": {}},
                "Statement": {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}},
                "VisibilityConfig": {**visibility, "MetricName": "rate"},
            },
            {
                "Name": "common",
                "Priority": 1,
                "OverrideAction": {"None": {}},
                "Statement": {
                    "ManagedRuleGroupStatement": {
                        "VendorName": "AWS",
                        "Name": "AWSManagedRulesCommonRuleSet",
                    }
                },
                "VisibilityConfig": {**visibility, "MetricName": "common"},
            },
        ]
        return self.client("wafv2", region).create_web_acl(
            Name=name,
            Scope=scope,
            DefaultAction={"Allow": {}},
            Rules=rules,
            VisibilityConfig={**visibility, "MetricName": name},
        )["Summary"]["ARN"]

    def _distribution(self, spec: AppSpec, dns_name: str, sent: str | None) -> str:
        origin: dict[str, Any] = {
            "Id": f"{spec.name}-alb",
            "DomainName": dns_name,
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": spec.origin_protocol,
                "OriginReadTimeout": spec.read_timeout,
                "OriginKeepaliveTimeout": spec.keepalive,
            },
        }
        if spec.origin_header and sent:
            origin["CustomHeaders"] = {
                "Quantity": 1,
                "Items": [{"HeaderName": spec.origin_header, "HeaderValue": sent}],
            }
        config: dict[str, Any] = {
            "CallerReference": f"{spec.name}-{secrets.token_hex(4)}",
            "Comment": spec.name,
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {
                "TargetOriginId": origin["Id"],
                "ViewerProtocolPolicy": spec.viewer_protocol,
                "CachePolicyId": CACHING_DISABLED,
            },
        }
        behaviors = [{"PathPattern": path, "TargetOriginId": origin["Id"],
                      "ViewerProtocolPolicy": spec.viewer_protocol, "CachePolicyId": policy}
                     for path, policy in spec.cached_paths]
        if behaviors:
            config["CacheBehaviors"] = {"Quantity": len(behaviors), "Items": behaviors}
        if spec.logging:
            config["Logging"] = {"Enabled": True, "IncludeCookies": False,
                                 "Bucket": "edge-logs.s3.amazonaws.com", "Prefix": spec.name}
        if spec.edge_waf:
            config["WebACLId"] = self._web_acl(f"{spec.name}-edge", "CLOUDFRONT", "us-east-1")
        return self.client("cloudfront", "us-east-1").create_distribution(
            DistributionConfig=config
        )["Distribution"]["ARN"]

    # ------------------------------------------------------------------ the app

    def seed(self, spec: AppSpec, edge: Seeder | None = None) -> SeededApp:
        """One app; with ``edge``, its distribution (and edge WAF, metrics and alarms) in
        that other account, as an AWS Organization's edge account holds them."""
        seeded = SeededApp(spec, edge=edge)
        subnets, group = self._network(spec)
        elb = self.client("elbv2", spec.region)
        alb = elb.create_load_balancer(
            Name=f"{spec.name}-alb",
            Subnets=subnets,
            SecurityGroups=[group],
            Scheme="internet-facing",
            Type="application",
        )["LoadBalancers"][0]
        seeded.alb_arn, seeded.dns_name = alb["LoadBalancerArn"], alb["DNSName"]
        sent = None
        if spec.origin_header:  # a short word is what a guess finds (BYP-009)
            sent = f"letmein{secrets.randbelow(1000):03d}" if spec.weak_secret else \
                secrets.token_urlsafe(24)
        if sent:
            seeded.secret_values.append(sent)
        self._listener(spec, seeded.alb_arn, seeded, sent)
        if spec.alb_waf:
            acl = self._web_acl(f"{spec.name}-regional", "REGIONAL", spec.region)
            self.client("wafv2", spec.region).associate_web_acl(
                WebACLArn=acl, ResourceArn=seeded.alb_arn
            )
        if spec.cloudfront:
            seeded.distribution_arn = (edge or self)._distribution(
                spec, spec.origin_domain or alb["DNSName"], sent)
        seed_operations(self, spec, seeded)
        if spec.tags:
            self._tag(spec, seeded)
        return seeded

    def _tag(self, spec: AppSpec, seeded: SeededApp) -> None:
        pairs = [{"Key": k, "Value": v} for k, v in spec.tags.items()]
        self.client("elbv2", spec.region).add_tags(ResourceArns=[seeded.alb_arn], Tags=pairs)
        functions = self.client("lambda", spec.region)
        for fn in spec.functions:
            name = f"{spec.name}-{fn.name}"
            arn = functions.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
            functions.tag_resource(Resource=arn, Tags=dict(spec.tags))
        if seeded.distribution_arn:
            (seeded.edge or self).client("cloudfront", "us-east-1").tag_resource(
                Resource=seeded.distribution_arn, Tags={"Items": pairs})

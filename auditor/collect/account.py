"""One account's inventory: the regions, then CloudFront and what links it to them.

Order matters for cost: the regions tell which ALBs serve Lambda; only then is it known
which distributions front one (edge distributions), and only those get their logging,
real-time metrics, cache policies, web ACLs, metrics and alarms read.
"""

from __future__ import annotations

from dataclasses import replace

from auditor.collect import (
    apigateway,
    awslambda,
    cloudfront,
    cloudwatch,
    ec2,
    elbv2,
    route53,
    wafv2,
)
from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.inventory import Inventory, RegionInventory
from auditor.session import GLOBAL_SERVICE_REGION, AwsContext

OPERATIONS = ("sts:GetCallerIdentity",)
ALL_OPERATIONS = tuple(sorted({
    *OPERATIONS, *elbv2.OPERATIONS, *ec2.OPERATIONS, *awslambda.OPERATIONS,
    *cloudfront.OPERATIONS, *wafv2.OPERATIONS, *cloudwatch.OPERATIONS, *route53.OPERATIONS,
    *apigateway.OPERATIONS}))
METRIC_DAYS_DEFAULT = 14
CONFIGURATION_CODES = ("NoCredentialsError", "PartialCredentialsError",
                       "InvalidClientTokenId", "UnrecognizedClientException")


class IdentityError(Exception):
    """The credentials do not resolve to an account: nothing can be scanned."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code

    @property
    def is_configuration(self) -> bool:
        """No usable credentials: the user's setup, not AWS, is at fault."""
        return self.code in CONFIGURATION_CODES


def identify(ctx: AwsContext) -> tuple[str, str]:
    """(account id, partition) of the credentials."""
    calls = Calls(ctx, "")
    response = calls.call("sts", ctx.default_region, "get_caller_identity")
    if isinstance(response, Unavailable):
        raise IdentityError(response.reason, response.code)
    return response["Account"], response["Arn"].split(":")[1]


def collect_region(calls: Calls, region: str, account: str,
                   metric_days: int = METRIC_DAYS_DEFAULT) -> RegionInventory:
    lbs, tgs = elbv2.collect(calls, region, account)
    apis = apigateway.rest_apis(calls, region, account)
    if isinstance(lbs, Unavailable) or isinstance(tgs, Unavailable):
        return RegionInventory(region, lbs, tgs, rest_apis=apis)
    group_ids = [g for lb in lbs for g in lb.security_group_ids]
    targets = dict.fromkeys(t for tg in tgs if not isinstance(tg.targets, Unavailable)
                            for t in tg.targets)
    functions = {arn: awslambda.collect_function(calls, region, account, arn)
                 for arn in targets}
    queries = cloudwatch.region_queries(list(lbs), list(tgs), list(functions.values()))
    return RegionInventory(
        region=region, load_balancers=lbs, target_groups=tgs,
        security_groups=ec2.security_groups(calls, region, group_ids) if group_ids else {},
        cloudfront_prefix_list_id=ec2.cloudfront_prefix_list_id(calls, region) if lbs else None,
        functions=functions,
        alb_web_acls={lb.arn: wafv2.alb_web_acl(calls, region, lb.arn) for lb in lbs},
        metrics=cloudwatch.daily_series(calls, region, queries, metric_days),
        ssl_policies=elbv2.ssl_policies(calls, region, lbs),
        alarms=cloudwatch.alarms(calls, region) if lbs else None,
        rest_apis=apis)


def _links(calls: Calls, inventory: Inventory) -> Inventory:
    """Resolve VPC origins and Route 53 names, where some origin needs it."""
    from auditor.topology import Topology

    dists = inventory.distributions
    if isinstance(dists, Unavailable):
        return inventory
    vpc: dict[str, str] | Unavailable = {}
    if any(o.vpc_origin_id for d in dists for o in d.origins):
        vpc = cloudfront.vpc_origins(calls)
    domains = Topology(replace(inventory, vpc_origins=vpc)).unlinked_custom_domains()
    return replace(inventory, vpc_origins=vpc, dns_targets=route53.targets(calls, domains))


def _edge_details(calls: Calls, inventory: Inventory, metric_days: int) -> Inventory:
    """Logging, real-time metrics, cache policies, ACLs, metrics and alarms of the
    distributions that front a Lambda ALB."""
    from auditor.topology import Topology

    edge = Topology(inventory).edge_distributions().items
    if not edge:
        return inventory
    details = {d.arn: replace(d, logging_enabled=cloudfront.logging_enabled(calls, d),
                              realtime_metrics=cloudfront.realtime_metrics(calls, d))
               for d in edge}
    dists = tuple(details.get(d.arn, d) for d in inventory.distributions)
    policy_ids = dict.fromkeys(b.cache_policy_id for d in edge for b in d.behaviors
                               if b.cache_policy_id)
    acl_ids = dict.fromkeys(d.web_acl_id for d in edge if d.web_acl_id)
    scanned_alarms = {r.region: r.alarms for r in inventory.regions}.get(GLOBAL_SERVICE_REGION)
    return replace(
        inventory, distributions=dists,
        cache_policies={p: cloudfront.cache_policy(calls, p) for p in policy_ids},
        edge_web_acls={a: wafv2.edge_web_acl(calls, a) for a in acl_ids},
        edge_metrics=cloudwatch.daily_series(calls, GLOBAL_SERVICE_REGION,
                                             cloudwatch.edge_queries(list(edge)), metric_days),
        edge_alarms=scanned_alarms if scanned_alarms is not None
        else cloudwatch.alarms(calls, GLOBAL_SERVICE_REGION))


def collect_inventory(ctx: AwsContext, regions: list[str], account: str,
                      partition: str = "aws", metric_days: int = METRIC_DAYS_DEFAULT,
                      ) -> Inventory:
    """``metric_days``: how many days of CloudWatch data the selected rules read."""
    calls = Calls(ctx, account)
    region_inventories = tuple(collect_region(calls, r, account, metric_days) for r in regions)
    inventory = Inventory(account=account, partition=partition, regions=region_inventories,
                          distributions=cloudfront.collect(calls, account))
    inventory = _edge_details(calls, _links(calls, inventory), metric_days)
    return replace(inventory, failures=tuple(calls.failures))

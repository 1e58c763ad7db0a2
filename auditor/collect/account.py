"""One account's inventory: the regions, then CloudFront and what links it to them.

Order matters for cost: the regions tell which ALBs serve Lambda; only then is it known
which distributions front one (edge distributions), and only those get their logging,
real-time metrics, cache policies, web ACLs, metrics and alarms read.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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
from auditor.collect.plan import Plan
from auditor.collect.runner import DEFAULT_WORKERS, Runner
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


def collect_region(calls: Calls, region: str, account: str, plan: Plan | None = None,
                   metric_days: int = METRIC_DAYS_DEFAULT,
                   workers: int = DEFAULT_WORKERS) -> RegionInventory:
    plan = plan or Plan.everything()
    with Runner(workers) as runner:
        return _region(calls, region, account, plan, metric_days, runner)


def _region(calls: Calls, region: str, account: str, plan: Plan, metric_days: int,
            runner: Runner) -> RegionInventory:
    apis = apigateway.rest_apis(calls, region, account) if "rest_apis" in plan else ()
    if not plan.path:
        return RegionInventory(region, (), (), rest_apis=apis)
    lbs, tgs = elbv2.collect(calls, region, account, plan, runner)
    if isinstance(lbs, Unavailable) or isinstance(tgs, Unavailable):
        return RegionInventory(region, lbs, tgs, rest_apis=apis)
    group_ids = [g for lb in lbs for g in lb.security_group_ids]
    targets = list(dict.fromkeys(t for tg in tgs if not isinstance(tg.targets, Unavailable)
                                 for t in tg.targets)) if "targets" in plan else []
    found = runner.map(lambda arn: awslambda.collect_function(calls, region, account, arn, plan),
                       targets)
    functions = dict(zip(targets, found, strict=True))
    queries = cloudwatch.region_queries(list(lbs), list(tgs), list(functions.values()))
    want = plan.facets
    return RegionInventory(
        region=region, load_balancers=lbs, target_groups=tgs,
        security_groups=ec2.security_groups(calls, region, group_ids)
        if "security_groups" in want and group_ids else {},
        cloudfront_prefix_list_id=ec2.cloudfront_prefix_list_id(calls, region)
        if "prefix_list" in want and lbs else None,
        functions=functions,
        alb_web_acls=wafv2.alb_web_acls(calls, region, [lb.arn for lb in lbs], runner)
        if "alb_waf" in want else {},
        metrics=cloudwatch.daily_series(calls, region, queries, metric_days)
        if "region_metrics" in want else None,
        ssl_policies=elbv2.ssl_policies(calls, region, lbs) if "ssl_policies" in want else {},
        alarms=cloudwatch.alarms(calls, region) if "alarms" in want and lbs else None,
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


def _edge_details(calls: Calls, inventory: Inventory, plan: Plan, metric_days: int,
                  runner: Runner) -> Inventory:
    """What the selected rules need of the distributions that front a Lambda ALB."""
    from auditor.topology import Topology

    edge = Topology(inventory).edge_distributions().items
    if not edge:
        return inventory
    want = plan.facets

    def details(dist):
        return replace(
            dist,
            logging_enabled=cloudfront.logging_enabled(calls, dist)
            if "edge_logging" in want else None,
            realtime_metrics=cloudfront.realtime_metrics(calls, dist)
            if "edge_monitoring" in want else None)

    updated = {d.arn: d for d in runner.map(details, edge)}
    dists = tuple(updated.get(d.arn, d) for d in inventory.distributions)
    policies = list(dict.fromkeys(b.cache_policy_id for d in edge for b in d.behaviors
                                  if b.cache_policy_id)) if "cache_policies" in want else []
    acls = list(dict.fromkeys(d.web_acl_id for d in edge if d.web_acl_id)) \
        if "edge_waf" in want else []
    scanned = {r.region: r.alarms for r in inventory.regions}.get(GLOBAL_SERVICE_REGION)
    edge_alarms = None
    if "edge_alarms" in want:
        edge_alarms = scanned if scanned is not None else cloudwatch.alarms(
            calls, GLOBAL_SERVICE_REGION)
    return replace(
        inventory, distributions=dists,
        cache_policies=dict(zip(policies, runner.map(
            lambda p: cloudfront.cache_policy(calls, p), policies), strict=True)),
        edge_web_acls=dict(zip(acls, runner.map(
            lambda a: wafv2.edge_web_acl(calls, a), acls), strict=True)),
        edge_metrics=cloudwatch.daily_series(calls, GLOBAL_SERVICE_REGION,
                                             cloudwatch.edge_queries(list(edge)), metric_days)
        if "edge_metrics" in want else None,
        edge_alarms=edge_alarms)


def collect_inventory(ctx: AwsContext, regions: list[str], account: str,
                      partition: str = "aws", metric_days: int = METRIC_DAYS_DEFAULT,
                      plan: Plan | None = None, workers: int = DEFAULT_WORKERS) -> Inventory:
    """One account: its regions in parallel, then CloudFront and the links between them.

    ``metric_days``: how many days of CloudWatch data the selected rules read; ``plan``:
    which data they need (everything by default).
    """
    plan = plan or Plan.everything()
    calls = Calls(ctx, account)
    with ThreadPoolExecutor(max(1, len(regions)), thread_name_prefix="region") as pool:
        region_inventories = tuple(pool.map(
            lambda r: collect_region(calls, r, account, plan, metric_days, workers), regions))
    distributions = cloudfront.collect(calls, account) if plan.path else ()
    inventory = Inventory(account=account, partition=partition, regions=region_inventories,
                          distributions=distributions)
    if plan.path:
        with Runner(workers) as runner:
            inventory = _edge_details(calls, _links(calls, inventory), plan, metric_days,
                                      runner)
    return replace(inventory, failures=tuple(calls.failures))

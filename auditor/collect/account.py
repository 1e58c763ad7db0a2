"""One account's inventory, collected as a stream so every rate-limit bucket drains at once.

AWS limits each service per account and region, so a scan finishes when its busiest bucket
has served its calls, if nothing waits on anything it need not. Hence the order:

1. each region's target groups and ALBs, and the account's distributions, side by side;
2. then, at once: per target group its targets, whose functions start the moment they are
   known; per ALB its listeners, rules and attributes; the region's other lookups; and the
   details of every distribution that fronts one of the ALBs found in step 1;
3. what needs the results of step 2 (TLS policies, metrics) as soon as those are in.

Work is spread over thread pools per account-region and per service group, because a call
waiting for its bucket (`auditor.pacing`) holds its thread: a slow bucket must not starve
another service's calls.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field, replace

from auditor.collect import (
    apigateway,
    awslambda,
    certificates,
    cloudfront,
    cloudwatch,
    ec2,
    elbv2,
    route53,
    tagging,
    vpc_origin_access,
    wafv2,
)
from auditor.collect.base import Calls
from auditor.collect.plan import Plan
from auditor.collect.runner import DEFAULT_WORKERS, PHASE_WORKERS, Runner
from auditor.gaps import Unavailable
from auditor.inventory import (
    Distribution,
    HealthCheck,
    Inventory,
    LoadBalancer,
    RegionInventory,
    TargetGroup,
    WebAcl,
)
from auditor.session import GLOBAL_SERVICE_REGION, AwsContext

OPERATIONS = ("sts:GetCallerIdentity",)
ALL_OPERATIONS = tuple(sorted({
    *OPERATIONS, *elbv2.OPERATIONS, *ec2.OPERATIONS, *awslambda.OPERATIONS,
    *cloudfront.OPERATIONS, *wafv2.OPERATIONS, *cloudwatch.OPERATIONS, *route53.OPERATIONS,
    *apigateway.OPERATIONS, *tagging.OPERATIONS, *certificates.OPERATIONS,
    *vpc_origin_access.OPERATIONS}))
METRIC_DAYS_DEFAULT = 14
CONFIGURATION_CODES = ("NoCredentialsError", "PartialCredentialsError",
                       "InvalidClientTokenId", "UnrecognizedClientException")
PENDING = Unavailable("elbv2:DescribeListeners", "Pending", "not read yet")


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


@dataclass
class _Pools:
    elb: Runner
    functions: Runner
    other: Runner

    @classmethod
    def open(cls, workers: int) -> _Pools:
        return cls(Runner(workers), Runner(workers), Runner(PHASE_WORKERS))

    def close(self) -> None:
        for pool in (self.elb, self.functions, self.other):
            pool.close()


@dataclass
class _Region:
    """One region's work in flight."""

    name: str
    listing: elbv2.Listings | Unavailable
    apis: object
    pools: _Pools | None = None
    groups: list[Future] = field(default_factory=list)
    balancers: list[Future] = field(default_factory=list)
    functions: dict[str, Future] = field(default_factory=dict)
    lookups: dict[str, Future] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def provisional(self, account: str) -> tuple:
        """The ALBs and Lambda target groups as listed, before their details: enough to
        tell which distributions front them."""
        if isinstance(self.listing, Unavailable):
            return self.listing, self.listing
        lbs = tuple(LoadBalancer(raw["LoadBalancerArn"], raw.get("LoadBalancerName", ""),
                                 raw.get("DNSName", ""), raw.get("Scheme", ""), account,
                                 self.name, (), PENDING, {}) for raw in self.listing.balancers)
        tgs = tuple(TargetGroup(g["TargetGroupArn"], "", "lambda", account, self.name,
                                tuple(g["LoadBalancerArns"]),
                                HealthCheck(False, None, None, None, None, None))
                    for g in self.listing.lambda_groups)
        return lbs, tgs


class _Collector:
    def __init__(self, calls: Calls, account: str, plan: Plan, metric_days: int,
                 workers: int) -> None:
        self.calls, self.account, self.plan = calls, account, plan
        self.metric_days, self.workers = metric_days, workers
        self.want = plan.facets

    # ------------------------------------------------------------ a region

    def _function_started(self, region: _Region, arns) -> None:
        if isinstance(arns, Unavailable):
            return
        for arn in arns:
            with region.lock:
                if arn in region.functions:
                    continue
                region.functions[arn] = region.pools.functions.submit(
                    awslambda.collect_function, self.calls, region.name, self.account, arn,
                    self.plan)

    def _target_group(self, region: _Region, raw: dict) -> TargetGroup:
        targets = elbv2.target_health(self.calls, region.name, raw) \
            if "targets" in self.plan else None
        if targets is not None:
            self._function_started(region, targets)
        else:
            from auditor.collect.plan import skipped

            targets = skipped("targets")
        return elbv2.target_group(self.calls, region.name, self.account, self.plan, raw,
                                  targets)

    def start_region(self, region: _Region) -> None:
        listing = region.listing
        if isinstance(listing, Unavailable) or not self.plan.path or not listing.balancers:
            return
        calls, name, want = self.calls, region.name, self.want
        region.pools = pools = _Pools.open(self.workers)
        region.groups = [pools.elb.submit(self._target_group, region, g)
                         for g in listing.lambda_groups]
        region.balancers = [pools.elb.submit(elbv2.balancer, calls, name, self.account,
                                             self.plan, listing.groups, raw)
                            for raw in listing.balancers]
        group_ids = sorted({g for raw in listing.balancers for g in raw.get("SecurityGroups")
                            or ()})
        albs = [raw["LoadBalancerArn"] for raw in listing.balancers]
        lookups = {
            "groups": (lambda: ec2.security_groups(calls, name, group_ids) if group_ids else {})
            if "security_groups" in want else None,
            "prefix": (lambda: ec2.cloudfront_prefix_list_ids(calls, name))
            if "prefix_list" in want else None,
            "waf": (lambda: wafv2.alb_web_acls(calls, name, albs, pools.other))
            if "alb_waf" in want else None,
            "alarms": (lambda: cloudwatch.alarms(calls, name)) if "alarms" in want else None,
            "limits": (lambda: elbv2.rules_quota(calls, name)) if "alb_limits" in want else None,
        }
        region.lookups = {k: pools.other.submit(fn) for k, fn in lookups.items() if fn}

    def finish_region(self, region: _Region) -> RegionInventory:
        listing, name, want = region.listing, region.name, self.want
        apis = region.apis
        if isinstance(listing, Unavailable):
            return RegionInventory(name, listing, listing, rest_apis=apis)
        if region.pools is None:
            return RegionInventory(name, (), (), rest_apis=apis)
        try:
            tgs = tuple(f.result() for f in region.groups)
            lbs = tuple(f.result() for f in region.balancers)
            with region.lock:
                pending = dict(region.functions)
            functions = {arn: f.result() for arn, f in pending.items()}
            found = {k: f.result() for k, f in region.lookups.items()}
            queries = cloudwatch.region_queries(list(lbs), list(tgs), list(functions.values()))
            late = {
                "metrics": region.pools.other.submit(
                    cloudwatch.daily_series, self.calls, name, queries, self.metric_days)
                if "region_metrics" in want else None,
                "ssl": region.pools.other.submit(elbv2.ssl_policies, self.calls, name, lbs)
                if "ssl_policies" in want else None,
            }
            groups, prefix = found.get("groups", {}), found.get("prefix") or (None, None)
            lists = ec2.entries_needed(groups, {p for p in prefix if isinstance(p, str)}) \
                if isinstance(groups, dict) and "prefix_list" in want else []
            late["entries"] = region.pools.other.submit(
                lambda: {i: ec2.prefix_list_entries(self.calls, name, i) for i in lists}) \
                if lists else None
            late = {k: f.result() if f else None for k, f in late.items()}
        finally:
            region.pools.close()
        return RegionInventory(
            region=name, load_balancers=lbs, target_groups=tgs,
            security_groups=found.get("groups", {}),
            cloudfront_prefix_list_id=(found.get("prefix") or (None, None))[0],
            cloudfront_ipv6_prefix_list_id=(found.get("prefix") or (None, None))[1],
            prefix_list_entries=late["entries"] or {},
            functions=functions,
            alb_web_acls=found.get("waf", {}), metrics=late["metrics"],
            ssl_policies=late["ssl"] or {}, alarms=found.get("alarms"), rest_apis=apis,
            alb_rules_quota=found.get("limits"))

    # ------------------------------------------------------------ the edge

    def links(self, inventory: Inventory, zones: route53.Zones) -> Inventory:
        """Resolve VPC origins and Route 53 names (in this account's zones), where some
        origin needs it."""
        dists = inventory.distributions
        if isinstance(dists, Unavailable):
            return inventory
        vpc: dict[str, str] | Unavailable = {}
        if any(o.vpc_origin_id for d in dists for o in d.origins):
            vpc = cloudfront.vpc_origins(self.calls)
        return resolve_dns([replace(inventory, vpc_origins=vpc)], {self.account: zones})[0]

    def start_edge(self, provisional: Inventory, pool: Runner,
                   edge: list[Distribution] | None = None) -> dict[str, Future]:
        """Edge details of the distributions that front a candidate ALB (or of ``edge``,
        those another account's ALBs made edge distributions)."""
        from auditor.topology import Topology

        calls, want = self.calls, self.want
        if edge is None:
            edge = Topology(provisional).edge_distributions().items
        if not edge:
            return {}

        def details(dist: Distribution) -> Distribution:
            return replace(
                dist,
                tenants=cloudfront.tenants(calls, dist)
                if dist.connection_mode == "tenant-only" and "edge_waf" in want else None,
                logging_enabled=cloudfront.logging_enabled(calls, dist)
                if "edge_logging" in want else None,
                realtime_metrics=cloudfront.realtime_metrics(calls, dist)
                if "edge_monitoring" in want else None)

        policies = list(dict.fromkeys(b.cache_policy_id for d in edge for b in d.behaviors
                                      if b.cache_policy_id)) if "cache_policies" in want else []
        acls = list(dict.fromkeys(d.web_acl_id for d in edge if d.web_acl_id)) \
            if "edge_waf" in want else []
        requests = list(dict.fromkeys(b.origin_request_policy_id for d in edge
                                      for b in d.behaviors if b.origin_request_policy_id)) \
            if "request_policies" in want else []
        return {
            "details": pool.submit(self.edge_pool.map, details, edge),
            "policies": pool.submit(lambda: dict(zip(policies, [
                cloudfront.cache_policy(calls, p) for p in policies], strict=True))),
            "acls": pool.submit(lambda: dict(zip(acls, [
                wafv2.edge_web_acl(calls, a) for a in acls], strict=True))),
            "requests": pool.submit(lambda: {p: cloudfront.origin_request_policy(calls, p)
                                             for p in requests}),
            "metrics": pool.submit(cloudwatch.daily_series, calls, GLOBAL_SERVICE_REGION,
                                   cloudwatch.edge_queries(list(edge)), self.metric_days)
            if "edge_metrics" in want else None,
        }

    def finish_edge(self, inventory: Inventory, started: dict[str, Future]) -> Inventory:
        if not started:
            return inventory
        done = {k: f.result() if f else None for k, f in started.items()}
        done["details"] = list(done["details"])  # a map's iterator: read it once
        overrides = [t.web_acl_arn for d in done["details"] if isinstance(d.tenants, tuple)
                     for t in d.tenants if t.web_acl_action == "override" and t.web_acl_arn
                     and t.web_acl_arn not in done["acls"]]
        done["acls"].update({a: wafv2.edge_web_acl(self.calls, a)
                             for a in dict.fromkeys(overrides)})
        referenced = list(dict.fromkeys(g for acl in done["acls"].values()
                                        if isinstance(acl, WebAcl) for g in acl.rule_groups))
        rule_groups = {g: wafv2.rule_group_rate_limited(self.calls, g) for g in referenced}
        updated = {d.arn: d for d in done["details"]}
        unlogged = [d for d in updated.values() if d.logging_enabled is False
                    and not any(b.realtime_log_config for b in d.behaviors)]
        if unlogged:  # only then does standard logging v2 decide CF-007
            v2 = cloudfront.logging_v2_sources(self.calls)
            updated.update({d.arn: replace(d, logging_v2=v2 if isinstance(v2, Unavailable)
                                           else d.arn in v2) for d in unlogged})
        dists = tuple(updated.get(d.arn, d) for d in inventory.distributions)
        edge_alarms = inventory.edge_alarms
        if "edge_alarms" in self.want and edge_alarms is None:
            scanned = {r.region: r.alarms for r in inventory.regions}.get(GLOBAL_SERVICE_REGION)
            edge_alarms = scanned if scanned is not None else cloudwatch.alarms(
                self.calls, GLOBAL_SERVICE_REGION)
        return replace(inventory, distributions=dists,
                       cache_policies={**inventory.cache_policies, **done["policies"]},
                       edge_web_acls={**inventory.edge_web_acls, **done["acls"]},
                       edge_rule_groups={**inventory.edge_rule_groups, **rule_groups},
                       origin_request_policies={**inventory.origin_request_policies,
                                                **done["requests"]},
                       edge_metrics=merge_series(inventory.edge_metrics, done["metrics"]),
                       edge_alarms=edge_alarms)


def resolve_dns(inventories: list[Inventory], zones: dict[str, route53.Zones]
                ) -> list[Inventory]:
    """Follow the origins' Route 53 chains through every given account's zones, hop by
    hop, until no name is left to ask; each account's answers go on its inventory."""
    from auditor.topology import MAX_DNS_HOPS, Topology

    for _ in range(MAX_DNS_HOPS):
        domains = Topology(*inventories).unlinked_custom_domains()
        if not any(set(domains) - z.asked for z in zones.values()):
            break
        inventories = [
            replace(inv, dns_targets=route53.merge(inv.dns_targets,
                                                   zones[inv.account].lookup(domains)))
            if inv.account in zones and not isinstance(inv.dns_targets, Unavailable)
            else inv for inv in inventories]
    return inventories


def merge_series(old, new):
    """Two CloudWatch series of one account and window as one (a failure wins)."""
    if old is None or isinstance(new, Unavailable):
        return new
    if new is None or isinstance(old, Unavailable):
        return old
    return replace(old, daily={**old.daily, **new.daily})


def with_pack_facets(calls: Calls, region: RegionInventory, facets) -> RegionInventory:
    """The region with its rule packs' facet data (auditor.facets), each collector given
    only this region's request-path resources and a read-only client factory."""
    from auditor.facets import FacetScope, collect_facet

    lbs = () if isinstance(region.load_balancers, Unavailable) else region.load_balancers
    tgs = () if isinstance(region.target_groups, Unavailable) else region.target_groups
    scope = FacetScope(calls.account, region.region, tuple(lb.arn for lb in lbs),
                       tuple(tg.arn for tg in tgs), tuple(region.functions))
    data, gaps = {}, {}
    for facet in facets:
        found = collect_facet(facet, calls.ctx.client, scope, calls.failed)
        if isinstance(found, Unavailable):
            gaps[facet.name] = found
        else:
            data[facet.name] = found
    return replace(region, pack_data=data, pack_gaps=gaps)


def collect_inventory(ctx: AwsContext, regions: list[str], account: str,
                      partition: str = "aws", metric_days: int = METRIC_DAYS_DEFAULT,
                      plan: Plan | None = None, workers: int = DEFAULT_WORKERS,
                      zones: route53.Zones | None = None) -> Inventory:
    """One account, every region at once. ``metric_days``: how many days of CloudWatch data
    the selected rules read; ``plan``: which data they need (everything by default);
    ``zones``: the account's Route 53 zones, kept by a run that links across accounts."""
    plan = plan or Plan.everything()
    calls = zones.calls if zones is not None else Calls(ctx, account)
    zones = zones or route53.Zones(calls)
    collector = _Collector(calls, account, plan, metric_days, workers)
    with Runner(PHASE_WORKERS + len(regions)) as phase, Runner(workers) as edge_pool:
        collector.edge_pool = edge_pool
        listing = {r: phase.submit(elbv2.listings, calls, r) for r in regions} \
            if plan.path else {}
        apis = {r: phase.submit(apigateway.rest_apis, calls, r, account) for r in regions} \
            if "rest_apis" in plan else {}
        dists = cloudfront.collect(calls, account) if plan.path else ()
        work = [_Region(r, listing[r].result() if plan.path else elbv2.Listings([], [], []),
                        apis[r].result() if apis else ()) for r in regions]
        for region in work:
            collector.start_region(region)
        provisional = Inventory(
            account, partition,
            tuple(RegionInventory(w.name, *w.provisional(account)) for w in work), dists)
        provisional = collector.links(provisional, zones) if plan.path else provisional
        edge = collector.start_edge(provisional, phase) if plan.path else {}
        inventory = replace(provisional,
                            regions=tuple(phase.map(collector.finish_region, work)))
        inventory = collector.finish_edge(inventory, edge)
    keys = plan.tag_keys | (tagging.STACK_KEYS if plan.path else frozenset())
    if keys:  # CloudFormation's own tags: a fix plan edits a stack's resource in its template
        inventory = replace(inventory, tags=tagging.tags(calls, regions, keys))
    if plan.pack_facets:
        inventory = replace(inventory, regions=tuple(
            with_pack_facets(calls, region, plan.pack_facets) for region in inventory.regions))
    return replace(inventory, failures=tuple(calls.failures))

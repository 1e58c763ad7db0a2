"""The request-path graph: distribution -> origin -> ALB -> listener -> rule -> target
group -> function, built once from the inventory and queried by the rules.

Every query that depends on data the collectors could not fetch raises
`DataUnavailable` (through `need`), so a rule cannot mistake a gap for a pass. Subject
enumerations return the subjects they could see plus `Gap`s for the scopes they could not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from auditor.gaps import DataUnavailable, Unavailable, need
from auditor.inventory import (
    GLOBAL_REGION,
    T_DISTRIBUTION,
    T_LOAD_BALANCER,
    T_REST_API,
    Behavior,
    ClassicWebAcl,
    Distribution,
    Inventory,
    LambdaFunction,
    Listener,
    ListenerRule,
    LoadBalancer,
    MetricSeries,
    Origin,
    RegionInventory,
    ResourceRef,
    RestApi,
    SecurityGroup,
    TargetGroup,
    WebAcl,
)

S = TypeVar("S")


@dataclass(frozen=True)
class Gap:
    """A scope whose resources could not be enumerated: one ``error`` result per rule."""

    ref: ResourceRef
    gap: Unavailable


@dataclass
class SubjectSet(Generic[S]):
    items: list[S] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


@dataclass(frozen=True)
class EdgePath:
    """One (distribution, origin, ALB) triple whose ALB serves Lambda."""

    distribution: Distribution
    origin: Origin
    alb: LoadBalancer

    @property
    def via_vpc_origin(self) -> bool:
        """CloudFront reaches the ALB privately: it cannot be bypassed from the internet."""
        return bool(self.origin.vpc_origin_id)


def _domain_key(name: str) -> str:
    name = name.strip().rstrip(".").lower()
    return name.removeprefix("dualstack.")


AWS_HOSTS = ("amazonaws.com", "amazonaws.com.cn", "cloudfront.net", "on.aws", "aws.dev")


def _aws_host(domain: str) -> bool:
    name = _domain_key(domain)
    return any(name == h or name.endswith("." + h) for h in AWS_HOSTS)


def _elb_region(domain: str) -> str | None:
    """The region in an ``*.<region>.elb.amazonaws.com`` host name, if it is one."""
    parts = _domain_key(domain).split(".")
    if len(parts) >= 4 and parts[-3:] == ["elb", "amazonaws", "com"]:
        return parts[-4]
    return None


def _series(value: MetricSeries | Unavailable | None, operation: str) -> MetricSeries:
    if value is None:
        raise DataUnavailable(Unavailable(operation, "NotCollected", "metrics were not read"))
    return need(value)


class Topology:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.account = inventory.account
        self._regions = {r.region: r for r in inventory.regions}
        self._lambda_tgs: dict[str, TargetGroup] = {}
        self._albs_by_domain: dict[str, LoadBalancer] = {}
        self._albs_by_arn: dict[str, LoadBalancer] = {}
        self._lambda_albs: list[LoadBalancer] = []
        self._region_gaps: list[Gap] = []
        for region in inventory.regions:
            self._index_region(region)
        self._index_graph()
        self._paths_by_alb: dict[str, list[EdgePath]] = {}
        self._paths_by_dist: dict[str, list[EdgePath]] = {}
        self._unresolved: dict[str, Unavailable] = {}
        self._unlinked_domains: list[str] = []
        self._link_gap: Unavailable | None = None  # DNS or VPC origins unreadable
        if not isinstance(inventory.distributions, Unavailable):
            self._link_distributions(inventory.distributions)

    # ------------------------------------------------------------ building

    def _index_region(self, region: RegionInventory) -> None:
        lbs, tgs = region.load_balancers, region.target_groups
        for listing in (lbs, tgs):
            if isinstance(listing, Unavailable):
                self._region_gaps.append(Gap(self._region_ref(region.region), listing))
                return
        for tg in tgs:
            if tg.target_type == "lambda":
                self._lambda_tgs[tg.arn] = tg
        for lb in lbs:
            if self._serves_lambda(lb):
                self._lambda_albs.append(lb)
                self._albs_by_domain[_domain_key(lb.dns_name)] = lb
                self._albs_by_arn[lb.arn] = lb

    def _serves_lambda(self, lb: LoadBalancer) -> bool:
        """A Lambda ALB; one whose routing could not be read counts, to fail closed."""
        attached = any(lb.arn in tg.load_balancer_arns for tg in self._lambda_tgs.values())
        if not attached:
            return False
        if isinstance(lb.listeners, Unavailable):
            return True
        for listener in lb.listeners:
            if isinstance(listener.rules, Unavailable):
                return True
            for rule in listener.rules:
                if any(arn in self._lambda_tgs for arn in rule.forward_target_groups):
                    return True
        return False

    def _origin_alb(self, origin: Origin) -> LoadBalancer | Unavailable | None:
        """The Lambda ALB an origin reaches: by name, through a VPC origin, or through one
        Route 53 alias or CNAME hop; `Unavailable` when the link could not be read."""
        inv = self.inventory
        if origin.vpc_origin_id:
            if isinstance(inv.vpc_origins, Unavailable):
                return inv.vpc_origins
            return self._albs_by_arn.get(inv.vpc_origins.get(origin.vpc_origin_id, ""))
        key = _domain_key(origin.domain_name)
        alb = self._albs_by_domain.get(key)
        if alb is not None or origin.protocol_policy is None or _aws_host(key):
            return alb
        if isinstance(inv.dns_targets, Unavailable):
            return inv.dns_targets
        target = inv.dns_targets.get(key)
        if target is None:
            self._unlinked_domains.append(key)
            return None
        return self._albs_by_domain.get(_domain_key(target))

    def _link_distributions(self, distributions: tuple[Distribution, ...]) -> None:
        for dist in distributions:
            for origin in dist.origins:
                alb = self._origin_alb(origin)
                if isinstance(alb, Unavailable):
                    if self._lambda_albs:
                        self._unresolved[dist.arn] = alb
                        self._link_gap = alb
                    continue
                if alb is not None:
                    path = EdgePath(dist, origin, alb)
                    self._paths_by_alb.setdefault(alb.arn, []).append(path)
                    self._paths_by_dist.setdefault(dist.arn, []).append(path)
                    continue
                region = _elb_region(origin.domain_name)
                scanned = self._regions.get(region) if region else None
                if scanned is not None:
                    for listing in (scanned.load_balancers, scanned.target_groups):
                        if isinstance(listing, Unavailable):
                            self._unresolved[dist.arn] = listing

    def unlinked_custom_domains(self) -> list[str]:
        """Custom origin domains that name no Lambda ALB directly (worth a DNS look-up),
        or nothing when there is no Lambda ALB for them to reach."""
        return sorted(set(self._unlinked_domains)) if self._lambda_albs else []

    def _region_ref(self, region: str) -> ResourceRef:
        partition = self.inventory.partition
        arn = f"arn:{partition}:elasticloadbalancing:{region}:{self.account}:loadbalancer/*"
        return ResourceRef(arn, T_LOAD_BALANCER, "*", self.account, region)

    def _distributions_ref(self) -> ResourceRef:
        arn = f"arn:{self.inventory.partition}:cloudfront::{self.account}:distribution/*"
        return ResourceRef(arn, T_DISTRIBUTION, "*", self.account, GLOBAL_REGION)

    # ------------------------------------------------------------ subjects

    def lambda_albs(self) -> SubjectSet[LoadBalancer]:
        return SubjectSet(list(self._lambda_albs), list(self._region_gaps))

    def _index_graph(self) -> None:
        """ALB -> its Lambda target groups, and function -> the ALBs that reach it: built
        once, so rules over thousands of resources stay linear."""
        self._tgs_by_alb: dict[str, list[TargetGroup]] = {a.arn: [] for a in self._lambda_albs}
        for tg in self._lambda_tgs.values():
            for arn in tg.load_balancer_arns:
                if arn in self._tgs_by_alb:
                    self._tgs_by_alb[arn].append(tg)
        self._albs_by_function: dict[str, list[LoadBalancer]] = {}
        for alb in self._lambda_albs:
            for tg in self._tgs_by_alb[alb.arn]:
                if isinstance(tg.targets, Unavailable):
                    continue
                for target in tg.targets:
                    albs = self._albs_by_function.setdefault(target, [])
                    if alb not in albs:
                        albs.append(alb)

    def lambda_target_groups(self) -> SubjectSet[TargetGroup]:
        """Lambda target groups that a Lambda ALB forwards to (or may, if unreadable)."""
        found = {tg.arn: tg for tgs in self._tgs_by_alb.values() for tg in tgs}
        return SubjectSet(list(found.values()), list(self._region_gaps))

    def target_functions(self, health_checked_only: bool = False) -> SubjectSet[LambdaFunction]:
        tgs = self.lambda_target_groups()
        result: SubjectSet[LambdaFunction] = SubjectSet(gaps=list(tgs.gaps))
        seen: set[str] = set()
        for tg in tgs.items:
            if health_checked_only and not tg.health_check.enabled:
                continue
            if isinstance(tg.targets, Unavailable):
                result.gaps.append(Gap(tg.ref, tg.targets))
                continue
            functions = self._regions[tg.region].functions
            for arn in tg.targets:
                if arn not in seen and arn in functions:
                    seen.add(arn)
                    result.items.append(functions[arn])
        return result

    def edge_distributions(self) -> SubjectSet[Distribution]:
        """Distributions with at least one edge path (or one that could not be resolved)."""
        dists = self.inventory.distributions
        if isinstance(dists, Unavailable):
            return SubjectSet(gaps=[Gap(self._distributions_ref(), dists)])
        items = [d for d in dists if d.arn in self._paths_by_dist or d.arn in self._unresolved]
        return SubjectSet(items)

    def rest_apis(self) -> SubjectSet[RestApi]:
        found: SubjectSet[RestApi] = SubjectSet()
        for region in self.inventory.regions:
            if isinstance(region.rest_apis, Unavailable):
                arn = f"arn:{self.inventory.partition}:apigateway:{region.region}::/restapis/*"
                ref = ResourceRef(arn, T_REST_API, "*", self.account, region.region)
                found.gaps.append(Gap(ref, region.rest_apis))
            else:
                found.items.extend(region.rest_apis)
        return found

    # ------------------------------------------------------------ queries

    def all_edge_paths(self) -> list[EdgePath]:
        return [p for paths in self._paths_by_dist.values() for p in paths]

    def edge_paths_of_alb(self, alb: LoadBalancer) -> list[EdgePath]:
        need(self.inventory.distributions)
        if self._link_gap is not None:  # an unresolved origin may front this ALB too
            raise DataUnavailable(self._link_gap)
        return list(self._paths_by_alb.get(alb.arn, []))

    def edge_paths_of_distribution(self, dist: Distribution) -> list[EdgePath]:
        if dist.arn in self._unresolved:
            raise DataUnavailable(self._unresolved[dist.arn])
        return list(self._paths_by_dist.get(dist.arn, []))

    def forwarding_rules(self, alb: LoadBalancer) -> Iterator[tuple[Listener, ListenerRule]]:
        """Every listener rule (default included) that forwards to a Lambda target group."""
        for listener in need(alb.listeners):
            for rule in need(listener.rules):
                if any(arn in self._lambda_tgs for arn in rule.forward_target_groups):
                    yield listener, rule

    def listener_ports(self, alb: LoadBalancer) -> list[int]:
        return sorted({listener.port for listener in need(alb.listeners)})

    def target_groups_of(self, alb: LoadBalancer) -> list[TargetGroup]:
        return list(self._tgs_by_alb.get(alb.arn, ()))

    def albs_of_function(self, function: LambdaFunction) -> list[LoadBalancer]:
        return list(self._albs_by_function.get(function.arn, ()))

    def edge_paths_of_function(self, function: LambdaFunction) -> list[EdgePath]:
        paths: list[EdgePath] = []
        for alb in self.albs_of_function(function):
            paths.extend(self.edge_paths_of_alb(alb))
        return paths

    def security_groups_of(self, alb: LoadBalancer) -> list[SecurityGroup]:
        groups = need(self._regions[alb.region].security_groups)
        missing = [g for g in alb.security_group_ids if g not in groups]
        if missing:
            raise DataUnavailable(
                Unavailable(
                    "ec2:DescribeSecurityGroups",
                    "NotFound",
                    f"security groups not returned: {', '.join(missing)}",
                )
            )
        return [groups[g] for g in alb.security_group_ids]

    def prefix_list_id(self, region: str) -> str | None:
        return need(self._regions[region].cloudfront_prefix_list_id)

    def alb_web_acl(self, alb: LoadBalancer) -> WebAcl | None:
        acls = self._regions[alb.region].alb_web_acls
        if alb.arn not in acls:
            raise DataUnavailable(
                Unavailable(
                    "wafv2:GetWebACLForResource", "NotCollected", "the ALB's web ACL was not read"
                )
            )
        return need(acls[alb.arn])

    def edge_web_acl(self, dist: Distribution) -> WebAcl | ClassicWebAcl | None:
        if not dist.web_acl_id:
            return None
        acl = self.inventory.edge_web_acls.get(dist.web_acl_id)
        if acl is None:
            raise DataUnavailable(
                Unavailable(
                    "wafv2:GetWebACL", "NotCollected", "the distribution's web ACL was not read"
                )
            )
        return need(acl)

    def behaviors_to(self, path: EdgePath) -> list[Behavior]:
        """The distribution's behaviours that route to this path's origin (directly or
        through an origin group holding it)."""
        dist, origin_id = path.distribution, path.origin.origin_id
        groups = {g for g, members in dist.origin_groups.items() if origin_id in members}
        return [b for b in dist.behaviors
                if b.target_origin_id == origin_id or b.target_origin_id in groups]

    def cache_ttls(self, behavior: Behavior) -> tuple[int, int, int]:
        """(min, default, max) TTL of a behaviour, from its cache policy or legacy TTLs."""
        if not behavior.cache_policy_id:
            return behavior.legacy_ttls or (0, 86400, 31536000)
        policy = self.inventory.cache_policies.get(behavior.cache_policy_id)
        if policy is None:
            raise DataUnavailable(Unavailable("cloudfront:GetCachePolicy", "NotCollected",
                                              f"cache policy {behavior.cache_policy_id} not read"))
        policy = need(policy)
        return policy.min_ttl, policy.default_ttl, policy.max_ttl

    def header_accepted(self, path: EdgePath, rule: ListenerRule, index: int) -> bool:
        """Whether the origin's header value satisfies the rule's ``index``-th header
        condition: the verdict computed when the inventory was sealed."""
        from auditor.headers import condition_accepts

        return condition_accepts(self.inventory, path.distribution, path.origin, rule, index)

    def ssl_protocols(self, region: str, policy: str) -> tuple[str, ...]:
        policies = need(self._regions[region].ssl_policies)
        if policy not in policies:
            raise DataUnavailable(Unavailable("elbv2:DescribeSSLPolicies", "NotFound",
                                              f"TLS policy {policy} was not returned"))
        return policies[policy]

    def lambda_target_groups_of(self, alb: LoadBalancer) -> list[str]:
        """The Lambda target groups the ALB's rules forward to (ARNs, in rule order)."""
        found: dict[str, None] = {}
        for _, rule in self.forwarding_rules(alb):
            found.update((a, None) for a in rule.forward_target_groups if a in self._lambda_tgs)
        return list(found)

    def region_metrics(self, region: str) -> MetricSeries:
        return _series(self._regions[region].metrics, "cloudwatch:GetMetricData")

    def edge_metrics(self) -> MetricSeries:
        return _series(self.inventory.edge_metrics, "cloudwatch:GetMetricData")

    def region(self, name: str) -> RegionInventory:
        return self._regions[name]

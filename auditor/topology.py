"""The request-path graph: distribution -> origin -> ALB -> listener -> rule -> target
group -> function, built once from the inventory and queried by the rules.

Every query that depends on data the collectors could not fetch raises
`DataUnavailable` (through `need`), so a rule cannot mistake a gap for a pass. Subject
enumerations return the subjects they could see plus `Gap`s for the scopes they could not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from auditor.gaps import DataUnavailable, Unavailable, need
from auditor.inventory import (
    GLOBAL_REGION,
    MANAGED_REQUEST_POLICIES,
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
    """One (distribution, origin, ALB) triple whose ALB serves Lambda, and how the origin
    was linked to the ALB (``linked_by``: ``dns-name``, ``vpc-origin``, ``route53``)."""

    distribution: Distribution
    origin: Origin
    alb: LoadBalancer
    linked_by: str = "dns-name"
    via: tuple[str, ...] = ()  # the Route 53 names followed, the origin domain first

    @property
    def via_vpc_origin(self) -> bool:
        """CloudFront reaches the ALB privately: it cannot be bypassed from the internet."""
        return bool(self.origin.vpc_origin_id)

    @property
    def cross_account(self) -> bool:
        return self.distribution.account != self.alb.account


def https_listener(listeners: tuple[Listener, ...], port: int) -> Listener | None:
    """The ALB's HTTPS listener on ``port`` (a port holds one listener)."""
    return next((li for li in listeners if li.port == port and li.protocol == "HTTPS"), None)


def _domain_key(name: str) -> str:
    name = name.strip().rstrip(".").lower()
    return name.removeprefix("dualstack.")


AWS_HOSTS = ("amazonaws.com", "amazonaws.com.cn", "cloudfront.net", "on.aws", "aws.dev")
MAX_DNS_HOPS = 8  # Route 53 alias and CNAME chains longer than this are not followed


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
    """One graph over every inventory of a run: a distribution in an edge account links to
    the ALB of a workload account, through a hosted zone of a third."""

    def __init__(self, *inventories: Inventory) -> None:
        self.inventories = inventories
        self._accounts = {inv.account: inv for inv in inventories}
        self.partition = inventories[0].partition if inventories else "aws"
        self._regions = {(inv.account, r.region): r for inv in inventories for r in inv.regions}
        self._lambda_tgs: dict[str, TargetGroup] = {}
        self._albs_by_domain: dict[str, LoadBalancer] = {}
        self._albs_by_arn: dict[str, LoadBalancer] = {}
        self._lambda_albs: list[LoadBalancer] = []
        self._region_gaps: list[Gap] = []
        for inv in inventories:
            for region in inv.regions:
                self._index_region(inv.account, region)
        self._index_graph()
        self._header_matches = {k: v for inv in inventories
                                for k, v in inv.header_matches.items()}
        self._values_sent = {k: v for inv in inventories
                             for k, v in inv.header_values_sent.items()}
        self._dns, self._dns_gap = self._merge_dns()
        self._paths_by_alb: dict[str, list[EdgePath]] = {}
        self._paths_by_dist: dict[str, list[EdgePath]] = {}
        self._unresolved: dict[str, Unavailable] = {}
        self._unlinked_domains: set[str] = set()
        self._unresolved_https: set[str] = set()
        self._link_gap: Unavailable | None = None  # distributions, DNS or VPC origins unread
        for inv in inventories:
            if isinstance(inv.distributions, Unavailable):
                if self._lambda_albs:  # any of its distributions could front any ALB
                    self._link_gap = self._link_gap or inv.distributions
            else:
                self._link_distributions(inv.distributions)

    # ------------------------------------------------------------ building

    @property
    def account(self) -> str:
        """The run's first account (the caller's when it scanned itself)."""
        return self.inventories[0].account if self.inventories else ""

    def _index_region(self, account: str, region: RegionInventory) -> None:
        lbs, tgs = region.load_balancers, region.target_groups
        for listing in (lbs, tgs):
            if isinstance(listing, Unavailable):
                self._region_gaps.append(Gap(self._region_ref(account, region.region), listing))
                return
        for tg in tgs:
            if tg.target_type == "lambda":
                self._lambda_tgs[tg.arn] = tg
        for lb in lbs:
            if self._serves_lambda(lb, tgs):
                self._lambda_albs.append(lb)
                self._albs_by_domain[_domain_key(lb.dns_name)] = lb
                self._albs_by_arn[lb.arn] = lb

    def _serves_lambda(self, lb: LoadBalancer, tgs) -> bool:
        """A Lambda ALB; one whose routing could not be read counts, to fail closed."""
        attached = any(lb.arn in tg.load_balancer_arns for tg in tgs
                       if tg.target_type == "lambda")
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

    def _merge_dns(self) -> tuple[dict[str, set[str]], Unavailable | None]:
        """Every account's Route 53 answers as one map; the first lookup that failed."""
        merged: dict[str, set[str]] = {}
        gap = None
        for inv in self.inventories:
            if isinstance(inv.dns_targets, Unavailable):
                gap = gap or inv.dns_targets
                continue
            for domain, targets in inv.dns_targets.items():
                merged.setdefault(domain, set()).update(_domain_key(t) for t in targets)
        return merged, gap

    def _follow(self, domain: str) -> tuple[list[tuple[LoadBalancer, tuple[str, ...]]], bool]:
        """The Lambda ALBs a custom domain reaches through Route 53 records (every record
        of a set, several hops), with the names followed; and whether some name on the
        way could not be looked up because a lookup failed."""
        found: list[tuple[LoadBalancer, tuple[str, ...]]] = []
        blind = False
        queue: list[tuple[str, ...]] = [(domain,)]
        seen = {domain}
        while queue:
            chain = queue.pop(0)
            for target in sorted(self._dns.get(chain[-1], ())):
                alb = self._albs_by_domain.get(target)
                if alb is not None:
                    if all(alb is not a for a, _ in found):
                        found.append((alb, chain))
                    continue
                if target in seen or len(chain) >= MAX_DNS_HOPS or _aws_host(target):
                    continue
                seen.add(target)
                queue.append((*chain, target))
            if chain[-1] not in self._dns:
                if self._dns_gap is not None:
                    blind = True
                else:
                    self._unlinked_domains.add(chain[-1])
        return found, blind

    def _origin_links(self, dist: Distribution, origin: Origin) -> list[EdgePath] | Unavailable:
        """The edge paths an origin makes: to the ALB it names, the ALB behind its VPC
        origin, or every ALB its Route 53 chain reaches; `Unavailable` when the link could
        not be read."""
        if origin.vpc_origin_id:
            vpc = self._accounts[dist.account].vpc_origins
            if isinstance(vpc, Unavailable):
                return vpc
            alb = self._albs_by_arn.get(vpc.get(origin.vpc_origin_id, ""))
            return [EdgePath(dist, origin, alb, "vpc-origin")] if alb else []
        key = _domain_key(origin.domain_name)
        alb = self._albs_by_domain.get(key)
        if alb is not None:
            return [EdgePath(dist, origin, alb, "dns-name")]
        if origin.protocol_policy is None or _aws_host(key):
            return []
        reached, blind = self._follow(key)
        if blind and self._dns_gap is not None:
            return self._dns_gap
        if not reached and key not in self._dns and self._https(dist, origin):
            # link 4 only where no record of the run resolves the domain: a record that
            # leads elsewhere says where CloudFront connects, whatever certificates match
            return self._certificate_links(dist, origin, key)
        return [EdgePath(dist, origin, alb, "route53", via) for alb, via in reached]

    def _https(self, dist: Distribution, origin: Origin) -> bool:
        return self._protocol(dist, origin) == "HTTPS"

    def _certificate_links(self, dist: Distribution, origin: Origin, domain: str
                           ) -> list[EdgePath] | Unavailable:
        """Link 4: the Lambda ALBs whose listener on the origin's HTTPS port holds a
        certificate covering the domain (CloudFront could complete TLS with no other)."""
        from auditor.routes import certificate_covers

        self._unresolved_https.add(domain)
        found = []
        for alb in self._lambda_albs:
            if isinstance(alb.listeners, Unavailable):
                continue
            listener = https_listener(alb.listeners, origin.https_port)
            names = listener.certificate_names if listener else None
            if isinstance(names, Unavailable):
                return names
            if names and any(certificate_covers(n, domain) for n in names):
                found.append(EdgePath(dist, origin, alb, "certificate"))
        return found

    def unresolved_https_domains(self) -> list[str]:
        """HTTPS origin domains no Route 53 record of the run resolves: what listener
        certificates are read for."""
        return sorted(self._unresolved_https) if self._lambda_albs else []

    def _elb_listing_gap(self, origin: Origin) -> Unavailable | None:
        """An origin naming an ALB of a scanned region whose listing failed."""
        region = _elb_region(origin.domain_name)
        for (_, name), scanned in self._regions.items():
            if name != region:
                continue
            for listing in (scanned.load_balancers, scanned.target_groups):
                if isinstance(listing, Unavailable):
                    return listing
        return None

    def _link_distributions(self, distributions: tuple[Distribution, ...]) -> None:
        for dist in distributions:
            if not dist.enabled:
                continue  # a disabled distribution serves nothing, so it fronts nothing
            for origin in dist.origins:
                links = self._origin_links(dist, origin)
                hidden = None if links else self._elb_listing_gap(origin)
                if hidden is not None:  # the ALB it names may be one a failed listing hid
                    self._unresolved[dist.arn] = hidden
                    continue
                if isinstance(links, Unavailable):
                    if self._lambda_albs:
                        self._unresolved[dist.arn] = links
                        self._link_gap = self._link_gap or links
                    continue
                for path in links:
                    self._paths_by_alb.setdefault(path.alb.arn, []).append(path)
                    self._paths_by_dist.setdefault(dist.arn, []).append(path)

    def unlinked_custom_domains(self) -> list[str]:
        """Custom domains (origin domains, and names their records point to) that no
        Route 53 answer of the run covers yet, or nothing when there is no Lambda ALB for
        them to reach: what the collectors look up next."""
        return sorted(self._unlinked_domains) if self._lambda_albs else []

    def _region_ref(self, account: str, region: str) -> ResourceRef:
        arn = f"arn:{self.partition}:elasticloadbalancing:{region}:{account}:loadbalancer/*"
        return ResourceRef(arn, T_LOAD_BALANCER, "*", account, region)

    def _distributions_ref(self, account: str) -> ResourceRef:
        arn = f"arn:{self.partition}:cloudfront::{account}:distribution/*"
        return ResourceRef(arn, T_DISTRIBUTION, "*", account, GLOBAL_REGION)

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
            functions = self._regions[(tg.account, tg.region)].functions
            for arn in tg.targets:
                if arn not in seen and arn in functions:
                    seen.add(arn)
                    result.items.append(functions[arn])
        return result

    def edge_distributions(self) -> SubjectSet[Distribution]:
        """Distributions with at least one edge path (or one that could not be resolved)."""
        found: SubjectSet[Distribution] = SubjectSet()
        for inv in self.inventories:
            if isinstance(inv.distributions, Unavailable):
                found.gaps.append(Gap(self._distributions_ref(inv.account), inv.distributions))
                continue
            found.items += [d for d in inv.distributions
                            if d.arn in self._paths_by_dist or d.arn in self._unresolved]
        return found

    def rest_apis(self) -> SubjectSet[RestApi]:
        found: SubjectSet[RestApi] = SubjectSet()
        for (account, name), region in self._regions.items():
            if isinstance(region.rest_apis, Unavailable):
                arn = f"arn:{self.partition}:apigateway:{name}::/restapis/*"
                ref = ResourceRef(arn, T_REST_API, "*", account, name)
                found.gaps.append(Gap(ref, region.rest_apis))
            else:
                found.items.extend(region.rest_apis)
        return found

    # ------------------------------------------------------------ queries

    def all_edge_paths(self) -> list[EdgePath]:
        return [p for paths in self._paths_by_dist.values() for p in paths]

    def edge_paths_of_alb(self, alb: LoadBalancer) -> list[EdgePath]:
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

    def albs_of_target_group(self, tg: TargetGroup) -> list[LoadBalancer]:
        """The Lambda ALBs the target group is attached to."""
        return [self._albs_by_arn[a] for a in tg.load_balancer_arns if a in self._albs_by_arn]

    def albs_of_function(self, function: LambdaFunction) -> list[LoadBalancer]:
        return list(self._albs_by_function.get(function.arn, ()))

    def edge_paths_of_function(self, function: LambdaFunction) -> list[EdgePath]:
        paths: list[EdgePath] = []
        for alb in self.albs_of_function(function):
            paths.extend(self.edge_paths_of_alb(alb))
        return paths

    def security_groups_of(self, alb: LoadBalancer) -> list[SecurityGroup]:
        groups = need(self.region_of(alb).security_groups)
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

    def cloudfront_sources(self, alb: LoadBalancer) -> dict[str, str | None]:
        """CloudFront's origin-facing prefix lists in the ALB's region, by family."""
        region = self.region_of(alb)
        v6 = region.cloudfront_ipv6_prefix_list_id
        return {"ipv4": need(region.cloudfront_prefix_list_id),
                "ipv6": None if v6 is None else need(v6)}

    def alb_web_acl(self, alb: LoadBalancer) -> WebAcl | None:
        acls = self.region_of(alb).alb_web_acls
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
        return self._edge_acl_by_id(dist, dist.web_acl_id)

    def behaviors_to(self, path: EdgePath) -> list[Behavior]:
        """The distribution's behaviours that route to this path's origin (directly or
        through an origin group holding it)."""
        return self._behaviors(path.distribution, path.origin.origin_id)

    @staticmethod
    def _behaviors(dist: Distribution, origin_id: str) -> list[Behavior]:
        groups = {g for g, members in dist.origin_groups.items() if origin_id in members}
        return [b for b in dist.behaviors
                if b.target_origin_id == origin_id or b.target_origin_id in groups]

    def effective_protocol(self, path: EdgePath) -> str | None:
        """``HTTPS`` or ``HTTP``: how CloudFront connects to the origin (1.1). A
        ``match-viewer`` origin is HTTPS when every behaviour routing to it (directly or
        through an origin group) redirects to or requires HTTPS. None for a VPC origin."""
        return self._protocol(path.distribution, path.origin)

    def _protocol(self, dist: Distribution, origin: Origin) -> str | None:
        policy = origin.protocol_policy
        if policy == "https-only":
            return "HTTPS"
        if policy == "http-only":
            return "HTTP"
        if policy == "match-viewer":
            behaviors = self._behaviors(dist, origin.origin_id)
            secure = ("redirect-to-https", "https-only")
            if behaviors and all(b.viewer_protocol_policy in secure for b in behaviors):
                return "HTTPS"
            return "HTTP"
        return None

    def origin_port(self, path: EdgePath) -> int | None:
        """The ALB port CloudFront connects to, by the effective protocol."""
        protocol = self.effective_protocol(path)
        if protocol is None:
            return None
        return path.origin.https_port if protocol == "HTTPS" else path.origin.http_port

    def tls_listener(self, path: EdgePath) -> Listener | None:
        """The listener CloudFront completes TLS with on this path: the HTTPS one on the
        origin's HTTPS port, when the path's effective protocol is HTTPS."""
        if self.effective_protocol(path) != "HTTPS":
            return None
        return https_listener(need(path.alb.listeners), path.origin.https_port)

    def hosts_seen(self, path: EdgePath) -> set[str]:
        """The Host values the ALB sees from this path: the origin domain, or the viewer's
        Host (the distribution's aliases, or its own domain) for a behaviour whose origin
        request policy or legacy ForwardedValues forwards Host."""
        dist = path.distribution
        policies = self._accounts[dist.account].origin_request_policies
        hosts: set[str] = set()
        for behavior in self.behaviors_to(path) or [None]:
            forwards = False
            if behavior is not None and behavior.origin_request_policy_id:
                known = policies.get(behavior.origin_request_policy_id,
                                     MANAGED_REQUEST_POLICIES.get(
                                         behavior.origin_request_policy_id))
                if known is None:
                    raise DataUnavailable(Unavailable(
                        "cloudfront:GetOriginRequestPolicy", "NotCollected",
                        f"origin request policy {behavior.origin_request_policy_id} not read"))
                forwards = need(known)
            elif behavior is not None:
                forwards = behavior.legacy_forwards_host
            if forwards:
                hosts |= self._viewer_hosts(dist)
            else:
                hosts.add(path.origin.domain_name.lower().rstrip("."))
        return hosts

    @staticmethod
    def _viewer_hosts(dist: Distribution) -> set[str]:
        """The Host names viewers use: the aliases, a multi-tenant distribution's tenant
        domains too, or the distribution's own domain."""
        hosts = {a.lower() for a in dist.aliases}
        if dist.connection_mode == "tenant-only":
            hosts |= {d.lower() for t in need(dist.tenants or ()) for d in t.domains
                      if t.enabled}
        return hosts or {dist.domain_name.lower()}

    def reachable_rules(self, path: EdgePath) -> Iterator[tuple[Listener, ListenerRule]]:
        """The forwarding rules this path's requests can match (catalogue "Reachable
        route"): on the listener at the origin's port for the effective protocol, with
        host-header conditions that accept a Host the ALB sees, and not limited to private
        source addresses. Other conditions are taken as matchable."""
        from auditor.routes import host_accepted, private_only

        protocol, port = self.effective_protocol(path), self.origin_port(path)
        hosts = None
        for listener, rule in self.forwarding_rules(path.alb):
            if protocol is not None and (listener.port, listener.protocol) != (port, protocol):
                continue
            if private_only(rule):
                continue
            if rule.host_headers or rule.host_regexes:
                hosts = hosts if hosts is not None else self.hosts_seen(path)
                if not any(host_accepted(rule, h) for h in hosts):
                    continue
            yield listener, rule

    def edge_web_acls(self, dist: Distribution) -> list[tuple[str, WebAcl | ClassicWebAcl | None]]:
        """The edge layer's web ACL for each way viewers reach the distribution: the
        distribution's own, or for a multi-tenant one each enabled tenant's (its web ACL
        customisation: ``override`` with its own ACL, ``disable`` for none)."""
        if dist.connection_mode != "tenant-only":
            return [("distribution", self.edge_web_acl(dist))]
        if dist.tenants is None:
            raise DataUnavailable(Unavailable("cloudfront:ListDistributionTenants",
                                              "NotCollected", "the tenants were not read"))
        layers = []
        for tenant in need(dist.tenants):
            if not tenant.enabled:
                continue
            if tenant.web_acl_action == "disable":
                layers.append((tenant.name, None))
            elif tenant.web_acl_action == "override" and tenant.web_acl_arn:
                layers.append((tenant.name, self._edge_acl_by_id(dist, tenant.web_acl_arn)))
            else:
                layers.append((tenant.name, self.edge_web_acl(dist)))
        return layers

    def _edge_acl_by_id(self, dist: Distribution, acl_id: str):
        acl = self._accounts[dist.account].edge_web_acls.get(acl_id)
        if acl is None:
            raise DataUnavailable(Unavailable("wafv2:GetWebACL", "NotCollected",
                                              f"web ACL {acl_id} was not read"))
        return need(acl)

    def cache_ttls(self, dist: Distribution, behavior: Behavior) -> tuple[int, int, int]:
        """(min, default, max) TTL of a behaviour, from its cache policy or legacy TTLs."""
        if not behavior.cache_policy_id:
            return behavior.legacy_ttls or (0, 86400, 31536000)
        policy = self._accounts[dist.account].cache_policies.get(behavior.cache_policy_id)
        if policy is None:
            raise DataUnavailable(Unavailable("cloudfront:GetCachePolicy", "NotCollected",
                                              f"cache policy {behavior.cache_policy_id} not read"))
        policy = need(policy)
        return policy.min_ttl, policy.default_ttl, policy.max_ttl

    def header_accepted(self, path: EdgePath, rule: ListenerRule, index: int) -> bool:
        """Whether the origin's header value satisfies the rule's ``index``-th header
        condition: the verdict computed when the inventory was sealed."""
        from auditor.headers import match_key

        return self._header_matches.get(
            match_key(path.distribution, path.origin, rule, index), False)

    def value_sent(self, alb: LoadBalancer, owner: str, check: int, value: int) -> bool | None:
        """Whether some distribution fronting the ALB sends a value that the ``value``-th
        accepted value of a header check accepts (computed at sealing; BYP-010)."""
        from auditor.headers import value_key

        key = value_key(alb.arn, owner, check, value)
        if key not in self._values_sent:
            raise DataUnavailable(Unavailable(
                "edge-audit:seal", "NotCollected",
                "the header values were not compared when the inventory was sealed"))
        return self._values_sent[key]

    def weak_threshold(self, alb: LoadBalancer) -> int:
        """The literal-character count the ALB's weakness verdicts were sealed with."""
        return self._accounts[alb.account].weak_min_literals

    def ssl_protocols(self, alb: LoadBalancer, policy: str) -> tuple[str, ...]:
        policies = need(self.region_of(alb).ssl_policies)
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

    def region_metrics(self, resource: LoadBalancer | LambdaFunction) -> MetricSeries:
        """CloudWatch's series in the resource's own account and region."""
        return _series(self.region_of(resource).metrics, "cloudwatch:GetMetricData")

    def edge_metrics(self, dist: Distribution) -> MetricSeries:
        """CloudFront's series, read in us-east-1 of the distribution's account."""
        return _series(self._accounts[dist.account].edge_metrics, "cloudwatch:GetMetricData")

    def vpc_origin_endpoints(self, dist: Distribution):
        """VPC origin id -> its endpoint configuration, in the distribution's account."""
        return self._accounts[dist.account].vpc_origin_endpoints

    def edge_rule_groups(self, dist: Distribution) -> dict[str, bool | Unavailable]:
        """Referenced rule groups of the distribution's account: acting rate rule or not."""
        return self._accounts[dist.account].edge_rule_groups

    def edge_alarms(self, dist: Distribution):
        return self._accounts[dist.account].edge_alarms

    def facet(self, name: str, of: Any) -> Any:
        """A rule pack's facet data (auditor.facets) in the account and region of ``of`` (a
        subject, or anything with ``account`` and ``region``). Raises `DataUnavailable`
        where its collector failed, or where it was not collected (a snapshot taken
        without the pack): a check that reads it then reports ``error``."""
        account, where = of.account, getattr(of, "region", None) or of.ref.region
        region = self._regions.get((account, where))
        if region is None or name in region.pack_gaps or name not in region.pack_data:
            gap = region.pack_gaps.get(name) if region is not None else None
            raise DataUnavailable(gap or Unavailable(
                f"facet:{name}", "NotCollected",
                f"not collected in {account}/{where} (is its pack loaded?)"))
        return region.pack_data[name]

    def region_of(self, resource: LoadBalancer | LambdaFunction | TargetGroup
                  ) -> RegionInventory:
        """The inventory of the resource's own account and region."""
        return self._regions[(resource.account, resource.region)]

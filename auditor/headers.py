"""Does the header value CloudFront sends satisfy an ALB ``http-header`` condition?

The only module that reveals secret values, and only to compare them, once, when the
inventory is sealed (`seal`): the verdicts are stored on the inventory and every secret is
dropped from it, so rules, snapshots and reports never hold one.

ALB compares header names and plain values case-insensitively, with ``*`` (any run of
characters) and ``?`` (one character) as wildcards; ``RegexValues`` are regular
expressions.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from auditor.gaps import DataUnavailable, Unavailable
from auditor.inventory import (
    Distribution,
    HeaderCondition,
    Inventory,
    ListenerRule,
    LoadBalancer,
    Origin,
    OriginHeader,
)
from auditor.secrets import Secret


@lru_cache(maxsize=1024)
def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _regex_accepts(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def names_equal(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def condition_checks(condition: HeaderCondition, headers: tuple[OriginHeader, ...]) -> bool:
    """True when the condition inspects a header that the origin sends (names only)."""
    return any(names_equal(condition.name, h.name) for h in headers)


def _accepts(condition: HeaderCondition, headers: tuple[OriginHeader, ...]) -> bool:
    for header in headers:
        if header.value is None or not names_equal(condition.name, header.name):
            continue
        sent = header.value.reveal()
        if any(_wildcard_regex(v.reveal()).fullmatch(sent) for v in condition.values):
            return True
        if any(_regex_accepts(v.reveal(), sent) for v in condition.regex_values):
            return True
    return False


def match_key(dist: Distribution, origin: Origin, rule: ListenerRule, index: int) -> str:
    return f"{dist.arn}|{origin.origin_id}|{rule.arn}|{index}"


# ------------------------------------------------------------------ sealing


def _verdicts(inventories: tuple[Inventory, ...]) -> dict[str, dict[str, bool]]:
    """account of the ALB -> {match key: verdict}, over the graph of every inventory (the
    distribution sending the header may live in another account than the ALB)."""
    from auditor.topology import Topology  # the graph links origins to ALBs

    topo = Topology(*inventories)
    verdicts: dict[str, dict[str, bool]] = {}
    for path in topo.all_edge_paths():
        sent = path.origin.custom_headers
        try:
            routes = list(topo.forwarding_rules(path.alb))
        except DataUnavailable:
            continue  # the rules that need these verdicts will report the gap
        for _, rule in routes:
            for index, condition in enumerate(rule.header_conditions):
                if condition_checks(condition, sent):
                    key = match_key(path.distribution, path.origin, rule, index)
                    verdicts.setdefault(path.alb.account, {})[key] = _accepts(condition, sent)
    return verdicts


def _strip_rule(rule: ListenerRule) -> ListenerRule:
    conditions = tuple(
        replace(c, values=(), regex_values=(), value_count=c.accepted_count)
        for c in rule.header_conditions)
    return replace(rule, header_conditions=conditions)


def _strip_alb(alb: LoadBalancer) -> LoadBalancer:
    if isinstance(alb.listeners, Unavailable):
        return alb
    listeners = tuple(
        li if isinstance(li.rules, Unavailable)
        else replace(li, rules=tuple(_strip_rule(r) for r in li.rules))
        for li in alb.listeners)
    return replace(alb, listeners=listeners)


def _strip_distribution(dist: Distribution) -> Distribution:
    origins = tuple(
        replace(o, custom_headers=tuple(replace(h, value=None) for h in o.custom_headers))
        for o in dist.origins)
    return replace(dist, origins=origins)


def seal_all(inventories: tuple[Inventory, ...] | list[Inventory]
             ) -> tuple[tuple[Inventory, ...], list[Secret]]:
    """Compute every header verdict across the run's inventories, then drop every secret:
    (sealed inventories, secrets). Each verdict is kept on the ALB's account."""
    inventories = tuple(inventories)
    if all(inv.sealed for inv in inventories):
        return inventories, []
    secrets = [s for inv in inventories if not inv.sealed for s in inv.secrets()]
    verdicts = _verdicts(inventories)
    return tuple(inv if inv.sealed else _stripped(inv, verdicts.get(inv.account, {}))
                 for inv in inventories), secrets


def _stripped(inventory: Inventory, verdicts: dict[str, bool]) -> Inventory:
    regions = tuple(
        r if isinstance(r.load_balancers, Unavailable)
        else replace(r, load_balancers=tuple(_strip_alb(lb) for lb in r.load_balancers))
        for r in inventory.regions)
    dists = inventory.distributions
    if not isinstance(dists, Unavailable):
        dists = tuple(_strip_distribution(d) for d in dists)
    return replace(inventory, regions=regions, distributions=dists,
                   header_matches=verdicts, sealed=True)


def seal(inventory: Inventory) -> tuple[Inventory, list[Secret]]:
    """One inventory sealed on its own: (sealed inventory, secrets)."""
    (sealed,), secrets = seal_all((inventory,))
    return sealed, secrets

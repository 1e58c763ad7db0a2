"""Does the header value CloudFront sends satisfy an ALB ``http-header`` condition?

The only module that reveals secret values, and only to compare them, once, when the
inventory is sealed (`seal`): the verdicts are stored on the inventory and every secret is
dropped from it, so rules, snapshots and reports never hold one.

ALB compares header names and plain values case-insensitively, with ``*`` (any run of
characters) and ``?`` (one character) as wildcards; ``RegexValues`` are regular
expressions whose anchoring and case AWS does not document, so a regex verdict stands only
where every reading agrees (else it is undetermined, and the rules that need it say
``error``). Weakness (a value anyone could guess) is judged here too, before sealing.
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
    WebAcl,
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


# The readings of an ALB regex that AWS's documentation leaves open: anchored or not,
# case-sensitive or not. A verdict stands only where every reading gives it.
READINGS = ((re.search, 0), (re.search, re.IGNORECASE), (re.fullmatch, 0),
            (re.fullmatch, re.IGNORECASE))
MIN_LITERALS = 16  # catalogue "Weak accepted value": fewer literal characters is weak


def weak_value(value: str) -> bool:
    """A plain accepted value with fewer than 16 literal (non-wildcard) characters; ``*``
    and ``?*`` have none."""
    return len(value.replace("*", "").replace("?", "")) < MIN_LITERALS


_REGEX_META = re.compile(r"\\.|\[[^\]]*\]|\{[^}]*\}|[.^$*+?()|]")


def weak_search_string(value: str, positional: str) -> bool:
    """A WAF byte-match search string shorter than 16 characters is guessable, whatever
    its positional constraint (CONTAINS admits any value holding it)."""
    return len(value) < MIN_LITERALS


def weak_pattern(pattern: str) -> bool:
    """A regex that accepts any value (``.*``) or pins fewer than 16 literal characters."""
    probes = ("", "x", "Q7#-" * 12)
    try:
        if all(re.search(pattern, p) for p in probes):
            return True
    except re.error:
        return False  # accepts nothing: not weak, broken (BYP-004 says so)
    return len(_REGEX_META.sub("", pattern)) < MIN_LITERALS


def names_equal(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def condition_checks(condition: HeaderCondition, headers: tuple[OriginHeader, ...]) -> bool:
    """True when the condition inspects a header that the origin sends (names only)."""
    return any(names_equal(condition.name, h.name) for h in headers)


def _accepts(condition: HeaderCondition, headers: tuple[OriginHeader, ...]) -> bool | None:
    """Whether a value the origin sends satisfies the condition; None when only the regex
    readings could tell, and they disagree."""
    readings: set[bool] = set()
    for header in headers:
        if header.value is None or not names_equal(condition.name, header.name):
            continue
        sent = header.value.reveal()
        if any(_wildcard_regex(v.reveal()).fullmatch(sent) for v in condition.values):
            return True
        per_reading = [False] * len(READINGS)
        for pattern in condition.regex_values:
            try:
                hits = [m(pattern.reveal(), sent, f) is not None for m, f in READINGS]
            except re.error:
                continue
            per_reading = [a or b for a, b in zip(per_reading, hits, strict=True)]
        if all(per_reading):
            return True
        readings.update(per_reading)
    if not readings or readings == {False}:
        return False
    return None


def match_key(dist: Distribution, origin: Origin, rule: ListenerRule, index: int) -> str:
    return f"{dist.arn}|{origin.origin_id}|{rule.arn}|{index}"


# ------------------------------------------------------------------ sealing


def _verdicts(inventories: tuple[Inventory, ...]) -> dict[str, dict[str, bool | None]]:
    """account of the ALB -> {match key: verdict}, over the graph of every inventory (the
    distribution sending the header may live in another account than the ALB)."""
    from auditor.topology import Topology  # the graph links origins to ALBs

    topo = Topology(*inventories)
    verdicts: dict[str, dict[str, bool | None]] = {}
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
        replace(c, values=(), regex_values=(), value_count=c.accepted_count,
                weak_count=c.weak_values)
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


def _strip_acl(acl):
    if not isinstance(acl, WebAcl) or not acl.header_checks:
        return acl
    return replace(acl, header_checks=tuple(
        replace(c, values=(), value_count=c.accepted_count, weak_count=c.weak_values)
        for c in acl.header_checks))


def _stripped(inventory: Inventory, verdicts: dict[str, bool | None]) -> Inventory:
    regions = tuple(
        replace(r, alb_web_acls={k: _strip_acl(v) for k, v in r.alb_web_acls.items()})
        for r in inventory.regions)
    regions = tuple(
        r if isinstance(r.load_balancers, Unavailable)
        else replace(r, load_balancers=tuple(_strip_alb(lb) for lb in r.load_balancers))
        for r in regions)
    dists = inventory.distributions
    if not isinstance(dists, Unavailable):
        dists = tuple(_strip_distribution(d) for d in dists)
    return replace(inventory, regions=regions, distributions=dists,
                   header_matches=verdicts, sealed=True)


def seal(inventory: Inventory) -> tuple[Inventory, list[Secret]]:
    """One inventory sealed on its own: (sealed inventory, secrets)."""
    (sealed,), secrets = seal_all((inventory,))
    return sealed, secrets

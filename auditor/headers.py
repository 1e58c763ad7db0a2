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

import inspect
import re
from dataclasses import replace
from functools import lru_cache, wraps

from auditor.gaps import DataUnavailable, Unavailable
from auditor.inventory import (
    Distribution,
    HeaderCondition,
    Inventory,
    ListenerRule,
    LoadBalancer,
    Origin,
    OriginHeader,
    WafHeaderCheck,
    WebAcl,
)
from auditor.secrets import Secret, deploy_time_verdict, deploy_time_weakness


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


def undetermined(value: str, min_literals: int = MIN_LITERALS) -> bool:
    """A value known only at deploy time whose strength nothing in the source tells."""
    return deploy_time_weakness(value, min_literals) is None


def _deploy_time_first(judge):
    """A weakness test that first asks whether the value is known only at deploy time:
    a generated secret is judged by its length, an untold one is not counted weak (it is
    counted apart, `undetermined`); a real value goes to ``judge``."""
    signature = inspect.signature(judge)

    @wraps(judge)
    def judged(value: str, *args, **kwargs) -> bool:
        bound = signature.bind(value, *args, **kwargs)
        bound.apply_defaults()
        found = deploy_time_weakness(value, bound.arguments["min_literals"])
        return judge(value, *args, **kwargs) if found is NotImplemented else bool(found)
    return judged


@_deploy_time_first
def weak_value(value: str, min_literals: int = MIN_LITERALS) -> bool:
    """A plain accepted value with fewer than 16 literal (non-wildcard) characters; ``*``
    and ``?*`` have none."""
    return len(value.replace("*", "").replace("?", "")) < min_literals


_REGEX_META = re.compile(r"\\.|\[[^\]]*\]|\{[^}]*\}|[.^$*+?()|]")


@_deploy_time_first
def weak_search_string(value: str, positional: str, min_literals: int = MIN_LITERALS) -> bool:
    """A WAF byte-match search string shorter than 16 characters is guessable, whatever
    its positional constraint (CONTAINS admits any value holding it)."""
    return len(value) < min_literals


@_deploy_time_first
def weak_pattern(pattern: str, min_literals: int = MIN_LITERALS) -> bool:
    """A regex that accepts any value (``.*``) or pins fewer than 16 literal characters."""
    probes = ("", "x", "Q7#-" * 12)
    try:
        if all(re.search(pattern, p) for p in probes):
            return True
    except re.error:
        return False  # accepts nothing: not weak, broken (BYP-004 says so)
    return len(_REGEX_META.sub("", pattern)) < min_literals


def names_equal(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def condition_checks(condition: HeaderCondition, headers: tuple[OriginHeader, ...]) -> bool:
    """True when the condition inspects a header that the origin sends (names only)."""
    return any(names_equal(condition.name, h.name) for h in headers)


def _accepts(condition: HeaderCondition, headers: tuple[OriginHeader, ...]) -> bool | None:
    """Whether a value the origin sends satisfies the condition; None when only the regex
    readings could tell, and they disagree."""
    readings: set[bool] = set()
    undetermined = False  # a value known only at deploy time met another value
    for header in headers:
        if header.value is None or not names_equal(condition.name, header.name):
            continue
        sent = header.value.reveal()
        plain = [_plain_accepts(v.reveal(), sent) for v in condition.values]
        if True in plain:
            return True
        undetermined = undetermined or None in plain
        per_reading = [False] * len(READINGS)
        for pattern in condition.regex_values:
            known = deploy_time_verdict(pattern.reveal(), sent)
            if known is not NotImplemented:
                if known:
                    return True
                undetermined = True
                continue
            hits = _reading_hits(pattern.reveal(), sent)
            if hits is None:
                continue
            per_reading = [a or b for a, b in zip(per_reading, hits, strict=True)]
        if all(per_reading):
            return True
        readings.update(per_reading)
    if (not readings or readings == {False}) and not undetermined:
        return False
    return None


def _plain_accepts(value: str, sent: str) -> bool | None:
    known = deploy_time_verdict(value, sent)
    if known is not NotImplemented:
        return known
    return _wildcard_regex(value).fullmatch(sent) is not None


def _reading_hits(pattern: str, sent: str) -> list[bool] | None:
    """Whether the regex matches ``sent`` in each of the READINGS; None if it is broken."""
    try:
        return [m(pattern, sent, f) is not None for m, f in READINGS]
    except re.error:
        return None


def match_key(dist: Distribution, origin: Origin, rule: ListenerRule, index: int) -> str:
    return f"{dist.arn}|{origin.origin_id}|{rule.arn}|{index}"


def value_key(alb_arn: str, owner: str, check: int, value: int) -> str:
    """One accepted value of one header check guarding an ALB: the check's owner (a
    listener rule's or a web ACL's ARN), its index there, the value's index in it."""
    return f"{alb_arn}|{owner}|{check}|{value}"


def _combine(verdicts) -> bool | None:
    """Some sender matches (True), none can (False), or only undetermined ones (None)."""
    found = set(verdicts)
    if True in found:
        return True
    return None if None in found else False


def _regex_accepts(pattern: str, sent: str) -> bool | None:
    """One regex value: accepts in every reading, in none, or undetermined (None)."""
    known = deploy_time_verdict(pattern, sent)
    if known is not NotImplemented:
        return known
    hits = _reading_hits(pattern, sent)
    if hits is None:
        return False  # a broken pattern accepts nothing
    found = set(hits)
    return found.pop() if len(found) == 1 else None


TRANSFORMS = {"NONE": lambda v: v, "LOWERCASE": str.lower,
              "COMPRESS_WHITE_SPACE": lambda v: re.sub(r"\s+", " ", v)}


def byte_match(search: str, positional: str, transformations: tuple[str, ...],
               sent: str) -> bool | None:
    """A WAF ``ByteMatchStatement`` on a header value: the text transformations apply to
    the request's value, then the positional constraint. A transformation this does not
    model (URL or entity decoding, ...) leaves the verdict undetermined."""
    known = deploy_time_verdict(search, sent)
    if known is not NotImplemented:
        return known
    for name in transformations:
        if name not in TRANSFORMS:
            return None
        sent = TRANSFORMS[name](sent)
    if positional == "EXACTLY":
        return sent == search
    if positional == "STARTS_WITH":
        return sent.startswith(search)
    if positional == "ENDS_WITH":
        return sent.endswith(search)
    if positional == "CONTAINS":
        return search in sent
    if positional == "CONTAINS_WORD":
        word = rf"(?<![A-Za-z0-9_]){re.escape(search)}(?![A-Za-z0-9_])"
        return re.search(word, sent) is not None
    return None


def _sent_by(name: str, senders: list[tuple[OriginHeader, ...]]) -> list[str]:
    """The values of header ``name`` that the fronting origins send."""
    return [h.value.reveal() for headers in senders for h in headers
            if h.value is not None and names_equal(name, h.name)]


def _condition_values_sent(condition: HeaderCondition, senders: list[tuple[OriginHeader, ...]]
                           ) -> list[bool | None]:
    """For each accepted value of an ALB condition (plain values, then regexes): does some
    fronting origin send a value it accepts?"""
    sent = _sent_by(condition.name, senders)
    plain = [_combine(_plain_accepts(v.reveal(), s) for s in sent) for v in condition.values]
    regex = [_combine(_regex_accepts(v.reveal(), s) for s in sent)
             for v in condition.regex_values]
    return plain + regex


def _waf_values_sent(check: WafHeaderCheck, senders: list[tuple[OriginHeader, ...]]
                     ) -> list[bool | None]:
    sent = _sent_by(check.name, senders)
    return [_combine(byte_match(v.reveal(), check.positional, check.transformations, s)
                     for s in sent) for v in check.values]


# ------------------------------------------------------------------ sealing


def _values_sent(topo) -> dict[str, dict[str, bool | None]]:
    """account of the ALB -> {value key: sent by some fronting distribution}, for every
    accepted value of every header check (listener conditions and the ALB's web ACL) on a
    header name that some distribution fronting the ALB sends (BYP-010)."""
    found: dict[str, dict[str, bool | None]] = {}
    by_alb: dict[str, list] = {}
    for path in topo.all_edge_paths():
        by_alb.setdefault(path.alb.arn, []).append(path)
    for paths in by_alb.values():
        alb = paths[0].alb
        senders = [p.origin.custom_headers for p in paths]
        names = {h.name.lower() for headers in senders for h in headers}
        verdicts = found.setdefault(alb.account, {})
        try:
            routes = list(topo.forwarding_rules(alb))
        except DataUnavailable:
            routes = []  # the rules that need these verdicts will report the gap
        for _, rule in routes:
            for i, condition in enumerate(rule.header_conditions):
                if condition.name.lower() in names:
                    for j, sent in enumerate(_condition_values_sent(condition, senders)):
                        verdicts[value_key(alb.arn, rule.arn, i, j)] = sent
        acl = topo.region_of(alb).alb_web_acls.get(alb.arn)
        if isinstance(acl, WebAcl):
            for i, check in enumerate(acl.header_checks):
                if check.name.lower() in names:
                    for j, sent in enumerate(_waf_values_sent(check, senders)):
                        verdicts[value_key(alb.arn, acl.arn, i, j)] = sent
    return found


def _verdicts(topo) -> dict[str, dict[str, bool | None]]:
    """account of the ALB -> {match key: verdict}, over the graph of every inventory (the
    distribution sending the header may live in another account than the ALB)."""
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


def _strip_rule(rule: ListenerRule, min_literals: int) -> ListenerRule:
    conditions = tuple(
        replace(c, values=(), regex_values=(), value_count=c.accepted_count,
                weak_count=c.weak_count_at(min_literals),
                undetermined_count=c.undetermined_at(min_literals))
        for c in rule.header_conditions)
    return replace(rule, header_conditions=conditions)


def _strip_alb(alb: LoadBalancer, min_literals: int) -> LoadBalancer:
    if isinstance(alb.listeners, Unavailable):
        return alb
    listeners = tuple(
        li if isinstance(li.rules, Unavailable)
        else replace(li, rules=tuple(_strip_rule(r, min_literals) for r in li.rules))
        for li in alb.listeners)
    return replace(alb, listeners=listeners)


def _strip_distribution(dist: Distribution) -> Distribution:
    origins = tuple(
        replace(o, custom_headers=tuple(replace(h, value=None) for h in o.custom_headers))
        for o in dist.origins)
    return replace(dist, origins=origins)


def weak_threshold(params) -> int:
    """The literal-character count below which an accepted value is weak: BYP-009's
    ``min_literals`` (BYP-003 judges with the same), the catalogue's 16 by default."""
    return int(((params or {}).get("BYP-009") or {}).get("min_literals", MIN_LITERALS))


def seal_all(inventories: tuple[Inventory, ...] | list[Inventory],
             min_literals: int = MIN_LITERALS) -> tuple[tuple[Inventory, ...], list[Secret]]:
    """Compute every header verdict across the run's inventories, then drop every secret:
    (sealed inventories, secrets). Each verdict is kept on the ALB's account; weakness is
    judged with ``min_literals``, which the sealed inventory records."""
    from auditor.topology import Topology  # the graph links origins to ALBs

    inventories = tuple(inventories)
    if all(inv.sealed for inv in inventories):
        return inventories, []
    secrets = [s for inv in inventories if not inv.sealed for s in inv.secrets()]
    topo = Topology(*inventories)
    matches, sent = _verdicts(topo), _values_sent(topo)
    return tuple(inv if inv.sealed else _stripped(
        inv, matches.get(inv.account, {}), sent.get(inv.account, {}), min_literals)
        for inv in inventories), secrets


def _strip_acl(acl, min_literals: int):
    if not isinstance(acl, WebAcl) or not acl.header_checks:
        return acl
    return replace(acl, header_checks=tuple(
        replace(c, values=(), value_count=c.accepted_count,
                weak_count=c.weak_count_at(min_literals),
                undetermined_count=c.undetermined_at(min_literals))
        for c in acl.header_checks))


def _stripped(inventory: Inventory, matches: dict[str, bool | None],
              sent: dict[str, bool | None], min_literals: int) -> Inventory:
    regions = tuple(
        replace(r, alb_web_acls={k: _strip_acl(v, min_literals)
                                 for k, v in r.alb_web_acls.items()})
        for r in inventory.regions)
    regions = tuple(
        r if isinstance(r.load_balancers, Unavailable)
        else replace(r, load_balancers=tuple(_strip_alb(lb, min_literals)
                                             for lb in r.load_balancers))
        for r in regions)
    dists = inventory.distributions
    if not isinstance(dists, Unavailable):
        dists = tuple(_strip_distribution(d) for d in dists)
    return replace(inventory, regions=regions, distributions=dists, header_matches=matches,
                   header_values_sent=sent, weak_min_literals=min_literals, sealed=True)


def seal(inventory: Inventory, min_literals: int = MIN_LITERALS
         ) -> tuple[Inventory, list[Secret]]:
    """One inventory sealed on its own: (sealed inventory, secrets)."""
    (sealed,), secrets = seal_all((inventory,), min_literals)
    return sealed, secrets

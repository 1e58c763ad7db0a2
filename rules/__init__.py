"""The rule packs. Each module holds one concern's rules and a ``RULES`` tuple.

Packs are imported when the registry is built, not when this package is imported, and
the registry refuses duplicate ids or slugs.
"""

from __future__ import annotations

import importlib

from auditor.rule import RetiredRule, Rule

CATALOG_VERSION = "1.1"

RETIRED = (
    RetiredRule(
        "LIM-003", "payload-errors-observed", "1.1", "LMB-002",
        "LambdaUserError and HTTPCode_ELB_502_Count count every failed Lambda invocation "
        "(exceptions, throttles, timeouts, permissions), not only responses over 1 MB"),
)

PACKS = (
    "rules.bypass",
    "rules.origin_secrets",
    "rules.security_groups",
    "rules.target_groups",
    "rules.limits",
    "rules.waf",
    "rules.cloudfront",
    "rules.alb",
    "rules.alb_guards",
    "rules.functions",
    "rules.operations",
)


def load_rules(packs: tuple[str, ...] = PACKS) -> tuple[Rule, ...]:
    """Every rule of the given packs, in catalogue order; duplicates are an error."""
    rules: list[Rule] = []
    ids: set[str] = {r.id for r in RETIRED}  # a retired id is never reused
    slugs: set[str] = set()
    for pack in packs:
        for rule in importlib.import_module(pack).RULES:
            if rule.id in ids or rule.slug in slugs:
                raise ValueError(f"duplicate rule {rule.id} ({rule.slug}) in {pack}")
            ids.add(rule.id)
            slugs.add(rule.slug)
            rules.append(rule)
    return tuple(rules)

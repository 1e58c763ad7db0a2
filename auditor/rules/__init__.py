"""The built-in rule pack: one module per concern, each with a ``RULES`` tuple.

It is a pack like any other (auditor.packs): its modules are imported when the registry
is built, not when this package is imported, and the registry refuses duplicate ids or
slugs and reused retired ones.
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

MODULES = (
    "auditor.rules.bypass",
    "auditor.rules.origin_secrets",
    "auditor.rules.security_groups",
    "auditor.rules.target_groups",
    "auditor.rules.limits",
    "auditor.rules.waf",
    "auditor.rules.cloudfront",
    "auditor.rules.alb",
    "auditor.rules.alb_guards",
    "auditor.rules.functions",
    "auditor.rules.operations",
)


def RULES() -> tuple[Rule, ...]:
    """The built-in pack's rules, in catalogue order. The registry (auditor.packs) loads
    this pack as it loads any other: validated, stamped, ids checked across packs."""
    return tuple(rule for module in MODULES for rule in importlib.import_module(module).RULES)


def load_rules() -> tuple[Rule, ...]:
    """The built-in rules alone, as the registry loads them."""
    from auditor.packs import builtin_pack

    return builtin_pack().rules

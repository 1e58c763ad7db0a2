"""From a report's failures to an ordered plan: each builder writes the steps of its
rules, and whatever no builder closes becomes a manual step."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from auditor.fix import functions, manual, network, origin_secret, settings
from auditor.fix.context import PARAMETERS, Context
from auditor.fix.findings import Failures
from auditor.fix.model import Plan

BUILDERS = (network, origin_secret, functions, settings)


def _selected(rule_id: str, patterns: Iterable[str]) -> bool:
    patterns = list(patterns)
    return not patterns or any(fnmatchcase(rule_id, p.upper()) for p in patterns)


def build_plan(failures: Failures, rules: Iterable[str] = (), accept_risk: Iterable[str] = (),
               values: dict[str, str] | None = None) -> Plan:
    rules = list(rules)
    chosen = tuple(f for f in failures.findings if _selected(f.rule_id, rules))
    skipped = tuple(f.closes for f in failures.findings if f not in chosen)
    scoped = Failures(failures.report_id, failures.source, chosen, failures.complete,
                      failures.tags_read, failures.passing, failures.resources)
    ctx = Context(scoped, frozenset(r.upper() for r in accept_risk), dict(values or {}))
    steps = [s for builder in BUILDERS for s in builder.build(ctx)]
    handled = {c for s in steps for c in s.closes}
    steps += manual.build(f for f in chosen if f.closes not in handled)
    steps.sort(key=lambda s: s.phase)  # stable: each builder's own order within a phase
    notes = []
    if not failures.complete:
        notes.append("The report is incomplete (some results are error): what it could not "
                     "see is not in this plan. Fix the access, scan again, plan again.")
    if failures.source == "aws" and not failures.tags_read:
        notes.append("The scan could not read CloudFormation's tags (tag:GetResources "
                     "failed): before each command, check that no stack manages the "
                     "resource, or change the stack's template instead.")
    if any(s.accept_risk and not s.accepted for s in steps):
        notes.append("Steps that change what the application sees are written commented "
                     "out; --accept-risk RULE writes them live once you have done the "
                     "step before them.")
    return Plan(failures.report_id, failures.source, tuple(steps),
                {k: PARAMETERS[k] for k in sorted(ctx.needed)}, dict(ctx.values),
                tuple(notes), skipped)

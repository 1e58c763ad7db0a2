"""Runs the rules over the topology and turns verdicts, gaps and failures into results."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditor.findings import Result, Status, Verdict
from auditor.gaps import DataUnavailable
from auditor.headers import MIN_LITERALS, seal_all, weak_threshold
from auditor.inventory import GLOBAL_REGION, T_ACCOUNT, Inventory, ResourceRef
from auditor.rule import RetiredRule, Rule, SubjectKind
from auditor.topology import SubjectSet, Topology

log = logging.getLogger(__name__)


class UnknownRule(ValueError):
    """A rule id given by the user that the catalogue does not have."""


def select_rules(
    rules: Sequence[Rule], only: Iterable[str] = (), skip: Iterable[str] = (),
    retired: Sequence[RetiredRule] = (),
) -> tuple[Rule, ...]:
    """The rules named by ``--rules`` (all when empty) minus ``--skip-rules``; naming a
    retired id is an error that names its replacement."""
    by_id = {r.id: r for r in rules}
    only, skip = (
        [i.strip().upper() for i in only if i.strip()],
        [i.strip().upper() for i in skip if i.strip()],
    )
    gone = [r for r in retired if r.id in (*only, *skip)]
    if gone:
        raise UnknownRule("; ".join(r.notice() for r in gone))
    unknown = sorted({i for i in (*only, *skip) if i not in by_id})
    if unknown:
        raise UnknownRule(f"unknown rule id(s): {', '.join(unknown)}")
    chosen = [r for r in rules if not only or r.id in only]
    return tuple(r for r in chosen if r.id not in skip)


def _subjects(topo: Topology, kind: SubjectKind) -> SubjectSet:
    if kind is SubjectKind.LAMBDA_ALB:
        return topo.lambda_albs()
    if kind is SubjectKind.LAMBDA_TARGET_GROUP:
        return topo.lambda_target_groups()
    if kind is SubjectKind.TARGET_FUNCTION:
        return topo.target_functions()
    if kind is SubjectKind.HEALTH_CHECKED_FUNCTION:
        return topo.target_functions(health_checked_only=True)
    if kind is SubjectKind.EDGE_DISTRIBUTION:
        return topo.edge_distributions()
    if kind is SubjectKind.REST_API:
        return topo.rest_apis()
    raise ValueError(kind)


def _result(rule: Rule, ref: ResourceRef, status: Status, verdict: Verdict) -> Result:
    return Result(
        rule_id=rule.id,
        rule=rule.slug,
        title=rule.title,
        severity=rule.severity,
        status=status,
        resource=ref,
        message=verdict.message,
        evidence=verdict.evidence,
        recommendation=rule.recommendation,
        remediation=rule.remediation,
        related=tuple(a for a in verdict.related if a != ref.arn),
        rule_pack=rule.pack,
    )


def _error(rule: Rule, ref: ResourceRef, reason: str) -> Result:
    return _result(
        rule, ref, Status.ERROR, Verdict(False, f"Not evaluated: {reason}", {"reason": reason})
    )


def unreachable(rule: Rule, account: str, partition: str, reason: str) -> Result:
    """A rule's result for an account the scan could not enter (its role not assumed)."""
    ref = ResourceRef(f"arn:{partition}:iam::{account}:root", T_ACCOUNT, account, account,
                      GLOBAL_REGION)
    return _error(rule, ref, reason)


def evaluate_rule(
    rule: Rule, topo: Topology, overrides: Mapping[str, Any] | None = None
) -> list[Result]:
    params = {**rule.params, **(overrides or {})}
    subjects = _subjects(topo, rule.subject)
    results = [_error(rule, gap.ref, gap.gap.reason) for gap in subjects.gaps]
    for subject in subjects.items:
        ref = subject.ref
        try:
            verdict = rule.check(topo, subject, params)
        except DataUnavailable as exc:
            results.append(_error(rule, ref, exc.gap.reason))
            continue
        except Exception as exc:  # a rule bug must not turn into a silent pass
            log.exception("rule %s failed on %s", rule.id, ref.arn)
            results.append(_error(rule, ref, f"internal error in rule: {type(exc).__name__}"))
            continue
        if verdict is not None:
            status = Status.PASS if verdict.passed else Status.FAIL
            results.append(_result(rule, ref, status, verdict))
    return results


def evaluate(
    inventory: Inventory,
    rules: Sequence[Rule],
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Result]:
    """Every rule over one inventory, in rule order then resource order.

    ``params`` maps a rule id to parameter overrides (from ``--config``).
    """
    return evaluate_topology(topology_of(inventory, min_literals=weak_threshold(params)),
                             rules, params)


def topology_of(*inventories: Inventory, min_literals: int = MIN_LITERALS) -> Topology:
    """The one graph over a run's inventories that the rules read (and the path pictures
    are drawn from)."""
    # a no-op for collected inventories, sealed already
    sealed, _ = seal_all(inventories, min_literals)
    return Topology(*sealed)


def evaluate_topology(
    topo: Topology,
    rules: Sequence[Rule],
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Result]:
    params = params or {}
    results: list[Result] = []
    for rule in rules:
        found = evaluate_rule(rule, topo, params.get(rule.id))
        results.extend(sorted(found, key=lambda r: r.resource.arn))
    return results

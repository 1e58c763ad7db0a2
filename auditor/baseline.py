"""Baselines: compare a scan with an earlier one, by (rule, account, resource).

``edge-audit diff old.json new.json`` lists what changed; ``scan --baseline old.json``
marks each failure ``new`` or ``unchanged`` and lets ``--fail-on`` judge only the new ones,
so a team can adopt the auditor on an estate with a backlog and still stop regressions.

An old failure is *resolved* only when the new scan saw the resource pass (or accepted it
by a suppression), or looked where it was (same account, region and rule) and no longer
found it. An old failure the new scan could not judge (an ``error``, or outside its scope)
is *unverified*, never resolved: the absence of evidence is not a fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from auditor.inventory import GLOBAL_REGION
from auditor.scan import Report

Key = tuple[str, str, str]
NEW, UNCHANGED = "new", "unchanged"


def key_of(result: Mapping[str, Any]) -> Key:
    return (result["rule_id"], result["account"], result["resource"]["arn"])


def failing_keys(doc: Mapping[str, Any]) -> dict[Key, Mapping[str, Any]]:
    return {key_of(r): r for r in doc["results"] if r["status"] == "fail"}


@dataclass(frozen=True)
class Diff:
    new: tuple[Mapping[str, Any], ...]
    resolved: tuple[Mapping[str, Any], ...]
    unchanged: tuple[Mapping[str, Any], ...]
    unverified: tuple[Mapping[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {name: [_brief(r) for r in getattr(self, name)]
                for name in ("new", "resolved", "unchanged", "unverified")}


def _brief(result: Mapping[str, Any]) -> dict[str, Any]:
    return {k: result[k] for k in ("rule_id", "rule", "severity", "status", "account",
                                   "region", "resource", "message")}


def covered(accounts: Iterable[str], rules: Iterable[str], regions: Iterable[str],
            account: str, rule_id: str, region: str) -> bool:
    """Whether a scan of these accounts, rules and regions judged (account, rule, region).
    CloudFront (region ``global``) is read by every scan."""
    return (account in accounts and rule_id in rules
            and (region == GLOBAL_REGION or region in regions))


def _in_scope(result: Mapping[str, Any], scan: Mapping[str, Any]) -> bool:
    return covered(scan["accounts"], scan["rules"], scan["regions"], result["account"],
                   result["rule_id"], result["region"])


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> Diff:
    before = failing_keys(old)
    now = {key_of(r): r for r in new["results"]}
    added = [r for k, r in failing_keys(new).items() if k not in before]
    unchanged, resolved, unverified = [], [], []
    for key, old_result in before.items():
        current = now.get(key)
        if current is None:
            (resolved if _in_scope(old_result, new["scan"]) else unverified).append(old_result)
        elif current["status"] == "fail":
            unchanged.append(current)
        elif current["status"] in ("pass", "suppressed"):
            resolved.append(current)
        else:
            unverified.append(current)
    return Diff(tuple(added), tuple(resolved), tuple(unchanged), tuple(unverified))


def mark(report: Report, old: Mapping[str, Any]) -> Report:
    """The report with each failure marked new or unchanged against ``old``."""
    from auditor.report.json_report import document

    before = failing_keys(old)
    results = tuple(
        replace(r, baseline=UNCHANGED if r.key in before else NEW) if r.failing else r
        for r in report.results)
    changes = diff(old, document(replace(report, results=results)))
    counts = {"scan_id": old["scan"]["id"], "new": len(changes.new),
              "unchanged": len(changes.unchanged), "resolved": len(changes.resolved)}
    return replace(report, results=results, scan=replace(report.scan, baseline=counts))


def counted(results: Iterable) -> list:
    """The failures an exit code judges: with a baseline, only the new ones."""
    return [r for r in results if r.failing and r.baseline != UNCHANGED]

"""``edge-audit merge``: one report from several (the shards of an organization's scan).

Results are joined; a (rule, account, resource) seen twice keeps the later scan's result.
The scan block is recomputed: accounts and regions united, calls summed, started at the
earliest, finished at the latest, complete only if no result is an error.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import jsonschema

from auditor.report.json_report import SCHEMA_VERSION, summary_of, validate


class MergeError(ValueError):
    """An input is not a findings document of this schema: exit 2."""


def load(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise MergeError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_document(text, path)


def parse_document(text: str, source: str) -> dict[str, Any]:
    """A findings document, validated against the schema (any 1.x version)."""
    try:
        doc = json.loads(text)
        validate(doc)
    except (json.JSONDecodeError, jsonschema.ValidationError) as exc:
        raise MergeError(f"{source} is not an edge-auditor findings document: "
                         f"{getattr(exc, 'message', exc)}") from exc
    return doc


def merge_warnings(docs: list[dict[str, Any]], names: list[str] | None = None) -> list[str]:
    """What the user should know before trusting the merge; raises `MergeError` for the
    same scan given twice (its calls would be counted twice)."""
    names = names or [f"report {i + 1}" for i in range(len(docs))]
    seen: dict[str, str] = {}
    for doc, name in zip(docs, names, strict=True):
        scan_id = doc["scan"]["id"]
        if scan_id in seen:
            raise MergeError(f"{name} and {seen[scan_id]} are the same scan ({scan_id}): "
                             f"give each shard once")
        seen[scan_id] = name
    versions = {f"{d['tool']['name']} {d['tool']['version']}" for d in docs}
    warnings = []
    if len(versions) > 1:
        warnings.append(f"the reports come from different versions "
                        f"({', '.join(sorted(versions))}): their rules may differ; the merged "
                        "report is labelled with the newest")
    return warnings


def merge(docs: list[dict[str, Any]]) -> dict[str, Any]:
    merge_warnings(docs)
    docs = sorted(docs, key=lambda d: d["scan"]["finished_at"])
    results: dict[tuple, dict] = {}
    for doc in docs:
        for result in doc["results"]:
            results[(result["rule_id"], result["account"], result["resource"]["arn"])] = result
    merged = list(results.values())
    scans = [d["scan"] for d in docs]
    operations: Counter = Counter()
    for scan in scans:
        operations.update(scan.get("operations", {}))
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": docs[-1]["tool"],
        "scan": {
            "id": str(uuid.uuid4()),
            "started_at": min(s["started_at"] for s in scans),
            "finished_at": max(s["finished_at"] for s in scans),
            "accounts": sorted({a for s in scans for a in s["accounts"]}),
            "regions": list(dict.fromkeys(r for s in scans for r in s["regions"])),
            "complete": all(r["status"] != "error" for r in merged),
            "api_calls": sum(s["api_calls"] for s in scans),
            "api_retries": sum(s["api_retries"] for s in scans),
            "operations": dict(sorted(operations.items())),
            "rules": list(dict.fromkeys(r for s in scans for r in s["rules"])),
            "errors": [e for s in scans for e in s["errors"]],
        },
        "summary": summary_of(merged),
        "results": merged,
    }
    paths = {p["alb"]["arn"]: p for d in docs for p in d.get("paths", [])}
    if paths:
        doc["paths"] = list(paths.values())
    validate(doc)
    return doc

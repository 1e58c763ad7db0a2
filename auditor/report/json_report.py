"""The JSON findings document (the contract in DESIGN.md), validated before it leaves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from auditor import TOOL_NAME, __version__
from auditor.findings import PackRef, Result, Severity, Status
from auditor.scan import Report
from auditor.secrets import Scrubber, Secret, scrub

SCHEMA_VERSION = "1.5"  # 1.1: suppressed status, suppression, baseline; 1.2: rule_pack;
# 1.3: paths[].exposure; 1.4: scan.source, inputs, not_applicable, warnings and
# resource.location (edge-audit iac); 1.5: resource.cloudformation (the managing stack)


@cache
def schema() -> dict[str, Any]:
    text = resources.files("auditor.report").joinpath("findings.schema.json").read_text("utf-8")
    return json.loads(text)


def _refuse_secrets(value: Any) -> Any:
    if isinstance(value, Secret):
        raise TypeError("a Secret reached the JSON encoder")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def summary_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by status and by severity, from result dicts (a report's or a merge's)."""

    def counts(items) -> dict[str, int]:
        return {s.value: sum(1 for r in items if r["status"] == s.value) for s in Status}

    return {
        "total": len(results),
        "by_status": counts(results),
        "by_severity": {sev.value: counts([r for r in results if r["severity"] == sev.value])
                        for sev in Severity},
    }


def summary(results: tuple[Result, ...]) -> dict[str, Any]:
    return summary_of([{"status": r.status.value, "severity": r.severity.value}
                       for r in results])


def result_dict(r: Result) -> dict[str, Any]:
    out = {
        "rule_id": r.rule_id,
        "rule": r.rule,
        "title": r.title,
        "severity": r.severity.value,
        "status": r.status.value,
        "account": r.account,
        "region": r.region,
        "resource": {"arn": r.resource.arn, "type": r.resource.type, "name": r.resource.name,
                     **({"location": dict(r.resource.location)} if r.resource.location
                        else {}),
                     **({"cloudformation": dict(r.resource.stack)} if r.resource.stack
                        else {})},
        "message": r.message,
        "evidence": r.evidence,
        "recommendation": r.recommendation,
        "remediation": r.remediation,
        "related": list(r.related),
    }
    if r.suppression is not None:
        sup = r.suppression
        out["suppression"] = {"reason": sup.reason, "expires": sup.expires.isoformat(),
                              "matched_by": sup.matched_by, "expired": sup.expired}
    if r.baseline is not None:
        out["baseline"] = r.baseline
    if r.rule_pack is not None:
        out["rule_pack"] = r.rule_pack.as_dict()
    return out


def document(report: Report, with_results: bool = True) -> dict[str, Any]:
    s = report.scan
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "scan": {
            "id": s.id,
            "started_at": s.started_at.isoformat(),
            "finished_at": s.finished_at.isoformat(),
            "accounts": list(s.accounts),
            "regions": list(s.regions),
            "complete": report.complete,
            "api_calls": s.api_calls,
            "api_retries": s.api_retries,
            "operations": dict(s.operations),
            "rules": list(s.rules),
            "errors": [
                {
                    "account": e.account,
                    "region": e.region,
                    "operation": e.operation,
                    "code": e.code,
                    "message": e.message,
                    "resource": e.resource,
                }
                for e in s.errors
            ],
        },
        "summary": summary(report.results),
        "results": [result_dict(r) for r in report.results] if with_results else [],
    }
    if s.source != "aws":
        doc["scan"].update(source=s.source, inputs=list(s.inputs),
                           not_applicable=[dict(n) for n in s.not_applicable],
                           warnings=list(s.warnings))
    if s.suppressions:
        doc["scan"]["suppressions"] = [dict(u) for u in s.suppressions]
    if s.baseline is not None:
        doc["scan"]["baseline"] = dict(s.baseline)
    if report.paths:
        doc["paths"] = json.loads(json.dumps([asdict(p) for p in report.paths]))  # tuples → lists
    return doc


def validate(doc: dict[str, Any]) -> None:
    jsonschema.validate(doc, schema(), format_checker=jsonschema.FormatChecker())


@cache
def _result_validator() -> jsonschema.protocols.Validator:
    full = schema()
    sub = {"$schema": full["$schema"], "$defs": full["$defs"], "$ref": "#/$defs/result"}
    return jsonschema.Draft202012Validator(sub, format_checker=jsonschema.FormatChecker())


def chunks(report: Report) -> Iterator[str]:
    """The document in pieces, each validated and scrubbed, so a scan of thousands of
    resources never holds its whole report as one string (or one dict) in memory."""
    scrubber = Scrubber(report.secrets)
    envelope = scrubbed(document(report, with_results=False), scrubber)
    validate(envelope)
    head = json.dumps(envelope, indent=2, ensure_ascii=False, default=_refuse_secrets)
    before, after = head.rsplit('"results": []', 1)
    yield before + '"results": ['
    validator = _result_validator()
    for index, result in enumerate(report.results):
        item = scrubbed(result_dict(result), scrubber)
        validator.validate(item)
        text = json.dumps(item, indent=2, ensure_ascii=False, default=_refuse_secrets)
        yield ("," if index else "") + "\n    " + text.replace("\n", "\n    ")
    yield ("\n  " if report.results else "") + "]" + after + "\n"


def scrubbed(value: Any, secrets) -> Any:
    """The last-line scrub, on string values only: scrubbing the serialized text could cut
    into a number or a key and leave invalid JSON."""
    if not isinstance(secrets, Scrubber):
        secrets = Scrubber(secrets)
    if not secrets:
        return value
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, dict):
        return {scrub(k, secrets) if isinstance(k, str) else k: scrubbed(v, secrets)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrubbed(v, secrets) for v in value]
    return value


def render(report: Report) -> str:
    return "".join(chunks(report))


def report_from_document(doc: dict[str, Any]) -> Report:
    """A findings document back as a `Report` (to render a merged report as a table)."""
    from datetime import datetime

    import dacite

    from auditor.inventory import CallFailure, ResourceRef
    from auditor.paths import PathPicture
    from auditor.scan import ScanInfo

    scan = doc["scan"]
    info = ScanInfo(
        id=scan["id"], started_at=datetime.fromisoformat(scan["started_at"]),
        finished_at=datetime.fromisoformat(scan["finished_at"]),
        accounts=tuple(scan["accounts"]), regions=tuple(scan["regions"]),
        api_calls=scan["api_calls"], api_retries=scan["api_retries"],
        errors=tuple(CallFailure(**{"resource": "", **e}) for e in scan["errors"]),
        rules=tuple(scan["rules"]), operations=dict(scan.get("operations", {})),
        suppressions=tuple(scan.get("suppressions", ())), baseline=scan.get("baseline"))
    results = tuple(Result(
        rule_id=r["rule_id"], rule=r["rule"], title=r["title"], severity=Severity(r["severity"]),
        status=Status(r["status"]),
        resource=ResourceRef(r["resource"]["arn"], r["resource"]["type"], r["resource"]["name"],
                             r["account"], r["region"], r["resource"].get("location"),
                             r["resource"].get("cloudformation")),
        message=r["message"], evidence=r["evidence"], recommendation=r["recommendation"],
        remediation=r["remediation"], related=tuple(r["related"]),
        suppression=_suppression(r.get("suppression")), baseline=r.get("baseline"),
        rule_pack=PackRef(**r["rule_pack"]) if "rule_pack" in r else None)
        for r in doc["results"])
    paths = tuple(dacite.from_dict(PathPicture, p, config=dacite.Config(cast=[tuple]))
                  for p in doc.get("paths", ()))
    return Report(info, results, paths=paths)


def _suppression(data: dict[str, Any] | None):
    from datetime import date

    from auditor.findings import Suppression

    if data is None:
        return None
    return Suppression(data["reason"], date.fromisoformat(data["expires"]), data["matched_by"],
                       data["expired"])

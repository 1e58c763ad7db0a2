"""``--format html``: one self-contained page (no network at view time).

Summary by severity and area, every edge path drawn as an SVG picture (distributions ->
ALB -> listener rules -> target groups -> functions) with the failing rules marked on
the piece they are about, filters by severity, status and rule, and each result with its
rule's rationale and remediation.

Rendered with Jinja2 with autoescaping on, so every name that comes from the audited
account is escaped; the page's own script is pinned by a Content-Security-Policy hash,
so nothing else can run in it.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from auditor import TOOL_NAME, __version__
from auditor.findings import Result, Severity, Status
from auditor.paths import PathPicture
from auditor.report.shared import scrubbed
from auditor.scan import Report

BOX_W, BOX_H, COL_GAP, ROW_GAP = 200, 58, 56, 14
COLUMNS = ("CloudFront", "ALB", "Listener rule", "Target group", "Function")
SEVERITIES = [s.value for s in Severity]
STATUSES = [s.value for s in Status]


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("auditor.report", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _area(rule_id: str) -> str:
    return rule_id.split("-", 1)[0]


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    title: str
    arn: str
    badges: tuple[tuple[str, str], ...]  # (rule id, severity) of the rules failing on it
    worst: str  # severity of the worst failure, "" if none
    note: str = ""


def _failing_by_arn(results: tuple[Result, ...]) -> dict[str, list[Result]]:
    found: dict[str, list[Result]] = {}
    for r in results:
        if r.status is Status.FAIL:
            found.setdefault(r.resource.arn, []).append(r)
    return found


def _box(column: int, row_y: int, title: str, arn: str, failing, note: str = "") -> Box:
    hits = sorted(failing.get(arn, []), key=lambda r: (-r.severity.rank, r.rule_id))
    badges = tuple(dict.fromkeys((r.rule_id, r.severity.value) for r in hits))
    worst = hits[0].severity.value if hits else ""
    return Box(column * (BOX_W + COL_GAP), row_y, title, arn, badges, worst, note)


def layout(path: PathPicture, failing: dict[str, list[Result]]) -> dict[str, Any]:
    """Boxes and connecting lines of one picture, in SVG user units."""
    boxes: list[Box] = []
    lines: list[tuple[int, int, int, int, str]] = []
    y = 0
    route_boxes = []
    for route in path.routes or ():
        height = max(1, len(route.functions))
        rule = _box(2, y, route.rule.name, route.rule.arn, failing,
                    "" if route.checks_header else "no header check")
        tg = _box(3, y, route.target_group.name, route.target_group.arn, failing)
        fns = [_box(4, y + i * (BOX_H + ROW_GAP), f.name, f.arn, failing)
               for i, f in enumerate(route.functions)]
        boxes += [rule, tg, *fns]
        lines.append(_join(rule, tg, ""))
        lines += [_join(tg, fn, "") for fn in fns]
        route_boxes.append(rule)
        y += height * (BOX_H + ROW_GAP)
    rows_h = max(y - ROW_GAP, BOX_H)
    alb = _box(1, (rows_h - BOX_H) // 2, path.alb.name, path.alb.arn, failing,
               f"{path.region}")
    boxes.append(alb)
    lines += [_join(alb, rule, "") for rule in route_boxes]
    dists = path.distributions
    if dists:
        top = max(0, (rows_h - len(dists) * (BOX_H + ROW_GAP) + ROW_GAP) // 2)
        for i, d in enumerate(dists):
            box = _box(0, top + i * (BOX_H + ROW_GAP), d.name, d.arn, failing, "distribution")
            boxes.append(box)
            lines.append(_join(box, alb, ""))
        rows_h = max(rows_h, top + len(dists) * (BOX_H + ROW_GAP) - ROW_GAP)
    else:
        boxes.append(Box(0, alb.y, "no CloudFront", "", (), "exposed",
                         "the ALB is reached directly"))
        lines.append(_join(boxes[-1], alb, "direct"))
    from auditor.report.table import verdict_text

    return {"boxes": boxes, "lines": lines, "width": 5 * BOX_W + 4 * COL_GAP + 2,
            "height": rows_h + 2, "picture": path, "verdict": verdict_text(path)}


def _join(a: Box, b: Box, kind: str) -> tuple[int, int, int, int, str]:
    return (a.x + BOX_W, a.y + BOX_H // 2, b.x, b.y + BOX_H // 2, kind)


AREAS = {
    "BYP": "bypass: ways around CloudFront to the functions",
    "SG": "the ALB's security groups",
    "TG": "Lambda target groups",
    "HC": "health checks of Lambda targets",
    "LIM": "limits: payload size, timeouts",
    "LMB": "the Lambda functions themselves",
    "CF": "CloudFront distributions and origins",
    "ALB": "load balancer settings and quotas",
    "WAF": "web ACLs at the edge and on the ALB",
    "MON": "monitoring and alarms",
    "COST": "cost of the pattern against its alternatives",
    "APIGW": "API Gateway REST APIs (the alternative pattern)",
}
FIRST = 8  # how many failures "Fix these first" lists


def first_to_fix(report: Report) -> list[tuple[Result, str]]:
    """The highest-severity failures on paths that are reachable around CloudFront."""
    from auditor.report.table import path_label

    found: dict[int, tuple[Result, str]] = {}
    for path in report.paths:
        if path.exposure is None or path.exposure.verdict != "yes":
            continue
        arns = path.arns()
        for r in report.results:
            if r.status is Status.FAIL and r.resource.arn in arns and r.severity.rank >= 2:
                found.setdefault(id(r), (r, path_label(path)))
    ranked = sorted(found.values(), key=lambda x: (-x[0].severity.rank, x[0].rule_id))
    return ranked[:FIRST]


def _rule_texts(report: Report) -> dict[str, dict[str, str]]:
    """The run's rules (rule packs' too); a report read back from JSON (``merge``) has
    only the built-in catalogue's texts."""
    from auditor.rules import load_rules

    rules = (*load_rules(), *report.rules)
    return {r.id: {"rationale": r.rationale, "cites": r.cites} for r in rules}


def _summary(results: tuple[Result, ...]) -> dict[str, Any]:
    by_severity = {sev: Counter(r.status.value for r in results if r.severity.value == sev)
                   for sev in SEVERITIES}
    areas = sorted({_area(r.rule_id) for r in results})
    by_area = {a: Counter(r.status.value for r in results if _area(r.rule_id) == a)
               for a in areas}
    return {"by_severity": by_severity, "by_area": by_area,
            "totals": Counter(r.status.value for r in results)}


@cache
def script() -> str:
    return _environment().get_template("report.js").render()


def script_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def render(report: Report) -> str:
    failing = _failing_by_arn(report.results)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    results = sorted(report.results, key=lambda r: (
        r.status is Status.PASS, order[r.severity.value], r.rule_id, r.resource.arn))
    js = script()
    first = first_to_fix(report)
    page = _environment().get_template("report.html.j2").render(
        first=first, first_results=[r for r, _ in first], areas=AREAS,
        names={d.arn: d.name for p in report.paths for d in p.distributions},
        tool=TOOL_NAME, version=__version__, scan=report.scan, complete=report.complete,
        summary=_summary(report.results), severities=SEVERITIES, statuses=STATUSES,
        rule_ids=sorted({r.rule_id for r in report.results}), results=results,
        texts=_rule_texts(report), pictures=[layout(p, failing) for p in report.paths],
        columns=COLUMNS, box_w=BOX_W, box_h=BOX_H, col_gap=COL_GAP, script=js,
        script_hash=script_hash(js))
    return scrubbed(page, report.secrets)

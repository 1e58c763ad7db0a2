"""The readable table: what failed or could not be checked, worst first, then a summary."""

from __future__ import annotations

import re

from tabulate import tabulate

from auditor.findings import Severity, Status
from auditor.scan import Report
from auditor.secrets import scrub

# C0/C1 control characters (ESC included): a resource name must not drive the terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_CELL = 110


def clean(text: str, limit: int = MAX_CELL) -> str:
    text = _CONTROL.sub("?", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(report: Report) -> str:
    shown = [r for r in report.results if r.status is not Status.PASS]
    shown.sort(
        key=lambda r: (-r.severity.rank, r.status is Status.ERROR, r.rule_id, r.resource.arn)
    )
    lines = []
    if shown:
        rows = [
            [
                r.severity.value.upper() if r.status is Status.FAIL else "ERROR",
                r.rule_id,
                clean(r.resource.name or r.resource.arn, 48),
                r.region,
                clean(r.message),
            ]
            for r in shown
        ]
        lines.append(
            tabulate(
                rows,
                headers=["severity", "rule", "resource", "region", "message"],
                tablefmt="simple",
            )
        )
    else:
        lines.append("No failing results.")
    counts = {s: sum(1 for r in report.results if r.status is s) for s in Status}
    by_sev = ", ".join(
        f"{sev.value} {n}"
        for sev in Severity
        if (n := sum(1 for r in report.results if r.severity is sev and r.status is Status.FAIL))
    )
    s = report.scan
    lines.append("")
    lines.append(
        f"{len(report.results)} results: {counts[Status.FAIL]} failed"
        f"{f' ({by_sev})' if by_sev else ''}, {counts[Status.PASS]} passed, "
        f"{counts[Status.ERROR]} not evaluated; accounts {', '.join(s.accounts) or '-'}, "
        f"regions {', '.join(s.regions)}; {s.api_calls} API calls"
    )
    ops = sorted({f"{e.operation} ({e.code})" for e in s.errors})
    if not report.complete:
        lines.append(
            "INCOMPLETE: some checks could not see their data"
            + (f"; failed calls: {clean(', '.join(ops), 400)}" if ops else "")
        )
    elif ops:
        lines.append(f"Failed calls no selected rule needed: {clean(', '.join(ops), 400)}")
    return scrub("\n".join(lines), report.secrets) + "\n"

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


def _message(r) -> str:
    if r.suppression is not None and r.suppression.expired:
        return f"[suppression expired {r.suppression.expires.isoformat()}] {r.message}"
    return r.message


HEADERS = ["severity", "rule", "resource", "region", "message"]


def cells(severity: str, rule_id: str, name: str, arn: str, region: str, message: str,
          message_limit: int = MAX_CELL) -> list[str]:
    """One row of a findings table (the scan's and the diff's), neutralised and cut."""
    return [severity, rule_id, clean(name or arn, 48), region, clean(message, message_limit)]


def render(report: Report) -> str:
    shown = [r for r in report.results if r.status in (Status.FAIL, Status.ERROR)]
    shown.sort(
        key=lambda r: (-r.severity.rank, r.status is Status.ERROR, r.rule_id, r.resource.arn)
    )
    with_baseline = report.scan.baseline is not None
    lines = []
    if shown:
        rows = [
            cells(r.severity.value.upper() if r.status is Status.FAIL else "ERROR", r.rule_id,
                  r.resource.name, r.resource.arn, r.region, _message(r))
            + ([r.baseline or ""] if with_baseline else [])
            for r in shown
        ]
        lines.append(tabulate(rows, headers=HEADERS + (["baseline"] if with_baseline else []),
                              tablefmt="simple"))
    else:
        lines.append("No failing results.")
    counts = {s: sum(1 for r in report.results if r.status is s) for s in Status}
    by_sev = ", ".join(
        f"{sev.value} {n}"
        for sev in Severity
        if (n := sum(1 for r in report.results if r.severity is sev and r.status is Status.FAIL))
    )
    expired = sum(1 for r in report.results if r.suppression and r.suppression.expired)
    s = report.scan
    lines.append("")
    lines.append(
        f"{len(report.results)} results: {counts[Status.FAIL]} failed"
        f"{f' ({by_sev})' if by_sev else ''}, {counts[Status.PASS]} passed, "
        f"{counts[Status.ERROR]} not evaluated"
        + (f", {counts[Status.SUPPRESSED]} suppressed" if counts[Status.SUPPRESSED] else "")
        + (f", {expired} with an expired suppression" if expired else "")
        + f"; accounts {', '.join(s.accounts) or '-'}, "
        f"regions {', '.join(s.regions)}; {s.api_calls} API calls"
    )
    if s.baseline is not None:
        b = s.baseline
        lines.append(f"Against baseline {b['scan_id']}: {b['new']} new, {b['unchanged']} "
                     f"unchanged, {b['resolved']} resolved")
    ops = sorted({f"{e.operation} ({e.code})" for e in s.errors})
    if not report.complete:
        lines.append(
            "INCOMPLETE: some checks could not see their data"
            + (f"; failed calls: {clean(', '.join(ops), 400)}" if ops else "")
        )
    elif ops:
        lines.append(f"Failed calls no selected rule needed: {clean(', '.join(ops), 400)}")
    return scrub("\n".join(lines), report.secrets) + "\n"

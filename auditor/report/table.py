"""The readable table: one verdict per edge path first, then what failed or could not be
checked (grouped by path, severity or rule, worst first), then a summary and where to look
next. Every line fits the terminal: ``COLUMNS``, else the terminal's width, else 100.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tabulate import tabulate

from auditor.findings import Result, Severity, Status
from auditor.paths import PathPicture
from auditor.scan import Report
from auditor.secrets import scrub

# C0/C1 control characters (ESC included): a resource name must not drive the terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_CELL = 110
MAX_MESSAGE = 200  # wrapped to the width, but never longer than this
MIN_WIDTH, DEFAULT_WIDTH = 60, 100
GROUPS = ("path", "severity", "rule")


def clean(text: str, limit: int = MAX_CELL) -> str:
    text = _CONTROL.sub("?", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


HEADERS = ["severity", "rule", "resource", "region", "message"]


def cells(severity: str, rule_id: str, name: str, arn: str, region: str, message: str,
          message_limit: int = MAX_CELL) -> list[str]:
    """One row of a findings table (the scan's and the diff's), neutralised and cut."""
    return [severity, rule_id, clean(name or arn, 48), region, clean(message, message_limit)]


@dataclass(frozen=True)
class TableOptions:
    width: int = DEFAULT_WIDTH
    group_by: str = "path"  # path | severity | rule
    show_suppressed: bool = False

    @classmethod
    def for_terminal(cls, show_suppressed: bool = False, group_by: str = "path"
                     ) -> TableOptions:
        """``COLUMNS`` if set, else the terminal's width (100 when not a terminal)."""
        width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
        return cls(max(MIN_WIDTH, width), group_by, show_suppressed)


def _message(r: Result) -> str:
    if r.suppression is not None and r.suppression.expired:
        return f"[suppression expired {r.suppression.expires.isoformat()}] {r.message}"
    if r.status is Status.SUPPRESSED and r.suppression is not None:
        return f"[suppressed until {r.suppression.expires.isoformat()}] {r.message}"
    return r.message


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(_CONTROL.sub("?", text), width, initial_indent=indent,
                         subsequent_indent=indent + "  ", break_on_hyphens=False,
                         break_long_words=True) or [indent]


# ------------------------------------------------------------------ the verdicts

def path_label(path: PathPicture) -> str:
    """``shop.example.com -> shop-alb -> shop-orders, shop-users``."""
    fronts = ", ".join(d.name for d in path.distributions) or "no CloudFront"
    functions = list(dict.fromkeys(f.name for r in path.routes for f in r.functions))
    shown = ", ".join(functions[:3]) + (f" +{len(functions) - 3}" if len(functions) > 3 else "")
    return f"{fronts} -> {path.alb.name} -> {shown or 'no function'}"


def verdict_text(path: PathPicture) -> str:
    e = path.exposure
    if e is None:
        return "not judged"
    if e.verdict == "yes":
        doors = "; ".join(f"{d.door} ({', '.join(d.rules)})" for d in e.doors)
        return f"YES, around CloudFront by: {doors}"
    if e.verdict == "unknown":
        return f"UNKNOWN: {', '.join(e.unknown)} could not judge it (error or not run)"
    weak = "; ".join(f"{d.door} ({', '.join(d.rules)})" for d in e.weakened)
    return "no" + (f", but one guard left: {weak} open" if weak else "")


def _verdict_lines(report: Report, width: int, several_accounts: bool) -> list[str]:
    if not report.paths:
        return []
    lines = [f"Can the functions be reached around CloudFront? ({len(report.paths)} Lambda "
             "ALB(s))"]
    order = {"yes": 0, "unknown": 1, "no": 2}
    for path in sorted(report.paths, key=lambda p: (
            order.get(p.exposure.verdict if p.exposure else "unknown", 1), p.alb.name)):
        where = f"{path.account}/{path.region}" if several_accounts else path.region
        lines += _wrap(f"{path_label(path)} ({where})", width, "  ")
        worst = f"; worst: {', '.join(path.exposure.worst)}" if (
            path.exposure and path.exposure.worst) else ""
        lines += _wrap(verdict_text(path) + worst, width, "    ")
    return lines


# ------------------------------------------------------------------ the results

def _names(report: Report) -> dict[str, str]:
    """CloudFront distributions by alias or domain rather than id."""
    return {d.arn: d.name for p in report.paths for d in p.distributions}


def _columns(width: int, several_accounts: bool) -> tuple[list[str], list[int]]:
    headers = ["severity", "rule", "resource"] + (["account"] if several_accounts else []) \
        + ["region", "message"]
    fixed = [8, 9, 0] + ([12] if several_accounts else []) + [14]
    resource = max(12, min(32, width // 5))
    fixed[2] = resource
    gaps = 2 * (len(headers) - 1)
    message = max(16, width - sum(fixed) - gaps)
    return headers, [*fixed, message]


def _rows(results: Sequence[Result], names: dict[str, str], widths: list[int],
          several_accounts: bool, with_baseline: bool) -> list[list[str]]:
    rows = []
    for r in results:
        label = ("ERROR" if r.status is Status.ERROR else "SUPPR" if
                 r.status is Status.SUPPRESSED else r.severity.value.upper())
        name = names.get(r.resource.arn) or r.resource.name or r.resource.arn
        row = [label, r.rule_id, clean(name, widths[2])]
        if several_accounts:
            row.append(r.account)
        row += [r.region, "\n".join(textwrap.wrap(clean(_message(r), MAX_MESSAGE),
                                                  widths[-1]) or [""])]
        if with_baseline:
            row[-1] += f" [{r.baseline or ''}]"
        rows.append(row)
    return rows


def _table(results: Sequence[Result], report: Report, options: TableOptions,
           several_accounts: bool) -> str:
    headers, widths = _columns(options.width, several_accounts)
    rows = _rows(results, _names(report), widths, several_accounts,
                 report.scan.baseline is not None)
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


def _order(r: Result) -> tuple:
    return (-r.severity.rank, r.status is Status.ERROR, r.rule_id, r.resource.arn)


def _groups(shown: list[Result], report: Report, group_by: str
            ) -> Iterable[tuple[str, list[Result]]]:
    if group_by == "severity":
        for sev in Severity:
            found = [r for r in shown if r.severity is sev and r.status is not Status.ERROR]
            if found:
                yield f"{sev.value.upper()} ({len(found)})", found
        errors = [r for r in shown if r.status is Status.ERROR]
        if errors:
            yield f"NOT EVALUATED ({len(errors)})", errors
        return
    if group_by == "rule":
        for rule in sorted({r.rule_id for r in shown},
                           key=lambda i: min(_order(r) for r in shown if r.rule_id == i)):
            found = [r for r in shown if r.rule_id == rule]
            yield f"{rule} {found[0].title} ({len(found)})", found
        return
    placed: set[int] = set()
    for path in report.paths:
        arns = path.arns()
        found = [r for i, r in enumerate(shown) if r.resource.arn in arns and i not in placed]
        placed |= {i for i, r in enumerate(shown) if r.resource.arn in arns}
        if found:
            yield f"{path_label(path)} ({path.region})", found
    rest = [r for i, r in enumerate(shown) if i not in placed]
    if rest:
        yield "Not on an edge path (account, region or other resources)", rest


# ------------------------------------------------------------------ the summary

def _summary(report: Report) -> list[str]:
    results, s = report.results, report.scan
    failed = [r for r in results if r.status is Status.FAIL]
    problems = [r for r in failed if r.severity is not Severity.INFO]
    advice = len(failed) - len(problems)
    by_sev = ", ".join(f"{sev.value} {n}" for sev in Severity if sev is not Severity.INFO
                       and (n := sum(1 for r in problems if r.severity is sev)))
    counts = {st: sum(1 for r in results if r.status is st) for st in Status}
    expired = sum(1 for r in results if r.suppression and r.suppression.expired)
    return [
        f"{len(results)} results: {len(problems)} failed{f' ({by_sev})' if by_sev else ''}, "
        f"{advice} advice (info), {counts[Status.PASS]} passed, "
        f"{counts[Status.ERROR]} not evaluated"
        + (f", {counts[Status.SUPPRESSED]} suppressed" if counts[Status.SUPPRESSED] else "")
        + (f", {expired} with an expired suppression" if expired else ""),
        f"Scanned accounts {', '.join(s.accounts) or '-'}; regions {', '.join(s.regions)}; "
        f"{s.api_calls} API calls",
    ]


def _nothing_found(report: Report) -> list[str]:
    s = report.scan
    if s.source == "iac":
        return ["Nothing of the pattern here: these templates define no ALB with a Lambda "
                "target group (an ALB, a target group of target type lambda, and a listener "
                "or rule that forwards to it)."]
    return [f"Nothing of the pattern here: no ALB with a Lambda target group in "
            f"{', '.join(s.regions) or 'the scanned regions'} of account(s) "
            f"{', '.join(s.accounts) or '-'}.",
            "It may live in another region: scan them all with --all-regions, or name them "
            "with --region."]


def render(report: Report, options: TableOptions | None = None) -> str:
    options = options or TableOptions()
    width = options.width
    several = len(report.scan.accounts) > 1
    lines = _verdict_lines(report, width, several)
    if lines:
        lines.append("")
    wanted = {Status.FAIL, Status.ERROR} | ({Status.SUPPRESSED} if options.show_suppressed
                                            else set())
    shown = sorted((r for r in report.results if r.status in wanted), key=_order)
    suppressed = sum(1 for r in report.results if r.status is Status.SUPPRESSED)
    if shown:
        for heading, found in _groups(shown, report, options.group_by):
            lines += _wrap(f"== {heading}", width)
            lines.append(_table(found, report, options, several))
            lines.append("")
    else:
        lines.append("No failing results."
                     + (f" {suppressed} suppressed failure(s): list them with "
                        f"--show-suppressed." if suppressed else ""))
        lines.append("")
    if not report.paths and report.complete:
        lines += _nothing_found(report)
    elif suppressed and shown and not options.show_suppressed:
        lines.append(f"{suppressed} suppressed failure(s) not shown: --show-suppressed "
                     "lists them.")
    lines += _summary(report)
    s = report.scan
    if s.baseline is not None:
        b = s.baseline
        lines.append(f"Against baseline {b['scan_id']}: {b['new']} new, {b['unchanged']} "
                     f"unchanged, {b['resolved']} resolved")
    ops = sorted({f"{e.operation} ({e.code})" for e in s.errors})
    if not report.complete:
        lines.append("INCOMPLETE: some checks could not see their data"
                     + (f"; failed calls: {clean(', '.join(ops), 400)}" if ops else ""))
    elif ops:
        lines.append(f"Failed calls no selected rule needed: {clean(', '.join(ops), 400)}")
    if shown:
        first = shown[0].rule_id
        lines.append(f"Next: `edge-audit explain {first}` says why a rule matters and how to "
                     "fix it; `--format html -o report.html` draws every path.")
    wrapped = [piece for line in lines for piece in (
        line.splitlines() if "\n" in line else [line])]
    fitted = [w for line in wrapped for w in (_wrap(line, width) if len(line) > width
                                              else [line])]
    return scrub("\n".join(fitted), report.secrets) + "\n"

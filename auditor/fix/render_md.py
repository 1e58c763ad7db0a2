"""The plan as a runbook for a change ticket: what changes, in which order, why that
order, what could break, and how to tell it worked (a scan of the same rules)."""

from __future__ import annotations

from auditor.fix.model import Plan
from auditor.fix.render_sh import step_lines

KIND = {"aws": "AWS CLI", "template": "template change", "manual": "for a person",
        "warning": "check first"}


def render(plan: Plan) -> str:
    steps = plan.numbered()
    rules = sorted({c.rule_id for _, s in steps for c in s.closes})
    out = [f"# Fix plan for edge-audit report `{plan.report_id}`", "",
           f"{len(steps)} steps for {len(rules)} rules ({plan.source} report). Nothing has "
           "been run. The order is the safety: each step keeps every path through "
           "CloudFront working for the next (the ALB accepts a new origin secret before "
           "CloudFront sends it, CloudFront's prefix list is admitted before the world-open "
           "rule goes, a scoped permission is added before the unscoped one is removed). "
           "The commands are the `--format sh` script's; its helpers (`cf_edit`, "
           "`alb_guard_copy`, ...) fetch the live state and change only what the step "
           "names, so run that script rather than pasting lines from here.", ""]
    out += [f"> {note}" for note in plan.notes]
    if plan.parameters:
        out += ["", "## Parameters", "", "| Name | What |", "|---|---|"]
        out += [f"| `{k}` | {v} |" for k, v in plan.parameters.items()]
    out += ["", "## Steps", "", "| # | Kind | Step | Closes |", "|---|---|---|---|"]
    for n, s in steps:
        closes = ", ".join(sorted({c.rule_id for c in s.closes})) or "-"
        flag = "" if s.accepted else f" (needs `--accept-risk {s.accept_risk}`)"
        out.append(f"| {n} | {KIND[s.kind]}{flag} | {_cell(s.title)} | {closes} |")
    for n, s in steps:
        out += ["", f"### {n}. {s.title}", "", f"**Why / risk:** {s.risk}", ""]
        if s.closes:
            out.append("**Closes:** " + "; ".join(
                f"{c.rule_id} on `{c.resource_name}`" for c in s.closes))
            out.append("")
        if s.serves:
            out.append("**Part of the fix of:** " + "; ".join(
                f"{c.rule_id} on `{c.resource_name}`" for c in s.serves))
            out.append("")
        if s.reveals:
            out.append("**Afterwards fails (said up front):** " + "; ".join(
                f"{c.rule_id} on `{c.resource_name}`" for c in s.reveals))
            out.append("")
        for p in s.preconditions:
            out.append(f"- Checked first: {p}")
        if s.kind == "aws":
            if not s.accepted:
                out.append(f"Written commented out: make the plan with `--accept-risk "
                           f"{s.accept_risk}` once the step before it is done.")
            for c in s.calls:
                computed = "; ".join(f"{k}: {v}" for k, v in c.computed.items())
                out.append(f"- API: `{c.service} {c.operation}` in {c.region}"
                           + (f" ({computed})" if computed else ""))
            out += ["", "```bash", *step_lines(s), "```"]
        elif s.kind == "template":
            t = s.template
            where = "".join([f" in stack `{t.stack}`" if t.stack else "",
                             f" at `{t.file}:{t.line}`" if t.file else ""])
            out.append(f"**Template change** on `{t.logical_id}` ({t.resource_type}){where}: "
                       f"{t.change}")
        if s.manual:
            out += ["", f"**What to do:** {s.manual}"]
    if rules:
        out += ["", "## Verify", "", "After the steps, scan the same rules again; every "
                "finding a step closes must pass:", "", "```bash",
                f"edge-audit scan --rules {','.join(rules)}", "```"]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")

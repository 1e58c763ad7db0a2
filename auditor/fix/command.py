"""``edge-audit fix``: read a report, build the plan, write it. No AWS call."""

from __future__ import annotations

import argparse
import os

from auditor.fix.findings import ReportError, read
from auditor.fix.plan import build_plan
from auditor.output import write_output
from auditor.process import UsageError

EXTENSIONS = {".sh": "sh", ".bash": "sh", ".md": "md", ".json": "json"}


def write_plan(args: argparse.Namespace) -> int:
    from auditor.fix import render_json, render_md, render_sh

    fmt = args.format or EXTENSIONS.get(os.path.splitext(args.output or "")[1], "sh")
    try:
        failures = read(args.report)
    except ReportError as exc:
        raise UsageError(str(exc)) from exc
    values = {k: v for k, v in (("ALARM_TOPIC_ARN", args.alarm_topic),
                                ("ALB_LOG_BUCKET", args.alb_log_bucket),
                                ("CF_LOG_BUCKET", args.cf_log_bucket)) if v}
    plan = build_plan(failures, args.rules, args.accept_risk, values)
    text = {"sh": render_sh, "md": render_md, "json": render_json}[fmt].render(plan)
    write_output(text, args.output)
    if args.output and fmt == "sh" and os.path.isfile(args.output):
        os.chmod(args.output, 0o755)
    return 0
